{#-
  Every tag the segment models can produce, from dbt's graph: one row per fixed-tag
  segment, and one row per listed value for pattern segments (e.g. issue:* lists every
  issue in the seed issues), so empty segments still appear in the catalogue.
-#}
-- The models a segment may read; a segment reading anything else fails the build, naming it:
-- depends_on: {{ ref('supporters') }}
-- depends_on: {{ ref('supporter_engagement') }}
-- depends_on: {{ ref('supporter_top_issue') }}
-- depends_on: {{ ref('supporter_issue_interest') }}
-- depends_on: {{ ref('engagement_events') }}
-- depends_on: {{ ref('int_upcoming_events__windowed') }}
-- depends_on: {{ ref('issues') }}
-- depends_on: {{ ref('supporter_propensity') }}
-- ... and after the segment union, so selecting a segment and its children rebuilds this too:
-- depends_on: {{ ref('int_segment_candidates__unioned') }}
{%- set nodes = engage_segment_nodes() %}
{%- set text = dbt.type_string() %}
{%- set allowed = [] %}
{%- for dep in model.depends_on.nodes if dep.split('.')[-1] != 'int_segment_candidates__unioned' %}
    {%- do allowed.append(dep.split('.')[-1]) %}
{%- endfor %}

{%- if nodes | length == 0 %}
select
    cast(null as {{ text }}) as segment_name,
    cast(null as {{ text }}) as tag,
    cast(null as {{ text }}) as description,
    cast(null as integer) as priority,
    cast(null as boolean) as respects_contact_cap,
    cast(null as boolean) as counts_toward_limit,
    cast(null as {{ text }}) as model_path,
    cast(null as date) as broadcast_approved,
    cast(null as {{ text }}) as broadcast_approved_by
where 1 = 0
{%- else %}
{%- for node in nodes %}
    {%- set spec = engage_segment_spec(node) %}
    {%- do engage_segment_check_reads(node, allowed) %}
    {%- set meta = node.config.meta %}
    {%- if spec.is_pattern %}
        {%- if spec.tag_list not in allowed %}
            {{- exceptions.raise_compiler_error("segment model " ~ node.name ~ " lists its tags in '"
                ~ spec.tag_list ~ "', which is not one of the segment inputs (" ~ allowed | join(', ')
                ~ "); add the line -- depends_on: {{ ref('" ~ spec.tag_list ~ "') }} to " ~ model.original_file_path ~ ".") }}
        {%- endif %}
        {%- set key = meta.get('tag_list_key', 'tag') %}
        {%- set label = meta.get('tag_list_label', 'label') %}
        {%- set prefix = spec.tag[:-1] %}
select
    cast('{{ spec.name }}' as {{ text }}) as segment_name,
    cast({{ dbt.concat(["'" ~ prefix ~ "'", "cast(" ~ key ~ " as " ~ text ~ ")"]) }} as {{ text }}) as tag,
    cast(replace('{{ dbt.escape_single_quotes(spec.description) }}', '{label}', cast({{ label }} as {{ text }})) as {{ text }}) as description,
    {{ spec.priority }} as priority,
    {{ 'true' if spec.respects_contact_cap else 'false' }} as respects_contact_cap,
    {{ 'true' if spec.counts_toward_limit else 'false' }} as counts_toward_limit,
    cast('{{ spec.path }}' as {{ text }}) as model_path,
    {{ engage_segment_approval_columns(spec) }}
from {{ ref(spec.tag_list) }}
    {%- else %}
select
    cast('{{ spec.name }}' as {{ text }}) as segment_name,
    cast('{{ spec.tag }}' as {{ text }}) as tag,
    cast('{{ dbt.escape_single_quotes(spec.description) }}' as {{ text }}) as description,
    {{ spec.priority }} as priority,
    {{ 'true' if spec.respects_contact_cap else 'false' }} as respects_contact_cap,
    {{ 'true' if spec.counts_toward_limit else 'false' }} as counts_toward_limit,
    cast('{{ spec.path }}' as {{ text }}) as model_path,
    {{ engage_segment_approval_columns(spec) }}
    {%- endif %}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- endif %}
