{#-
  Segment discovery through dbt's graph.

  A segment is any model under `models/<segment_folder>/` (default `models/segments/definitions/`). Its
  `config(meta={...})` says how it reaches Mailchimp:
    tag                  owned tag, e.g. `seg:lapsed-90d`; or a pattern ending in `*`
                         (e.g. `issue:*`) when the model returns a `tag` column per row
    tag_list             (pattern segments) the model or seed listing every possible tag
                         (columns `tag`, `label`), so the catalogue shows empty ones too
    description          plain words for marketers (`{label}` is replaced per listed tag)
    priority             integer, 1 = most important; wins when a supporter hits the limit
    respects_contact_cap true/false (required): held out when the supporter is over the contact cap
    counts_toward_limit  true/false (default true): takes one of the per-supporter slots
    broadcast_approved   ISO date (YYYY-MM-DD) someone approved tagging more than var
                         broadcast_max_share of the emailable audience; valid for var
                         broadcast_approval_days (90) days up to the as-of date
    broadcast_approved_by who approved it (required with broadcast_approved)

  The union `int_segment_candidates__unioned` reads each segment model with ref(): its generated
  `-- engage:segments` block names every segment (written by `engage build`,
  sync/warehouse/segment_wiring.py), so each segment is compiled once, as its own view, and
  dbt's selection and lineage see the edge. The models a segment may read are the
  `-- depends_on:` lines of `int_segments__catalogued`; reading anything else fails the build.
  These macros return SQL or plain values; the models make every ref().
-#}

{% macro engage_segment_nodes() -%}
    {#- Every enabled model in the segments folder of this project, sorted by name. -#}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- set folder = 'models/' ~ var('segment_folder', 'segments/definitions') ~ '/' -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                  and node.package_name == project_name
                  and node.original_file_path.startswith(folder) -%}
                {%- do found.append(node) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found | sort(attribute='name')) -}}
{%- endmacro %}

{% macro engage_segment_spec(node) -%}
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
    {%- set approved = (meta.get('broadcast_approved') or '') | string | trim -%}
    {%- set approved_by = (meta.get('broadcast_approved_by') or '') | string | trim -%}
    {%- if approved and modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', approved) is none -%}
        {{- exceptions.raise_compiler_error(where ~ " has broadcast_approved '" ~ approved
            ~ "': use the ISO date of the approval, e.g. '2026-11-20'.") -}}
    {%- endif -%}
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
        'broadcast_approved': approved or none,
        'broadcast_approved_by': approved_by or none,
    }) -}}
{%- endmacro %}

{% macro engage_segment_check_reads(node, inputs) -%}
    {#- Fail, naming the segment, when it reads a model outside `inputs` (node names). -#}
    {%- for dep in node.depends_on.nodes -%}
        {%- if dep.split('.')[-1] not in inputs -%}
            {{- exceptions.raise_compiler_error("segment model " ~ node.name ~ " (" ~ node.original_file_path
                ~ ") reads " ~ dep ~ ", which segments may not use. Read one of "
                ~ inputs | join(', ') ~ ", or add the line -- depends_on: {{ ref('"
                ~ dep.split('.')[-1] ~ "') }} to models/segments/int_segments__catalogued.sql.") -}}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro engage_segment_check_wired(node) -%}
    {#- Fail, naming the segment and the fix, when the calling union has no ref() edge to it. -#}
    {%- if node.unique_id not in model.depends_on.nodes -%}
        {{- exceptions.raise_compiler_error("segment model " ~ node.name ~ " (" ~ node.original_file_path
            ~ ") is not wired into " ~ model.original_file_path ~ ". `engage build` wires new "
            ~ "segments; with plain dbt, add the line -- depends_on: {{ ref('" ~ node.name
            ~ "') }} inside its -- engage:segments block.") -}}
    {%- endif -%}
{%- endmacro %}

{% macro engage_segment_columns(node, relation) -%}
    {#- Column names the segment's view returns (lower-case). -#}
    {%- set names = [] -%}
    {%- for c in adapter.get_columns_in_relation(relation) -%}{%- do names.append(c.name | lower) -%}{%- endfor -%}
    {%- if 'supporter_id' not in names -%}
        {{- exceptions.raise_compiler_error("segment model " ~ node.name ~ " (" ~ node.original_file_path
            ~ ") must return a supporter_id column; it returns: " ~ names | join(', ')) -}}
    {%- endif -%}
    {{- return(names) -}}
{%- endmacro %}

{% macro engage_segment_approval_columns(spec) -%}
    {#- The broadcast approval of one segment as two columns (null when not approved). -#}
    {%- if spec.broadcast_approved -%}
    cast('{{ spec.broadcast_approved }}' as date) as broadcast_approved,
    {%- else -%}
    cast(null as date) as broadcast_approved,
    {%- endif %}
    {% if spec.broadcast_approved_by -%}
    cast('{{ dbt.escape_single_quotes(spec.broadcast_approved_by) }}' as {{ dbt.type_string() }}) as broadcast_approved_by
    {%- else -%}
    cast(null as {{ dbt.type_string() }}) as broadcast_approved_by
    {%- endif -%}
{%- endmacro %}
