{#-
  What people care about over time: per calendar month and issue, how many supporters acted on
  or read about it and how (events on or before as_of, linked to issues through their campaign
  or a stated interest, int_event_issues__mapped). interest_points is the undecayed issue
  evidence (action_types.issue_weight x the role multiplier), so months compare like for like.
-#}
with

events as (

    select * from {{ ref('int_engagement_events__dated') }}

),

event_issues as (

    select * from {{ ref('int_event_issues__mapped') }}

),

linked as (

    select
        cast({{ dbt.date_trunc('month', 'events.occurred_at') }} as date) as month_start,
        event_issues.issue_slug,
        events.supporter_id,
        events.event_id,
        events.action_type,
        events.counts_as_action,
        events.is_proxy_open,
        events.issue_weight * event_issues.role_multiplier as interest_points

    from events
    inner join event_issues
        on events.event_id = event_issues.event_id

)

select
    month_start,
    issue_slug,
    count(distinct supporter_id) as supporters,
    count(distinct event_id) as events,
    sum(case when counts_as_action then 1 else 0 end) as actions,
    sum(case when action_type = 'email_click' then 1 else 0 end) as email_clicks,
    sum(case when action_type = 'email_open' and not is_proxy_open then 1 else 0 end) as human_email_opens,
    sum(case when action_type = 'stated_interest' then 1 else 0 end) as stated_interests,
    sum(interest_points) as interest_points

from linked
group by month_start, issue_slug
