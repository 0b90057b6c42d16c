-- Every written name of every place, with its normalised form and how much to trust it when several
-- places share a name: a curated alias first, then populated places (the most populous first), the
-- supplement, regions, countries.
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

names as (
    select place_id, alias as place_name_variant, 'curated alias' as name_source, 0 as source_rank
    from place_aliases
    union all
    select 'geonames:' || cast(geonames_id as varchar), place_name, 'GeoNames name', 1
    from geonames_place_names
    union all
    select place_id, place_name, 'supplement name', 2
    from places
    where place_type not in ('populated place', 'region', 'country')
    union all
    select place_id, place_name, 'ISO 3166-2 name', 3
    from places
    where place_type = 'region'
    union all
    select place_id, place_name, 'country name', 4
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
