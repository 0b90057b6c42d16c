-- Every written name of every place, with its normalised form and how much to trust it when several
-- places share a name: a curated alias first, then populated places (the most populous first), the
-- supplement, regions (every spelling: English, GeoNames', native, ISO's), districts, countries.
-- Built in full builds only (reference_only_model): an incremental build keeps the rows.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
with

places as (
    select * from {{ ref('int_places_unioned') }}
),

geonames_place_names as (
    select * from {{ ref('stg_reference__geonames_place_names') }}
),

place_aliases as (
    select * from {{ ref('stg_reference__place_aliases') }}
),

region_names as (
    select * from {{ ref('stg_reference__admin1_region_names') }}
),

names as (
    select place_id, alias as place_name_variant, 'curated alias' as name_source, 0 as source_rank
    from place_aliases
    union all
    select 'geonames:' || cast(geonames_id as {{ dbt.type_string() }}), place_name, 'GeoNames name', 1
    from geonames_place_names
    union all
    select place_id, place_name, 'supplement name', 2
    from places
    where place_type not in ('populated place', 'district', 'region', 'country')
    union all
    select place_id, place_name, 'region name', 3
    from places
    where place_type = 'region'
    union all
    select
        case
            when regions.iso_3166_2 is not null then 'iso3166:' || regions.iso_3166_2
            else 'geonames-admin1:' || regions.region_key
        end,
        region_names.region_name,
        'region name',
        3
    from region_names
    inner join {{ ref('stg_reference__admin1_regions') }} as regions on regions.region_key = region_names.region_key
    union all
    select place_id, place_name, 'district name', 4
    from places
    where place_type = 'district'
    union all
    select place_id, place_name, 'country name', 5
    from places
    where place_type = 'country'
),

names_joined_to_places as (
    select
        names.place_id,
        names.place_name_variant,
        lower(trim(names.place_name_variant)) as name_lower,
        {{ normalize_name('names.place_name_variant') }} as name_normalized,
        names.name_source,
        names.source_rank,
        places.place_type,
        coalesce(places.population, 0) as population,
        places.country_iso2,
        places.latitude,
        places.longitude
    from names
    inner join places on places.place_id = names.place_id
),

final as (
    select distinct * from names_joined_to_places
    where name_normalized <> ''
)

select * from final
{{ reference_only_model() }}
