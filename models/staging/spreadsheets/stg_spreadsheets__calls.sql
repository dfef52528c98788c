{#- Accepted rows of call logs (calls/): one row per call the organisation made to a supporter
    (phone banks, dialers). The supporter is the number called (or an email), never the caller.
    The result is looked up in the seed call_results by its key (lower-case, runs of other
    characters as `_`: "Left Message" -> left_message, NO_ANSWER -> no_answer):
      call_outcome       reached, message_left, not_reached, bad_number, do_not_call; `unknown`
                         for a result the seed does not list, `unrecorded` when the row has none
      counts_as_contact  the seed's answer; true for unknown and unrecorded results (a logged
                         call is taken to have reached the person, so the contact cap errs
                         towards fewer calls; add the result to the seed to change that). -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'calls' and is_accepted
),

call_results as (
    select * from {{ ref('call_results') }}
),

keyed as (
    select
        sheet_rows.*,
        {{ engage_key('sheet_rows.call_result') }} as call_result_key
    from sheet_rows
),

final as (
    select
        {{ engage_shared_columns('keyed') }},

        -- the call
        keyed.call_result,
        keyed.call_result_key,
        case
            when keyed.call_result_key is null or keyed.call_result_key = '' then 'unrecorded'
            else coalesce(call_results.outcome, 'unknown')
        end as call_outcome,
        coalesce(call_results.counts_as_contact, true) as counts_as_contact,
        keyed.caller,
        cast(keyed.duration_seconds as {{ dbt.type_int() }}) as duration_seconds
    from keyed
    left join call_results on keyed.call_result_key = call_results.result_key
)

select * from final
