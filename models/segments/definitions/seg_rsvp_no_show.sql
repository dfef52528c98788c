{{ config(meta={
    'tag': 'seg:rsvp-no-show',
    'description': 'Registered for an event in the last 90 days but was not marked as attending. Share what they missed and the next date.',
    'priority': 20,
    'respects_contact_cap': true,
}) }}

with

no_shows as (

    select
        supporter_id,
        campaign_name,
        event_date,
        row_number() over (
            partition by supporter_id order by event_date desc, campaign_name asc
        ) as recency_rank

    from {{ ref('engagement_events') }}
    where action_type = 'event_rsvp'
        and event_date < {{ engage_as_of_date() }}
        and {{ engage_days_before_as_of('event_date') }} <= {{ var('rsvp_no_show_window_days', 90) }}

)

select
    supporter_id,
    {{ dbt.concat([
        "'missed '", "coalesce(campaign_name, 'an event')", "' on '",
        "cast(event_date as " ~ dbt.type_string() ~ ")"
    ]) }} as reason

from no_shows
where recency_rank = 1
