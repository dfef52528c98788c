{#-
  Event registrations and attendance (Eventbrite reports, sign-in sheets):
    - event_attendance (on the event date) when the row proves attendance: checked in,
      or a sign-in sheet row;
    - event_rsvp (on the order date) for a registration not marked attended: a no-show
      after the event, a registration before it;
    - event_hosted when the ticket type says host, organiser or speaker;
    - volunteer_signup when a sign-in sheet row ticked "want to volunteer".
  Refunded, cancelled and "not attending" registrations are no action at all.
-#}
with

attendees as (

    select
        row_id,
        file_id,
        file_path,
        row_number,
        coalesce(event_name, campaign_name) as campaign_name,
        cast(coalesce(event_date, occurred_at) as date) as event_date,
        coalesce(event_date, occurred_at) as event_at,
        coalesce(occurred_at, event_date) as registered_at,
        coalesce(attended, false) as attended,
        lower(coalesce(ticket_type, '')) as ticket_type_key,
        coalesce(volunteer_interest, false) as volunteer_interest

    from {{ ref('stg_spreadsheets__event_attendees') }}
    where not coalesce(is_refunded, false)
        and coalesce(attendee_status, 'attending') not in (
            'refunded', 'cancelled', 'canceled', 'not attending', 'declined', 'deleted', 'transferred'
        )
        and coalesce(order_status, 'completed') not in (
            'refunded', 'cancelled', 'canceled', 'deleted', 'abandoned', 'refunded/canceled'
        )

),

actions as (

    select
        attendees.row_id,
        'event_attendance' as action_type,
        attendees.event_at as occurred_at,
        attendees.file_id,
        attendees.file_path,
        attendees.row_number,
        attendees.campaign_name,
        attendees.event_date
    from attendees
    where attendees.attended

    union all

    select
        attendees.row_id,
        'event_rsvp' as action_type,
        attendees.registered_at as occurred_at,
        attendees.file_id,
        attendees.file_path,
        attendees.row_number,
        attendees.campaign_name,
        attendees.event_date
    from attendees
    where not attended

    union all

    select
        attendees.row_id,
        'event_hosted' as action_type,
        attendees.event_at as occurred_at,
        attendees.file_id,
        attendees.file_path,
        attendees.row_number,
        attendees.campaign_name,
        attendees.event_date
    from attendees
    where ticket_type_key like '%host%'
        or ticket_type_key like '%organi%'
        or ticket_type_key like '%speaker%'

    union all

    select
        attendees.row_id,
        'volunteer_signup' as action_type,
        attendees.event_at as occurred_at,
        attendees.file_id,
        attendees.file_path,
        attendees.row_number,
        attendees.campaign_name,
        attendees.event_date
    from attendees
    where volunteer_interest

)

select
    row_id,
    action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    campaign_name,
    'in_person' as channel,
    false as is_proxy_open,
    event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    cast(null as {{ dbt.type_string() }}) as reason,
    'events' as source_kind,
    file_id,
    file_path,
    row_number

from actions
