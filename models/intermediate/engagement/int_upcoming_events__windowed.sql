{#-
  Upcoming events (seed upcoming_events) taking place after as_of and within
  var upcoming_event_window_days (default 30). Each gets its own segment tag
  seg:event-<event_slug>, so organisers can invite people per event.
-#}
with

events as (

    select * from {{ ref('upcoming_events') }}

),

dated as (

    select
        event_slug,
        event_name,
        event_date,
        district,
        postcode_area,
        {{ dbt.datediff(engage_as_of_date(), 'event_date', 'day') }} as days_until_event

    from events

)

select
    event_slug,
    event_name,
    event_date,
    district,
    postcode_area,
    days_until_event,
    {{ dbt.concat(["'seg:event-'", "event_slug"]) }} as tag,
    {{ dbt.concat(["event_name", "' on '", "cast(event_date as " ~ dbt.type_string() ~ ")"]) }} as label

from dated
where days_until_event between 1 and {{ var('upcoming_event_window_days', 30) }}
