{#-
  Per e-mail campaign: when and to whom it went (audience, tag or segment), its issue (seed
  campaign_issues), and what recipients did - unique human opens (privacy-proxy opens
  excluded), unique clicks, unsubscribes, spam complaints, bounces - with rates over the
  recipients the warehouse knows. The *_over_contact_cap columns count recipients who were
  over a cap of seed contact_caps (one channel's, or all channels together) when it was sent
  (docs/engagement.md §8), and their unsubscribes and complaints.
  Group by primary_issue or tag for performance per issue or segment.
-#}
with

campaigns as (

    select * from {{ ref('int_campaigns__matched') }}

),

recipients as (

    select * from {{ ref('int_campaign_recipients__counted') }}

),

primary_issues as (

    select
        lower(trim(campaign_name)) as campaign_key,
        max(issue_slug) as primary_issue

    from {{ ref('campaign_issues') }}
    where issue_role = 'primary'
    group by lower(trim(campaign_name))

),

per_campaign as (

    select
        campaign_key,
        count(*) as recipients,
        sum(case when has_human_open then 1 else 0 end) as unique_human_opens,
        sum(case when has_clicked then 1 else 0 end) as unique_clicks,
        sum(case when has_unsubscribed then 1 else 0 end) as unsubscribes,
        sum(case when has_complained then 1 else 0 end) as abuse_complaints,
        sum(case when has_bounced then 1 else 0 end) as bounces,
        sum(case when is_over_contact_cap then 1 else 0 end) as recipients_over_contact_cap,
        sum(case when is_over_contact_cap and has_unsubscribed then 1 else 0 end) as unsubscribes_over_contact_cap,
        sum(case when is_over_contact_cap and has_complained then 1 else 0 end) as complaints_over_contact_cap

    from recipients
    group by campaign_key

),

final as (

    select
        campaigns.campaign_key,
        campaigns.campaign_id,
        campaigns.campaign_title,
        campaigns.subject_line,
        campaigns.sent_at,
        campaigns.audience_id,
        campaigns.tag,
        campaigns.segment_text,
        primary_issues.primary_issue,
        campaigns.emails_sent,
        coalesce(per_campaign.recipients, 0) as recipients,
        coalesce(per_campaign.unique_human_opens, 0) as unique_human_opens,
        coalesce(per_campaign.unique_clicks, 0) as unique_clicks,
        coalesce(per_campaign.unsubscribes, 0) as unsubscribes,
        coalesce(per_campaign.abuse_complaints, 0) as abuse_complaints,
        coalesce(per_campaign.bounces, 0) as bounces,
        1.0 * per_campaign.unique_human_opens / nullif(per_campaign.recipients, 0) as human_open_rate,
        1.0 * per_campaign.unique_clicks / nullif(per_campaign.recipients, 0) as click_rate,
        1.0 * per_campaign.unique_clicks / nullif(per_campaign.unique_human_opens, 0) as click_to_open_rate,
        1.0 * per_campaign.unsubscribes / nullif(per_campaign.recipients, 0) as unsubscribe_rate,
        1.0 * per_campaign.abuse_complaints / nullif(per_campaign.recipients, 0) as complaint_rate,
        1.0 * per_campaign.bounces / nullif(per_campaign.recipients, 0) as bounce_rate,
        coalesce(per_campaign.recipients_over_contact_cap, 0) as recipients_over_contact_cap,
        coalesce(per_campaign.unsubscribes_over_contact_cap, 0) as unsubscribes_over_contact_cap,
        coalesce(per_campaign.complaints_over_contact_cap, 0) as complaints_over_contact_cap

    from campaigns
    left join per_campaign
        on campaigns.campaign_key = per_campaign.campaign_key
    left join primary_issues
        on campaigns.campaign_key = primary_issues.campaign_key

)

select * from final
