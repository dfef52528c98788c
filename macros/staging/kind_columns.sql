{#- SQL for the canonical columns of every kind: the kind's own rows of the seed
    canonical_columns plus the `*` rows it does not override. Used by the header mapper and
    the required-column check. -#}
{% macro engage_kind_columns_sql() -%}
    select
        kinds.kind,
        columns.column_name,
        columns.data_type,
        columns.required,
        columns.description
    from {{ ref('spreadsheet_kinds') }} as kinds
    inner join {{ ref('canonical_columns') }} as columns
        on columns.kind = kinds.kind
    union all
    select
        kinds.kind,
        columns.column_name,
        columns.data_type,
        columns.required,
        columns.description
    from {{ ref('spreadsheet_kinds') }} as kinds
    inner join {{ ref('canonical_columns') }} as columns
        on columns.kind = '*'
    where not exists (
        select 1
        from {{ ref('canonical_columns') }} as own
        where own.kind = kinds.kind
            and own.column_name = columns.column_name
    )
{%- endmacro %}
