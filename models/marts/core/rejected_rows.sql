{#- Every spreadsheet row that was read but not used, with its lineage and why:
      unknown_kind     the file sits in a folder that is not a kind (seeds/spreadsheet_kinds.csv)
      duplicate_file   the whole file repeats an earlier file's content (a re-upload)
      duplicate_row    the row repeats an earlier row exactly (same kind, same cells)
      invalid_email    the email is not a valid address and there is no phone (the raw value
                       is in `detail`); with a phone the row is kept without an email
      missing_email    a kind keyed on email (Mailchimp exports) without an email
      no_contact       no usable email, no phone and no first + last name with a postcode:
                       nobody to reach or match
    Rows read = rows accepted + rows rejected, per file (source_files; tested). -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where not is_accepted
),

final as (
    select
        row_id as rejected_row_id,
        file_id,
        file_path,
        sheet_name,
        row_number,
        kind,
        reject_reason as reason,
        reject_detail as detail
    from sheet_rows
)

select * from final
