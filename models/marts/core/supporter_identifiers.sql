{#- Every identifier of every supporter: all the emails they used (is_primary marks the one
    for Mailchimp), phones and name+postcode keys, with how often and when they were seen, and
    whether identity resolution could use them. Shared role addresses and emails given to
    someone else (guest tickets) stay visible here, flagged, on the supporter whose record
    carried them. -#}

with

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
    where identifier_type <> 'record'
),

record_supporters as (
    select * from {{ ref('int_identity__record_supporters') }}
),

supporter_emails as (
    select * from {{ ref('int_identity__supporter_emails') }}
),

grouped as (
    select
        record_supporters.supporter_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.identifier_key,
        {{ dbt.bool_or('identifiers.is_usable') }} as is_usable,
        {{ dbt.bool_or('identifiers.is_shared') }} as is_shared,
        {{ dbt.bool_or('identifiers.is_other_persons_email') }} as is_other_persons_email,
        -- a record carries an identifier once (tested on int_identity__identifiers)
        count(*) as record_count,
        min(identifiers.occurred_at) as first_seen_at,
        max(identifiers.occurred_at) as last_seen_at
    from identifiers
    inner join record_supporters on identifiers.record_id = record_supporters.record_id
    group by
        record_supporters.supporter_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.identifier_key
),

final as (
    select
        {{ engage_surrogate_key(['grouped.supporter_id', 'grouped.identifier_key']) }} as supporter_identifier_id,
        grouped.supporter_id,
        grouped.identifier_type,
        grouped.identifier_value,
        coalesce(supporter_emails.is_primary, false) as is_primary,
        grouped.is_usable,
        grouped.is_shared,
        grouped.is_other_persons_email,
        supporter_emails.mailchimp_status,
        grouped.record_count,
        grouped.first_seen_at,
        grouped.last_seen_at
    from grouped
    left join supporter_emails
        on grouped.identifier_type = 'email'
            and grouped.supporter_id = supporter_emails.supporter_id
            and grouped.identifier_value = supporter_emails.email
)

select * from final
