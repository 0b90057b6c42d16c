-- Every written name of every actor (curated aliases and canonical names) with its normalised form and
-- the dates between which it means that actor, both days included: an alias means its actor only while
-- both are valid (an alias with no dates means the actor for as long as the actor exists). The loader
-- refuses reference data where an alias's own dates lie outside its actor's (eventdw.ingest.reference_checks).
with

actors as (
    select * from {{ ref('stg_reference__actors') }}
),

actor_aliases as (
    select * from {{ ref('stg_reference__actor_aliases') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

names as (
    select actor_id, alias as actor_name_variant, 'curated alias' as name_source, 0 as source_rank, valid_from, valid_to
    from actor_aliases
    union all
    select actor_id, actor_name, 'canonical name', 1, valid_from, valid_to
    from actors
),

final as (
    select
        names.actor_id,
        names.actor_name_variant,
        lower(trim(names.actor_name_variant)) as name_lower,
        {{ normalize_name('names.actor_name_variant') }} as name_normalized,
        names.name_source,
        names.source_rank,
        greatest(names.valid_from, actors.valid_from) as valid_from,
        least(names.valid_to, actors.valid_to) as valid_to,
        -- The actor's country: a near spelling resolves to it only in a text about that country.
        countries.country_iso2
    from names
    inner join actors on actors.actor_id = names.actor_id
    left join countries on countries.country_iso3 = actors.country_iso3
)

select * from final
