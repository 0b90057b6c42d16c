with

source as (
    select * from {{ source('reference', 'geonames_place_names') }}
),

renamed as (
    select
        geonames_id,
        name as place_name
    from source
)

select * from renamed
