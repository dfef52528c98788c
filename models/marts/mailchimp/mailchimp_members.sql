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

    select supporter_id, ladder_rung_name, engagement_stars, last_action_at, top_issue_for_sync
    from {{ ref('supporter_engagement') }}

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
        engagement.top_issue_for_sync as top_issue

    from supporters
    left join engagement on engagement.supporter_id = supporters.supporter_id
    where supporters.email is not null

)

select * from final
