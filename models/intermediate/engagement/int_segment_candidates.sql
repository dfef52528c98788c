{#-
  Everyone each segment selects, before consent, contact pressure and the per-supporter
  limit are applied. Built from every model under models/segments/ found in dbt's graph:
  each segment's SQL is rendered here (so a new segment file needs no other change) and
  tagged with its meta (tag, priority, respects_contact_cap, counts_toward_limit).
  See macros/engagement/segments.sql for the contract a segment model follows.
-#}
{{ engagement_segment_input_refs() }}
{%- set nodes = engagement_segment_nodes() %}
{%- set text = dbt.type_string() %}
with

candidates as (

{%- if nodes | length == 0 %}

    select
        cast(null as {{ text }}) as segment_name,
        cast(null as {{ text }}) as tag,
        cast(null as {{ text }}) as supporter_id,
        cast(null as {{ text }}) as reason,
        cast(null as integer) as priority,
        cast(null as boolean) as respects_contact_cap,
        cast(null as boolean) as counts_toward_limit
    where 1 = 0

{%- else %}
{%- for node in nodes %}
    {%- set spec = engagement_segment_spec(node) %}
    {%- set segment_sql = engagement_segment_sql(node) %}
    {%- set columns = engagement_segment_columns(node, segment_sql) %}
    {%- if spec.is_pattern and 'tag' not in columns %}
        {{- exceptions.raise_compiler_error("segment model " ~ node.name ~ " (" ~ node.original_file_path
            ~ ") has the tag pattern '" ~ spec.tag ~ "' and must return a tag column per row.") }}
    {%- endif %}

    -- segment {{ spec.name }} ({{ spec.path }})
    select
        '{{ spec.name }}' as segment_name,
        {% if spec.is_pattern -%}
        cast(segment_rows.tag as {{ text }})
        {%- else -%}
        cast('{{ spec.tag }}' as {{ text }})
        {%- endif %} as tag,
        cast(segment_rows.supporter_id as {{ text }}) as supporter_id,
        {% if 'reason' in columns -%}
        cast(segment_rows.reason as {{ text }})
        {%- else -%}
        cast(null as {{ text }})
        {%- endif %} as reason,
        {{ spec.priority }} as priority,
        {{ 'true' if spec.respects_contact_cap else 'false' }} as respects_contact_cap,
        {{ 'true' if spec.counts_toward_limit else 'false' }} as counts_toward_limit
    from (
{{ segment_sql }}
    ) as segment_rows
    {%- if not loop.last %}

    union all
    {%- endif %}
{%- endfor %}
{%- endif %}

),

deduplicated as (

    select
        candidates.*,
        row_number() over (
            partition by segment_name, tag, supporter_id
            order by reason
        ) as duplicate_rank

    from candidates
    where supporter_id is not null

)

select
    segment_name,
    tag,
    supporter_id,
    reason,
    priority,
    respects_contact_cap,
    counts_toward_limit

from deduplicated
where duplicate_rank = 1
