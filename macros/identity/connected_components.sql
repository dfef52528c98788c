{#-
    Connected components in portable SQL: Jinja-unrolled label propagation with pointer
    jumping (no recursive CTE, which is quadratic on long chains). Each pass takes the smallest
    label among a node and its neighbours, then jumps to the label's own label, so `passes`
    resolves chains of length up to about 2^passes. Emits CTEs ending in `components`
    (node_id, component_id); the caller continues the WITH list. Node ids should be equal-length
    hex strings (md5) so min() orders them the same on every adapter.
      nodes: a relation or CTE name with column node_id
      edges: a relation or CTE name with columns node_a, node_b
    tests/dbt/warehouse/assert_identity_components_converged.sql checks convergence.
-#}
{% macro engage_connected_components(nodes, edges, passes=var('identity_label_passes', 16)) -%}
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
