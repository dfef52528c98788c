{#- One row per supporter: each attribute's surviving value, the most recent non-empty value
    across the supporter's records; ties (same time, or both undated) go to the kind with the
    lower priority in the seed source_priority, then the record id. -#}
{%- set attributes = ['first_name', 'last_name', 'phone', 'postcode', 'postcode_key', 'country', 'city', 'state', 'district'] -%}

with

records as (
    select * from {{ ref('int_identity__records') }}
),

record_supporters as (
    select * from {{ ref('int_identity__record_supporters') }}
),

attribute_values as (
    {%- for attribute in attributes %}
    select
        record_supporters.supporter_id,
        '{{ attribute }}' as attribute_name,
        records.{{ attribute }} as attribute_value,
        records.occurred_at,
        records.source_priority,
        records.record_id
    from records
    inner join record_supporters on record_supporters.record_id = records.record_id
    where records.{{ attribute }} is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

ranked as (
    select
        attribute_values.*,
        row_number() over (
            partition by supporter_id, attribute_name
            order by occurred_at desc nulls last, source_priority, record_id
        ) as value_rank
    from attribute_values
),

supporters as (
    select
        record_supporters.supporter_id,
        min(records.occurred_at) as first_seen_at,
        max(records.occurred_at) as last_seen_at,
        count(*) as record_count,
        count(distinct records.file_id) as source_count,
        {{ dbt.listagg('distinct records.kind', "', '", 'order by records.kind') }} as source_kinds
    from records
    inner join record_supporters on record_supporters.record_id = records.record_id
    group by record_supporters.supporter_id
),

final as (
    select
        supporters.supporter_id,
        {%- for attribute in attributes %}
        max(case when ranked.attribute_name = '{{ attribute }}' then ranked.attribute_value end) as {{ attribute }},
        {%- endfor %}
        supporters.first_seen_at,
        supporters.last_seen_at,
        supporters.record_count,
        supporters.source_count,
        supporters.source_kinds
    from supporters
    left join ranked
        on ranked.supporter_id = supporters.supporter_id
        and ranked.value_rank = 1
    group by
        supporters.supporter_id,
        supporters.first_seen_at,
        supporters.last_seen_at,
        supporters.record_count,
        supporters.source_count,
        supporters.source_kinds
)

select * from final
