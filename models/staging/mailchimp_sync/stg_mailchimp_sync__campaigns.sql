{#- Campaigns Mailchimp sent, as the sync read them from the Reports API; empty before the
    first pull. campaign_key is the key every source shares (macro engage_campaign_key). -#}

with

source as (
    {{ engage_optional_source('mailchimp_sync', 'pulled_campaigns', [
        ('audience_id', 'string'), ('campaign_id', 'string'), ('web_id', 'bigint'),
        ('title', 'string'), ('subject_line', 'string'), ('send_time', 'timestamp'),
        ('emails_sent', 'integer'), ('segment_id', 'bigint'), ('segment_text', 'string'),
        ('tag', 'string'), ('pulled_at', 'timestamp'),
    ]) }}
),

final as (
    select
        ----------  ids
        campaign_id,
        audience_id,
        web_id,
        {{ engage_campaign_key('title') }} as campaign_key,

        ----------  the message
        title as campaign_title,
        subject_line,
        send_time as sent_at,
        emails_sent,

        ----------  who it went to
        segment_id,
        segment_text,
        nullif(trim(tag), '') as tag,

        pulled_at
    from source
)

select * from final
