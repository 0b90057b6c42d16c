with

source as (
    select * from {{ source('reference', 'iso_regions') }}
),

renamed as (
    select
        iso_3166_2,
        country_iso2,
        region_name,
        region_type
    from source
)

select * from renamed
