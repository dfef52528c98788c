{#- Every consent event the warehouse knows, per supporter: from the spreadsheets (Mailchimp
    audience exports, subscription status columns, suppression flags, consent answers) and from
    what the sync read back from Mailchimp. Decided on in int_consent__email_status and
    published as the mart consent_events. -#}

with

spreadsheet_events as (
    select * from {{ ref('int_consent__spreadsheet_events') }}
),

sync_events as (
    select * from {{ ref('int_consent__sync_events') }}
),

final as (
    select * from spreadsheet_events
    union all
    select * from sync_events
)

select * from final
