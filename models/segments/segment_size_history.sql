{{ config(materialized='incremental', incremental_strategy='append') }}
{#-
  One row per segment tag per build (append-only): the size and held-out counts each
  `dbt build` produced, with the build's invocation id, start time and as_of date. The
  catalogue's size_change compares against the previous build found here; a full refresh
  starts the history again.
-#}
with

catalogue as (

    select * from {{ ref('int_segments__catalogued') }}

),

decided as (

    select * from {{ ref('int_segment_memberships__decided') }}

),

counts as (

    select
        tag,
        {{ engage_count_if("decision = 'targeted'") }} as size,
        {{ engage_count_if("decision = 'held_out'") }} as held_out,
        count(*) as candidates

    from decided
    group by tag

)

select
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as built_at,
    {{ engage_as_of_date() }} as as_of_date,
    catalogue.segment_name,
    catalogue.tag,
    coalesce(counts.size, 0) as size,
    coalesce(counts.held_out, 0) as held_out,
    coalesce(counts.candidates, 0) as candidates

from catalogue
left join counts
    on catalogue.tag = counts.tag
