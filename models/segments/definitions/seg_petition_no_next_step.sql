{{ config(meta={
    'tag': 'seg:petition-only-no-next-step',
    'description': 'Signed a petition 3 to 30 days ago and has taken no other kind of action yet. Ask for the next step (write to a representative, come to an event).',
    'priority': 30,
    'respects_contact_cap': true,
}) }}

with

first_petition as (

    select
        supporter_id,
        min(occurred_on) as first_signed_on

    from {{ ref('engagement_events') }}
    where action_type = 'petition_signature'
        and occurred_on <= {{ engage_as_of_date() }}
    group by supporter_id

),

profile as (

    select * from {{ ref('supporter_engagement') }}

)

select
    profile.supporter_id,
    {{ dbt.concat([
        "'first petition '",
        "cast(" ~ engage_days_before_as_of('first_petition.first_signed_on') ~ " as " ~ dbt.type_string() ~ ")",
        "' days ago, no other action'"
    ]) }} as reason

from profile
inner join first_petition
    on profile.supporter_id = first_petition.supporter_id
where profile.petition_signatures >= 1
    and profile.event_rsvps_unattended + profile.event_attendances + profile.events_hosted
    + profile.legislator_contacts + profile.story_shares + profile.consultation_responses
    + profile.volunteer_signups + profile.volunteer_shifts + profile.donations = 0
    and {{ engage_days_before_as_of('first_petition.first_signed_on') }} between 3 and 30
