{#-
  No batch and blast (docs/engagement.md §5.3): one row per segment tag with its share of the
  emailable audience. A tag that would reach more than var broadcast_max_share of the
  emailable supporters, and more than var broadcast_min_size people (on a tiny list every
  segment is most of it, as the sync's pct_floor), is a broadcast, allowed only when its segment's meta carries
  broadcast_approved (an ISO date no more than var broadcast_approval_days days before the
  as-of date, and not after it) and broadcast_approved_by. is_blocked rows fail the data test
  engage_no_unapproved_broadcast, so `dbt build` stops naming the segment and its file.
-#}
with

segments as (

    select
        segment_name,
        tag,
        model_path,
        size,
        broadcast_approved,
        broadcast_approved_by
    from {{ ref('segments') }}

),

audience as (

    select count(*) as emailable_supporters
    from {{ ref('supporters') }}
    where is_emailable

),

shares as (

    select
        segments.segment_name,
        segments.tag,
        segments.model_path,
        segments.size,
        audience.emailable_supporters,
        case
            when audience.emailable_supporters > 0
                then 1.0 * segments.size / audience.emailable_supporters
            else 0.0
        end as audience_share,
        segments.broadcast_approved,
        nullif(trim(segments.broadcast_approved_by), '') as broadcast_approved_by,
        {{ engage_days_before_as_of('segments.broadcast_approved') }} as approval_age_days

    from segments
    cross join audience

),

checked as (

    select
        shares.*,
        shares.audience_share > {{ var('broadcast_max_share', 0.8) }}
        and shares.size > {{ var('broadcast_min_size', 50) }} as is_broadcast,
        case
            when shares.audience_share <= {{ var('broadcast_max_share', 0.8) }}
                or shares.size <= {{ var('broadcast_min_size', 50) }} then 'not_a_broadcast'
            when shares.broadcast_approved is null then 'not_approved'
            when shares.broadcast_approved_by is null then 'no_approver'
            when shares.approval_age_days < 0 then 'approval_in_future'
            when shares.approval_age_days > {{ var('broadcast_approval_days', 90) }} then 'approval_expired'
            else 'approved'
        end as approval_status

    from shares

)

select
    segment_name,
    tag,
    model_path,
    size,
    emailable_supporters,
    {{ engage_round('audience_share', 4) }} as audience_share,
    {{ engage_round(var('broadcast_max_share', 0.8), 4) }} as max_share,
    broadcast_approved,
    broadcast_approved_by,
    approval_age_days,
    is_broadcast,
    approval_status,
    approval_status not in ('not_a_broadcast', 'approved') as is_blocked

from checked
