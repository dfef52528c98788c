{#- Every accepted record and its supporter_id (stable across rebuilds and new files): the
    registry id of the identifiers that key the record's person (they all carry the same id). -#}

with

components as (
    select * from {{ ref('int_identity__components') }}
),

person_keys as (
    select * from {{ ref('int_identity__person_keys') }}
),

registry as (
    select * from {{ ref('int_identity__supporter_ids') }}
),

component_supporters as (
    select
        person_keys.component_id,
        min(registry.supporter_id) as supporter_id,
        count(distinct registry.supporter_id) as supporter_ids
    from person_keys
    inner join registry on person_keys.identifier_key = registry.identifier_key
    group by person_keys.component_id
),

final as (
    select
        components.record_id,
        components.component_id,
        component_supporters.supporter_id
    from components
    left join component_supporters on components.component_id = component_supporters.component_id
)

select * from final
