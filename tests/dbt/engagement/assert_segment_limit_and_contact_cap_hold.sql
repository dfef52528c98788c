-- Targeted memberships never exceed the per-supporter limit (segments that count toward
-- it), and no supporter over the contact cap is targeted by a segment that respects it.
with

decided as (

    select * from {{ ref('int_segment_memberships__decided') }}
    where decision = 'targeted'

),

pressure as (

    select * from {{ ref('int_contact_pressure__counted') }}

),

over_limit as (

    select
        supporter_id,
        'over segment limit' as problem
    from decided
    where counts_toward_limit
    group by supporter_id
    having count(*) > {{ var('max_segments_per_supporter', 3) }}

),

over_cap as (

    select
        decided.supporter_id,
        'targeted over contact cap' as problem
    from decided
    inner join pressure
        on decided.supporter_id = pressure.supporter_id
    where decided.respects_contact_cap
        and pressure.is_over_contact_cap

)

select * from over_limit
union all
select * from over_cap
