{#- One row per file (per sheet for workbooks): what the reader found, plus the settings and
    names that apply to it (kind, day-first dates, default country, decimal separator, values parsed from the file
    name) and whether it is a re-upload of an earlier file. -#}
{%- set file_attributes = [
    'file_date', 'member_status', 'activity_type', 'campaign_name', 'petition_name',
    'event_name', 'consultation_name', 'channel', 'appeal_name',
] -%}

with

source as (
    select * from {{ source('spreadsheets', 'raw_files') }}
),

kinds as (
    select * from {{ ref('spreadsheet_kinds') }}
),

settings as (
    select * from {{ ref('file_settings') }}
),

name_rules as (
    select * from {{ ref('file_name_rules') }}
),

files as (
    select
        file_id,
        file_path,
        kind,
        file_name,
        sheet_name,
        content_hash,
        encoding,
        delimiter,
        cast(rows_read as {{ dbt.type_bigint() }}) as rows_read,
        read_error,
        read_note,
        lower(case
            when position('.' in file_name) > 0
                then substr(file_name, 1, length(file_name) - position('.' in reverse(file_name)))
            else file_name
        end) as file_stem
    from source
),

-- the most specific file_settings row (longest path_like) whose pattern matches the path
setting_matches as (
    select
        files.file_id,
        settings.day_first,
        settings.default_country,
        lower(trim(settings.decimal_separator)) as decimal_separator,
        row_number() over (
            partition by files.file_id
            order by length(settings.path_like) desc, settings.path_like
        ) as match_rank
    from files
    inner join settings on files.file_path like settings.path_like
),

-- values parsed from the file name: the best-priority matching rule per attribute
name_matches as (
    select
        files.file_id,
        name_rules.attribute,
        coalesce(
            name_rules.value,
            {{ engage_regexp_extract('files.file_stem', 'name_rules.pattern', 1) }}
        ) as attribute_value,
        row_number() over (
            partition by files.file_id, name_rules.attribute
            order by name_rules.priority asc, length(name_rules.pattern) desc, name_rules.pattern
        ) as match_rank
    from files
    inner join name_rules
        on (files.kind = name_rules.kind or name_rules.kind = '*')
            and {{ engage_regexp_like('files.file_stem', 'name_rules.pattern') }}
),

name_values as (
    select
        file_id,
    {%- for attribute in file_attributes %}
    max(case when attribute = '{{ attribute }}' then attribute_value end)
        as file_{{ attribute }}{{ "," if not loop.last }}
    {%- endfor %}
    from name_matches
    where match_rank = 1
    group by file_id
),

-- a re-uploaded file has the same decoded content as another; the shortest path is the
-- original (copies are usually named "x (1).csv", "Copy of x.csv")
copies as (
    select
        file_id,
        first_value(file_id) over (
            partition by content_hash
            order by length(file_path), file_path, coalesce(sheet_name, '')
            rows between unbounded preceding and unbounded following
        ) as original_file_id
    from files
    where read_error is null and rows_read > 0
),

final as (
    select
        -- lineage
        files.file_id,
        files.file_path,
        files.kind,
        files.file_name,
        files.file_stem,
        files.sheet_name,
        files.content_hash,
        files.encoding,
        files.delimiter,
        files.rows_read,
        files.read_error,
        files.read_note,

        -- kind and settings
        kinds.kind is not null as is_known_kind,
        kinds.staging_model,
        coalesce(kinds.rows_require_email, false) as rows_require_email,
        coalesce(setting_matches.day_first, false) as day_first,
        upper(setting_matches.default_country) as settings_country,
        upper(coalesce(setting_matches.default_country, '{{ var("default_phone_country") }}')) as default_country,

        -- values parsed from the file name
        {{ engage_parse_timestamp('name_values.file_file_date') }} as file_date,
        {%- for attribute in file_attributes if attribute != 'file_date' %}
        name_values.file_{{ attribute }},
        {%- endfor %}

        -- re-uploads
        case when copies.original_file_id <> files.file_id then copies.original_file_id end as duplicate_of_file_id,
        coalesce(copies.original_file_id <> files.file_id, false) as is_duplicate_file,

        -- how amounts are written, when configured (else detected: base_spreadsheets__decimal_separators)
        setting_matches.decimal_separator as settings_decimal_separator

    from files
    left join kinds on files.kind = kinds.kind
    left join setting_matches
        on files.file_id = setting_matches.file_id
            and setting_matches.match_rank = 1
    left join name_values on files.file_id = name_values.file_id
    left join copies on files.file_id = copies.file_id
)

select * from final
