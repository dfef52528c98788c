-- Warns (does not fail) when values of date, yes/no, money or number columns could not be
-- parsed, per file and set of columns, with the first such row: usually a day-first file not
-- configured in seeds/file_settings.csv, or a new way of writing yes/no for the vars
-- flag_true_values / flag_false_values. (No cell values here: they can be personal data.)
{{ config(severity='warn') }}

select
    file_path,
    unparsed_columns,
    count(*) as rows_affected,
    min(row_number) as first_row_number
from {{ ref('base_spreadsheets__rows') }}
where unparsed_columns is not null
group by file_path, unparsed_columns
