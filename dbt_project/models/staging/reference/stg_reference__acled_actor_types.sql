with

source as (
    select * from {{ source('reference', 'ref_acled_actor_types') }}
),

renamed as (
    select
        cast(trim(inter_code) as integer) as acled_inter_code,
        trim(inter_type) as acled_inter_type
    from source
)

select * from renamed
