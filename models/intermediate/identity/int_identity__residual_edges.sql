{#- Stage 3 of identity, its links: records without a usable email that matched no stage-1
    supporter (int_identity__attachments outcome `unmatched`) link to each other when they
    share a first|last|postcode (name_postcode) or a phone|last name (phone_name). Anchor
    edges keep the graph linear: each record links to the smallest record id of its group.
    Only this small residual needs connected components (int_identity__residual_components);
    email groups and attachments are resolved by group-bys.
    Grain: one row per (anchor record, linked record, identifier type). -#}

with

unmatched as (
    select record_id
    from {{ ref('int_identity__attachments') }}
    where outcome = 'unmatched'
),

linking_identifiers as (
    select
        identifiers.record_id,
        identifiers.identifier_type,
        identifiers.identifier_value
    from {{ ref('int_identity__identifiers') }} as identifiers
    inner join unmatched on identifiers.record_id = unmatched.record_id
    where identifiers.is_usable and identifiers.identifier_type in ('name_postcode', 'phone_name')
),

anchored as (
    select
        record_id,
        identifier_type,
        min(record_id) over (partition by identifier_type, identifier_value) as anchor_id
    from linking_identifiers
),

final as (
    select distinct
        anchor_id as node_a,
        record_id as node_b,
        identifier_type as matched_on
    from anchored
    where record_id <> anchor_id
)

select * from final
