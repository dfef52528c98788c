{#- Letters, e-mails and calls to legislators as legislator_contact events (channel as logged). -#}
select
    row_id,
    'legislator_contact' as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    coalesce(campaign_name, subject) as campaign_name,
    coalesce(channel, 'letter') as channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    cast(null as {{ dbt.type_string() }}) as reason,
    'legislator_contacts' as source_kind,
    file_id,
    file_path,
    row_number

from {{ ref('stg_spreadsheets__legislator_contacts') }}
