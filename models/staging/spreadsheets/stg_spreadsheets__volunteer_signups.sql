{{ config(materialized='table') }}
{#- Accepted rows of volunteer sign-ups (volunteers/): availability, stated issues (one text
    cell, comma-joined), onboarding status, training date and shifts. -#}
{%- set kind_columns = [
    ('availability', 'text'), ('issues', 'text'), ('role', 'text'), ('onboarding_status', 'text'),
    ('shift_name', 'text'), ('shift_dates', 'text'), ('training_at', 'timestamp'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'volunteers' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'volunteers'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'volunteers'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- volunteering
        kind_values.availability,
        kind_values.issues,
        kind_values.role,
        lower(kind_values.onboarding_status) as onboarding_status,
        kind_values.training_at,
        kind_values.shift_name,
        kind_values.shift_dates
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
