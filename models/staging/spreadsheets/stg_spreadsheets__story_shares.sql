{{ config(materialized='table') }}
{#- Accepted rows of story files (stories/): stories submitted (with their text, never synced)
    and stories shared on a network. -#}
{%- set kind_columns = [
    ('story_slug', 'text'), ('story_title', 'text'), ('network', 'text'), ('story_text', 'text'),
    ('publish_consent', 'flag'),
] -%}

with

sheet_rows as (
    select * from {{ ref('stg_spreadsheets__rows') }}
    where kind = 'stories' and is_accepted
),

files as (
    select * from {{ ref('stg_spreadsheets__files') }}
    where kind = 'stories'
),

kind_values as (
    {{ engage_pivot_cells(kind_columns, "cells.kind = 'stories'") }}
),

final as (
    select
{{ engage_shared_columns('sheet_rows') }},

        -- the story
        case
            when kind_values.story_text is not null then 'submitted'
            else 'shared'
        end as story_action,
        kind_values.story_slug,
        kind_values.story_title,
        lower(kind_values.network) as network,
        kind_values.story_text,
        kind_values.publish_consent
    from sheet_rows
    inner join files on files.file_id = sheet_rows.file_id
    left join kind_values
        on kind_values.file_id = sheet_rows.file_id
        and kind_values.row_number = sheet_rows.row_number
)

select * from final
