{#- Effective email consent per supporter (docs/engagement.md §7):
      - an opt-out (unsubscribed, cleaned, suppressed) beats every older or unevidenced opt-in;
        an undated opt-out counts as the newest event;
      - a newer, evidenced opt-in restores consent after an unsubscribe (a dated form tick, a
        Mailchimp confirmation); a clean (the address bounces) and a suppression (compliance
        state, forgotten, a blacklist) are never restored here;
      - with no opt-out: an evidenced opt-in, else an opt-in claim (an undated "Yes"), makes the
        supporter subscribed;
      - otherwise unknown.
    consent_basis says why: evidenced, claimed, opt_out, none. The deciding event is kept. -#}

with

email_events as (
    select * from {{ ref('int_consent_events__unioned') }}
    where channel = 'email'
),

supporter_emails as (
    select
        supporter_id,
        email
    from {{ ref('int_identity__supporter_emails') }}
),

-- a supporter's own events, plus every opt-out of an address the supporter uses, whichever
-- record carried it (a guest's row with the buyer's email, a colleague's row): Mailchimp keeps
-- consent per address, so an opt-out of the address binds whoever is synced with it
events as (
    select
        consent_event_id,
        supporter_id,
        status,
        occurred_at,
        is_evidenced
    from email_events
    union
    select
        email_events.consent_event_id,
        supporter_emails.supporter_id,
        email_events.status,
        email_events.occurred_at,
        email_events.is_evidenced
    from email_events
    inner join supporter_emails on email_events.email = supporter_emails.email
    where email_events.status in ('unsubscribed', 'cleaned', 'suppressed')
),

supporters as (
    select distinct supporter_id from {{ ref('int_identity__record_supporters') }}
),

-- undated events sort as the newest: an undated opt-out must win
dated as (
    select
        events.*,
        coalesce(events.occurred_at, cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }})) as sort_at,
        case events.status when 'suppressed' then 1 when 'unsubscribed' then 2 when 'cleaned' then 3 else 9 end
            as opt_out_rank
    from events
),

latest_opt_outs as (
    select
        dated.*,
        row_number() over (
            partition by dated.supporter_id
            order by dated.opt_out_rank = 1 desc, dated.sort_at desc, dated.opt_out_rank asc, dated.consent_event_id asc
        ) as pick
    from dated
    where dated.status in ('unsubscribed', 'cleaned', 'suppressed')
),

opt_outs as (
    select * from latest_opt_outs
    where pick = 1
),

-- a clean or a suppression anywhere in the history can never be restored, even when a later
-- unsubscribe is the latest opt-out
never_restorable as (
    select distinct supporter_id from dated
    where status in ('cleaned', 'suppressed')
),

latest_evidenced_opt_ins as (
    select
        dated.*,
        row_number()
            over (partition by dated.supporter_id order by dated.sort_at desc, dated.consent_event_id asc)
            as pick
    from dated
    where dated.status = 'subscribed' and dated.is_evidenced
),

evidenced_opt_ins as (
    select * from latest_evidenced_opt_ins
    where pick = 1
),

latest_claims as (
    select
        dated.*,
        row_number()
            over (partition by dated.supporter_id order by dated.sort_at desc, dated.consent_event_id asc)
            as pick
    from dated
    where dated.status = 'subscribed' and not dated.is_evidenced
),

claims as (
    select * from latest_claims
    where pick = 1
),

decided as (
    select
        supporters.supporter_id,
        case
            when opt_outs.supporter_id is not null
                and opt_outs.status = 'unsubscribed'
                and evidenced_opt_ins.occurred_at is not null
                and opt_outs.occurred_at is not null
                and evidenced_opt_ins.occurred_at > opt_outs.occurred_at
                and never_restorable.supporter_id is null
                then 'restored'
            when opt_outs.supporter_id is not null then 'opt_out'
            when evidenced_opt_ins.supporter_id is not null then 'evidenced'
            when claims.supporter_id is not null then 'claimed'
            else 'none'
        end as decision,
        opt_outs.consent_event_id as opt_out_event_id,
        opt_outs.status as opt_out_status,
        evidenced_opt_ins.consent_event_id as opt_in_event_id,
        claims.consent_event_id as claim_event_id
    from supporters
    left join opt_outs on supporters.supporter_id = opt_outs.supporter_id
    left join evidenced_opt_ins on supporters.supporter_id = evidenced_opt_ins.supporter_id
    left join claims on supporters.supporter_id = claims.supporter_id
    left join never_restorable on supporters.supporter_id = never_restorable.supporter_id
),

final as (
    select
        decided.supporter_id,
        case decided.decision
            when 'opt_out' then decided.opt_out_status
            when 'none' then 'unknown'
            else 'subscribed'
        end as email_status,
        case decided.decision
            when 'restored' then 'evidenced'
            else decided.decision
        end as consent_basis,
        deciding.consent_event_id,
        deciding.evidence as consent_evidence,
        deciding.occurred_at as consent_changed_at,
        deciding.source_type as consent_source_type,
        deciding.file_path as consent_file_path,
        deciding.row_number as consent_row_number
    from decided
    left join email_events as deciding
        on deciding.consent_event_id = case decided.decision
                when 'opt_out' then decided.opt_out_event_id
                when 'restored' then decided.opt_in_event_id
                when 'evidenced' then decided.opt_in_event_id
                when 'claimed' then decided.claim_event_id
            end
)

select * from final
