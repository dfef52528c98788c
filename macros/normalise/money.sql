{#- Money: `$30`, `30.00`, `$1,200.50`, `(15.00)` (accounting negative), `-15`, `30 USD`.
    `decimal_separator` (a SQL expression: 'comma' or 'dot'; the file's, see
    base_spreadsheets__decimal_separators) says how the number is written: with 'comma',
    `1.234,56` is 1234.56 and `12,5` is 12.5 (dots and spaces group thousands); with 'dot',
    `1,234.56` is 1234.56 and a comma must group thousands (`12,5` is not a number: null, so
    it is counted as unparsed, never read as 125). Without it, commas are dropped as before. -#}
{% macro engage_parse_money(expr, decimal_separator=none) -%}
    {%- set t = "trim(" ~ expr ~ ")" -%}
    {%- if decimal_separator is none -%}
        {%- set number = engage_regexp_replace(t, "'[^0-9.]'", "''") -%}
    {%- else -%}
        {%- set number -%}
            case
                when {{ decimal_separator }} = 'comma'
                    then replace({{ engage_regexp_replace(t, "'[^0-9,]'", "''") }}, ',', '.')
                when {{ engage_regexp_like(t, "'[0-9],([0-9]{0,2}|[0-9]{4,})([^0-9]|$)'") }} then null
                else {{ engage_regexp_replace(t, "'[^0-9.]'", "''") }}
            end
        {%- endset -%}
    {%- endif -%}
    case
        when {{ engage_regexp_like(t, "'[0-9]'") }} then
            {{ engage_safe_numeric(number) }}
            * case when {{ engage_regexp_like(t, "'^[^0-9]*[(].*[)][^0-9]*$|^[^0-9]*-|-$'") }} then -1 else 1 end
    end
{%- endmacro %}

{#- What one amount says about its file's decimal separator: 'comma' (`12,5`, `1.234,56`,
    `1.234.567`), 'dot' (`12.5`, `1,234.56`, `1,234,567`), 'either' (one separator followed by
    exactly three digits: `1,234` or `1.234`), else null (no separator). A file and column is
    read with the separator its values show, when they show only one
    (base_spreadsheets__decimal_separators). -#}
{% macro engage_decimal_separator_hint(expr) -%}
    {%- set n = engage_regexp_replace(expr, "'[^0-9.,]'", "''") -%}
    case
        when {{ expr }} not like '%,%' and {{ expr }} not like '%.%' then null
        when {{ engage_regexp_like(n, "'^[0-9]{1,3}([.][0-9]{3})+,[0-9]+$|^[0-9]*,([0-9]{1,2}|[0-9]{4,})$|^[0-9]{1,3}([.][0-9]{3}){2,}$'") }} then 'comma'
        when {{ engage_regexp_like(n, "'^[0-9]{1,3}(,[0-9]{3})+[.][0-9]+$|^[0-9]*[.]([0-9]{1,2}|[0-9]{4,})$|^[0-9]{1,3}(,[0-9]{3}){2,}$'") }} then 'dot'
        when {{ engage_regexp_like(n, "'^[0-9]{1,3}[.,][0-9]{3}$'") }} then 'either'
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
