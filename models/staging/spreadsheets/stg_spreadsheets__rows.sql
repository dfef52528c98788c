{{ config(materialized='table') }}
{#- One row per spreadsheet row read (accepted or not): lineage, the columns every kind shares
    (person, place, consent, campaign), normalised, and why the row is rejected, if it is.
    Rejects: unknown_kind, duplicate_file, duplicate_row, invalid_email, missing_email (kinds
    keyed on email), no_identity (no email, phone or name). Per-kind staging models take the
    accepted rows from here. Stops the build first if a file lacks a required column. -#}
{%- do engage_assert_required_columns() -%}
{%- set shared_columns = [
    ('email', 'email'), ('first_name', 'name'), ('last_name', 'name'), ('full_name', 'name'),
    ('phone', 'phone'), ('address', 'text'), ('city', 'text'), ('state', 'text'),
    ('postcode', 'postcode'), ('country', 'country'), ('county', 'text'), ('district', 'text'),
    ('occurred_at', 'timestamp'), ('campaign_name', 'text'), ('source_code', 'text'),
    ('tags', 'text'), ('external_id', 'text'),
    ('email_opt_in', 'flag'), ('email_opt_in_at', 'timestamp'),
    ('subscription_status', 'text'), ('subscription_at', 'timestamp'), ('sms_status', 'text'),
    ('email_suppressed', 'flag'), ('volunteer_interest', 'flag'),
    ('geo_country', 'text'),
] -%}
{%- set file_attributes = [
    'file_member_status', 'file_activity_type', 'file_campaign_name', 'file_petition_name',
    'file_event_name', 'file_consultation_name', 'file_channel', 'file_appeal_name',
] -%}

-- depends_on: {{ ref('spreadsheet_kinds') }}, {{ ref('canonical_columns') }}, {{ ref('stg_spreadsheets__headers') }}
with

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
),

cells as (
    select * from {{ ref('stg_spreadsheets__cells') }}
),

country_aliases as (
    select * from {{ ref('country_aliases') }}
),

phone_rules as (
    select * from {{ ref('phone_country_rules') }}
),

row_values as (
    {{ engage_pivot_cells(shared_columns) }}
),

-- every cell of the row, mapped or not, in a fixed order: equal for an exact duplicate row
row_contents as (
    select
        file_id,
        row_number,
        {{ dbt.listagg(
            "coalesce(canonical_column, 'raw:' || header_key) || '=' || value",
            "chr(31)",
            "order by coalesce(canonical_column, 'raw:' || header_key), column_position"
        ) }} as row_text
    from cells
    group by file_id, row_number
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
        {{ engage_surrogate_key(['files.kind'] + file_attributes | map('replace', 'file_', 'files.file_', 1) | list + ['files.file_date', 'row_contents.row_text']) }} as content_key,

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
        lower(row_values.subscription_status) as subscription_status,
        row_values.subscription_at,
        lower(row_values.sms_status) as sms_status,
        row_values.email_suppressed,
        row_values.volunteer_interest
    from row_values
    inner join files on files.file_id = row_values.file_id
    inner join row_contents
        on row_contents.file_id = row_values.file_id
        and row_contents.row_number = row_values.row_number
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
            case when {{ engage_regexp_like(engage_unwrap_excel('cleaned.postcode_raw'), "'^[0-9]{5}(-[0-9]{4})?$'") }} then 'US' end,
            case when length(cleaned.geo_country) = 2 then cleaned.geo_country end
        ) as row_country
    from cleaned
    left join country_aliases on country_aliases.alias = cleaned.country_key
),

file_countries as (
    select
        file_id,
        row_country as file_country,
        row_number() over (partition by file_id order by count(*) desc, row_country) as country_rank
    from row_countries
    where row_country is not null
    group by file_id, row_country
),

located as (
    select
        row_countries.*,
        coalesce(
            row_countries.row_country,
            row_countries.settings_country,
            file_countries.file_country,
            row_countries.default_country
        ) as location_country
    from row_countries
    left join file_countries
        on file_countries.file_id = row_countries.file_id
        and file_countries.country_rank = 1
),

normalised as (
    select
        located.*,
        {{ engage_first_name('located.first_name_clean', 'located.last_name_clean', 'located.full_name') }} as first_name,
        {{ engage_last_name('located.first_name_clean', 'located.last_name_clean', 'located.full_name') }} as last_name,
        {{ engage_phone_e164(
            'located.phone_raw',
            'phone_rules.calling_code',
            'phone_rules.trunk_prefix',
            'phone_rules.international_prefix',
            'phone_rules.national_number_pattern'
        ) }} as phone,
        {{ engage_postcode('located.postcode_raw', 'located.location_country') }} as postcode
    from located
    left join phone_rules on phone_rules.country_code = located.location_country
),

-- exact duplicates (same kind, same cells, same file-name values): the first copy is kept,
-- preferring original files over re-uploads, then the shortest path
ranked as (
    select
        normalised.*,
        row_number() over (
            partition by content_key
            order by is_duplicate_file, length(file_path), file_path, coalesce(sheet_name, ''), row_number
        ) as content_rank,
        first_value(file_path) over (
            partition by content_key
            order by is_duplicate_file, length(file_path), file_path, coalesce(sheet_name, ''), row_number
            rows between unbounded preceding and unbounded following
        ) as first_copy_path,
        first_value(row_number) over (
            partition by content_key
            order by is_duplicate_file, length(file_path), file_path, coalesce(sheet_name, ''), row_number
            rows between unbounded preceding and unbounded following
        ) as first_copy_row_number
    from normalised
),

judged as (
    select
        ranked.*,
        case
            when not is_known_kind then 'unknown_kind'
            when is_duplicate_file then 'duplicate_file'
            when content_rank > 1 then 'duplicate_row'
            when email_candidate is not null and email is null then 'invalid_email'
            when email is null and rows_require_email then 'missing_email'
            when email is null and phone is null and first_name is null and last_name is null then 'no_identity'
        end as reject_reason
    from ranked
),

final as (
    select
        -- lineage
        {{ engage_surrogate_key(['file_id', 'row_number']) }} as row_id,
        file_id,
        file_path,
        sheet_name,
        row_number,
        kind,
        content_key,

        -- person
        email_raw,
        email,
        first_name,
        last_name,
        full_name,
        phone,
        postcode,
        {{ engage_postcode_key('postcode') }} as postcode_key,
        country,
        location_country,
        address,
        city,
        state,
        county,
        district,

        -- the action
        occurred_at,
        campaign_name,
        source_code,
        tags,
        external_id,
        volunteer_interest,

        -- consent as written in the row
        email_opt_in,
        email_opt_in_at,
        subscription_status,
        subscription_at,
        sms_status,
        email_suppressed,

        -- verdict
        reject_reason is null as is_accepted,
        reject_reason,
        case reject_reason
            when 'unknown_kind' then 'folder "' || kind || '" is not a kind listed in seeds/spreadsheet_kinds.csv'
            when 'duplicate_file' then 'same content as file_id ' || duplicate_of_file_id
            when 'duplicate_row' then 'same as ' || first_copy_path || ' row ' || cast(first_copy_row_number as {{ dbt.type_string() }})
            when 'invalid_email' then email_raw
        end as reject_detail
    from judged
)

select * from final
