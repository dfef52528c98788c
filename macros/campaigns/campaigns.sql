{#- The one key a campaign has in every source (docs/engagement.md §8): its name or title
    lower-cased, every run of characters other than a-z and 0-9 turned into one `-`, and `-`
    trimmed from both ends. "Bus lanes now alert", "bus-lanes-now-alert" and the file-name slug
    of opened_2026-11-18_bus-lanes-now-alert.csv all give bus-lanes-now-alert. Blank gives null. -#}
{% macro engage_campaign_key(expr) -%}
    nullif(
        {{ engage_regexp_replace(
            engage_regexp_replace("lower(" ~ expr ~ ")", "'[^a-z0-9]+'", "'-'"),
            "'^-+|-+$'", "''"
        ) }},
        ''
    )
{%- endmacro %}

{#- A Mailchimp unsubscribe reason: the person's own words (UNSUB_REASON_OTHER) when the
    reason code is OTHER or missing, else the code (NORMAL, NOSIGNUP, INAPPROPRIATE, SPAM, ...). -#}
{% macro engage_unsubscribe_reason(reason, reason_other) -%}
    case
        when nullif(trim({{ reason_other }}), '') is not null
            and coalesce(upper(trim({{ reason }})), 'OTHER') = 'OTHER'
            then trim({{ reason_other }})
        else nullif(trim({{ reason }}), '')
    end
{%- endmacro %}

{#- True for a privacy-proxy (machine) open: an open within var proxy_open_seconds (default 60)
    after the message reached the person. Never null. -#}
{% macro engage_is_proxy_open(is_open, sent_at, opened_at) -%}
    coalesce(
        {{ is_open }}
        and {{ sent_at }} is not null
        and {{ dbt.datediff(sent_at, opened_at, 'second') }}
            between 0 and {{ var('proxy_open_seconds', 60) }},
        false
    )
{%- endmacro %}
