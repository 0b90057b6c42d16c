with

source as (
    select * from {{ source('reference', 'ref_admin1_crosswalk') }}
),

renamed as (
    select
        trim(country_iso2) as country_iso2,
        trim(geonames_admin1_code) as geonames_admin1_code,
        trim(iso_3166_2) as iso_3166_2,
        nullif(trim(admin1_name), '') as admin1_name
    from source
)

select * from renamed
