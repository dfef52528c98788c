-- engage_key: how headers (and country names) are normalised before the alias lookup
with cases (raw, expected) as (
    values
    ('Email Address', 'email_address'),
    ('E-mail', 'e_mail'),
    (' EMAIL ', 'email'),
    ('Zip/Postcode', 'zip_postcode'),
    ('ZIP / Postcode', 'zip_postcode'),
    ('Order #', 'order'),
    ('Volunteer? (Y/N)', 'volunteer_y_n'),
    ('Which issues matter most to you?', 'which_issues_matter_most_to_you'),
    ('can2_subscription_status', 'can2_subscription_status'),
    ('United Kingdom', 'united_kingdom')
)

select
    raw,
    expected,
    {{ engage_key('raw') }} as actual
from cases
where {{ engage_key('raw') }} is distinct from expected
