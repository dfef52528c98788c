{#-
  Segment discovery through dbt's graph.

  A segment is any model under `models/<segment_folder>/` (default `models/segments/`). Its
  `config(meta={...})` says how it reaches Mailchimp:
    tag                  owned tag, e.g. `seg:lapsed-90d`; or a pattern ending in `*`
                         (e.g. `issue:*`) when the model returns a `tag` column per row
    tag_list             (pattern segments) the model or seed listing every possible tag
                         (columns `tag`, `label`), so the catalogue shows empty ones too
    description          plain words for marketers (`{label}` is replaced per listed tag)
    priority             integer, 1 = most important; wins when a supporter hits the limit
    respects_contact_cap true/false (required): held out when the supporter is over the contact cap
    counts_toward_limit  true/false (default true): takes one of the per-supporter slots

  `segment_memberships` is built by rendering every segment's SQL inside one union (dbt's
  `render()`), so adding a segment file needs no other change, and the union never races
  the segment views: it depends only on the models segments may read
  (`engagement_segment_inputs`).
-#}

{% macro engagement_segment_inputs() -%}
    {#- The models a segment may read. A segment that reads anything else fails the build
        with a message naming it; add the model here (one line) to allow it. -#}
    {{ return([
        'supporters',
        'supporter_engagement',
        'supporter_top_issue',
        'supporter_issue_interest',
        'engagement_events',
        'int_upcoming_events_in_window',
        'issues',
    ]) }}
{%- endmacro %}

{% macro engagement_segment_input_refs() -%}
    {#- Parse-time refs to every segment input, so the union is scheduled after them. -#}
    {%- for name in engagement_segment_inputs() %}
-- depends_on: {{ ref(name) }}
    {%- endfor %}
{%- endmacro %}

{% macro engagement_segment_nodes() -%}
    {#- Every enabled model in the segments folder of this project, sorted by name. -#}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- set folder = var('segment_folder', 'segments') -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                  and node.package_name == project_name
                  and (node.fqn | length) > 2
                  and node.fqn[1] == folder -%}
                {%- do found.append(node) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found | sort(attribute='name')) -}}
{%- endmacro %}

{% macro engagement_segment_spec(node) -%}
    {#- The validated meta of one segment model, as a plain dict. -#}
    {%- set meta = node.config.get('meta', {}) or {} -%}
    {%- set where = "segment model " ~ node.name ~ " (" ~ node.original_file_path ~ ")" -%}
    {%- for key in ['tag', 'description', 'priority', 'respects_contact_cap'] -%}
        {%- if meta.get(key) is none or (meta.get(key) | string | trim) == '' -%}
            {{- exceptions.raise_compiler_error(where ~ " has no meta." ~ key ~ ". Add it to its "
                ~ "config block, e.g. {{ config(meta={'tag': 'seg:my-segment', 'description': "
                ~ "'...', 'priority': 50, 'respects_contact_cap': true}) }}") -}}
        {%- endif -%}
    {%- endfor -%}
    {%- set tag = meta['tag'] | string | trim -%}
    {%- set namespaces = var('segment_tag_namespaces', ['seg:', 'issue:']) -%}
    {%- set ns = [] -%}
    {%- for prefix in namespaces if tag.startswith(prefix) -%}{%- do ns.append(prefix) -%}{%- endfor -%}
    {%- if ns | length == 0 -%}
        {{- exceptions.raise_compiler_error(where ~ " has tag '" ~ tag ~ "' outside the namespaces "
            ~ "the tool owns (" ~ namespaces | join(', ') ~ "). Tags outside them are never written.") -}}
    {%- endif -%}
    {%- set is_pattern = tag.endswith('*') -%}
    {%- if not is_pattern and modules.re.match('^[a-z]+:[a-z0-9]+(-[a-z0-9]+)*$', tag) is none -%}
        {{- exceptions.raise_compiler_error(where ~ " has tag '" ~ tag ~ "': use lower-case "
            ~ "kebab-case after the namespace, e.g. seg:lapsed-90d (Mailchimp matches tags case-insensitively).") -}}
    {%- endif -%}
    {%- if is_pattern and not meta.get('tag_list') -%}
        {{- exceptions.raise_compiler_error(where ~ " has a tag pattern '" ~ tag ~ "' but no "
            ~ "meta.tag_list naming the model or seed that lists every tag (columns tag, label).") -}}
    {%- endif -%}
    {%- set priority = meta['priority'] | string | trim -%}
    {%- if modules.re.match('^[0-9]+$', priority) is none -%}
        {{- exceptions.raise_compiler_error(where ~ " has priority '" ~ priority ~ "': use a whole number, 1 = most important.") -}}
    {%- endif -%}
    {%- set flags = {} -%}
    {%- for key, default in [('respects_contact_cap', none), ('counts_toward_limit', true)] -%}
        {%- set raw = (meta.get(key, default) | string | trim | lower) -%}
        {%- if raw in ('true', '1', 'yes') -%}{%- do flags.update({key: true}) -%}
        {%- elif raw in ('false', '0', 'no') -%}{%- do flags.update({key: false}) -%}
        {%- else -%}
            {{- exceptions.raise_compiler_error(where ~ " has " ~ key ~ " '" ~ meta.get(key)
                ~ "': use true or false.") -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return({
        'name': node.name,
        'path': node.original_file_path,
        'tag': tag,
        'tag_prefix': ns[0],
        'is_pattern': is_pattern,
        'tag_list': meta.get('tag_list'),
        'description': meta['description'] | string | trim,
        'priority': priority | int,
        'respects_contact_cap': flags['respects_contact_cap'],
        'counts_toward_limit': flags['counts_toward_limit'],
    }) -}}
{%- endmacro %}

{% macro engagement_segment_sql(node) -%}
    {#- The segment's SELECT, rendered in the calling model's context (refs resolve there). -#}
    {%- set allowed = [] -%}
    {%- for dep in model.depends_on.nodes -%}{%- do allowed.append(dep) -%}{%- endfor -%}
    {%- for dep in node.depends_on.nodes -%}
        {%- if dep not in allowed -%}
            {{- exceptions.raise_compiler_error("segment model " ~ node.name ~ " (" ~ node.original_file_path
                ~ ") reads " ~ dep ~ ", which segments may not use. Read one of "
                ~ engagement_segment_inputs() | join(', ') ~ ", or add the model to "
                ~ "engagement_segment_inputs() in macros/engagement/segments.sql.") -}}
        {%- endif -%}
    {%- endfor -%}
    {%- set sql = render(node.raw_code) | trim -%}
    {%- if sql.endswith(';') -%}{%- set sql = sql[:-1] -%}{%- endif -%}
    {{- return(sql) -}}
{%- endmacro %}

{% macro engagement_segment_columns(node, sql) -%}
    {#- Column names the segment returns (lower-case), by running it with no rows. -#}
    {%- set result = run_query("select * from (\n" ~ sql ~ "\n) as segment_probe where 1 = 0") -%}
    {%- set names = [] -%}
    {%- for c in result.column_names -%}{%- do names.append(c | lower) -%}{%- endfor -%}
    {%- if 'supporter_id' not in names -%}
        {{- exceptions.raise_compiler_error("segment model " ~ node.name ~ " (" ~ node.original_file_path
            ~ ") must return a supporter_id column; it returns: " ~ names | join(', ')) -}}
    {%- endif -%}
    {{- return(names) -}}
{%- endmacro %}
