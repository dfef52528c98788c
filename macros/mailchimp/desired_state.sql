{#-
  Helpers for the Mailchimp desired-state models (models/mailchimp/mailchimp_desired_*).
  An audience is declared once, as a dbt exposure with `config.meta.engage_sync`
  (models/mailchimp/_mailchimp__exposures.yml); these macros read the declarations from
  dbt's graph so the desired state is built for every declared audience, with the defaults the
  sync's validation (sync/exposures.py) applies.
-#}

{#- Append one {key, file, spec} per exposure declaring engage_sync to `into` (sorted by name).
    The graph is only there at execution time; at parse time `into` stays empty. -#}
{% macro mailchimp_sync_audiences(into) -%}
    {%- if execute -%}
        {%- for exp in graph.exposures.values() | sort(attribute='name') -%}
            {%- set spec = ((exp.config or {}).meta or {}).engage_sync or (exp.meta or {}).engage_sync -%}
            {%- if spec -%}
                {%- set members = spec.members or {} -%}
                {%- set tags = spec.tags or {} -%}
                {%- do into.append({
                    'key': exp.name,
                    'file': exp.original_file_path,
                    'members_model': members.model,
                    'filter': members.filter,
                    'key_column': members.key or 'supporter_id',
                    'email_column': members.email or 'email',
                    'email_status_column': members.email_status or 'email_status',
                    'is_emailable_column': members.is_emailable or 'is_emailable',
                    'optout_statuses': spec.optout_statuses or ['unsubscribed', 'cleaned', 'suppressed'],
                    'merge_fields': spec.merge_fields or [],
                    'tags_model': tags.model or 'segment_memberships',
                    'tags_key_column': tags.key or 'supporter_id',
                    'segment_column': tags.segment_column or 'segment_name',
                    'tag_column': tags.tag_column or 'tag',
                    'segments': tags.segments if tags.segments is defined and tags.segments is not none else 'all',
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- Stop the build, naming the exposure, when its model lacks a declared column (unchecked
    while the model is not built yet, e.g. `dbt compile` on an empty warehouse). -#}
{% macro mailchimp_require_columns(audience, relation, model_name, needed) -%}
    {%- if execute -%}
        {%- set have = [] -%}
        {%- for col in adapter.get_columns_in_relation(relation) -%}
            {%- do have.append(col.name) -%}
        {%- endfor -%}
        {%- set missing = [] -%}
        {%- for col in needed -%}
            {%- if col not in have -%}{%- do missing.append(col) -%}{%- endif -%}
        {%- endfor -%}
        {%- if missing and have -%}
            {{ exceptions.raise_compiler_error(
                "exposure '" ~ audience.key ~ "' (" ~ audience.file ~ "): model '" ~ model_name
                ~ "' has no column(s) " ~ (missing | join(', ')) ~ "; available: "
                ~ (have | sort | join(', '))) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- SQL quoting of a text literal. -#}
{% macro mailchimp_literal(value) -%}
    {%- if target is defined and target.type == 'spark' -%}
        ('{{ value | replace("'", "' || chr(39) || '") }}')
    {%- else -%}
        '{{ value | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- The target's unbounded text type for casts (Spark's varchar needs a length). -#}
{% macro mailchimp_text() -%}
    {%- if target is defined and target.type == 'spark' -%}string{%- else -%}varchar{%- endif -%}
{%- endmacro %}

{#- A column of the declared models, quoted (Spark quotes with backticks; a double-quoted name
    is a string there). -#}
{% macro mailchimp_column(name, table='src') -%}
    {%- if target is defined and target.type == 'spark' -%}{{ table }}.`{{ name }}`{%- else -%}{{ table }}."{{ name }}"{%- endif -%}
{%- endmacro %}

{#- The canonical text of a merge-field value: what the sync stores, compares and sends
    ('' is empty). Numbers without a fraction lose their '.0'; dates are ISO; birthdays MM/DD;
    radio/dropdown values are trimmed (the sync refuses a plan with a value outside the
    declared choices); text is trimmed, made safe (mailchimp_safe_text) and cut to
    Mailchimp's 255 bytes at a character boundary. -#}
{% macro mailchimp_canonical_value(field, column_sql) -%}
    {%- set c = column_sql -%}
    {%- if field.type == 'number' -%}
        {%- set d = mailchimp_to_double(c) -%}
        coalesce(case when {{ d }} is null or {{ mailchimp_not_finite(d) }} then null
            when {{ d }} = floor({{ d }}) and abs({{ d }}) < 1e15
                then cast(cast({{ d }} as bigint) as {{ mailchimp_text() }})
            else cast({{ d }} as {{ mailchimp_text() }}) end, '')
    {%- elif field.type == 'date' -%}
        coalesce({{ mailchimp_date_text(c, 'date') }}, '')
    {%- elif field.type == 'birthday' -%}
        coalesce({{ mailchimp_date_text(c, 'birthday') }}, '')
    {%- elif field.type in ('radio', 'dropdown') -%}
        {#- Kept as they are: a value outside the declared choices must stop the plan with its
            name (sync/mailchimp/plan.py validate_merge_values), never vanish silently. -#}
        coalesce(trim(cast({{ c }} as {{ mailchimp_text() }})), '')
    {%- else -%}
        {%- set t = 'trim(cast(' ~ c ~ ' as ' ~ mailchimp_text() ~ '))' -%}
        {%- if field.type in (none, 'text') -%}
            {%- set t = mailchimp_safe_text(t) -%}
        {%- endif -%}
        coalesce(case when {{ mailchimp_bytes(t) }} <= 255 then {{ t }}
            else {{ mailchimp_cut_to_255_bytes(t) }} end, '')
    {%- endif -%}
{%- endmacro %}

{#- Text that leaves the warehouse for a Mailchimp text merge field, neutralised (docs/sync.md,
    "Values made safe"): HTML tags are removed and any stray < or > dropped, so a name cannot
    carry markup or a link into an e-mail; merge-tag delimiters `*|` and `|*` lose their pipe,
    so a value cannot open a merge tag or an *|IF:|* block; a value starting with a formula
    character (= + - @, tab, carriage return) gets a leading apostrophe, the OWASP rule for
    CSV/formula injection, so an audience export opened in a spreadsheet shows it as text.
    Only type 'text' fields: a phone (+44...) or a URL is left as it is. -#}
{% macro mailchimp_safe_text(expr) -%}
    {%- set g = "" if (target is defined and target.type == 'spark') else ", 'g'" -%}
    {%- set no_markup = "trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace("
        ~ expr ~ ", '<[^>]*>', ''" ~ g ~ "), '[<>]', ''" ~ g ~ "), '[*][|]', '*'" ~ g ~ "), '[|][*]', '*'" ~ g ~ "))" -%}
    case when {{ mailchimp_regexp_like(no_markup, "'^[-=+@\\t\\r]'") }} then {{ mailchimp_literal("'") }} || {{ no_markup }}
        else {{ no_markup }} end
{%- endmacro %}

{#- The few spellings the desired state needs that differ between DuckDB, PostgreSQL and Spark, by
    target type (not adapter.dispatch: the sync tests render these files with plain Jinja,
    where `target` is undefined and DuckDB's spelling applies). -#}
{#- A boolean from a column of any type; null when it is not one. -#}
{% macro mailchimp_to_boolean(expr) -%}
    {%- if target is defined and target.type in ('postgres', 'spark') -%}
        case lower(trim(cast({{ expr }} as {{ mailchimp_text() }})))
            when 'true' then true when 't' then true when 'yes' then true when 'y' then true
            when 'on' then true when '1' then true
            when 'false' then false when 'f' then false when 'no' then false when 'n' then false
            when 'off' then false when '0' then false
        end
    {%- else -%}
        try_cast({{ expr }} as boolean)
    {%- endif -%}
{%- endmacro %}

{#- A double from a column of any type; null when it is not a number. -#}
{% macro mailchimp_to_double(expr) -%}
    {%- if target is defined and target.type == 'spark' -%}
        {%- set t = 'trim(cast(' ~ expr ~ ' as string))' -%}
        (case when {{ t }} rlike '(?i)^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]+)?$'
            or lower({{ t }}) in ('infinity', '-infinity', 'nan')
            then cast({{ t }} as double) end)
    {%- elif target is defined and target.type == 'postgres' -%}
        {%- set t = 'trim(cast(' ~ expr ~ ' as varchar))' -%}
        (case when {{ t }} ~* '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]+)?$'
            or lower({{ t }}) in ('infinity', '-infinity', 'nan')
            then cast({{ t }} as double precision) end)
    {%- else -%}
        try_cast({{ expr }} as double)
    {%- endif -%}
{%- endmacro %}

{% macro mailchimp_not_finite(d) -%}
    {%- if target is defined and target.type == 'spark' -%}
        (isnan({{ d }}) or abs({{ d }}) = double('infinity'))
    {%- elif target is defined and target.type == 'postgres' -%}
        {{ d }} in (cast('Infinity' as double precision), cast('-Infinity' as double precision),
            cast('NaN' as double precision))
    {%- else -%}
        isinf({{ d }}) or isnan({{ d }})
    {%- endif -%}
{%- endmacro %}

{#- A date column (or ISO text) as Mailchimp's date (YYYY-MM-DD) or birthday (MM/DD) text. -#}
{% macro mailchimp_date_text(expr, kind) -%}
    {%- if target is defined and target.type == 'spark' -%}
        {%- set t = 'trim(cast(' ~ expr ~ ' as string))' -%}
        (case when {{ t }} rlike '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$'
            then date_format(try_cast(substr({{ t }}, 1, 10) as date),
                {{ "'yyyy-MM-dd'" if kind == 'date' else "'MM/dd'" }}) end)
    {%- elif target is defined and target.type == 'postgres' -%}
        {%- set t = 'trim(cast(' ~ expr ~ ' as varchar))' -%}
        (case when {{ t }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$'
            then to_char(cast(substr({{ t }}, 1, 10) as date),
                {{ "'YYYY-MM-DD'" if kind == 'date' else "'MM/DD'" }}) end)
    {%- else -%}
        strftime(try_cast({{ expr }} as date), {{ "'%Y-%m-%d'" if kind == 'date' else "'%m/%d'" }})
    {%- endif -%}
{%- endmacro %}

{#- Length in bytes (UTF-8), and the longest prefix of at most 255 bytes (whole characters). -#}
{% macro mailchimp_bytes(t) -%}
    {%- if target is defined and target.type in ('postgres', 'spark') -%}octet_length({{ t }}){%- else -%}strlen({{ t }}){%- endif -%}
{%- endmacro %}

{% macro mailchimp_cut_to_255_bytes(t) -%}
    {%- if target is defined and target.type == 'spark' -%}
        left({{ t }}, size(filter(sequence(1, 255), k -> octet_length(left({{ t }}, k)) <= 255)))
    {%- elif target is defined and target.type == 'postgres' -%}
        (select left({{ t }}, cast(max(k) as integer)) from generate_series(1, 255) as k
            where octet_length(left({{ t }}, k)) <= 255)
    {%- else -%}
        left({{ t }}, len(list_filter(range(1, 256),
            lambda k: strlen(left({{ t }}, k::bigint)) <= 255)))
    {%- endif -%}
{%- endmacro %}

{% macro mailchimp_regexp_like(expr, pattern) -%}
    {%- if target is defined and target.type == 'spark' -%}
        ({{ expr }} rlike {{ pattern }})
    {%- elif target is defined and target.type == 'postgres' -%}
        ({{ expr }} ~ {{ pattern }})
    {%- else -%}
        regexp_matches({{ expr }}, {{ pattern }})
    {%- endif -%}
{%- endmacro %}

{#- The value of the row with the smallest `order_by` in the group. -#}
{% macro mailchimp_value_at_min(value, order_by) -%}
    {%- if target is defined and target.type == 'spark' -%}
        min_by({{ value }}, {{ order_by }})
    {%- elif target is defined and target.type == 'postgres' -%}
        (array_agg({{ value }} order by {{ order_by }}))[1]
    {%- else -%}
        arg_min({{ value }}, {{ order_by }})
    {%- endif -%}
{%- endmacro %}
