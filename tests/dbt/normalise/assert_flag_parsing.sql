-- engage_parse_flag: the yes-forms true, the no-forms false, blank or anything else unknown
with cases (raw, expected) as (
    values
    ('Yes', true), ('y', true), ('TRUE', true), ('1', true), ('x', true), ('✓', true),
    ('on', true), ('subscribed', true), (' Yes ', true), ('Sì', true),
    ('Yes – first name only', true),
    ('I agree to receive emails about volunteering and campaigns', true),
    ('No', false), ('n', false), ('FALSE', false), ('0', false), ('✗', false),
    ('off', false), ('unsubscribed', false), ('No thanks', false),
    ('', null), ('   ', null), (null, null), ('maybe', null), ('nothing', null), ('yesterday', null)
)

select
    raw,
    expected,
    {{ engage_parse_flag('raw') }} as actual
from cases
where {{ engage_parse_flag('raw') }} is distinct from expected
