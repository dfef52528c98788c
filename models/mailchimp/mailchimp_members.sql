{#-
  The rows and columns the Mailchimp sync may send: one row per supporter with an email, the
  consent columns the sync honours, and the few attributes emails need (data minimisation:
  anything not here can never reach Mailchimp). Which audience gets whom, and which columns
  become merge fields, is declared per audience in _mailchimp__exposures.yml.
-#}
with

supporters as (

    select * from {{ ref('supporters') }}

),

engagement as (

    select
        supporter_id,
        ladder_rung_name,
        engagement_stars,
        last_action_at,
        rfm_label,
        top_issue,
        top_issue_for_sync

    from {{ ref('supporter_engagement') }}

),

next_step as (

    select
        supporter_id,
        next_step
    from {{ ref('int_next_steps__chosen') }}

),

final as (

    select
        supporters.supporter_id,
        supporters.email,
        supporters.email_status,
        supporters.is_emailable,
        supporters.first_name,
        supporters.last_name,
        supporters.district,
        supporters.postcode,
        supporters.country,
        engagement.ladder_rung_name as engagement_rung,
        engagement.engagement_stars,
        cast(engagement.last_action_at as date) as last_action_date,
        engagement.top_issue_for_sync as top_issue,
        {% if var('issue_tags_enabled', true) -%}
        case when engagement.top_issue <> 'none' then engagement.top_issue end
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as top_issue_slug,
        engagement.rfm_label,
        next_step.next_step

    from supporters
    left join engagement on supporters.supporter_id = engagement.supporter_id
    left join next_step on supporters.supporter_id = next_step.supporter_id
    where supporters.email is not null

)

select * from final
