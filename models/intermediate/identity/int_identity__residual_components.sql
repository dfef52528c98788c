{{ config(
    post_hook="{{ engage_settle_components(this, ref('int_identity__residual_edges'), var('identity_max_label_passes')) }}"
) }}
{#- Stage 3 of identity: connected components over the residual only (unmatched email-less
    records that share a name+postcode or phone+name, int_identity__residual_edges), by
    label propagation with pointer jumping: var identity_label_passes passes in this query,
    then the post-hook engage_settle_components runs further passes only while a pass still
    changes a label (up to var identity_max_label_passes). component_id is the smallest
    record id of the component.
    Grain: one row per record that has a residual edge. -#}

with

edges as (
    select
        node_a,
        node_b
    from {{ ref('int_identity__residual_edges') }}
),

nodes as (
    select node_a as node_id from edges
    union
    select node_b from edges
),

{{ engage_connected_components('nodes', 'edges') }}

select
    node_id as record_id,
    component_id
from components
