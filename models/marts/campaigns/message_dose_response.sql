{#-
  The cost of over-messaging (docs/engagement.md §8): every campaign send to a supporter,
  bucketed by how many other messages that person had received in the 7 (and, separately,
  30) days before it was sent, with the unsubscribe and spam-complaint rates of each bucket.
  Counts at or above var dose_response_max_messages_7d / _30d share the last bucket ("6+").
  Rates that climb with the bucket are the price of the extra messages: the first bucket
  where they clearly rise is where the caps of seed contact_caps belong.
-#}
{%- set max_7d = var('dose_response_max_messages_7d', 6) -%}
{%- set max_30d = var('dose_response_max_messages_30d', 12) -%}
with

recipients as (

    select * from {{ ref('int_campaign_recipients__counted') }}

),

doses as (

    select
        7 as window_days,
        case when messages_prior_7d >= {{ max_7d }} then {{ max_7d }} else messages_prior_7d end as messages_before,
        messages_prior_7d >= {{ max_7d }} as is_open_ended,
        has_unsubscribed,
        has_complained

    from recipients

    union all

    select
        30 as window_days,
        case when messages_prior_30d >= {{ max_30d }} then {{ max_30d }} else messages_prior_30d end as messages_before,
        messages_prior_30d >= {{ max_30d }} as is_open_ended,
        has_unsubscribed,
        has_complained

    from recipients

),

bucketed as (

    select
        window_days,
        messages_before,
        max(case when is_open_ended then 1 else 0 end) = 1 as is_open_ended,
        count(*) as recipients,
        sum(case when has_unsubscribed then 1 else 0 end) as unsubscribes,
        sum(case when has_complained then 1 else 0 end) as complaints

    from doses
    group by window_days, messages_before

)

select
    window_days,
    messages_before,
    case
        when is_open_ended then {{ dbt.concat(["cast(messages_before as " ~ dbt.type_string() ~ ")", "'+'"]) }}
        else cast(messages_before as {{ dbt.type_string() }})
    end as messages_before_bucket,
    recipients,
    unsubscribes,
    complaints,
    1.0 * unsubscribes / nullif(recipients, 0) as unsubscribe_rate,
    1.0 * complaints / nullif(recipients, 0) as complaint_rate

from bucketed
