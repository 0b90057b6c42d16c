-- Every written name of every actor (curated aliases and canonical names) with its normalised form and
-- the dates between which it means that actor.
with

actors as (
    select * from {{ ref('stg_reference__actors') }}
),

actor_aliases as (
    select * from {{ ref('stg_reference__actor_aliases') }}
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
        actor_id,
        actor_name_variant,
        lower(trim(actor_name_variant)) as name_lower,
        {{ normalize_name('actor_name_variant') }} as name_normalized,
        name_source,
        source_rank,
        valid_from,
        valid_to
    from names
)

select * from final
