with

source as (
    select * from {{ source('coding', 'articles') }}
),

renamed as (
    select
        article_id,
        title,
        published_date,
        published_date_source,
        raw_text,
        body_start,
        body_end,
        dateline,
        publisher,
        cast(length(raw_text) as bigint) as character_count,
        source_file,
        file_sha256,
        loaded_at
    from source
)

select * from renamed
