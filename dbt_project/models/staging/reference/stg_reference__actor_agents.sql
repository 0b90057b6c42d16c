with

source as (
    select * from {{ source('reference', 'ref_actor_agents') }}
),

renamed as (
    select
        trim(agent_word) as agent_word,
        trim(actor_kind) as actor_kind,
        trim(cameo_agent_code) as cameo_agent_code,
        cast(trim(acled_inter_code) as integer) as acled_inter_code,
        trim(acled_actor_name) as acled_actor_name
    from source
)

select * from renamed
