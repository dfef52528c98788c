{#-
    Names: cleaned (newlines and repeated spaces removed, surrounding quotes dropped), and split
    when the file has one name column ("Ana Reyes" -> Ana / Reyes; "Reyes, Ana" -> Ana / Reyes).
    A full name typed into a first-name column is split the same way, or loses its trailing
    last name when the last-name column repeats it ("Rosa Sampleton" / "Sampleton").
-#}

{% macro engage_clean_name(expr) -%}
    nullif(trim({{ engage_regexp_replace(engage_clean_text(expr), "'^[\"'' ]+|[\"'' ]+$'", "''") }}), '')
{%- endmacro %}

{#- the text to split: only when there is no separate last name -#}
{% macro _engage_name_to_split(first_name, last_name, full_name) -%}
    (case when {{ last_name }} is null then coalesce({{ full_name }}, {{ first_name }}) end)
{%- endmacro %}

{% macro engage_first_name(first_name, last_name, full_name) -%}
    {%- set s = _engage_name_to_split(first_name, last_name, full_name) -%}
    case
        when {{ last_name }} is not null and lower({{ first_name }}) like '% ' || lower({{ last_name }})
            then trim(substr({{ first_name }}, 1, length({{ first_name }}) - length({{ last_name }})))
        when {{ last_name }} is not null then coalesce({{ first_name }},
            case when {{ full_name }} like '%,%' then nullif(trim(substr({{ full_name }}, position(',' in {{ full_name }}) + 1)), '')
                 when {{ full_name }} like '% %' then substr({{ full_name }}, 1, position(' ' in {{ full_name }}) - 1)
                 else {{ full_name }} end)
        when {{ s }} like '%,%' then nullif(trim(substr({{ s }}, position(',' in {{ s }}) + 1)), '')
        when {{ s }} like '% %' then substr({{ s }}, 1, position(' ' in {{ s }}) - 1)
        else {{ s }}
    end
{%- endmacro %}

{% macro engage_last_name(first_name, last_name, full_name) -%}
    {%- set s = _engage_name_to_split(first_name, last_name, full_name) -%}
    case
        when {{ last_name }} is not null then {{ last_name }}
        when {{ s }} like '%,%' then nullif(trim(substr({{ s }}, 1, position(',' in {{ s }}) - 1)), '')
        when {{ s }} like '% %' then nullif(trim(substr({{ s }}, position(' ' in {{ s }}) + 1)), '')
    end
{%- endmacro %}

{#- lower-case, common accents folded, letters only: the form names are compared in for
    identity matching (José, Jose and JOSE match; Sampleton-Mock matches Sampleton Mock) -#}
{% macro engage_name_key(expr) -%}
    nullif({{ engage_regexp_replace(
        "translate(lower(" ~ expr ~ "), 'áàâäãåāéèêëēíìîïīóòôöõøōúùûüūñçýÿšžł', 'aaaaaaaeeeeeiiiiiooooooouuuuuncyyszl')",
        "'[^a-z]'", "''") }}, '')
{%- endmacro %}
