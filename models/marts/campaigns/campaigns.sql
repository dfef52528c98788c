{#- One row per e-mail campaign, whichever source knows it (Mailchimp's Reports API, CSV
    activity exports), under the campaign key every e-mail event carries as campaign_name. -#}
with

campaigns as (

    select * from {{ ref('int_campaigns__matched') }}

)

select
    campaign_key,
    campaign_id,
    audience_id,
    web_id,
    campaign_title,
    subject_line,
    sent_at,
    emails_sent,
    segment_id,
    segment_text,
    tag,
    is_pulled,
    export_files,
    matched_by

from campaigns
