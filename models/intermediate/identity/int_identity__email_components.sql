{#- Stage 1 of identity: records with a usable email, grouped by that email (e-mail-first:
    records that have an email are never merged by phone or name). A record carries at most
    one email and email links only join records with the same address, so each email's
    records are exactly one connected component: a group-by, no graph algorithm.
    Grain: one row per record with a usable email. -#}

with

email_identifiers as (
    select
        record_id,
        identifier_value as email
    from {{ ref('int_identity__identifiers') }}
    where identifier_type = 'email' and is_usable
),

final as (
    select
        record_id,
        min(record_id) over (partition by email) as email_component_id
    from email_identifiers
)

select * from final
