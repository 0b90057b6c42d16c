-- The floor: eventdw's transform as one hand-written DuckDB script, for bench/run.py to time against
-- the pipeline on the same inputs. No framework: no Prefect, no dbt (no views, no tests, no contracts),
-- no Great Expectations, no per-file Python reading. It reads the files with DuckDB's own readers,
-- validates the rows, resolves names once per distinct spelling and context (the countries of the
-- article and the centre of its places), groups mentions into events by the same rule and builds the
-- facts and dimensions, then writes the facts to Parquet.
--
-- Before it runs, bench/run.py loads the reference tables into raw.* (eventdw.ingest.reference.load_reference:
-- the GeoNames, CAMEO and ISO lists come from Python packages) and registers the same name normaliser.
-- {seeds}, {exports}, {place_threshold} and {actor_threshold} are filled in by bench/run.py.
-- What it leaves out: article dates other than the "date YYYY-MM-DD" header line and the ISO
-- dateline (the synthetic articles have those), quotes that differ from the article only typographically,
-- the articles' datelines and the rows' country column as sources of an article's countries (the
-- synthetic inputs have none), the descriptive ACLED columns of fact_events, and the rejected-rows
-- table's wording; the counts of accepted and rejected rows are compared with the pipeline.

set preserve_insertion_order = false;

create or replace table floor_articles as
select
    regexp_extract(filename, '([^/]+)\.txt$', 1) as article_id,
    content as raw_text,
    sha256(content) as file_sha256,
    try_cast(coalesce(
        nullif(regexp_extract(content, '^\s*date (\d{4}-\d{2}-\d{2})', 1), ''),
        nullif(regexp_extract(substr(content, 1, 3000), '(?m)^\s*(\d{4}-\d{2}-\d{2})\s*$', 1), '')
    ) as date) as published_date
from read_text('{seeds}/articles/*.txt');

create or replace table floor_landed as
select
    regexp_extract(filename, '[^/]+/[^/]+$') as source_file,
    * exclude (filename)
from read_csv('{seeds}/extractions/*.csv', header = true, all_varchar = true, filename = true);

