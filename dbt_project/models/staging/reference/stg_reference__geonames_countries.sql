with

source as (
    select * from {{ source('reference', 'geonames_countries') }}
),

renamed as (
    select
        country_iso2,
        country_iso3,
        cast(country_iso_numeric as integer) as country_iso_numeric,
        country_name,
        geonames_id,
        capital_name,
        capital_latitude,
        capital_longitude,
        fips_code,
        acled_region
    from source
)

select * from renamed
