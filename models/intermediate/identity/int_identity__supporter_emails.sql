{#- Every usable email of every supporter, with when and where it was seen and whether
    Mailchimp has it subscribed (an audience export or the sync's read-back). Emails that
    belong to someone else (a guest given the buyer's email) or are shared by many people
    (info@) are not a supporter's email. `is_primary` marks the email to use in Mailchimp: the
    subscribed one, else the most recently seen (ties: the most trusted source). -#}

with

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
    where identifier_type = 'email' and is_usable
),

record_supporters as (
    select * from {{ ref('int_identity__record_supporters') }}
),

members as (
    select
        email,
        member_status,
        occurred_at
    from {{ ref('stg_spreadsheets__mailchimp_members') }}
),

pulled as (
    select
        email,
        status,
        last_changed_at
    from {{ ref('stg_mailchimp_sync__pulled_members') }}
    where email is not null
),

-- the latest Mailchimp status of each address: the read-back wins over an export
mailchimp_statuses as (
    select
        email,
        status,
        changed_at,
        row_number() over (
            partition by email order by source_rank asc, changed_at desc
        ) as status_rank
    from (
        select
            email,
            status,
            last_changed_at as changed_at,
            1 as source_rank
        from pulled
        union all
        select
            email,
            member_status,
            occurred_at,
            2 as source_rank
        from members
    ) as statuses
),

seen as (
    select
        record_supporters.supporter_id,
        identifiers.identifier_value as email,
        min(identifiers.occurred_at) as first_seen_at,
        max(identifiers.occurred_at) as last_seen_at,
        min(identifiers.source_priority) as best_source_priority,
        count(*) as record_count
    from identifiers
    inner join record_supporters on identifiers.record_id = record_supporters.record_id
    group by record_supporters.supporter_id, identifiers.identifier_value
),

ranked as (
    select
        seen.*,
        mailchimp_statuses.status as mailchimp_status,
        row_number() over (
            partition by seen.supporter_id
            order by
                case when mailchimp_statuses.status = 'subscribed' then 0 else 1 end,
                seen.last_seen_at desc nulls last,
                seen.best_source_priority asc,
                seen.email asc
        ) as email_rank
    from seen
    left join mailchimp_statuses
        on seen.email = mailchimp_statuses.email
            and mailchimp_statuses.status_rank = 1
),

final as (
    select
        supporter_id,
        email,
        {{ dbt.hash('email') }} as subscriber_hash,
        mailchimp_status,
        email_rank = 1 as is_primary,
        first_seen_at,
        last_seen_at,
        record_count
    from ranked
)

select * from final
