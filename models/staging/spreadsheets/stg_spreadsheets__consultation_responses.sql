{{ config(materialized='table') }}
{#- Accepted rows of consultation response sheets (consultations/, UK day-first dates): the
    consultation comes from a column or else the file name. contact_consent is consent to be
    contacted about this consultation only, not a newsletter opt-in. -#}
{%- set kind_columns = [
    ('consultation_name', 'text'), ('answer_1', 'text'), ('answer_2', 'text'), ('answer_3', 'text'),
    ('answer_4', 'text'), ('answer_5', 'text'), ('contact_consent', 'flag'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'consultations' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'consultations'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'consultations'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- the response (free-text answers are personal data: never synced)
        coalesce(kind_values.consultation_name, files.file_consultation_name) as consultation_name,
        kind_values.answer_1,
        kind_values.answer_2,
        kind_values.answer_3,
        kind_values.answer_4,
        kind_values.answer_5,
        kind_values.contact_consent
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
