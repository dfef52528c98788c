{#- An 8-byte float on every adapter: `double precision` in DuckDB and PostgreSQL, `double` in
    Spark. (dbt.type_float() is `float`, 4 bytes in DuckDB.) -#}
{% macro engage_type_double() -%}
    {{ return(adapter.dispatch('engage_type_double', 'engage')()) }}
{%- endmacro %}

{% macro default__engage_type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__engage_type_double() -%}
    double
{%- endmacro %}
