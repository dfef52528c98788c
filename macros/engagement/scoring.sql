{#-
  Scoring helpers shared by the engagement models. All are portable SQL; the one
  dialect difference (the continuous percentile aggregate) is dispatched.
-#}

{#- Half-life decay factor: 1 at age 0, 0.5 after one half-life, 0.25 after two. -#}
{% macro engage_decay(age_days, half_life_days) -%}
    power(cast(0.5 as {{ dbt.type_float() }}),
          cast({{ age_days }} as {{ dbt.type_float() }}) / nullif(cast({{ half_life_days }} as {{ dbt.type_float() }}), 0))
{%- endmacro %}

{#- Continuous (interpolated) percentile aggregate, `p` in [0, 1]. -#}
{% macro engage_percentile_cont(expr, p) -%}
    {{ return(adapter.dispatch('engage_percentile_cont', 'engage')(expr, p)) }}
{%- endmacro %}

{% macro default__engage_percentile_cont(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__engage_percentile_cont(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro %}

{#- Round to `digits` decimals on every adapter (Postgres has no round(double, int)). -#}
{% macro engage_round(expr, digits) -%}
    round(cast({{ expr }} as {{ dbt.type_numeric() }}), {{ digits }})
{%- endmacro %}

{#- Number of rows where `condition` holds, as a bigint on every adapter (DuckDB's sum of
    integers is a 128-bit integer otherwise). -#}
{% macro engage_count_if(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}
