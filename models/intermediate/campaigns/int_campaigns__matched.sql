{#-
  One row per e-mail campaign, from every source that knows campaigns:
    - campaigns the sync pulled from Mailchimp's Reports API (id, title, send time, audience,
      tag/segment): the campaign key is the title's key (macro engage_campaign_key); when two
      pulled campaigns share a title, the later ones get the key <title key>-<campaign id>;
    - campaigns seen in CSV activity exports (sent-to, opened, clicked ...): the file-name slug
      is the key, the file date the day it was sent.
  A pulled campaign and an export with the same key are one campaign (matched_by title_key);
  otherwise a campaign comes from one source only (pulled_only, export_only).
-#}
with

pulled as (

    select * from {{ ref('stg_mailchimp_sync__campaigns') }}

),

exports as (

    select * from {{ ref('stg_spreadsheets__email_activity') }}

),

pulled_ranked as (

    select
        pulled.*,
        row_number() over (
            partition by pulled.campaign_key
            order by pulled.sent_at, pulled.campaign_id
        ) as title_rank

    from pulled
    where pulled.campaign_key is not null

),

pulled_keyed as (

    select
        case
            when title_rank = 1 then campaign_key
            else {{ dbt.concat(["campaign_key", "'-'", "lower(campaign_id)"]) }}
        end as campaign_key,
        campaign_id,
        audience_id,
        web_id,
        campaign_title,
        subject_line,
        sent_at,
        emails_sent,
        segment_id,
        segment_text,
        tag

    from pulled_ranked

),

export_activity as (

    select
        {{ engage_campaign_key('campaign_name') }} as campaign_key,
        campaign_name,
        campaign_sent_on,
        activity_type,
        occurred_at,
        file_id

    from exports

),

export_campaigns as (

    select
        campaign_key,
        min(campaign_name) as campaign_name,
        min(campaign_sent_on) as sent_on,
        min(case when activity_type = 'sent' then occurred_at end) as first_sent_at,
        min(occurred_at) as first_activity_at,
        count(distinct file_id) as export_files

    from export_activity
    where campaign_key is not null
    group by campaign_key

),

matched as (

    select
        coalesce(pulled_keyed.campaign_key, export_campaigns.campaign_key) as campaign_key,
        pulled_keyed.campaign_id,
        pulled_keyed.audience_id,
        pulled_keyed.web_id,
        coalesce(pulled_keyed.campaign_title, export_campaigns.campaign_name) as campaign_title,
        pulled_keyed.subject_line,
        coalesce(
            pulled_keyed.sent_at,
            export_campaigns.first_sent_at,
            cast(export_campaigns.sent_on as {{ dbt.type_timestamp() }}),
            export_campaigns.first_activity_at
        ) as sent_at,
        pulled_keyed.emails_sent,
        pulled_keyed.segment_id,
        pulled_keyed.segment_text,
        pulled_keyed.tag,
        pulled_keyed.campaign_id is not null as is_pulled,
        coalesce(export_campaigns.export_files, 0) as export_files,
        case
            when pulled_keyed.campaign_id is not null and export_campaigns.campaign_key is not null
                then 'title_key'
            when pulled_keyed.campaign_id is not null then 'pulled_only'
            else 'export_only'
        end as matched_by

    from pulled_keyed
    full outer join export_campaigns
        on pulled_keyed.campaign_key = export_campaigns.campaign_key

)

select * from matched
