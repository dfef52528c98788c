{{ config(meta={
    'tag': 'seg:lapsed-90d',
    'description': 'Took action before but nothing in the last 90 days. Win them back with an easy ask.',
    'priority': 80,
    'respects_contact_cap': true,
}) }}

select
    supporter_id,
    {{ dbt.concat([
        "'last action '", "cast(days_since_last_action as " ~ dbt.type_string() ~ ")", "' days ago'"
    ]) }} as reason

from {{ ref('supporter_engagement') }}
where last_action_at is not null
    and days_since_last_action > {{ var('lapsed_after_days', 90) }}
