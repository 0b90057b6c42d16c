-- The questions an analyst asks first, as DuckDB SQL over warehouse/eventdw.duckdb.
-- Run one:  .venv/bin/python -c "import duckdb; print(duckdb.connect('warehouse/eventdw.duckdb', read_only=True).sql(open('q.sql').read()))"
-- Each query starts with a `-- name:` line; tests/test_queries.py runs every one against the seed warehouse.
-- marts.events_described is fact_events with the names its ids stand for (actors, place, region, CAMEO code).

-- name: events_per_week_per_governorate
-- How many events, and how many deaths, each week in each governorate (ACLED admin1)?
select
    date_trunc('week', event_date) as week,
    admin1_label as governorate,
    count(*) as events,
    sum(fatalities) as fatalities
from marts.events_described
where time_precision <= 2
group by all
order by week, governorate;

-- name: most_active_actors
-- Which actors are in the most events, as either side, and what kind of actor are they?
select
    a.actor_name,
    a.cameo_actor_code,
    a.acled_inter_code,
    count(distinct e.event_id) as events,
    count(distinct e.event_id) filter (where e.quad_class = 4) as material_conflict_events
from marts.fact_events as e
join marts.dim_actor as a on a.actor_id in (e.actor1_id, e.actor2_id)
group by all
order by events desc, a.actor_name
limit 10;

-- name: where_did_the_sdf_act
-- Where and when did the Syrian Democratic Forces (or any of its units) act, and what did they do?
select
    e.event_date,
    e.place_name,
    e.admin1_name,
    e.cameo_name,
    e.acled_sub_event_type,
    e.num_articles
from marts.events_described as e
join marts.dim_actor as a on a.actor_id in (e.actor1_id, e.actor2_id)
where a.actor_id = 'sdf' or a.parent_actor_id = 'sdf'
order by e.event_date, e.place_name;

-- name: conflicting_fatality_claims
-- Which events do the sources disagree on (different tolls, or a toll against "not reported")?
select
    event_date,
    place_name,
    fatalities as best_estimate,
    fatalities_low,
    fatalities_high,
    fatality_claims
from marts.events_described
where has_conflicting_fatalities
    or (fatality_claims like '%unknown%' and fatalities is not null)
order by event_date;

-- name: best_sourced_events
-- Which events are reported by the most articles (and which articles)?
select
    event_date,
    actor1_name as actor1,
    actor2_name as actor2,
    place_name,
    cameo_name,
    num_articles,
    num_mentions,
    source_article_ids
from marts.events_described
order by num_articles desc, event_date desc
limit 10;

-- name: evidence_for_the_capture_of_deir_ez_zor
-- What exactly did each article say about the capture of Deir ez-Zor on 6 December 2024?
select
    m.article_id,
    ar.title,
    ar.published_date,
    m.actor1_text,
    m.location_text,
    m.quote,
    substring(ar.raw_text, m.quote_start + 1, m.quote_end - m.quote_start) = m.quote as quote_checks_out
from marts.fact_events as e
join marts.fact_event_mentions as m using (event_id)
join marts.dim_article as ar on ar.article_id = m.article_id
where e.place_id = 'geonames:170794' and e.event_date = date '2024-12-06' and e.cameo_code = '192'
order by ar.published_date, m.article_id;

-- name: fatalities_per_month_by_event_type
-- How many events and deaths per month for each ACLED event type (unknown tolls counted apart)?
select
    date_trunc('month', event_date) as month,
    acled_event_type,
    count(*) as events,
    sum(fatalities) as fatalities,
    count(*) filter (where fatalities is null) as events_with_unknown_fatalities
from marts.fact_events
where time_precision <= 3
group by all
order by month, acled_event_type;

-- name: territorial_changes
-- Who took, retook or gave up which place, in order: a timeline of control.
select
    event_date,
    time_precision,
    place_name,
    actor1_name as actor1,
    actor2_name as actor2,
    acled_sub_event_type,
    cameo_name
from marts.events_described
where acled_sub_event_type in (
    'Non-state actor overtakes territory', 'Government regains territory', 'Non-violent transfer of territory'
)
order by event_date, place_name;

-- name: events_within_150_km_of_deir_ez_zor
-- What happened within 150 km of Deir ez-Zor (great-circle distance from its GeoNames point)?
with centre as (
    select latitude, longitude from marts.dim_place where place_id = 'geonames:170794'
)
select
    e.event_date,
    e.place_name,
    round(2 * 6371 * asin(sqrt(
        pow(sin(radians(e.latitude - centre.latitude) / 2), 2)
        + cos(radians(centre.latitude)) * cos(radians(e.latitude)) * pow(sin(radians(e.longitude - centre.longitude) / 2), 2)
    )), 1) as distance_km,
    e.acled_sub_event_type
from marts.events_described as e
cross join centre
where e.latitude is not null
    and 2 * 6371 * asin(sqrt(
        pow(sin(radians(e.latitude - centre.latitude) / 2), 2)
        + cos(radians(centre.latitude)) * cos(radians(e.latitude)) * pow(sin(radians(e.longitude - centre.longitude) / 2), 2)
    )) <= 150
order by distance_km, e.event_date;

-- name: what_needs_a_coders_attention
-- Which inputs were rejected, which names resolved to nothing (and which candidates were refused for lying
-- in another country), which quotes came from page furniture, and which places lie outside the countries
-- their article is about?
select 'rejected row' as problem, source_file || coalesce(' row ' || row_number, '') as location, reason as detail
from raw.rejected_rows
union all
select 'unresolved ' || name_kind, source_rows, spellings || ': ' || reason || ' (nearest: ' || coalesce(nearest_known_name, '-') || ')'
    || coalesce('; refused: ' || refused_candidates, '')
from marts.report_unresolved_names
union all
select 'quote outside the article body', source_file || ' row ' || source_row_number, quote
from marts.fact_event_mentions
where not is_quote_in_body
union all
select 'place outside the article''s countries', source_file || ' row ' || source_row_number,
    location_text || ' -> ' || place_id || ' (article about ' || place_context_countries || ')'
from marts.fact_event_mentions
where not is_place_in_context_countries
order by problem, location;

-- name: every_mention_of_an_unresolved_name
-- Every mention whose actor or place name resolved to nothing, with the file and row to fix:
-- marts.report_unresolved_names counts them per spelling and names the first 20.
select 'actor1' as field, actor1_text as spelling, article_id, source_file, source_row_number
from marts.fact_event_mentions
where actor1_resolution_method = 'unresolved'
union all
select 'actor2', actor2_text, article_id, source_file, source_row_number
from marts.fact_event_mentions
where actor2_resolution_method = 'unresolved'
union all
select 'location', location_text, article_id, source_file, source_row_number
from marts.fact_event_mentions
where place_resolution_method = 'unresolved'
order by spelling, source_file, source_row_number;
