{#- Text cleaning shared by every normaliser. -#}

{#- whitespace (incl. newlines and tabs) collapsed to one space, trimmed; blank becomes null -#}
{% macro engage_clean_text(expr) -%}
    nullif(trim({{ engage_regexp_replace(expr, "'\\s+'", "' '") }}), '')
{%- endmacro %}

{#- Excel's text-forcing wrapper ="00971" unwrapped to 00971 -#}
{% macro engage_unwrap_excel(expr) -%}
    {{ engage_regexp_replace("trim(" ~ expr ~ ")", "'^=\"(.*)\"$'", "'\\1'") }}
{%- endmacro %}

{#- a lookup key: lower-case, runs of non-alphanumerics become one `_`, no leading/trailing `_`
    (`E-mail Address ` -> `e_mail_address`, `Order #` -> `order`); used for headers and aliases -#}
{% macro engage_key(expr) -%}
    {{ engage_regexp_replace(engage_regexp_replace("lower(trim(" ~ expr ~ "))", "'[^a-z0-9]+'", "'_'"), "'^_+|_+$'", "''") }}
{%- endmacro %}
