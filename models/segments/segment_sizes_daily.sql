{#-
  Daily size series per segment tag: for each as_of date, the sizes of the last build made
  for that date (builds are appended to segment_size_history).
-#}
with

ranked as (

    select
        segment_size_history.*,
        row_number() over (
            partition by segment_size_history.as_of_date, segment_size_history.tag
            order by segment_size_history.built_at desc, segment_size_history.invocation_id desc
        ) as build_rank

    from {{ ref('segment_size_history') }}

)

select
    as_of_date,
    segment_name,
    tag,
    size,
    held_out,
    candidates,
    built_at

from ranked
where build_rank = 1
