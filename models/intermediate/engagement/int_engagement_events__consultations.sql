{#- Consultation responses as consultation_response events; the answers stay in staging. -#}
select
    row_id,
    'consultation_response' as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    coalesce(consultation_name, campaign_name) as campaign_name,
    'web' as channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    cast(null as {{ dbt.type_numeric() }}) as amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    cast(null as {{ dbt.type_string() }}) as reason,
    'consultations' as source_kind,
    file_id,
    file_path,
    row_number

from {{ ref('stg_spreadsheets__consultation_responses') }}
