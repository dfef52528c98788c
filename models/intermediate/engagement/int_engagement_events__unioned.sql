{#-
  Every action in one stream (int_engagement_events__attributed), cleaned where it needs the
  person:
    - the same action exported twice, or both exported and pulled from Mailchimp's API (same
      supporter, type, time, campaign key; an email_sent once per supporter and campaign)
      counts once: the spreadsheet copy is kept (first by file path and row), so event_ids of
      exported actions do not change when the API starts reporting them; a reason (unsubscribe,
      bounce) any copy carries is kept;
    - a registration for an event the supporter is recorded attending (same event date)
      is dropped: the attendance replaces the RSVP, so only true no-shows stay event_rsvp.
  The attributed actions are read by ref() three times (repeated keys, attendance, the rows),
  not through one CTE: a CTE read three times would be copied in full.
-#}
with

-- only actions whose copy key appears more than once are ranked, so the sort stays small
repeated_actions as (

    select copy_key
    from {{ ref('int_engagement_events__attributed') }}
    group by copy_key
    having count(*) > 1

),

copy_ranks as (

    select
        attributed.event_id,
        row_number() over (
            partition by attributed.copy_key
            order by
                case when attributed.file_path is null then 1 else 0 end,
                attributed.file_path,
                attributed.row_number,
                attributed.event_id
        ) as copy_rank,
        max(attributed.reason) over (partition by attributed.copy_key) as copy_reason

    from {{ ref('int_engagement_events__attributed') }} as attributed
    inner join repeated_actions on attributed.copy_key = repeated_actions.copy_key

),

attended as (

    select distinct
        supporter_id,
        event_date
    from {{ ref('int_engagement_events__attributed') }}
    where action_type = 'event_attendance'
        and event_date is not null

),

actions as (

    select * from {{ ref('int_engagement_events__attributed') }}

)

select
    actions.event_id,
    actions.supporter_id,
    actions.action_type,
    actions.occurred_at,
    actions.campaign_name,
    actions.channel,
    actions.is_proxy_open,
    actions.event_date,
    actions.amount,
    actions.stated_issues,
    coalesce(actions.reason, copy_ranks.copy_reason) as reason,
    actions.source_kind,
    actions.row_id,
    actions.file_id,
    actions.file_path,
    actions.row_number

from actions
left join copy_ranks on actions.event_id = copy_ranks.event_id
left join attended
    on actions.action_type = 'event_rsvp'
        and actions.supporter_id = attended.supporter_id
        and actions.event_date = attended.event_date
where coalesce(copy_ranks.copy_rank, 1) = 1
    and attended.supporter_id is null
