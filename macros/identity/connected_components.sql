{#-
    Connected components in portable SQL: Jinja-unrolled label propagation with pointer
    jumping (no recursive CTE, which is quadratic on long chains). Each pass takes the smallest
    label among a node and its neighbours, then jumps to the label's own label, so `passes`
    resolves chains of length up to about 2^passes. Emits CTEs ending in `components`
    (node_id, component_id); the caller continues the WITH list. Node ids should be equal-length
    hex strings (md5) so min() orders them the same on every adapter.
      nodes: a relation or CTE name with column node_id
      edges: a relation or CTE name with columns node_a, node_b
    Identity runs it over the small residual graph only (int_identity__residual_components);
    engage_settle_components then finishes the job when these passes were not enough.
-#}
{% macro engage_connected_components(nodes, edges, passes=var('identity_label_passes', 4)) -%}
cc_undirected as (
    select node_a as src, node_b as dst from {{ edges }}
    union all
    select node_b as src, node_a as dst from {{ edges }}
),

cc_labels_0 as (
    select node_id, node_id as component_id from {{ nodes }}
),
{%- for i in range(1, passes + 1) %}

cc_hop_{{ i }} as (
    select
        labels.node_id,
        min(case
            when neighbour.component_id < labels.component_id then neighbour.component_id
            else labels.component_id
        end) as component_id
    from cc_labels_{{ i - 1 }} as labels
    left join cc_undirected as undirected on undirected.src = labels.node_id
    left join cc_labels_{{ i - 1 }} as neighbour on neighbour.node_id = undirected.dst
    group by labels.node_id
),

cc_labels_{{ i }} as (
    select
        hop.node_id,
        case
            when pointer.component_id < hop.component_id then pointer.component_id
            else hop.component_id
        end as component_id
    from cc_hop_{{ i }} as hop
    inner join cc_hop_{{ i }} as pointer on pointer.node_id = hop.component_id
),
{%- endfor %}

components as (
    select node_id, component_id from cc_labels_{{ passes }}
)
{%- endmacro %}


{#-
    Finishes label propagation on a built components table (use it as the model's post-hook):
    while some edge still joins two different labels, run one more pass (smallest neighbour
    label, then pointer jump) as two UPDATE statements; stop as soon as every edge agrees,
    i.e. the next pass would change nothing. Usually the model's own passes have converged and
    this is one count query. Gives up after `max_passes` extra passes (a warning; the test
    assert_identity_components_converged then fails). Portable: UPDATE ... FROM runs on DuckDB
    and PostgreSQL. Runs its statements itself and returns no SQL.
      components: the table to settle (this), columns <node_column> and component_id
      edges: a relation with columns node_a, node_b
-#}
{% macro engage_settle_components(components, edges, max_passes, node_column='record_id') -%}
{%- if execute -%}
    {%- set unsettled_sql -%}
        select count(*) as unsettled_edges
        from {{ edges }} as edges
        inner join {{ components }} as a on a.{{ node_column }} = edges.node_a
        inner join {{ components }} as b on b.{{ node_column }} = edges.node_b
        where a.component_id <> b.component_id
    {%- endset -%}
    {%- set hop_sql -%}
        update {{ components }} as target
        set component_id = hop.component_id
        from (
            select undirected.src, min(neighbour.component_id) as component_id
            from (
                select node_a as src, node_b as dst from {{ edges }}
                union all
                select node_b as src, node_a as dst from {{ edges }}
            ) as undirected
            inner join {{ components }} as neighbour on neighbour.{{ node_column }} = undirected.dst
            group by undirected.src
        ) as hop
        where target.{{ node_column }} = hop.src
            and hop.component_id < target.component_id
    {%- endset -%}
    {%- set jump_sql -%}
        update {{ components }} as target
        set component_id = pointer.component_id
        from {{ components }} as pointer
        where pointer.{{ node_column }} = target.component_id
            and pointer.component_id < target.component_id
    {%- endset -%}
    {%- set state = namespace(settled=false, passes=0) -%}
    {%- for attempt in range(max_passes + 1) -%}
        {%- if not state.settled -%}
            {%- set unsettled = run_query(unsettled_sql).columns[0].values()[0] -%}
            {%- if unsettled == 0 -%}
                {%- set state.settled = true -%}
            {%- elif attempt < max_passes -%}
                {%- do run_query(hop_sql) -%}
                {%- do run_query(jump_sql) -%}
                {%- set state.passes = state.passes + 1 -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if state.settled -%}
        {%- do log(components ~ ": labels settled after " ~ state.passes ~ " extra pass(es)", info=false) -%}
    {%- else -%}
        {%- do exceptions.warn(components ~ ": labels still changing after " ~ max_passes
            ~ " extra passes; raise the var identity_max_label_passes") -%}
    {%- endif -%}
{%- endif -%}
{%- endmacro %}
