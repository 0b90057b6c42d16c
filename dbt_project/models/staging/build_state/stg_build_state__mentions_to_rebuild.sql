with

source as (
    select * from {{ source('build_state', 'mentions_to_rebuild') }}
),

renamed as (
    select
        mention_id,
        article_id,
        is_moved
    from source
)

select * from renamed
