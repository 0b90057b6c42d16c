-- Every place of the gazetteer (GeoNames places, districts, regions, countries, the curated supplement),
-- the ACLED and GDELT locations the gazetteer lacks (int_imported_events), with their source's coordinates
-- and admin names, plus one "unresolved" member per location spelling that matched no place.
with

places as (
    select * from {{ ref('int_places_unioned') }}
),

imported_events as (
    select * from {{ ref('int_imported_events') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

places_resolved as (
    select * from {{ ref('int_extractions_resolved_to_places') }}
),

known_places as (
    select
        places.place_id,
        places.place_name,
        places.place_type,
        places.geonames_id,
        places.geonames_admin1_code,
        places.admin1_iso,
        places.admin1_name,
        places.admin2_name,
        places.country_iso2,
        places.country_iso3,
        places.country_name,
        places.country_iso_numeric,
        countries.acled_region,
        places.latitude,
        places.longitude,
        places.population,
        places.place_source,
        true as is_resolved
    from places
    left join countries on countries.country_iso2 = places.country_iso2
),

-- An imported place's most frequent spellings (of spellings as frequent, the first alphabetically).
imported_location_names as (
    {{ most_frequent('imported_events', 'place_id', 'location_text', 'not is_place_resolved') }}
),

imported_admin1_names as (
    {{ most_frequent('imported_events', 'place_id', 'admin1_text', 'not is_place_resolved') }}
),

imported_admin2_names as (
    {{ most_frequent('imported_events', 'place_id', 'admin2_text', 'not is_place_resolved') }}
),

imported_places as (
    select
        imported_events.place_id,
        min(imported_location_names.location_text) as place_name,
        min(imported_events.source_system) || ' location' as place_type,
        cast(null as bigint) as geonames_id,
        cast(null as {{ dbt.type_string() }}) as geonames_admin1_code,
        cast(null as {{ dbt.type_string() }}) as admin1_iso,
        min(imported_admin1_names.admin1_text) as admin1_name,
        min(imported_admin2_names.admin2_text) as admin2_name,
        min(countries.country_iso2) as country_iso2,
        min(countries.country_iso3) as country_iso3,
        min(countries.country_name) as country_name,
        min(countries.country_iso_numeric) as country_iso_numeric,
        min(countries.acled_region) as acled_region,
        -- Rounded to 1e-6 degrees (0.1 m): a sum's last digits depend on the order an engine adds in.
        round(avg(imported_events.latitude), 6) as latitude,
        round(avg(imported_events.longitude), 6) as longitude,
        cast(null as bigint) as population,
        'the ' || upper(min(imported_events.source_system)) || ' files: a location no gazetteer place of its name is near'
            as place_source,
        true as is_resolved
    from imported_events
    left join imported_location_names on imported_location_names.place_id = imported_events.place_id
    left join imported_admin1_names on imported_admin1_names.place_id = imported_events.place_id
    left join imported_admin2_names on imported_admin2_names.place_id = imported_events.place_id
    left join countries on countries.country_iso2 = imported_events.country_iso2
    where imported_events.place_id is not null and not imported_events.is_place_resolved
    group by imported_events.place_id
),

unresolved_places as (
    select
        place_id,
        min(location_text) as place_name,
        'unresolved' as place_type,
        cast(null as bigint) as geonames_id,
        cast(null as {{ dbt.type_string() }}) as geonames_admin1_code,
        cast(null as {{ dbt.type_string() }}) as admin1_iso,
        cast(null as {{ dbt.type_string() }}) as admin1_name,
        cast(null as {{ dbt.type_string() }}) as admin2_name,
        cast(null as {{ dbt.type_string() }}) as country_iso2,
        cast(null as {{ dbt.type_string() }}) as country_iso3,
        cast(null as {{ dbt.type_string() }}) as country_name,
        cast(null as integer) as country_iso_numeric,
        cast(null as {{ dbt.type_string() }}) as acled_region,
        cast(null as double) as latitude,
        cast(null as double) as longitude,
        cast(null as bigint) as population,
        'unresolved spelling' as place_source,
        false as is_resolved
    from places_resolved
    where not is_resolved
    group by place_id
),

final as (
    select * from known_places
    union all
    select * from imported_places
    union all
    select * from unresolved_places
)

{{ select_with_provenance('final') }}
