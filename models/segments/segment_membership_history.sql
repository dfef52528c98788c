{#-
  When each supporter entered and left each segment tag, from the snapshot
  segment_memberships_snapshot (one row per stay; a supporter who leaves and comes back
  has two rows). Times are build times: the snapshot records when a build first saw the
  membership and when a later build no longer did.
-#}
select
    membership_id,
    supporter_id,
    segment_name,
    tag,
    dbt_valid_from as entered_at,
    dbt_valid_to as exited_at,
    dbt_valid_to is null as is_current

from {{ ref('segment_memberships_snapshot') }}
