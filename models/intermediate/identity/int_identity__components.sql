{#- Every accepted record and the person (component) it belongs to, assembled from the three
    identity stages without a pass over all records:
      - a usable email's records plus the email-less records attached to them (stage 1 and 2):
        one person per email group;
      - unmatched email-less records linked to each other (stage 3): their residual component;
      - everyone else (ambiguous matches, unmatched records without links): on their own.
    component_id is the smallest record id of the component (the same as connected
    components over all identity links); it changes when records change, so use supporter_id
    (int_identity__record_supporters) as the stable key.
    Grain: one row per accepted record. -#}

with

email_components as (
    select
        record_id,
        email_component_id
    from {{ ref('int_identity__email_components') }}
),

attachments as (
    select * from {{ ref('int_identity__attachments') }}
),

residual_components as (
    select * from {{ ref('int_identity__residual_components') }}
),

email_people as (
    select
        record_id,
        email_component_id
    from email_components
    union all
    select
        record_id,
        email_component_id
    from attachments
    where outcome = 'attached'
),

email_people_components as (
    select
        record_id,
        min(record_id) over (partition by email_component_id) as component_id
    from email_people
),

residual_people as (
    select
        attachments.record_id,
        coalesce(residual_components.component_id, attachments.record_id) as component_id
    from attachments
    left join residual_components on attachments.record_id = residual_components.record_id
    where attachments.outcome <> 'attached'
),

final as (
    select
        record_id,
        component_id
    from email_people_components
    union all
    select
        record_id,
        component_id
    from residual_people
)

select * from final
