-- Canonical actors (curated, and composed of a country and an agent: int_actors_unioned), plus one "unresolved" member per spelling that matched no actor, so that every
-- mention keeps its actor and the coder can see what to add to seeds/reference/actor_aliases.csv.
with

actors as (
    select * from {{ ref('int_actors_unioned') }}
),

actor_aliases as (
    select * from {{ ref('stg_reference__actor_aliases') }}
),

actors_resolved as (
    select * from {{ ref('int_extractions_resolved_to_actors') }}
),

alias_counts as (
    select actor_id, count(*) as alias_count
    from actor_aliases
    group by actor_id
),

known_actors as (
    select
        actors.actor_id,
        actors.actor_name,
        actors.cameo_actor_code,
        actors.acled_inter_code,
        actors.country_iso3,
        actors.parent_actor_id,
        actors.valid_from,
        actors.valid_to,
        actors.wikidata_id,
        coalesce(alias_counts.alias_count, 0) as alias_count,
        true as is_resolved
    from actors
    left join alias_counts on alias_counts.actor_id = actors.actor_id
),

unresolved_actors as (
    select
        actor_id,
        min(actor_text) as actor_name,
        cast(null as varchar) as cameo_actor_code,
        cast(null as integer) as acled_inter_code,
        cast(null as varchar) as country_iso3,
        cast(null as varchar) as parent_actor_id,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        cast(null as varchar) as wikidata_id,
        0 as alias_count,
        false as is_resolved
    from actors_resolved
    where not is_resolved
    group by actor_id
),

final as (
    select * from known_actors
    union all
    select * from unresolved_actors
)

select * from final
