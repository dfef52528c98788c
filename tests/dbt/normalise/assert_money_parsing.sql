-- engage_parse_money and engage_money_currency
with cases (raw, expected, expected_currency) as (
    values
    ('$30', 30.00, 'USD'),
    ('30.00', 30.00, null),
    ('$1,200.50', 1200.50, 'USD'),
    ('(15.00)', -15.00, null),
    ('$(15.00)', -15.00, 'USD'),
    ('-15', -15.00, null),
    ('£12.5', 12.50, 'GBP'),
    ('€9', 9.00, 'EUR'),
    ('30 USD', 30.00, 'USD'),
    ('CA$20', 20.00, 'CAD'),
    ('free', null, null),
    ('', null, null),
    (null, null, null)
),

parsed as (
    select
        raw,
        cast(expected as {{ dbt.type_numeric() }}) as expected,
        expected_currency,
        {{ engage_parse_money('raw') }} as actual,
        {{ engage_money_currency('raw') }} as actual_currency
    from cases
)

select * from parsed
where actual is distinct from expected
    or actual_currency is distinct from expected_currency
