{#- One row per file and money column it has: how its amounts write decimals, `comma`
    (1.234,56) or `dot` (1,234.56). A separator configured in seeds/file_settings.csv wins;
    else the one the column's values show, when they show only one (macro
    engage_decimal_separator_hint); else `dot`, and `ambiguous` when the values show both or
    only shapes like 1,234 that read either way (a dbt test warns with the fix). One aggregate
    over the money columns only (no row text, no other column). -#}
{%- set column_types = engage_canonical_column_types(ref('canonical_columns')) -%}
{%- set money_columns = [] -%}
{%- for name, data_type in column_types if data_type == 'money' -%}
    {%- do money_columns.append(name) -%}
{%- endfor -%}

with

files as (
    select * from {{ ref('base_spreadsheets__files') }}
),

headers as (
    select * from {{ ref('base_spreadsheets__headers') }}
),

-- the money columns each file has
-- read in the money columns' loop
file_columns as (  -- noqa: ST03
    select distinct
        file_id,
        canonical_column as column_name
    from headers
    where canonical_column in ('{{ money_columns | join("', '") }}')
),

money_rows as (
    {{ engage_wide_rows(
        source('spreadsheets', 'raw_rows'),
        ref('base_spreadsheets__headers'),
        money_columns,
        with_row_text=false
    ) }}
),

hints as (
    -- one target while dbt parses, one per money column in a run
    select  -- noqa: LT09
        file_id
    {%- for name in money_columns %},
        {{ engage_decimal_separator_hint(name) }} as {{ name }}__hint
        {%- endfor %}
    from money_rows
),

-- per file: how many values of each column show a comma decimal, a dot decimal, or either
-- (read in the money columns' loop)
counts as (  -- noqa: ST03
    -- one target while dbt parses, one per money column in a run
    select  -- noqa: LT09
        file_id
    {%- for name in money_columns %},
        sum(case when {{ name }}__hint = 'comma' then 1 else 0 end) as {{ name }}__comma_values,
        sum(case when {{ name }}__hint = 'dot' then 1 else 0 end) as {{ name }}__dot_values,
        sum(case when {{ name }}__hint = 'either' then 1 else 0 end) as {{ name }}__either_values
        {%- endfor %}
    from hints
    group by file_id
),

-- one row per file and money column
column_counts as (
    {%- for name in money_columns %}
    select
        file_columns.file_id,
        file_columns.column_name,
        coalesce(counts.{{ name }}__comma_values, 0) as comma_values,
        coalesce(counts.{{ name }}__dot_values, 0) as dot_values,
        coalesce(counts.{{ name }}__either_values, 0) as either_values
    from file_columns
    left join counts on counts.file_id = file_columns.file_id
    where file_columns.column_name = '{{ name }}'
    {{ "union all" if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as file_id,
        cast(null as {{ dbt.type_string() }}) as column_name,
        0 as comma_values,
        0 as dot_values,
        0 as either_values
    where 1 = 0
    {%- endfor %}
),

judged as (
    select
        column_counts.*,
        files.file_path,
        files.settings_decimal_separator,
        case
            when files.settings_decimal_separator is not null then 'configured'
            when column_counts.comma_values > 0 and column_counts.dot_values = 0 then 'detected'
            when column_counts.dot_values > 0 and column_counts.comma_values = 0 then 'detected'
            when column_counts.comma_values > 0 or column_counts.either_values > 0 then 'ambiguous'
            else 'default'
        end as separator_source
    from column_counts
    inner join files on column_counts.file_id = files.file_id
),

final as (
    select
        file_id,
        file_path,
        column_name,
        case
            when separator_source = 'configured' then settings_decimal_separator
            when separator_source = 'detected' and comma_values > 0 then 'comma'
            else 'dot'
        end as decimal_separator,
        separator_source,
        comma_values,
        dot_values,
        either_values
    from judged
)

select * from final
