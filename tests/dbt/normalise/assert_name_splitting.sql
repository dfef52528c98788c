-- engage_clean_name + engage_first_name / engage_last_name: split a full name when the file
-- has a single name column ("Last, First" too); keep separate columns as they are
with cases (first_raw, last_raw, full_raw, expected_first, expected_last) as (
    values
    ('Ana', 'Reyes', null, 'Ana', 'Reyes'),
    (null, null, 'Ana Reyes', 'Ana', 'Reyes'),
    (null, null, 'Reyes, Ana', 'Ana', 'Reyes'),
    (null, null, '  Maria   de la  Cruz ', 'Maria', 'de la Cruz'),
    ('Meryl Greer', null, null, 'Meryl', 'Greer'),
    ('Cher', null, null, 'Cher', null),
    (null, null, 'Cher', 'Cher', null),
    (null, 'Reyes', 'Ana Reyes', 'Ana', 'Reyes'),
    ('Ana', null, 'Ana Reyes', 'Ana', 'Reyes'),
    ('Rosa Sampleton', 'Sampleton', null, 'Rosa', 'Sampleton'),
    ('JosÃ©', 'NÃºÃ±ez-Test', null, 'José', 'Núñez-Test'),
    ('"Ana"', ' Reyes ', null, 'Ana', 'Reyes'),
    (null, null, 'Bob
Smith', 'Bob', 'Smith'),
    (null, null, null, null, null),
    ('', '', '', null, null)
),

cleaned as (
    select
        *,
        {{ engage_clean_name('first_raw') }} as first_clean,
        {{ engage_clean_name('last_raw') }} as last_clean,
        {{ engage_clean_name('full_raw') }} as full_clean
    from cases
),

split as (
    select
        *,
        {{ engage_first_name('first_clean', 'last_clean', 'full_clean') }} as actual_first,
        {{ engage_last_name('first_clean', 'last_clean', 'full_clean') }} as actual_last
    from cleaned
)

select
    first_raw,
    last_raw,
    full_raw,
    expected_first,
    actual_first,
    expected_last,
    actual_last
from split
where actual_first is distinct from expected_first
    or actual_last is distinct from expected_last
union all
select
    raw as first_raw,
    null as last_raw,
    null as full_raw,
    expected as expected_first,
    actual as actual_first,
    null as expected_last,
    null as actual_last
from (
    select
        name_cases.raw,
        name_cases.expected,
        {{ engage_name_key('name_cases.raw') }} as actual
    from (
        values ('José', 'jose'), ('JOSE', 'jose'), ('Sampleton-Mock', 'sampletonmock'),
        ('O''Sample', 'osample'), ('Björn', 'bjorn'), ('Lucía', 'lucia'), ('—', null)
    ) as name_cases (raw, expected)
) as name_keys
where actual is distinct from expected
