-- Every person (component) has exactly one supporter_id and every supporter_id one person.
with

pairs as (
    select distinct
        component_id,
        supporter_id
    from {{ ref('int_identity__record_supporters') }}
),

ids_per_person as (
    select
        component_id as key_value,
        'person with several ids' as problem,
        count(*) as n
    from pairs
    group by component_id
    having count(*) > 1
),

people_per_id as (
    select
        supporter_id as key_value,
        'id shared by several people' as problem,
        count(*) as n
    from pairs
    group by supporter_id
    having count(*) > 1
)

select * from ids_per_person
union all
select * from people_per_id
