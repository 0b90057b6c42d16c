-- One row per real-world event of each source: the coded mentions grouped by int_mentions_grouped_into_events
-- (source_system 'coded'), and the ACLED and GDELT events as their sources give them (int_imported_events).
-- A coded event's attributes come from its most precise, most confident mention (the representative);
-- its counts and fatality range come from all its mentions. An event reported by two sources is two rows,
-- linked in bridge_event_sources.
--
-- Incremental runs rebuild, from all their mentions, the events that have a mention regrouped in this
-- run and the events its regrouped or removed mentions were in before; they first delete them all, so
-- that an event left with no mention (re-anchored on a more precise report, or its last report removed)
-- is gone; and the imported events whose rows changed (imported_events_rebuilt_in_this_build).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='fail',
    post_hook="{{ stored_by_date('event_date', 'event_id') }}",
    pre_hook="{% if is_incremental() %}{% call delete_from_this() %}event_id in
        ({{ events_rebuilt_in_this_build() }}) or event_id in ({{ imported_events_rebuilt_in_this_build() }}){% endcall %}{% endif %}"
) }}
-- depends_on: {{ ref('stg_build_state__imports_to_rebuild') }}
-- depends_on: {{ ref('int_mentions_anchored_to_events') }}

with

mentions as (
    select * from {{ ref('int_mentions_grouped_into_events') }}
    {% if is_incremental() %}
    where event_id in ({{ events_rebuilt_in_this_build() }})
    {% endif %}
),

imported_events as (
    select * from {{ ref('int_imported_events') }}
    {% if is_incremental() %}
    where event_id in ({{ imported_events_rebuilt_in_this_build() }})
    {% endif %}
),

actors as (
    select * from {{ ref('int_actors_unioned') }}
),

places as (
    select * from {{ ref('int_places_unioned') }}
),

acled_event_types as (
    select * from {{ ref('stg_reference__acled_event_types') }}
),

cameo_to_acled as (
    select * from {{ ref('stg_reference__cameo_to_acled') }}
),

mentions_ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by
                time_precision,
                geo_precision,
                confidence desc nulls last,
                article_published_date nulls last,
                mention_id
        ) as representative_rank
    from mentions
),

mentions_aggregated as (
    select
        event_id,
        count(*) as num_mentions,
        count(distinct article_id) as num_articles,
        min(article_published_date) as first_reported_date,
        max(article_published_date) as last_reported_date,
        min(fatalities) as fatalities_low,
        max(fatalities) as fatalities_high,
        min(time_precision) as time_precision,
        min(geo_precision) as geo_precision,
        min(acled_sub_event_type) as any_acled_sub_event_type,
        {{ sorted_distinct_join('article_id') }} as source_article_ids,
        {{ sorted_distinct_join(
            "article_id || ': ' || coalesce(cast(fatalities as " ~ dbt.type_string() ~ "), 'unknown')"
        ) }} as fatality_claims
    from mentions
    group by event_id
),

representatives as (
    select * from mentions_ranked where representative_rank = 1
),

coded_events as (
    select
        representatives.event_id,
        'coded' as source_system,
        cast(null as {{ dbt.type_string() }}) as source_event_id,
        representatives.event_date,
        mentions_aggregated.time_precision,
        representatives.actor1_id,
        representatives.actor2_id,
        representatives.place_id,
        mentions_aggregated.geo_precision,
        representatives.cameo_code,
        representatives.cameo_root_code,
        representatives.quad_class,
        representatives.goldstein_scale,
        coalesce(
            representatives.acled_sub_event_type, mentions_aggregated.any_acled_sub_event_type
        ) as given_acled_sub_event_type,
        'coder' as given_acled_type_source,
        -- A state's forces acting in another country are External/Other forces there (ACLED inter 8).
        {{ inter_code_at_place('actor1', 'event_places') }} as actor1_inter_code,
        {{ inter_code_at_place('actor2', 'event_places') }} as actor2_inter_code,
        representatives.actor2_id is null as has_no_actor2,
        mentions_aggregated.fatalities_low,
        mentions_aggregated.fatalities_high,
        mentions_aggregated.num_mentions,
        mentions_aggregated.num_articles,
        mentions_aggregated.first_reported_date,
        mentions_aggregated.last_reported_date,
        mentions_aggregated.source_article_ids,
        mentions_aggregated.fatality_claims
    from representatives
    inner join mentions_aggregated on mentions_aggregated.event_id = representatives.event_id
    left join actors as actor1 on actor1.actor_id = representatives.actor1_id
    left join actors as actor2 on actor2.actor_id = representatives.actor2_id
    left join places as event_places on event_places.place_id = representatives.place_id
),

