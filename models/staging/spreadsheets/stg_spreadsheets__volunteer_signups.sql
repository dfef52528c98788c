{#- Accepted rows of volunteer sign-ups (volunteers/): availability, stated issues (one text
    cell, comma-joined), onboarding status, training date and shifts. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'volunteers' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'volunteers'
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- volunteering
        sheet_rows.availability,
        sheet_rows.issues,
        sheet_rows.role,
        lower(sheet_rows.onboarding_status) as onboarding_status,
        sheet_rows.training_at,
        sheet_rows.shift_name,
        sheet_rows.shift_dates
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
)

select * from final