create or replace table floor_extractions as
with typed as (
    select
        landed.*,
        case when regexp_full_match(trim(landed.event_date), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            then try_cast(trim(landed.event_date) as date) end as event_date_value,
        coalesce(case when regexp_full_match(trim(landed.time_precision), '-?[0-9]+')
            then try_cast(trim(landed.time_precision) as integer) end, 1) as precision_value,
        coalesce(case when regexp_full_match(trim(landed.geo_precision), '-?[0-9]+')
            then try_cast(trim(landed.geo_precision) as integer) end, 1) as geo_precision_value,
        case when regexp_full_match(trim(landed.fatalities), '-?[0-9]+')
            then try_cast(trim(landed.fatalities) as integer) end as fatalities_value,
        case when regexp_full_match(trim(landed.confidence), '[0-9]+(\.[0-9]+)?|\.[0-9]+')
            then try_cast(trim(landed.confidence) as double) end as confidence_value,
        articles.published_date,
        strpos(articles.raw_text, landed.quote) as quote_position,
        articles.article_id is not null as is_known_article,
        cameo.cameo_code is not null as is_known_code
    from floor_landed as landed
    left join floor_articles as articles on articles.article_id = trim(landed.article_id)
    left join raw.cameo_codes as cameo on cameo.cameo_code = trim(landed.cameo_code)
),
checked as (
    select
        *,
        nullif(trim(article_id), '') is null or not is_known_article
            or event_date_value is null or event_date_value < date '1900-01-01'
            or case precision_value  -- the first day of the event's window, as the pipeline's loader has it
                when 2 then event_date_value - 3
                when 3 then date_trunc('month', event_date_value)
                when 4 then date_trunc('year', event_date_value)
                else event_date_value
            end > least(published_date, current_date)
            or (time_precision is not null and not regexp_full_match(trim(time_precision), '-?[0-9]+'))
            or (geo_precision is not null and not regexp_full_match(trim(geo_precision), '-?[0-9]+'))
            or nullif(trim(actor1), '') is null or nullif(trim(location), '') is null
            or not is_known_code or quote is null or quote_position = 0
            or precision_value not between 1 and 4 or geo_precision_value not between 1 and 3
            or (fatalities is not null and (fatalities_value is null or fatalities_value < 0))
            or (confidence is not null and (confidence_value is null or confidence_value not between 0 and 1))
            as is_rejected
    from typed
)
select
    -- The loader's row id (validate_extractions.sql): the key's values and the coder.
    md5(cast(to_json([trim(article_id), strftime(event_date_value, '%Y-%m-%d'), trim(actor1),
        nullif(trim(actor2), ''), trim(cameo_code), trim(location), quote, nullif(trim(coder), '')]) as varchar))
        as mention_id,
    trim(article_id) as article_id,
    published_date,
    event_date_value as event_date,
    precision_value as time_precision,
    geo_precision_value as geo_precision,
    trim(actor1) as actor1_text,
    nullif(trim(actor2), '') as actor2_text,
    trim(cameo_code) as cameo_code,
    trim(location) as location_text,
    fatalities_value as fatalities,
    confidence_value as confidence,
    quote,
    is_rejected
from checked;

-- Candidate names. Places: curated aliases, GeoNames names, supplement, regions, districts, countries, each with its
-- country and position.
create or replace table floor_place_names as
with regions as (  -- a place's region: the curated crosswalk's for its GeoNames code, else the gazetteer's
    select
        places.geonames_id,
        coalesce(trim(crosswalk.iso_3166_2), places.admin1_region_key) as region_key
    from raw.geonames_places as places
    left join raw.ref_admin1_crosswalk as crosswalk
        on trim(crosswalk.country_iso2) = places.country_iso2
        and trim(crosswalk.geonames_admin1_code) = places.admin1_code
),
region_ids as (
    select
        region_key,
        case when iso_3166_2 is not null then 'iso3166:' || iso_3166_2 else 'geonames-admin1:' || region_key end
            as place_id,
        region_name,
        country_iso2
    from raw.admin1_regions
),
places as (
    select 'geonames:' || geonames_id as place_id, place_name, population, country_iso2, latitude, longitude
    from raw.geonames_places
    union all
    select  -- a district's position is its most populous GeoNames place's
        'admin2:' || regions.region_key || ':' || places.admin2_name, places.admin2_name, null,
        any_value(places.country_iso2), arg_max(places.latitude, places.population),
        arg_max(places.longitude, places.population)
    from raw.geonames_places as places
    inner join regions on regions.geonames_id = places.geonames_id
    where places.admin2_name is not null and regions.region_key is not null
    group by regions.region_key, places.admin2_name
    union all
    select region_ids.place_id, region_ids.region_name, null, region_ids.country_iso2,
        capital.latitude, capital.longitude
    from region_ids
    left join (  -- a region's position is its most populous GeoNames place's
        select regions.region_key, arg_max(places.latitude, (places.population, -places.geonames_id)) as latitude,
            arg_max(places.longitude, (places.population, -places.geonames_id)) as longitude
        from raw.geonames_places as places
        inner join regions on regions.geonames_id = places.geonames_id
        group by regions.region_key
    ) as capital on capital.region_key = region_ids.region_key
    union all
    select 'iso3166:' || country_iso2, country_name, null, country_iso2, capital_latitude, capital_longitude
    from raw.geonames_countries
    union all
    select trim(place_id), trim(place_name), null, trim(country_iso2), cast(latitude as double), cast(longitude as double)
    from raw.ref_places_supplement
),
names as (
    select trim(place_ref) as place_id, trim(alias) as name, 0 as source_rank from raw.ref_place_aliases
    union all
    select 'geonames:' || geonames_id, name, 1 from raw.geonames_place_names
    union all
    select trim(place_id), trim(place_name), 2 from raw.ref_places_supplement
    union all
    select region_ids.place_id, names.name, 3
    from raw.admin1_region_names as names
    inner join region_ids on region_ids.region_key = names.region_key
    union all
    select region_ids.place_id, coalesce(curated.admin1_name, region_ids.region_name), 3
    from region_ids
    left join (
        select trim(iso_3166_2) as iso_3166_2, min(nullif(trim(admin1_name), '')) as admin1_name
        from raw.ref_admin1_crosswalk
        group by 1
    ) as curated on 'iso3166:' || curated.iso_3166_2 = region_ids.place_id
    union all
    select place_id, place_name, 4 from places where place_id like 'admin2:%'
    union all
    select 'iso3166:' || country_iso2, country_name, 5 from raw.geonames_countries
)
select distinct
    names.place_id as entity_id,
    lower(trim(names.name)) as name_lower,
    eventdw_normalize_name(names.name) as name_normalized,
    names.source_rank,
    coalesce(places.population, 0) as weight,
    cast(null as date) as valid_from,
    cast(null as date) as valid_to,
    places.country_iso2,
    places.latitude,
    places.longitude
from names
inner join places on places.place_id = names.place_id
where eventdw_normalize_name(names.name) <> '';

-- Actors: aliases, canonical names and the names composed of a country form and an agent word, each valid
-- while both it and its actor are (both days included). Every country has one composed actor per kind of
-- agent, unless a curated actor is that kind (same CAMEO code and ACLED type): then its names mean that one.
create or replace table floor_actor_names as
with curated as (
    select
        trim(actor_id) as actor_id, trim(actor_name) as actor_name, countries.country_iso2,
        trim(cameo_actor_code) || ':' || trim(acled_inter_code) as composition_key,
        cast(nullif(trim(valid_from), '') as date) as valid_from, cast(nullif(trim(valid_to), '') as date) as valid_to
    from raw.ref_actors
    left join raw.geonames_countries as countries on countries.country_iso3 = trim(ref_actors.country_iso3)
),
agents as (
    select trim(agent_word) as word, trim(actor_kind) as kind, trim(cameo_agent_code) as code,
        trim(acled_inter_code) as inter, trim(acled_actor_name) as acled_name
    from raw.ref_actor_agents
),
composed as (
    select 'composite:' || countries.country_iso3 || ':' || kinds.kind as actor_id,
        replace(kinds.acled_name, '{country}', countries.country_name) as actor_name, countries.country_iso2,
        countries.country_iso3 || kinds.code || ':' || kinds.inter as composition_key,
        cast(null as date) as valid_from, cast(null as date) as valid_to
    from raw.geonames_countries as countries
    cross join (select distinct kind, code, inter, acled_name from agents) as kinds
    where countries.country_iso3 || kinds.code || ':' || kinds.inter not in (select composition_key from curated)
),
actors as (
    select * from curated
    union all
    select * from composed
),
composed_names as (
    select
        coalesce(curated.actor_id, 'composite:' || forms.country_iso3 || ':' || agents.kind) as actor_id,
        lower(forms.form) as form_lower, eventdw_normalize_name(forms.form) as form_normalized,
        forms.form_kind, lower(agents.word) as word_lower, eventdw_normalize_name(agents.word) as word_normalized
    from raw.country_forms as forms
    cross join agents
    left join curated on curated.composition_key = forms.country_iso3 || agents.code || ':' || agents.inter
),
names as (
    select trim(actor_id) as actor_id, lower(trim(alias)) as name_lower,
        eventdw_normalize_name(trim(alias)) as name_normalized, 0 as source_rank,
        cast(nullif(trim(valid_from), '') as date) as valid_from, cast(nullif(trim(valid_to), '') as date) as valid_to
    from raw.ref_actor_aliases
    union all
    select actor_id, lower(actor_name), eventdw_normalize_name(actor_name), 1, valid_from, valid_to from actors
    union all
    select actor_id, form_lower || ' ' || word_lower, form_normalized || ' ' || word_normalized, 2, null, null
    from composed_names
    union all
    select actor_id, word_lower || ' of ' || form_lower, word_normalized || ' of ' || form_normalized, 2, null, null
    from composed_names
    union all
    select actor_id, form_lower || '''s ' || word_lower, form_normalized || 's ' || word_normalized, 2, null, null
    from composed_names
    where form_kind <> 'demonym'
)
select
    names.actor_id as entity_id,
    names.name_lower,
    names.name_normalized,
    names.source_rank,
    0 as weight,
    greatest(names.valid_from, actors.valid_from) as valid_from,
    least(names.valid_to, actors.valid_to) as valid_to,
    actors.country_iso2,
    cast(null as double) as latitude,
    cast(null as double) as longitude
from names
inner join actors on actors.actor_id = names.actor_id;

-- Each article's countries and centre: the countries its exact place names place it in (the country a name
-- names; else the one country of all its places; else its biggest place's, when that place is at least ten
-- times bigger than any of another country); the centre is the mean position of their most trusted, then
-- most populous, places in that country. (The synthetic articles have no dateline or country column.)
create or replace table floor_article_contexts as
with exact as (
    select located.article_id, located.location_text, names.entity_id, names.country_iso2, names.latitude,
        names.longitude, names.source_rank, names.weight
    from (select distinct article_id, location_text from floor_extractions where not is_rejected) as located
    inner join floor_place_names as names on names.name_lower = lower(located.location_text)
),
by_country as (
    select article_id, location_text, country_iso2,
        max(weight) as biggest,
        bool_or(source_rank = 5) as is_country,
        arg_min(latitude, (source_rank, -weight, entity_id)) as latitude,
        arg_min(longitude, (source_rank, -weight, entity_id)) as longitude
    from exact
    group by article_id, location_text, country_iso2
),
ranked as (
    select *,
        count(*) over name_countries as countries_of_name,
        count(*) filter (where is_country) over name_countries as named_countries,
        row_number() over (name_countries order by biggest desc, country_iso2) as size_rank,
        lead(biggest) over (name_countries order by biggest desc, country_iso2) as next_biggest
    from by_country
    window name_countries as (partition by article_id, location_text)
),
one_country as (
    select article_id, location_text, country_iso2, latitude, longitude
    from ranked
    where (named_countries = 1 and is_country)
        or (named_countries = 0 and countries_of_name = 1)
        or (named_countries = 0 and size_rank = 1 and biggest > 0
            and biggest >= {context_dominance} * coalesce(next_biggest, 0))
)
select
    article_id,
    array_to_string(list_sort(list_distinct(list(country_iso2))), ',') as countries,
    avg(latitude) as centre_latitude,
    avg(longitude) as centre_longitude
from one_country
group by article_id;

-- Resolution, hand-tuned: one row per distinct (spelling, date, countries, centre) instead of per mention,
-- the normaliser once per distinct spelling, the stages in one ranked join. A normalised (places) or
-- fuzzy match to a candidate of a country outside the countries is not taken; of the rest, the earlier
-- stage, the better score, a candidate in the countries, the trusted source, then the bigger and nearer
-- (ln(1 + population) - km from the centre / 100) wins.
create or replace table floor_place_spellings as
select distinct
    extractions.location_text as spelling,
    date '2000-01-01' as spelling_date,
    coalesce(contexts.countries, '') as countries,
    contexts.centre_latitude,
    contexts.centre_longitude
from floor_extractions as extractions
left join floor_article_contexts as contexts on contexts.article_id = extractions.article_id
where not extractions.is_rejected;

create or replace table floor_actor_spellings as
select spelling, spelling_date, countries, cast(null as double) as centre_latitude,
    cast(null as double) as centre_longitude
from (
    select actor1_text as spelling, event_date as spelling_date, article_id from floor_extractions where not is_rejected
    union all
    select actor2_text, event_date, article_id from floor_extractions where not is_rejected and actor2_text is not null
) as spellings
left join (select article_id, coalesce(countries, '') as countries from floor_article_contexts) as contexts
    using (article_id)
group by all;

create or replace macro floor_resolve(spellings, candidates, threshold, normalized_in_context) as table
with forms as (
    select spelling, lower(trim(spelling)) as spelling_lower, eventdw_normalize_name(spelling) as spelling_normalized
    from (select distinct spelling from query_table(spellings))
),
similar_forms as (  -- places: near spellings only among the candidates of the spelling's countries
    select distinct forms.spelling_normalized, forms.countries, names.name_normalized,
        jaro_winkler_similarity(forms.spelling_normalized, names.name_normalized) as similarity
    from (
        select distinct forms.spelling_normalized, spellings.countries
        from forms inner join query_table(spellings) as spellings on spellings.spelling = forms.spelling
        where forms.spelling_normalized <> ''
    ) as forms
    inner join (select distinct name_normalized, country_iso2 from query_table(candidates)) as names
        on substr(names.name_normalized, 1, 1) = substr(forms.spelling_normalized, 1, 1)
        and (not normalized_in_context or names.country_iso2 is null
            or list_contains(string_split(forms.countries, ','), names.country_iso2))
),
form_matches as (  -- per distinct spelling: every candidate name it matches, at which stage and score
    select forms.spelling, 1 as stage, 1.0 as score, cast(null as varchar) as near_in, names.*
    from forms inner join query_table(candidates) as names on names.name_lower = forms.spelling_lower
    union all
    select forms.spelling, 2, 1.0, null, names.*
    from forms inner join query_table(candidates) as names on names.name_normalized = forms.spelling_normalized
    union all
    select forms.spelling, 3, similar_forms.similarity, similar_forms.countries, names.*
    from forms
    inner join similar_forms on similar_forms.spelling_normalized = forms.spelling_normalized
        and similar_forms.similarity >= threshold
    inner join query_table(candidates) as names on names.name_normalized = similar_forms.name_normalized
),
best as (  -- then per (spelling, date, countries, centre): the best match valid on that date it may take
    select spellings.*, form_matches.entity_id
    from query_table(spellings) as spellings
    inner join form_matches on form_matches.spelling = spellings.spelling
    where (form_matches.near_in is null or form_matches.near_in = spellings.countries)
        and (form_matches.valid_from is null or spellings.spelling_date >= form_matches.valid_from)
        and (form_matches.valid_to is null or spellings.spelling_date <= form_matches.valid_to)
        and (form_matches.stage = 1 or (form_matches.stage = 2 and not normalized_in_context)
            or form_matches.country_iso2 is null
            or list_contains(string_split(spellings.countries, ','), form_matches.country_iso2))
    qualify row_number() over (
        partition by spellings.spelling, spellings.spelling_date, spellings.countries, spellings.centre_latitude,
            spellings.centre_longitude
        order by
            stage,
            score desc,
            form_matches.country_iso2 is null
                or list_contains(string_split(spellings.countries, ','), form_matches.country_iso2) desc,
            source_rank,
            ln(1 + weight) - coalesce(2 * 6371.0 * asin(sqrt(
                power(sin(radians(form_matches.latitude - spellings.centre_latitude) / 2), 2)
                + cos(radians(spellings.centre_latitude)) * cos(radians(form_matches.latitude))
                    * power(sin(radians(form_matches.longitude - spellings.centre_longitude) / 2), 2)
            )), 0) / 100 desc,
            entity_id
    ) = 1
)
select spellings.*, coalesce(best.entity_id, 'unresolved:' || forms.spelling_normalized) as entity_id
from query_table(spellings) as spellings
inner join forms on forms.spelling = spellings.spelling
left join best
    on best.spelling = spellings.spelling and best.spelling_date = spellings.spelling_date
    and best.countries = spellings.countries
    and best.centre_latitude is not distinct from spellings.centre_latitude
    and best.centre_longitude is not distinct from spellings.centre_longitude;

create or replace table floor_places_resolved as
select * from floor_resolve('floor_place_spellings', 'floor_place_names', {place_threshold}, true);

create or replace table floor_actors_resolved as
select * from floor_resolve('floor_actor_spellings', 'floor_actor_names', {actor_threshold}, false);

create or replace table floor_root_actors as
with actors as (
    select trim(actor_id) as actor_id, nullif(trim(parent_actor_id), '') as parent_id from raw.ref_actors
)
select actors.actor_id, coalesce(g2.actor_id, g1.actor_id, parent.actor_id, actors.actor_id) as root_actor_id
from actors
left join actors as parent on parent.actor_id = actors.parent_id
left join actors as g1 on g1.actor_id = parent.parent_id
left join actors as g2 on g2.actor_id = g1.parent_id;

-- Mentions with their entities and their event's key, then the anchors: each day of a key is an event;
-- a week report joins the nearest day within 3 days (ASOF joins, before and after), else is a week event;
-- a month report joins the nearest day or week event within 15 days, else is a month event.
create or replace table floor_keyed_mentions as
with mentions as (
    select
        extractions.*,
        actor1.entity_id as actor1_id,
        actor2.entity_id as actor2_id,
        places.entity_id as place_id,
        substr(extractions.cameo_code, 1, 2) as cameo_root_code,
        coalesce(root1.root_actor_id, actor1.entity_id) as root1,
        coalesce(root2.root_actor_id, actor2.entity_id) as root2
    from floor_extractions as extractions
    left join floor_article_contexts as contexts on contexts.article_id = extractions.article_id
    inner join floor_actors_resolved as actor1
        on actor1.spelling = extractions.actor1_text and actor1.spelling_date = extractions.event_date
        and actor1.countries = coalesce(contexts.countries, '')
    left join floor_actors_resolved as actor2
        on actor2.spelling = extractions.actor2_text and actor2.spelling_date = extractions.event_date
        and actor2.countries = coalesce(contexts.countries, '')
    inner join floor_places_resolved as places
        on places.spelling = extractions.location_text and places.countries = coalesce(contexts.countries, '')
        and places.centre_latitude is not distinct from contexts.centre_latitude
        and places.centre_longitude is not distinct from contexts.centre_longitude
    left join floor_root_actors as root1 on root1.actor_id = actor1.entity_id
    left join floor_root_actors as root2 on root2.actor_id = actor2.entity_id
    where not extractions.is_rejected
    -- a later copy of the same extraction counts once
    qualify row_number() over (partition by extractions.mention_id order by extractions.article_id) = 1
),
keyed as (
    select
        *,
        least(root1, coalesce(root2, '')) as pair_first,
        greatest(root1, coalesce(root2, '')) as pair_second,
        case when time_precision = 4 then year(event_date) else 0 end as year_class
    from mentions
)
select * exclude (is_rejected, root1, root2) from keyed;

create or replace table floor_day_events as
select distinct pair_first, pair_second, cameo_root_code, place_id, year_class, event_date as anchor_date,
    1 as anchor_precision
from floor_keyed_mentions where time_precision = 1;

create or replace macro floor_nearest(mentions_query, anchors_query, days) as table
select
    mention_id,
    case when takes_before then before_date when after_distance is not null then after_date end as anchor_date,
    case when takes_before then before_precision when after_distance is not null then after_precision end
        as anchor_precision
from (
    select
        *,
        -- the nearer anchor within the window; of two as near, the more precise, then the earlier
        before_distance is not null and (after_distance is null or after_distance > before_distance
            or (after_distance = before_distance and before_precision <= after_precision)) as takes_before
    from (
        select
            m.mention_id,
            before.anchor_date as before_date,
            before.anchor_precision as before_precision,
            case when m.event_date - before.anchor_date <= days then m.event_date - before.anchor_date end
                as before_distance,
            after.anchor_date as after_date,
            after.anchor_precision as after_precision,
            case when after.anchor_date - m.event_date <= days then after.anchor_date - m.event_date end
                as after_distance
        from query(mentions_query) as m
        asof left join query(anchors_query) as before
            on before.pair_first = m.pair_first and before.pair_second = m.pair_second
            and before.cameo_root_code = m.cameo_root_code and before.place_id = m.place_id
            and before.year_class = m.year_class and before.anchor_date <= m.event_date
        asof left join query(anchors_query) as after
            on after.pair_first = m.pair_first and after.pair_second = m.pair_second
            and after.cameo_root_code = m.cameo_root_code and after.place_id = m.place_id
            and after.year_class = m.year_class and after.anchor_date >= m.event_date
    )
);

create or replace table floor_week_choices as
select * from floor_nearest('select * from floor_keyed_mentions where time_precision = 2', 'select * from floor_day_events', 3);

create or replace table floor_anchors as
select * from floor_day_events
union all
select distinct m.pair_first, m.pair_second, m.cameo_root_code, m.place_id, m.year_class, m.event_date, 2
from floor_keyed_mentions as m
inner join floor_week_choices as c on c.mention_id = m.mention_id and c.anchor_date is null;

create or replace table floor_fact_event_mentions as
with choices as (
    select * from floor_week_choices where anchor_date is not null
    union all
    select * from floor_nearest('select * from floor_keyed_mentions where time_precision = 3', 'select * from floor_anchors', 15)
)
select
    -- As the pipeline's hash_key: a missing value (an unresolved place) is an empty string, not left out.
    'EV' || substr(md5(concat_ws('|', coalesce(choices.anchor_precision, m.time_precision)::varchar,
        strftime(coalesce(choices.anchor_date, m.event_date), '%Y-%m-%d'), coalesce(m.pair_first, ''),
        coalesce(m.pair_second, ''), coalesce(m.cameo_root_code, ''), coalesce(m.place_id, ''))), 1, 16) as event_id,
    m.*
from floor_keyed_mentions as m
left join choices on choices.mention_id = m.mention_id;

create or replace table floor_fact_events as
select
    event_id,
    arg_min(event_date, (time_precision, geo_precision, -coalesce(confidence, -1), published_date, mention_id))
        as event_date,
    min(time_precision) as time_precision,
    arg_min(actor1_id, (time_precision, geo_precision, -coalesce(confidence, -1), published_date, mention_id))
        as actor1_id,
    arg_min(actor2_id, (time_precision, geo_precision, -coalesce(confidence, -1), published_date, mention_id))
        as actor2_id,
    any_value(place_id) as place_id,
    min(geo_precision) as geo_precision,
    arg_min(cameo_code, (time_precision, geo_precision, -coalesce(confidence, -1), published_date, mention_id))
        as cameo_code,
    min(fatalities) as fatalities_low,
    max(fatalities) as fatalities_high,
    count(*) as num_mentions,
    count(distinct article_id) as num_articles,
    min(published_date) as first_reported_date,
    max(published_date) as last_reported_date,
    array_to_string(list_sort(list_distinct(list(article_id))), '; ') as source_article_ids
from floor_fact_event_mentions
group by event_id;

create or replace table floor_dim_actor as
select distinct actor1_id as actor_id from floor_fact_event_mentions
union
select actor2_id from floor_fact_event_mentions where actor2_id is not null;

create or replace table floor_dim_place as
select distinct place_id from floor_fact_event_mentions;

copy (select *, year(event_date) as year, month(event_date) as month from floor_fact_events)
    to '{exports}/fact_events' (format parquet, partition_by (year, month), overwrite_or_ignore true);
copy floor_fact_event_mentions to '{exports}/fact_event_mentions.parquet' (format parquet);
