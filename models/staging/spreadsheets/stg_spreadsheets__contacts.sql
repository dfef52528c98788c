{#- Accepted rows of sign-up lists and CRM exports (contacts/): the columns every kind shares
    (person, place, consent as written, subscription status in the exporting system). -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'contacts' and is_accepted
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }}
    from sheet_rows
)

select * from final
