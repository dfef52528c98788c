{#-
    Aggregates written once for every adapter.
-#}

{#- the non-null `value` of the row with the smallest `rank` in the group (ranks are unique
    within a group, e.g. from row_number()); null when every value is null -#}
{% macro engage_value_at_min_rank(value, rank) -%}
    {{ return(adapter.dispatch('engage_value_at_min_rank', 'engage')(value, rank)) }}
{%- endmacro %}

{% macro duckdb__engage_value_at_min_rank(value, rank) -%}
    arg_min({{ value }}, {{ rank }}) filter (where {{ value }} is not null)
{%- endmacro %}

{% macro default__engage_value_at_min_rank(value, rank) -%}
    (array_agg({{ value }} order by {{ rank }}) filter (where {{ value }} is not null))[1]
{%- endmacro %}
