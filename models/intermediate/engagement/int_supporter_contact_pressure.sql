{#-
  Contact pressure: how many distinct messages each supporter received with
  0 <= age_days <= `contact_cap_window_days` (default 7), across every channel in the data.
  Windows are inclusive throughout the project (see supporter_engagement), so the cap looks
  one day further back than "the last 7 days" would: it errs towards fewer emails. A message is one campaign on one channel: a send, open or click of
  the same campaign counts once (opens and clicks prove receipt when the send report is
  missing). Only supporters with at least one message appear.
-#}
with

messages as (

    select
        supporter_id,
        coalesce(channel, 'email') as channel,
        message_key,
        min(occurred_at) as first_seen_at

    from {{ ref('int_engagement_events_dated') }}
    where counts_as_message
        and age_days <= {{ var('contact_cap_window_days', 7) }}
    group by supporter_id, coalesce(channel, 'email'), message_key

),

per_supporter as (

    select
        supporter_id,
        count(*) as messages_in_window,
        max(first_seen_at) as last_message_at

    from messages
    group by supporter_id

)

select
    supporter_id,
    messages_in_window,
    last_message_at,
    {{ var('contact_cap_per_7d', 3) }} as contact_cap,
    messages_in_window > {{ var('contact_cap_per_7d', 3) }} as is_over_contact_cap

from per_supporter
