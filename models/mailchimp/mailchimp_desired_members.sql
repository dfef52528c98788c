{#-
  Who each declared Mailchimp audience should hold: one row per audience and address
  (subscriber_hash, the md5 of the lower-cased email, as Mailchimp keys members).
  membership = 'member': in the audience's scope (members.filter), emailable, and no row with
  that address opted out; the sync creates or keeps these with their merge fields and tags.
  membership = 'opted_out': some row with that address has an opt-out status
  (optout_statuses); the sync propagates it as an unsubscribe wherever Mailchimp has the
  address live. Everyone else is not wanted (the sync applies the removal policy).
  Consent is decided here, once: the sync only diffs this against what Mailchimp holds.
-#}
-- depends_on: {{ ref('mailchimp_members') }}
{%- set audiences = [] -%}
{%- do mailchimp_sync_audiences(audiences) %}

with

{% for aud in audiences %}
{%- set relation = ref(aud.members_model) -%}
{%- set needed = [aud.key_column, aud.email_column, aud.email_status_column, aud.is_emailable_column] -%}
{%- for f in aud.merge_fields -%}{%- do needed.append(f.column) -%}{%- endfor -%}
{{- mailchimp_require_columns(aud, relation, aud.members_model, needed) }}
audience_{{ loop.index }}_rows as (

    select
        {{ mailchimp_literal(aud.key) }} as audience_key,
        cast({{ mailchimp_column(aud.key_column) }} as {{ mailchimp_text() }}) as supporter_id,
        trim(cast({{ mailchimp_column(aud.email_column) }} as {{ mailchimp_text() }})) as email_address,
        lower(coalesce(cast({{ mailchimp_column(aud.email_status_column) }} as {{ mailchimp_text() }}), 'unknown'))
            as email_status,
        coalesce({{ mailchimp_to_boolean(mailchimp_column(aud.is_emailable_column)) }}, false)
            as is_emailable,
        {% if aud.filter -%}
        coalesce(({{ aud.filter }}), false)
        {%- else -%}
        true
        {%- endif %} as is_in_scope,
        lower(coalesce(cast({{ mailchimp_column(aud.email_status_column) }} as {{ mailchimp_text() }}), 'unknown')) in (
            {%- for s in aud.optout_statuses -%}
                {{ mailchimp_literal(s | lower) }}{{ ', ' if not loop.last }}
            {%- endfor -%}
        ) as is_opted_out,
        md5(
            {%- if aud.merge_fields -%}
            concat_ws('|'
                {%- for f in aud.merge_fields -%}
                , {{ mailchimp_canonical_value(f, mailchimp_column(f.column)) }}
                {%- endfor -%}
            )
            {%- else -%}
            ''
            {%- endif -%}
        ) as payload_hash

    from {{ relation }} as src
    where {{ mailchimp_column(aud.email_column) }} is not null
        and trim(cast({{ mailchimp_column(aud.email_column) }} as {{ mailchimp_text() }})) <> ''

),

{% endfor %}
audience_rows as (

    {% for aud in audiences -%}
    select
        audience_key, supporter_id, email_address, email_status, is_emailable, is_in_scope,
        is_opted_out, payload_hash
    from audience_{{ loop.index }}_rows
    {{ 'union all' if not loop.last }}
    {% else -%}
    select
        cast(null as {{ mailchimp_text() }}) as audience_key,
        cast(null as {{ mailchimp_text() }}) as supporter_id,
        cast(null as {{ mailchimp_text() }}) as email_address,
        cast(null as {{ mailchimp_text() }}) as email_status,
        cast(null as boolean) as is_emailable,
        cast(null as boolean) as is_in_scope,
        cast(null as boolean) as is_opted_out,
        cast(null as {{ mailchimp_text() }}) as payload_hash
    where false
    {%- endfor %}

),

hashed as (

    select
        audience_key,
        md5(lower(email_address)) as subscriber_hash,
        supporter_id,
        email_address,
        email_status,
        is_emailable,
        is_in_scope,
        is_opted_out,
        payload_hash
    from audience_rows

),

-- An opt-out on any row of an address wins over every other row with that address.
opted_out_addresses as (

    select
        audience_key,
        subscriber_hash,
        min(supporter_id) as supporter_id,
        {{ mailchimp_value_at_min('email_address', 'supporter_id') }} as email_address,
        {{ mailchimp_value_at_min('email_status', 'supporter_id') }} as email_status
    from hashed
    group by audience_key, subscriber_hash
    having bool_or(is_opted_out)

),

eligible as (

    select
        hashed.audience_key,
        hashed.subscriber_hash,
        hashed.supporter_id,
        hashed.email_address,
        hashed.email_status,
        hashed.payload_hash,
        row_number() over (
            partition by hashed.audience_key, hashed.subscriber_hash
            order by hashed.supporter_id
        ) as address_rank
    from hashed
    left join opted_out_addresses
        on hashed.audience_key = opted_out_addresses.audience_key
            and hashed.subscriber_hash = opted_out_addresses.subscriber_hash
    where hashed.is_in_scope
        and hashed.is_emailable
        and opted_out_addresses.subscriber_hash is null

),

members as (

    select
        audience_key,
        subscriber_hash,
        supporter_id,
        email_address,
        email_status,
        'member' as membership,
        payload_hash
    from eligible
    where address_rank = 1

),

opt_outs as (

    select
        audience_key,
        subscriber_hash,
        supporter_id,
        email_address,
        email_status,
        'opted_out' as membership,
        cast(null as {{ mailchimp_text() }}) as payload_hash
    from opted_out_addresses

),

final as (

    select
        audience_key,
        subscriber_hash,
        supporter_id,
        email_address,
        email_status,
        membership,
        payload_hash
    from members
    union all
    select
        audience_key,
        subscriber_hash,
        supporter_id,
        email_address,
        email_status,
        membership,
        payload_hash
    from opt_outs

)

select
    audience_key,
    subscriber_hash,
    supporter_id,
    email_address,
    email_status,
    membership,
    payload_hash
from final
