{#- Stage 2 of identity: each record without a usable email looks for stage-1 supporters
    (email components) with the same phone or the same first name + last name + postcode.
    A phone match needs agreeing names: when both records have a first (or last) name, they
    must be equal.
      attached   exactly one candidate supporter: the record joins it
      ambiguous  two or more candidates: the record stays on its own (reported)
      unmatched  no candidate: the record may join other email-less records (stage 3)
    Identifiers that are not usable (see int_identity__identifiers) are ignored. A record
    whose email belongs to someone else (a guest with the buyer's email) is email-less here.
    Only the identifiers email-less records carry are looked up on the email side, reduced to
    one row per identifier, name and supporter: hash joins, whatever the group sizes.
    Grain: one row per record without a usable email. -#}

with

records as (
    select record_id from {{ ref('int_identity__records') }}
),

match_identifiers as (
    select
        record_id,
        identifier_type,
        identifier_value,
        first_name_key,
        last_name_key
    from {{ ref('int_identity__identifiers') }}
    where is_usable and identifier_type in ('phone', 'name_postcode')
),

email_components as (
    select * from {{ ref('int_identity__email_components') }}
),

email_less as (
    select records.record_id
    from records
    left join email_components on records.record_id = email_components.record_id
    where email_components.record_id is null
),

mine as (
    select match_identifiers.*
    from match_identifiers
    inner join email_less on match_identifiers.record_id = email_less.record_id
),

wanted as (
    select distinct
        identifier_type,
        identifier_value
    from mine
),

-- what stage-1 supporters offer to match on: each wanted identifier with the names it was
-- seen with
email_side as (
    select
        match_identifiers.identifier_type,
        match_identifiers.identifier_value,
        match_identifiers.first_name_key,
        match_identifiers.last_name_key,
        email_components.email_component_id,
        min(match_identifiers.record_id) as matched_record_id
    from match_identifiers
    inner join wanted
        on match_identifiers.identifier_type = wanted.identifier_type
            and match_identifiers.identifier_value = wanted.identifier_value
    inner join email_components on match_identifiers.record_id = email_components.record_id
    group by
        match_identifiers.identifier_type,
        match_identifiers.identifier_value,
        match_identifiers.first_name_key,
        match_identifiers.last_name_key,
        email_components.email_component_id
),

candidates as (
    select
        mine.record_id,
        email_side.email_component_id,
        mine.identifier_type as matched_on,
        email_side.matched_record_id
    from mine
    inner join email_side
        on mine.identifier_type = email_side.identifier_type
            and mine.identifier_value = email_side.identifier_value
    where mine.identifier_type <> 'phone'
        or (
            (
                mine.first_name_key is null or email_side.first_name_key is null
                or mine.first_name_key = email_side.first_name_key
            )
            and (
                mine.last_name_key is null or email_side.last_name_key is null
                or mine.last_name_key = email_side.last_name_key
            )
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
        case when candidate_counts.candidate_count = 1 then candidate_counts.email_component_id end
            as email_component_id,
        case when candidate_counts.candidate_count = 1 then candidate_counts.matched_record_id end as matched_record_id,
        case when candidate_counts.candidate_count = 1 then candidate_counts.matched_on end as matched_on
    from email_less
    left join candidate_counts on email_less.record_id = candidate_counts.record_id
)

select * from final
