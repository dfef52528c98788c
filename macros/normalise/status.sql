{#- A subscription status as written by the exporting system (Action Network
    can2_subscription_status, a CRM's "Email Status"), lower-cased, when it is one of the words
    that describe an email subscription; anything else (a Rock the Vote registration "Step 1", a
    volunteer's "Active shift") is not a subscription status: null, and counted as a value not
    understood (source_files.unparsed_values). The consent model (int_consent__spreadsheet_events)
    decides what each word means. One regular expression, as for flags. -#}
{% macro engage_subscription_status(expr) -%}
    {%- set words = [
        'subscribed', 'subscribe', 'opted_in', 'opted in', 'opt-in', 'active', 'yes',
        'unsubscribed', 'unsubscribe', 'opted_out', 'opted out', 'opt-out', 'no',
        'cleaned', 'bouncing', 'bounced', 'bounce',
        'spam', 'spam complaint', 'spam_complaint', 'complained', 'blocked', 'blacklisted', 'suppressed',
        'pending', 'transactional', 'archived', 'non-subscribed', 'nonsubscribed', 'never subscribed',
    ] -%}
    case
        when {{ engage_regexp_like("lower(trim(" ~ expr ~ "))", "'^(" ~ _engage_regex_alternation(words) ~ ")$'") }}
            then lower(trim({{ expr }}))
    end
{%- endmacro %}
