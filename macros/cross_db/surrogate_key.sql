{#- md5 hex of the fields (SQL expressions) joined with `|`, nulls written as `_null_`: the same
    id on every adapter (dbt_utils' generate_surrogate_key, without the package). -#}
{% macro engage_surrogate_key(fields) -%}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
