{#-
  What still needs an issue mapping, so nothing is silently dropped from issue interest:
    - campaigns (petitions, events, e-mails, letter drives, ...) with events that count as
      issue evidence (action_types.issue_weight > 0) and no row in the seed campaign_issues
      (add one; use issue_role none for a campaign about no issue);
    - answers to "which issues matter to you?" questions that match no alias in the seed
      issue_aliases (add the answer text as an alias);
    - e-mail campaigns that events name (a members export's unsubscribe campaign, pulled
      activity of a campaign the pull did not list) but that match no known campaign by
      Mailchimp id or campaign key (add the name to the seed campaign_aliases with the key
      of the campaign it means; docs/engagement.md §8).
  `reason` says which, in words.
-#}
with

events as (

    select * from {{ ref('int_engagement_events__unioned') }}

),

campaign_issues as (

    select distinct lower(trim(campaign_name)) as campaign_key
    from {{ ref('campaign_issues') }}

),

answers as (

    select * from {{ ref('int_stated_interests__split') }}

),

action_types as (

    select action_type from {{ ref('action_types') }}
    where issue_weight > 0

),

issue_aliases as (

    select distinct lower(trim(alias)) as alias_key
    from {{ ref('issue_aliases') }}

),

unknown_campaigns as (

    select distinct
        source_kind,
        campaign_key,
        coalesce(campaign_name, campaign_id) as unmapped_value

    from {{ ref('int_campaign_references__resolved') }}
    where not is_known

),

unmapped_campaign_events as (

    select
        events.campaign_name as unmapped_value,
        'campaign_issues' as seed_to_edit,
        'campaign has no issue mapping' as reason,
        events.source_kind,
        events.event_id,
        events.supporter_id,
        events.occurred_at

    from events
    inner join action_types
        on events.action_type = action_types.action_type
    left join campaign_issues
        on lower(trim(events.campaign_name)) = campaign_issues.campaign_key
    where events.campaign_name is not null
        and trim(events.campaign_name) <> ''
        and campaign_issues.campaign_key is null

),

unmapped_answer_events as (

    select
        answers.answer_text as unmapped_value,
        'issue_aliases' as seed_to_edit,
        'answer matches no issue alias' as reason,
        events.source_kind,
        events.event_id,
        events.supporter_id,
        events.occurred_at

    from answers
    inner join events
        on answers.event_id = events.event_id
    left join issue_aliases
        on answers.answer_key = issue_aliases.alias_key
    where issue_aliases.alias_key is null

),

unknown_campaign_events as (

    select
        unknown_campaigns.unmapped_value,
        'campaign_aliases' as seed_to_edit,
        'matches no known e-mail campaign (no pulled campaign with this id, no export or pulled title with this key)'
            as reason,
        events.source_kind,
        events.event_id,
        events.supporter_id,
        events.occurred_at

    from events
    inner join unknown_campaigns
        on events.campaign_name = unknown_campaigns.campaign_key
            and events.source_kind = unknown_campaigns.source_kind

),

unmapped as (

    select * from unmapped_campaign_events
    union all
    select * from unmapped_answer_events
    union all
    select * from unknown_campaign_events

)

select
    unmapped_value,
    seed_to_edit,
    reason,
    source_kind,
    count(distinct event_id) as events,
    count(distinct supporter_id) as supporters,
    min(occurred_at) as first_seen_at,
    max(occurred_at) as last_seen_at

from unmapped
group by unmapped_value, seed_to_edit, reason, source_kind
