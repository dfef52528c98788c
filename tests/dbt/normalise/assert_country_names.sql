-- Country names, codes and variants as written in spreadsheets resolve through engage_key and
-- base_spreadsheets__country_aliases (generated from pycountry and Babel, plus the hand seed)
with cases (raw, expected) as (
    values
    ('Chile', 'CL'),
    ('CL', 'CL'),
    ('Belgium', 'BE'),
    ('Belgique', 'BE'),
    ('België', 'BE'),
    ('Belgie', 'BE'),
    ('BEL', 'BE'),
    (' be ', 'BE'),
    ('United Arab Emirates', 'AE'),
    ('UAE', 'AE'),
    ('Deutschland', 'DE'),
    ('Germany', 'DE'),
    ('Côte d''Ivoire', 'CI'),
    ('Cote d''Ivoire', 'CI'),
    ('Türkiye', 'TR'),
    ('Turkey', 'TR'),
    ('United Kingdom', 'GB'),
    ('Great Britain', 'GB'),
    ('England', 'GB'),
    ('Scotland', 'GB'),
    ('U.S.A.', 'US'),
    ('United States', 'US'),
    ('Canada', 'CA'),
    ('Holland', 'NL'),
    ('Nederland', 'NL'),
    ('The Netherlands', 'NL'),
    ('Australia', 'AU'),
    ('Atlantis', null)
),

aliases as (
    select * from {{ ref('base_spreadsheets__country_aliases') }}
),

resolved as (
    select
        cases.raw,
        cases.expected,
        aliases.country_code as actual
    from cases
    left join aliases on aliases.alias = {{ engage_key(engage_clean_text('cases.raw')) }}
)

select * from resolved
where actual is distinct from expected
