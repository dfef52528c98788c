{{ config(
    enabled=var('issue_tags_enabled', true),
    meta={
        'tag': 'issue:*',
        'tag_list': 'issues',
        'tag_list_key': 'issue_slug',
        'tag_list_label': 'label',
        'description': 'Supporters whose top issue is {label} (a clear lead in their recent actions and stated interests).',
        'priority': 100,
        'respects_contact_cap': false,
        'counts_toward_limit': false,
    },
) }}

select
    supporter_id,
    {{ dbt.concat(["'issue:'", "top_issue"]) }} as tag,
    'top issue above threshold' as reason

from {{ ref('supporter_top_issue') }}
where top_issue not in ('mixed', 'none')
