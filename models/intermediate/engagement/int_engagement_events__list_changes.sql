{#-
  Joining and leaving the list as events:
    - sign_up: a sign-up form or list row (contacts: its date, else its opt-in or
      subscription date) and a Mailchimp opt-in (OPTIN_TIME, else CONFIRM_TIME);
    - unsubscribe: a Mailchimp unsubscribe (UNSUB_TIME; its campaign resolved to the campaign
      key from UNSUB_CAMPAIGN_ID, else UNSUB_CAMPAIGN_TITLE, see int_campaign_references__resolved;
      its reason from UNSUB_REASON / UNSUB_REASON_OTHER) or an exporting system's
      "unsubscribed" status with its date. Unsubscribes are recorded, never scored
      negatively: consent (supporters.is_emailable) is what keeps people out of segments.
-#}
with

contacts as (

    select * from {{ ref('stg_spreadsheets__contacts') }}

),

members as (

    select * from {{ ref('stg_spreadsheets__mailchimp_members') }}

),

campaign_keys as (

    select
        campaign_id,
        campaign_name,
        campaign_key
    from {{ ref('int_campaign_references__resolved') }}
    where source_kind = 'mailchimp_members'

),

unsubscribed_members as (

    select
        members.*,
        coalesce(campaign_keys.campaign_key, members.unsub_campaign_title) as campaign_key

    from members
    left join campaign_keys
        on coalesce(nullif(trim(members.unsub_campaign_id), ''), '') = coalesce(campaign_keys.campaign_id, '')
            and coalesce(members.unsub_campaign_title, '') = coalesce(campaign_keys.campaign_name, '')
    where members.member_status = 'unsubscribed'
        and members.unsub_at is not null

),

actions as (

    select
        row_id,
        file_id,
        file_path,
        row_number,
        'contacts' as source_kind,
        'sign_up' as action_type,
        coalesce(occurred_at, email_opt_in_at, subscription_at) as occurred_at,
        campaign_name,
        'web' as channel,
        cast(null as {{ dbt.type_string() }}) as reason
    from contacts
    where coalesce(subscription_status, '') <> 'unsubscribed'

    union all

    select
        row_id,
        file_id,
        file_path,
        row_number,
        'contacts' as source_kind,
        'unsubscribe' as action_type,
        subscription_at as occurred_at,
        campaign_name,
        'email' as channel,
        cast(null as {{ dbt.type_string() }}) as reason
    from contacts
    where subscription_status = 'unsubscribed'
        and subscription_at is not null

    union all

    select
        row_id,
        file_id,
        file_path,
        row_number,
        'mailchimp_members' as source_kind,
        'sign_up' as action_type,
        coalesce(optin_at, confirm_at) as occurred_at,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        'email' as channel,
        cast(null as {{ dbt.type_string() }}) as reason
    from members
    where coalesce(optin_at, confirm_at) is not null

    union all

    select
        row_id,
        file_id,
        file_path,
        row_number,
        'mailchimp_members' as source_kind,
        'unsubscribe' as action_type,
        unsub_at as occurred_at,
        campaign_key as campaign_name,
        'email' as channel,
        {{ engage_unsubscribe_reason('unsub_reason', 'unsub_reason_other') }} as reason
    from unsubscribed_members

)

select
    row_id,
    action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    campaign_name,
    channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    reason,
    source_kind,
    file_id,
    file_path,
    row_number

from actions
