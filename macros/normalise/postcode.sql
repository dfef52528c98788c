{#- Postal codes: US ZIPs, UK postcodes, and every other country's format (seed postcode_formats). -#}

{#- US ZIP as 5 digits: Excel's lost leading zeros restored (2116 -> 02116; 3-digit Puerto Rico/
    Virgin Islands 601 -> 00601), ZIP+4 cut to 5, ="00971" unwrapped, 0/00000 (missing) -> null -#}
{% macro engage_us_zip(expr) -%}
    {%- set t = engage_regexp_replace(engage_unwrap_excel(expr), "'[.]0+$'", "''") -%}
    case
        when {{ engage_regexp_like(t, "'^0+$'") }} then null
        when {{ engage_regexp_like(t, "'^[0-9]{5}([ -]?[0-9]{4})?$'") }} then substr({{ t }}, 1, 5)
        when {{ engage_regexp_like(t, "'^[0-9]{4}(-[0-9]{4})?$'") }} then '0' || substr({{ t }}, 1, 4)
        when {{ engage_regexp_like(t, "'^[6-9][0-9]{2}$'") }} then '00' || {{ t }}
    end
{%- endmacro %}

{#- UK postcode upper-cased with one space before the inward code (cf564fg -> CF56 4FG), or
    null when it is not a valid UK postcode shape -#}
{% macro engage_uk_postcode(expr) -%}
    {%- set n = "upper(" ~ engage_regexp_replace(expr, "'\\s'", "''") ~ ")" -%}
    case
        when {{ engage_regexp_like(n, "'^(GIR0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2})$'") }}
            then substr({{ n }}, 1, length({{ n }}) - 3) || ' ' || substr({{ n }}, length({{ n }}) - 2)
    end
{%- endmacro %}

{#- A postcode as its country writes it, read in the row's country (docs/international.md):
    - a UK shape is recognised whatever the country (cf564fg -> CF56 4FG);
    - US: engage_us_zip (lost leading zeros restored, ZIP+4 cut; anything else is null);
    - other countries, with their format from seed postcode_formats joined on the country
      (`pattern`, `separator`, `separator_position`: SQL expressions, null when the country has
      none): the value upper-cased with spaces and hyphens removed, the separator put back
      where the country's canonical form has it (1234ab -> 1234 AB, h3z2y7 -> H3Z 2Y7,
      00950 -> 00-950), when that matches the one pattern; 4030 in Belgium stays 4030;
    - anything else is kept cleaned and upper-cased (never dropped), 0 or blank is null.
    Called with two arguments, only the UK and US rules apply. `compact`: the row's
    engage_postcode_compact, when a CTE already computed it. -#}
{% macro engage_postcode(expr, country, pattern=none, separator=none, separator_position=none, compact=none) -%}
    {%- set cleaned = engage_postcode_cleaned(expr) -%}
    {%- if pattern is not none -%}
        {%- set compact = compact if compact is not none else engage_postcode_compact(expr) -%}
        {%- set formatted -%}
            case
                when {{ separator }} not in ('space', 'hyphen') or {{ separator }} is null
                    or length({{ compact }}) <= {{ separator_position }} then {{ compact }}
                else substr({{ compact }}, 1, length({{ compact }}) - {{ separator_position }})
                    || case when {{ separator }} = 'space' then ' ' else '-' end
                    || substr({{ compact }}, length({{ compact }}) - {{ separator_position }} + 1)
            end
        {%- endset -%}
    {%- endif %}
    case
        when {{ engage_uk_postcode(expr) }} is not null then {{ engage_uk_postcode(expr) }}
        when {{ country }} = 'US' then {{ engage_us_zip(expr) }}
        {%- if pattern is not none %}
        when {{ engage_regexp_like(formatted, pattern) }} then {{ formatted }}
        {%- endif %}
        else nullif({{ cleaned }}, '')
    end
{%- endmacro %}

{#- a postcode cleaned (whitespace, Excel's ="..." and a trailing .0 removed), upper-cased;
    '' for 0 or 00000 -#}
{% macro engage_postcode_cleaned(expr) -%}
    upper({{ engage_regexp_replace(engage_regexp_replace(engage_clean_text(engage_unwrap_excel(expr)), "'^([0-9]+)[.]0+$'", "'\\1'"), "'^0+$'", "''") }})
{%- endmacro %}

{#- the cleaned postcode without spaces or hyphens, the form a country's separator is put back
    into (compute it once per row in a CTE and pass it to engage_postcode as `compact`) -#}
{% macro engage_postcode_compact(expr) -%}
    {{ engage_regexp_replace(engage_postcode_cleaned(expr), "'[ -]'", "''") }}
{%- endmacro %}

{#- the spaceless upper-case form postcodes are matched on -#}
{% macro engage_postcode_key(expr) -%}
    nullif(upper(replace({{ expr }}, ' ', '')), '')
{%- endmacro %}
