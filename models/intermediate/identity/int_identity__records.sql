{#- One row per accepted spreadsheet row: the person fields identity resolution and
    survivorship work on, with match keys (names lower-cased to letters only, postcodes
    spaceless). record_id is the row's id (md5 of file and row number). Every row comes in
    through its kind's staging model (the only exit from staging); macros/staging/kind_models.sql
    lists them. -#}
{%- set staging_models = engage_spreadsheet_staging_models() -%}

with

sheet_rows as (
    {%- for staging_model in staging_models %}
    select
        row_id,
        kind,
        file_id,
        file_path,
        sheet_name,
        row_number,
        content_key,
        occurred_at,
        email,
        first_name,
        last_name,
        phone,
        postcode,
        postcode_key,
        country,
        city,
        state,
        district
    from {{ ref(staging_model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

source_priority as (
    select * from {{ ref('source_priority') }}
),

final as (
    select
        sheet_rows.row_id as record_id,
        sheet_rows.kind,
        sheet_rows.file_id,
        sheet_rows.file_path,
        sheet_rows.sheet_name,
        sheet_rows.row_number,
        sheet_rows.content_key,
        sheet_rows.occurred_at,
        coalesce(source_priority.priority, 99) as source_priority,

        sheet_rows.email,
        sheet_rows.first_name,
        sheet_rows.last_name,
        sheet_rows.phone,
        sheet_rows.postcode,
        sheet_rows.postcode_key,
        sheet_rows.country,
        sheet_rows.city,
        sheet_rows.state,
        sheet_rows.district,
        {{ engage_name_key('sheet_rows.first_name') }} as first_name_key,
        {{ engage_name_key('sheet_rows.last_name') }} as last_name_key
    from sheet_rows
    left join source_priority on sheet_rows.kind = source_priority.kind
)

select * from final
