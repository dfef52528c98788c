{#- Every opt-out (unsubscribed, cleaned) the sync has seen in Mailchimp, kept after the member
    is archived or deleted there; empty before the first pull. -#}

with

source as (
    {{ engage_optional_source('mailchimp_sync', 'pulled_optouts', [
        ('audience_id', 'string'), ('email_address', 'string'), ('subscriber_hash', 'string'),
        ('status', 'string'), ('observed_at', 'timestamp'),
    ]) }}
),

final as (
    select
        audience_id,
        {{ engage_normalise_email('email_address') }} as email,
        lower(subscriber_hash) as subscriber_hash,
        lower(status) as status,
        observed_at
    from source
)

select * from final
