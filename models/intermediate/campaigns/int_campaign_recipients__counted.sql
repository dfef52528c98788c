{#-
  One row per (campaign, supporter who received it), from the e-mail events on or before
  as_of (int_engagement_events__dated) of every known campaign: what the person did with it
  and how many other messages they had received just before it was sent.
    - received: any e-mail event of the campaign (sent, open, click, bounce, unsubscribe,
      spam complaint) means it was sent to them; sent_at is their own sent-to time, else the
      campaign's send time, else their first event;
    - messages_prior_7d / _30d / _cap_window: distinct messages on every channel (seed
      action_types counts_as_message; one campaign on one channel is one message: e-mails,
      texts, calls that reached the person) first seen in the 7, 30 and overall-cap window
      (seed contact_caps, channel `all`) days before sent_at, this campaign excluded;
    - is_over_contact_cap: over any cap of seed contact_caps in the days before sent_at (more
      than a channel's max_messages in its window, or than the `all` row's on every channel
      together), the rule int_contact_pressure__counted holds people out by today.
-#}
with

caps as (

    select
        channel,
        window_days,
        max_messages
    from {{ ref('contact_caps') }}

),

overall_cap as (

    {{ engage_overall_contact_cap('caps') }}

),

campaigns as (

    select
        campaign_key,
        sent_at
    from {{ ref('int_campaigns__matched') }}

),

events as (

    select * from {{ ref('int_engagement_events__dated') }}

),

campaign_events as (

    select
        events.campaign_name as campaign_key,
        events.supporter_id,
        events.action_type,
        events.occurred_at,
        events.is_proxy_open

    from events
    inner join campaigns
        on events.campaign_name = campaigns.campaign_key
    where events.channel = 'email'
        and events.action_type in (
            'email_sent', 'email_open', 'email_click', 'email_bounce', 'unsubscribe', 'abuse_report'
        )

),

per_recipient as (

    select
        campaign_key,
        supporter_id,
        min(case when action_type = 'email_sent' then occurred_at end) as own_sent_at,
        min(occurred_at) as first_event_at,
        sum(case when action_type = 'email_open' and not is_proxy_open then 1 else 0 end) > 0 as has_human_open,
        sum(case when action_type = 'email_click' then 1 else 0 end) > 0 as has_clicked,
        sum(case when action_type = 'email_bounce' then 1 else 0 end) > 0 as has_bounced,
        sum(case when action_type = 'unsubscribe' then 1 else 0 end) > 0 as has_unsubscribed,
        sum(case when action_type = 'abuse_report' then 1 else 0 end) > 0 as has_complained

    from campaign_events
    group by campaign_key, supporter_id

),

recipients as (

    select
        per_recipient.campaign_key,
        per_recipient.supporter_id,
        coalesce(per_recipient.own_sent_at, campaigns.sent_at, per_recipient.first_event_at) as sent_at,
        per_recipient.has_human_open,
        per_recipient.has_clicked,
        per_recipient.has_bounced,
        per_recipient.has_unsubscribed,
        per_recipient.has_complained

    from per_recipient
    inner join campaigns
        on per_recipient.campaign_key = campaigns.campaign_key

),

messages as (

    select
        supporter_id,
        coalesce(channel, 'email') as channel,
        message_key,
        min(occurred_at) as first_seen_at

    from events
    where counts_as_message
    group by supporter_id, coalesce(channel, 'email'), message_key

),

-- per (campaign, recipient, channel): messages before the send in each window
prior_by_channel as (

    select
        recipients.campaign_key,
        recipients.supporter_id,
        messages.channel,
        sum(case
            when messages.first_seen_at >= {{ dbt.dateadd('day', -7, 'recipients.sent_at') }} then 1 else 0
        end) as messages_prior_7d,
        sum(case
            when messages.first_seen_at >= {{ dbt.dateadd('day', -30, 'recipients.sent_at') }} then 1 else 0
        end) as messages_prior_30d,
        sum(case
            when messages.first_seen_at
                >= {{ dbt.dateadd('day', '-1 * (select window_days from overall_cap)', 'recipients.sent_at') }}
                then 1
            else 0
        end) as messages_prior_cap_window,
        sum(case
            when messages.first_seen_at
                >= {{ dbt.dateadd('day', '-1 * channel_caps.window_days', 'recipients.sent_at') }}
                then 1
            else 0
        end) as channel_messages_prior,
        max(channel_caps.max_messages) as channel_max_messages

    from recipients
    inner join messages
        on recipients.supporter_id = messages.supporter_id
            and recipients.sent_at > messages.first_seen_at
            and messages.first_seen_at
            >= {{ dbt.dateadd('day', '-1 * (select greatest(30, max(window_days)) from caps)', 'recipients.sent_at') }}
            and messages.message_key <> {{ dbt.concat(["'email:'", "recipients.campaign_key"]) }}
    left join caps as channel_caps
        on messages.channel = channel_caps.channel
            and channel_caps.channel <> 'all'
    group by recipients.campaign_key, recipients.supporter_id, messages.channel

),

prior_messages as (

    select
        campaign_key,
        supporter_id,
        sum(messages_prior_7d) as messages_prior_7d,
        sum(messages_prior_30d) as messages_prior_30d,
        sum(messages_prior_cap_window) as messages_prior_cap_window,
        max(case when channel_messages_prior > channel_max_messages then 1 else 0 end) = 1
            as is_over_channel_cap

    from prior_by_channel
    group by campaign_key, supporter_id

),

final as (

    select
        recipients.campaign_key,
        recipients.supporter_id,
        recipients.sent_at,
        coalesce(prior_messages.messages_prior_7d, 0) as messages_prior_7d,
        coalesce(prior_messages.messages_prior_30d, 0) as messages_prior_30d,
        coalesce(prior_messages.messages_prior_cap_window, 0) as messages_prior_cap_window,
        coalesce(prior_messages.is_over_channel_cap, false)
        or coalesce(
            prior_messages.messages_prior_cap_window > (select overall_cap.max_messages from overall_cap), false
        )
            as is_over_contact_cap,
        recipients.has_human_open,
        recipients.has_clicked,
        recipients.has_bounced,
        recipients.has_unsubscribed,
        recipients.has_complained

    from recipients
    left join prior_messages
        on recipients.campaign_key = prior_messages.campaign_key
            and recipients.supporter_id = prior_messages.supporter_id

)

select * from final
