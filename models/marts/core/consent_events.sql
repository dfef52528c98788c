{#- Every consent event the warehouse knows, per supporter, published from
    int_consent_events__unioned (spreadsheets and the sync's read-back of Mailchimp). The
    effective status is on `supporters`. -#}

select * from {{ ref('int_consent_events__unioned') }}
