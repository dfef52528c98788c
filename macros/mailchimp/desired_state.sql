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
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- The canonical text of a merge-field value: what the sync stores, compares and sends
    ('' is empty). Numbers without a fraction lose their '.0'; dates are ISO; birthdays MM/DD;
    radio/dropdown values are trimmed (the sync refuses a plan with a value outside the
    declared choices); text is trimmed, made safe (mailchimp_safe_text) and cut to
    Mailchimp's 255 bytes at a character boundary. -#}
{% macro mailchimp_canonical_value(field, column_sql) -%}
    {%- set c = column_sql -%}
    {%- if field.type == 'number' -%}
        {%- set d = 'try_cast(' ~ c ~ ' as double)' -%}
        coalesce(case when {{ d }} is null or isinf({{ d }}) or isnan({{ d }}) then null
            when {{ d }} = floor({{ d }}) and abs({{ d }}) < 1e15
                then cast(cast({{ d }} as bigint) as varchar)
            else cast({{ d }} as varchar) end, '')
    {%- elif field.type == 'date' -%}
        coalesce(strftime(try_cast({{ c }} as date), '%Y-%m-%d'), '')
    {%- elif field.type == 'birthday' -%}
        coalesce(strftime(try_cast({{ c }} as date), '%m/%d'), '')
    {%- elif field.type in ('radio', 'dropdown') -%}
        {#- Kept as they are: a value outside the declared choices must stop the plan with its
            name (sync/mailchimp/plan.py validate_merge_values), never vanish silently. -#}
        coalesce(trim(cast({{ c }} as varchar)), '')
    {%- else -%}
        {%- set t = 'trim(cast(' ~ c ~ ' as varchar))' -%}
        {%- if field.type in (none, 'text') -%}
            {%- set t = mailchimp_safe_text(t) -%}
        {%- endif -%}
        coalesce(case when strlen({{ t }}) <= 255 then {{ t }}
            else left({{ t }}, len(list_filter(range(1, 256),
                lambda k: strlen(left({{ t }}, k::bigint)) <= 255))) end, '')
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
    {%- set no_markup = "trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace("
        ~ expr ~ ", '<[^>]*>', '', 'g'), '[<>]', '', 'g'), '[*][|]', '*', 'g'), '[|][*]', '*', 'g'))" -%}
    case when regexp_matches({{ no_markup }}, '^[-=+@\t\r]') then '''' || {{ no_markup }}
        else {{ no_markup }} end
{%- endmacro %}
