-- Warns (does not fail) when cells of date, yes/no, money or number columns could not be
-- parsed, per file and column, with examples: usually a day-first file not configured in
-- seeds/file_settings.csv, or a new way of writing yes/no for the vars flag_true_values /
-- flag_false_values.
{{ config(severity='warn') }}

select
    files.file_path,
    cells.canonical_column,
    cells.data_type,
    count(*) as unparsed_cells,
    min(cells.value) as example_value
from {{ ref('stg_spreadsheets__cells') }} as cells
inner join {{ ref('stg_spreadsheets__files') }} as files on files.file_id = cells.file_id
where cells.is_chosen
    and (
        (cells.data_type = 'timestamp' and cells.value_timestamp is null)
        or (cells.data_type = 'flag' and cells.value_flag is null)
        or (cells.data_type in ('money', 'integer') and cells.value_number is null)
    )
group by files.file_path, cells.canonical_column, cells.data_type
