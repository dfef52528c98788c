{#-
  Every way an e-mail source names a campaign, resolved to one campaign key:
    - a CSV activity export: its campaign name (the file-name slug);
    - a Mailchimp members export: UNSUB_CAMPAIGN_ID and UNSUB_CAMPAIGN_TITLE of an unsubscribe;
    - pulled activity: the Mailchimp campaign id.
  Resolution, first match wins: the Mailchimp campaign id of a pulled campaign (campaign_id),
  a row of the seed campaign_aliases (alias), the key of the name equal to a known campaign's
  key (name_key). A reference that matches no known campaign keeps its name's key (or its
  id, lower-cased, when it has no name) with is_known false and is listed in
  unmapped_campaigns. One row per (source_kind, campaign_id, campaign_name) as spelled.
-#}
with

campaigns as (

    select * from {{ ref('int_campaigns__matched') }}

),

aliases as (

    select
        {{ engage_campaign_key('campaign_name') }} as alias_key,
        min(campaign_key) as campaign_key

    from {{ ref('campaign_aliases') }}
    group by {{ engage_campaign_key('campaign_name') }}

),

references_seen as (

    select distinct
        'email_activity' as source_kind,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        campaign_name

    from {{ ref('stg_spreadsheets__email_activity') }}
    where campaign_name is not null

    union

    select distinct
        'mailchimp_members' as source_kind,
        nullif(trim(unsub_campaign_id), '') as campaign_id,
        unsub_campaign_title as campaign_name

    from {{ ref('stg_spreadsheets__mailchimp_members') }}
    where unsub_campaign_id is not null
        or unsub_campaign_title is not null

    union

    select distinct
        'mailchimp_api' as source_kind,
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name

    from {{ ref('stg_mailchimp_sync__campaign_activity') }}

),

keyed as (

    select
        references_seen.*,
        {{ engage_campaign_key('references_seen.campaign_name') }} as name_key

    from references_seen

),

resolved as (

    select
        keyed.source_kind,
        keyed.campaign_id,
        keyed.campaign_name,
        coalesce(
            by_id.campaign_key,
            aliases.campaign_key,
            by_name.campaign_key,
            keyed.name_key,
            lower(keyed.campaign_id)
        ) as campaign_key,
        case
            when by_id.campaign_key is not null then 'campaign_id'
            when aliases.campaign_key is not null then 'alias'
            when by_name.campaign_key is not null then 'name_key'
            else 'none'
        end as matched_by,
        coalesce(by_id.campaign_key, aliases.campaign_key, by_name.campaign_key) is not null
            as is_known

    from keyed
    left join campaigns as by_id
        on keyed.campaign_id = by_id.campaign_id
    left join aliases
        on keyed.name_key = aliases.alias_key
    left join campaigns as by_name
        on keyed.name_key = by_name.campaign_key

)

select * from resolved
