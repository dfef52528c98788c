{#-
  The fitted "likely to act" models (docs/engagement.md §9): binned log-odds (naive Bayes
  with smoothing), one row per model, feature and bin.

  Two fits: `backtest` learns from the train cutoff (labels in the h days after it) and is
  judged on the test cutoff; `current` learns from the test cutoff (the most recent complete
  window) and scores everyone as of today.

    base_rate      share of the fit's supporters who acted
    smoothed_rate  (positives + m * base_rate) / (supporters + m), m = var propensity_smoothing
    weight         logit(smoothed_rate) - logit(base_rate): how much this bin moves the
                   log-odds away from the base rate (0 for a bin the fit never saw)
  A supporter's score is logit(base_rate) + the sum of their bins' weights
  (int_propensity_predictions__scored).
-#}
{%- set m = var('propensity_smoothing', 10) -%}
with

features as (

    select * from {{ ref('int_propensity_features__computed') }}

),

fits as (

    select
        'backtest' as model_name,
        'train' as cutoff_role
    union all
    select
        'current' as model_name,
        'test' as cutoff_role

),

long_bins as (

    {{ engage_propensity_unpivot('features', "cutoff_role in ('train', 'test')") }}

),

fit_rows as (

    select
        fits.model_name,
        long_bins.supporter_id,
        long_bins.feature,
        long_bins.bin,
        case when long_bins.acted then 1 else 0 end as acted

    from long_bins
    inner join fits
        on long_bins.cutoff_role = fits.cutoff_role

),

base as (

    select
        fits.model_name,
        {{ engage_count_if("features.supporter_id is not null") }} as fit_supporters,
        {{ engage_count_if("features.acted") }} as fit_positives

    from fits
    left join features
        on fits.cutoff_role = features.cutoff_role
    group by fits.model_name

),

bin_counts as (

    select
        model_name,
        feature,
        bin,
        {{ engage_count_if("1 = 1") }} as supporters,
        cast(sum(acted) as {{ dbt.type_bigint() }}) as positives

    from fit_rows
    group by model_name, feature, bin

),

rates as (

    select
        bin_counts.model_name,
        bin_counts.feature,
        bin_counts.bin,
        bin_counts.supporters,
        bin_counts.positives,
        base.fit_supporters,
        base.fit_positives,
        cast(base.fit_positives as {{ engage_type_double() }}) / nullif(base.fit_supporters, 0)
            as base_rate,
        cast(bin_counts.positives as {{ engage_type_double() }}) / bin_counts.supporters
            as observed_rate

    from bin_counts
    inner join base
        on bin_counts.model_name = base.model_name

),

smoothed as (

    select
        rates.*,
        (rates.positives + {{ m }} * rates.base_rate) / (rates.supporters + {{ m }}) as smoothed_rate

    from rates

),

weighted as (

    select
        model_name,
        feature,
        bin,
        supporters,
        positives,
        fit_supporters,
        fit_positives,
        base_rate,
        observed_rate,
        smoothed_rate,
        case
            when base_rate > 0 and base_rate < 1
                then {{ engage_logit('smoothed_rate') }} - {{ engage_logit('base_rate') }}
            else 0
        end as weight,
        case
            when base_rate > 0 and base_rate < 1 then {{ engage_logit('base_rate') }}
        end as intercept

    from smoothed

)

select * from weighted
