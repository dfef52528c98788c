-- Conservation: for every file, the rows the reader counted are exactly the rows accepted
-- plus the rows in rejected_rows, and every accepted row reaches its kind's staging model.
{%- set kind_models = [
    'stg_spreadsheets__contacts', 'stg_spreadsheets__mailchimp_members',
    'stg_spreadsheets__email_activity', 'stg_spreadsheets__petition_signatures',
    'stg_spreadsheets__event_attendees', 'stg_spreadsheets__legislator_contacts',
    'stg_spreadsheets__story_shares', 'stg_spreadsheets__consultation_responses',
    'stg_spreadsheets__volunteer_signups', 'stg_spreadsheets__donations',
    'stg_spreadsheets__sms_messages', 'stg_spreadsheets__calls',
] %}

with

files as (
    select
        file_id,
        file_path,
        rows_read
    from {{ ref('base_spreadsheets__files') }}
),

rejected as (
    select
        file_id,
        count(*) as rows_rejected
    from {{ ref('rejected_rows') }}
    group by file_id
),

staged as (
    {%- for model in kind_models %}
    select
        file_id,
        row_id
    from {{ ref(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

accepted as (
    select
        file_id,
        count(*) as rows_accepted,
        count(distinct row_id) as distinct_rows
    from staged
    group by file_id
)

select
    files.file_path,
    files.rows_read,
    coalesce(accepted.rows_accepted, 0) as rows_accepted,
    coalesce(rejected.rows_rejected, 0) as rows_rejected
from files
left join accepted on files.file_id = accepted.file_id
left join rejected on files.file_id = rejected.file_id
where files.rows_read <> coalesce(accepted.rows_accepted, 0) + coalesce(rejected.rows_rejected, 0)
    or coalesce(accepted.rows_accepted, 0) <> coalesce(accepted.distinct_rows, 0)
