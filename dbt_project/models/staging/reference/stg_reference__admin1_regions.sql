with

source as (
    select * from {{ source('reference', 'admin1_regions') }}
),

renamed as (
    select
        region_key,
        country_iso2,
        geonames_admin1_code,
        geonames_id,
        iso_3166_2,
        region_name,
        matched_places,
        voting_places
    from source
)

select * from renamed
