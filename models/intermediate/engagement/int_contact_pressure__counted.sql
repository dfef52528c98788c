{#-
  Contact pressure: the messages each supporter received, per channel and on all channels
  together, against the caps in seed contact_caps (channel, window_days, max_messages; the
  channel `all` is the overall cap). A message is one campaign on one channel: a send, open or
  click of the same e-mail counts once, the texts of one SMS campaign once, a call that reached
  the person (or left a voicemail) once per call campaign (seed action_types counts_as_message).
  A message counts toward a cap when any of its events is 0 <= age_days <= that cap's
  window_days (an e-mail sent 9 days ago and opened yesterday was received in the window).
  Windows are inclusive throughout the project (see supporter_engagement), so a 7-day cap looks
  one day further back than "the last 7 days" would: it errs towards fewer messages. Events on a
  channel without its own row count only toward `all`.
  A supporter is over the contact cap when any channel's count, or the overall count, is more
  than its max_messages; over_cap_channels names them (e.g. `sms`, `all`, `email, all`) and
  over_cap_detail says it in words (`sms: 3 messages in the last 7 days; cap 2`).
  One row per supporter with at least one message in the longest window.
-#}
with

caps as (

    select
        channel,
        window_days,
        max_messages
    from {{ ref('contact_caps') }}

),

channel_caps as (

    select * from caps
    where channel <> 'all'

),

-- the overall cap; without an `all` row every message in the longest window counts toward
-- messages_in_window and nobody is over an overall cap
overall_cap as (

    {{ engage_overall_contact_cap('caps') }}

),

messages as (

    select
        supporter_id,
        coalesce(channel, 'email') as channel,
        message_key,
        min(occurred_at) as first_seen_at,
        min(age_days) as age_days

    from {{ ref('int_engagement_events__dated') }}
    where counts_as_message
        and age_days <= (select max(caps.window_days) from caps)
    group by supporter_id, coalesce(channel, 'email'), message_key

),

-- one row per (supporter, channel): its count in its own window and in the overall window
per_channel as (

    select
        messages.supporter_id,
        messages.channel,
        sum(case when messages.age_days <= channel_caps.window_days then 1 else 0 end) as channel_messages,
        sum(
            case when messages.age_days <= (select overall_cap.window_days from overall_cap) then 1 else 0 end
        ) as overall_messages,
        max(messages.first_seen_at) as last_message_at,
        max(channel_caps.window_days) as channel_window_days,
        max(channel_caps.max_messages) as channel_max_messages

    from messages
    left join channel_caps
        on messages.channel = channel_caps.channel
    group by messages.supporter_id, messages.channel

),

judged_channels as (

    select
        per_channel.*,
        coalesce(per_channel.channel_messages > per_channel.channel_max_messages, false) as is_over_channel_cap,
        {{ dbt.concat([
            'per_channel.channel', "': '",
            'cast(per_channel.channel_messages as ' ~ dbt.type_string() ~ ')', "' messages in the last '",
            'cast(per_channel.channel_window_days as ' ~ dbt.type_string() ~ ')', "' days; cap '",
            'cast(per_channel.channel_max_messages as ' ~ dbt.type_string() ~ ')',
        ]) }} as channel_cap_detail

    from per_channel

),

per_supporter as (

    select
        supporter_id,
        sum(overall_messages) as messages_in_window,
        sum(case when channel = 'email' then channel_messages else 0 end) as email_messages_in_window,
        sum(case when channel = 'sms' then channel_messages else 0 end) as sms_messages_in_window,
        sum(case when channel = 'call' then channel_messages else 0 end) as call_messages_in_window,
        max(last_message_at) as last_message_at,
        {{ dbt.listagg(
            "case when is_over_channel_cap then channel end", "', '", "order by channel"
        ) }} as over_channel_caps,
        {{ dbt.listagg(
            "case when is_over_channel_cap then channel_cap_detail end", "' and '", "order by channel"
        ) }} as over_channel_details

    from judged_channels
    group by supporter_id

),

final as (

    select
        per_supporter.supporter_id,
        per_supporter.messages_in_window,
        per_supporter.email_messages_in_window,
        per_supporter.sms_messages_in_window,
        per_supporter.call_messages_in_window,
        per_supporter.last_message_at,
        (select overall_cap.max_messages from overall_cap) as contact_cap,
        nullif({{ engage_concat_ws("', '", [
            'per_supporter.over_channel_caps',
            "case when per_supporter.messages_in_window > (select max_messages from overall_cap) then 'all' end",
        ]) }}, '') as over_cap_channels,
        nullif({{ engage_concat_ws("' and '", [
            'per_supporter.over_channel_details',
            "case when per_supporter.messages_in_window > (select max_messages from overall_cap) then "
                ~ dbt.concat([
                    "'all channels: '",
                    'cast(per_supporter.messages_in_window as ' ~ dbt.type_string() ~ ')',
                    "' messages in the last '",
                    'cast((select window_days from overall_cap) as ' ~ dbt.type_string() ~ ')',
                    "' days; cap '",
                    'cast((select max_messages from overall_cap) as ' ~ dbt.type_string() ~ ')',
                ]) ~ " end",
        ]) }}, '') as over_cap_detail

    from per_supporter

)

select
    final.*,
    final.over_cap_channels is not null as is_over_contact_cap

from final
