{#-
  The "likely to act in the next 30 days" model (docs/engagement.md §9): the feature bins,
  the cutoffs it is fitted and backtested on, and small SQL helpers. Every macro returns
  SQL or a constant; the models own their refs.
-#}

{#- Days after a cutoff in which an action counts as "acted" (the label window). -#}
{% macro engage_propensity_horizon() -%}
    {{- return(var('propensity_horizon_days', 30) | int) -}}
{%- endmacro %}

{#-
  The three cutoffs, as (role, days before as_of):
    train  as_of - 2h  labels in (as_of - 2h, as_of - h]: fits the backtest model
    test   as_of - h   labels in (as_of - h, as_of]: evaluates it, and fits the current model
    score  as_of       no label yet: the current model scores everyone
-#}
{% macro engage_propensity_cutoffs() -%}
    {%- set h = engage_propensity_horizon() -%}
    {{- return([('train', 2 * h), ('test', h), ('score', 0)]) -}}
{%- endmacro %}

{#-
  The binned features, as (feature, SQL bin expression over int_propensity_features__computed' count
  columns). Bins are coarse on purpose: each needs enough supporters to estimate its rate.
-#}
{% macro engage_propensity_features() -%}
    {{- return([
        ('recency',
         "case when days_since_last_action is null then 'never'"
         ~ " when days_since_last_action <= 30 then '0-30 days'"
         ~ " when days_since_last_action <= 90 then '31-90 days'"
         ~ " when days_since_last_action <= 180 then '91-180 days'"
         ~ " when days_since_last_action <= 365 then '181-365 days'"
         ~ " else 'over 365 days' end"),
        ('actions_30d',
         "case when actions_30d = 0 then '0' when actions_30d = 1 then '1' else '2+' end"),
        ('actions_90d',
         "case when actions_90d = 0 then '0' when actions_90d = 1 then '1'"
         ~ " when actions_90d <= 3 then '2-3' else '4+' end"),
        ('actions_365d',
         "case when actions_365d = 0 then '0' when actions_365d = 1 then '1'"
         ~ " when actions_365d <= 3 then '2-3' when actions_365d <= 9 then '4-9' else '10+' end"),
        ('action_kinds_365d',
         "case when action_kinds_365d = 0 then '0' when action_kinds_365d = 1 then '1'"
         ~ " when action_kinds_365d = 2 then '2' else '3+' end"),
        ('email_90d',
         "case when email_clicks_90d > 0 then 'clicked'"
         ~ " when email_opens_90d > 0 then 'opened'"
         ~ " when email_events_90d > 0 then 'received only'"
         ~ " else 'none received' end"),
        ('tenure',
         "case when tenure_days <= 90 then 'up to 90 days'"
         ~ " when tenure_days <= 365 then '91-365 days'"
         ~ " when tenure_days <= 730 then '1-2 years' else 'over 2 years' end"),
    ]) -}}
{%- endmacro %}

{#- The long form of the feature bins: one row per (cutoff_role, supporter_id, feature). -#}
{% macro engage_propensity_unpivot(relation, where='1 = 1') -%}
    {%- for feature, _ in engage_propensity_features() %}
    {% if not loop.first %}union all
    {% endif -%}
    select cutoff_role, supporter_id, '{{ feature }}' as feature, bin_{{ feature }} as bin, acted
    from {{ relation }}
    where {{ where }}
    {%- endfor %}
{%- endmacro %}

{#- " + coalesce(w_<feature>.weight, 0)" for every feature: the score's sum of bin weights
    (int_propensity_predictions__scored joins weights once per feature as w_<feature>). -#}
{% macro engage_propensity_weight_terms() -%}
    {%- for feature, _ in engage_propensity_features() -%}
        {{ " + coalesce(w_" ~ feature ~ ".weight, 0)" }}
    {%- endfor -%}
{%- endmacro %}

{#- log(p / (1 - p)); null at 0 or 1. -#}
{% macro engage_logit(p) -%}
    ln(({{ p }}) / nullif(1 - ({{ p }}), 0))
{%- endmacro %}

{#- Decile 1..10 by `expr` (10 = highest); ties share the lowest decile of their block, like
    the RFM quintiles, so two supporters with the same score never land in different deciles. -#}
{% macro engage_decile(expr, partition_by=none) -%}
    cast(case
        when 1 + floor(10 * percent_rank() over (
            {%- if partition_by %}partition by {{ partition_by }} {% endif %}order by {{ expr }})) > 10 then 10
        else 1 + floor(10 * percent_rank() over (
            {%- if partition_by %}partition by {{ partition_by }} {% endif %}order by {{ expr }}))
    end as integer)
{%- endmacro %}
