{#-
  Segment candidates who were not targeted, each with why: not_emailable, contact_cap (with
  the channel or channels whose cap was passed: email, sms, call or all) or segment_limit
  (see int_segment_memberships__decided). Kept so organisers can see who lost
  a slot and why; never synced.
-#}
select
    membership_id,
    supporter_id,
    segment_name,
    tag,
    reason,
    priority,
    priority_rank,
    messages_last_7d,
    held_out_reason,
    contact_cap_channels,
    held_out_detail,
    {{ engage_as_of_date() }} as as_of_date

from {{ ref('int_segment_memberships__decided') }}
where decision = 'held_out'
