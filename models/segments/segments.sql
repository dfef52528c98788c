{#-
  The segment catalogue marketers read: one row per tag with its description, current
  size, the change since the previous build, priority and how many candidates were held
  out and why. Built from the segment models' meta through dbt's graph.
-#}
with

catalogue as (

    select * from {{ ref('int_segments__catalogued') }}

),

decided as (

    select * from {{ ref('int_segment_memberships__decided') }}

),

history as (

    select * from {{ ref('segment_size_history') }}
    where invocation_id <> '{{ invocation_id }}'

),

counts as (

    select
        tag,
        {{ engage_count_if("decision = 'targeted'") }} as size,
        {{ engage_count_if("held_out_reason = 'not_emailable'") }} as held_out_not_emailable,
        {{ engage_count_if("held_out_reason = 'contact_cap'") }} as held_out_contact_cap,
        {{ engage_count_if("held_out_reason = 'segment_limit'") }} as held_out_segment_limit,
        count(*) as candidates

    from decided
    group by tag

),

previous_ranked as (

    select
        tag,
        size,
        built_at,
        row_number() over (partition by tag order by built_at desc, invocation_id desc) as build_rank

    from history

),

previous as (

    select
        tag,
        size as previous_size,
        built_at as previous_built_at
    from previous_ranked
    where build_rank = 1

)

select
    catalogue.segment_name,
    catalogue.tag,
    catalogue.description,
    coalesce(counts.size, 0) as size,
    previous.previous_size,
    coalesce(counts.size, 0) - previous.previous_size as size_change,
    previous.previous_built_at,
    catalogue.priority,
    catalogue.respects_contact_cap,
    catalogue.counts_toward_limit,
    coalesce(counts.candidates, 0) as candidates,
    coalesce(counts.held_out_not_emailable, 0) as held_out_not_emailable,
    coalesce(counts.held_out_contact_cap, 0) as held_out_contact_cap,
    coalesce(counts.held_out_segment_limit, 0) as held_out_segment_limit,
    catalogue.model_path,
    catalogue.broadcast_approved,
    catalogue.broadcast_approved_by,
    {{ engage_as_of_date() }} as as_of_date

from catalogue
left join counts
    on catalogue.tag = counts.tag
left join previous
    on catalogue.tag = previous.tag
