{#-
    Spark bodies of the cross-database macros (dbt-spark, Spark 4; docs/engines.md). The
    profile's target `spark` reads string literals as DuckDB and PostgreSQL do
    (spark.sql.parser.escapedStringLiterals: a backslash is a character), so the patterns the
    models pass are unchanged; regular expressions are Java's, which read them alike.
-#}

{#- Spark's regexp_replace replaces every match (no 'g' flag; its 4th argument is a position)
    and writes backreferences as $1: a literal replacement's \1..\9 are rewritten here. -#}
{% macro spark__engage_regexp_replace(expr, pattern, replacement) -%}
    {%- set repl = replacement | replace('\\1', '$1') | replace('\\2', '$2') | replace('\\3', '$3')
        | replace('\\4', '$4') | replace('\\5', '$5') | replace('\\6', '$6') | replace('\\7', '$7')
        | replace('\\8', '$8') | replace('\\9', '$9') -%}
    regexp_replace({{ expr }}, {{ pattern }}, {{ repl }})
{%- endmacro %}

{% macro spark__engage_regexp_like(expr, pattern) -%}
    ({{ expr }} rlike {{ pattern }})
{%- endmacro %}

{#- regexp_extract gives '' when there is no match or the group did not take part. -#}
{% macro spark__engage_regexp_extract(expr, pattern, group) -%}
    nullif(regexp_extract({{ expr }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{% macro spark__engage_make_timestamp(year, month, day, hour, minute, second) -%}
    make_timestamp(
        cast({{ year }} as int), cast({{ month }} as int), cast({{ day }} as int),
        cast({{ hour }} as int), cast({{ minute }} as int), cast({{ second }} as decimal(16, 6))
    )
{%- endmacro %}

{% macro spark__engage_value_at_min_rank(value, rank) -%}
    min_by({{ value }}, {{ rank }}) filter (where {{ value }} is not null)
{%- endmacro %}

{#- dbt-spark's listagg drops the order (collect_list keeps none). The values are collected as
    (order keys..., value) structs, sorted and joined: nulls skipped, null when every value is
    null, as string_agg. `distinct x` must be ordered by x (a sorted collect_set). Spark 4's
    own `listagg ... within group` fails on distinct values (ClassCastException in
    RewriteDistinctAggregates, Spark 4.3), so it is not used. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set m = measure | trim -%}
    {%- set is_distinct = (m | lower).startswith('distinct ') -%}
    {%- if is_distinct -%}{%- set m = m[9:] | trim -%}{%- endif -%}
    {%- set keys = [] -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause | trim -%}
        {%- if not (clause | lower).startswith('order by ') or ',' in clause
            or (clause | lower).endswith(' desc') -%}
            {{ exceptions.raise_compiler_error("engage spark__listagg: only 'order by <one expression>' (ascending) is supported, got: " ~ order_by_clause) }}
        {%- endif -%}
        {%- set key = clause[9:] | trim -%}
        {%- if (key | lower).endswith(' asc') -%}{%- set key = key[:-4] | trim -%}{%- endif -%}
        {%- do keys.append(key) -%}
    {%- endif -%}
    {%- if is_distinct and keys and keys[0] != m -%}
        {{ exceptions.raise_compiler_error("engage spark__listagg: listagg(distinct x) must be ordered by x, got: " ~ order_by_clause) }}
    {%- endif -%}
    {%- if is_distinct or not keys -%}
        {%- set collected = 'array_sort(collect_set(' ~ m ~ '))' if is_distinct else 'collect_list(' ~ m ~ ')' -%}
    {%- else -%}
        {%- set collected = 'transform(array_sort(collect_list(struct(' ~ keys[0] ~ ' as k, ' ~ m ~ ' as v))), x -> x.v)' -%}
    {%- endif -%}
    {%- if limit_num -%}{%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}{%- endif -%}
    case when count({{ m }}) > 0 then array_join({{ collected }}, {{ delimiter_text }}) end
{%- endmacro %}

{#- dbt.cast, which contracts use for their declared column types: `text` and `varchar`
    (as the YAML declares them for DuckDB and PostgreSQL) are `string` in Spark. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ engage_spark_type(type) }})
{%- endmacro %}

{#- dbt-spark's split_part escapes the delimiter as '\\' || delimiter for a regular
    expression, which the profile's raw string literals read as two backslashes (and an
    index past the end fails in ANSI mode). Spark 3.3+ has split_part itself: a literal
    delimiter, '' past the last part, as in DuckDB and PostgreSQL. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{#- dbt-spark's dateadd goes through unix seconds (dropping fractions of a second) and stops
    the query on a null input (assert_not_null); Spark 3.3+'s timestampadd does neither, and
    gives a timestamp for a date or a timestamp, as DuckDB's date + interval does. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as bigint), {{ from_date_or_timestamp }})
{%- endmacro %}

{#- Boundaries crossed, as dbt's datediff counts them on DuckDB and PostgreSQL (10:59 to
    11:01 is one hour), without dbt-spark's assert_not_null, which stops the query on a null
    date instead of giving null. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart in ('hour', 'minute', 'second') -%}
        timestampdiff({{ datepart }}, date_trunc('{{ datepart }}', {{ first_date }}), date_trunc('{{ datepart }}', {{ second_date }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("engage spark__datediff: day, hour, minute or second, got " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}

{#- The text of a string literal holding `expression`. dbt-spark writes a quote as \' and
    standard SQL as '' , but the profile reads literals raw (both kept as written), so the
    quote is spliced in: 'it' || chr(39) || 's'. Callers put the result inside a literal in
    an expression (a select item or a function argument), where || binds first. -#}
{% macro spark__escape_single_quotes(expression) -%}
    {{ expression | replace("'", "' || chr(39) || '") }}
{%- endmacro %}
