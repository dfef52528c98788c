{#-
  Every dated action from every kind of spreadsheet in one stream, attributed to its supporter
  (identity: int_identity__record_supporters, one supporter per accepted row), before any
  cleaning. A table: int_engagement_events_unioned reads it three times. event_id is stable:
  md5 of the source row, the action type and the event key; copy_key is what makes two rows the
  same action exported twice (supporter, type, time, campaign, event date and key, answer).
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

final as (

    select
        attributed.*,
        {{ engage_surrogate_key([
            'supporter_id', 'action_type', 'occurred_at', 'campaign_name', 'event_date',
            'event_key', 'stated_issues',
        ]) }} as copy_key

    from attributed

)

select * from final
