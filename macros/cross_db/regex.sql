{#-
    Regular expressions that behave the same on DuckDB (RE2) and PostgreSQL (ARE).
    Write patterns both engines accept: no lazy quantifiers, no (?i) flags (lower() first),
    bracket classes and (?:...) groups are fine. Backreferences in replacements are \1.
-#}

{% macro engage_regexp_replace(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('engage_regexp_replace', 'engage')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__engage_regexp_replace(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}


{#- true when `pattern` matches anywhere in `expr` (anchor it with ^...$ for a full match); null for null input -#}
{% macro engage_regexp_like(expr, pattern) -%}
    {{ return(adapter.dispatch('engage_regexp_like', 'engage')(expr, pattern)) }}
{%- endmacro %}

{% macro duckdb__engage_regexp_like(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__engage_regexp_like(expr, pattern) -%}
    ({{ expr }} ~ {{ pattern }})
{%- endmacro %}

{% macro default__engage_regexp_like(expr, pattern) -%}
    regexp_like({{ expr }}, {{ pattern }})
{%- endmacro %}


{#- capture group `group` (1-based) of the first match, or null when there is no match or the group did not take part -#}
{% macro engage_regexp_extract(expr, pattern, group=1) -%}
    {{ return(adapter.dispatch('engage_regexp_extract', 'engage')(expr, pattern, group)) }}
{%- endmacro %}

{% macro duckdb__engage_regexp_extract(expr, pattern, group) -%}
    nullif(regexp_extract({{ expr }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{% macro postgres__engage_regexp_extract(expr, pattern, group) -%}
    nullif((regexp_match({{ expr }}, {{ pattern }}))[{{ group }}], '')
{%- endmacro %}

{% macro default__engage_regexp_extract(expr, pattern, group) -%}
    nullif(regexp_substr({{ expr }}, {{ pattern }}, 1, 1, 'e', {{ group }}), '')
{%- endmacro %}
