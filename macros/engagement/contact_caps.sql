{#- The overall contact cap from the caps relation `caps` (seed contact_caps: channel,
    window_days, max_messages): the `all` row's window and limit; without an `all` row, the
    longest window and no limit (nobody is over an overall cap). One row. -#}
{% macro engage_overall_contact_cap(caps) -%}
    select
        coalesce(max(case when channel = 'all' then window_days end), max(window_days)) as window_days,
        max(case when channel = 'all' then max_messages end) as max_messages
    from {{ caps }}
{%- endmacro %}
