{#- Accepted rows of story files (stories/): stories submitted (with their text, never synced)
    and stories shared on a network. -#}

with

sheet_rows as (
    select * from {{ ref('base_spreadsheets__rows') }}
    where kind = 'stories' and is_accepted
),

files as (
    select * from {{ ref('base_spreadsheets__files') }}
    where kind = 'stories'
),

final as (
    select
        {{ engage_shared_columns('sheet_rows') }},

        -- the story
        case
            when sheet_rows.story_text is not null then 'submitted'
            else 'shared'
        end as story_action,
        sheet_rows.story_slug,
        sheet_rows.story_title,
        lower(sheet_rows.network) as network,
        sheet_rows.story_text,
        sheet_rows.publish_consent
    from sheet_rows
    inner join files on sheet_rows.file_id = files.file_id
)

select * from final
