-- What Mailchimp holds for one audience: what we last pushed ($basis = 'state') or what the
-- last pull saw ($basis = 'reconcile'); only declared merge fields and owned tags.
-- Parameters: $audience_id, $basis, $declared_tags. Reads _owned_namespaces (namespace), the
-- owned tag namespaces in lower case, which the caller fills first.

drop table if exists _cur_members;

create temporary table _cur_members as
select subscriber_hash, email_address, status
from engage_sync.pushed_members
where audience_id = $audience_id and $basis = 'state'
union all
select subscriber_hash, email_address, status
from engage_sync.pulled_members
where audience_id = $audience_id and $basis = 'reconcile';

drop table if exists _cur_fields;

create temporary table _cur_fields as
select subscriber_hash, tag, value
from engage_sync.pushed_merge_fields
where audience_id = $audience_id and $basis = 'state' and tag in ($declared_tags)
union all
select subscriber_hash, tag, value
from engage_sync.pulled_merge_fields
where audience_id = $audience_id and $basis = 'reconcile' and tag in ($declared_tags);

drop table if exists _cur_tags;

create temporary table _cur_tags as
select c.subscriber_hash, c.tag
from (
    select subscriber_hash, tag from engage_sync.pushed_tags
    where audience_id = $audience_id and $basis = 'state'
    union all
    select subscriber_hash, tag from engage_sync.pulled_tags
    where audience_id = $audience_id and $basis = 'reconcile'
) as c
where exists (
    select 1 from _owned_namespaces as n
    where starts_with(lower(c.tag), n.namespace)
);

-- Leave alone: members with a blocking reject; on the pushed basis also members staff
-- archived in Mailchimp since we last wrote them, or that we never wrote at all (only
-- --reconcile revives those: re-adding an archived contact un-archives it as subscribed,
-- and an opt-out it had before the archive is no longer visible to the warehouse).
drop table if exists _hold;

create temporary table _hold as
select distinct subscriber_hash
from (
    select subscriber_hash from _rejected
    where reason in ('compliance_state', 'forgotten', 'invalid_email')
    union all
    select p.subscriber_hash
    from engage_sync.pulled_members as p
    left join engage_sync.pushed_members as s
        on s.audience_id = p.audience_id and s.subscriber_hash = p.subscriber_hash
    where $basis = 'state'
        and p.audience_id = $audience_id
        and p.status = 'archived'
        and (
            s.subscriber_hash is null
            or (s.status <> 'archived' and p.last_changed >= date_trunc('second', s.updated_at))
        )
) as held;

-- Who Mailchimp has as members: ours plus (state basis) those seen by the last pull.
drop table if exists _known;

create temporary table _known as
select subscriber_hash, email_address, status
from _cur_members
union all
select subscriber_hash, email_address, status
from engage_sync.pulled_members
where $basis = 'state'
    and audience_id = $audience_id
    and subscriber_hash not in (select subscriber_hash from _cur_members);
