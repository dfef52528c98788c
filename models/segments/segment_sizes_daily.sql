{#-
  Daily size series per segment tag: for each as_of date, the sizes of the last build made
  for that date (builds are appended to segment_size_history).
-#}
with

ranked as (

    select
        segment_size_history.*,
        row_number() over (
            partition by as_of_date, tag
            order by built_at desc, invocation_id desc
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
