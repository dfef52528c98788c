{#-
  E-mail activity (Mailchimp per-campaign sent-to, opened and clicked reports) as events:
  email_sent, email_open, email_click and unsubscribe (bounces are consent's business).
  An open within var proxy_open_seconds (default 60) after the message reached that
  person (their own sent-to timestamp, else the campaign's first send) is flagged as a
  privacy-proxy open: machines (Apple Mail Privacy Protection, security scanners) fetch
  the message on delivery, people do not read it within a minute.
-#}
with

activity as (

    select
        row_id,
        file_id,
        file_path,
        row_number,
        email,
        campaign_name,
        activity_type,
        coalesce(occurred_at, cast(campaign_sent_on as {{ dbt.type_timestamp() }})) as occurred_at

    from {{ ref('stg_spreadsheets__email_activity') }}
    where activity_type in ('sent', 'open', 'click', 'unsubscribe')

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
        else 'unsubscribe'
    end as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    campaign_name,
    'email' as channel,
    coalesce(
        activity_type = 'open'
        and message_sent_at is not null
        and {{ dbt.datediff('message_sent_at', 'occurred_at', 'second') }}
            between 0 and {{ var('proxy_open_seconds', 60) }},
        false
    ) as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    'email_activity' as source_kind,
    file_id,
    file_path,
    row_number

from flagged
