{#- Accepted rows of Mailchimp audience exports (mailchimp_members/): one file per status, so
    member_status comes from a Status column (when it holds a Mailchimp status), else the file
    name, else the file's columns (UNSUB_TIME -> unsubscribed, CLEAN_TIME -> cleaned, else
    subscribed: base_spreadsheets__file_layouts). occurred_at is LAST_CHANGED.
    OPTIN/CONFIRM times are opt-in evidence; UNSUB/CLEAN times are opt-out evidence. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'mailchimp_members' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'mailchimp_members'
),

layouts as (
    select
        file_id,
        column_member_status
    from {{ ref('base_spreadsheets__file_layouts') }}
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- Mailchimp membership
        coalesce(
            case
                when lower(sheet_rows.member_status) in (
                        'subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional', 'archived'
                    )
                    then lower(sheet_rows.member_status)
            end,
            files.file_member_status,
            layouts.column_member_status
        ) as member_status,
        cast(sheet_rows.member_rating as {{ dbt.type_int() }}) as member_rating,
        sheet_rows.optin_at,
        sheet_rows.optin_ip,
        sheet_rows.confirm_at,
        sheet_rows.confirm_ip,
        sheet_rows.unsub_at,
        sheet_rows.unsub_reason,
        sheet_rows.unsub_reason_other,
        sheet_rows.unsub_campaign_title,
        sheet_rows.unsub_campaign_id,
        sheet_rows.clean_at,
        sheet_rows.clean_campaign_title,

        -- Mailchimp system columns (geo-IP guesses, not an address)
        upper(sheet_rows.geo_country) as geo_country,
        sheet_rows.geo_region,
        sheet_rows.timezone,
        sheet_rows.leid,
        sheet_rows.euid,
        sheet_rows.notes,
        lower(sheet_rows.email_type) as email_type
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
    left join layouts on sheet_rows.file_id = layouts.file_id
)

select * from final
