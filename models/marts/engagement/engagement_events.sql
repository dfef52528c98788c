{#-
  One row per supporter action, from every kind of spreadsheet and from the campaign activity
  pulled from Mailchimp: who, what (action_type, see the seed action_types), when, the
  campaign (e-mail campaigns by their campaign key), the issue(s) it is about, the channel,
  why (unsubscribe reason, bounce type) and the source file and row it came from. Free text (comments, stories, consultation
  answers) is never carried here.
-#}
with

events as (

    select * from {{ ref('int_engagement_events__unioned') }}

),

event_issues as (

    select * from {{ ref('int_event_issues__mapped') }}

),

issues_per_event as (

    select
        event_id,
        {{ dbt.listagg('issue_slug', "','", "order by issue_slug") }} as issue_slugs,
        max(case when issue_role = 'primary' then issue_slug end) as primary_issue

    from event_issues
    group by event_id

)

select
    events.event_id,
    events.supporter_id,
    events.action_type,
    events.occurred_at,
    cast(events.occurred_at as date) as occurred_on,
    events.campaign_name,
    issues_per_event.primary_issue,
    issues_per_event.issue_slugs,
    events.channel,
    coalesce(events.is_proxy_open, false) as is_proxy_open,
    events.event_date,
    events.amount,
    events.reason,
    events.source_kind,
    events.file_id,
    events.file_path,
    events.row_number

from events
left join issues_per_event
    on events.event_id = issues_per_event.event_id
