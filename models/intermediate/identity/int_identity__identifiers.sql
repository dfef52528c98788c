{#- Every identifier a record carries, one row each:
      email          the normalised email (records are linked by email first)
      phone          E.164 phone (attaches a record without an email to a unique supporter)
      name_postcode  first|last|postcode (the same, and links email-less records together)
      phone_name     phone|last name (links email-less records together)
    (A record's `record` key, kind and row content, is made in int_identity__person_keys
    only for people who have no identifier of their own.)
    An identifier is not used (`is_usable` false) when
      - more different people (distinct names) carry it than the var identity_max_group_size:
        role addresses such as info@, office phones (`is_shared`);
      - it is an email on a record whose first name differs from the email's owner (the first
        name most records with that email carry): Eventbrite guests who were given the buyer's
        email, a colleague typing a team address (`is_other_persons_email`).
    Names are compared by first name key (accents folded, letters only).
    Grain: one row per (record, identifier type, identifier value). -#}

with

records as (
    select * from {{ ref('int_identity__records') }}
),

-- one branch per identifier type, each carrying the record's names (no join back to records)
person_records as (
    select
        record_id,
        occurred_at,
        email,
        phone,
        first_name_key,
        last_name_key,
        postcode_key,
        source_priority,
        case
            when first_name_key is not null or last_name_key is not null
                then coalesce(first_name_key, '') || '|' || coalesce(last_name_key, '')
        end as person_name_key
    from records
),

with_names as (
    select
        record_id,
        occurred_at,
        'email' as identifier_type,
        email as identifier_value,
        first_name_key,
        last_name_key,
        source_priority,
        person_name_key
    from person_records
    where email is not null
    union all
    select
        record_id,
        occurred_at,
        'phone' as identifier_type,
        phone,
        first_name_key,
        last_name_key,
        source_priority,
        person_name_key
    from person_records
    where phone is not null
    union all
    select
        record_id,
        occurred_at,
        'name_postcode' as identifier_type,
        first_name_key || '|' || last_name_key || '|' || postcode_key as identifier_value,
        first_name_key,
        last_name_key,
        source_priority,
        person_name_key
    from person_records
    where first_name_key is not null and last_name_key is not null and postcode_key is not null
    union all
    select
        record_id,
        occurred_at,
        'phone_name' as identifier_type,
        phone || '|' || last_name_key as identifier_value,
        first_name_key,
        last_name_key,
        source_priority,
        person_name_key
    from person_records
    where phone is not null and last_name_key is not null
),

-- a record carries each identifier type at most once, so count(*) counts records
group_sizes as (
    select
        identifier_type,
        identifier_value,
        count(*) as record_count,
        count(distinct person_name_key) as people_count
    from with_names
    group by identifier_type, identifier_value
),

-- the first name most records with this email carry (ties: the most trusted source, then A-Z)
email_owner_names as (
    select
        identifier_value,
        first_name_key,
        row_number() over (
            partition by identifier_value
            order by count(*) desc, min(source_priority), first_name_key
        ) as owner_rank
    from with_names
    where identifier_type = 'email' and first_name_key is not null
    group by identifier_value, first_name_key
),

judged as (
    select
        with_names.record_id,
        with_names.occurred_at,
        with_names.source_priority,
        with_names.identifier_type,
        with_names.identifier_value,
        with_names.first_name_key,
        with_names.last_name_key,
        group_sizes.record_count,
        group_sizes.people_count,
        group_sizes.people_count > {{ var('identity_max_group_size') }} as is_shared,
        coalesce(
            with_names.identifier_type = 'email'
            and with_names.first_name_key <> email_owner_names.first_name_key,
            false
        ) as is_other_persons_email
    from with_names
    inner join group_sizes
        on with_names.identifier_type = group_sizes.identifier_type
            and with_names.identifier_value = group_sizes.identifier_value
    left join email_owner_names
        on with_names.identifier_value = email_owner_names.identifier_value
            and email_owner_names.owner_rank = 1
            and with_names.identifier_type = 'email'
),

final as (
    select
        all_identifiers.*,
        {{ engage_surrogate_key(['identifier_type', 'identifier_value']) }} as identifier_key,
        not all_identifiers.is_shared and not all_identifiers.is_other_persons_email as is_usable
    from judged as all_identifiers
)

select * from final
