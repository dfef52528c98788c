{#- One row per file (per sheet) with what its header row implies, read from its headers only
    (never its rows, so it costs nothing per row):
      - a Mailchimp audience export whose file name gives no status (saved under another name)
        takes it from its columns: UNSUB_TIME -> unsubscribed, else CLEAN_TIME -> cleaned, else
        subscribed (docs/layouts.md);
      - canonical columns claimed by more than one header with equally good aliases (two columns
        with the same header, or two synonyms such as "Home Phone" and "Cell Phone"): a row takes
        the first of them holding a value (leftmost), so the others' values are not used when
        both are filled; named here, per file, so source_files and the build summary say so.
    Grain: one row per file. -#}

with

files as (
    select
        file_id,
        kind,
        file_member_status
    from {{ ref('base_spreadsheets__files') }}
),

headers as (
    select * from {{ ref('base_spreadsheets__headers') }}
),

mailchimp_columns as (
    select
        file_id,
        min(case when canonical_column = 'unsub_at' then header end) as unsub_header,
        min(case when canonical_column = 'clean_at' then header end) as clean_header,
        max(case when canonical_column = 'member_status' then 1 else 0 end) = 1 as has_status_column
    from headers
    where kind = 'mailchimp_members'
    group by file_id
),

-- headers claiming one column with equally good aliases (a repeated header, or two synonyms
-- such as "Home Phone" and "Cell Phone"); a lower-priority alias (ActBlue's "Shipping City"
-- behind "Donor City") is a planned fallback, not worth a note
best_priorities as (
    select
        file_id,
        canonical_column,
        min(alias_priority) as best_priority
    from headers
    where canonical_column is not null
    group by file_id, canonical_column
),

shared_columns as (
    select
        headers.file_id,
        headers.canonical_column,
        count(*) as header_count,
        {{ dbt.listagg(
            "'\"' || header || '\" (column ' || cast(column_position as " ~ dbt.type_string() ~ ") || ')'",
            "', '",
            "order by choice_rank"
        ) }} as headers
    from headers
    inner join best_priorities
        on headers.file_id = best_priorities.file_id
            and headers.canonical_column = best_priorities.canonical_column
            and headers.alias_priority = best_priorities.best_priority
    group by headers.file_id, headers.canonical_column
    having count(*) > 1
),

shared_by_file as (
    select
        file_id,
        count(*) as shared_column_count,
        {{ dbt.listagg(
            "canonical_column || ' from ' || headers",
            "'; '",
            "order by canonical_column"
        ) }} as shared_columns
    from shared_columns
    group by file_id
),

inferred as (
    select
        files.file_id,
        files.kind,
        case
            when files.kind <> 'mailchimp_members' then null
            when mailchimp_columns.unsub_header is not null then 'unsubscribed'
            when mailchimp_columns.clean_header is not null then 'cleaned'
            else 'subscribed'
        end as column_member_status,
        case
            when files.kind <> 'mailchimp_members' then null
            when mailchimp_columns.unsub_header is not null then 'its "' || mailchimp_columns.unsub_header || '" column'
            when mailchimp_columns.clean_header is not null then 'its "' || mailchimp_columns.clean_header || '" column'
            else 'the absence of an UNSUB_TIME or CLEAN_TIME column'
        end as column_member_status_evidence,
        coalesce(mailchimp_columns.has_status_column, false) as has_status_column,
        files.file_member_status
    from files
    left join mailchimp_columns on files.file_id = mailchimp_columns.file_id
),

final as (
    select
        inferred.file_id,
        inferred.column_member_status,
        inferred.file_member_status is null
        and inferred.kind = 'mailchimp_members' as is_member_status_inferred,
        coalesce(shared_by_file.shared_column_count, 0) as shared_column_count,
        shared_by_file.shared_columns,
        nullif(
            {{ engage_concat_ws("' | '", [
                "case when inferred.file_member_status is null and inferred.kind = 'mailchimp_members' then "
                    ~ "'Mailchimp status not in the file name: read as ' || inferred.column_member_status "
                    ~ "|| ' from ' || inferred.column_member_status_evidence "
                    ~ "|| case when inferred.has_status_column then ' (rows with a blank or unknown Status only)' else '' end "
                    ~ "|| '; name the file subscribed_..., unsubscribed_... or cleaned_... to say so' end",
                "case when shared_by_file.shared_columns is not null then "
                    ~ "'several headers for one column, the first filled one is used per row: ' || shared_by_file.shared_columns end",
            ]) }},
            ''
        ) as layout_notes
    from inferred
    left join shared_by_file on inferred.file_id = shared_by_file.file_id
)

select * from final
