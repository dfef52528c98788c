{#- The identifiers that key each person (component) in the supporter id registry: the usable
    identifiers that belong to that person alone. An identifier two people share (a phone two
    supporters use) keys neither. A person with no identifier of their own (a name-only sign-in
    row, or one whose only phone is shared) is keyed by their records' `record` identifiers
    (md5 of type `record` and kind|content, made here only for those people).
    Grain: one row per (person, identifier key). -#}

with

components as (
    select * from {{ ref('int_identity__components') }}
),

identifiers as (
    select
        record_id,
        identifier_type,
        identifier_key
    from {{ ref('int_identity__identifiers') }}
    where is_usable
),

records as (
    select
        record_id,
        kind,
        content_key
    from {{ ref('int_identity__records') }}
),

-- one owner when the smallest and the largest component carrying it are the same (a plain
-- aggregate: no distinct sets over every identifier)
identifier_owners as (
    select
        identifiers.identifier_key,
        identifiers.identifier_type,
        min(components.component_id) as component_id,
        max(components.component_id) as last_component_id
    from identifiers
    inner join components on identifiers.record_id = components.record_id
    group by identifiers.identifier_key, identifiers.identifier_type
),

owned_by_one as (
    select
        component_id,
        identifier_key,
        identifier_type
    from identifier_owners
    where component_id = last_component_id
),

keyed_people as (
    select distinct component_id from owned_by_one
),

unkeyed_records as (
    select
        components.record_id,
        components.component_id
    from components
    left join keyed_people on components.component_id = keyed_people.component_id
    where keyed_people.component_id is null
),

-- the `record` identifier: the record's kind and content (type record, value kind|content)
record_keys as (
    select distinct
        unkeyed_records.component_id,
        {{ engage_surrogate_key(["'record'", "records.kind || '|' || records.content_key"]) }} as identifier_key,
        'record' as identifier_type
    from unkeyed_records
    inner join records on unkeyed_records.record_id = records.record_id
),

final as (
    select * from owned_by_one
    union all
    select * from record_keys
)

select * from final
