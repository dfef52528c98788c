{#- One row per column header of each file, mapped to the canonical column of the file's
    kind through the seed header_aliases (kind-specific before `*`, exact keys before `%`
    patterns). Unmapped headers are unknown: ignored, and counted per file in source_files. -#}

with

source as (
    select * from {{ source('spreadsheets', 'raw_headers') }}
),

files as (
    select
        file_id,
        kind
    from {{ ref('base_spreadsheets__files') }}
),

aliases as (
    select
        kind,
        header_key,
        canonical_column,
        priority,
        position('%' in header_key) > 0 as is_pattern
    from {{ ref('header_aliases') }}
),

kind_columns as (
    select * from {{ ref('base_spreadsheets__kind_columns') }}
),

headers as (
    select
        source.file_id,
        files.kind,
        cast(source.column_position as {{ dbt.type_bigint() }}) as column_position,
        source.header,
        {{ engage_key('source.header') }} as header_key
    from source
    inner join files on source.file_id = files.file_id
),

alias_matches as (
    select
        headers.file_id,
        headers.column_position,
        aliases.canonical_column,
        aliases.priority,
        aliases.header_key as matched_alias,
        row_number() over (
            partition by headers.file_id, headers.column_position
            order by
                case
                    when aliases.kind = headers.kind and not aliases.is_pattern then 1
                    when aliases.kind = '*' and not aliases.is_pattern then 2
                    when aliases.kind = headers.kind then 3
                    else 4
                end,
                length(aliases.header_key) desc,
                aliases.header_key
        ) as match_rank
    from headers
    inner join aliases
        on (headers.kind = aliases.kind or aliases.kind = '*')
            and (
                headers.header_key = aliases.header_key
                or (aliases.is_pattern and headers.header_key like aliases.header_key)
            )
),

mapped as (
    select
        headers.file_id,
        headers.kind,
        headers.column_position,
        headers.header,
        headers.header_key,
        alias_matches.matched_alias,
        kind_columns.column_name as canonical_column,
        kind_columns.data_type,
        alias_matches.priority as alias_priority,
        coalesce(alias_matches.canonical_column = '_ignored', false) as is_ignored,
        kind_columns.column_name is null
        and coalesce(alias_matches.canonical_column <> '_ignored', true) as is_unknown,
        'c' || cast(headers.column_position as {{ dbt.type_string() }}) as source_column
    from headers
    left join alias_matches
        on headers.file_id = alias_matches.file_id
            and headers.column_position = alias_matches.column_position
            and alias_matches.match_rank = 1
    left join kind_columns
        on headers.kind = kind_columns.kind
            and alias_matches.canonical_column = kind_columns.column_name
),

-- when several columns map to one canonical column, a row takes the first of them holding a
-- value, in this order: best alias priority, then leftmost
final as (
    select
        mapped.*,
        case
            when mapped.canonical_column is not null
                then row_number() over (
                        partition by mapped.file_id, mapped.canonical_column
                        order by mapped.alias_priority, mapped.column_position
                    )
        end as choice_rank
    from mapped
)

select * from final
