{#-
  The next step to ask of each supporter, from the seed next_step_ladder: one row per
  supporter with the first rule (lowest step_order) whose condition holds, so one broadcast
  can carry a different ask per person (merge field NEXTSTEP, conditional content
  `*|IF:NEXTSTEP=volunteer|*`). Conditions are a closed list, evaluated on actions up to
  var as_of (supporter_engagement's all-time counts):
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

    select
        supporter_id,
        petition_signatures,
        event_rsvps_unattended,
        event_attendances,
        events_hosted,
        legislator_contacts,
        story_shares,
        consultation_responses,
        volunteer_signups,
        volunteer_shifts,
        donations

    from {{ ref('supporter_engagement') }}

),

ladder as (

    select step_order, condition, next_step
    from {{ ref('next_step_ladder') }}

),

conditions as (

    select
        supporter_id,
        volunteer_shifts > 0 as volunteered,
        event_attendances > 0 or events_hosted > 0 as attended_event,
        donations > 0 as donated,
        petition_signatures > 0
            and event_rsvps_unattended + event_attendances + events_hosted
                + legislator_contacts + story_shares + consultation_responses
                + volunteer_signups + volunteer_shifts + donations = 0 as petition_only,
        event_rsvps_unattended + legislator_contacts + story_shares + consultation_responses
            + volunteer_signups > 0 as other_action

    from supporters

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
        row_number() over (partition by supporter_id order by step_order) as match_rank

    from matched

)

select
    supporter_id,
    next_step,
    condition as matched_condition,
    step_order

from ranked
where match_rank = 1
