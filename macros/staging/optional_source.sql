{#-
    Selects `columns` from a source table that may not exist yet (the Mailchimp read-back
    tables are created by the sync on its first pull). When the table is missing, yields an
    empty relation with the same typed columns, so the first build works. Existence is checked
    at execution time, on every adapter.
      columns: list of (name, type) with type in string, timestamp, integer, bigint
-#}
{% macro engage_optional_source(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set found = none -%}
    {%- if execute -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- set types = {
        'string': dbt.type_string(),
        'timestamp': dbt.type_timestamp(),
        'integer': dbt.type_int(),
        'bigint': dbt.type_bigint(),
    } -%}
    {%- if found is not none %}
    select
        {%- for name, type in columns %}
        cast({{ name }} as {{ types[type] }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    select
        {%- for name, type in columns %}
        cast(null as {{ types[type] }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}
