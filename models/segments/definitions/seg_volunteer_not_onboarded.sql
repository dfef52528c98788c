{{ config(meta={
    'tag': 'seg:volunteer-not-onboarded',
    'description': 'Signed up to volunteer 30 or more days ago and has not done a shift since. Call or email to get them started.',
    'priority': 40,
    'respects_contact_cap': true,
}) }}

with

latest_signup as (

    select
        supporter_id,
        max(occurred_on) as signed_up_on

    from {{ ref('engagement_events') }}
    where action_type = 'volunteer_signup'
        and occurred_on <= {{ engage_as_of_date() }}
    group by supporter_id

),

shifts as (

    select
        supporter_id,
        occurred_on as shift_on

    from {{ ref('engagement_events') }}
    where action_type = 'volunteer_shift'
        and occurred_on <= {{ engage_as_of_date() }}

)

select
    latest_signup.supporter_id,
    {{ dbt.concat([
        "'signed up '",
        "cast(" ~ engage_days_before_as_of('latest_signup.signed_up_on') ~ " as " ~ dbt.type_string() ~ ")",
        "' days ago, no shift since'"
    ]) }} as reason

from latest_signup
where {{ engage_days_before_as_of('latest_signup.signed_up_on') }} >= {{ var('volunteer_onboarding_days', 30) }}
    and not exists (
        select 1
        from shifts
        where shifts.supporter_id = latest_signup.supporter_id
            and shifts.shift_on >= latest_signup.signed_up_on
    )
