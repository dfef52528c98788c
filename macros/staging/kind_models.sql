{#- The per-kind staging models, one per kind of spreadsheet: the only way rows leave staging.
    Models that need every accepted row (identity, consent) union these with ref(), so each
    edge is in dbt's graph. A new kind's staging model is added here; the layering test
    (tests/warehouse/test_warehouse_layering.py) fails while one is missing. -#}
{% macro engage_spreadsheet_staging_models() -%}
    {{- return([
        'stg_spreadsheets__calls',
        'stg_spreadsheets__consultation_responses',
        'stg_spreadsheets__contacts',
        'stg_spreadsheets__donations',
        'stg_spreadsheets__email_activity',
        'stg_spreadsheets__event_attendees',
        'stg_spreadsheets__legislator_contacts',
        'stg_spreadsheets__mailchimp_members',
        'stg_spreadsheets__petition_signatures',
        'stg_spreadsheets__sms_messages',
        'stg_spreadsheets__story_shares',
        'stg_spreadsheets__volunteer_signups',
    ]) -}}
{%- endmacro %}
