-- The plan of one audience: desired (_desired, _dfields, _dtags, _optout) against current
-- (_cur_members, _cur_fields, _cur_tags, _known, _hold), written to engage_sync.plan_*.
-- Parameters: $plan_id, $audience_key, $audience_id, $new_status, $removal_policy.

delete from engage_sync.plan_members where audience_key = $audience_key;

delete from engage_sync.plan_merge_fields where audience_key = $audience_key;

delete from engage_sync.plan_tags where audience_key = $audience_key;

-- Creates: desired, and absent (or archived) in the current state.
insert into engage_sync.plan_members (
    plan_id, audience_key, audience_id, action, subscriber_hash, email_address, supporter_id,
    status, prior_status, changed_fields, merge_fields
)
select
    $plan_id, $audience_key, $audience_id, 'create', d.subscriber_hash, d.email_address,
    d.supporter_id, $new_status, c.status,
    (select string_agg(f.tag, ',' order by f.tag) from _dfields as f
     where f.subscriber_hash = d.subscriber_hash),
    coalesce((select {json_object_agg}(f.tag, f.value) from _dfields as f
              where f.subscriber_hash = d.subscriber_hash), '{}')
from _desired as d
left join _cur_members as c on c.subscriber_hash = d.subscriber_hash
where (c.subscriber_hash is null or c.status = 'archived')
    and d.subscriber_hash not in (select subscriber_hash from _hold);

-- Changed fields of existing members.
drop table if exists _changed;

create temporary table _changed as
select f.subscriber_hash, f.tag, cf.value as old_value, f.value as new_value
from _dfields as f
inner join _cur_members as c on c.subscriber_hash = f.subscriber_hash and c.status <> 'archived'
left join _cur_fields as cf on cf.subscriber_hash = f.subscriber_hash and cf.tag = f.tag
where f.value <> coalesce(cf.value, '')
    and f.subscriber_hash not in (select subscriber_hash from _hold);

insert into engage_sync.plan_members (
    plan_id, audience_key, audience_id, action, subscriber_hash, email_address, supporter_id,
    status, prior_status, changed_fields, merge_fields
)
select
    $plan_id, $audience_key, $audience_id, 'update', d.subscriber_hash, d.email_address,
    d.supporter_id, null, c.status, string_agg(ch.tag, ',' order by ch.tag),
    {json_object_agg}(ch.tag, ch.new_value)
from _changed as ch
inner join _desired as d on d.subscriber_hash = ch.subscriber_hash
inner join _cur_members as c on c.subscriber_hash = ch.subscriber_hash
group by d.subscriber_hash, d.email_address, d.supporter_id, c.status;

insert into engage_sync.plan_merge_fields (
    plan_id, audience_key, audience_id, subscriber_hash, tag, old_value, new_value
)
select $plan_id, $audience_key, $audience_id, subscriber_hash, tag, old_value, new_value
from _changed;

-- Opt-outs known to the warehouse, for members Mailchimp has as live.
insert into engage_sync.plan_members (
    plan_id, audience_key, audience_id, action, subscriber_hash, email_address, supporter_id,
    status, prior_status, changed_fields, merge_fields
)
select
    $plan_id, $audience_key, $audience_id, 'unsubscribe', kn.subscriber_hash, kn.email_address,
    o.supporter_id, 'unsubscribed', kn.status, null, null
from _known as kn
inner join _optout as o on o.subscriber_hash = kn.subscriber_hash
where kn.status in ('subscribed', 'pending')
    and kn.subscriber_hash not in (select subscriber_hash from _hold);

-- Archives (removal_policy archive): live members who left the desired state, not opted out.
insert into engage_sync.plan_members (
    plan_id, audience_key, audience_id, action, subscriber_hash, email_address, supporter_id,
    status, prior_status, changed_fields, merge_fields
)
select
    $plan_id, $audience_key, $audience_id, 'archive', c.subscriber_hash, c.email_address, null,
    null, c.status, null, null
from _cur_members as c
where $removal_policy = 'archive'
    and c.status in ('subscribed', 'pending')
    and c.subscriber_hash not in (select subscriber_hash from _desired)
    and c.subscriber_hash not in (select subscriber_hash from _hold)
    and c.subscriber_hash not in (select subscriber_hash from _optout);

-- Tags of an archived member count only when it is being revived (it keeps them in Mailchimp).
drop table if exists _live_tags;

create temporary table _live_tags as
select t.subscriber_hash, t.tag
from _cur_tags as t
inner join _cur_members as c on c.subscriber_hash = t.subscriber_hash
where c.status <> 'archived'
    or t.subscriber_hash in (select subscriber_hash from _desired);

-- Tag adds for desired members.
insert into engage_sync.plan_tags (
    plan_id, audience_key, audience_id, subscriber_hash, email_address, tag, op, reason
)
select $plan_id, $audience_key, $audience_id, t.subscriber_hash, d.email_address, t.tag, 'add',
    'segment'
from _dtags as t
inner join _desired as d on d.subscriber_hash = t.subscriber_hash
where t.subscriber_hash not in (select subscriber_hash from _hold)
    and not exists (
        select 1 from _live_tags as c
        where c.subscriber_hash = t.subscriber_hash and lower(c.tag) = lower(t.tag)
    );

-- Tag removes: owned tags no longer desired (of leavers too, unless removal_policy nothing).
insert into engage_sync.plan_tags (
    plan_id, audience_key, audience_id, subscriber_hash, email_address, tag, op, reason
)
select
    $plan_id, $audience_key, $audience_id, ct.subscriber_hash, cm.email_address, ct.tag,
    'remove',
    case
        when ct.subscriber_hash in (select subscriber_hash from _desired) then 'segment'
        when ct.subscriber_hash in (select subscriber_hash from _optout) then 'optout'
        else 'leaving'
    end
from _live_tags as ct
inner join _cur_members as cm on cm.subscriber_hash = ct.subscriber_hash
where ct.subscriber_hash not in (select subscriber_hash from _hold)
    and not exists (
        select 1 from _dtags as t
        where t.subscriber_hash = ct.subscriber_hash and lower(t.tag) = lower(ct.tag)
    )
    and (
        ct.subscriber_hash in (select subscriber_hash from _desired)
        or $removal_policy <> 'nothing'
    );
