with

source as (
    select * from {{ source('reference', 'admin1_region_names') }}
),

renamed as (
    select
        region_key,
        name as region_name
    from source
)

select * from renamed
