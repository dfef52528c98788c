{#- Stories submitted or shared as story_share events; the story text stays in staging. -#}
select
    row_id,
    'story_share' as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    campaign_name,
    coalesce(network, 'web') as channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    cast(null as {{ dbt.type_string() }}) as reason,
    'stories' as source_kind,
    file_id,
    file_path,
    row_number

from {{ ref('stg_spreadsheets__story_shares') }}
