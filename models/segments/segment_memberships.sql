{#-
  The targeted memberships the sync turns into Mailchimp tags: one row per
  (supporter, segment tag), only for emailable supporters, after the contact cap and the
  per-supporter segment limit. Held-out candidates are in segment_memberships_held_out.
-#}
select
    membership_id,
    supporter_id,
    segment_name,
    tag,
    reason,
    priority,
    priority_rank,
    {{ engage_as_of_date() }} as as_of_date

from {{ ref('int_segment_memberships__decided') }}
where decision = 'targeted'
