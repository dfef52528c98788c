{#- Accepted rows of event files (events/): Eventbrite-style attendee reports (one row per
    attendee: the attendee key is attendee_id, guests may carry the buyer's email) and typed-up
    sign-in sheets. An RSVP is not attendance: `attended` is true only for a check-in or a
    sign-in sheet row. The event date falls back to a date in the file name. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'events' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'events'
),

-- a sign-in sheet is a file without registration columns (orders, attendee status, check-in)
file_shapes as (
    select
        files.file_id,
        not exists (
            select 1
            from {{ ref('base_spreadsheets__headers') }} as headers
            where headers.file_id = files.file_id
                and headers.canonical_column in ('order_id', 'attendee_id', 'attendee_status', 'checked_in')
        ) as is_sign_in_sheet
    from files
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- the event
        coalesce(sheet_rows.event_name, files.file_event_name) as event_name,
        coalesce(sheet_rows.event_date, files.file_date) as event_date,

        -- registration (Eventbrite-style reports)
        sheet_rows.order_id,
        sheet_rows.attendee_id,
        sheet_rows.ticket_type,
        lower(sheet_rows.attendee_status) as attendee_status,
        lower(sheet_rows.order_status) as order_status,
        sheet_rows.amount,
        coalesce(upper(sheet_rows.currency), sheet_rows.amount__currency) as currency,
        coalesce(lower(sheet_rows.attendee_status) like '%refund%' or sheet_rows.amount < 0, false) as is_refunded,
        sheet_rows.how_heard,

        -- attendance: only a check-in or a sign-in sheet proves someone came
        sheet_rows.checked_in,
        file_shapes.is_sign_in_sheet,
        case
            when sheet_rows.checked_in then true
            when file_shapes.is_sign_in_sheet then true
            when sheet_rows.checked_in = false then false
        end as attended
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
    inner join file_shapes on sheet_rows.file_id = file_shapes.file_id
)

select * from final
