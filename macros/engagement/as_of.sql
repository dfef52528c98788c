{#-
  The one reference date every time-relative engagement figure uses.

  Set it with the dbt var `as_of` (an ISO date, e.g. `--vars '{as_of: 2026-11-20}'`);
  the default `today` means the date the dbt invocation started (UTC), so a nightly build
  scores "as of tonight" while tests and the demo pin a fixed date and stay reproducible.
-#}
{% macro engage_as_of() -%}
    {%- set raw = var('as_of', 'today') -%}
    {%- if raw is none or (raw | string | trim | lower) in ('', 'today', 'none') -%}
        {{- return(run_started_at.strftime('%Y-%m-%d')) -}}
    {%- endif -%}
    {%- set text = raw | string | trim -%}
    {%- set text = text[:10] -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) is none -%}
        {{- exceptions.raise_compiler_error(
            "dbt var as_of must be an ISO date like 2026-11-20 (or 'today'), got '" ~ raw ~ "'. "
            ~ "Pass it as --vars '{as_of: 2026-11-20}' or engage build --as-of 2026-11-20.") -}}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}

{#- The as_of date as a SQL date literal. -#}
{% macro engage_as_of_date() -%}
    cast('{{ engage_as_of() }}' as date)
{%- endmacro %}

{#- Whole days from `date_expr` (a date or timestamp) to as_of; negative for dates after as_of. -#}
{% macro engage_days_before_as_of(date_expr) -%}
    {{ dbt.datediff("cast(" ~ date_expr ~ " as date)", engage_as_of_date(), 'day') }}
{%- endmacro %}
