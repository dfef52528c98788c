{#-
  E-mail activity (Mailchimp per-campaign sent-to, opened, clicked, bounced and unsubscribed
  reports) as events: email_sent, email_open, email_click, email_bounce (reason: hard or
  soft; cleaning the address is consent's business) and unsubscribe. The campaign is the
  campaign key the export resolves to (int_campaign_references__resolved), so CSV and API
  activity of one campaign carry the same name.
  An open within var proxy_open_seconds (default 60) after the message reached that
  person (their own sent-to timestamp, else the campaign's first send) is flagged as a
  privacy-proxy open: machines (Apple Mail Privacy Protection, security scanners) fetch
  the message on delivery, people do not read it within a minute.
-#}
with

campaign_keys as (

    select
        campaign_name,
        campaign_key
    from {{ ref('int_campaign_references__resolved') }}
    where source_kind = 'email_activity'

),

activity as (

    select
        exports.row_id,
        exports.file_id,
        exports.file_path,
        exports.row_number,
        exports.email,
        coalesce(campaign_keys.campaign_key, exports.campaign_name) as campaign_name,
        exports.activity_type,
        exports.bounce_type,
        coalesce(
            exports.occurred_at, cast(exports.campaign_sent_on as {{ dbt.type_timestamp() }})
        ) as occurred_at

    from {{ ref('stg_spreadsheets__email_activity') }} as exports
    left join campaign_keys
        on exports.campaign_name = campaign_keys.campaign_name
    where exports.activity_type in ('sent', 'open', 'click', 'bounce', 'unsubscribe')

),

personal_sends as (

    select
        email,
        campaign_name,
        min(occurred_at) as sent_at

    from activity
    where activity_type = 'sent'
        and email is not null
    group by email, campaign_name

),

campaign_sends as (

    select
        campaign_name,
        min(occurred_at) as sent_at

    from activity
    where activity_type = 'sent'
    group by campaign_name

),

flagged as (

    select
        activity.*,
        coalesce(personal_sends.sent_at, campaign_sends.sent_at) as message_sent_at

    from activity
    left join personal_sends
        on activity.email = personal_sends.email
            and activity.campaign_name = personal_sends.campaign_name
    left join campaign_sends
        on activity.campaign_name = campaign_sends.campaign_name

)

select
    row_id,
    case activity_type
        when 'sent' then 'email_sent'
        when 'open' then 'email_open'
        when 'click' then 'email_click'
        when 'bounce' then 'email_bounce'
        else 'unsubscribe'
    end as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    campaign_name,
    'email' as channel,
    {{ engage_is_proxy_open("activity_type = 'open'", 'message_sent_at', 'occurred_at') }} as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    case when activity_type = 'bounce' then bounce_type end as reason,
    'email_activity' as source_kind,
    file_id,
    file_path,
    row_number

from flagged
