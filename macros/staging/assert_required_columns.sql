{#-
    Stops the build when a file lacks a required column of its kind (the seed
    canonical_columns, `required = true`), with a message naming each such file, the headers
    it has, and the row to add to seeds/header_aliases.csv. Runs at execution time through
    run_query, so it works on every adapter; called at the top of stg_spreadsheets__rows with
    the raw_rows relation. For a missing email column the suggested header is the unknown
    column whose values look most like emails.
-#}
{% macro engage_assert_required_columns(raw_rows) %}
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
        -- unknown columns of those files: candidates for the suggested alias
        suggestions as (
            select
                missing.file_id,
                missing.column_name,
                headers.header_key,
                headers.source_column,
                row_number() over (
                    partition by missing.file_id, missing.column_name
                    order by
                        case when headers.header_key like '%' || substr(missing.column_name, 1, 4) || '%' then 0 else 1 end,
                        headers.column_position
                ) as suggestion_rank
            from missing
            inner join headers
                on headers.file_id = missing.file_id
                and headers.is_unknown
        )
        select
            missing.file_path,
            coalesce(missing.sheet_name, ''),
            missing.kind,
            missing.column_name,
            coalesce(found.headers_found, ''),
            coalesce(suggestions.header_key, ''),
            missing.file_id,
            coalesce(best.candidates, '')
        from missing
        left join found on found.file_id = missing.file_id
        left join suggestions
            on suggestions.file_id = missing.file_id
            and suggestions.column_name = missing.column_name
            and suggestions.suggestion_rank = 1
        left join (
            select file_id, column_name, {{ dbt.listagg("header_key || '=' || source_column", "','", "order by suggestion_rank") }} as candidates
            from suggestions
            group by file_id, column_name
        ) as best
            on best.file_id = missing.file_id
            and best.column_name = missing.column_name
        order by missing.file_path, missing.sheet_name, missing.column_name
    {%- endset -%}
    {%- set result = run_query(missing_sql) -%}
    {%- if result.rows | length > 0 -%}
        {%- set lines = ["Required column missing: fix these files or teach the header mapper their headers."] -%}
        {%- for row in result.rows -%}
            {%- set file_label = row[0] ~ (' (sheet "' ~ row[1] ~ '")' if row[1] else '') -%}
            {%- set header_key = row[5] if row[5] else '<header_key>' -%}
            {%- if row[3] == 'email' and row[7] -%}
                {#- the unknown column with the most values that look like emails -#}
                {%- set counts = [] -%}
                {%- for candidate in row[7].split(',') -%}
                    {%- set key, column = candidate.split('=') -%}
                    {%- do counts.append("select '" ~ key ~ "' as header_key, " ~ loop.index ~ " as candidate_rank, sum(case when " ~ column ~ " like '%@%' then 1 else 0 end) as emails from " ~ raw_rows ~ " where file_id = '" ~ row[6] ~ "'") -%}
                {%- endfor -%}
                {%- set ranked = run_query("select header_key from (" ~ counts | join(" union all ") ~ ") as c where emails > 0 order by emails desc, candidate_rank limit 1") -%}
                {%- if ranked.rows | length > 0 -%}
                    {%- set header_key = ranked.rows[0][0] -%}
                {%- endif -%}
            {%- endif -%}
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
