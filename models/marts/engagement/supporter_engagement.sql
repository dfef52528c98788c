{#-
  One row per supporter (sibling of the supporters mart): activity metrics, the decayed
  engagement score, its 0-100 normalisation and stars, the exclusive ladder rung, RFM on
  actions, contact pressure and top issue. Every window is relative to var as_of and is
  inclusive: "in 90 days" means 0 <= age_days <= 90. "Actions" are events whose action
  type has counts_as_action (not e-mail opens/clicks, sign-ups or unattended RSVPs).

  Score (docs/engagement.md §3): engagement_raw = sum of each event's decayed points
  (int_engagement_events__dated); engagement_score = min(100, 100 * raw / P95), where P95 is
  the 95th percentile of engagement_raw over emailable supporters (the maximum when that
  percentile is 0); engagement_stars from the seed star_bins (Ortto's 0/1/20/40/60/80).

  Ladder (seed ladder_rungs; first match from the top wins; every rung above 0 needs an
  e-mail address on file):
    5 leader          >= 3 volunteer shifts in 365 days, or hosted an event in 365 days
    4 super_activist  > 4 actions in 90 days including >= 1 high-effort action
    3 activist        >= 3 actions in 90 days, or >= 1 high-effort action in 180 days
    2 supporter       any action in 365 days
    1 subscriber      emailable and opened (not a proxy open) or clicked in 180 days
    0 inactive        everything else
-#}
{%- set counted_types = [
    ('petition_signature', 'petition_signatures'),
    ('event_rsvp', 'event_rsvps_unattended'),
    ('event_attendance', 'event_attendances'),
    ('event_hosted', 'events_hosted'),
    ('legislator_contact', 'legislator_contacts'),
    ('story_share', 'story_shares'),
    ('consultation_response', 'consultation_responses'),
    ('volunteer_signup', 'volunteer_signups'),
    ('volunteer_shift', 'volunteer_shifts'),
    ('donation', 'donations'),
    ('sign_up', 'sign_ups'),
    ('unsubscribe', 'unsubscribes'),
] -%}
with

supporters as (

    select
        supporter_id,
        email,
        email_status,
        is_emailable,
        district,
        postcode,
        first_seen_at

    from {{ ref('supporters') }}

),

events as (

    select * from {{ ref('int_engagement_events__dated') }}

),

pressure as (

    select * from {{ ref('int_contact_pressure__counted') }}

),

top_issue as (

    select * from {{ ref('supporter_top_issue') }}

),

star_bins as (

    select * from {{ ref('star_bins') }}

),

ladder_rungs as (

    select * from {{ ref('ladder_rungs') }}

),

email_messages as (

    -- one row per e-mail (campaign) received, for sends/opens/clicks counted per message;
    -- texts and calls (message keys sms:..., call:...) are not e-mails
    select
        supporter_id,
        message_key,
        min(age_days) as age_days

    from events
    where counts_as_message
        and message_key like 'email:%'
    group by supporter_id, message_key

),

messages_per_supporter as (

    select
        supporter_id,
        {{ engage_count_if("age_days <= 30") }} as emails_received_30d,
        {{ engage_count_if("age_days <= 90") }} as emails_received_90d

    from email_messages
    group by supporter_id

),

activity as (

    select
        supporter_id,
        min(occurred_at) as first_event_at,
        min(case when counts_as_action then occurred_at end) as first_action_at,
        max(case when counts_as_action then occurred_at end) as last_action_at,
        min(case when counts_as_action then age_days end) as days_since_last_action,
        max(case
            when action_type = 'email_click' or (action_type = 'email_open' and not is_proxy_open)
                then occurred_at
        end) as last_email_engagement_at,
        {%- for action_type, column in counted_types %}
        {{ engage_count_if("action_type = '" ~ action_type ~ "'") }} as {{ column }},
        {%- endfor %}
        {{ engage_count_if("counts_as_action and age_days <= 90") }} as actions_90d,
        {{ engage_count_if("counts_as_action and age_days <= 365") }} as actions_365d,
        count(distinct case when counts_as_action and age_days <= 365 then occurred_on end)
            as action_days_365d,
        {{ engage_count_if("counts_as_action and is_high_effort and age_days <= 90") }}
            as high_effort_actions_90d,
        {{ engage_count_if("counts_as_action and is_high_effort and age_days <= 180") }}
            as high_effort_actions_180d,
        {{ engage_count_if("action_type = 'volunteer_shift' and age_days <= 365") }}
            as volunteer_shifts_365d,
        {{ engage_count_if("action_type = 'event_hosted' and age_days <= 365") }}
            as events_hosted_365d,
        {{ engage_count_if("action_type = 'email_open' and not is_proxy_open and age_days <= 30") }}
            as email_opens_30d,
        {{ engage_count_if("action_type = 'email_open' and not is_proxy_open and age_days <= 90") }}
            as email_opens_90d,
        {{ engage_count_if("action_type = 'email_open' and is_proxy_open and age_days <= 90") }}
            as email_proxy_opens_90d,
        {{ engage_count_if("action_type = 'email_click' and age_days <= 30") }}
            as email_clicks_30d,
        {{ engage_count_if("action_type = 'email_click' and age_days <= 90") }}
            as email_clicks_90d,
        max(case
            when (action_type = 'email_click' or (action_type = 'email_open' and not is_proxy_open))
                and age_days <= 180 then 1
            else 0
        end) as engaged_by_email_180d,
        sum(case when counts_as_action then weight else 0 end) as effort_value,
        sum(engagement_points) as engagement_raw

    from events
    group by supporter_id

),

metrics as (

    select
        supporters.supporter_id,
        supporters.email,
        supporters.email_status,
        coalesce(supporters.is_emailable, false) as is_emailable,
        supporters.district,
        supporters.postcode,
        case
            when supporters.first_seen_at is null then activity.first_event_at
            when activity.first_event_at is null then supporters.first_seen_at
            when activity.first_event_at < supporters.first_seen_at then activity.first_event_at
            else supporters.first_seen_at
        end as first_seen_at,
        activity.first_action_at,
        activity.last_action_at,
        activity.days_since_last_action,
        activity.last_email_engagement_at,
        {%- for action_type, column in counted_types %}
        coalesce(activity.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        coalesce(activity.actions_90d, 0) as actions_90d,
        coalesce(activity.actions_365d, 0) as actions_365d,
        coalesce(activity.action_days_365d, 0) as action_days_365d,
        coalesce(activity.high_effort_actions_90d, 0) as high_effort_actions_90d,
        coalesce(activity.high_effort_actions_180d, 0) as high_effort_actions_180d,
        coalesce(activity.volunteer_shifts_365d, 0) as volunteer_shifts_365d,
        coalesce(activity.events_hosted_365d, 0) as events_hosted_365d,
        coalesce(messages_per_supporter.emails_received_30d, 0) as emails_received_30d,
        coalesce(messages_per_supporter.emails_received_90d, 0) as emails_received_90d,
        coalesce(activity.email_opens_30d, 0) as email_opens_30d,
        coalesce(activity.email_opens_90d, 0) as email_opens_90d,
        coalesce(activity.email_proxy_opens_90d, 0) as email_proxy_opens_90d,
        coalesce(activity.email_clicks_30d, 0) as email_clicks_30d,
        coalesce(activity.email_clicks_90d, 0) as email_clicks_90d,
        coalesce(activity.engaged_by_email_180d, 0) = 1 as engaged_by_email_180d,
        coalesce(activity.effort_value, 0) as effort_value,
        coalesce(activity.engagement_raw, 0) as engagement_raw,
        coalesce(pressure.messages_in_window, 0) as messages_last_7d,
        coalesce(pressure.is_over_contact_cap, false) as is_over_contact_cap,
        top_issue.top_issue,
        top_issue.top_issue_label,
        top_issue.second_issue

    from supporters
    left join activity
        on supporters.supporter_id = activity.supporter_id
    left join messages_per_supporter
        on supporters.supporter_id = messages_per_supporter.supporter_id
    left join pressure
        on supporters.supporter_id = pressure.supporter_id
    left join top_issue
        on supporters.supporter_id = top_issue.supporter_id

),

normaliser as (

    select
        coalesce(
            nullif({{ engage_percentile_cont('engagement_raw', 0.95) }}, 0),
            nullif(max(engagement_raw), 0)
        ) as p95_engagement_raw

    from metrics
    where is_emailable

),

scored as (

    select
        metrics.*,
        normaliser.p95_engagement_raw,
        case
            when normaliser.p95_engagement_raw is null then 0
            when 100 * metrics.engagement_raw / normaliser.p95_engagement_raw > 100 then 100
            else 100 * metrics.engagement_raw / normaliser.p95_engagement_raw
        end as engagement_score_exact

    from metrics
    cross join normaliser

),

stars as (

    -- the highest bin the score reaches: a join and an aggregate rather than a correlated
    -- subquery, which Spark 4.3 decorrelated wrongly for some rows (docs/engines.md)
    select
        scored.supporter_id,
        max(star_bins.stars) as engagement_stars

    from scored
    inner join star_bins
        on scored.engagement_score_exact >= star_bins.min_score
    group by scored.supporter_id

),

starred as (

    select
        scored.*,
        stars.engagement_stars,
        case
            when scored.email is null then 0
            when scored.volunteer_shifts_365d >= 3 or scored.events_hosted_365d >= 1 then 5
            when scored.actions_90d > 4 and scored.high_effort_actions_90d >= 1 then 4
            when scored.actions_90d >= 3 or scored.high_effort_actions_180d >= 1 then 3
            when scored.actions_365d >= 1 then 2
            when scored.is_emailable and scored.engaged_by_email_180d then 1
            else 0
        end as ladder_rung

    from scored
    left join stars
        on scored.supporter_id = stars.supporter_id

),

rfm_base as (

    -- RFM over supporters with at least one action: recency = days since the last action,
    -- frequency = distinct action days in 365 days, monetary = summed effort weights.
    select
        supporter_id,
        1 + floor(5 * percent_rank() over (order by days_since_last_action desc)) as r_raw,
        1 + floor(5 * percent_rank() over (order by action_days_365d)) as f_raw,
        1 + floor(5 * percent_rank() over (order by effort_value)) as m_raw

    from starred
    where last_action_at is not null

),

rfm as (

    select
        supporter_id,
        cast(case when r_raw > 5 then 5 else r_raw end as integer) as rfm_recency,
        cast(case when f_raw > 5 then 5 else f_raw end as integer) as rfm_frequency,
        cast(case when m_raw > 5 then 5 else m_raw end as integer) as rfm_monetary

    from rfm_base

)

select
    starred.supporter_id,
    starred.email_status,
    starred.is_emailable,
    starred.district,
    starred.first_seen_at,
    {{ engage_days_before_as_of('starred.first_seen_at') }} as days_since_first_seen,
    starred.first_action_at,
    starred.last_action_at,
    starred.days_since_last_action,
    starred.last_email_engagement_at,
    {%- for action_type, column in counted_types %}
    starred.{{ column }},
    {%- endfor %}
    starred.actions_90d,
    starred.actions_365d,
    starred.action_days_365d,
    starred.high_effort_actions_90d,
    starred.high_effort_actions_180d,
    starred.volunteer_shifts_365d,
    starred.events_hosted_365d,
    starred.emails_received_30d,
    starred.emails_received_90d,
    starred.email_opens_30d,
    starred.email_opens_90d,
    starred.email_proxy_opens_90d,
    starred.email_clicks_30d,
    starred.email_clicks_90d,
    starred.engaged_by_email_180d,
    starred.effort_value,
    {{ engage_round('starred.engagement_raw', 4) }} as engagement_raw,
    {{ engage_round('starred.p95_engagement_raw', 4) }} as p95_engagement_raw,
    {{ engage_round('starred.engagement_score_exact', 1) }} as engagement_score,
    starred.engagement_stars,
    starred.ladder_rung,
    ladder_rungs.rung_name as ladder_rung_name,
    rfm.rfm_recency,
    rfm.rfm_frequency,
    rfm.rfm_monetary,
    case
        when rfm.supporter_id is null then 'none'
        else {{ dbt.concat(["cast(rfm.rfm_recency as " ~ dbt.type_string() ~ ")",
                            "cast(rfm.rfm_frequency as " ~ dbt.type_string() ~ ")",
                            "cast(rfm.rfm_monetary as " ~ dbt.type_string() ~ ")"]) }}
    end as rfm_cell,
    case
        when rfm.supporter_id is null then 'no_actions'
        when rfm.rfm_recency >= 4 and rfm.rfm_frequency >= 4 then 'champion'
        when rfm.rfm_recency >= 4 then 'promising'
        when rfm.rfm_recency <= 2 and rfm.rfm_frequency >= 3 then 'at_risk'
        when rfm.rfm_recency <= 2 then 'hibernating'
        else 'needs_attention'
    end as rfm_label,
    starred.messages_last_7d,
    starred.is_over_contact_cap,
    starred.top_issue,
    starred.top_issue_label,
    starred.second_issue,
    {% if var('issue_tags_enabled', true) -%}
    starred.top_issue_label
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif %} as top_issue_for_sync

from starred
left join ladder_rungs
    on starred.ladder_rung = ladder_rungs.rung
left join rfm
    on starred.supporter_id = rfm.supporter_id
