{{ config(meta={
    'tag': 'seg:event-*',
    'tag_list': 'int_upcoming_events__windowed',
    'tag_list_key': 'event_slug',
    'tag_list_label': 'label',
    'description': 'Engaged supporters (3+ stars or activist rung and up) who live in the district or postcode area of {label}. Invite them.',
    'priority': 10,
    'respects_contact_cap': true,
}) }}

with

upcoming as (

    select * from {{ ref('int_upcoming_events__windowed') }}

),

people as (

    select
        profile.supporter_id,
        profile.engagement_stars,
        profile.ladder_rung,
        upper(trim(supporters.district)) as district_key,
        upper(trim(supporters.postcode)) as postcode_key

    from {{ ref('supporter_engagement') }} as profile
    inner join {{ ref('supporters') }} as supporters
        on profile.supporter_id = supporters.supporter_id
    where profile.engagement_stars >= {{ var('upcoming_event_min_stars', 3) }}
        or profile.ladder_rung >= 3

)

select
    people.supporter_id,
    upcoming.tag,
    {{ dbt.concat([
        "upcoming.event_name", "' in '", "cast(upcoming.days_until_event as " ~ dbt.type_string() ~ ")", "' days; '",
        "case when people.district_key = upper(trim(upcoming.district)) then 'same district'"
        ~ " else 'same postcode area' end"
    ]) }} as reason

from people
inner join upcoming
    on people.district_key = upper(trim(upcoming.district))
    -- UK outward code ("LS6" matches "LS6 2AB", not "LS60 1AA"); US ZIP prefix ("611")
        or people.postcode_key = upper(trim(upcoming.postcode_area))
        or people.postcode_key like {{ dbt.concat(["upper(trim(upcoming.postcode_area))", "' %'"]) }}
        or (
            upper(upcoming.postcode_area) = lower(upcoming.postcode_area)
            and people.postcode_key like {{ dbt.concat(["trim(upcoming.postcode_area)", "'%'"]) }}
        )
