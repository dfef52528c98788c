{#- Stage 2 of identity: each record without a usable email looks for stage-1 supporters
    (email components) with the same phone or the same first name + last name + postcode.
    A phone match needs agreeing names: when both records have a first (or last) name, they
    must be equal.
      attached   exactly one candidate supporter: the record joins it
      ambiguous  two or more candidates: the record stays on its own (reported)
      unmatched  no candidate: the record may join other email-less records (stage 3)
    Identifiers that are not usable (see int_identity__identifiers) are ignored. A record
    whose email belongs to someone else (a guest with the buyer's email) is email-less here. -#}

with

records as (
    select * from {{ ref('int_identity__records') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
    where is_usable
),

email_components as (
    select * from {{ ref('int_identity__email_components') }}
),

email_less as (
    select records.*
    from records
    left join email_components on email_components.record_id = records.record_id
    where email_components.record_id is null
),

candidates as (
    select
        email_less.record_id,
        email_components.email_component_id,
        mine.identifier_type as matched_on,
        email_components.record_id as matched_record_id
    from email_less
    inner join identifiers as mine
        on mine.record_id = email_less.record_id
        and mine.identifier_type in ('phone', 'name_postcode')
    inner join identifiers as theirs
        on theirs.identifier_type = mine.identifier_type
        and theirs.identifier_value = mine.identifier_value
        and theirs.record_id <> mine.record_id
    inner join email_components on email_components.record_id = theirs.record_id
    inner join records as matched on matched.record_id = theirs.record_id
    where mine.identifier_type <> 'phone'
        or (
            (email_less.first_name_key is null or matched.first_name_key is null
                or email_less.first_name_key = matched.first_name_key)
            and (email_less.last_name_key is null or matched.last_name_key is null
                or email_less.last_name_key = matched.last_name_key)
        )
),

candidate_counts as (
    select
        record_id,
        count(distinct email_component_id) as candidate_count,
        min(email_component_id) as email_component_id,
        min(matched_on) as matched_on,
        min(matched_record_id) as matched_record_id
    from candidates
    group by record_id
),

final as (
    select
        email_less.record_id,
        case
            when candidate_counts.candidate_count = 1 then 'attached'
            when candidate_counts.candidate_count > 1 then 'ambiguous'
            else 'unmatched'
        end as outcome,
        coalesce(candidate_counts.candidate_count, 0) as candidate_count,
        case when candidate_counts.candidate_count = 1 then candidate_counts.email_component_id end as email_component_id,
        case when candidate_counts.candidate_count = 1 then candidate_counts.matched_record_id end as matched_record_id,
        case when candidate_counts.candidate_count = 1 then candidate_counts.matched_on end as matched_on
    from email_less
    left join candidate_counts on candidate_counts.record_id = email_less.record_id
)

select * from final
