{#- Stage 1 of identity: records with a usable email, linked by email only (e-mail-first:
    records that have an email are never merged by phone or name). Anchor edges keep the
    graph linear (each record joins the smallest record id of its email group), then
    connected components by label propagation. -#}

with

email_identifiers as (
    select record_id, identifier_value
    from {{ ref('int_identity__identifiers') }}
    where identifier_type = 'email' and is_usable
),

nodes as (
    select distinct record_id as node_id from email_identifiers
),

anchors as (
    select identifier_value, min(record_id) as anchor_id
    from email_identifiers
    group by identifier_value
),

edges as (
    select distinct anchors.anchor_id as node_a, email_identifiers.record_id as node_b
    from email_identifiers
    inner join anchors on anchors.identifier_value = email_identifiers.identifier_value
    where email_identifiers.record_id <> anchors.anchor_id
),

{{ engage_connected_components('nodes', 'edges') }}

select node_id as record_id, component_id as email_component_id
from components
