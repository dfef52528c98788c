{#-
    Safe casts written once for every adapter: the text is checked with a regular expression
    first, so a bad value becomes null instead of failing the build (Postgres has no try_cast).
-#}

{% macro engage_safe_integer(expr) -%}
    case
        when {{ engage_regexp_like("trim(" ~ expr ~ ")", "'^[+-]?[0-9]{1,15}$'") }}
            then cast(trim({{ expr }}) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}

{% macro engage_safe_numeric(expr) -%}
    case
        when {{ engage_regexp_like("trim(" ~ expr ~ ")", "'^[+-]?([0-9]{1,18}([.][0-9]{0,6})?|[.][0-9]{1,6})$'") }}
            then cast(trim({{ expr }}) as {{ dbt.type_numeric() }})
    end
{%- endmacro %}

{#- a timestamp from integer parts; the caller validates the parts (see engage_parse_timestamp) -#}
{% macro engage_make_timestamp(year, month, day, hour, minute, second) -%}
    {{ return(adapter.dispatch('engage_make_timestamp', 'engage')(year, month, day, hour, minute, second)) }}
{%- endmacro %}

{% macro default__engage_make_timestamp(year, month, day, hour, minute, second) -%}
    make_timestamp(
        cast({{ year }} as integer), cast({{ month }} as integer), cast({{ day }} as integer),
        cast({{ hour }} as integer), cast({{ minute }} as integer), cast({{ second }} as {{ dbt.type_float() }})
    )
{%- endmacro %}

{#- the non-null SQL expressions `exprs` joined with `separator` (a SQL expression); nulls are
    skipped (dbt.concat would make the whole result null) -#}
{% macro engage_concat_ws(separator, exprs) -%}
    {{ return(adapter.dispatch('engage_concat_ws', 'engage')(separator, exprs)) }}
{%- endmacro %}

{% macro default__engage_concat_ws(separator, exprs) -%}
    concat_ws({{ separator }}, {{ exprs | join(', ') }})
{%- endmacro %}
