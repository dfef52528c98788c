{#- Accepted rows of letters, emails and calls to legislators (legislator_contacts/): the
    channel comes from a column or else the file name (call logs); call logs have no email, so
    their callers are identified by phone or name and postcode. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'legislator_contacts' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'legislator_contacts'
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- the contact
        coalesce(lower(sheet_rows.channel), files.file_channel) as channel,
        sheet_rows.target_name,
        sheet_rows.target_office,
        sheet_rows.subject,
        sheet_rows.message,
        cast(sheet_rows.duration_seconds as {{ dbt.type_int() }}) as duration_seconds
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
)

select * from final
