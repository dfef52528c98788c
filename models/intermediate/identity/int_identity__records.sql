{#- One row per accepted spreadsheet row: the person fields identity resolution and
    survivorship work on, with match keys (names lower-cased to letters only, postcodes
    spaceless). record_id is the row's id (md5 of file and row number). -#}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where is_accepted
),

source_priority as (
    select * from {{ ref('source_priority') }}
),

final as (
    select
        sheet_rows.row_id as record_id,
        sheet_rows.kind,
        sheet_rows.file_id,
        sheet_rows.file_path,
        sheet_rows.sheet_name,
        sheet_rows.row_number,
        sheet_rows.content_key,
        sheet_rows.occurred_at,
        coalesce(source_priority.priority, 99) as source_priority,

        sheet_rows.email,
        sheet_rows.first_name,
        sheet_rows.last_name,
        sheet_rows.phone,
        sheet_rows.postcode,
        sheet_rows.postcode_key,
        sheet_rows.country,
        sheet_rows.city,
        sheet_rows.state,
        sheet_rows.district,
        {{ engage_name_key('sheet_rows.first_name') }} as first_name_key,
        {{ engage_name_key('sheet_rows.last_name') }} as last_name_key
    from sheet_rows
    left join source_priority on source_priority.kind = sheet_rows.kind
)

select * from final
