with

source as (
    select * from {{ source('reference', 'ref_actors') }}
),

renamed as (
    select
        trim(actor_id) as actor_id,
        trim(actor_name) as actor_name,
        trim(cameo_actor_code) as cameo_actor_code,
        cast(trim(acled_inter_code) as integer) as acled_inter_code,
        trim(country_iso3) as country_iso3,
        nullif(trim(parent_actor_id), '') as parent_actor_id,
        cast(nullif(trim(valid_from), '') as date) as valid_from,
        cast(nullif(trim(valid_to), '') as date) as valid_to,
        nullif(trim(wikidata_id), '') as wikidata_id,
        notes
    from source
)

select * from renamed
