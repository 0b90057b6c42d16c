with

source as (
    select * from {{ source('reference', 'country_names') }}
),

renamed as (
    select
        name as country_name_lower,
        country_iso2
    from source
)

select * from renamed
