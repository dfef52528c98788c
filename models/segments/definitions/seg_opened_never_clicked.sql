{{ config(meta={
    'tag': 'seg:opened-never-clicked',
    'description': 'Received 3 or more emails in 90 days and opened at least one (not counting machine opens) but clicked none. Try a different kind of ask.',
    'priority': 70,
    'respects_contact_cap': true,
}) }}

select
    supporter_id,
    {{ dbt.concat(["cast(emails_received_90d as " ~ dbt.type_string() ~ ")", "' emails, '",
                   "cast(email_opens_90d as " ~ dbt.type_string() ~ ")", "' opens, 0 clicks in 90 days'"]) }} as reason

from {{ ref('supporter_engagement') }}
where emails_received_90d >= 3
    and email_opens_90d >= 1
    and email_clicks_90d = 0
