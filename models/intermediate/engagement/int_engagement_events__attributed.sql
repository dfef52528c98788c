{#-
  Every dated action from every kind of spreadsheet, and the campaign activity pulled from
  Mailchimp's Reports API, in one stream attributed to its supporter, before any cleaning:
  spreadsheet rows through identity (int_identity__record_supporters, one supporter per
  accepted row), pulled activity by subscriber hash through int_identity__supporter_emails
  (the supporter whose primary email it is first). A table: int_engagement_events__unioned
  reads it three times. event_id is stable: md5 of the source row (for pulled activity, of its
  primary key), the action type and the event key; copy_key is what makes two rows the same
  action exported twice or by two sources (supporter, type, time, campaign, event date and
  key, answer; an email_sent is one per supporter and campaign whatever its time, since
  sent-to exports time each delivery and the API gives the campaign's send time).
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
    'int_engagement_events__sms',
    'int_engagement_events__calls',
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
        reason,
        source_kind,
        file_id,
        file_path,
        row_number
    from {{ ref(builder) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

record_supporters as (

    select
        record_id,
        supporter_id
    from {{ ref('int_identity__record_supporters') }}

),

pulled_actions as (

    select * from {{ ref('int_engagement_events__mailchimp_activity') }}

),

-- one supporter per address hash: the one whose primary email it is, else the first by id
hash_supporters as (

    select
        subscriber_hash,
        supporter_id
    from (
        select
            subscriber_hash,
            supporter_id,
            row_number() over (
                partition by subscriber_hash
                order by case when is_primary then 0 else 1 end, supporter_id
            ) as supporter_rank
        from {{ ref('int_identity__supporter_emails') }}
    ) as ranked
    where supporter_rank = 1

),

spreadsheet_attributed as (

    select
        {{ engage_surrogate_key(['actions.row_id', 'actions.action_type', 'actions.event_key']) }} as event_id,
        record_supporters.supporter_id,
        actions.*

    from actions
    inner join record_supporters
        on actions.row_id = record_supporters.record_id
    where actions.occurred_at is not null

),

pulled_attributed as (

    select
        {{ engage_surrogate_key(['pulled_actions.row_id', 'pulled_actions.action_type', 'pulled_actions.event_key']) }}
            as event_id,
        hash_supporters.supporter_id,
        pulled_actions.row_id,
        pulled_actions.action_type,
        pulled_actions.event_key,
        pulled_actions.occurred_at,
        pulled_actions.campaign_name,
        pulled_actions.channel,
        pulled_actions.is_proxy_open,
        pulled_actions.event_date,
        pulled_actions.amount,
        pulled_actions.stated_issues,
        pulled_actions.reason,
        pulled_actions.source_kind,
        pulled_actions.file_id,
        pulled_actions.file_path,
        pulled_actions.row_number

    from pulled_actions
    inner join hash_supporters
        on pulled_actions.subscriber_hash = hash_supporters.subscriber_hash
    where pulled_actions.occurred_at is not null

),

attributed as (

    select * from spreadsheet_attributed
    union all
    select * from pulled_attributed

),

final as (

    select
        attributed.*,
        {{ engage_surrogate_key([
            'supporter_id', 'action_type',
            "case when action_type = 'email_sent' then null else occurred_at end",
            'campaign_name', 'event_date', 'event_key', 'stated_issues',
        ]) }} as copy_key

    from attributed

)

select * from final
