{#- One row per person: the stable supporter_id, the email to use in Mailchimp, surviving
    attributes (most recent non-empty value, source_priority breaks ties), effective email
    consent and its evidence, and when and where they were seen. The sync reads this model:
    its columns are a contract. -#}

with

survivors as (
    select * from {{ ref('int_identity__survivorship') }}
),

supporter_emails as (
    select * from {{ ref('int_identity__supporter_emails') }}
),

consent as (
    select * from {{ ref('int_consent__email_status') }}
),

email_lists as (
    select
        supporter_id,
        count(*) as email_count,
        {{ dbt.listagg('email', "', '", 'order by email') }} as emails
    from supporter_emails
    group by supporter_id
),

final as (
    select
        survivors.supporter_id,

        -- contact
        primary_email.email,
        email_lists.emails,
        coalesce(email_lists.email_count, 0) as email_count,
        survivors.first_name,
        survivors.last_name,
        survivors.phone,

        -- place
        survivors.postcode,
        survivors.city,
        survivors.state,
        survivors.country,
        survivors.district,

        -- consent
        consent.email_status,
        consent.email_status = 'subscribed' and primary_email.email is not null as is_emailable,
        consent.consent_basis,
        consent.consent_evidence,
        consent.consent_changed_at,
        consent.consent_source_type,
        consent.consent_file_path,
        consent.consent_row_number,
        consent.consent_event_id,
        primary_email.mailchimp_status,

        -- history
        survivors.first_seen_at,
        survivors.last_seen_at,
        survivors.source_count,
        survivors.record_count,
        survivors.source_kinds
    from survivors
    left join supporter_emails as primary_email
        on survivors.supporter_id = primary_email.supporter_id
            and primary_email.is_primary
    left join email_lists on survivors.supporter_id = email_lists.supporter_id
    inner join consent on survivors.supporter_id = consent.supporter_id
)

select * from final
