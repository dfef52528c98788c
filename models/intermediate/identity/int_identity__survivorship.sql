{#- One row per supporter: each attribute's surviving value, the most recent non-empty value
    across the supporter's records; ties (same time, or both undated) go to the kind with the
    lower priority in the seed source_priority, then the record id. The supporter's records
    are ranked once (one window); each attribute then takes the value of its best-ranked
    record that has one, in the same single group-by (engage_value_at_min_rank), instead of
    ranking every attribute separately.
    Grain: one row per supporter. -#}
{%- set attributes = [
    'first_name', 'last_name', 'phone', 'postcode', 'postcode_key', 'country', 'city', 'state', 'district'
] -%}

with

records as (
    select * from {{ ref('int_identity__records') }}
),

record_supporters as (
    select * from {{ ref('int_identity__record_supporters') }}
),

ranked_records as (
    select
        record_supporters.supporter_id,
        records.file_id,
        records.kind,
        records.occurred_at,
        {%- for attribute in attributes %}
        records.{{ attribute }},
        {%- endfor %}
        row_number() over (
            partition by record_supporters.supporter_id
            order by records.occurred_at desc nulls last, records.source_priority asc, records.record_id asc
        ) as record_rank
    from records
    inner join record_supporters on records.record_id = record_supporters.record_id
),

final as (
    select
        supporter_id,
        {%- for attribute in attributes %}
        {{ engage_value_at_min_rank(attribute, 'record_rank') }} as {{ attribute }},
        {%- endfor %}
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        count(*) as record_count,
        count(distinct file_id) as source_count,
        {{ dbt.listagg('distinct kind', "', '", 'order by kind') }} as source_kinds
    from ranked_records
    group by supporter_id
)

select * from final
