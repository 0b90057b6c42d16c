with

source as (
    select * from {{ source('build_state', 'current_build') }}
),

renamed as (
    select
        run_id,
        build_id
    from source
)

select * from renamed
