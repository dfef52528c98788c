-- engage_normalise_email: trim, lower-case, mailto: and angle brackets removed, invalid -> null
with cases (raw, expected) as (
    values
        ('Rosa@Example.org ', 'rosa@example.org'),
        ('mailto:rosa@example.org', 'rosa@example.org'),
        ('<rosa@example.org>', 'rosa@example.org'),
        ('Rosa Reyes <Rosa@Example.ORG>', 'rosa@example.org'),
        ('MAILTO:Rosa@example.org', 'rosa@example.org'),
        ('"rosa@example.org"', 'rosa@example.org'),
        ('rosa@example.org.', 'rosa@example.org'),
        ('o''brien+news@mail.example.co.uk', 'o''brien+news@mail.example.co.uk'),
        ('first.last@example-domain.org', 'first.last@example-domain.org'),
        ('name at example.org', null),
        ('@example.net', null),
        ('sam@@example.com', null),
        ('bob@', null),
        ('bob@example', null),
        ('bob..smith@example.com', null),
        ('.bob@example.com', null),
        ('bob@-example.com', null),
        ('bob@example.c0m', null),
        ('', null),
        ('   ', null),
        (null, null)
)
select raw, expected, {{ engage_normalise_email('raw') }} as actual
from cases
where {{ engage_normalise_email('raw') }} is distinct from expected
