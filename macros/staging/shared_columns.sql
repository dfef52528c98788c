{#- The columns every per-kind staging model starts with, taken from base_spreadsheets__rows
    (aliased `relation`): lineage, then the person, the action and consent as written. -#}
{% macro engage_shared_columns(relation='rows') -%}
        -- lineage
        {{ relation }}.row_id,
        {{ relation }}.kind,
        {{ relation }}.file_id,
        {{ relation }}.file_path,
        {{ relation }}.sheet_name,
        {{ relation }}.row_number,
        {{ relation }}.content_key,

        -- person
        {{ relation }}.email,
        {{ relation }}.first_name,
        {{ relation }}.last_name,
        {{ relation }}.full_name,
        {{ relation }}.phone,
        {{ relation }}.postcode,
        {{ relation }}.postcode_key,
        {{ relation }}.country,
        {{ relation }}.address,
        {{ relation }}.city,
        {{ relation }}.state,
        {{ relation }}.county,
        {{ relation }}.district,

        -- the action
        {{ relation }}.occurred_at,
        {{ relation }}.campaign_name,
        {{ relation }}.source_code,
        {{ relation }}.tags,
        {{ relation }}.external_id,
        {{ relation }}.volunteer_interest,

        -- consent as written in the row (claims; see consent_events for what counts)
        {{ relation }}.email_opt_in,
        {{ relation }}.email_opt_in_at,
        {{ relation }}.subscription_status,
        {{ relation }}.subscription_at,
        {{ relation }}.sms_status,
        {{ relation }}.email_suppressed
{%- endmacro %}
