{#- One row per spreadsheet row read (accepted or not): lineage, every canonical column of any
    kind (typed; null where the row's file lacks it; emails, names, phones and postcodes
    normalised with the row's country), and why the row is rejected, if it is.
    Rejects: unknown_kind, duplicate_file, missing_required_column (the file lacks a required
    column of its kind: base_spreadsheets__missing_columns), duplicate_row, invalid_email (an invalid address and
    no phone to reach the person by; with a phone the row is kept, email null), missing_email
    (kinds keyed on email), no_contact (no usable email, no phone and no first + last name with
    a postcode). The per-kind staging models take the accepted rows from here.
    base_spreadsheets__rows_read is read three times (rows, file countries, repeated contents) by
    ref(), not through one CTE: a CTE used three times would be copied in full. -#}
{%- set column_types = engage_canonical_column_types(ref('canonical_columns')) -%}
{%- set shared_names = engage_shared_column_names() -%}
{%- set kind_columns = [] -%}
{%- for name, data_type in column_types if name not in shared_names -%}
    {%- do kind_columns.append((name, data_type)) -%}
{%- endfor -%}

with

base_rows as (
    select * from {{ ref('base_spreadsheets__rows_read') }}
),

phone_rules as (
    select * from {{ ref('phone_country_rules') }}
),

postcode_formats as (
    select * from {{ ref('postcode_formats') }}
),

-- files lacking a required column of their kind: quarantined, every row rejected
incomplete_files as (
    select
        file_id,
        {{ dbt.listagg("column_name", "', '", "order by column_name") }} as missing_columns
    from {{ ref('base_spreadsheets__missing_columns') }}
    group by file_id
),

file_countries as (
    select
        file_id,
        row_country as file_country,
        row_number() over (partition by file_id order by count(*) desc, row_country) as country_rank
    from {{ ref('base_spreadsheets__rows_read') }}
    where row_country is not null
    group by file_id, row_country
),

located as (
    select
        base_rows.*,
        coalesce(
            base_rows.row_country,
            base_rows.settings_country,
            file_countries.file_country,
            base_rows.default_country
        ) as location_country,
        {{ engage_postcode_compact('base_rows.postcode_raw') }} as postcode_compact
    from base_rows
    left join file_countries
        on base_rows.file_id = file_countries.file_id
            and file_countries.country_rank = 1
),

normalised as (
    select
        located.*,
        {{ engage_first_name('located.first_name_clean', 'located.last_name_clean', 'located.full_name') }}
            as first_name,
        {{ engage_last_name('located.first_name_clean', 'located.last_name_clean', 'located.full_name') }} as last_name,
        {{ engage_phone_e164(
            'located.phone_raw',
            'phone_rules.calling_code',
            'phone_rules.trunk_prefix',
            'phone_rules.international_prefix',
            'phone_rules.national_number_pattern'
        ) }} as phone,
        {{ engage_postcode(
            'located.postcode_raw',
            'located.location_country',
            'postcode_formats.postcode_pattern',
            'postcode_formats.separator',
            'postcode_formats.separator_position',
            compact='located.postcode_compact'
        ) }} as postcode
    from located
    left join phone_rules on located.location_country = phone_rules.country_code
    left join postcode_formats on located.location_country = postcode_formats.country_code
),

-- exact duplicates (same kind, same cells, same file-name values): the first copy is kept,
-- preferring original files over re-uploads, then the shortest path. Only rows whose content
-- appears more than once are ranked, so the sort stays small.
repeated_contents as (
    select content_key
    from {{ ref('base_spreadsheets__rows_read') }}
    group by content_key
    having count(*) > 1
),

copy_ranks as (
    select
        base_rows.file_id,
        base_rows.row_number,
        row_number() over (
            partition by base_rows.content_key
            order by
                base_rows.is_duplicate_file,
                incomplete_files.file_id is not null,
                length(base_rows.file_path),
                base_rows.file_path,
                coalesce(base_rows.sheet_name, ''),
                base_rows.row_number
        ) as content_rank,
        first_value(base_rows.file_path) over (
            partition by base_rows.content_key
            order by
                base_rows.is_duplicate_file,
                incomplete_files.file_id is not null,
                length(base_rows.file_path),
                base_rows.file_path,
                coalesce(base_rows.sheet_name, ''),
                base_rows.row_number
            rows between unbounded preceding and unbounded following
        ) as first_copy_path,
        first_value(base_rows.row_number) over (
            partition by base_rows.content_key
            order by
                base_rows.is_duplicate_file,
                incomplete_files.file_id is not null,
                length(base_rows.file_path),
                base_rows.file_path,
                coalesce(base_rows.sheet_name, ''),
                base_rows.row_number
            rows between unbounded preceding and unbounded following
        ) as first_copy_row_number
    from {{ ref('base_spreadsheets__rows_read') }} as base_rows
    inner join repeated_contents on base_rows.content_key = repeated_contents.content_key
    left join incomplete_files on base_rows.file_id = incomplete_files.file_id
),

ranked as (
    select
        normalised.*,
        coalesce(copy_ranks.content_rank, 1) as content_rank,
        copy_ranks.first_copy_path,
        copy_ranks.first_copy_row_number,
        incomplete_files.missing_columns
    from normalised
    left join copy_ranks
        on normalised.file_id = copy_ranks.file_id
            and normalised.row_number = copy_ranks.row_number
    left join incomplete_files on normalised.file_id = incomplete_files.file_id
),

judged as (
    select
        ranked.*,
        case
            when not ranked.is_known_kind then 'unknown_kind'
            when ranked.is_duplicate_file then 'duplicate_file'
            when ranked.missing_columns is not null then 'missing_required_column'
            when ranked.content_rank > 1 then 'duplicate_row'
            -- an attempt at an address that is not valid (bob@, name at example.org) is never
            -- an email; the row still counts when a phone can reach and match the person
            when ranked.email is null and (ranked.email_candidate like '%@%' or ranked.email_candidate like '%.%')
                and (ranked.rows_require_email or ranked.phone is null) then 'invalid_email'
            when ranked.email is null and ranked.rows_require_email then 'missing_email'
            -- nobody to reach or match: no usable email (words such as n/a, none or refused in
            -- the email cell are no address), no phone, no full name with a postcode
            when ranked.email is null and ranked.phone is null
                and (ranked.first_name is null or ranked.last_name is null or ranked.postcode is null) then 'no_contact'
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
        geo_country,

        -- the columns of one kind (null on other kinds' rows)
        {%- for name, data_type in kind_columns %}
        {{ name }},
        {%- if data_type == 'money' %}
        {{ name }}__currency,
        {%- endif %}
        {%- endfor %}

        -- verdict
        unparsed_columns,
        reject_reason is null as is_accepted,
        reject_reason,
        case reject_reason
            when 'unknown_kind' then 'folder "' || kind || '" is not a kind listed in seeds/spreadsheet_kinds.csv'
            when 'duplicate_file' then 'same content as file_id ' || duplicate_of_file_id
            when
                'missing_required_column'
                then 'the file has no ' || missing_columns || ' column: see source_files.quarantine_reason for the fix'
            when
                'duplicate_row'
                then 'same as ' || first_copy_path || ' row ' || cast(first_copy_row_number as {{ dbt.type_string() }})
            when 'invalid_email' then email_raw
            when 'no_contact' then 'no email, phone or full name with a postcode to reach or match the person'
        end as reject_detail
    from judged
)

select * from final
