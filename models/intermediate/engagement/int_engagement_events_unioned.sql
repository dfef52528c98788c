{#-
  Every action from every kind of spreadsheet in one stream, attributed to its supporter
  (identity: int_identity__record_supporters, one supporter per accepted row). Cleaning
  that needs the person:
    - the same action exported twice (same supporter, type, time, campaign) counts once;
    - a registration for an event the supporter is recorded attending (same event date)
      is dropped: the attendance replaces the RSVP, so only true no-shows stay event_rsvp.
  event_id is stable: md5 of the source row, the action type and the event key.
-#}
{%- set builders = [
    'int_engagement_events__email',
    'int_engagement_events__list_changes',
    'int_engagement_events__petitions',
    'int_engagement_events__events',
    'int_engagement_events__legislator_contacts',
    'int_engagement_events__stories',
    'int_engagement_events__consultations',
    'int_engagement_events__volunteers',
    'int_engagement_events__donations',
] -%}
with

actions as (

    {% for builder in builders %}
    select
        row_id,
        action_type,
        event_key,
        occurred_at,
        campaign_name,
        channel,
        is_proxy_open,
        event_date,
        amount,
        stated_issues,
        source_kind,
        file_id,
        file_path,
        row_number
    from {{ ref(builder) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

record_supporters as (

    select record_id, supporter_id from {{ ref('int_identity__record_supporters') }}

),

attributed as (

    select
        {{ engage_surrogate_key(['actions.row_id', 'actions.action_type', 'actions.event_key']) }} as event_id,
        record_supporters.supporter_id,
        actions.*

    from actions
    inner join record_supporters
        on actions.row_id = record_supporters.record_id
    where actions.occurred_at is not null

),

deduplicated as (

    select
        attributed.*,
        row_number() over (
            partition by
                supporter_id, action_type, occurred_at, campaign_name, event_date, event_key,
                stated_issues
            order by file_path, row_number
        ) as copy_rank

    from attributed

),

attended as (

    select distinct supporter_id, event_date
    from deduplicated
    where action_type = 'event_attendance'
        and event_date is not null

)

select
    deduplicated.event_id,
    deduplicated.supporter_id,
    deduplicated.action_type,
    deduplicated.occurred_at,
    deduplicated.campaign_name,
    deduplicated.channel,
    deduplicated.is_proxy_open,
    deduplicated.event_date,
    deduplicated.amount,
    deduplicated.stated_issues,
    deduplicated.source_kind,
    deduplicated.row_id,
    deduplicated.file_id,
    deduplicated.file_path,
    deduplicated.row_number

from deduplicated
left join attended
    on deduplicated.action_type = 'event_rsvp'
    and deduplicated.supporter_id = attended.supporter_id
    and deduplicated.event_date = attended.event_date
where deduplicated.copy_rank = 1
    and attended.supporter_id is null
