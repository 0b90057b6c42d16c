with

source as (
    select * from {{ source('build_state', 'articles_to_rebuild') }}
),

renamed as (
    select
        article_id
    from source
)

select * from renamed
