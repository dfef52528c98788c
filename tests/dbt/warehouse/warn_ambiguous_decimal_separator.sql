-- Warns (does not fail) for each file whose amounts could be written with either decimal
-- separator (values like 12,5 and 12.5 both, or only values like 1,234): they were read with a
-- dot. Set it for the file in seeds/file_settings.csv: a row `<path or folder/%>,,,<note>,comma`
-- (or `dot`), then build again (docs/international.md). No cell values here.
{{ config(severity='warn') }}

select
    file_path,
    column_name,
    comma_values,
    dot_values,
    either_values,
    'read with dot; set decimal_separator (comma or dot) for ' || file_path
    || ' in seeds/file_settings.csv' as fix
from {{ ref('base_spreadsheets__decimal_separators') }}
where separator_source = 'ambiguous'
