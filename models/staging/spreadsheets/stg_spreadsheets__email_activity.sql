{{ config(materialized='table') }}
{#- Accepted rows of Mailchimp per-campaign activity exports (email_activity/): one row per
    open, click, recipient or bounce. The activity type and the campaign (and its send date)
    usually appear only in the file name, e.g. opened_2026-11-14_november-newsletter.csv. -#}
{%- set kind_columns = [
    ('activity_type', 'text'), ('url', 'text'), ('bounce_type', 'text'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'email_activity' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'email_activity'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'email_activity'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- the activity
        coalesce(
            case
                when lower(kind_values.activity_type) like 'open%' then 'open'
                when lower(kind_values.activity_type) like 'click%' then 'click'
                when lower(kind_values.activity_type) like 'sent%' or lower(kind_values.activity_type) like 'recipient%' then 'sent'
                when lower(kind_values.activity_type) like 'bounce%' then 'bounce'
                when lower(kind_values.activity_type) like 'unsub%' then 'unsubscribe'
                else lower(kind_values.activity_type)
            end,
            files.file_activity_type
        ) as activity_type,
        cast(files.file_date as date) as campaign_sent_on,
        kind_values.url,
        lower(kind_values.bounce_type) as bounce_type
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
