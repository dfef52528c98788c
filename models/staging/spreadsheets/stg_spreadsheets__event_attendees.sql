{{ config(materialized='table') }}
{#- Accepted rows of event files (events/): Eventbrite-style attendee reports (one row per
    attendee: the attendee key is attendee_id, guests may carry the buyer's email) and typed-up
    sign-in sheets. An RSVP is not attendance: `attended` is true only for a check-in or a
    sign-in sheet row. The event date falls back to a date in the file name. -#}
{%- set kind_columns = [
    ('event_name', 'text'), ('event_date', 'timestamp'), ('order_id', 'text'), ('attendee_id', 'text'),
    ('ticket_type', 'text'), ('attendee_status', 'text'), ('order_status', 'text'), ('checked_in', 'flag'),
    ('amount', 'money'), ('currency', 'text'), ('how_heard', 'text'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'events' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'events'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'events'") }}
),
-- a sign-in sheet is a file without registration columns (orders, attendee status, check-in)
file_shapes as (
    select
        files.file_id,
        not exists (
            select 1
            from {{ ref('stg_spreadsheets__headers') }} as headers
            where headers.file_id = files.file_id
                and headers.canonical_column in ('order_id', 'attendee_id', 'attendee_status', 'checked_in')
        ) as is_sign_in_sheet
    from files
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- the event
        coalesce(kind_values.event_name, files.file_event_name) as event_name,
        coalesce(kind_values.event_date, files.file_date) as event_date,

        -- registration (Eventbrite-style reports)
        kind_values.order_id,
        kind_values.attendee_id,
        kind_values.ticket_type,
        lower(kind_values.attendee_status) as attendee_status,
        lower(kind_values.order_status) as order_status,
        kind_values.amount,
        coalesce(upper(kind_values.currency), kind_values.amount__currency) as currency,
        coalesce(lower(kind_values.attendee_status) like '%refund%' or kind_values.amount < 0, false) as is_refunded,
        kind_values.how_heard,

        -- attendance: only a check-in or a sign-in sheet proves someone came
        kind_values.checked_in,
        file_shapes.is_sign_in_sheet,
        case
            when kind_values.checked_in then true
            when file_shapes.is_sign_in_sheet then true
            when kind_values.checked_in = false then false
        end as attended
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    inner join file_shapes on file_shapes.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
