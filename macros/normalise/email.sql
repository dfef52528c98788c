{#-
    Emails: trim, lower-case, take the address out of `Name <address>`, strip `mailto:`,
    quotes, surrounding whitespace and trailing punctuation (a sentence's full stop); then
    check the syntax. Whitespace inside an address is kept, so `jo hn@example.org` is invalid
    (never silently joined into someone else's address). Placeholder answers (var
    email_placeholder_values: `n/a`, `none`, `no email`, `refused`, ...) are blank.
-#}

{#- the cleaned candidate address, valid or not (null when blank or a placeholder) -#}
{% macro engage_email_candidate(expr) -%}
    {%- set t = "lower(trim(" ~ expr ~ "))" -%}
    {%- set inside = "coalesce(" ~ engage_regexp_extract(t, "'<([^<>]*)>'", 1) ~ ", " ~ t ~ ")" -%}
    {%- set no_mailto = engage_regexp_replace(inside, "'^\\s*mailto:'", "''") -%}
    {%- set no_quotes = engage_regexp_replace(no_mailto, "'[\"<>]'", "''") -%}
    {%- set cleaned = "nullif(" ~ engage_regexp_replace(no_quotes, "'^\\s+|[\\s.,;:]+$'", "''") ~ ", '')" -%}
    {%- set placeholders = var('email_placeholder_values', []) -%}
    {%- if placeholders -%}
    {#- one regular expression, not an IN list (engines turn long IN lists into a join) -#}
    case
        when {{ engage_regexp_like(cleaned, "'^(" ~ _engage_regex_alternation(placeholders) ~ ")$'") }} then null
        else {{ cleaned }}
    end
    {%- else -%}
    {{ cleaned }}
    {%- endif -%}
{%- endmacro %}

{#- true when an already-cleaned address has valid syntax: local@domain.tld, no dots at the
    edges of the local part, no double dots, no whitespace, letters-only top-level domain -#}
{% macro engage_email_is_valid(candidate) -%}
    coalesce({{ engage_regexp_like(candidate,
        "'^[a-z0-9_%+''-]+([.][a-z0-9_%+''-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,24}$'") }}, false)
{%- endmacro %}

{#- the normalised address, or null when blank, a placeholder or invalid -#}
{% macro engage_normalise_email(expr) -%}
    case
        when {{ engage_email_is_valid(engage_email_candidate(expr)) }}
            then {{ engage_email_candidate(expr) }}
    end
{%- endmacro %}
