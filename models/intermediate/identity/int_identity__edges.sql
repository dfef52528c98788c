{#- Every link identity resolution uses, as anchor edges (node_a is the smallest record of
    the group, so the graph stays linear in size):
      email          records sharing a usable email
      attach         an email-less record -> a record of the one supporter it matches
      name_postcode / phone_name   email-less, unmatched records sharing these identifiers -#}

with

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
    where is_usable
),

attachments as (
    select * from {{ ref('int_identity__attachments') }}
),

email_ids as (
    select record_id, identifier_value
    from identifiers
    where identifier_type = 'email'
),

email_anchors as (
    select identifier_value, min(record_id) as anchor_id
    from email_ids
    group by identifier_value
),

email_edges as (
    select distinct email_anchors.anchor_id as node_a, email_ids.record_id as node_b, 'email' as matched_on
    from email_ids
    inner join email_anchors on email_anchors.identifier_value = email_ids.identifier_value
    where email_ids.record_id <> email_anchors.anchor_id
),

attach_edges as (
    select matched_record_id as node_a, record_id as node_b, 'attach_' || matched_on as matched_on
    from attachments
    where outcome = 'attached'
),

unmatched_ids as (
    select identifiers.record_id, identifiers.identifier_type, identifiers.identifier_value
    from identifiers
    inner join attachments
        on attachments.record_id = identifiers.record_id
        and attachments.outcome = 'unmatched'
    where identifiers.identifier_type in ('name_postcode', 'phone_name')
),

unmatched_anchors as (
    select identifier_type, identifier_value, min(record_id) as anchor_id
    from unmatched_ids
    group by identifier_type, identifier_value
),

unmatched_edges as (
    select distinct
        unmatched_anchors.anchor_id as node_a,
        unmatched_ids.record_id as node_b,
        unmatched_ids.identifier_type as matched_on
    from unmatched_ids
    inner join unmatched_anchors
        on unmatched_anchors.identifier_type = unmatched_ids.identifier_type
        and unmatched_anchors.identifier_value = unmatched_ids.identifier_value
    where unmatched_ids.record_id <> unmatched_anchors.anchor_id
),

final as (
    select * from email_edges
    union all
    select * from attach_edges
    union all
    select * from unmatched_edges
)

select * from final
