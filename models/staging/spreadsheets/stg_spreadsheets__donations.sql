{#- Accepted rows of donation exports (donations/): amounts with symbols and separators removed,
    (15.00) as -15.00, the currency from a column or the amount's symbol, refunds flagged. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'donations' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'donations'
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- the donation
        sheet_rows.amount,
        coalesce(upper(sheet_rows.currency), sheet_rows.amount__currency) as currency,
        coalesce(
            sheet_rows.refunded
            or sheet_rows.refunded_at is not null
            or lower(sheet_rows.donation_status) like '%refund%'
            or sheet_rows.amount < 0,
            false
        ) as is_refund,
        sheet_rows.refunded,
        sheet_rows.refunded_at,
        lower(sheet_rows.donation_status) as donation_status,
        sheet_rows.payment_method,
        sheet_rows.is_recurring,
        coalesce(sheet_rows.appeal_name, files.file_appeal_name) as appeal_name,
        sheet_rows.perk
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
)

select * from final
