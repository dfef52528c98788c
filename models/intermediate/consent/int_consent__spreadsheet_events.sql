{#- Consent events found in the spreadsheets, one per (row, channel, status):
      Mailchimp audience exports   subscribed (evidenced by OPTIN_TIME / CONFIRM_TIME, else a
                                   claim), unsubscribed at UNSUB_TIME, cleaned at CLEAN_TIME
      subscription status columns  Action Network can2_subscription_status (email) and
                                   can2_sms_status (sms), dated by can2_subscription_date; a
                                   "subscribed" there is another system's state: a claim,
                                   unless the file is listed in the seed
                                   consent_opt_in_sources (systems where people subscribe
                                   themselves, by default Action Network petition and contacts
                                   exports) and the row dates it: then it is a fresh,
                                   evidenced opt-in (evidence self_service_opt_in)
      suppression flags            e.g. Brevo EMAIL_BLACKLISTED
      consent answers              a form's yes (evidence only when the row records when it was
                                   given: a consent timestamp or the submission time; an undated
                                   "Yes" is a claim) or no (declined, which changes nothing)
      text and call opt-outs       an inbound STOP (or a texting tool's opt-out flag) is an
                                   unsubscribe on channel sms; a "do not call" call result one on
                                   channel call. Neither touches e-mail consent (a person may stop
                                   texts and still want e-mails); they are read from the two
                                   staging models directly, not from sheet_rows, so message logs
                                   do not widen it
    Opt-outs count whether dated or not.
    Grain: one row per (row, channel, status, evidence). -#}
{%- set staging_models = engage_spreadsheet_staging_models() -%}
{%- set subscribed_values = "('subscribed', 'subscribe', 'opted_in', 'opted in', 'opt-in', 'active', 'yes')" -%}
{%- set unsubscribed_values = "('unsubscribed', 'unsubscribe', 'opted_out', 'opted out', 'opt-out', 'no')" -%}
{%- set cleaned_values = "('cleaned', 'bouncing', 'bounced', 'bounce')" -%}
{%- set suppressed_values =
    "('spam', 'spam complaint', 'spam_complaint', 'complained', 'blocked', 'blacklisted', 'suppressed')" -%}

with

-- only the rows that say something about consent, and only the columns read here, from each
-- kind's staging model: this CTE is read several times, and a wide copy of every row would
-- cost more than the rest of the model
sheet_rows as (
    {%- for staging_model in staging_models %}
    select
        row_id,
        file_id,
        file_path,
        sheet_name,
        row_number,
        kind,
        email,
        occurred_at,
        subscription_status,
        subscription_at,
        sms_status,
        email_suppressed,
        email_opt_in,
        email_opt_in_at
    from {{ ref(staging_model) }}
    where kind = 'mailchimp_members'
        or subscription_status is not null
        or sms_status is not null
        or email_suppressed
        or email_opt_in is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

members as (
    select * from {{ ref('stg_spreadsheets__mailchimp_members') }}
),

record_supporters as (
    select * from {{ ref('int_identity__record_supporters') }}
),

opt_in_sources as (
    select * from {{ ref('consent_opt_in_sources') }}
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where subscription_status_header is not null
),

-- files from a system where people subscribe themselves (seed consent_opt_in_sources)
self_service_files as (
    select distinct files.file_id
    from files
    inner join opt_in_sources
        on (files.kind = opt_in_sources.kind or opt_in_sources.kind = '*')
            and files.file_path like opt_in_sources.path_like
            and files.subscription_status_header = opt_in_sources.status_header
),

mailchimp_export_events as (
    select
        row_id,
        'email' as channel,
        member_status as status,
        case member_status
            when 'subscribed' then coalesce(confirm_at, optin_at, occurred_at)
            when 'unsubscribed' then coalesce(unsub_at, occurred_at)
            when 'cleaned' then coalesce(clean_at, occurred_at)
        end as occurred_at,
        case
            when member_status = 'subscribed' and confirm_at is not null then 'mailchimp_confirm_time'
            when member_status = 'subscribed' and optin_at is not null then 'mailchimp_optin_time'
            when member_status = 'unsubscribed' and unsub_at is not null then 'mailchimp_unsub_time'
            when member_status = 'cleaned' and clean_at is not null then 'mailchimp_clean_time'
            else 'mailchimp_export_status'
        end as evidence,
        case member_status
            when 'unsubscribed' then {{ engage_unsubscribe_reason('unsub_reason', 'unsub_reason_other') }}
            when 'cleaned' then clean_campaign_title
        end as detail
    from members
    where member_status in ('subscribed', 'unsubscribed', 'cleaned')
),

status_columns as (
    select
        sheet_rows.row_id,
        'email' as channel,
        sheet_rows.subscription_status as raw_status,
        sheet_rows.subscription_at as occurred_at,
        self_service_files.file_id is not null as is_self_service
    from sheet_rows
    left join self_service_files on sheet_rows.file_id = self_service_files.file_id
    where sheet_rows.subscription_status is not null and sheet_rows.kind <> 'mailchimp_members'
    union all
    select
        row_id,
        'sms' as channel,
        sms_status,
        subscription_at,
        false as is_self_service
    from sheet_rows
    where sms_status is not null
),

status_column_statuses as (
    select
        row_id,
        channel,
        case
            when raw_status in {{ subscribed_values }} then 'subscribed'
            when raw_status in {{ unsubscribed_values }} then 'unsubscribed'
            when raw_status in {{ cleaned_values }} then 'cleaned'
            when raw_status in {{ suppressed_values }} then 'suppressed'
        end as status,
        occurred_at,
        is_self_service,
        raw_status
    from status_columns
),

status_column_events as (
    select
        row_id,
        channel,
        status,
        occurred_at,
        case
            when occurred_at is null then 'export_status_undated'
            when status = 'subscribed' and is_self_service then 'self_service_opt_in'
            else 'export_status_dated'
        end as evidence,
        raw_status as detail
    from status_column_statuses
),

suppression_events as (
    select
        row_id,
        'email' as channel,
        'suppressed' as status,
        occurred_at,
        'export_suppression_flag' as evidence,
        cast(null as {{ dbt.type_string() }}) as detail
    from sheet_rows
    where email_suppressed
),

answer_events as (
    select
        row_id,
        'email' as channel,
        case when email_opt_in then 'subscribed' else 'declined' end as status,
        coalesce(email_opt_in_at, occurred_at) as occurred_at,
        case
            when not email_opt_in then 'form_answer_no'
            when email_opt_in_at is not null then 'form_consent_timestamp'
            when occurred_at is not null then 'form_submission_timestamp'
            else 'sheet_yes_undated'
        end as evidence,
        cast(null as {{ dbt.type_string() }}) as detail
    from sheet_rows
    where email_opt_in is not null and kind <> 'mailchimp_members'
),

unioned as (
    select * from mailchimp_export_events
    union all
    select * from status_column_events
    where status is not null
    union all
    select * from suppression_events
    union all
    select * from answer_events
),

final as (
    select
        {{ engage_surrogate_key(['unioned.row_id', 'unioned.channel', 'unioned.status', 'unioned.evidence']) }}
            as consent_event_id,
        record_supporters.supporter_id,
        sheet_rows.email,
        unioned.channel,
        unioned.status,
        unioned.occurred_at,
        case
            when unioned.status = 'subscribed'
                then unioned.evidence in (
                        'mailchimp_confirm_time', 'mailchimp_optin_time',
                        'form_consent_timestamp', 'form_submission_timestamp',
                        'self_service_opt_in'
                    )
            else unioned.occurred_at is not null
        end as is_evidenced,
        unioned.evidence,
        case when sheet_rows.kind = 'mailchimp_members' then 'mailchimp_export' else 'spreadsheet' end as source_type,
        sheet_rows.kind as source_kind,
        sheet_rows.file_id,
        sheet_rows.file_path,
        sheet_rows.sheet_name,
        sheet_rows.row_number,
        cast(null as {{ dbt.type_string() }}) as audience_id,
        unioned.detail
    from unioned
    inner join sheet_rows on unioned.row_id = sheet_rows.row_id
    inner join record_supporters on unioned.row_id = record_supporters.record_id
),

channel_opt_outs as (
    select
        row_id,
        email,
        file_id,
        file_path,
        sheet_name,
        row_number,
        'sms_messages' as source_kind,
        'sms' as channel,
        occurred_at,
        case when opted_out then 'sms_tool_opt_out_flag' else 'sms_stop_reply' end as evidence,
        cast(null as {{ dbt.type_string() }}) as detail
    from {{ ref('stg_spreadsheets__sms_messages') }}
    where is_opt_out_request
    union all
    select
        row_id,
        email,
        file_id,
        file_path,
        sheet_name,
        row_number,
        'calls' as source_kind,
        'call' as channel,
        occurred_at,
        'call_result_do_not_call' as evidence,
        call_result as detail
    from {{ ref('stg_spreadsheets__calls') }}
    where call_outcome = 'do_not_call'
),

channel_final as (
    select
        {{ engage_surrogate_key([
            'channel_opt_outs.row_id', 'channel_opt_outs.channel', "'unsubscribed'", 'channel_opt_outs.evidence'
        ]) }}
            as consent_event_id,
        record_supporters.supporter_id,
        channel_opt_outs.email,
        channel_opt_outs.channel,
        'unsubscribed' as status,
        channel_opt_outs.occurred_at,
        channel_opt_outs.occurred_at is not null as is_evidenced,
        channel_opt_outs.evidence,
        'spreadsheet' as source_type,
        channel_opt_outs.source_kind,
        channel_opt_outs.file_id,
        channel_opt_outs.file_path,
        channel_opt_outs.sheet_name,
        channel_opt_outs.row_number,
        cast(null as {{ dbt.type_string() }}) as audience_id,
        channel_opt_outs.detail
    from channel_opt_outs
    inner join record_supporters on channel_opt_outs.row_id = record_supporters.record_id
)

select * from final
union all
select * from channel_final
