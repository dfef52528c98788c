{#- Accepted rows of consultation response sheets (consultations/, UK day-first dates): the
    consultation comes from a column or else the file name. contact_consent is consent to be
    contacted about this consultation only, not a newsletter opt-in. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'consultations' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'consultations'
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- the response (free-text answers are personal data: never synced)
        coalesce(sheet_rows.consultation_name, files.file_consultation_name) as consultation_name,
        sheet_rows.answer_1,
        sheet_rows.answer_2,
        sheet_rows.answer_3,
        sheet_rows.answer_4,
        sheet_rows.answer_5,
        sheet_rows.contact_consent
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
)

select * from final
