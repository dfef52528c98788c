{#- What recipients of pulled campaigns did, one row per action, as the sync read it from the
    Reports API; empty before the first pull. url is null except on clicks; detail is the
    sent-to status (sent), the bounce type (bounce) or the unsubscribe reason (unsubscribe). -#}

with

source as (
    {{ engage_optional_source('mailchimp_sync', 'pulled_campaign_activity', [
        ('audience_id', 'string'), ('campaign_id', 'string'), ('subscriber_hash', 'string'),
        ('email_address', 'string'), ('action', 'string'), ('occurred_at', 'timestamp'),
        ('url', 'string'), ('detail', 'string'), ('pulled_at', 'timestamp'),
    ]) }}
),

final as (
    select
        ----------  ids
        audience_id,
        campaign_id,
        lower(subscriber_hash) as subscriber_hash,
        {{ engage_normalise_email('email_address') }} as email,

        ----------  the action
        lower(action) as action,
        occurred_at,
        nullif(url, '') as url,
        nullif(trim(detail), '') as detail,

        pulled_at
    from source
)

select * from final
