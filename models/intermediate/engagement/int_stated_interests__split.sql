{#-
  Answers to "which issues matter to you?" questions, one row per answer: the cell of a
  stated-interest event is split on , ; / and | (multi-select form answers), trimmed and
  lower-cased (answer_key) for matching against the seed issue_aliases.
-#}
{%- set max_answers = 12 -%}
with

stated as (

    select
        event_id,
        supporter_id,
        replace(replace(replace(stated_issues, ';', ','), '/', ','), '|', ',') as answer_list

    from {{ ref('int_engagement_events__unioned') }}
    where stated_issues is not null

),

answers as (

    {% for part in range(1, max_answers + 1) %}
    select
        event_id,
        supporter_id,
        {{ part }} as answer_position,
        trim({{ dbt.split_part('answer_list', "','", part) }}) as answer_text
    from stated
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    event_id,
    supporter_id,
    answer_position,
    answer_text,
    lower(answer_text) as answer_key

from answers
where answer_text is not null
    and answer_text <> ''
