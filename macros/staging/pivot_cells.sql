{#-
    Long cells -> one row per spreadsheet row with one typed column per canonical column.
    `columns` is a list of (column_name, data_type) pairs (data types as in the seed
    canonical_columns); the value is taken from the cell marked `is_chosen`. Money columns also
    get `<name>__currency` (the currency written in the amount, e.g. `$` -> USD).
    `where` restricts the cells read (e.g. "cells.kind = 'events'").
-#}
{% macro engage_pivot_cells(columns, where=none) -%}
    select
        cells.file_id,
        cells.row_number
        {%- for name, data_type in columns %},
        {{ _engage_pivot_value(name, data_type) }} as {{ name }}
        {%- if data_type == 'money' %},
        max(case when cells.is_chosen and cells.canonical_column = '{{ name }}' then cells.value_currency end) as {{ name }}__currency
        {%- endif %}
        {%- endfor %}
    from {{ ref('stg_spreadsheets__cells') }} as cells
    {%- if where %}
    where {{ where }}
    {%- endif %}
    group by cells.file_id, cells.row_number
{%- endmacro %}

{% macro _engage_pivot_value(name, data_type) -%}
    {%- set hit = "cells.is_chosen and cells.canonical_column = '" ~ name ~ "'" -%}
    {%- if data_type == 'timestamp' -%}
        max(case when {{ hit }} then cells.value_timestamp end)
    {%- elif data_type == 'flag' -%}
        {{ dbt.bool_or("case when " ~ hit ~ " then cells.value_flag end") }}
    {%- elif data_type in ('money', 'integer') -%}
        max(case when {{ hit }} then cells.value_number end)
    {%- else -%}
        max(case when {{ hit }} then cells.value_text end)
    {%- endif -%}
{%- endmacro %}
