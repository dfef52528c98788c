{#- Money: `$30`, `30.00`, `$1,200.50`, `(15.00)` (accounting negative), `-15`, `30 USD`. -#}
{% macro engage_parse_money(expr) -%}
    {%- set t = "trim(" ~ expr ~ ")" -%}
    {%- set number = engage_regexp_replace(t, "'[^0-9.]'", "''") -%}
    case
        when {{ engage_regexp_like(t, "'[0-9]'") }} then
            {{ engage_safe_numeric(number) }}
            * case when {{ engage_regexp_like(t, "'^[^0-9]*[(].*[)][^0-9]*$|^[^0-9]*-|-$'") }} then -1 else 1 end
    end
{%- endmacro %}

{#- ISO currency from a symbol or a code written in the amount (null when none) -#}
{% macro engage_money_currency(expr) -%}
    {%- set t = "upper(trim(" ~ expr ~ "))" -%}
    case
        when {{ t }} like '%CA$%' or {{ t }} like '%C$%' then 'CAD'
        when {{ t }} like '%AU$%' or {{ t }} like '%A$%' then 'AUD'
        when {{ t }} like '%NZ$%' then 'NZD'
        when {{ t }} like '%$%' then 'USD'
        when {{ t }} like '%£%' then 'GBP'
        when {{ t }} like '%€%' then 'EUR'
        else {{ engage_regexp_extract(t, "'(?:^|[^A-Z])([A-Z]{3})(?:[^A-Z]|$)'", 1) }}
    end
{%- endmacro %}
