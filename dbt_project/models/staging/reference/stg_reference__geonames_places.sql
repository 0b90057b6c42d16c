with

source as (
    select * from {{ source('reference', 'geonames_places') }}
),

renamed as (
    select
        geonames_id,
        place_name,
        country_iso2,
        admin1_code as geonames_admin1_code,
        admin1_region_key,
        admin2_name,
        latitude,
        longitude,
        population
    from source
)

select * from renamed
