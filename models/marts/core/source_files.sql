{#- The inventory of raw files (one row per file, per sheet for workbooks): what was read,
    accepted and rejected, which headers were not understood, read errors, and why a file was
    quarantined with its fix. For every file rows_read = rows_accepted + rows_rejected (tested). -#}

with

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
),

headers as (
    select * from {{ ref('stg_spreadsheets__headers') }}
),

missing_columns as (
    select * from {{ ref('stg_spreadsheets__missing_columns') }}
),

-- files lacking a required column: what is missing, what the file has, the alias rows to add
incomplete_files as (
    select
        file_id,
        'no "' || {{ dbt.listagg('column_name', "'\" or \"'", 'order by column_name') }}
            || '" column (headers found: ' || max(headers_found) || '); add to seeds/header_aliases.csv: '
            || {{ dbt.listagg("suggested_alias_row", "'; '", "order by column_name") }}
            || ' (a header key is the header lower-cased, other characters as _), then build again'
            as missing_columns_reason
    from missing_columns
    group by file_id
),

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
),

row_counts as (
    select
        file_id,
        sum(case when is_accepted then 1 else 0 end) as rows_accepted,
        sum(case when is_accepted then 0 else 1 end) as rows_rejected
    from sheet_rows
    group by file_id
),

header_counts as (
    select
        file_id,
        count(*) as columns_found,
        sum(case when canonical_column is not null then 1 else 0 end) as columns_mapped,
        sum(case when is_unknown then 1 else 0 end) as unknown_columns,
        {{ dbt.listagg("case when is_unknown then header end", "' | '", "order by column_position") }} as unknown_headers
    from headers
    group by file_id
),

-- how amounts were read (comma or dot decimals), and whether configured or detected
decimal_separators as (
    select
        file_id,
        case when min(decimal_separator) = max(decimal_separator) then min(decimal_separator) else 'mixed' end as decimal_separator,
        case
            when max(case when separator_source = 'ambiguous' then 1 else 0 end) = 1 then 'ambiguous'
            when min(separator_source) = max(separator_source) then min(separator_source)
            else 'mixed'
        end as decimal_separator_source
    from {{ ref('stg_spreadsheets__decimal_separators') }}
    group by file_id
),

final as (
    select
        files.file_id,
        files.file_path,
        files.kind,
        files.file_name,
        files.sheet_name,
        files.content_hash,
        files.encoding,
        files.delimiter,
        files.is_known_kind,
        files.rows_read,
        coalesce(row_counts.rows_accepted, 0) as rows_accepted,
        coalesce(row_counts.rows_rejected, 0) as rows_rejected,
        coalesce(header_counts.columns_found, 0) as columns_found,
        coalesce(header_counts.columns_mapped, 0) as columns_mapped,
        coalesce(header_counts.unknown_columns, 0) as unknown_columns,
        header_counts.unknown_headers,
        files.is_duplicate_file,
        originals.file_path as duplicate_of_file_path,
        files.read_error,
        coalesce(files.read_error, incomplete_files.missing_columns_reason) as quarantine_reason,
        decimal_separators.decimal_separator,
        decimal_separators.decimal_separator_source
    from files
    left join row_counts on row_counts.file_id = files.file_id
    left join header_counts on header_counts.file_id = files.file_id
    left join incomplete_files on incomplete_files.file_id = files.file_id
    left join files as originals on originals.file_id = files.duplicate_of_file_id
    left join decimal_separators on decimal_separators.file_id = files.file_id
)

select * from final
