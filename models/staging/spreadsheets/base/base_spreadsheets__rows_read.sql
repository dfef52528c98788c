{#- The base of staging (not for use outside models/staging/spreadsheets): one row per
    spreadsheet row read, with every canonical column of any kind typed (null where the row's
    file lacks it), the row's content key and the country it states or implies. Reads raw_rows
    by renaming each file's columns (no pivot). base_spreadsheets__rows normalises people and judges each row from here;
    keeping this a table lets that model read it several times without recomputing it. -#}
{%- set column_types = engage_canonical_column_types(ref('canonical_columns')) -%}
{%- set shared_names = engage_shared_column_names() -%}
{%- set parsed_types = ('timestamp', 'flag', 'money', 'integer') -%}
{%- set kind_columns = [] -%}
{%- set unparsed_checks = [] -%}
{%- for name, data_type in column_types if data_type in parsed_types -%}
    {%- do unparsed_checks.append(
        "case when row_values." ~ name ~ "__text is not null and row_values." ~ name
        ~ " is null then '" ~ name ~ "' end"
    ) -%}
{%- endfor -%}
{#- a subscription status column holding words that are no subscription status -#}
{%- do unparsed_checks.append(
    "case when row_values.subscription_status is not null and "
    ~ engage_subscription_status('row_values.subscription_status')
    ~ " is null then 'subscription_status' end"
) -%}
{%- for name, data_type in column_types if name not in shared_names -%}
    {%- do kind_columns.append((name, data_type)) -%}
{%- endfor -%}
{%- set file_attributes = [
    'file_member_status', 'file_activity_type', 'file_campaign_name', 'file_petition_name',
    'file_event_name', 'file_consultation_name', 'file_channel', 'file_appeal_name',
] -%}

-- depends_on: {{ ref('spreadsheet_kinds') }}
with

files as (
    select * from {{ ref('base_spreadsheets__files') }}
),

-- every row with its file's columns renamed to canonical columns, as text
mapped_rows as (
    {{ engage_wide_rows(
        source('spreadsheets', 'raw_rows'),
        ref('base_spreadsheets__headers'),
        column_types | map(attribute=0) | list
    ) }}
),

country_aliases as (
    select * from {{ ref('base_spreadsheets__country_aliases') }}
),

-- how each file writes the decimals of each money column: one row per file
decimal_separators as (
    -- one target while dbt parses, one per money column in a run
    select  -- noqa: LT09
        file_id
    {%- for name, data_type in column_types if data_type == 'money' %},
        max(case when column_name = '{{ name }}' then decimal_separator end) as {{ name }}__decimal_separator
        {%- endfor %}
    from {{ ref('base_spreadsheets__decimal_separators') }}
    group by file_id
),

-- dates and times in three steps, each a plain projection (see macros/normalise/dates.sql):
-- the text rewritten by its layout, then its parts, then the timestamp
timestamp_layouts as (
    select
        mapped_rows.*,
        {%- for name, data_type in column_types if data_type == 'timestamp' %}
        {{ engage_timestamp_layout('mapped_rows.' ~ name, 'files.day_first') }} as {{ name }}__layout,
        {%- endfor %}
        {%- for name, data_type in column_types if data_type == 'money' %}
        coalesce(decimal_separators.{{ name }}__decimal_separator, 'dot') as {{ name }}__decimal_separator,
        {%- endfor %}
        files.kind
    from mapped_rows
    inner join files on mapped_rows.file_id = files.file_id
    -- read by the money columns' loop above (none while dbt parses, as when SQLFluff renders)
    left join decimal_separators on mapped_rows.file_id = decimal_separators.file_id  -- noqa: ST11
),

timestamp_fields as (
    -- one target while dbt parses, one per timestamp part in a run
    select  -- noqa: LT09
        timestamp_layouts.*
    {%- for name, data_type in column_types if data_type == 'timestamp' %}
        {%- for field, expr in engage_timestamp_fields(name ~ '__layout').items() %},
        {{ expr }} as {{ name }}__{{ field }}
        {%- endfor %}
        {%- endfor %}
    from timestamp_layouts
),

-- each value typed by its column's data type (dates read day-first where the file says so,
-- amounts with the file's decimal separator)
row_values as (
    select
        file_id,
        row_number,
        row_text,
        {%- for name, data_type in column_types %}
        {%- if data_type == 'timestamp' %}
        {%- set fields = {} %}
        {%- for field in engage_timestamp_fields('x').keys() %}
        {%- do fields.update({field: name ~ '__' ~ field}) %}
        {%- endfor %}
        {{ engage_timestamp_from_fields(fields) }} as {{ name }},
        {%- elif data_type == 'money' %}
        {{ engage_typed_value(name, data_type, decimal_separator=name ~ '__decimal_separator') }} as {{ name }},
        {%- else %}
        {{ engage_typed_value(name, data_type) }} as {{ name }},
        {%- endif %}
        {%- if data_type == 'money' %}
        {{ engage_money_currency(name) }} as {{ name }}__currency,
        {%- endif %}
        {%- if data_type in parsed_types %}
        {{ name }} as {{ name }}__text,
        {%- endif %}
        {%- endfor %}
        kind
    from timestamp_fields
),

cleaned as (
    select
        row_values.file_id,
        row_values.row_number,
        files.kind,
        files.file_path,
        files.sheet_name,
        files.is_known_kind,
        files.is_duplicate_file,
        files.duplicate_of_file_id,
        files.rows_require_email,
        files.default_country,
        files.settings_country,
        {{ engage_surrogate_key(
            ['files.kind']
            + file_attributes | map('replace', 'file_', 'files.file_', 1) | list
            + ['files.file_date', 'row_values.row_text']
        ) }}
            as content_key,

        row_values.email as email_raw,
        {{ engage_email_candidate('row_values.email') }} as email_candidate,
        {{ engage_normalise_email('row_values.email') }} as email,
        {{ engage_clean_name('row_values.first_name') }} as first_name_clean,
        {{ engage_clean_name('row_values.last_name') }} as last_name_clean,
        {{ engage_clean_name('row_values.full_name') }} as full_name,
        row_values.phone as phone_raw,
        row_values.postcode as postcode_raw,
        {{ engage_key('row_values.country') }} as country_key,
        upper(row_values.geo_country) as geo_country,
        row_values.address,
        row_values.city,
        case
            when length(row_values.state) <= 3 then upper(row_values.state)
            else row_values.state
        end as state,
        row_values.county,
        upper(row_values.district) as district,
        row_values.occurred_at,
        coalesce(row_values.campaign_name, files.file_campaign_name) as campaign_name,
        row_values.source_code,
        row_values.tags,
        row_values.external_id,
        row_values.email_opt_in,
        row_values.email_opt_in_at,
        {{ engage_subscription_status('row_values.subscription_status') }} as subscription_status,
        row_values.subscription_at,
        lower(row_values.sms_status) as sms_status,
        row_values.email_suppressed,
        row_values.volunteer_interest,
        -- columns whose text could not be read as their type (a date, yes/no, a number), then
        -- the columns of one kind, typed
        nullif({{ engage_concat_ws("','", unparsed_checks) }}, '') as unparsed_columns
    {%- for name, data_type in kind_columns %},
        row_values.{{ name }}
        {%- if data_type == 'money' %},
        row_values.{{ name }}__currency
        {%- endif %}
        {%- endfor %}
    from row_values
    inner join files on row_values.file_id = files.file_id
),

-- the country a row's phone and postcode are read in: the row's own country column, else a
-- UK-shaped postcode (GB) or a 5-digit ZIP (US), else Mailchimp's geo-IP country; rows without
-- any of these take the file's setting (seed file_settings), else the most common country of
-- the file's other rows, else the var default_phone_country
row_countries as (
    select
        cleaned.*,
        coalesce(
            country_aliases.country_code,
            case when length(cleaned.country_key) = 2 then upper(cleaned.country_key) end
        ) as country,
        coalesce(
            country_aliases.country_code,
            case when length(cleaned.country_key) = 2 then upper(cleaned.country_key) end,
            case when {{ engage_uk_postcode('cleaned.postcode_raw') }} is not null then 'GB' end,
            case
                when
                    {{ engage_regexp_like(engage_unwrap_excel('cleaned.postcode_raw'), "'^[0-9]{5}(-[0-9]{4})?$'") }}
                    then 'US'
            end,
            case when length(cleaned.geo_country) = 2 then cleaned.geo_country end
        ) as row_country
    from cleaned
    left join country_aliases on cleaned.country_key = country_aliases.alias
),

final as (
    select * from row_countries
)

select * from final
