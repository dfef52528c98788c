-- Every alias in seeds/header_aliases.csv points at a canonical column its kind has (or
-- `_ignored`), and every kind-specific alias names a known kind.
with

aliases as (
    select * from {{ ref('header_aliases') }}
),

columns as (
    select * from {{ ref('canonical_columns') }}
),

kinds as (
    select kind from {{ ref('spreadsheet_kinds') }}
)

select
    aliases.*,
    'unknown canonical column' as problem
from aliases
where aliases.canonical_column <> '_ignored'
    and not exists (
        select 1 from columns
        where columns.column_name = aliases.canonical_column
            and (columns.kind = aliases.kind or columns.kind = '*')
    )
union all
select
    aliases.*,
    'unknown kind' as problem
from aliases
where aliases.kind <> '*'
    and aliases.kind not in (select kinds.kind from kinds)
