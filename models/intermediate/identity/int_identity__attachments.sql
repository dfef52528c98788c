{#- Stage 2 of identity: each record without a usable email looks for stage-1 supporters
    (email components) with the same phone or the same first name + last name + postcode.
    A phone match needs agreeing names: when both records have a first (or last) name, they
    must be equal.
      attached   exactly one candidate supporter: the record joins it
      ambiguous  two or more candidates: the record stays on its own (reported)
      unmatched  no candidate: the record may join other email-less records (stage 3)
    Identifiers that are not usable (see int_identity__identifiers) are ignored. A record
    whose email belongs to someone else (a guest with the buyer's email) is email-less here.
    The email side is first reduced to one row per identifier, name and supporter, so the
    match is a hash join whatever the number of records per identifier.
    Grain: one row per record without a usable email. -#}

with

records as (
    select * from {{ ref('int_identity__records') }}
),

match_identifiers as (
    select record_id, identifier_type, identifier_value
    from {{ ref('int_identity__identifiers') }}
    where is_usable and identifier_type in ('phone', 'name_postcode')
),

email_components as (
    select * from {{ ref('int_identity__email_components') }}
),

email_less as (
    select records.record_id, records.first_name_key, records.last_name_key
    from records
    left join email_components on email_components.record_id = records.record_id
    where email_components.record_id is null
),

-- what stage-1 supporters offer to match on: each identifier with the names it was seen with
email_side as (
    select
        match_identifiers.identifier_type,
        match_identifiers.identifier_value,
        records.first_name_key,
        records.last_name_key,
        email_components.email_component_id,
        min(match_identifiers.record_id) as matched_record_id
    from match_identifiers
    inner join email_components on email_components.record_id = match_identifiers.record_id
    inner join records on records.record_id = match_identifiers.record_id
    group by
        match_identifiers.identifier_type,
        match_identifiers.identifier_value,
        records.first_name_key,
        records.last_name_key,
        email_components.email_component_id
),

candidates as (
    select
        email_less.record_id,
        email_side.email_component_id,
        mine.identifier_type as matched_on,
        email_side.matched_record_id
    from email_less
    inner join match_identifiers as mine on mine.record_id = email_less.record_id
    inner join email_side
        on email_side.identifier_type = mine.identifier_type
        and email_side.identifier_value = mine.identifier_value
    where mine.identifier_type <> 'phone'
        or (
            (email_less.first_name_key is null or email_side.first_name_key is null
                or email_less.first_name_key = email_side.first_name_key)
            and (email_less.last_name_key is null or email_side.last_name_key is null
                or email_less.last_name_key = email_side.last_name_key)
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
