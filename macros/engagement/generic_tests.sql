{#- Generic data tests used by the engagement models and seeds. -#}

{#- Fails for every row where `expression` is not true. -#}
{% test engage_expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}

{#-
  Fails for every row whose supporter may not be e-mailed: not in supporters, not
  is_emailable, or with an e-mail status of unsubscribed, cleaned or suppressed.
-#}
{% test engage_only_emailable_supporters(model, column_name) %}
select
    memberships.{{ column_name }},
    supporters.email_status,
    supporters.is_emailable
from {{ model }} as memberships
left join {{ ref('supporters') }} as supporters
    on memberships.{{ column_name }} = supporters.supporter_id
where supporters.supporter_id is null
    or not coalesce(supporters.is_emailable, false)
    or supporters.email_status in ('unsubscribed', 'cleaned', 'suppressed')
{% endtest %}

{#- Fails when a column combination repeats. -#}
{% test engage_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Fails when the model has no rows (a segment the sample data plants must not be empty). -#}
{% test engage_not_empty(model) %}
select 1 as no_rows
where not exists (select 1 from {{ model }})
{% endtest %}

{#-
  No batch and blast: fails for every segment tag of `model` (segment_broadcast_checks) that
  would reach more than var broadcast_max_share of the emailable audience without a valid
  approval (is_blocked). So that `dbt build` says which segment and file to fix, the failure
  is raised with one line per blocked tag once the model is built.
-#}
{% test engage_no_unapproved_broadcast(model) %}
{%- set failing -%}
select segment_name, tag, model_path, size, emailable_supporters, audience_share, max_share,
    broadcast_approved, broadcast_approved_by, approval_age_days, approval_status
from {{ model }}
where is_blocked
{%- endset -%}
{%- if execute and load_relation(model) is not none -%}
    {%- set found = run_query(failing ~ "\norder by tag") -%}
    {%- if found.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- set days = var('broadcast_approval_days', 90) -%}
        {%- for r in found.rows -%}
            {%- set why = {
                'not_approved': 'and is not approved',
                'no_approver': 'and its approval of ' ~ r['broadcast_approved'] ~ ' names no approver',
                'approval_expired': 'and its approval of ' ~ r['broadcast_approved'] ~ ' is '
                    ~ r['approval_age_days'] ~ ' days old (valid ' ~ days ~ ')',
                'approval_in_future': 'and its approval date ' ~ r['broadcast_approved'] ~ ' is after the as-of date',
            }.get(r['approval_status'], r['approval_status']) -%}
            {%- do lines.append("segment " ~ r['segment_name'] ~ " (" ~ r['model_path'] ~ "), tag "
                ~ r['tag'] ~ ", would reach " ~ r['size'] ~ " of " ~ r['emailable_supporters']
                ~ " emailable supporters (share " ~ r['audience_share'] ~ ", above broadcast_max_share "
                ~ var('broadcast_max_share', 0.8) ~ ") " ~ why) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("No batch and blast: " ~ (lines | join('; '))
            ~ ". Narrow the segment's rule, or record the approval in its config: "
            ~ "meta={'broadcast_approved': 'YYYY-MM-DD', 'broadcast_approved_by': 'who'} (valid "
            ~ days ~ " days; docs/engagement.md §5.3).") }}
    {%- endif -%}
{%- endif %}
{{ failing }}
{% endtest %}
