{#-
    What the Spark target (dbt-spark, profile target `spark`) needs besides the models:
    raw tables over Parquet, and seeds loaded faithfully (docs/engines.md).
-#}

{#- The raw tables (raw_files, raw_headers, raw_rows) as Parquet tables over `path`/<table>/
    (e.g. written by DuckDB from a built warehouse: tests/spark_build.py export_raw_parquet).
    dbt run-operation engage_spark_load_raw --args '{path: /abs/raw_parquet}' --target spark -#}
{% macro engage_spark_load_raw(path, schema='raw') -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- for table in ['raw_files', 'raw_headers', 'raw_rows'] -%}
        {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
        {%- do run_query('create table ' ~ schema ~ '.' ~ table ~ " using parquet location '"
            ~ path ~ '/' ~ table ~ "'") -%}
        {%- do log('engage: ' ~ schema ~ '.' ~ table ~ ' over ' ~ path ~ '/' ~ table, info=true) -%}
    {%- endfor -%}
{%- endmacro %}

{#- A seed's declared column type in Spark's words (seed YAML uses varchar and double
    precision, which DuckDB and PostgreSQL accept and Spark does not). -#}
{% macro engage_spark_type(type) -%}
    {%- set t = (type | string | lower | trim) -%}
    {%- if t in ('varchar', 'text', 'character varying') -%}string
    {%- elif t in ('double precision', 'float8') -%}double
    {%- else -%}{{ type }}
    {%- endif -%}
{%- endmacro %}

{#- A value as a Spark SQL literal. The profile reads string literals raw (a backslash and a
    doubled quote are kept as they are), so a quote is spliced in with chr(39). -#}
{% macro engage_spark_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- else -%}('{{ value | string | replace("'", "' || chr(39) || '") }}')
    {%- endif -%}
{%- endmacro %}

{#- dbt-spark's session method binds seed values as '<value>': a null becomes the text 'None'
    and a quote breaks the statement. Values are written as literals here instead. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(engage_spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ engage_spark_literal(value) }} as {{ types[loop.index0] }}){{ ", " if not loop.last }}
                {%- endfor -%}){{ "," if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set sql -%}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set type = engage_spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
                {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ type }}{{ ", " if not loop.last }}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
    {%- endset -%}
    {%- call statement('_') -%}{{ sql }}{%- endcall -%}
    {{ return(sql) }}
{% endmacro %}

{#- dbt-spark adds a contract's not_null constraints with ALTER COLUMN ... SET NOT NULL unless
    file_format says otherwise, which only Delta tables support: the models' tables here are
    Parquet, so the constraints are added only when file_format is delta. -#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced and config.get('file_format') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- endif -%}
{% endmacro %}
