with

source as (
    select * from {{ source('reference', 'ref_place_aliases') }}
),

renamed as (
    select
        trim(alias) as alias,
        trim(place_ref) as place_id,
        notes
    from source
)

select * from renamed
