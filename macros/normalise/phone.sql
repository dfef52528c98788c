{#-
    Phones to E.164 without Python. The country rules (calling code, trunk prefix, international
    prefix, national number pattern) come from the seed `phone_country_rules`, joined by the
    model for the row's country (else the file's default country, else var default_phone_country).
    Numbers written with + or an international prefix keep their own country.
    Invalid numbers (letters, Excel scientific notation, wrong length) become null.
-#}
{% macro engage_phone_e164(expr, calling_code, trunk_prefix, international_prefix, national_pattern) -%}
    {%- set t0 = engage_unwrap_excel("lower(" ~ expr ~ ")") -%}
    {%- set t1 = engage_regexp_replace(t0, "'\\s*(x|ext[.]?|extension)\\s*[0-9]+$'", "''") -%}
    {%- set t = engage_regexp_replace(t1, "'[(]0[)]'", "''") -%}
    {%- set digits = engage_regexp_replace(t, "'[^0-9]'", "''") -%}
    case
        when not {{ engage_regexp_like(t, "'^[+]?[0-9 ().\\/-]+$'") }} then null
        when trim({{ t }}) like '+%' then
            case when length({{ digits }}) between 8 and 15 then '+' || {{ digits }} end
        when {{ international_prefix }} is not null
            and {{ digits }} like {{ international_prefix }} || '%'
            and length({{ digits }}) - length({{ international_prefix }}) between 8 and 15
            then '+' || substr({{ digits }}, length({{ international_prefix }}) + 1)
        when {{ trunk_prefix }} is not null
            and {{ digits }} like {{ trunk_prefix }} || '%'
            and {{ engage_regexp_like("substr(" ~ digits ~ ", length(" ~ trunk_prefix ~ ") + 1)", national_pattern) }}
            then '+' || {{ calling_code }} || substr({{ digits }}, length({{ trunk_prefix }}) + 1)
        when {{ engage_regexp_like(digits, national_pattern) }}
            then '+' || {{ calling_code }} || {{ digits }}
        when {{ digits }} like {{ calling_code }} || '%'
            and {{ engage_regexp_like("substr(" ~ digits ~ ", length(" ~ calling_code ~ ") + 1)", national_pattern) }}
            then '+' || {{ digits }}
    end
{%- endmacro %}
