{{ config(meta={
    'tag': 'seg:new-30d',
    'description': 'New supporters: first seen in the last 30 days. Use for the welcome series.',
    'priority': 50,
    'respects_contact_cap': true,
}) }}

select
    supporter_id,
    {{ dbt.concat([
        "'first seen '", "cast(days_since_first_seen as " ~ dbt.type_string() ~ ")", "' days ago'"
    ]) }} as reason

from {{ ref('supporter_engagement') }}
where days_since_first_seen between 0 and {{ var('new_supporter_days', 30) }}
