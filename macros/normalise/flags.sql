{#- Yes/no answers: values listed in the vars flag_true_values / flag_false_values (compared
    lower-cased and trimmed), or starting with a word from flag_true_prefixes /
    flag_false_prefixes followed by a space or punctuation, become true / false; blank or
    anything else is null (unknown), never false. -#}
{% macro engage_parse_flag(expr) -%}
    {%- set t = "lower(trim(" ~ expr ~ "))" -%}
    {#- one regular expression per answer (not an IN list: engines turn long IN lists into a
        join per column, which is slow on wide tables) -#}
    case
        when {{ engage_regexp_like(t, "'^(" ~ _engage_regex_alternation(var('flag_true_values')) ~ ")$'") }} then true
        when {{ engage_regexp_like(t, "'^(" ~ _engage_regex_alternation(var('flag_false_values')) ~ ")$'") }} then false
        when {{ engage_regexp_like(t, "'^(" ~ _engage_regex_alternation(var('flag_true_prefixes')) ~ ")([^a-z]|$)'") }} then true
        when {{ engage_regexp_like(t, "'^(" ~ _engage_regex_alternation(var('flag_false_prefixes')) ~ ")([^a-z]|$)'") }} then false
    end
{%- endmacro %}

{#- plain words, regex-escaped, joined with | (the caller adds a word boundary after the group,
    so the branch order does not change whether a value matches) -#}
{% macro _engage_regex_alternation(values) -%}
    {%- set escaped = [] -%}
    {%- for v in values -%}
        {%- do escaped.append(modules.re.escape(v | string | lower) | replace("'", "''")) -%}
    {%- endfor -%}
    {{ escaped | join('|') }}
{%- endmacro %}
