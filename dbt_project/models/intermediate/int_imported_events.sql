-- Every ACLED and GDELT event (int_imported_events_unioned) in fact_events' shape, its actors and place
-- resolved to the warehouse's as coded mentions' are, and what it names that the references lack added with
-- its source's names (dim_actor, dim_place take them from here).
--
-- Actors. An ACLED actor name resolves like a coded spelling (resolve_by_stages: ACLED's names are the
-- curated actors' names and the composed "Military Forces of Chad", "Protesters (Kenya)"), on the event's
-- date, in the event's country. A GDELT actor resolves by its CAMEO code: the one actor with that code on
-- that date (SYRMIL, the Military Forces of Syria of the period; TCDMIL, Chad's). A name or code that
-- resolves to nothing (or, for a code, to several actors: SYRREB) becomes an actor of its own,
-- 'acled:<name>' or 'gdelt:<code>', named as its source names it.
--
-- Places. A place name resolves within the event's country to the gazetteer's place of that name (any of
-- its spellings) nearest the source's coordinates, within `import_place_radius_km`; GDELT's country-level
-- locations are the country, its ADM1 locations the region of that name. Otherwise the source's location
-- becomes a place of its own ('acled:<ISO3>:<location>', 'gdelt:<feature id>') with the source's
-- coordinates and admin names. A GDELT event without a location has no place.
--
-- Incremental builds rebuild the imported events whose rows changed (eventdw.state: a row of the event,
-- a deletion of it or, for GDELT, one of its mentions added, changed or removed).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{% call delete_from_this() %}event_id in
        ({{ imported_events_rebuilt_in_this_build() }}){% endcall %}{% endif %}"
) }}
-- depends_on: {{ ref('stg_build_state__imports_to_rebuild') }}

with

