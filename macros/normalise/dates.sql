{#-
    Dates and times to a UTC timestamp, portable (no strptime):
      ISO             2024-01-15, 2016-04-18 13:51:14 (Mailchimp, naive = UTC), 2024-01-15T09:30:00Z,
                      2015-10-05 01:00:27 -0700, 2026-01-01 10:00:00+00 (offsets converted to UTC)
      numeric         11/29/24 22:28, 4/9/2021 12:25:42 (month first), or 03/04/2025 day first
                      when `day_first` (a SQL boolean expression: the file's setting) is true
      month names     Sep 26, 2026 7:05 PM; 26 September 2026
      Excel serial    45323 (days since 1899-12-30), 45323.5 (noon)
    Two-digit years: 00-69 -> 2000s, 70-99 -> 1900s. Anything else, or an impossible date
    (31/02, month 13, hour 25), gives null: never a guess.
    How, in three steps (engage_parse_timestamp composes them in a one-row subquery; a model
    that parses many columns runs each step in its own CTE, see base_spreadsheets__rows): one
    regexp_replace per layout rewrites the text to `year|month|day|hour|minute|second|am-pm|
    offset`; split_part reads the parts as integers; the parts are checked and combined. (A
    correlated subquery costs a join per column on large tables, hence the CTEs there.)
-#}
{% macro engage_parse_timestamp(expr, day_first='false') -%}
    {#- each step in its own derived table of a one-row subquery, so every part is computed
        once (inlining the steps would make one very large expression) -#}
    {%- set fields = engage_timestamp_fields('ts_layout.layout') -%}
    {%- set columns = {} -%}
    {%- for name in fields -%}
        {%- do columns.update({name: 'ts_parts.' ~ name}) -%}
    {%- endfor -%}
    (
        select {{ engage_timestamp_from_fields(columns) }}
        from (
            select
                {%- for name, field_sql in fields.items() %}
                {{ field_sql }} as {{ name }}{{ "," if not loop.last }}
                {%- endfor %}
            from (select {{ engage_timestamp_layout(expr, day_first) }} as layout) as ts_layout
        ) as ts_parts
    )
{%- endmacro %}

{#- Step 1: the text rewritten as `year|month|day|hour|minute|second|am-pm|offset` by the first
    layout that matches, `serial|<number>` for an Excel serial, else null. -#}
{% macro engage_timestamp_layout(expr, day_first='false') -%}
    {%- set tm = "(?:[t ]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.][0-9]+)?)?)? ?(am|pm)? ?(z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?)?$'" -%}
    {%- set p_iso = "'^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})" ~ tm -%}
    {%- set p_num = "'^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4}|[0-9]{2})" ~ tm -%}
    {%- set p_mdy = "'^([a-z]{3})[a-z]*[.]? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})" ~ tm -%}
    {%- set p_dmy = "'^([0-9]{1,2})(?:st|nd|rd|th)? ([a-z]{3})[a-z]*[.]?,? ([0-9]{4})" ~ tm -%}
    {%- set time_parts = "|\\4|\\5|\\6|\\7|\\8'" -%}
    {%- set t = "lower(trim(" ~ expr ~ "))" -%}
    case
        when {{ engage_regexp_like(t, "'^[0-9]{5}([.][0-9]+)?$'") }}
            then 'serial|' || {{ t }}
        when {{ engage_regexp_like(t, p_iso) }}
            then {{ engage_regexp_replace(t, p_iso, "'\\1|\\2|\\3" ~ time_parts) }}
        when {{ engage_regexp_like(t, p_num) }} and ({{ day_first }})
            then {{ engage_regexp_replace(t, p_num, "'\\3|\\2|\\1" ~ time_parts) }}
        when {{ engage_regexp_like(t, p_num) }}
            then {{ engage_regexp_replace(t, p_num, "'\\3|\\1|\\2" ~ time_parts) }}
        when {{ engage_regexp_like(t, p_mdy) }}
            then {{ engage_regexp_replace(t, p_mdy, "'\\3|\\1|\\2" ~ time_parts) }}
        when {{ engage_regexp_like(t, p_dmy) }}
            then {{ engage_regexp_replace(t, p_dmy, "'\\3|\\2|\\1" ~ time_parts) }}
    end
{%- endmacro %}

{#- Step 2: the parts of a layout (a SQL expression from step 1) as integer SQL expressions:
    a mapping of serial, y, m, d, h, mi, s, ampm, offset_minutes. Models that parse many
    columns put each step in its own CTE, so each expression is computed once. -#}
{% macro engage_timestamp_fields(layout) -%}
    {%- set part = "nullif(split_part(" ~ layout ~ ", '|', {n}), '')" -%}
    {%- set is_serial = "split_part(" ~ layout ~ ", '|', 1) = 'serial'" -%}
    {%- set y_text = "case when not (" ~ is_serial ~ ") then " ~ part.replace('{n}', '1') ~ " end" -%}
    {%- set m_text = part.replace('{n}', '2') -%}
    {%- set tz = part.replace('{n}', '8') -%}
    {%- set tz_digits = "replace(" ~ tz ~ ", ':', '')" -%}
    {{ return({
        'serial': engage_safe_numeric("case when " ~ is_serial ~ " then split_part(" ~ layout ~ ", '|', 2) end"),
        'y': "case when length(" ~ y_text ~ ") = 2 then cast(" ~ y_text ~ " as integer) + case when cast(" ~ y_text ~ " as integer) < 70 then 2000 else 1900 end else cast(" ~ y_text ~ " as integer) end",
        'm': "case when " ~ engage_regexp_like(m_text, "'^[0-9]+$'") ~ " then cast(" ~ m_text ~ " as integer) else cast(" ~ _engage_month_number(m_text) ~ " as integer) end",
        'd': "cast(" ~ part.replace('{n}', '3') ~ " as integer)",
        'h': "coalesce(cast(" ~ part.replace('{n}', '4') ~ " as integer), 0)",
        'mi': "coalesce(cast(" ~ part.replace('{n}', '5') ~ " as integer), 0)",
        's': "coalesce(cast(" ~ part.replace('{n}', '6') ~ " as integer), 0)",
        'ampm': part.replace('{n}', '7'),
        'offset_minutes': "case when " ~ tz ~ " is null or " ~ tz ~ " in ('z', 'utc', 'gmt') then 0 else case when substr(" ~ tz ~ ", 1, 1) = '-' then -1 else 1 end * (cast(substr(" ~ tz_digits ~ ", 2, 2) as integer) * 60 + cast(coalesce(nullif(substr(" ~ tz_digits ~ ", 4, 2), ''), '0') as integer)) end",
    }) }}
{%- endmacro %}

{#- Step 3: the UTC timestamp from the fields of step 2 (a mapping of SQL expressions, e.g.
    column names), or null for an impossible date. -#}
{% macro engage_timestamp_from_fields(f) -%}
    case
        when {{ f['serial'] }} is not null then
            case when {{ f['serial'] }} between 20000 and 80000 then
                {{ dbt.dateadd('second', "cast(round((" ~ f['serial'] ~ " - floor(" ~ f['serial'] ~ ")) * 86400) as " ~ dbt.type_bigint() ~ ")",
                    dbt.dateadd('day', "cast(floor(" ~ f['serial'] ~ ") as " ~ dbt.type_bigint() ~ ")", "cast('1899-12-30 00:00:00' as " ~ dbt.type_timestamp() ~ ")")) }}
            end
        when {{ f['y'] }} between 1900 and 2200
            and {{ f['m'] }} between 1 and 12
            and {{ f['d'] }} between 1 and case
                when {{ f['m'] }} in (4, 6, 9, 11) then 30
                when {{ f['m'] }} = 2 then
                    case when ({{ f['y'] }} % 4 = 0 and {{ f['y'] }} % 100 <> 0) or {{ f['y'] }} % 400 = 0 then 29 else 28 end
                else 31
            end
            and ({{ f['ampm'] }} is null or {{ f['h'] }} between 1 and 12)
            and {{ f['h'] }} between 0 and 23 and {{ f['mi'] }} between 0 and 59 and {{ f['s'] }} between 0 and 59
            then {{ dbt.dateadd('minute', "-1 * (" ~ f['offset_minutes'] ~ ")", engage_make_timestamp(
                f['y'], f['m'], f['d'],
                "case when " ~ f['ampm'] ~ " = 'pm' and " ~ f['h'] ~ " < 12 then " ~ f['h'] ~ " + 12 when " ~ f['ampm'] ~ " = 'am' and " ~ f['h'] ~ " = 12 then 0 else " ~ f['h'] ~ " end",
                f['mi'], f['s'])) }}
    end
{%- endmacro %}

{% macro _engage_month_number(abbrev) -%}
    (case {{ abbrev }} when 'jan' then '1' when 'feb' then '2' when 'mar' then '3' when 'apr' then '4'
        when 'may' then '5' when 'jun' then '6' when 'jul' then '7' when 'aug' then '8' when 'sep' then '9'
        when 'oct' then '10' when 'nov' then '11' when 'dec' then '12' end)
{%- endmacro %}
