-- US ZIPs (lost leading zeros, ZIP+4, ="00971", 0 = missing), UK postcodes (upper, one
-- space, validated) and the dispatcher by country
with cases (raw, country, expected) as (
    values
    ('02116', 'US', '02116'),
    ('2116', 'US', '02116'),
    ('02116-3912', 'US', '02116'),
    ('021163912', 'US', '02116'),
    ('2116-3912', 'US', '02116'),
    ('="00971"', 'US', '00971'),
    ('601', 'US', '00601'),
    ('61108.0', 'US', '61108'),
    ('0', 'US', null),
    ('00000', 'US', null),
    ('N/A', 'US', null),
    ('12', 'US', null),
    ('cf564fg', 'US', 'CF56 4FG'),
    ('ls67sn', 'GB', 'LS6 7SN'),
    ('LS6 7SN', 'GB', 'LS6 7SN'),
    (' m1  1aa ', 'GB', 'M1 1AA'),
    ('W1A 1HQ', 'GB', 'W1A 1HQ'),
    ('EC1A 1BB', 'GB', 'EC1A 1BB'),
    ('DN55 1PT', 'GB', 'DN55 1PT'),
    ('CR2 6XH', 'GB', 'CR2 6XH'),
    ('gir0aa', 'GB', 'GIR 0AA'),
    ('2000', 'AU', '2000'),
    ('10115', 'DE', '10115'),
    (null, 'US', null)
),

uk_cases (raw, expected) as (
    values
    ('cf564fg', 'CF56 4FG'),
    ('QQ1 1AA', null),
    ('LS6 7SC', null),
    ('LS6', null),
    ('12345', null)
),

failures as (
    select
        raw,
        country,
        expected,
        {{ engage_postcode('raw', 'country') }} as actual
    from cases
    where {{ engage_postcode('raw', 'country') }} is distinct from expected
    union all
    select
        raw,
        'GB (uk only)' as country,
        expected,
        {{ engage_uk_postcode('raw') }} as actual
    from uk_cases
    where {{ engage_uk_postcode('raw') }} is distinct from expected
    union all
    select
        raw,
        'US (zip only)' as country,
        '02116' as expected,
        {{ engage_us_zip('raw') }} as actual
    from (select '2116' as raw) as z
    where {{ engage_us_zip('raw') }} is distinct from '02116'
)

select * from failures
