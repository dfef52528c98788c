-- Identity components are settled: every identity link (a shared usable email, an attachment,
-- a residual name+postcode / phone+name edge) joins records of one component, and each
-- component is named by its smallest record. Rows name the link that disagrees. If a residual
-- edge shows up, label propagation ran out of passes: raise the var identity_max_label_passes.
with

components as (
    select * from {{ ref('int_identity__components') }}
),

split_emails as (
    select
        min(identifiers.record_id) as node_a,
        max(identifiers.record_id) as node_b,
        'email' as matched_on,
        min(components.component_id) as component_a,
        max(components.component_id) as component_b
    from {{ ref('int_identity__identifiers') }} as identifiers
    inner join components on identifiers.record_id = components.record_id
    where identifiers.identifier_type = 'email' and identifiers.is_usable
    group by identifiers.identifier_value
    having count(distinct components.component_id) > 1
),

split_attachments as (
    select
        attachments.matched_record_id as node_a,
        attachments.record_id as node_b,
        'attach_' || attachments.matched_on as matched_on,
        a.component_id as component_a,
        b.component_id as component_b
    from {{ ref('int_identity__attachments') }} as attachments
    inner join components as a on attachments.matched_record_id = a.record_id
    inner join components as b on attachments.record_id = b.record_id
    where attachments.outcome = 'attached' and a.component_id <> b.component_id
),

split_residual_edges as (
    select
        edges.node_a,
        edges.node_b,
        edges.matched_on,
        a.component_id as component_a,
        b.component_id as component_b
    from {{ ref('int_identity__residual_edges') }} as edges
    inner join components as a on edges.node_a = a.record_id
    inner join components as b on edges.node_b = b.record_id
    where a.component_id <> b.component_id
),

misnamed_components as (
    select
        component_id as node_a,
        min(record_id) as node_b,
        'component_not_its_smallest_record' as matched_on,
        component_id as component_a,
        min(record_id) as component_b
    from components
    group by component_id
    having min(record_id) <> component_id
)

select * from split_emails
union all
select * from split_attachments
union all
select * from split_residual_edges
union all
select * from misnamed_components
