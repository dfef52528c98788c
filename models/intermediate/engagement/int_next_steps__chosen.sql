{#-
  The next step to ask of each supporter, from the seed next_step_ladder: one row per
  supporter with the first rule (lowest step_order) whose condition holds, so one broadcast
  can carry a different ask per person (merge field NEXTSTEP, conditional content
  `*|IF:NEXTSTEP=volunteer|*`). Conditions are a closed list, evaluated on every event up to
  var as_of (int_engagement_events__dated, all time; everyone in int_identity__survivorship):
    volunteered     at least one volunteer shift
    attended_event  attended or hosted an event
    donated         at least one donation
    petition_only   signed a petition and took no other kind of action (an unattended RSVP
                    or a volunteer sign-up is an action too)
    other_action    any other action: a legislator contact, story, consultation, RSVP,
                    volunteer sign-up
    default         everyone (the ladder's last rung)
  The seed orders them and names each step; a supporter matching no rule (a ladder without
  `default`) gets none.
-#}
with

supporters as (

    select supporter_id from {{ ref('int_identity__survivorship') }}

),

events as (

    select
        supporter_id,
        action_type
    from {{ ref('int_engagement_events__dated') }}

),

ladder as (

    select
        step_order,
        condition,
        next_step
    from {{ ref('next_step_ladder') }}

),

counts as (

    select
        supporter_id,
        {{ engage_count_if("action_type = 'petition_signature'") }} as petition_signatures,
        {{ engage_count_if("action_type = 'volunteer_shift'") }} as volunteer_shifts,
        {{ engage_count_if("action_type in ('event_attendance', 'event_hosted')") }} as events_attended,
        {{ engage_count_if("action_type = 'donation'") }} as donations,
        {{ engage_count_if("action_type in ('event_rsvp', 'legislator_contact', 'story_share', "
            ~ "'consultation_response', 'volunteer_signup')") }} as other_actions

    from events
    group by supporter_id

),

conditions as (

    select
        supporters.supporter_id,
        coalesce(counts.volunteer_shifts, 0) > 0 as volunteered,
        coalesce(counts.events_attended, 0) > 0 as attended_event,
        coalesce(counts.donations, 0) > 0 as donated,
        coalesce(counts.petition_signatures, 0) > 0
        and coalesce(
            counts.volunteer_shifts + counts.events_attended + counts.donations
            + counts.other_actions, 0
        ) = 0 as petition_only,
        coalesce(counts.other_actions, 0) > 0 as other_action

    from supporters
    left join counts
        on supporters.supporter_id = counts.supporter_id

),

matched as (

    select
        conditions.supporter_id,
        ladder.step_order,
        ladder.condition,
        ladder.next_step

    from conditions
    inner join ladder
        on (ladder.condition = 'volunteered' and conditions.volunteered)
            or (ladder.condition = 'attended_event' and conditions.attended_event)
            or (ladder.condition = 'donated' and conditions.donated)
            or (ladder.condition = 'petition_only' and conditions.petition_only)
            or (ladder.condition = 'other_action' and conditions.other_action)
            or ladder.condition = 'default'

),

ranked as (

    select
        matched.*,
        row_number() over (partition by matched.supporter_id order by matched.step_order) as match_rank

    from matched

)

select
    supporter_id,
    next_step,
    condition as matched_condition,
    step_order

from ranked
where match_rank = 1
