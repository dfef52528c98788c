{{ config(meta={
    'tag': 'seg:likely-to-act',
    'description': 'Most likely to take an action in the next 30 days (top fifth by the propensity score). Ask them first when an action is urgent. Empty when the backtest found no signal in the data.',
    'priority': 90,
    'respects_contact_cap': true,
}) }}

{#- The top deciles of supporter_propensity (likely_to_act = 'high'); that column is null
    when the backtest found no signal (propensity_backtest.verdict), so the segment is then
    empty and the catalogue says why. Lowest priority: it never takes a slot from a journey. -#}
select
    supporter_id,
    {{ dbt.concat(["'decile '", "cast(decile as " ~ dbt.type_string() ~ ")",
                   "', predicted '", "cast(" ~ engage_round('100 * probability', 0) ~ " as " ~ dbt.type_string() ~ ")",
                   "'% to act within 30 days'"]) }} as reason

from {{ ref('supporter_propensity') }}
where likely_to_act = 'high'
