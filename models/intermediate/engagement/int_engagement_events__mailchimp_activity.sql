{#-
  Campaign activity the sync pulled from Mailchimp's Reports API as events, before
  attribution (int_engagement_events__attributed matches subscriber_hash to a supporter):
    sent -> email_sent (only recipients Mailchimp delivered to: sent-to status sent),
    open -> email_open, click -> email_click, bounce -> email_bounce (reason hard or soft),
    unsubscribe -> unsubscribe (reason: Mailchimp's reason), abuse_report -> abuse_report.
  The campaign is its campaign key (int_campaign_references__resolved), the name CSV exports
  of the same campaign carry, so the same action from both counts once. An open within var
  proxy_open_seconds (default 60) of the campaign's send time is a privacy-proxy open, as on
  the CSV path. row_id is md5 of the pulled row's primary key, so event_id is stable.
-#}
with

activity as (

    select * from {{ ref('stg_mailchimp_sync__campaign_activity') }}
    where action in ('sent', 'open', 'click', 'bounce', 'unsubscribe', 'abuse_report')
        and coalesce(action <> 'sent' or detail = 'sent', true)

),

campaign_keys as (

    select
        campaign_id,
        campaign_key
    from {{ ref('int_campaign_references__resolved') }}
    where source_kind = 'mailchimp_api'

),

campaigns as (

    select
        campaign_id,
        sent_at
    from {{ ref('int_campaigns__matched') }}
    where campaign_id is not null

),

flagged as (

    select
        activity.*,
        campaign_keys.campaign_key,
        campaigns.sent_at as message_sent_at

    from activity
    left join campaign_keys
        on activity.campaign_id = campaign_keys.campaign_id
    left join campaigns
        on activity.campaign_id = campaigns.campaign_id

)

select
    {{ engage_surrogate_key(['campaign_id', 'subscriber_hash', 'action', 'occurred_at', "coalesce(url, '')"]) }}
        as row_id,
    subscriber_hash,
    case action
        when 'sent' then 'email_sent'
        when 'open' then 'email_open'
        when 'click' then 'email_click'
        when 'bounce' then 'email_bounce'
        else action
    end as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    coalesce(campaign_key, lower(campaign_id)) as campaign_name,
    'email' as channel,
    {{ engage_is_proxy_open("action = 'open'", 'message_sent_at', 'occurred_at') }} as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    case when action in ('bounce', 'unsubscribe') then detail end as reason,
    'mailchimp_api' as source_kind,
    cast(null as {{ dbt.type_string() }}) as file_id,
    cast(null as {{ dbt.type_string() }}) as file_path,
    cast(null as {{ dbt.type_bigint() }}) as row_number

from flagged
