{#-
  Every score the "likely to act" models give (docs/engagement.md §9): one row per model,
  cutoff and supporter.

    backtest on train   its own fit rows (they define its calibration)
    backtest on test    the backtest: scored at the test cutoff, judged on what happened next
    current on test     its own fit rows (its calibration)
    current on score    everyone as of today (supporter_propensity)

  score: logit(base_rate) + the sum of the supporter's bin weights (int_propensity_weights__fitted),
  rounded to 6 decimals so equal bins give equal scores. Summed log-odds of correlated
  features are over-confident, so the probability is calibrated on the fit's own rows
  (histogram binning): the fit rows are cut into up to 10 score bins (deciles; tied scores
  stay in one bin), and a supporter's probability is the smoothed share of fit supporters in
  their score bin who acted.
-#}
{%- set m = var('propensity_smoothing', 10) -%}
with

features as (

    select * from {{ ref('int_propensity_features__computed') }}

),

weights as (

    select * from {{ ref('int_propensity_weights__fitted') }}

),

applications as (

    select
        'backtest' as model_name,
        'train' as cutoff_role,
        true as is_fit_row
    union all
    select
        'backtest' as model_name,
        'test' as cutoff_role,
        false as is_fit_row
    union all
    select
        'current' as model_name,
        'test' as cutoff_role,
        true as is_fit_row
    union all
    select
        'current' as model_name,
        'score' as cutoff_role,
        false as is_fit_row

),

fit_levels as (

    select
        model_name,
        max(intercept) as intercept,
        max(base_rate) as base_rate

    from weights
    group by model_name

),

scored as (

    -- one small hash join per feature (weights has a few dozen rows), no unpivot
    select
        applications.model_name,
        features.cutoff_role,
        applications.is_fit_row,
        features.supporter_id,
        features.acted,
        fit_levels.base_rate,
        cast({{ engage_round(
            'fit_levels.intercept'
            ~ engage_propensity_weight_terms()
        , 6) }} as {{ engage_type_double() }}) as score

    from features
    inner join applications
        on features.cutoff_role = applications.cutoff_role
    inner join fit_levels
        on applications.model_name = fit_levels.model_name
    {%- for feature, _ in engage_propensity_features() %}
    left join weights as w_{{ feature }}
        on applications.model_name = w_{{ feature }}.model_name
            and w_{{ feature }}.feature = '{{ feature }}'
            and features.bin_{{ feature }} = w_{{ feature }}.bin
    {%- endfor %}
    where fit_levels.intercept is not null

),

fit_deciles as (

    select
        model_name,
        score,
        ntile(10) over (partition by model_name order by score, supporter_id) as fit_decile

    from scored
    where is_fit_row

),

bin_uppers as (

    -- each decile's highest score; deciles that share a score collapse into one bin
    select distinct
        model_name,
        max(score) over (partition by model_name, fit_decile) as upper_score

    from fit_deciles

),

bin_edges as (

    select
        model_name,
        upper_score,
        lag(upper_score) over (partition by model_name order by upper_score) as lower_score,
        row_number() over (partition by model_name order by upper_score) as score_bin,
        count(*) over (partition by model_name) as score_bins

    from bin_uppers

),

binned as (

    -- the lowest bin is open below, the highest open above (a new score beyond the fit's range)
    select
        scored.*,
        bin_edges.score_bin

    from scored
    inner join bin_edges
        on scored.model_name = bin_edges.model_name
            and (bin_edges.lower_score is null or scored.score > bin_edges.lower_score)
            and (bin_edges.score_bin = bin_edges.score_bins or scored.score <= bin_edges.upper_score)

),

calibration as (

    select
        model_name,
        score_bin,
        {{ engage_count_if("1 = 1") }} as bin_supporters,
        {{ engage_count_if("acted") }} as bin_positives

    from binned
    where is_fit_row
    group by model_name, score_bin

),

calibrated as (

    select
        binned.model_name,
        binned.cutoff_role,
        binned.is_fit_row,
        binned.supporter_id,
        binned.acted,
        binned.score,
        binned.score_bin,
        binned.base_rate,
        (calibration.bin_positives + {{ m }} * binned.base_rate)
        / (calibration.bin_supporters + {{ m }}) as probability

    from binned
    inner join calibration
        on binned.model_name = calibration.model_name
            and binned.score_bin = calibration.score_bin

)

select * from calibrated
