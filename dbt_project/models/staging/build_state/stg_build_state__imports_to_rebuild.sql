with

source as (
    select * from {{ source('build_state', 'imports_to_rebuild') }}
),

renamed as (
    select
        event_id
    from source
)

select * from renamed
