{#- The events of `events` (a relation or CTE with fact_events' columns) with the names their ids stand for: its
    actors', its place's (with its first-level region and country) and its CAMEO code's, as the rows of
    events_described. The one place events are joined to their names: the view over every event, and a model
    that describes a few (acled_events, the events an incremental build rebuilds) from the few. Through the
    view, a filter `event_id in (...)` reaches fact_events only after its left joins, which DuckDB does not
    push it through: every event was joined to its names to describe a day's (at ten million mentions, a
    pass over five million events per build). Each dimension is joined as a table, not a CTE named twice,
    which DuckDB would materialize whole, every column of every event, for a query that reads two. -#}
{% macro describe_events(events) -%}
    select
        events.event_id,
        events.source_system,
        events.source_event_id,
        events.event_date,
        events.time_precision,
        events.actor1_id,
        actor1.actor_name as actor1_name,
        events.actor1_inter_code,
        events.actor2_id,
        actor2.actor_name as actor2_name,
        events.actor2_inter_code,
        events.place_id,
        places.place_name,
        places.place_type,
        places.admin1_name,
        places.admin2_name,
        -- Where an analyst groups the event by region: its first-level region (ACLED's admin1); a country-level
        -- event under its country, marked as such; an unresolved place under its spelling.
        case
            when places.place_type = 'country' then places.place_name || ' (country)'
            else coalesce(places.admin1_name, places.place_name)
        end as admin1_label,
        places.country_iso2,
        places.country_iso3,
        places.country_name,
        places.country_iso_numeric,
        places.acled_region,
        places.latitude,
        places.longitude,
        events.geo_precision,
        events.cameo_code,
        cameo_codes.cameo_name,
        events.cameo_root_code,
        events.quad_class,
        cameo_codes.quad_class_name,
        events.goldstein_scale,
        events.acled_disorder_type,
        events.acled_event_type,
        events.acled_sub_event_type,
        events.interaction,
        events.fatalities,
        events.fatalities_low,
        events.fatalities_high,
        events.has_conflicting_fatalities,
        events.fatality_claims,
        events.num_mentions,
        events.num_articles,
        events.first_reported_date,
        events.last_reported_date,
        events.source_article_ids,
        events.run_id,
        events.build_id
    from {{ events }} as events
    left join {{ ref('dim_actor') }} as actor1 on actor1.actor_id = events.actor1_id
    left join {{ ref('dim_actor') }} as actor2 on actor2.actor_id = events.actor2_id
    left join {{ ref('dim_place') }} as places on places.place_id = events.place_id
    left join {{ ref('dim_cameo_code') }} as cameo_codes on cameo_codes.cameo_code = events.cameo_code
{%- endmacro %}
