-- engage_phone_e164 with the rules of seed phone_country_rules for the row's country
with cases (raw, country, expected) as (
    values
    ('(817) 569-8900', 'US', '+18175698900'),
    ('817569-8900', 'US', '+18175698900'),
    ('1(817) 569-8900', 'US', '+18175698900'),
    ('+1(817) 569-8900', 'US', '+18175698900'),
    ('817.569.8900 x204', 'US', '+18175698900'),
    ('011 44 7700 900456', 'US', '+447700900456'),
    ('+44 7700 900456', 'US', '+447700900456'),
    ('0117 496 0123', 'GB', '+441174960123'),
    ('07700900456', 'GB', '+447700900456'),
    ('7700900456', 'GB', '+447700900456'),
    ('447700900456', 'GB', '+447700900456'),
    ('0044 7700 900456', 'GB', '+447700900456'),
    ('+44 (0) 7700 900456', 'GB', '+447700900456'),
    ('+1 815 555 0100', 'GB', '+18155550100'),
    ('="07700900456"', 'GB', '+447700900456'),
    ('123-4567', 'US', null),
    ('(017) 569-8900', 'US', null),
    ('1.4E+10', 'US', null),
    ('call me', 'US', null),
    ('+12', 'US', null),
    ('', 'US', null),
    (null, 'US', null)
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
