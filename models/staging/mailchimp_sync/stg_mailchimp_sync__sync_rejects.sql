{#- Terminal per-member errors Mailchimp returned to the sync; empty before the first sync. -#}

with

source as (
    {{ engage_optional_source('mailchimp_sync', 'sync_rejects', [
        ('audience_id', 'string'), ('email_address', 'string'), ('subscriber_hash', 'string'),
        ('reason', 'string'), ('detail', 'string'), ('rejected_at', 'timestamp'),
    ]) }}
),

final as (
    select
        audience_id,
        {{ engage_normalise_email('email_address') }} as email,
        lower(subscriber_hash) as subscriber_hash,
        lower(reason) as reason,
        detail,
        rejected_at
    from source
)

select * from final
