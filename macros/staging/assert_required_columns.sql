{#-
    Stops the build when a file lacks a required column of its kind (the seed
    canonical_columns, `required = true`), with a message naming each such file, the headers
    it has, and the row to add to seeds/header_aliases.csv. Runs at execution time through
    run_query, so it works on every adapter; called at the top of stg_spreadsheets__rows.
    For a missing email column the suggested header is the unknown column whose values look
    most like emails.
-#}
{% macro engage_assert_required_columns() %}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set missing_sql -%}
        with
        kind_columns as (
            {{ engage_kind_columns_sql() }}
        ),
        files as (
            select * from {{ ref('stg_spreadsheets__files') }}
            where read_error is null and is_known_kind and rows_read > 0
        ),
        headers as (
            select * from {{ ref('stg_spreadsheets__headers') }}
        ),
        missing as (
            select files.file_id, files.file_path, files.sheet_name, files.kind, kind_columns.column_name
            from files
            inner join kind_columns
                on kind_columns.kind = files.kind
                and kind_columns.required
            where not exists (
                select 1 from headers
                where headers.file_id = files.file_id
                    and headers.canonical_column = kind_columns.column_name
            )
        ),
        found as (
            select
                file_id,
                {{ dbt.listagg("header", "' | '", "order by column_position") }} as headers_found
            from headers
            group by file_id
        ),
        -- the unknown column that looks most like the missing one (for emails: most values with @)
        suggestions as (
            select
                missing.file_id,
                missing.column_name,
                headers.header_key,
                row_number() over (
                    partition by missing.file_id, missing.column_name
                    order by
                        sum(case when missing.column_name = 'email' and cells.value like '%@%' then 1 else 0 end) desc,
                        max(case when headers.header_key like '%' || substr(missing.column_name, 1, 4) || '%' then 1 else 0 end) desc,
                        headers.column_position
                ) as suggestion_rank
            from missing
            inner join headers
                on headers.file_id = missing.file_id
                and headers.is_unknown
            left join {{ ref('stg_spreadsheets__cells') }} as cells
                on cells.file_id = headers.file_id
                and cells.column_position = headers.column_position
            group by missing.file_id, missing.column_name, headers.header_key, headers.column_position
        )
        select
            missing.file_path,
            coalesce(missing.sheet_name, ''),
            missing.kind,
            missing.column_name,
            coalesce(found.headers_found, ''),
            coalesce(suggestions.header_key, '')
        from missing
        left join found on found.file_id = missing.file_id
        left join suggestions
            on suggestions.file_id = missing.file_id
            and suggestions.column_name = missing.column_name
            and suggestions.suggestion_rank = 1
        order by missing.file_path, missing.sheet_name, missing.column_name
    {%- endset -%}
    {%- set result = run_query(missing_sql) -%}
    {%- if result.rows | length > 0 -%}
        {%- set lines = ["Required column missing: fix these files or teach the header mapper their headers."] -%}
        {%- for row in result.rows -%}
            {%- set file_label = row[0] ~ (' (sheet "' ~ row[1] ~ '")' if row[1] else '') -%}
            {%- set header_key = row[5] if row[5] else '<header_key>' -%}
            {%- do lines.append('') -%}
            {%- do lines.append('File ' ~ file_label ~ ' (kind "' ~ row[2] ~ '") has no "' ~ row[3] ~ '" column.') -%}
            {%- do lines.append('  Headers found: ' ~ row[4]) -%}
            {%- do lines.append('  Add this row to seeds/header_aliases.csv (kind,header_key,canonical_column,priority):') -%}
            {%- do lines.append('    ' ~ row[2] ~ ',' ~ header_key ~ ',' ~ row[3] ~ ',1') -%}
        {%- endfor -%}
        {%- do lines.append('') -%}
        {%- do lines.append('A header key is the header lower-cased with every run of other characters as "_" (e.g. "E-mail Addr." -> e_mail_addr); use kind * to apply it to every kind. Then run dbt build again.') -%}
        {{ exceptions.raise_compiler_error(lines | join('\n')) }}
    {%- endif -%}
{% endmacro %}
