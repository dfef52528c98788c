-- engage_phone_e164 with the rules of seed phone_country_rules (libphonenumber's metadata),
-- numbers written nationally and internationally in the countries supporters live in
with cases (raw, country, expected) as (
    values
    ('0470 12 34 56', 'BE', '+32470123456'),
    ('+32 470 12 34 56', 'BE', '+32470123456'),
    ('04 123 45 67', 'BE', '+3241234567'),
    ('0032 2 555 12 34', 'BE', '+3225551234'),
    ('030 12345678', 'DE', '+493012345678'),
    ('0151 23456789', 'DE', '+4915123456789'),
    ('+49 30 12345678', 'DE', '+493012345678'),
    ('9 6123 4567', 'CL', '+56961234567'),
    ('2 2123 4567', 'CL', '+56221234567'),
    ('+56 9 6123 4567', 'CL', '+56961234567'),
    ('0412 345 678', 'AU', '+61412345678'),
    ('(02) 9876 5432', 'AU', '+61298765432'),
    ('0011 44 7700 900456', 'AU', '+447700900456'),
    ('+61 412 345 678', 'AU', '+61412345678'),
    ('07700 900456', 'GB', '+447700900456'),
    ('020 7946 0018', 'GB', '+442079460018'),
    ('+44 20 7946 0018', 'GB', '+442079460018'),
    ('(617) 555-0199', 'US', '+16175550199'),
    ('+1 617 555 0199', 'US', '+16175550199'),
    ('416-555-0123', 'CA', '+14165550123'),
    ('06 12345678', 'NL', '+31612345678'),
    ('+31 6 12345678', 'NL', '+31612345678'),
    ('050 123 4567', 'AE', '+971501234567'),
    ('+971 50 123 4567', 'AE', '+971501234567'),
    ('12', 'BE', null)
),

rules as (
    select * from {{ ref('phone_country_rules') }}
),

parsed as (
    select
        cases.*,
        {{ engage_phone_e164(
            'cases.raw', 'rules.calling_code', 'rules.trunk_prefix', 'rules.international_prefix',
            'rules.national_number_pattern'
        ) }}
            as actual
    from cases
    left join rules on cases.country = rules.country_code
)

select
    raw,
    country,
    expected,
    actual
from parsed
where actual is distinct from expected
