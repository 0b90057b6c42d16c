{#- The events an incremental build rebuilds in the per-event marts (fact_events, acled_events): those
    with a mention (re)grouped in this build, and those its moved mentions were in before, which lost a
    mention or, left with none, are deleted. -#}
{% macro events_rebuilt_in_this_build() -%}
    select event_id from {{ ref('int_mentions_grouped_into_events') }} where batch_id = '{{ invocation_id }}'
    union
    select previous_event_id from {{ ref('int_mentions_grouped_into_events') }}
    where batch_id = '{{ invocation_id }}'
{%- endmacro %}
