{{ config(materialized='table') }}
{#- Accepted rows of petition exports (petitions/, e.g. Action Network reports): one row per
    signature. occurred_at is the signature time; the petition comes from a column or else the
    file name. -#}
{%- set kind_columns = [
    ('petition_name', 'text'), ('comments', 'text'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'petitions' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'petitions'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'petitions'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- the signature
        coalesce(kind_values.petition_name, files.file_petition_name) as petition_name,
        kind_values.comments
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
