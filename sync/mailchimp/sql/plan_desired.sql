-- The desired state of one audience, as dbt built it (mailchimp_desired_*), less what the
-- sync's own records forbid: an opt-out Mailchimp reported (pushed or pulled), a terminal
-- reject, or a merge value Mailchimp refused that has not changed since.
-- Parameters: $audience_key, $audience_id, $declared_tags (the merge tags the exposure declares).
-- Relations: {desired_members}, {desired_merge_fields}, {desired_tags}.

drop table if exists _optout;

create temporary table _optout as
select subscriber_hash, supporter_id
from {desired_members}
where audience_key = $audience_key
    and membership = 'opted_out';

drop table if exists _rejected;

create temporary table _rejected as
select subscriber_hash, reason, payload_hash
from engage_sync.sync_rejects
where audience_id = $audience_id;

drop table if exists _desired;

create temporary table _desired as
select d.subscriber_hash, d.email_address, d.supporter_id, d.payload_hash
from {desired_members} as d
where d.audience_key = $audience_key
    and d.membership = 'member'
    and d.subscriber_hash not in (
        select subscriber_hash from engage_sync.pushed_members
        where audience_id = $audience_id and status in ('unsubscribed', 'cleaned')
        union all
        select subscriber_hash from engage_sync.pulled_members
        where audience_id = $audience_id and status in ('unsubscribed', 'cleaned')
        union all
        select subscriber_hash from _rejected
        where reason in ('compliance_state', 'forgotten', 'invalid_email')
    )
    -- An invalid merge value is not retried until the values change.
    and not exists (
        select 1 from _rejected as r
        where r.subscriber_hash = d.subscriber_hash
            and r.reason = 'invalid_merge_value'
            and r.payload_hash = d.payload_hash
    );

drop table if exists _dfields;

create temporary table _dfields as
select f.subscriber_hash, f.merge_tag as tag, f.merge_value as value
from {desired_merge_fields} as f
where f.audience_key = $audience_key
    and f.merge_tag in ($declared_tags)
    and f.subscriber_hash in (select subscriber_hash from _desired);

drop table if exists _dtags;

create temporary table _dtags as
select t.subscriber_hash, min(t.tag) as tag
from {desired_tags} as t
where t.audience_key = $audience_key
    and t.subscriber_hash in (select subscriber_hash from _desired)
group by t.subscriber_hash, lower(t.tag);
