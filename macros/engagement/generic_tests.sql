{#- Generic data tests used by the engagement models and seeds. -#}

{#- Fails for every row where `expression` is not true. -#}
{% test engagement_expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}

{#-
  Fails for every row whose supporter may not be e-mailed: not in supporters, not
  is_emailable, or with an e-mail status of unsubscribed, cleaned or suppressed.
-#}
{% test engagement_only_emailable_supporters(model, column_name) %}
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
{% test engagement_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Fails when the model has no rows (a segment the sample data plants must not be empty). -#}
{% test engagement_not_empty(model) %}
select 1 as no_rows
where not exists (select 1 from {{ model }})
{% endtest %}
