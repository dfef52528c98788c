-- engage_parse_money with a file's decimal separator, and the per-value hint detection reads
with cases (raw, separator, expected, expected_hint) as (
    values
    ('1.234,56', 'comma', 1234.56, 'comma'),
    ('12,5', 'comma', 12.5, 'comma'),
    ('€ 12,50', 'comma', 12.5, 'comma'),
    ('1 234,56', 'comma', 1234.56, 'comma'),
    ('1.234.567', 'comma', 1234567, 'comma'),
    ('(15,00)', 'comma', -15, 'comma'),
    ('30', 'comma', 30, null),
    ('1,234.56', 'dot', 1234.56, 'dot'),
    ('$1,200.50', 'dot', 1200.50, 'dot'),
    ('12.5', 'dot', 12.5, 'dot'),
    ('1,234,567', 'dot', 1234567, 'dot'),
    ('1,234', 'dot', 1234, 'either'),
    ('1.234', 'comma', 1234, 'either'),
    ('12,5', 'dot', null, 'comma'),
    ('30', 'dot', 30, null),
    ('free', 'dot', null, null)
),

parsed as (
    select
        raw,
        separator,
        cast(expected as {{ dbt.type_numeric() }}) as expected,
        expected_hint,
        {{ engage_parse_money('raw', 'separator') }} as actual,
        {{ engage_decimal_separator_hint('raw') }} as actual_hint
    from cases
)

select * from parsed
where actual is distinct from expected
    or actual_hint is distinct from expected_hint
