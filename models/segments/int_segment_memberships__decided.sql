{#-
  The decision for every segment candidate, in this order:
    1. not_emailable   the supporter has no effective e-mail consent (supporters.is_emailable
                       false: unsubscribed, cleaned, suppressed or no evidenced opt-in);
    2. contact_cap     the segment respects the contact cap and the supporter is over a cap of
                       seed contact_caps: too many messages on one channel (email, sms, call)
                       or on all channels together (int_contact_pressure__counted); the
                       detail names the channel(s);
    3. segment_limit   the supporter qualifies for more segments (that count toward the
                       limit) than var max_segments_per_supporter: ranked by segment
                       priority (1 first), then segment name and tag; the lowest drop out;
  everything else is targeted. One row per (segment, tag, supporter).
-#}
with

candidates as (

    select * from {{ ref('int_segment_candidates__unioned') }}

),

supporters as (

    select
        supporter_id,
        email_status,
        is_emailable
    from {{ ref('supporters') }}

),

pressure as (

    select * from {{ ref('int_contact_pressure__counted') }}

),

screened as (

    select
        candidates.segment_name,
        candidates.tag,
        candidates.supporter_id,
        candidates.reason,
        candidates.priority,
        candidates.respects_contact_cap,
        candidates.counts_toward_limit,
        supporters.email_status,
        coalesce(pressure.messages_in_window, 0) as messages_last_7d,
        pressure.over_cap_channels,
        pressure.over_cap_detail,
        case
            when not coalesce(supporters.is_emailable, false) then 'not_emailable'
            when candidates.respects_contact_cap and coalesce(pressure.is_over_contact_cap, false)
                then 'contact_cap'
        end as screen_reason

    from candidates
    left join supporters
        on candidates.supporter_id = supporters.supporter_id
    left join pressure
        on candidates.supporter_id = pressure.supporter_id

),

ranked as (

    select
        screened.*,
        case
            when screened.screen_reason is null and screened.counts_toward_limit then
                row_number() over (
                    partition by
                        screened.supporter_id,
                        case when screened.screen_reason is null and screened.counts_toward_limit then 1 else 0 end
                    order by screened.priority, screened.segment_name, screened.tag
                )
        end as priority_rank

    from screened

),

decided as (

    select
        ranked.*,
        case
            when ranked.screen_reason is not null then ranked.screen_reason
            when ranked.priority_rank > {{ var('max_segments_per_supporter', 3) }} then 'segment_limit'
        end as held_out_reason

    from ranked

)

select
    {{ dbt.hash(dbt.concat(["tag", "'|'", "supporter_id"])) }} as membership_id,
    segment_name,
    tag,
    supporter_id,
    reason,
    priority,
    respects_contact_cap,
    counts_toward_limit,
    priority_rank,
    messages_last_7d,
    case when held_out_reason is null then 'targeted' else 'held_out' end as decision,
    held_out_reason,
    case when held_out_reason = 'contact_cap' then over_cap_channels end as contact_cap_channels,
    case held_out_reason
        when 'not_emailable' then {{ dbt.concat(["'email status '", "coalesce(email_status, 'unknown')"]) }}
        when 'contact_cap' then over_cap_detail
        when 'segment_limit' then {{ dbt.concat([
            "'priority rank '", "cast(priority_rank as " ~ dbt.type_string() ~ ")",
            "'; limit " ~ var('max_segments_per_supporter', 3) ~ " segments per supporter'"]) }}
    end as held_out_detail

from decided
