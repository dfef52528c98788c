{#-
  Supporter x issue interest, kept in the warehouse only (never synced: interest in an
  issue can reveal a political opinion). affinity is the decayed, weighted evidence:
    sum over the supporter's events about the issue of
      issue_weight[type] * role_multiplier * 0.5 ^ (age_days / issue_half_life_days)
  (campaign primary issue x1, secondary x var secondary_issue_multiplier, stated interests
  x1 with their own weight and half-life from the seed action_types). share is affinity
  over the supporter's total. issue_rank orders a supporter's issues: affinity, then the
  most recent action, then the higher-effort action type, then the issue order in the seed
  issues.
-#}
with

links as (

    select * from {{ ref('int_event_issues__mapped') }}

),

events as (

    select * from {{ ref('int_engagement_events__dated') }}

),

issues as (

    select * from {{ ref('issues') }}

),

evidence as (

    select
        links.supporter_id,
        links.issue_slug,
        events.event_id,
        events.occurred_at,
        events.effort_rank,
        events.issue_weight * links.role_multiplier
        * {{ engage_decay('events.age_days', 'events.issue_half_life_days') }} as points

    from links
    inner join events
        on links.event_id = events.event_id
    where events.issue_weight > 0
        and not events.is_proxy_open

),

per_issue as (

    select
        supporter_id,
        issue_slug,
        sum(points) as affinity_raw,
        count(distinct event_id) as action_count,
        max(occurred_at) as last_action_at,
        max(effort_rank) as max_effort_rank

    from evidence
    group by supporter_id, issue_slug

),

totals as (

    select
        supporter_id,
        sum(affinity_raw) as total_affinity_raw

    from per_issue
    group by supporter_id

),

measured as (

    select
        per_issue.supporter_id,
        per_issue.issue_slug,
        {{ engage_round('per_issue.affinity_raw', 4) }} as affinity,
        {{ engage_round('per_issue.affinity_raw / nullif(totals.total_affinity_raw, 0)', 4) }} as share,
        per_issue.action_count,
        per_issue.last_action_at,
        per_issue.max_effort_rank,
        issues.sort_order

    from per_issue
    inner join totals
        on per_issue.supporter_id = totals.supporter_id
    inner join issues
        on per_issue.issue_slug = issues.issue_slug

)

select
    supporter_id,
    issue_slug,
    affinity,
    share,
    action_count,
    last_action_at,
    max_effort_rank,
    row_number() over (
        partition by supporter_id
        order by affinity desc, last_action_at desc, max_effort_rank desc, sort_order asc, issue_slug asc
    ) as issue_rank

from measured
