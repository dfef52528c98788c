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
    How: one regexp_replace per layout rewrites the text to `year|month|day|hour|minute|second|
    am-pm|offset`, inside a scalar subquery so every part is computed once.
-#}
{% macro engage_parse_timestamp(expr, day_first='false') -%}
    {%- set tm = "(?:[t ]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.][0-9]+)?)?)? ?(am|pm)? ?(z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?)?$'" -%}
    {%- set p_iso = "'^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})" ~ tm -%}
    {%- set p_num = "'^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4}|[0-9]{2})" ~ tm -%}
    {%- set p_mdy = "'^([a-z]{3})[a-z]*[.]? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})" ~ tm -%}
    {%- set p_dmy = "'^([0-9]{1,2})(?:st|nd|rd|th)? ([a-z]{3})[a-z]*[.]?,? ([0-9]{4})" ~ tm -%}
    {%- set time_parts = "|\\4|\\5|\\6|\\7|\\8'" -%}
    {%- set serial = engage_safe_numeric('ts_text.t') -%}
    (
        select
            case
                when ts_parts.is_serial then
                    case when {{ serial }} between 20000 and 80000 then
                        {{ dbt.dateadd('second', "cast(round((" ~ serial ~ " - floor(" ~ serial ~ ")) * 86400) as " ~ dbt.type_bigint() ~ ")",
                            dbt.dateadd('day', "cast(floor(" ~ serial ~ ") as " ~ dbt.type_bigint() ~ ")", "cast('1899-12-30 00:00:00' as " ~ dbt.type_timestamp() ~ ")")) }}
                    end
                when ts_parts.y between 1900 and 2200
                    and ts_parts.m between 1 and 12
                    and ts_parts.d between 1 and case
                        when ts_parts.m in (4, 6, 9, 11) then 30
                        when ts_parts.m = 2 then
                            case when (ts_parts.y % 4 = 0 and ts_parts.y % 100 <> 0) or ts_parts.y % 400 = 0 then 29 else 28 end
                        else 31
                    end
                    and (ts_parts.ampm is null or ts_parts.h between 1 and 12)
                    and ts_parts.h between 0 and 23 and ts_parts.mi between 0 and 59 and ts_parts.s between 0 and 59
                    then {{ dbt.dateadd('minute', "-1 * ts_parts.offset_minutes", engage_make_timestamp(
                        'ts_parts.y', 'ts_parts.m', 'ts_parts.d',
                        "case when ts_parts.ampm = 'pm' and ts_parts.h < 12 then ts_parts.h + 12 when ts_parts.ampm = 'am' and ts_parts.h = 12 then 0 else ts_parts.h end",
                        'ts_parts.mi', 'ts_parts.s')) }}
            end
        from (
            select
                ts_split.is_serial,
                case
                    when length(ts_split.y_text) = 2
                        then cast(ts_split.y_text as integer) + case when cast(ts_split.y_text as integer) < 70 then 2000 else 1900 end
                    else cast(ts_split.y_text as integer)
                end as y,
                case
                    when {{ engage_regexp_like('ts_split.m_text', "'^[0-9]+$'") }} then cast(ts_split.m_text as integer)
                    else cast({{ _engage_month_number('ts_split.m_text') }} as integer)
                end as m,
                cast(ts_split.d_text as integer) as d,
                coalesce(cast(ts_split.h_text as integer), 0) as h,
                coalesce(cast(ts_split.mi_text as integer), 0) as mi,
                coalesce(cast(ts_split.s_text as integer), 0) as s,
                ts_split.ampm,
                case
                    when ts_split.tz is null or ts_split.tz in ('z', 'utc', 'gmt') then 0
                    else case when substr(ts_split.tz, 1, 1) = '-' then -1 else 1 end
                        * (cast(substr(replace(ts_split.tz, ':', ''), 2, 2) as integer) * 60
                            + cast(coalesce(nullif(substr(replace(ts_split.tz, ':', ''), 4, 2), ''), '0') as integer))
                end as offset_minutes
            from (
                select
                    ts_layout.is_serial,
                    nullif(split_part(ts_layout.parts, '|', 1), '') as y_text,
                    nullif(split_part(ts_layout.parts, '|', 2), '') as m_text,
                    nullif(split_part(ts_layout.parts, '|', 3), '') as d_text,
                    nullif(split_part(ts_layout.parts, '|', 4), '') as h_text,
                    nullif(split_part(ts_layout.parts, '|', 5), '') as mi_text,
                    nullif(split_part(ts_layout.parts, '|', 6), '') as s_text,
                    nullif(split_part(ts_layout.parts, '|', 7), '') as ampm,
                    nullif(split_part(ts_layout.parts, '|', 8), '') as tz
                from (
                    select
                        {{ engage_regexp_like('ts_text.t', "'^[0-9]{5}([.][0-9]+)?$'") }} as is_serial,
                        case
                            when {{ engage_regexp_like('ts_text.t', p_iso) }}
                                then {{ engage_regexp_replace('ts_text.t', p_iso, "'\\1|\\2|\\3" ~ time_parts) }}
                            when {{ engage_regexp_like('ts_text.t', p_num) }} and ({{ day_first }})
                                then {{ engage_regexp_replace('ts_text.t', p_num, "'\\3|\\2|\\1" ~ time_parts) }}
                            when {{ engage_regexp_like('ts_text.t', p_num) }}
                                then {{ engage_regexp_replace('ts_text.t', p_num, "'\\3|\\1|\\2" ~ time_parts) }}
                            when {{ engage_regexp_like('ts_text.t', p_mdy) }}
                                then {{ engage_regexp_replace('ts_text.t', p_mdy, "'\\3|\\1|\\2" ~ time_parts) }}
                            when {{ engage_regexp_like('ts_text.t', p_dmy) }}
                                then {{ engage_regexp_replace('ts_text.t', p_dmy, "'\\3|\\2|\\1" ~ time_parts) }}
                        end as parts
                    from (select lower(trim({{ expr }})) as t) as ts_text
                ) as ts_layout
            ) as ts_split
        ) as ts_parts
        cross join (select lower(trim({{ expr }})) as t) as ts_text
    )
{%- endmacro %}

{% macro _engage_month_number(abbrev) -%}
    (case {{ abbrev }} when 'jan' then '1' when 'feb' then '2' when 'mar' then '3' when 'apr' then '4'
        when 'may' then '5' when 'jun' then '6' when 'jul' then '7' when 'aug' then '8' when 'sep' then '9'
        when 'oct' then '10' when 'nov' then '11' when 'dec' then '12' end)
{%- endmacro %}
