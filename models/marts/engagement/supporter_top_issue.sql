{#-
  Each supporter's top issue, for the TOPISSUE merge field and the issue:<slug> tags.
  top_issue is the first-ranked issue (supporter_issue_interest.issue_rank) when its
  affinity reaches var top_issue_min_affinity AND its share reaches var top_issue_min_share;
  otherwise 'mixed' when there is some issue evidence, 'none' when there is none.
  second_issue is the next issue when a top issue exists and its share reaches var
  second_issue_min_share.
-#}
with

supporters as (

    select supporter_id from {{ ref('supporters') }}

),

interest as (

    select * from {{ ref('supporter_issue_interest') }}

),

issues as (

    select * from {{ ref('issues') }}

),

first_issue as (

    select * from interest
    where issue_rank = 1

),

second_issue as (

    select * from interest
    where issue_rank = 2

),

totals as (

    select
        supporter_id,
        sum(affinity) as total_affinity,
        count(*) as issues_with_interest

    from interest
    group by supporter_id

),

decided as (

    select
        supporters.supporter_id,
        first_issue.issue_slug as leading_issue,
        first_issue.affinity as leading_affinity,
        first_issue.share as leading_share,
        second_issue.issue_slug as next_issue,
        second_issue.share as next_share,
        coalesce(totals.total_affinity, 0) as total_affinity,
        coalesce(totals.issues_with_interest, 0) as issues_with_interest,
        coalesce(
            first_issue.affinity >= {{ var('top_issue_min_affinity', 1.0) }}
            and first_issue.share >= {{ var('top_issue_min_share', 0.4) }},
            false
        ) as has_top_issue

    from supporters
    left join first_issue
        on supporters.supporter_id = first_issue.supporter_id
    left join second_issue
        on supporters.supporter_id = second_issue.supporter_id
    left join totals
        on supporters.supporter_id = totals.supporter_id

)

select
    decided.supporter_id,
    case
        when decided.has_top_issue then decided.leading_issue
        when decided.total_affinity > 0 then 'mixed'
        else 'none'
    end as top_issue,
    case
        when decided.has_top_issue then top_label.label
        when decided.total_affinity > 0 then 'Mixed'
        else 'None'
    end as top_issue_label,
    case when decided.has_top_issue then decided.leading_affinity end as top_issue_affinity,
    case when decided.has_top_issue then decided.leading_share end as top_issue_share,
    case
        when decided.has_top_issue
            and decided.next_share >= {{ var('second_issue_min_share', 0.25) }}
            then decided.next_issue
    end as second_issue,
    decided.leading_issue,
    decided.leading_share,
    decided.total_affinity,
    decided.issues_with_interest

from decided
left join issues as top_label
    on decided.leading_issue = top_label.issue_slug
