{#- Accepted rows of petition exports (petitions/, e.g. Action Network reports): one row per
    signature. occurred_at is the signature time; the petition comes from a column or else the
    file name. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'petitions' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'petitions'
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- the signature
        coalesce(sheet_rows.petition_name, files.file_petition_name) as petition_name,
        sheet_rows.comments
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
)

select * from final
