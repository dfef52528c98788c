{{ config(meta={
    'tag': 'seg:super-activist',
    'description': 'The most engaged: 5 stars, or more than 4 actions in 90 days including a high-effort one (letter, call, consultation, event, shift). Ask them to lead.',
    'priority': 60,
    'respects_contact_cap': true,
}) }}

select
    supporter_id,
    case
        when actions_90d > 4 and high_effort_actions_90d >= 1
            then {{ dbt.concat(["cast(actions_90d as " ~ dbt.type_string() ~ ")", "' actions in 90 days, '",
                                "cast(high_effort_actions_90d as " ~ dbt.type_string() ~ ")", "' high-effort'"]) }}
        else 'five stars'
    end as reason

from {{ ref('supporter_engagement') }}
where engagement_stars = 5
    or (actions_90d > 4 and high_effort_actions_90d >= 1)
