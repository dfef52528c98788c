{#-
    Dates and times to a UTC timestamp, in one portable expression (no strptime):
      ISO             2024-01-15, 2016-04-18 13:51:14 (Mailchimp, naive = UTC), 2024-01-15T09:30:00Z,
                      2015-10-05 01:00:27 -0700, 2026-01-01 10:00:00+00 (offsets are converted to UTC)
      numeric         11/29/24 22:28, 4/9/2021 12:25:42 (month first), or 03/04/2025 day first
                      when `day_first` (a SQL boolean expression: the file's setting) is true
      month names     Sep 26, 2026 7:05 PM; 26 September 2026
      Excel serial    45323 (days since 1899-12-30), 45323.5 (noon)
    Two-digit years: 00-69 -> 2000s, 70-99 -> 1900s. Anything else, or an impossible date
    (31/02, month 13, hour 25), gives null: never a guess.
-#}
{% macro engage_parse_timestamp(expr, day_first='false') -%}
    {%- set t = "lower(trim(" ~ expr ~ "))" -%}
    {%- set tm = "(?:[t ]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.][0-9]+)?)?)? ?(am|pm)? ?(z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?)?$'" -%}
    {%- set p_iso = "'^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})" ~ tm -%}
    {%- set p_num = "'^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4}|[0-9]{2})" ~ tm -%}
    {%- set p_mdy = "'^([a-z]{3})[a-z]*[.]? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})" ~ tm -%}
    {%- set p_dmy = "'^([0-9]{1,2})(?:st|nd|rd|th)? ([a-z]{3})[a-z]*[.]?,? ([0-9]{4})" ~ tm -%}
    {%- set patterns = [p_iso, p_num, p_mdy, p_dmy] -%}

    {%- set y_txt = "coalesce(" ~ engage_regexp_extract(t, p_iso, 1) ~ ", " ~ engage_regexp_extract(t, p_num, 3) ~ ", "
        ~ engage_regexp_extract(t, p_mdy, 3) ~ ", " ~ engage_regexp_extract(t, p_dmy, 3) ~ ")" -%}
    {%- set m_txt = "coalesce(" ~ engage_regexp_extract(t, p_iso, 2)
        ~ ", case when " ~ day_first ~ " then " ~ engage_regexp_extract(t, p_num, 2) ~ " else " ~ engage_regexp_extract(t, p_num, 1) ~ " end"
        ~ ", " ~ _engage_month_number(engage_regexp_extract(t, p_mdy, 1))
        ~ ", " ~ _engage_month_number(engage_regexp_extract(t, p_dmy, 2)) ~ ")" -%}
    {%- set d_txt = "coalesce(" ~ engage_regexp_extract(t, p_iso, 3)
        ~ ", case when " ~ day_first ~ " then " ~ engage_regexp_extract(t, p_num, 1) ~ " else " ~ engage_regexp_extract(t, p_num, 2) ~ " end"
        ~ ", " ~ engage_regexp_extract(t, p_mdy, 2) ~ ", " ~ engage_regexp_extract(t, p_dmy, 1) ~ ")" -%}
    {%- set parts = {} -%}
    {%- for name, idx in [('h', 4), ('mi', 5), ('s', 6), ('ampm', 7), ('tz', 8)] -%}
        {%- set ex = [] -%}
        {%- for p in patterns -%}{%- do ex.append(engage_regexp_extract(t, p, idx)) -%}{%- endfor -%}
        {%- do parts.update({name: "coalesce(" ~ ex | join(", ") ~ ")"}) -%}
    {%- endfor -%}

    {%- set y2 = "cast(" ~ y_txt ~ " as integer)" -%}
    {%- set y = "(case when length(" ~ y_txt ~ ") = 2 then case when " ~ y2 ~ " < 70 then 2000 else 1900 end + " ~ y2 ~ " else " ~ y2 ~ " end)" -%}
    {%- set m = "cast(" ~ m_txt ~ " as integer)" -%}
    {%- set d = "cast(" ~ d_txt ~ " as integer)" -%}
    {%- set h_raw = "coalesce(cast(" ~ parts.h ~ " as integer), 0)" -%}
    {%- set h = "(case when " ~ parts.ampm ~ " = 'pm' and " ~ h_raw ~ " < 12 then " ~ h_raw ~ " + 12 when "
        ~ parts.ampm ~ " = 'am' and " ~ h_raw ~ " = 12 then 0 else " ~ h_raw ~ " end)" -%}
    {%- set mi = "coalesce(cast(" ~ parts.mi ~ " as integer), 0)" -%}
    {%- set s = "coalesce(cast(" ~ parts.s ~ " as integer), 0)" -%}
    {%- set tz_digits = "replace(" ~ parts.tz ~ ", ':', '')" -%}
    {%- set offset_minutes = "(case when " ~ parts.tz ~ " is null or " ~ parts.tz ~ " in ('z', 'utc', 'gmt') then 0 else "
        ~ "(case when substr(" ~ tz_digits ~ ", 1, 1) = '-' then -1 else 1 end) * (cast(substr(" ~ tz_digits ~ ", 2, 2) as integer) * 60 + cast(coalesce(nullif(substr("
        ~ tz_digits ~ ", 4, 2), ''), '0') as integer)) end)" -%}
    {%- set days_in_month = "(case when " ~ m ~ " in (4, 6, 9, 11) then 30 when " ~ m ~ " = 2 then case when (" ~ y ~ " % 4 = 0 and " ~ y
        ~ " % 100 <> 0) or " ~ y ~ " % 400 = 0 then 29 else 28 end else 31 end)" -%}
    {%- set serial = engage_safe_numeric(t) -%}
    case
        when {{ engage_regexp_like(t, "'^[0-9]{5}([.][0-9]+)?$'") }} then
            case when {{ serial }} between 20000 and 80000 then
                {{ dbt.dateadd('second', "cast(round((" ~ serial ~ " - floor(" ~ serial ~ ")) * 86400) as " ~ dbt.type_bigint() ~ ")",
                    dbt.dateadd('day', "cast(floor(" ~ serial ~ ") as " ~ dbt.type_bigint() ~ ")", "cast('1899-12-30 00:00:00' as " ~ dbt.type_timestamp() ~ ")")) }}
            end
        when {{ m_txt }} is not null
            and {{ y }} between 1900 and 2200
            and {{ m }} between 1 and 12
            and {{ d }} between 1 and {{ days_in_month }}
            and ({{ parts.ampm }} is null or {{ h_raw }} between 1 and 12)
            and {{ h }} between 0 and 23 and {{ mi }} between 0 and 59 and {{ s }} between 0 and 59
            then {{ dbt.dateadd('minute', "-1 * " ~ offset_minutes, engage_make_timestamp(y, m, d, h, mi, s)) }}
    end
{%- endmacro %}

{% macro _engage_month_number(abbrev) -%}
    (case {{ abbrev }} when 'jan' then '1' when 'feb' then '2' when 'mar' then '3' when 'apr' then '4'
        when 'may' then '5' when 'jun' then '6' when 'jul' then '7' when 'aug' then '8' when 'sep' then '9'
        when 'oct' then '10' when 'nov' then '11' when 'dec' then '12' end)
{%- endmacro %}