-- An imported event as its source gives it: one report (ACLED) or GDELT's counts, its own fatalities.
imported as (
    select
        event_id,
        source_system,
        source_event_id,
        event_date,
        time_precision,
        actor1_id,
        actor2_id,
        place_id,
        geo_precision,
        cameo_code,
        left(cameo_code, 2) as cameo_root_code,
        quad_class,
        goldstein_scale,
        acled_sub_event_type as given_acled_sub_event_type,
        source_system as given_acled_type_source,
        actor1_inter_code,
        actor2_inter_code,
        actor2_id is null as has_no_actor2,
        fatalities as fatalities_low,
        fatalities as fatalities_high,
        num_mentions,
        num_articles,
        first_reported_date,
        last_reported_date,
        cast(null as {{ dbt.type_string() }}) as source_article_ids,
        cast(null as {{ dbt.type_string() }}) as fatality_claims
    from imported_events
),

all_events as (
    select * from coded_events
    union all
    select * from imported  -- the same columns, in the same order
),

-- The ACLED sub-event type of a CAMEO code no coder or source typed: the longest matching prefix's.
crosswalk_matches as (
    select
        all_events.event_id,
        cameo_to_acled.acled_sub_event_type,
        row_number() over (
            partition by all_events.event_id order by length(cameo_to_acled.cameo_code_prefix) desc
        ) as prefix_rank
    from all_events
    inner join cameo_to_acled on all_events.cameo_code like cameo_to_acled.cameo_code_prefix || '%'
    where all_events.given_acled_sub_event_type is null
),

events_joined as (
    select
        all_events.event_id,
        all_events.source_system,
        all_events.source_event_id,
        all_events.event_date,
        all_events.time_precision,
        all_events.actor1_id,
        all_events.actor2_id,
        all_events.place_id,
        all_events.geo_precision,
        all_events.cameo_code,
        all_events.cameo_root_code,
        all_events.quad_class,
        all_events.goldstein_scale,
        all_events.actor1_inter_code,
        all_events.actor2_inter_code,
        all_events.has_no_actor2,
        all_events.fatalities_low,
        all_events.fatalities_high,
        all_events.num_mentions,
        all_events.num_articles,
        all_events.first_reported_date,
        all_events.last_reported_date,
        all_events.source_article_ids,
        all_events.fatality_claims,
        coalesce(all_events.given_acled_sub_event_type, crosswalk_matches.acled_sub_event_type)
            as acled_sub_event_type,
        case
            when all_events.given_acled_sub_event_type is not null then all_events.given_acled_type_source
            when crosswalk_matches.acled_sub_event_type is not null then 'cameo crosswalk'
        end as acled_type_source,
        all_events.fatalities_low as fatalities
    from all_events
    left join crosswalk_matches
        on crosswalk_matches.event_id = all_events.event_id and crosswalk_matches.prefix_rank = 1
),

final as (
    select
        events_joined.event_id,
        events_joined.source_system,
        events_joined.source_event_id,
        events_joined.event_date,
        events_joined.time_precision,
        events_joined.actor1_id,
        events_joined.actor2_id,
        events_joined.place_id,
        events_joined.geo_precision,
        events_joined.cameo_code,
        events_joined.cameo_root_code,
        events_joined.quad_class,
        events_joined.goldstein_scale,
        acled_event_types.acled_disorder_type,
        acled_event_types.acled_event_type,
        events_joined.acled_sub_event_type,
        events_joined.acled_type_source,
        events_joined.actor1_inter_code,
        case when events_joined.has_no_actor2 then 0 else events_joined.actor2_inter_code end as actor2_inter_code,
        case
            when events_joined.actor1_inter_code is null then null
            when events_joined.has_no_actor2 then events_joined.actor1_inter_code * 10
            when events_joined.actor2_inter_code is null then null
            else least(events_joined.actor1_inter_code, events_joined.actor2_inter_code) * 10
                + greatest(events_joined.actor1_inter_code, events_joined.actor2_inter_code)
        end as interaction,
        events_joined.fatalities,
        events_joined.fatalities_low,
        events_joined.fatalities_high,
        coalesce(events_joined.fatalities_low <> events_joined.fatalities_high, false)
            as has_conflicting_fatalities,
        events_joined.num_mentions,
        events_joined.num_articles,
        events_joined.first_reported_date,
        events_joined.last_reported_date,
        events_joined.source_article_ids,
        events_joined.fatality_claims
    from events_joined
    left join acled_event_types
        on acled_event_types.acled_sub_event_type = events_joined.acled_sub_event_type
)

{{ select_with_provenance('final') }}
