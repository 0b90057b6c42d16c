with

source as (
    select * from {{ source('reference', 'ref_actor_aliases') }}
),

renamed as (
    select
        trim(alias) as alias,
        trim(actor_id) as actor_id,
        cast(nullif(trim(valid_from), '') as date) as valid_from,
        cast(nullif(trim(valid_to), '') as date) as valid_to,
        notes
    from source
)

select * from renamed
