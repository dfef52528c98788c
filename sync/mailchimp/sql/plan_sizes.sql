-- The sizes a plan's fail-safes compare: desired members, live members Mailchimp holds (as
-- far as the basis knows) and owned tag assignments held. No parameters.
select
    (select count(*) from _desired) as desired_size,
    (select count(*) from _cur_members where status in ('subscribed', 'pending'))
        as audience_size,
    (select count(*) from _live_tags) as held_tags;
