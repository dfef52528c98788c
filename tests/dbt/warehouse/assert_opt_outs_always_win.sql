-- Independent check of the consent rules on the final mart: no emailable supporter has a
-- suppression or clean (never restorable), an undated unsubscribe, or an unsubscribe that is
-- not older than an evidenced opt-in.
with

events as (
    select * from {{ ref('consent_events') }}
    where channel = 'email'
),

emailable as (
    select supporter_id from {{ ref('supporters') }}
    where is_emailable
),

latest_evidenced_opt_in as (
    select
        supporter_id,
        max(occurred_at) as opted_in_at
    from events
    where status = 'subscribed' and is_evidenced
    group by supporter_id
)

select
    emailable.supporter_id,
    events.status,
    events.occurred_at,
    latest_evidenced_opt_in.opted_in_at
from emailable
inner join events on emailable.supporter_id = events.supporter_id
left join latest_evidenced_opt_in on emailable.supporter_id = latest_evidenced_opt_in.supporter_id
where events.status in ('suppressed', 'cleaned')
    or (events.status = 'unsubscribed' and (
        events.occurred_at is null
        or latest_evidenced_opt_in.opted_in_at is null
        or events.occurred_at >= latest_evidenced_opt_in.opted_in_at
    ))
