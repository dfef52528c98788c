{#- Donations as donation events; refunds, failed and cancelled gifts are no action. -#}
select
    row_id,
    'donation' as action_type,
    cast(null as {{ dbt.type_string() }}) as event_key,
    occurred_at,
    coalesce(appeal_name, campaign_name) as campaign_name,
    'web' as channel,
    false as is_proxy_open,
    cast(null as date) as event_date,
    amount,
    cast(null as {{ dbt.type_string() }}) as stated_issues,
    cast(null as {{ dbt.type_string() }}) as reason,
    'donations' as source_kind,
    file_id,
    file_path,
    row_number

from {{ ref('stg_spreadsheets__donations') }}
where coalesce(amount, 0) > 0
    and refunded_at is null
    and coalesce(donation_status, 'completed') not in ('refunded', 'cancelled', 'canceled', 'failed', 'declined')
