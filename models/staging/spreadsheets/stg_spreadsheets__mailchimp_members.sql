{{ config(materialized='table') }}
{#- Accepted rows of Mailchimp audience exports (mailchimp_members/): one file per status, so
    member_status comes from a Status column or else the file name. occurred_at is LAST_CHANGED.
    OPTIN/CONFIRM times are opt-in evidence; UNSUB/CLEAN times are opt-out evidence. -#}
{%- set kind_columns = [
    ('member_status', 'text'), ('member_rating', 'integer'),
    ('optin_at', 'timestamp'), ('optin_ip', 'text'), ('confirm_at', 'timestamp'), ('confirm_ip', 'text'),
    ('unsub_at', 'timestamp'), ('unsub_reason', 'text'), ('unsub_campaign_title', 'text'),
    ('clean_at', 'timestamp'), ('clean_campaign_title', 'text'),
    ('geo_country', 'text'), ('geo_region', 'text'), ('timezone', 'text'),
    ('leid', 'text'), ('euid', 'text'), ('notes', 'text'), ('email_type', 'text'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'mailchimp_members' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'mailchimp_members'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'mailchimp_members'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- Mailchimp membership
        coalesce(lower(kind_values.member_status), files.file_member_status) as member_status,
        cast(kind_values.member_rating as {{ dbt.type_int() }}) as member_rating,
        kind_values.optin_at,
        kind_values.optin_ip,
        kind_values.confirm_at,
        kind_values.confirm_ip,
        kind_values.unsub_at,
        kind_values.unsub_reason,
        kind_values.unsub_campaign_title,
        kind_values.clean_at,
        kind_values.clean_campaign_title,

        -- Mailchimp system columns (geo-IP guesses, not an address)
        upper(kind_values.geo_country) as geo_country,
        kind_values.geo_region,
        kind_values.timezone,
        kind_values.leid,
        kind_values.euid,
        kind_values.notes,
        lower(kind_values.email_type) as email_type
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
