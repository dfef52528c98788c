{#- Calls (calls/) as events on the call channel, by the result's outcome (seed call_results,
    classified in stg_spreadsheets__calls):
      call_received  the call reached the person or left a voicemail (counts_as_contact, also
                     true for results the seed does not list); counts toward the call contact cap
      call_opt_out   do not call: consent for calls only, never an e-mail unsubscribe
      call_attempt   not reached (no answer, busy, wrong number...): recorded, never counted
    reason is the outcome (reached, message_left, not_reached, bad_number, unknown...). -#}
with

calls as (
    select * from {{ ref('stg_spreadsheets__calls') }}
)

select
    row_id,
    case
        when call_outcome = 'do_not_call' then 'call_opt_out'
        when counts_as_contact then 'call_received'
        else 'call_attempt'
    end as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    campaign_name,
    'call' as channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    call_outcome as reason,
    'calls' as source_kind,
    file_id,
    file_path,
    row_number

from calls
