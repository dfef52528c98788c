{#-
  Every engagement event on or before as_of, with its age and the action type's scoring
  parameters (seed action_types), and the points it is worth today:
    weight * 0.5 ^ (age_days / half_life_days), or 0 once older than expiry_days
  (Salsa-style half-life decay). Privacy-proxy opens are kept but worth nothing.
  Events after as_of are left out, so a build "as of" an earlier date ignores later data.
  message_key identifies the message an e-mail event belongs to (channel + campaign), so a
  send, its opens and its clicks count as one message received.
-#}
with

events as (

    select * from {{ ref('int_engagement_events__unioned') }}

),

action_types as (

    select * from {{ ref('action_types') }}

),

aged as (

    select
        events.event_id,
        events.supporter_id,
        events.action_type,
        events.occurred_at,
        cast(events.occurred_at as date) as occurred_on,
        events.campaign_name,
        events.channel,
        case
            when action_types.counts_as_message
                then {{ dbt.concat([
                    "coalesce(events.channel, 'email')", "':'", "coalesce(events.campaign_name, events.event_id)"
                ]) }}
        end as message_key,
        coalesce(events.is_proxy_open, false) as is_proxy_open,
        events.event_date,
        {{ engage_days_before_as_of('events.occurred_at') }} as age_days,
        action_types.category,
        action_types.weight,
        action_types.half_life_days,
        action_types.expiry_days,
        action_types.effort_rank,
        action_types.is_high_effort,
        action_types.counts_as_action,
        action_types.counts_as_message,
        action_types.issue_weight,
        action_types.issue_half_life_days

    from events
    inner join action_types
        on events.action_type = action_types.action_type
    where events.occurred_at is not null

),

scored as (

    select
        aged.*,
        case
            when aged.is_proxy_open then 0
            when aged.age_days > aged.expiry_days then 0
            else aged.weight * {{ engage_decay('aged.age_days', 'aged.half_life_days') }}
        end as engagement_points

    from aged
    where aged.age_days >= 0

)

select * from scored
