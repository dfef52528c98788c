{#- Text messages (sms_messages/) as events on the sms channel:
      sms_received  a text the organisation sent that reached the supporter (is_delivered;
                    failed or undelivered texts are no event, they stay in staging); counts
                    toward the SMS contact cap (seed action_types counts_as_message)
      sms_opt_out   an inbound STOP (or the tool's opt-out flag): consent for texts only, see
                    int_consent__spreadsheet_events; never an e-mail unsubscribe
      sms_reply     any other inbound text
    The campaign is the export's campaign column, else the file name; texts of one campaign
    count as one message, as e-mails do. -#}
with

texts as (
    select * from {{ ref('stg_spreadsheets__sms_messages') }}
),

typed as (
    select
        texts.*,
        case
            when texts.is_opt_out_request then 'sms_opt_out'
            when texts.direction = 'inbound' then 'sms_reply'
            when texts.is_delivered then 'sms_received'
        end as sms_action_type
    from texts
)

select
    row_id,
    sms_action_type as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    campaign_name,
    'sms' as channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    case when sms_action_type = 'sms_opt_out' then 'sms_stop' end as reason,
    'sms_messages' as source_kind,
    file_id,
    file_path,
    row_number

from typed
where sms_action_type is not null
