{#-
  The time-split backtest of the "likely to act" model (docs/engagement.md §9): the model fitted
  on the train cutoff (as_of - 2h) scores everyone at the test cutoff (as_of - h) and is judged
  on who acted in the h days after it, data it never saw.

  Rows: row_type 'metric' (one per metric: auc, base rates, counts, Brier scores, calibration
  error) and row_type 'calibration' (one per score decile of the test supporters: predicted vs
  observed rate). Every row carries the verdict:
    signal     AUC >= var propensity_min_auc (0.55) and at least var propensity_min_positives
               (20) supporters who acted and 20 who did not, in both the train and the test
               window
    no_signal  otherwise; verdict_reason says which rule failed. supporter_propensity then
               ships no number and seg:likely-to-act stays empty.

  AUC is the Mann-Whitney statistic: (sum of the positives' ranks - P(P+1)/2) / (P * N), ranks
  averaged over tied scores (a tie counts half), so 0.5 is a coin toss and 1 a perfect order.
-#}
{%- set h = engage_propensity_horizon() -%}
{%- set min_auc = var('propensity_min_auc', 0.55) -%}
{%- set min_positives = var('propensity_min_positives', 20) -%}
with

predictions as (

    select * from {{ ref('int_propensity_predictions__scored') }}

),

features as (

    select * from {{ ref('int_propensity_features__computed') }}

),

windows as (

    select
        {{ engage_count_if("cutoff_role = 'train'") }} as train_supporters,
        {{ engage_count_if("cutoff_role = 'train' and acted") }} as train_positives,
        {{ engage_count_if("cutoff_role = 'test'") }} as test_supporters,
        {{ engage_count_if("cutoff_role = 'test' and acted") }} as test_positives

    from features

),

test_rows as (

    select
        supporter_id,
        score,
        probability,
        base_rate as train_base_rate,
        case when acted then 1 else 0 end as acted

    from predictions
    where model_name = 'backtest'
        and cutoff_role = 'test'

),

ranked as (

    select
        test_rows.*,
        rank() over (order by test_rows.score)
        + (count(*) over (partition by test_rows.score) - 1) / 2.0 as score_rank,
        {{ engage_decile('score') }} as decile

    from test_rows

),

auc as (

    select
        cast(sum(acted) as {{ engage_type_double() }}) as positives,
        cast(sum(1 - acted) as {{ engage_type_double() }}) as negatives,
        (
            sum(case when acted = 1 then score_rank else 0 end)
            - sum(acted) * (sum(acted) + 1) / 2.0
        )
        / nullif(cast(sum(acted) as {{ engage_type_double() }}) * sum(1 - acted), 0) as auc,
        avg((probability - acted) * (probability - acted)) as brier,
        avg((train_base_rate - acted) * (train_base_rate - acted)) as brier_base_rate

    from ranked

),

deciles as (

    select
        decile,
        {{ engage_count_if("1 = 1") }} as supporters,
        cast(sum(acted) as {{ dbt.type_bigint() }}) as positives,
        avg(probability) as predicted_rate,
        avg(cast(acted as {{ engage_type_double() }})) as observed_rate,
        min(score) as min_score,
        max(score) as max_score

    from ranked
    group by decile

),

calibration_error as (

    -- expected calibration error: |predicted - observed| per decile, weighted by its size
    select
        sum(supporters * abs(predicted_rate - observed_rate)) / nullif(sum(supporters), 0)
            as expected_calibration_error

    from deciles

),

verdict as (

    select
        windows.*,
        auc.auc,
        auc.brier,
        auc.brier_base_rate,
        calibration_error.expected_calibration_error,
        case
            when windows.train_positives < {{ min_positives }}
                or windows.train_supporters - windows.train_positives < {{ min_positives }}
                then 'too few supporters acted (or did not) in the training window to learn from'
            when windows.test_positives < {{ min_positives }}
                or windows.test_supporters - windows.test_positives < {{ min_positives }}
                then 'too few supporters acted (or did not) in the test window to judge the model'
            when auc.auc is null or auc.auc < {{ min_auc }}
                then 'the backtest AUC is below {{ min_auc }}: the score ranks no better than chance'
        end as failed_rule

    from windows
    cross join auc
    cross join calibration_error

),

header as (

    select
        {{ engage_as_of_date() }} as as_of_date,
        cast({{ dbt.dateadd('day', -2 * h, engage_as_of_date()) }} as date) as train_cutoff,
        cast({{ dbt.dateadd('day', -h, engage_as_of_date()) }} as date) as test_cutoff,
        {{ h }} as horizon_days,
        case when verdict.failed_rule is null then 'signal' else 'no_signal' end as verdict,
        coalesce(
            verdict.failed_rule,
            'AUC at least {{ min_auc }} on at least {{ min_positives }} supporters who acted'
        ) as verdict_reason,
        verdict.*

    from verdict

),

metrics as (

    {%- set metric_columns = [
        ('auc', 'auc'),
        ('train_supporters', 'train_supporters'),
        ('train_positives', 'train_positives'),
        ('train_base_rate', 'cast(train_positives as ' ~ engage_type_double() ~ ') / nullif(train_supporters, 0)'),
        ('test_supporters', 'test_supporters'),
        ('test_positives', 'test_positives'),
        ('test_base_rate', 'cast(test_positives as ' ~ engage_type_double() ~ ') / nullif(test_supporters, 0)'),
        ('brier', 'brier'),
        ('brier_base_rate', 'brier_base_rate'),
        ('expected_calibration_error', 'expected_calibration_error'),
    ] %}
    {%- for metric, expr in metric_columns %}
    {% if not loop.first %}union all
    {% endif -%}
    select
        '{{ metric }}' as metric,
        {{ loop.index }} as metric_order,
        cast({{ expr }} as {{ engage_type_double() }}) as value

    from header
    {%- endfor %}

),

final as (

    select
        header.as_of_date,
        header.train_cutoff,
        header.test_cutoff,
        header.horizon_days,
        'metric' as row_type,
        metrics.metric,
        metrics.metric_order as row_order,
        metrics.value,
        cast(null as integer) as decile,
        cast(null as {{ dbt.type_bigint() }}) as supporters,
        cast(null as {{ dbt.type_bigint() }}) as positives,
        cast(null as {{ engage_type_double() }}) as predicted_rate,
        cast(null as {{ engage_type_double() }}) as observed_rate,
        cast(null as {{ engage_type_double() }}) as min_score,
        cast(null as {{ engage_type_double() }}) as max_score,
        header.verdict,
        header.verdict_reason

    from metrics
    cross join header

    union all

    select
        header.as_of_date,
        header.train_cutoff,
        header.test_cutoff,
        header.horizon_days,
        'calibration' as row_type,
        null as metric,
        100 + deciles.decile as row_order,
        null as value,
        deciles.decile,
        deciles.supporters,
        deciles.positives,
        deciles.predicted_rate,
        deciles.observed_rate,
        deciles.min_score,
        deciles.max_score,
        header.verdict,
        header.verdict_reason

    from deciles
    cross join header

)

select * from final
