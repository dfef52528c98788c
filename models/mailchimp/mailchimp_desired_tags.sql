{#-
  The tags each declared Mailchimp audience should hold: one row per audience, member
  (mailchimp_desired_members, membership = 'member'), segment and tag, from the audience's
  tags model (segment_memberships) restricted to its declared segments. A tag reaches a member
  through any supporter row with the member's address. The sync validates the names (owned
  namespaces, lower-case slugs) and never touches tags outside the owned namespaces.
-#}
-- depends_on: {{ ref('mailchimp_members') }}
-- depends_on: {{ ref('segment_memberships') }}
{%- set audiences = [] -%}
{%- do mailchimp_sync_audiences(audiences) %}

with

-- read by each audience's block below; lint renders the parse-time case, with no audience
members as (  -- noqa: ST03

    select
        audience_key,
        subscriber_hash
    from {{ ref('mailchimp_desired_members') }}
    where membership = 'member'

),

{% for aud in audiences %}
{%- set tags_relation = ref(aud.tags_model) -%}
{{- mailchimp_require_columns(aud, tags_relation, aud.tags_model,
        [aud.tags_key_column, aud.segment_column, aud.tag_column]) }}
audience_{{ loop.index }}_addresses as (

    select
        cast({{ mailchimp_column(aud.key_column) }} as {{ mailchimp_text() }}) as supporter_id,
        md5(lower(trim(cast({{ mailchimp_column(aud.email_column) }} as {{ mailchimp_text() }})))) as subscriber_hash
    from {{ ref(aud.members_model) }} as src
    where {{ mailchimp_column(aud.email_column) }} is not null
        and trim(cast({{ mailchimp_column(aud.email_column) }} as {{ mailchimp_text() }})) <> ''

),

audience_{{ loop.index }}_tags as (

    select distinct
        members.audience_key,
        members.subscriber_hash,
        cast({{ mailchimp_column(aud.segment_column, 'memberships') }} as {{ mailchimp_text() }}) as segment_name,
        cast({{ mailchimp_column(aud.tag_column, 'memberships') }} as {{ mailchimp_text() }}) as tag
    from {{ tags_relation }} as memberships
    inner join audience_{{ loop.index }}_addresses as addresses
        on addresses.supporter_id = cast({{ mailchimp_column(aud.tags_key_column, 'memberships') }} as {{ mailchimp_text() }})
    inner join members
        on members.subscriber_hash = addresses.subscriber_hash
        and members.audience_key = {{ mailchimp_literal(aud.key) }}
    where {{ mailchimp_column(aud.tag_column, 'memberships') }} is not null
        {%- if aud.segments != 'all' and not aud.segments %}
        and false
        {%- elif aud.segments != 'all' %}
        and cast({{ mailchimp_column(aud.segment_column, 'memberships') }} as {{ mailchimp_text() }}) in (
            {%- for s in aud.segments -%}
                {{ mailchimp_literal(s) }}{{ ', ' if not loop.last }}
            {%- endfor -%}
        )
        {%- endif %}

),

{% endfor %}
final as (

    {% for aud in audiences -%}
    select audience_key, subscriber_hash, segment_name, tag
    from audience_{{ loop.index }}_tags
    {{ 'union all' if not loop.last }}
    {% else -%}
    select
        cast(null as {{ mailchimp_text() }}) as audience_key,
        cast(null as {{ mailchimp_text() }}) as subscriber_hash,
        cast(null as {{ mailchimp_text() }}) as segment_name,
        cast(null as {{ mailchimp_text() }}) as tag
    where false
    {%- endfor %}

)

select
    audience_key,
    subscriber_hash,
    segment_name,
    tag
from final
