{#-
    The spreadsheet rows of every file with their columns renamed to canonical columns, as
    text: one `select ... from raw_rows where file_id in (...)` per distinct file layout,
    unioned. The mapping is read from `headers` (base_spreadsheets__headers) when the model
    runs, so it is plain column renaming: no per-cell rows, no pivot. When several columns of
    a file map to one canonical column, the first holding a value wins (their `choice_rank`
    order). `row_text` is every non-blank cell of the row, mapped or not, written
    `<canonical column or raw:header_key>=<value>` in that key's order and joined with chr(31):
    equal for an exact duplicate row whatever the column order of its file (the caller hashes
    it once).
      raw_rows: the raw_rows relation (file_id, row_number, c1..cN)
      headers:  the base_spreadsheets__headers relation
      columns:  canonical column names to return (each null where a file lacks it)
      with_row_text: false leaves row_text out (a model that only reads a few columns)
-#}
{% macro engage_wide_rows(raw_rows, headers, columns, with_row_text=true) -%}
    {%- set layouts = {} -%}
    {%- set layout_order = [] -%}
    {%- if execute -%}
        {%- set mapping = run_query(
            "select file_id, canonical_column, source_column, choice_rank, "
            ~ "coalesce(canonical_column, 'raw:' || header_key) as hash_key "
            ~ "from " ~ headers ~ " order by file_id, hash_key, column_position"
        ) -%}
        {%- set files = {} -%}
        {%- for row in mapping.rows -%}
            {%- set file_id, canonical, source_column, choice_rank, hash_key = row[0], row[1], row[2], row[3], row[4] -%}
            {%- if file_id not in files -%}
                {%- do files.update({file_id: {'choices': {}, 'hash': []}}) -%}
            {%- endif -%}
            {%- set file = files[file_id] -%}
            {%- do file['hash'].append("'" ~ hash_key ~ "=' || " ~ source_column) -%}
            {%- if canonical is not none and canonical in columns -%}
                {%- do file['choices'].setdefault(canonical, []).append((choice_rank | int, source_column)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for file_id, file in files.items() -%}
            {%- set exprs = [] -%}
            {%- for name in columns -%}
                {%- set picked = file['choices'].get(name, []) | sort -%}
                {%- if picked | length == 0 -%}
                    {%- do exprs.append("cast(null as " ~ dbt.type_string() ~ ")") -%}
                {%- elif picked | length == 1 -%}
                    {%- do exprs.append(picked[0][1]) -%}
                {%- else -%}
                    {%- do exprs.append("coalesce(" ~ (picked | map(attribute=1) | join(", ")) ~ ")") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set layout = exprs | join(", ") ~ " | " ~ file['hash'] | join(", ") -%}
            {%- if layout not in layouts -%}
                {%- do layouts.update({layout: {'exprs': exprs, 'hash': file['hash'], 'file_ids': []}}) -%}
                {%- do layout_order.append(layout) -%}
            {%- endif -%}
            {%- do layouts[layout]['file_ids'].append(file_id) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for layout in layout_order -%}
    {%- set spec = layouts[layout] %}
    select
        file_id,
        cast(row_number as {{ dbt.type_bigint() }}) as row_number,
        {%- for name in columns %}
        {{ spec['exprs'][loop.index0] }} as {{ name }}{{ "," if with_row_text or not loop.last }}
        {%- endfor %}
        {%- if with_row_text %}
        {{ engage_concat_ws("chr(31)", spec['hash']) }} as row_text
        {%- endif %}
    from {{ raw_rows }}
    where file_id in ('{{ spec['file_ids'] | join("', '") }}')
    {{ "union all" if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as file_id,
        cast(null as {{ dbt.type_bigint() }}) as row_number,
        {%- for name in columns %}
        cast(null as {{ dbt.type_string() }}) as {{ name }}{{ "," if with_row_text or not loop.last }}
        {%- endfor %}
        {%- if with_row_text %}
        cast(null as {{ dbt.type_string() }}) as row_text
        {%- endif %}
    where 1 = 0
    {%- endfor %}
{%- endmacro %}


{#- (column_name, data_type) of every canonical column of any kind, from the seed
    canonical_columns (`relation`), in name order; empty while dbt parses. -#}
{% macro engage_canonical_column_types(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(
        "select column_name, min(data_type) from " ~ relation ~ " group by column_name order by column_name"
    ) -%}
    {%- set pairs = [] -%}
    {%- for row in result.rows -%}
        {%- do pairs.append((row[0], row[1])) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}


{#- A canonical column's text typed by its data type (seed canonical_columns): timestamps
    (day-first when `day_first`, a SQL boolean, is true), yes/no flags, numbers and money;
    text and country cleaned; emails, names, phones and postcodes left for the row-level
    normalisers. (A model typing many timestamp columns runs the three steps of
    engage_parse_timestamp in their own CTEs instead, as base_spreadsheets__rows does.) Money is
    read with `decimal_separator` (a SQL expression, 'comma' or 'dot') when given. -#}
{% macro engage_typed_value(expr, data_type, day_first='false', decimal_separator=none) -%}
    {%- if data_type in ('text', 'country') -%}
        {{ engage_clean_text(expr) }}
    {%- elif data_type == 'timestamp' -%}
        {{ engage_parse_timestamp(expr, day_first) }}
    {%- elif data_type == 'flag' -%}
        {{ engage_parse_flag(expr) }}
    {%- elif data_type == 'money' -%}
        {{ engage_parse_money(expr, decimal_separator) }}
    {%- elif data_type == 'integer' -%}
        {{ engage_safe_integer(expr) }}
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}


{#- The canonical columns every kind's rows carry (the seed canonical_columns' `*` rows, plus
    Mailchimp's geo-IP country, which every row's country inference reads); the others belong
    to one kind. -#}
{% macro engage_shared_column_names() -%}
    {{ return([
        'email', 'first_name', 'last_name', 'full_name', 'phone', 'address', 'city', 'state',
        'postcode', 'country', 'county', 'district', 'occurred_at', 'campaign_name', 'source_code',
        'tags', 'external_id', 'email_opt_in', 'email_opt_in_at', 'subscription_status',
        'subscription_at', 'sms_status', 'email_suppressed', 'volunteer_interest', 'geo_country',
    ]) }}
{%- endmacro %}
