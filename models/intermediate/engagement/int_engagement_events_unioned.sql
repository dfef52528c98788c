{#-
  Every action in one stream (int_engagement_events_attributed), cleaned where it needs the
  person:
    - the same action exported twice (same supporter, type, time, campaign) counts once: the
      first copy by file path and row is kept;
    - a registration for an event the supporter is recorded attending (same event date)
      is dropped: the attendance replaces the RSVP, so only true no-shows stay event_rsvp.
  The attributed actions are read by ref() three times (repeated keys, attendance, the rows),
  not through one CTE: a CTE read three times would be copied in full.
-#}
with

-- only actions whose copy key appears more than once are ranked, so the sort stays small
repeated_actions as (

    select copy_key
    from {{ ref('int_engagement_events_attributed') }}
    group by copy_key
    having count(*) > 1

),

copy_ranks as (

    select
        attributed.event_id,
        row_number() over (
            partition by attributed.copy_key
            order by attributed.file_path, attributed.row_number
        ) as copy_rank

    from {{ ref('int_engagement_events_attributed') }} as attributed
    inner join repeated_actions on repeated_actions.copy_key = attributed.copy_key

),

attended as (

    select distinct supporter_id, event_date
    from {{ ref('int_engagement_events_attributed') }}
    where action_type = 'event_attendance'
        and event_date is not null

),

actions as (

    select * from {{ ref('int_engagement_events_attributed') }}

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
    actions.source_kind,
    actions.row_id,
    actions.file_id,
    actions.file_path,
    actions.row_number

from actions
left join copy_ranks on copy_ranks.event_id = actions.event_id
left join attended
    on actions.action_type = 'event_rsvp'
    and actions.supporter_id = attended.supporter_id
    and actions.event_date = attended.event_date
where coalesce(copy_ranks.copy_rank, 1) = 1
    and attended.supporter_id is null
