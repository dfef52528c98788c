{{ config(materialized='table') }}
{#- Accepted rows of donation exports (donations/): amounts with symbols and separators removed,
    (15.00) as -15.00, the currency from a column or the amount's symbol, refunds flagged. -#}
{%- set kind_columns = [
    ('amount', 'money'), ('currency', 'text'), ('payment_method', 'text'), ('donation_status', 'text'),
    ('refunded', 'flag'), ('is_recurring', 'flag'), ('appeal_name', 'text'), ('perk', 'text'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'donations' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'donations'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'donations'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- the donation
        kind_values.amount,
        coalesce(upper(kind_values.currency), kind_values.amount__currency) as currency,
        coalesce(
            kind_values.refunded
            or lower(kind_values.donation_status) like '%refund%'
            or kind_values.amount < 0,
            false
        ) as is_refund,
        kind_values.refunded,
        lower(kind_values.donation_status) as donation_status,
        kind_values.payment_method,
        kind_values.is_recurring,
        coalesce(kind_values.appeal_name, files.file_appeal_name) as appeal_name,
        kind_values.perk
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
