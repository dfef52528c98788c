{#-
  One row per supporter: how likely they are to act (any action, not an e-mail open or click)
  in the next var propensity_horizon_days (30) days, from the model fitted on the most recent
  complete window (docs/engagement.md §9).

  Shipped only when the backtest found a signal (propensity_backtest.verdict = 'signal'):
  otherwise probability, decile and likely_to_act stay null, so no segment or merge field
  carries a number the data cannot back. Supporters with no event on or before as_of have no
  score.
    decile          1..10 by score among everyone scored today (10 = most likely; tied
                    scores share a decile)
    likely_to_act   high (decile >= var propensity_high_min_decile, 9), medium (>= var
                    propensity_medium_min_decile, 6), low: the coarse value a merge field may carry
-#}
{%- set high = var('propensity_high_min_decile', 9) -%}
{%- set medium = var('propensity_medium_min_decile', 6) -%}
with

supporters as (

    select supporter_id from {{ ref('supporters') }}

),

predictions as (

    select * from {{ ref('int_propensity_predictions__scored') }}
    where model_name = 'current'
        and cutoff_role = 'score'

),

features as (

    select * from {{ ref('int_propensity_features__computed') }}
    where cutoff_role = 'score'

),

verdict as (

    select distinct
        verdict,
        verdict_reason
    from {{ ref('propensity_backtest') }}

),

ranked as (

    select
        predictions.supporter_id,
        predictions.score,
        predictions.probability,
        {{ engage_decile('predictions.score') }} as decile

    from predictions

),

final as (

    select
        supporters.supporter_id,
        {{ engage_as_of_date() }} as as_of_date,
        coalesce(verdict.verdict, 'no_signal') as verdict,
        coalesce(verdict.verdict = 'signal', false) and ranked.score is not null as is_shipped,
        ranked.score as propensity_score,
        case when verdict.verdict = 'signal' then ranked.probability end as probability,
        case when verdict.verdict = 'signal' then ranked.decile end as decile,
        case
            when verdict.verdict <> 'signal' or ranked.score is null then null
            when ranked.decile >= {{ high }} then 'high'
            when ranked.decile >= {{ medium }} then 'medium'
            else 'low'
        end as likely_to_act,
        {%- for feature, _ in engage_propensity_features() %}
        features.bin_{{ feature }},
        {%- endfor %}
        case
            when ranked.score is null then 'no event on or before as_of: not scored'
            when verdict.verdict = 'signal' then 'scored'
            else {{ dbt.concat(["'not shipped: '", "coalesce(verdict.verdict_reason, 'no backtest')"]) }}
        end as reason

    from supporters
    cross join verdict
    left join ranked
        on supporters.supporter_id = ranked.supporter_id
    left join features
        on supporters.supporter_id = features.supporter_id

)

select * from final
