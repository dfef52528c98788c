{{ config(materialized='table') }}
{#- Accepted rows of letters, emails and calls to legislators (legislator_contacts/): the
    channel comes from a column or else the file name (call logs); call logs have no email, so
    their callers are identified by phone or name and postcode. -#}
{%- set kind_columns = [
    ('channel', 'text'), ('target_name', 'text'), ('target_office', 'text'), ('subject', 'text'),
    ('message', 'text'), ('duration_seconds', 'integer'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'legislator_contacts' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'legislator_contacts'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'legislator_contacts'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- the contact
        coalesce(lower(kind_values.channel), files.file_channel) as channel,
        kind_values.target_name,
        kind_values.target_office,
        kind_values.subject,
        kind_values.message,
        cast(kind_values.duration_seconds as {{ dbt.type_int() }}) as duration_seconds
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
