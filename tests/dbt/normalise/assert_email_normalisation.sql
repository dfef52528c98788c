-- engage_normalise_email: trim, lower-case, mailto: and angle brackets removed, invalid -> null;
-- a space inside an address makes it invalid (never joined into another address); placeholder
-- answers are blank (engage_email_candidate null), a truncated address is an invalid candidate
with cases (raw, expected, expected_candidate) as (
    values
    ('Rosa@Example.org ', 'rosa@example.org', 'rosa@example.org'),
    ('  ROSA@example.ORG', 'rosa@example.org', 'rosa@example.org'),
    ('mailto:rosa@example.org', 'rosa@example.org', 'rosa@example.org'),
    ('<rosa@example.org>', 'rosa@example.org', 'rosa@example.org'),
    ('Rosa Reyes <Rosa@Example.ORG>', 'rosa@example.org', 'rosa@example.org'),
    ('MAILTO:Rosa@example.org', 'rosa@example.org', 'rosa@example.org'),
    ('"rosa@example.org"', 'rosa@example.org', 'rosa@example.org'),
    ('rosa@example.org.', 'rosa@example.org', 'rosa@example.org'),
    ('rosa@example.org. ', 'rosa@example.org', 'rosa@example.org'),
    ('o''brien+news@mail.example.co.uk', 'o''brien+news@mail.example.co.uk', 'o''brien+news@mail.example.co.uk'),
    ('first.last@example-domain.org', 'first.last@example-domain.org', 'first.last@example-domain.org'),
    ('us er@x.org', null, 'us er@x.org'),
    ('jo hn@example.org', null, 'jo hn@example.org'),
    ('john@exa mple.org', null, 'john@exa mple.org'),
    ('name at example.org', null, 'name at example.org'),
    ('@example.net', null, '@example.net'),
    ('sam@@example.com', null, 'sam@@example.com'),
    ('bob@', null, 'bob@'),
    ('jturner@', null, 'jturner@'),
    ('bob@example', null, 'bob@example'),
    ('bob..smith@example.com', null, 'bob..smith@example.com'),
    ('.bob@example.com', null, '.bob@example.com'),
    ('bob@-example.com', null, 'bob@-example.com'),
    ('bob@example.c0m', null, 'bob@example.c0m'),
    ('n/a', null, null),
    ('N/A', null, null),
    (' none ', null, null),
    ('No email', null, null),
    ('REFUSED', null, null),
    ('', null, null),
    ('   ', null, null),
    (null, null, null)
)

select
    raw,
    expected,
    expected_candidate,
    {{ engage_normalise_email('raw') }} as actual,
    {{ engage_email_candidate('raw') }} as actual_candidate
from cases
where {{ engage_normalise_email('raw') }} is distinct from expected
    or {{ engage_email_candidate('raw') }} is distinct from expected_candidate
