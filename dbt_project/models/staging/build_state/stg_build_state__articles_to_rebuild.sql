with

source as (
    select * from {{ source('build_state', 'articles_to_rebuild') }}
),

renamed as (
    select
        article_id,
        was_built
    from source
)

select * from renamed
