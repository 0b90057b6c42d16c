-- Every actor a mention can resolve to: the curated actors (seeds/reference/actors.csv) and, for every
-- country, one actor of each kind the agent dictionary composes (seeds/reference/actor_agents.csv): the
-- Military Forces of Chad (TCDMIL), the Police Forces of Kenya (KENCOP), Protesters (Kenya), as PETRARCH's
-- dictionaries compose a country and an agent.
-- A kind of a country that a curated actor already is (the same CAMEO code and ACLED type: Syria's
-- military, whose government changed on 8 December 2024) is not composed: its composed names mean the
-- curated actors of their periods (int_actor_names_normalized).
with

actors as (
    select * from {{ ref('stg_reference__actors') }}
),

actor_agents as (
    select * from {{ ref('stg_reference__actor_agents') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

kinds as (
    select distinct actor_kind, cameo_agent_code, acled_inter_code, acled_actor_name
    from actor_agents
),

composed as (
    select
        'composite:' || countries.country_iso3 || ':' || kinds.actor_kind as actor_id,
        replace(kinds.acled_actor_name, '{country}', countries.country_name) as actor_name,
        countries.country_iso3 || kinds.cameo_agent_code as cameo_actor_code,
        kinds.acled_inter_code,
        countries.country_iso3,
        kinds.actor_kind,
        countries.country_iso3 || kinds.cameo_agent_code || ':' || kinds.acled_inter_code as composition_key
    from countries
    cross join kinds
),

-- The composed kinds that curated actors already are.
curated_compositions as (
    select distinct cameo_actor_code || ':' || acled_inter_code as composition_key
    from actors
),

final as (
    select
        actor_id,
        actor_name,
        cameo_actor_code,
        acled_inter_code,
        country_iso3,
        parent_actor_id,
        valid_from,
        valid_to,
        wikidata_id,
        'curated' as actor_source
    from actors
    union all
    select
        actor_id,
        actor_name,
        cameo_actor_code,
        acled_inter_code,
        country_iso3,
        cast(null as {{ dbt.type_string() }}) as parent_actor_id,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        cast(null as {{ dbt.type_string() }}) as wikidata_id,
        'composed' as actor_source
    from composed
    where composition_key not in (select composition_key from curated_compositions)
)

select * from final
