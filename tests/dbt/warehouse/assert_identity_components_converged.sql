-- Label propagation converged: no identity edge joins two different components (raise the
-- var identity_label_passes if this ever fails).
select
    edges.node_a,
    edges.node_b,
    edges.matched_on,
    a.component_id as component_a,
    b.component_id as component_b
from {{ ref('int_identity__edges') }} as edges
inner join {{ ref('int_identity__components') }} as a on a.record_id = edges.node_a
inner join {{ ref('int_identity__components') }} as b on b.record_id = edges.node_b
where a.component_id <> b.component_id
