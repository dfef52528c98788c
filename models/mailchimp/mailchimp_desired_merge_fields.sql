{#-
  The merge-field values each declared Mailchimp audience should hold: one row per audience,
  member (mailchimp_desired_members, membership = 'member') and declared merge field, with
  the value in canonical text ('' is empty): what the sync compares with what it pushed and
  sends. Only declared fields are here, so no other field can be written.
-#}
-- depends_on: {{ ref('mailchimp_members') }}
{%- set audiences = [] -%}
{%- do mailchimp_sync_audiences(audiences) %}

with

-- read by each audience's block below; lint renders the parse-time case, with no audience
members as (  -- noqa: ST03

    select
        audience_key,
        subscriber_hash,
        supporter_id
    from {{ ref('mailchimp_desired_members') }}
    where membership = 'member'

),

{% for aud in audiences %}
audience_{{ loop.index }}_values as (

    {% for f in aud.merge_fields -%}
    select
        members.audience_key,
        members.subscriber_hash,
        {{ mailchimp_literal(f.tag) }} as merge_tag,
        {{ mailchimp_canonical_value(f, mailchimp_column(f.column)) }} as merge_value
    from members
    inner join {{ ref(aud.members_model) }} as src
        on cast({{ mailchimp_column(aud.key_column) }} as {{ mailchimp_text() }}) = members.supporter_id
    where members.audience_key = {{ mailchimp_literal(aud.key) }}
    {{ 'union all' if not loop.last }}
    {% else -%}
    select
        cast(null as {{ mailchimp_text() }}) as audience_key,
        cast(null as {{ mailchimp_text() }}) as subscriber_hash,
        cast(null as {{ mailchimp_text() }}) as merge_tag,
        cast(null as {{ mailchimp_text() }}) as merge_value
    where false
    {%- endfor %}

),

{% endfor %}
final as (

    {% for aud in audiences -%}
    select audience_key, subscriber_hash, merge_tag, merge_value
    from audience_{{ loop.index }}_values
    {{ 'union all' if not loop.last }}
    {% else -%}
    select
        cast(null as {{ mailchimp_text() }}) as audience_key,
        cast(null as {{ mailchimp_text() }}) as subscriber_hash,
        cast(null as {{ mailchimp_text() }}) as merge_tag,
        cast(null as {{ mailchimp_text() }}) as merge_value
    where false
    {%- endfor %}

)

select
    audience_key,
    subscriber_hash,
    merge_tag,
    merge_value
from final
