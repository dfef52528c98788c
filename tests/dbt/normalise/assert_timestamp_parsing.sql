-- engage_parse_timestamp: ISO, Mailchimp naive, offsets (to UTC), US M/D/YY and M/D/YYYY,
-- day-first per file, month names, Excel serials; impossible dates -> null, never a guess
with cases (raw, day_first, expected) as (
    values
    ('2016-04-18 13:51:14', false, '2016-04-18 13:51:14'),
    ('2024-01-15', false, '2024-01-15 00:00:00'),
    ('2024-01-15T09:30:00Z', false, '2024-01-15 09:30:00'),
    ('2024-01-15T09:30:00.123Z', false, '2024-01-15 09:30:00'),
    ('2015-10-05 01:00:27 -0700', false, '2015-10-05 08:00:27'),
    ('2015-10-05T01:00:27+05:30', false, '2015-10-04 19:30:27'),
    ('2026-01-01 10:00:00+02', false, '2026-01-01 08:00:00'),
    ('11/29/24 22:28', false, '2024-11-29 22:28:00'),
    ('4/9/2021 12:25:42', false, '2021-04-09 12:25:42'),
    ('8/6/08 10:20', false, '2008-08-06 10:20:00'),
    ('03/04/2025', false, '2025-03-04 00:00:00'),
    ('03/04/2025', true, '2025-04-03 00:00:00'),
    ('02/06/2026 14:09', true, '2026-06-02 14:09:00'),
    ('29/11/2024', false, null),
    ('Sep 26, 2026 7:05 PM', false, '2026-09-26 19:05:00'),
    ('Dec 5, 2026 10:00 AM', false, '2026-12-05 10:00:00'),
    ('Aug 16, 2025 12:00 PM', false, '2025-08-16 12:00:00'),
    ('Jan 1, 2026 12:30 AM', false, '2026-01-01 00:30:00'),
    ('September 26 2026', false, '2026-09-26 00:00:00'),
    ('26 Sep 2026', false, '2026-09-26 00:00:00'),
    ('45323', false, '2024-02-01 00:00:00'),
    ('45323.5', false, '2024-02-01 12:00:00'),
    ('2024-02-29', false, '2024-02-29 00:00:00'),
    ('2023-02-29', false, null),
    ('2024-13-01', false, null),
    ('2024-01-01 25:00', false, null),
    ('13 PM', false, null),
    ('soon', false, null),
    ('12345', false, null),
    ('', false, null),
    (null, false, null)
),

parsed as (
    select
        raw,
        day_first,
        cast(expected as {{ dbt.type_timestamp() }}) as expected,
        {{ engage_parse_timestamp('raw', 'day_first') }} as actual
    from cases
)

select * from parsed
where actual is distinct from expected
