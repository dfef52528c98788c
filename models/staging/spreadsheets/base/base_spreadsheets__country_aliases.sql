{#- Every country spelling staging understands, as a lookup key -> ISO 3166 alpha-2: the hand
    seed of local spellings (country_aliases_local) wins over the seed generated from pycountry
    and Babel (country_aliases, scripts/make_intl_seeds.py). docs/international.md. -#}
with

local_aliases as (
    select * from {{ ref('country_aliases_local') }}
),

generated_aliases as (
    select * from {{ ref('country_aliases') }}
),

final as (
    select
        alias,
        country_code,
        'local' as alias_source
    from local_aliases
    union all
    select
        alias,
        country_code,
        'generated' as alias_source
    from generated_aliases
    where not exists (
            select 1 from local_aliases
            where local_aliases.alias = generated_aliases.alias
        )
)

select * from final
