{#- The inventory of raw files (one row per file, per sheet for workbooks): what was read,
    accepted and rejected, which headers were not understood, values that could not be read
    (per column, so rows that give no event are counted, never lost quietly), what the header
    row implied (layout_notes), read errors, and why a file was quarantined with its fix.
    For every file rows_read = rows_accepted + rows_rejected (tested). -#}
{%- set parsed_columns = [] -%}
{%- for name, data_type in engage_canonical_column_types(ref('canonical_columns')) -%}
    {%- if data_type in ('timestamp', 'flag', 'money', 'integer') or name == 'subscription_status' -%}
        {%- do parsed_columns.append(name) -%}
    {%- endif -%}
{%- endfor -%}

with

files as (
    select * from {{ ref('base_spreadsheets__files') }}
),

headers as (
    select * from {{ ref('base_spreadsheets__headers') }}
),

missing_columns as (
    select * from {{ ref('base_spreadsheets__missing_columns') }}
),

-- files lacking a required column: what is missing, what the file has, the alias rows to add
incomplete_files as (
    select
        file_id,
        'no "' || {{ dbt.listagg('column_name', "'\" or \"'", 'order by column_name') }}
        || '" column (headers found: ' || max(headers_found) || '); '
        || case
            when min(header_row_found) is not null
                then 'row ' || cast(min(header_row_found) as {{ dbt.type_string() }})
                    || ' looks like the real header: delete the lines above it (a title or notes), then build again'
            else 'add to seeds/header_aliases.csv: '
                || {{ dbt.listagg("suggested_alias_row", "'; '", "order by column_name") }}
                || ' (a header key is the header lower-cased, other characters as _), then build again'
        end
            as missing_columns_reason
    from missing_columns
    group by file_id
),

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
),

row_counts as (
    select
        file_id,
        sum(case when is_accepted then 1 else 0 end) as rows_accepted,
        sum(case when is_accepted then 0 else 1 end) as rows_rejected
    from sheet_rows
    group by file_id
),

-- accepted rows with values that could not be read, per file and set of columns (one pass over
-- the column base_spreadsheets__rows already computes), then per column on that small result
unparsed_sets as (
    select
        file_id,
        ',' || unparsed_columns || ',' as unparsed_set,
        count(*) as rows_affected,
        min(row_number) as first_row_number
    from sheet_rows
    where is_accepted and unparsed_columns is not null
    group by file_id, unparsed_columns
),

unparsed_rows as (
    select
        file_id,
        sum(rows_affected) as rows_unparsed,
        sum(case when unparsed_set like '%,occurred_at,%' then rows_affected else 0 end) as rows_unparsed_date,
        sum(case when unparsed_set like '%,amount,%' then rows_affected else 0 end) as rows_unparsed_amount
    from unparsed_sets
    group by file_id
),

unparsed_by_column as (
    {%- for name in parsed_columns %}
    select
        file_id,
        '{{ name }}' as column_name,
        sum(rows_affected) as rows_affected,
        min(first_row_number) as first_row_number
    from unparsed_sets
    where unparsed_set like '%,{{ name }},%'
    group by file_id
    {{ "union all" if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as file_id,
        cast(null as {{ dbt.type_string() }}) as column_name,
        0 as rows_affected,
        0 as first_row_number
    where 1 = 0
    {%- endfor %}
),

column_headers as (
    select
        file_id,
        canonical_column,
        {{ dbt.listagg("'\"' || header || '\"'", "', '", "order by choice_rank") }} as headers
    from headers
    where canonical_column is not null
    group by file_id, canonical_column
),

unparsed_values as (
    select
        unparsed_by_column.file_id,
        {{ dbt.listagg(
            "unparsed_by_column.column_name || ' (' || coalesce(column_headers.headers, '?') || '): ' "
            ~ "|| cast(unparsed_by_column.rows_affected as " ~ dbt.type_string() ~ ") || ' rows, first row ' "
            ~ "|| cast(unparsed_by_column.first_row_number as " ~ dbt.type_string() ~ ")",
            "'; '",
            "order by unparsed_by_column.column_name"
        ) }} as unparsed_values
    from unparsed_by_column
    left join column_headers
        on unparsed_by_column.file_id = column_headers.file_id
            and unparsed_by_column.column_name = column_headers.canonical_column
    group by unparsed_by_column.file_id
),

layouts as (
    select * from {{ ref('base_spreadsheets__file_layouts') }}
),

header_counts as (
    select
        file_id,
        count(*) as columns_found,
        sum(case when canonical_column is not null then 1 else 0 end) as columns_mapped,
        sum(case when is_unknown then 1 else 0 end) as unknown_columns,
        {{ dbt.listagg("case when is_unknown then header end", "' | '", "order by column_position") }}
            as unknown_headers
    from headers
    group by file_id
),

-- how amounts were read (comma or dot decimals), and whether configured or detected
decimal_separators as (
    select
        file_id,
        case when min(decimal_separator) = max(decimal_separator) then min(decimal_separator) else 'mixed' end
            as decimal_separator,
        case
            when max(case when separator_source = 'ambiguous' then 1 else 0 end) = 1 then 'ambiguous'
            when min(separator_source) = max(separator_source) then min(separator_source)
            else 'mixed'
        end as decimal_separator_source
    from {{ ref('base_spreadsheets__decimal_separators') }}
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
        coalesce(unparsed_rows.rows_unparsed, 0) as rows_unparsed,
        coalesce(unparsed_rows.rows_unparsed_date, 0) as rows_unparsed_date,
        coalesce(unparsed_rows.rows_unparsed_amount, 0) as rows_unparsed_amount,
        unparsed_values.unparsed_values,
        coalesce(layouts.shared_column_count, 0) as shared_column_count,
        layouts.layout_notes,
        files.is_duplicate_file,
        originals.file_path as duplicate_of_file_path,
        files.read_error,
        files.read_note,
        coalesce(files.read_error, incomplete_files.missing_columns_reason) as quarantine_reason,
        decimal_separators.decimal_separator,
        decimal_separators.decimal_separator_source
    from files
    left join row_counts on files.file_id = row_counts.file_id
    left join header_counts on files.file_id = header_counts.file_id
    left join unparsed_rows on files.file_id = unparsed_rows.file_id
    left join unparsed_values on files.file_id = unparsed_values.file_id
    left join layouts on files.file_id = layouts.file_id
    left join incomplete_files on files.file_id = incomplete_files.file_id
    left join files as originals on files.duplicate_of_file_id = originals.file_id
    left join decimal_separators on files.file_id = decimal_separators.file_id
)

select * from final
