{#-
  Every radio/dropdown merge value an audience should hold is one of the choices its exposure
  declares (models/mailchimp/_mailchimp__exposures.yml). Mailchimp rejects any other
  value; the sync refuses such a plan too (sync/mailchimp/plan.py validate_merge_values), and
  a failure here makes the nightly push opt-outs only. One row per audience, field and value
  outside the choices: add the value to the field's `choices` (and in Mailchimp), or fix the
  warehouse (e.g. a new next_step in seed next_step_ladder, a new issue in seed issues).
-#}
{%- set audiences = [] -%}
{%- do mailchimp_sync_audiences(audiences) -%}
{%- set checks = [] -%}
{%- for aud in audiences -%}
    {%- for f in aud.merge_fields if f.type in ('radio', 'dropdown') -%}
        {%- do checks.append((aud.key, f.tag, f.choices or [])) -%}
    {%- endfor -%}
{%- endfor %}

select
    audience_key,
    merge_tag,
    merge_value,
    count(*) as members

from {{ ref('mailchimp_desired_merge_fields') }}
where merge_value <> ''
    and (
        {%- for key, tag, choices in checks %}
        (audience_key = {{ mailchimp_literal(key) }} and merge_tag = {{ mailchimp_literal(tag) }}
            and merge_value not in (
                {%- for c in choices %}{{ mailchimp_literal(c) }}{{ ', ' if not loop.last }}{% endfor -%}
            ))
        {{- ' or' if not loop.last }}
        {%- else %}
        1 = 0
        {%- endfor %}
    )
group by audience_key, merge_tag, merge_value
