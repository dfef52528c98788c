{#- Accepted rows of text-message logs (sms_messages/): one row per message a texting tool sent
    to a supporter or received from one. The supporter is the contact's phone (or email), never
    the sending number. direction is outbound (we texted them) or inbound (their reply), read
    from Direction / isFromContact; a blank direction is outbound unless the delivery status
    says the message was received; a value we do not recognise is kept as `unknown` (counted
    as a text received, so the contact cap errs towards fewer texts).
    is_delivered: an outbound text that did not fail (failed, undelivered, error, not attempted,
    rejected, cancelled, blocked or expired texts never reached the person).
    is_opt_out_request: an inbound text whose whole content is an opt-out keyword (var
    sms_opt_out_keywords: STOP, UNSUBSCRIBE, ...), or a row the tool flags as opted out. -#}
{%- set failed_statuses =
    "('failed', 'undelivered', 'error', 'not_attempted', 'rejected', 'canceled', 'cancelled', 'blocked', 'expired')" -%}
{%- set opt_out_keywords = "('" ~ var('sms_opt_out_keywords') | join("', '") ~ "')" -%}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'sms_messages' and is_accepted
),

directed as (
    select
        sheet_rows.*,
        {{ engage_key('sheet_rows.delivery_status') }} as delivery_status_key,
        case
            when sheet_rows.direction is null
                then case when lower(sheet_rows.delivery_status) = 'received' then 'inbound' else 'outbound' end
            when {{ engage_key('sheet_rows.direction') }} in (
                    'inbound', 'incoming', 'in', 'received', 'reply', 'mo', 'true', 't', '1', 'yes', 'from_contact'
                ) or lower(sheet_rows.direction) like 'inbound%'
                then 'inbound'
            when {{ engage_key('sheet_rows.direction') }} in (
                    'outbound', 'outgoing', 'out', 'sent', 'mt', 'false', 'f', '0', 'no', 'to_contact'
                ) or lower(sheet_rows.direction) like 'outbound%'
                then 'outbound'
            else 'unknown'
        end as message_direction
    from sheet_rows
),

final as (
    select
        {{ engage_shared_columns('directed') }},

        -- the message
        directed.message_direction as direction,
        directed.message,
        directed.sender,
        lower(directed.delivery_status) as delivery_status,
        directed.opted_out,
        directed.message_direction <> 'inbound'
        and coalesce(directed.delivery_status_key not in {{ failed_statuses }}, true) as is_delivered,
        (
            directed.message_direction = 'inbound'
            and {{ engage_key('directed.message') }} in {{ opt_out_keywords }}
        ) or coalesce(directed.opted_out, false) as is_opt_out_request
    from directed
)

select * from final
