{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    unique_key='identifier_key',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}
{#- The supporter id registry: one row per identifier that belongs to exactly one person, with
    the supporter_id it was given. Incremental on purpose: ids minted earlier are kept when new
    files arrive, rows are reordered or people merge.
      - a person whose identifiers were seen before keeps their (oldest) id;
      - when two known people merge, the older id (first minted) wins, ties by id;
      - when a person splits, the part holding most of the old identifiers keeps the id;
      - a new person gets `sup_` + 16 hex of md5 of their smallest identifier key (email first):
        derived from content, never from row order, so a full refresh reproduces the ids.
    Identifiers of files that disappear stay in the registry, so returning people get their
    old id back. -#}
{%- set built_at = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ")" %}

with

person_identifiers as (
    select * from {{ ref('int_identity__person_keys') }}
),

previous as (
    {% if is_incremental() %}
    select
        identifier_key,
        supporter_id,
        minted_at
    from {{ this }}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as identifier_key,
        cast(null as {{ dbt.type_string() }}) as supporter_id,
        cast(null as {{ dbt.type_timestamp() }}) as minted_at
    where 1 = 0
    {% endif %}
),

claims as (
    select
        person_identifiers.component_id,
        previous.supporter_id,
        min(previous.minted_at) as minted_at,
        count(*) as identifiers_held
    from person_identifiers
    inner join previous on person_identifiers.identifier_key = previous.identifier_key
    group by person_identifiers.component_id, previous.supporter_id
),

oldest_claims as (
    select
        claims.*,
        row_number()
            over (partition by claims.component_id order by claims.minted_at, claims.supporter_id)
            as claim_rank
    from claims
),

kept_ids as (
    select
        component_id,
        supporter_id,
        minted_at,
        row_number() over (
            partition by supporter_id
            order by identifiers_held desc, component_id asc
        ) as holder_rank
    from oldest_claims
    where claim_rank = 1
),

mint_seeds as (
    select
        component_id,
        coalesce(
            min(case when identifier_type = 'email' then identifier_key end),
            min(case when identifier_type <> 'record' then identifier_key end),
            min(identifier_key)
        ) as seed_key
    from person_identifiers
    group by component_id
),

assigned as (
    select
        mint_seeds.component_id,
        case
            when kept_ids.holder_rank = 1 then kept_ids.supporter_id
            when kept_ids.component_id is not null
                then 'sup_' || substr({{ dbt.hash("'split|' || mint_seeds.seed_key") }}, 1, 16)
            else 'sup_' || substr(mint_seeds.seed_key, 1, 16)
        end as supporter_id,
        case when kept_ids.holder_rank = 1 then kept_ids.minted_at else {{ built_at }} end as minted_at
    from mint_seeds
    left join kept_ids on mint_seeds.component_id = kept_ids.component_id
),

final as (
    select
        person_identifiers.identifier_key,
        person_identifiers.identifier_type,
        assigned.supporter_id,
        assigned.minted_at,
        {{ built_at }} as last_seen_at
    from person_identifiers
    inner join assigned on person_identifiers.component_id = assigned.component_id
)

select * from final
