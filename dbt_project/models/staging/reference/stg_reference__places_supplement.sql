with

source as (
    select * from {{ source('reference', 'ref_places_supplement') }}
),

renamed as (
    select
        trim(place_id) as place_id,
        trim(place_name) as place_name,
        trim(feature_type) as feature_type,
        trim(country_iso2) as country_iso2,
        nullif(trim(admin1_iso), '') as admin1_iso,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(nullif(trim(geonames_id), '') as bigint) as geonames_id,
        nullif(trim(parent_place_id), '') as parent_place_id,
        source_note
    from source
)

select * from renamed
