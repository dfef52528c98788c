{#- Identifiers identity resolution deliberately did not use, and why:
      shared_by_too_many_people   more different people (names) carry it than the var
                                  identity_max_group_size: role addresses such as info@,
                                  office phones
      email_of_another_person     an email on records whose first name is not its owner's
                                  (e.g. Eventbrite guests given the buyer's email)
      matches_several_supporters  an email-less record's phone or name+postcode matched two or
                                  more supporters, so the record was not attached
    Grain: one row per (identifier, reason). -#}

with

-- the identifiers identity left out (few), and the usable phones and names+postcodes (the
-- candidates of ambiguous matches): narrow imports, each a single filtered scan
unusable_identifiers as (
    select
        record_id,
        identifier_type,
        identifier_value,
        identifier_key,
        people_count,
        is_shared,
        is_other_persons_email
    from {{ ref('int_identity__identifiers') }}
    where is_shared or is_other_persons_email
),

match_identifiers as (
    select
        record_id,
        identifier_type,
        identifier_value,
        identifier_key
    from {{ ref('int_identity__identifiers') }}
    where is_usable and identifier_type in ('phone', 'name_postcode')
),

attachments as (
    select * from {{ ref('int_identity__attachments') }}
),

email_components as (
    select * from {{ ref('int_identity__email_components') }}
),

shared as (
    select
        identifier_type,
        identifier_value,
        identifier_key,
        'shared_by_too_many_people' as reason,
        max(people_count) as people_count,
        count(distinct record_id) as records_affected
    from unusable_identifiers
    where is_shared
    group by identifier_type, identifier_value, identifier_key
),

other_persons as (
    select
        identifier_type,
        identifier_value,
        identifier_key,
        'email_of_another_person' as reason,
        max(people_count) as people_count,
        count(distinct record_id) as records_affected
    from unusable_identifiers
    where is_other_persons_email and not is_shared
    group by identifier_type, identifier_value, identifier_key
),

-- the usable phones and names+postcodes of records that matched several supporters
ambiguous_identifiers as (
    select
        match_identifiers.record_id,
        match_identifiers.identifier_type,
        match_identifiers.identifier_value,
        match_identifiers.identifier_key
    from attachments
    inner join match_identifiers on attachments.record_id = match_identifiers.record_id
    where attachments.outcome = 'ambiguous'
),

-- how many stage-1 supporters (email components) carry each of them
email_side_counts as (
    select
        match_identifiers.identifier_key,
        count(distinct email_components.email_component_id) as supporter_count
    from match_identifiers
    inner join email_components on match_identifiers.record_id = email_components.record_id
    where match_identifiers.identifier_key in (select ambiguous_identifiers.identifier_key from ambiguous_identifiers)
    group by match_identifiers.identifier_key
    having count(distinct email_components.email_component_id) > 1
),

ambiguous as (
    select
        ambiguous_identifiers.identifier_type,
        ambiguous_identifiers.identifier_value,
        ambiguous_identifiers.identifier_key,
        'matches_several_supporters' as reason,
        max(email_side_counts.supporter_count) as people_count,
        count(distinct ambiguous_identifiers.record_id) as records_affected
    from ambiguous_identifiers
    inner join email_side_counts on ambiguous_identifiers.identifier_key = email_side_counts.identifier_key
    group by
        ambiguous_identifiers.identifier_type,
        ambiguous_identifiers.identifier_value,
        ambiguous_identifiers.identifier_key
),

final as (
    select * from shared
    union all
    select * from other_persons
    union all
    select * from ambiguous
)

select * from final
