{#-
  Features for the "likely to act" model (docs/engagement.md §9): one row per cutoff and
  supporter who had an event on or before it, with the counts and their bins as of the
  cutoff, and the label: acted (any action with counts_as_action, never an e-mail open or
  click) in the horizon days after the cutoff.

  Cutoffs (macro engage_propensity_cutoffs, h = var propensity_horizon_days):
  train = as_of - 2h, test = as_of - h, score = as_of (no label: the future is unknown).
  One aggregate over the events for the three cutoffs at once: each event joins the cutoffs
  it can describe (on or before the cutoff, or inside its label window).
-#}
{%- set h = engage_propensity_horizon() -%}
with

events as (

    select
        supporter_id,
        action_type,
        age_days,
        counts_as_action,
        counts_as_message,
        is_proxy_open

    from {{ ref('int_engagement_events__dated') }}
    where supporter_id is not null

),

cutoffs as (

    {%- for role, days_before in engage_propensity_cutoffs() %}
    {% if not loop.first %}union all
    {% endif -%}
    select
        '{{ role }}' as cutoff_role,
        {{ days_before }} as days_before_as_of,
        cast({{ dbt.dateadd('day', -days_before, engage_as_of_date()) }} as date) as cutoff_date
    {%- endfor %}

),

relative as (

    -- age relative to the cutoff: >= 0 on or before it, -h..-1 in its label window
    select
        cutoffs.cutoff_role,
        cutoffs.cutoff_date,
        events.supporter_id,
        events.action_type,
        events.age_days - cutoffs.days_before_as_of as days_before_cutoff,
        events.counts_as_action,
        events.counts_as_message,
        events.is_proxy_open

    from events
    inner join cutoffs
        on events.age_days >= cutoffs.days_before_as_of - {{ h }}

),

counted as (

    select
        cutoff_role,
        cutoff_date,
        supporter_id,
        max(case when days_before_cutoff >= 0 then days_before_cutoff end) as tenure_days,
        min(case when counts_as_action and days_before_cutoff >= 0 then days_before_cutoff end)
            as days_since_last_action,
        {{ engage_count_if("counts_as_action and days_before_cutoff between 0 and 30") }}
            as actions_30d,
        {{ engage_count_if("counts_as_action and days_before_cutoff between 0 and 90") }}
            as actions_90d,
        {{ engage_count_if("counts_as_action and days_before_cutoff between 0 and 365") }}
            as actions_365d,
        {{ engage_count_if("counts_as_message and days_before_cutoff between 0 and 90") }}
            as email_events_90d,
        {{ engage_count_if(
            "action_type = 'email_open' and not is_proxy_open and days_before_cutoff between 0 and 90"
        ) }}
            as email_opens_90d,
        {{ engage_count_if("action_type = 'email_click' and days_before_cutoff between 0 and 90") }}
            as email_clicks_90d,
        max(case
            when counts_as_action and days_before_cutoff between -{{ h }} and -1 then 1 else 0
        end) as acted_in_window

    from relative
    group by cutoff_role, cutoff_date, supporter_id

),

action_types_done as (

    -- the action types each supporter did in the 365 days before the cutoff, from the
    -- (fewer) action rows only, so no count(distinct) runs over every event
    select distinct
        cutoff_role,
        supporter_id,
        action_type

    from relative
    where counts_as_action
        and days_before_cutoff between 0 and 365

),

action_kinds as (

    select
        cutoff_role,
        supporter_id,
        count(*) as action_kinds_365d

    from action_types_done
    group by cutoff_role, supporter_id

),

joined as (

    select
        counted.cutoff_role,
        counted.cutoff_date,
        counted.supporter_id,
        counted.tenure_days,
        counted.days_since_last_action,
        counted.actions_30d,
        counted.actions_90d,
        counted.actions_365d,
        coalesce(action_kinds.action_kinds_365d, 0) as action_kinds_365d,
        counted.email_events_90d,
        counted.email_opens_90d,
        counted.email_clicks_90d,
        case
            when counted.cutoff_role = 'score' then null else counted.acted_in_window = 1
        end as acted

    from counted
    left join action_kinds
        on counted.cutoff_role = action_kinds.cutoff_role
            and counted.supporter_id = action_kinds.supporter_id
    -- a supporter exists at a cutoff once they have an event on or before it
    where counted.tenure_days is not null

),

binned as (

    select
        joined.*,
    {%- for feature, bin_sql in engage_propensity_features() %}
    {{ bin_sql }} as bin_{{ feature }}{{ "," if not loop.last }}
    {%- endfor %}

    from joined

)

select
    cutoff_role,
    cutoff_date,
    supporter_id,
    tenure_days,
    days_since_last_action,
    actions_30d,
    actions_90d,
    actions_365d,
    action_kinds_365d,
    email_events_90d,
    email_opens_90d,
    email_clicks_90d,
    {%- for feature, _ in engage_propensity_features() %}
    bin_{{ feature }},
    {%- endfor %}
    acted

from binned
