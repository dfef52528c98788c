{{ config(materialized='table') }}
{#- One row per non-blank cell, with its header's canonical column and the value parsed once
    by the column's data type (timestamps, yes/no flags, numbers and money). When a file has
    two headers for one canonical column, `is_chosen` marks the cell to use for each row: the
    best alias priority, then the leftmost column with a value. Emails, names, phones and
    postcodes are normalised per row in stg_spreadsheets__rows, where the row's country is
    known. -#}

with

source as (
    select * from {{ source('spreadsheets', 'raw_cells') }}
),

headers as (
    select * from {{ ref('stg_spreadsheets__headers') }}
),

files as (
    select file_id, day_first from {{ ref('stg_spreadsheets__files') }}
),

cells as (
    select
        source.file_id,
        headers.kind,
        cast(source.row_number as {{ dbt.type_bigint() }}) as row_number,
        cast(source.column_position as {{ dbt.type_bigint() }}) as column_position,
        headers.header_key,
        headers.canonical_column,
        headers.data_type,
        headers.alias_priority,
        files.day_first,
        source.value
    from source
    inner join headers
        on headers.file_id = source.file_id
        and headers.column_position = cast(source.column_position as {{ dbt.type_bigint() }})
    inner join files on files.file_id = source.file_id
),

ranked as (
    select
        *,
        case
            when canonical_column is not null
                then row_number() over (
                    partition by file_id, row_number, canonical_column
                    order by alias_priority, column_position
                )
        end as rank_in_row
    from cells
),

final as (
    select
        file_id,
        kind,
        row_number,
        column_position,
        header_key,
        canonical_column,
        data_type,
        coalesce(rank_in_row = 1, false) as is_chosen,
        value,
        case
            when data_type in ('text', 'country')
                then {{ engage_clean_text('value') }}
            when data_type in ('email', 'name', 'phone', 'postcode')
                then value
        end as value_text,
        case
            when data_type = 'timestamp'
                then {{ engage_parse_timestamp('value', 'day_first') }}
        end as value_timestamp,
        case
            when data_type = 'flag' then {{ engage_parse_flag('value') }}
        end as value_flag,
        case
            when data_type = 'money' then {{ engage_parse_money('value') }}
            when data_type = 'integer' then {{ engage_safe_integer('value') }}
        end as value_number,
        case
            when data_type = 'money' then {{ engage_money_currency('value') }}
        end as value_currency
    from ranked
)

select * from final
