{#- Consent events from what the sync read back from Mailchimp (architecture section 4):
      pulled members   unsubscribed and cleaned are opt-outs at LAST_CHANGED; subscribed is a
                       claim (we may have put them there), never evidence that restores consent
      pulled opt-outs  every unsubscribed/cleaned status a pull has seen (append-only): stays an
                       opt-out at its latest OBSERVED_AT after Mailchimp archives or deletes the
                       member; only a newer status Mailchimp shows (the person re-subscribed, or
                       the same opt-out still current) replaces it
      sync rejects     compliance_state and forgotten are suppressions (terminal);
                       invalid_email is treated as cleaned
      pulled activity  an unsubscribe from a campaign report is an opt-out at its time (detail:
                       Mailchimp's reason); an abuse report (a spam complaint) is a
                       suppression at the report date, never restored
    Matched to supporters by subscriber hash (md5 of the lower-cased email). Addresses the
    warehouse does not know yet get no event; they match as soon as a file brings them. -#}

with

pulled as (
    select * from {{ ref('stg_mailchimp_sync__pulled_members') }}
),

optouts as (
    select * from {{ ref('stg_mailchimp_sync__pulled_optouts') }}
),

rejects as (
    select * from {{ ref('stg_mailchimp_sync__sync_rejects') }}
),

activity as (
    select * from {{ ref('stg_mailchimp_sync__campaign_activity') }}
    where action in ('unsubscribe', 'abuse_report')
),

supporter_emails as (
    select
        supporter_id,
        email,
        subscriber_hash
    from {{ ref('int_identity__supporter_emails') }}
),

pulled_events as (
    select
        audience_id,
        subscriber_hash,
        status,
        last_changed_at as occurred_at,
        'mailchimp_audience_status' as evidence,
        cast(null as {{ dbt.type_string() }}) as detail,
        cast(null as {{ dbt.type_string() }}) as event_key
    from pulled
    where status in ('subscribed', 'unsubscribed', 'cleaned')
),

remembered_optout_events as (
    select
        optouts.audience_id,
        optouts.subscriber_hash,
        optouts.status,
        max(optouts.observed_at) as occurred_at,
        'mailchimp_audience_status_seen' as evidence,
        cast(null as {{ dbt.type_string() }}) as detail,
        cast(null as {{ dbt.type_string() }}) as event_key
    from optouts
    left join pulled
        on optouts.audience_id = pulled.audience_id
            and optouts.subscriber_hash = pulled.subscriber_hash
    where
        pulled.subscriber_hash is null
        or (
            pulled.status <> optouts.status
            and not coalesce(
                pulled.status = 'subscribed'
                and pulled.last_changed_at > optouts.observed_at,
                false
            )
        )
    group by optouts.audience_id, optouts.subscriber_hash, optouts.status
),

reject_events as (
    select
        audience_id,
        subscriber_hash,
        case when reason = 'invalid_email' then 'cleaned' else 'suppressed' end as status,
        rejected_at as occurred_at,
        'mailchimp_reject_' || reason as evidence,
        detail,
        cast(null as {{ dbt.type_string() }}) as event_key
    from rejects
    where reason in ('compliance_state', 'forgotten', 'invalid_email')
),

activity_events as (
    select
        audience_id,
        subscriber_hash,
        case when action = 'abuse_report' then 'suppressed' else 'unsubscribed' end as status,
        occurred_at,
        case
            when action = 'abuse_report' then 'mailchimp_abuse_report'
            else 'mailchimp_unsubscribe_report'
        end as evidence,
        case when action = 'unsubscribe' then detail end as detail,
        {{ dbt.concat(["campaign_id", "'|'", "cast(occurred_at as " ~ dbt.type_string() ~ ")"]) }} as event_key
    from activity
),

unioned as (
    select * from pulled_events
    union all
    select * from remembered_optout_events
    union all
    select * from reject_events
    union all
    select * from activity_events
),

final as (
    select
        case
            when unioned.event_key is null
                then {{ engage_surrogate_key([
                    'unioned.audience_id', 'unioned.subscriber_hash', 'unioned.status', 'unioned.evidence'
                ]) }}
            else {{ engage_surrogate_key([
                'unioned.audience_id', 'unioned.subscriber_hash', 'unioned.status', 'unioned.evidence',
                'unioned.event_key'
            ]) }}
        end as consent_event_id,
        supporter_emails.supporter_id,
        supporter_emails.email,
        'email' as channel,
        unioned.status,
        unioned.occurred_at,
        unioned.status <> 'subscribed' and unioned.occurred_at is not null as is_evidenced,
        unioned.evidence,
        'mailchimp_sync' as source_type,
        cast(null as {{ dbt.type_string() }}) as source_kind,
        cast(null as {{ dbt.type_string() }}) as file_id,
        cast(null as {{ dbt.type_string() }}) as file_path,
        cast(null as {{ dbt.type_string() }}) as sheet_name,
        cast(null as {{ dbt.type_bigint() }}) as row_number,
        unioned.audience_id,
        unioned.detail
    from unioned
    inner join supporter_emails on unioned.subscriber_hash = supporter_emails.subscriber_hash
)

select * from final
