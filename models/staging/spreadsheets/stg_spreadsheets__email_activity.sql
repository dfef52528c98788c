{#- Accepted rows of Mailchimp per-campaign activity exports (email_activity/): one row per
    open, click, recipient or bounce. The activity type and the campaign (and its send date)
    usually appear only in the file name, e.g. opened_2026-11-14_november-newsletter.csv. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'email_activity' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'email_activity'
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- the activity
        coalesce(
            case
                when lower(sheet_rows.activity_type) like 'open%' then 'open'
                when lower(sheet_rows.activity_type) like 'click%' then 'click'
                when
                    lower(sheet_rows.activity_type) like 'sent%' or lower(sheet_rows.activity_type) like 'recipient%'
                    then 'sent'
                when lower(sheet_rows.activity_type) like 'bounce%' then 'bounce'
                when lower(sheet_rows.activity_type) like 'unsub%' then 'unsubscribe'
                else lower(sheet_rows.activity_type)
            end,
            files.file_activity_type
        ) as activity_type,
        cast(files.file_date as date) as campaign_sent_on,
        sheet_rows.url,
        lower(sheet_rows.bounce_type) as bounce_type
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
)

select * from final
