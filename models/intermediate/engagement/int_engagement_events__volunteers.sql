{#-
  Volunteer sign-up sheets as events: volunteer_signup (the form's timestamp), one
  volunteer_shift per ISO date in the "shift dates" cell (a shift on a date not after
  as_of is taken as worked), and stated_interest carrying the
  "which issues matter to you?" answer for issue interest (strong, slowly decaying).
-#}
{%- set max_shifts = 20 -%}
with

signups as (

    select * from {{ ref('stg_spreadsheets__volunteer_signups') }}

),

shift_cells as (

    select
        row_id,
        replace(replace(shift_dates, ';', ','), '/', ',') as shift_list

    from signups
    where shift_dates is not null

),

shift_tokens as (

    {% for part in range(1, max_shifts + 1) %}
    select
        row_id,
        {{ part }} as shift_position,
        trim({{ dbt.split_part('shift_list', "','", part) }}) as shift_text
    from shift_cells
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

shifts as (

    select
        row_id,
        shift_position,
        cast(shift_text as date) as shift_on

    from shift_tokens
    where {{ engage_regexp_like('shift_text', "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'") }}

),

actions as (

    select
        row_id,
        'volunteer_signup' as action_type,
        cast(null as {{ dbt.type_string() }}) as event_key,
        occurred_at,
        cast(null as {{ dbt.type_string() }}) as stated_issues

    from signups

    union all

    select
        shifts.row_id,
        'volunteer_shift' as action_type,
        cast(shifts.shift_on as {{ dbt.type_string() }}) as event_key,
        cast(shifts.shift_on as {{ dbt.type_timestamp() }}) as occurred_at,
        cast(null as {{ dbt.type_string() }}) as stated_issues

    from shifts

    union all

    select
        row_id,
        'stated_interest' as action_type,
        cast(null as {{ dbt.type_string() }}) as event_key,
        occurred_at,
        issues as stated_issues

    from signups
    where issues is not null
        and trim(issues) <> ''

)

select
    actions.row_id,
    actions.action_type,
    actions.event_key,
    actions.occurred_at,
    signups.shift_name as campaign_name,
    'web' as channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    actions.stated_issues,
    cast(null as {{ dbt.type_string() }}) as reason,
    'volunteers' as source_kind,
    signups.file_id,
    signups.file_path,
    signups.row_number

from actions
inner join signups
    on actions.row_id = signups.row_id
