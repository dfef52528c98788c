-- engage_postcode with each country's format from seed postcode_formats (Google's address
-- data): canonical spacing where the format has it, Belgian 4030 never padded like a ZIP,
-- unknown shapes kept cleaned
with cases (raw, country, expected) as (
    values
    ('4030', 'BE', '4030'),
    ('4030.0', 'BE', '4030'),
    ('1000', 'BE', '1000'),
    ('10115', 'DE', '10115'),
    ('8340457', 'CL', '8340457'),
    ('2000', 'AU', '2000'),
    ('1234ab', 'NL', '1234 AB'),
    ('1234 AB', 'NL', '1234 AB'),
    ('h3z2y7', 'CA', 'H3Z 2Y7'),
    ('K1A 0B1', 'CA', 'K1A 0B1'),
    ('cf564fg', 'GB', 'CF56 4FG'),
    ('SW1A 1AA', 'GB', 'SW1A 1AA'),
    ('2116', 'US', '02116'),
    ('02116-3912', 'US', '02116'),
    ('00950', 'PL', '00-950'),
    ('1540023', 'JP', '154-0023'),
    ('Dubai', 'AE', 'DUBAI'),
    ('b-4030', 'BE', 'B-4030'),
    ('0', 'BE', null),
    (null, 'BE', null)
),

formats as (
    select * from {{ ref('postcode_formats') }}
),

parsed as (
    select
        cases.*,
        {{ engage_postcode(
            'cases.raw', 'cases.country', 'formats.postcode_pattern', 'formats.separator',
            'formats.separator_position'
        ) }}
            as actual
    from cases
    left join formats on cases.country = formats.country_code
)

select
    raw,
    country,
    expected,
    actual
from parsed
where actual is distinct from expected
