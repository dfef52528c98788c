{#- The identifiers that key each person (component) in the supporter id registry: the usable
    identifiers that belong to that person alone. An identifier two people share (a phone two
    supporters use) keys neither. A person with no identifier of their own (a name-only sign-in
    row, or one whose only phone is shared) is keyed by their records' `record` identifiers. -#}

with

components as (
    select * from {{ ref('int_identity__components') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
    where is_usable
),

component_identifiers as (
    select distinct
        components.component_id,
        identifiers.identifier_key,
        identifiers.identifier_type
    from identifiers
    inner join components on components.record_id = identifiers.record_id
),

owned_identifiers as (
    select
        component_identifiers.*,
        count(*) over (partition by identifier_key) as owners
    from component_identifiers
),

owned_by_one as (
    select component_id, identifier_key, identifier_type
    from owned_identifiers
    where owners = 1 and identifier_type <> 'record'
),

final as (
    select * from owned_by_one
    union all
    select component_id, identifier_key, identifier_type
    from owned_identifiers
    where identifier_type = 'record'
        and component_id not in (select component_id from owned_by_one)
)

select * from final
