{#-
  Which issue(s) each event is about:
    - campaign events inherit their campaign's issues from the seed campaign_issues
      (role primary or secondary), matched on the trimmed, lower-cased campaign name;
    - stated-interest answers (int_stated_interests__split) are matched to an issue through
      the seed issue_aliases (role stated).
  One row per (event, issue); when both apply the strongest role is kept
  (primary, then stated, then secondary). Unmatched campaigns and answers are listed in
  the mart unmapped_campaigns.
-#}
with

events as (

    select
        event_id,
        supporter_id,
        campaign_name

    from {{ ref('int_engagement_events__unioned') }}

),

campaign_issues as (

    select
        lower(trim(campaign_name)) as campaign_key,
        issue_slug,
        issue_role

    from {{ ref('campaign_issues') }}
    where issue_slug is not null

),

issue_aliases as (

    select
        lower(trim(alias)) as alias_key,
        issue_slug

    from {{ ref('issue_aliases') }}

),

from_campaigns as (

    select
        events.event_id,
        events.supporter_id,
        campaign_issues.issue_slug,
        campaign_issues.issue_role

    from events
    inner join campaign_issues
        on lower(trim(events.campaign_name)) = campaign_issues.campaign_key

),

stated_answers as (

    select * from {{ ref('int_stated_interests__split') }}

),

from_stated as (

    select distinct
        stated_answers.event_id,
        stated_answers.supporter_id,
        issue_aliases.issue_slug,
        'stated' as issue_role

    from stated_answers
    inner join issue_aliases
        on stated_answers.answer_key = issue_aliases.alias_key

),

all_links as (

    select
        event_id,
        supporter_id,
        issue_slug,
        issue_role
    from from_campaigns
    union all
    select
        event_id,
        supporter_id,
        issue_slug,
        issue_role
    from from_stated

),

ranked as (

    select
        all_links.*,
        row_number() over (
            partition by all_links.event_id, all_links.issue_slug
            order by case all_links.issue_role when 'primary' then 1 when 'stated' then 2 else 3 end
        ) as role_rank

    from all_links

)

select
    event_id,
    supporter_id,
    issue_slug,
    issue_role,
    case
        when issue_role = 'secondary' then {{ var('secondary_issue_multiplier', 0.5) }}
        else 1.0
    end as role_multiplier

from ranked
where role_rank = 1
