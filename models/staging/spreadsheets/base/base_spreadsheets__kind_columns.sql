{#- The canonical columns of every kind: the kind's own rows of the seed canonical_columns plus
    the `*` rows (shared by every kind) it does not override. Read by the header mapper and the
    required-column check. Grain: one row per (kind, column_name). -#}

with

kinds as (
    select * from {{ ref('spreadsheet_kinds') }}
),

canonical_columns as (
    select * from {{ ref('canonical_columns') }}
),

own_columns as (
    select
        kinds.kind,
        canonical_columns.column_name,
        canonical_columns.data_type,
        canonical_columns.required,
        canonical_columns.description
    from kinds
    inner join canonical_columns on kinds.kind = canonical_columns.kind
),

shared_columns as (
    select
        kinds.kind,
        canonical_columns.column_name,
        canonical_columns.data_type,
        canonical_columns.required,
        canonical_columns.description
    from kinds
    inner join canonical_columns on canonical_columns.kind = '*'
    where not exists (
            select 1
            from own_columns
            where own_columns.kind = kinds.kind
                and own_columns.column_name = canonical_columns.column_name
        )
),

final as (
    select * from own_columns
    union all
    select * from shared_columns
)

select * from final
