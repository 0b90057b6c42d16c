-- Incremental runs rewrite the mentions that int_mentions_grouped_into_events regrouped in this run, and
-- delete the mentions removed.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='mention_id',
    on_schema_change='fail',
    post_hook="{{ stored_by_date('event_date', 'mention_id') }}",
    pre_hook="{% if is_incremental() %}{% call delete_from_this() %}mention_id in
        ({{ mentions_removed_in_this_build() }}){% endcall %}{% endif %}"
) }}
-- depends_on: {{ ref('int_mentions_anchored_to_events') }}

with

mentions as (
    select * from {{ ref('int_mentions_grouped_into_events') }}
    {% if is_incremental() %}
    where batch_id = '{{ invocation_id }}'
    {% endif %}
),

final as (
    select
        mention_id,
        event_id,
        article_id,
        quote,
        quote_start,
        quote_end,
        quote_as_coded,
        is_quote_in_body,
        actor1_text,
        actor1_id,
        actor1_resolution_method,
        actor1_resolution_score,
        actor1_runner_up_id,
        actor1_runner_up_score,
        actor2_text,
        actor2_id,
        actor2_resolution_method,
        actor2_resolution_score,
        actor2_runner_up_id,
        actor2_runner_up_score,
        location_text,
        place_id,
        place_resolution_method,
        place_resolution_score,
        place_runner_up_id,
        place_runner_up_score,
        place_context_countries,
        is_place_in_context_countries,
        event_date,
        time_precision,
        geo_precision,
        cameo_code,
        acled_sub_event_type,
        fatalities,
        coder,
        confidence,
        notes,
        source_file,
        row_number as source_row_number
    from mentions
)

{{ select_with_provenance('final') }}
