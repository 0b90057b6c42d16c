-- Each mention with all its columns and the event the deduplication rule put it in
-- (int_mentions_anchored_to_events, where the rule and its incremental scope are documented).
-- Incremental runs write the mentions that model wrote in this build: the rebuilt ones, and those whose
-- event changed (delete+insert on mention_id), and delete the mentions it removed. batch_id and
-- previous_event_id come with them, so the marts rebuild the events this build touched (macros in
-- incremental_batches.sql).
-- depends_on: {{ ref('stg_build_state__articles_to_rebuild') }}
-- depends_on: {{ ref('stg_build_state__mentions_to_rebuild') }}
{%- set mention_columns = [
    'article_id',
    'article_published_date',
    'event_date',
    'time_precision',
    'actor1_text',
    'actor1_id',
    'actor1_resolution_method',
    'actor1_resolution_score',
    'actor1_runner_up_id',
    'actor1_runner_up_score',
    'actor2_text',
    'actor2_id',
    'actor2_resolution_method',
    'actor2_resolution_score',
    'actor2_runner_up_id',
    'actor2_runner_up_score',
    'location_text',
    'place_id',
    'place_resolution_method',
    'place_resolution_score',
    'place_runner_up_id',
    'place_runner_up_score',
    'place_context_countries',
    'is_place_in_context_countries',
    'geo_precision',
    'cameo_code',
    'cameo_root_code',
    'quad_class',
    'goldstein_scale',
    'acled_sub_event_type',
    'fatalities',
    'quote',
    'quote_start',
    'quote_end',
    'quote_as_coded',
    'is_quote_in_body',
    'coder',
    'confidence',
    'notes',
    'source_file',
    'row_number',
] -%}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='mention_id',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{% call delete_from_this() %}mention_id in
        ({{ mentions_removed_in_this_build() }}){% endcall %}{% endif %}"
) }}

with

anchored as (
    select * from {{ ref('int_mentions_anchored_to_events') }}
    where event_id is not null
    {% if is_incremental() %}
        and batch_id = '{{ invocation_id }}'
    {% endif %}
),

{% if is_incremental() %}
-- The mentions' columns: of the mentions rebuilt, as int_mentions_joined_to_references wrote them in this
-- build (a filter on its batch, which skips the row groups of earlier builds), and of the few others the
-- rule moved, looked up by id (DuckDB turns a small key set into a filter on the scan). Joined to the whole
-- table instead, a day's mentions read its ten million rows, every column.
mentions as (
    select * from {{ ref('int_mentions_joined_to_references') }}
    where batch_id = '{{ invocation_id }}'
    union all
    select * from {{ ref('int_mentions_joined_to_references') }}
    where batch_id <> '{{ invocation_id }}'
        and mention_id in (
            select mention_id from anchored
            where {{ is_rebuilt_in_this_build(negate=true) }}
        )
),
{% else %}
mentions as (
    select * from {{ ref('int_mentions_joined_to_references') }}
),
{% endif %}

final as (
    select
        anchored.event_id,
        anchored.mention_id,
        {% for column in mention_columns -%}
        mentions.{{ column }},
        {% endfor -%}
        anchored.root_actor1_id,
        anchored.root_actor2_id,
        anchored.actor_pair_first,
        anchored.actor_pair_second,
        anchored.year_class,
        anchored.anchor_date,
        anchored.anchor_precision,
        anchored.previous_event_id,
        anchored.batch_id
    from anchored
    inner join mentions on mentions.mention_id = anchored.mention_id
)

select * from final
-- Stored clustered by event: the marts aggregate per event, and over ten million mentions in no order
-- fact_events' per-event lists do not fit under the memory cap.
order by event_id
