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

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
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
    from identifiers
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
    from identifiers
    where is_other_persons_email and not is_shared
    group by identifier_type, identifier_value, identifier_key
),

-- how many stage-1 supporters (email components) carry each phone and name+postcode
email_side_counts as (
    select
        identifiers.identifier_key,
        count(distinct email_components.email_component_id) as supporter_count
    from identifiers
    inner join email_components on email_components.record_id = identifiers.record_id
    where identifiers.identifier_type in ('phone', 'name_postcode') and identifiers.is_usable
    group by identifiers.identifier_key
    having count(distinct email_components.email_component_id) > 1
),

ambiguous as (
    select
        mine.identifier_type,
        mine.identifier_value,
        mine.identifier_key,
        'matches_several_supporters' as reason,
        max(email_side_counts.supporter_count) as people_count,
        count(distinct mine.record_id) as records_affected
    from attachments
    inner join identifiers as mine
        on mine.record_id = attachments.record_id
        and mine.identifier_type in ('phone', 'name_postcode')
        and mine.is_usable
    inner join email_side_counts on email_side_counts.identifier_key = mine.identifier_key
    where attachments.outcome = 'ambiguous'
    group by mine.identifier_type, mine.identifier_value, mine.identifier_key
),

final as (
    select * from shared
    union all
    select * from other_persons
    union all
    select * from ambiguous
)

select * from final
