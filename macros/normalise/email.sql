{#-
    Emails: trim, lower-case, take the address out of `Name <address>`, strip `mailto:`,
    quotes, whitespace and trailing punctuation (a sentence's full stop); then check the syntax.
-#}

{#- the cleaned candidate address, valid or not (null when blank) -#}
{% macro engage_email_candidate(expr) -%}
    {%- set t = "lower(trim(" ~ expr ~ "))" -%}
    {%- set inside = "coalesce(" ~ engage_regexp_extract(t, "'<([^<>]*)>'", 1) ~ ", " ~ t ~ ")" -%}
    {%- set no_mailto = engage_regexp_replace(inside, "'^\\s*mailto:'", "''") -%}
    {%- set no_space = engage_regexp_replace(no_mailto, "'[\\s\"<>]'", "''") -%}
    nullif({{ engage_regexp_replace(no_space, "'[.,;:]+$'", "''") }}, '')
{%- endmacro %}

{#- true when an already-cleaned address has valid syntax: local@domain.tld, no dots at the
    edges of the local part, no double dots, letters-only top-level domain -#}
{% macro engage_email_is_valid(candidate) -%}
    coalesce({{ engage_regexp_like(candidate,
        "'^[a-z0-9_%+''-]+([.][a-z0-9_%+''-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,24}$'") }}, false)
{%- endmacro %}

{#- the normalised address, or null when blank or invalid -#}
{% macro engage_normalise_email(expr) -%}
    case
        when {{ engage_email_is_valid(engage_email_candidate(expr)) }}
            then {{ engage_email_candidate(expr) }}
    end
{%- endmacro %}
