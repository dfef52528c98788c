{#- Audience members as the sync last read them from Mailchimp; empty before the first pull. -#}

with

source as (
    {{ engage_optional_source('mailchimp_sync', 'pulled_members', [
        ('audience_id', 'string'), ('email_address', 'string'), ('subscriber_hash', 'string'),
        ('status', 'string'), ('last_changed', 'timestamp'), ('pulled_at', 'timestamp'),
    ]) }}
),

final as (
    select
        audience_id,
        {{ engage_normalise_email('email_address') }} as email,
        lower(subscriber_hash) as subscriber_hash,
        lower(status) as status,
        last_changed as last_changed_at,
        pulled_at
    from source
)

select * from final