-- Both sources in one shape, with what their actors and place are written as.
events as (
    select * from {{ ref('int_imported_events_unioned') }}
    {% if is_incremental() %}
    where event_id in ({{ imported_events_rebuilt_in_this_build() }})
    {% endif %}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

-- The ACLED type of each CAMEO agent code that has one (REB: Rebel group).
actor_agents as (
    select cameo_agent_code, min(acled_inter_code) as acled_inter_code
    from {{ ref('stg_reference__actor_agents') }}
    group by cameo_agent_code
    having count(distinct acled_inter_code) = 1
),

actors as (
    select * from {{ ref('int_actors_unioned') }}
),

actor_names as (
    select * from {{ ref('int_actor_names_normalized') }}
),

places as (
    select * from {{ ref('int_places_unioned') }}
),

place_names as (
    select * from {{ ref('int_place_names_normalized') }}
),

-- ACLED's actor names, resolved as coded spellings are.
acled_spellings as (
    select
        event_id || ':1' as spelling_id,
        actor1_text as spelling_text,
        event_date as spelling_date,
        coalesce(country_iso2, '') as spelling_context,
        cast(null as double) as spelling_latitude,
        cast(null as double) as spelling_longitude
    from events
    where source_system = 'acled' and actor1_text is not null
    union all
    select event_id || ':2', actor2_text, event_date, coalesce(country_iso2, ''), cast(null as double), cast(null as double)
    from events
    where source_system = 'acled' and actor2_text is not null
),

acled_actors_resolved as (
    {{ resolve_actor_spellings('acled_spellings', 'actor_names') }}
),

-- GDELT's actor codes: the one actor of that CAMEO code on the event's date.
gdelt_codes as (
    select event_id || ':1' as spelling_id, actor1_code as actor_code, actor1_text as actor_text, event_date
    from events
    where source_system = 'gdelt' and actor1_code is not null
    union all
    select event_id || ':2', actor2_code, actor2_text, event_date
    from events
    where source_system = 'gdelt' and actor2_code is not null
),

gdelt_code_matches as (
    select
        gdelt_codes.spelling_id,
        min(actors.actor_id) as actor_id,
        count(distinct actors.actor_id) as actor_count
    from gdelt_codes
    inner join actors
        on actors.cameo_actor_code = gdelt_codes.actor_code
        and (actors.valid_from is null or gdelt_codes.event_date >= actors.valid_from)
        and (actors.valid_to is null or gdelt_codes.event_date <= actors.valid_to)
    group by gdelt_codes.spelling_id
),

actors_resolved as (
    select
        spelling_id,
        coalesce(entity_id, 'acled:' || spelling_text) as actor_id,
        entity_id is not null as is_resolved,
        coalesce(resolution_method, 'added from ACLED') as resolution_method,
        spelling_text as actor_text,
        cast(null as {{ dbt.type_string() }}) as actor_code
    from acled_actors_resolved
    union all
    select
        gdelt_codes.spelling_id,
        case when gdelt_code_matches.actor_count = 1 then gdelt_code_matches.actor_id else 'gdelt:' || gdelt_codes.actor_code end,
        coalesce(gdelt_code_matches.actor_count = 1, false),
        case when gdelt_code_matches.actor_count = 1 then 'cameo code' else 'added from GDELT' end,
        gdelt_codes.actor_text,
        gdelt_codes.actor_code
    from gdelt_codes
    left join gdelt_code_matches on gdelt_code_matches.spelling_id = gdelt_codes.spelling_id
),

-- Place names, normalised once per distinct spelling.
location_spellings as (
    select location_text, {{ normalize_name('location_text') }} as location_normalized
    from (select distinct location_text from events where location_text is not null) as spellings
),

-- Each located event with its location's normalised name: materialised, so that the match below joins on
-- name and country together (joined on the country alone first, a country's events would meet every name
-- of its places).
events_spelled as {{ materialized_cte() }} (
    select
        events.event_id,
        events.country_iso2,
        events.latitude,
        events.longitude,
        events.geo_type,
        location_spellings.location_normalized
    from events
    inner join location_spellings on location_spellings.location_text = events.location_text
),

place_matches as (
    select
        events_spelled.event_id,
        place_names.place_id,
        row_number() over (
            partition by events_spelled.event_id
            order by
                {{ great_circle_km('events_spelled.latitude', 'events_spelled.longitude', 'place_names.latitude', 'place_names.longitude') }}
                    nulls last,
                place_names.source_rank,
                place_names.population desc,
                place_names.place_id
        ) as match_rank
    from events_spelled
    inner join place_names
        on place_names.name_normalized = events_spelled.location_normalized
        and place_names.country_iso2 = events_spelled.country_iso2
    where
        case
            when events_spelled.geo_type in (2, 5) then place_names.place_type = 'region'
            when events_spelled.geo_type = 1 then false
            -- A town: a place of its name near it (a region or country of that name is not the town).
            else place_names.place_type not in ('region', 'country')
                and {{ great_circle_km('events_spelled.latitude', 'events_spelled.longitude', 'place_names.latitude', 'place_names.longitude') }}
                    <= {{ var('import_place_radius_km') }}
        end
),

places_resolved as (
    select
        events.event_id,
        case
            when events.geo_type = 1 and events.country_iso2 is not null then 'iso3166:' || events.country_iso2
            when place_matches.place_id is not null then place_matches.place_id
            when events.location_text is null then null
            when events.source_system = 'acled'
                then 'acled:' || coalesce(events.country_iso3, 'XXX') || ':' || events.location_text
            else 'gdelt:' || coalesce(events.feature_id, events.location_text)
        end as place_id,
        coalesce(events.geo_type = 1 and events.country_iso2 is not null, false)
            or place_matches.place_id is not null as is_place_resolved
    from events
    left join place_matches on place_matches.event_id = events.event_id and place_matches.match_rank = 1
),

final as (
    select
        events.event_id,
        events.source_system,
        events.source_event_id,
        events.event_date,
        events.time_precision,
        actor1.actor_id as actor1_id,
        actor1.actor_text as actor1_text,
        actor1.actor_code as actor1_code,
        actor1.is_resolved as is_actor1_resolved,
        actor1.resolution_method as actor1_resolution_method,
        actor2.actor_id as actor2_id,
        actor2.actor_text as actor2_text,
        actor2.actor_code as actor2_code,
        actor2.is_resolved as is_actor2_resolved,
        actor2.resolution_method as actor2_resolution_method,
        -- An ACLED event keeps ACLED's actor types; a GDELT event's actor has its actor's type, where it is
        -- a state's forces abroad External/Other forces, or the type of its code's agent (REB: 2).
        coalesce(
            events.actor1_given_inter_code,
            {{ inter_code_at_place('known_actor1', 'event_place') }},
            agent1.acled_inter_code
        ) as actor1_inter_code,
        coalesce(
            events.actor2_given_inter_code,
            {{ inter_code_at_place('known_actor2', 'event_place') }},
            agent2.acled_inter_code
        ) as actor2_inter_code,
        places_resolved.place_id,
        places_resolved.is_place_resolved,
        events.location_text,
        events.admin1_text,
        events.admin2_text,
        events.country_iso2,
        events.country_iso3,
        events.latitude,
        events.longitude,
        events.geo_precision,
        events.cameo_code,
        events.quad_class,
        events.goldstein_scale,
        events.acled_sub_event_type,
        events.fatalities,
        events.num_mentions,
        events.num_articles,
        events.first_reported_date,
        events.last_reported_date
    from events
    left join actors_resolved as actor1 on actor1.spelling_id = events.event_id || ':1'
    left join actors_resolved as actor2 on actor2.spelling_id = events.event_id || ':2'
    left join actors as known_actor1 on known_actor1.actor_id = actor1.actor_id
    left join actors as known_actor2 on known_actor2.actor_id = actor2.actor_id
    left join actor_agents as agent1 on agent1.cameo_agent_code = right(actor1.actor_code, 3)
    left join actor_agents as agent2 on agent2.cameo_agent_code = right(actor2.actor_code, 3)
    left join places_resolved on places_resolved.event_id = events.event_id
    left join countries as event_place on event_place.country_iso2 = events.country_iso2
)

select * from final
