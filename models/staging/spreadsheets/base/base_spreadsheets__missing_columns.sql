{#- One row per file (per sheet) and required column of its kind (seeds/canonical_columns.csv,
    required = true) that none of its headers maps to, with the headers it has and the alias
    row that would fix it. Such a file is quarantined, not fatal: its rows are rejected as
    missing_required_column and source_files names the file and the fix; every other file
    loads. The suggested header is, for a missing email column, the unknown column whose values
    look most like emails, else the unknown header that resembles the column's name, else the
    first unknown header. When a row of the file holds a header of the missing column (the
    header is below a title or notes the reader did not recognise as such), the fix is to
    delete the lines above that row: `header_row_found`. Grain: one row per file and missing
    column. -#}
{%- set raw_rows = source('spreadsheets', 'raw_rows') -%}

-- depends_on: {{ ref('header_aliases') }}
with

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where read_error is null and is_known_kind and rows_read > 0
),

headers as (
    select * from {{ ref('base_spreadsheets__headers') }}
),

kind_columns as (
    select * from {{ ref('base_spreadsheets__kind_columns') }}
),

missing as (
    select
        files.file_id,
        files.file_path,
        files.sheet_name,
        files.kind,
        kind_columns.column_name
    from files
    inner join kind_columns
        on files.kind = kind_columns.kind
            and kind_columns.required
    where not exists (
            select 1 from headers
            where headers.file_id = files.file_id
                and headers.canonical_column = kind_columns.column_name
        )
),

found_headers as (
    select
        file_id,
        {{ dbt.listagg("header", "' | '", "order by column_position") }} as headers_found
    from headers
    group by file_id
),

{# how many values of each unknown column of a file lacking its email column contain an @,
    and the first row (of the first 20) holding a header of an email column (the real header):
    one small scan per candidate column, of that file's rows only -#}
{%- set candidates = [] -%}
{%- if execute and flags.WHICH in ('run', 'build') -%}
{%- set candidate_sql -%}
        select distinct headers.file_id, headers.source_column
        from {{ ref('base_spreadsheets__headers') }} as headers
        inner join {{ ref('base_spreadsheets__files') }} as files on files.file_id = headers.file_id
        where headers.is_unknown
            and files.read_error is null
            and files.is_known_kind
            and files.rows_read > 0
            and not exists (
                select 1 from {{ ref('base_spreadsheets__headers') }} as mapped
                where mapped.file_id = headers.file_id and mapped.canonical_column = 'email'
            )
        order by 1, 2
{%- endset -%}
{%- for row in run_query(candidate_sql).rows -%}
        {%- do candidates.append((row[0], row[1])) -%}
    {%- endfor -%}
{%- endif %}
email_like_values as (
    {%- for file_id, source_column in candidates %}
    select
        '{{ file_id }}' as file_id,
        '{{ source_column }}' as source_column,
        sum(case when {{ source_column }} like '%@%' then 1 else 0 end) as email_like_values,
        min(case
            when row_number <= 20 and {{ engage_key(source_column) }} in (
                select header_key from {{ ref('header_aliases') }}
                where canonical_column = 'email' and position('%' in header_key) = 0
            ) then row_number
        end) as header_row_found
    from {{ raw_rows }}
    where file_id = '{{ file_id }}'
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as file_id,
        cast(null as {{ dbt.type_string() }}) as source_column,
        0 as email_like_values,
        cast(null as {{ dbt.type_bigint() }}) as header_row_found
    where 1 = 0
),

suggestions as (
    select
        missing.file_id,
        missing.column_name,
        headers.header_key,
        row_number() over (
            partition by missing.file_id, missing.column_name
            order by
                case
                    when missing.column_name = 'email' then coalesce(email_like_values.email_like_values, 0)
                    else 0
                end desc,
                case when headers.header_key like '%' || substr(missing.column_name, 1, 4) || '%' then 0 else 1 end,
                headers.column_position
        ) as suggestion_rank
    from missing
    inner join headers
        on missing.file_id = headers.file_id
            and headers.is_unknown
    left join email_like_values
        on headers.file_id = email_like_values.file_id
            and headers.source_column = email_like_values.source_column
),

-- a column holding an email header in a row and addresses below it: the real header row (a
-- column whose cells merely say "Email", such as a contact preference, has no addresses)
header_rows as (
    select
        file_id,
        min(case when email_like_values > 0 then header_row_found end) as header_row_found
    from email_like_values
    group by file_id
),

final as (
    select
        missing.file_id,
        missing.file_path,
        missing.sheet_name,
        missing.kind,
        missing.column_name,
        coalesce(found_headers.headers_found, '') as headers_found,
        suggestions.header_key as suggested_header_key,
        missing.kind || ','
        || coalesce(suggestions.header_key, '<header_key>') || ','
        || missing.column_name || ',1' as suggested_alias_row,
        cast(header_rows.header_row_found as {{ dbt.type_bigint() }}) as header_row_found
    from missing
    left join found_headers on missing.file_id = found_headers.file_id
    left join suggestions
        on missing.file_id = suggestions.file_id
            and missing.column_name = suggestions.column_name
            and suggestions.suggestion_rank = 1
    left join header_rows on missing.file_id = header_rows.file_id
)

select * from final
