{#- One row per spreadsheet file read (per sheet for workbooks) of a known kind: the file as a
    source entity, for models that need a fact about the whole file rather than its rows.
    subscription_status_header is the header (as a key) the file's subscription status column
    is read from first, if it has one: consent reads it to tell a self-service sign-up system's export
    (seed consent_opt_in_sources) from another system's state. -#}

with

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where is_known_kind
),

status_headers as (
    select
        file_id,
        header_key
    from {{ ref('base_spreadsheets__headers') }}
    where canonical_column = 'subscription_status'
        and choice_rank = 1
),

final as (
    select
        files.file_id,
        files.kind,
        files.file_path,
        files.sheet_name,
        files.is_duplicate_file,
        status_headers.header_key as subscription_status_header
    from files
    left join status_headers on files.file_id = status_headers.file_id
)

select * from final
