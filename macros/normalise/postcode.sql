{#- Postal codes: US ZIPs, UK postcodes, and a dispatcher by country. -#}

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

{#- UK shapes are recognised whatever the country; US rules apply when the country is US;
    anything else is kept cleaned and upper-cased -#}
{% macro engage_postcode(expr, country) -%}
    case
        when {{ engage_uk_postcode(expr) }} is not null then {{ engage_uk_postcode(expr) }}
        when {{ country }} = 'US' then {{ engage_us_zip(expr) }}
        else nullif(upper({{ engage_regexp_replace(engage_clean_text(engage_unwrap_excel(expr)), "'^0+$'", "''") }}), '')
    end
{%- endmacro %}

{#- the spaceless upper-case form postcodes are matched on -#}
{% macro engage_postcode_key(expr) -%}
    nullif(upper(replace({{ expr }}, ' ', '')), '')
{%- endmacro %}
