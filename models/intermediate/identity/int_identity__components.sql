{#- Every accepted record and the person (component) it belongs to: connected components over
    int_identity__edges by label propagation. component_id is the smallest record id of the
    component; it changes when records change, so use supporter_id (int_identity__record_supporters)
    as the stable key. -#}

with

nodes as (
    select record_id as node_id from {{ ref('int_identity__records') }}
),

edges as (
    select node_a, node_b from {{ ref('int_identity__edges') }}
),

{{ engage_connected_components('nodes', 'edges') }}

select node_id as record_id, component_id
from components
