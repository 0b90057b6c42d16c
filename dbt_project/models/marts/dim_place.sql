-- Every place of the gazetteer (GeoNames places, districts, regions, countries, the curated supplement),
-- plus one "unresolved" member per location spelling that matched no place.
with

places as (
    select * from {{ ref('int_places_unioned') }}
),

places_resolved as (
    select * from {{ ref('int_extractions_resolved_to_places') }}
),

known_places as (
    select
        place_id,
        place_name,
        place_type,
        geonames_id,
        geonames_admin1_code,
        admin1_iso,
        admin1_name,
        admin2_name,
        country_iso2,
        country_iso3,
        country_name,
        country_iso_numeric,
        latitude,
        longitude,
        population,
        place_source,
        true as is_resolved
    from places
),

unresolved_places as (
    select
        place_id,
        min(location_text) as place_name,
        'unresolved' as place_type,
        cast(null as bigint) as geonames_id,
        cast(null as varchar) as geonames_admin1_code,
        cast(null as varchar) as admin1_iso,
        cast(null as varchar) as admin1_name,
        cast(null as varchar) as admin2_name,
        cast(null as varchar) as country_iso2,
        cast(null as varchar) as country_iso3,
        cast(null as varchar) as country_name,
        cast(null as integer) as country_iso_numeric,
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
    select * from unresolved_places
)

select * from final
