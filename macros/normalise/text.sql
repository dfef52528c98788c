{#- Text cleaning shared by every normaliser. -#}

{#- whitespace (incl. newlines and tabs) collapsed to one space, trimmed, common mojibake
    repaired; blank becomes null -#}
{% macro engage_clean_text(expr) -%}
    nullif(trim({{ engage_regexp_replace(engage_fix_mojibake(expr), "'\\s+'", "' '") }}), '')
{%- endmacro %}

{#- UTF-8 text that was once decoded as Latin-1/Windows-1252 (JosÃ© -> José): the common
    two-character sequences of accented Latin letters are put back -#}
{% macro engage_fix_mojibake(expr) -%}
    {%- set pairs = [
        ('Ã©', 'é'), ('Ã¨', 'è'), ('Ãª', 'ê'), ('Ã«', 'ë'), ('Ã¡', 'á'), ('Ã¢', 'â'), ('Ã¤', 'ä'),
        ('Ã£', 'ã'), ('Ã¥', 'å'), ('Ã­', 'í'), ('Ã®', 'î'), ('Ã¯', 'ï'), ('Ã³', 'ó'), ('Ã´', 'ô'),
        ('Ã¶', 'ö'), ('Ãµ', 'õ'), ('Ã¸', 'ø'), ('Ãº', 'ú'), ('Ã»', 'û'), ('Ã¼', 'ü'), ('Ã±', 'ñ'),
        ('Ã§', 'ç'), ('Ã‰', 'É'), ('Ã–', 'Ö'), ('Ãœ', 'Ü'), ('Ã ', 'à'),
    ] -%}
    {%- set ns = namespace(sql=expr) -%}
    {%- for bad, good in pairs -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ bad ~ "', '" ~ good ~ "')" -%}
    {%- endfor -%}
    {#- every pair starts with Ã: text without one (nearly all) skips the replacements -#}
    case when {{ expr }} like '%Ã%' then {{ ns.sql }} else {{ expr }} end
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
