-- Every written name of every actor (curated aliases, canonical names, and the names composed of a country
-- and an agent word) with its normalised form and the dates between which it means that actor, both days
-- included: an alias means its actor only while both are valid (an alias with no dates means the actor for
-- as long as the actor exists). The loader refuses reference data where an alias's own dates lie outside
-- its actor's (eventdw.ingest.reference_checks).
--
-- Composed names: every form of a country (name, demonym, initials: "Chad", "Chadian", "US") with every
-- agent word of the dictionary ("army", "police", "protesters"), as "<country> <agent>", "<agent> of
-- <country>" and "<country>'s <agent>". They mean the composed actor of that country and kind
-- (int_actors_unioned), or, where curated actors already are that kind (the same CAMEO code and ACLED
-- type), those actors in their own periods: "Syrian troops" is the Military Forces of Syria (2000-2024)
-- up to 8 December 2024 and the Military Forces of Syria (2024-) from the 9th.
-- Built in full builds only (reference_only_model): an incremental build keeps the rows.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
with

actors as (
    select * from {{ ref('int_actors_unioned') }}
),

curated_actors as (
    select * from {{ ref('stg_reference__actors') }}
),

actor_aliases as (
    select * from {{ ref('stg_reference__actor_aliases') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

actor_agents as (
    select
        *,
        lower(agent_word) as word_lower,
        {{ normalize_name('agent_word') }} as word_normalized
    from {{ ref('stg_reference__actor_agents') }}
),

country_forms as (
    select
        *,
        lower(form) as form_lower,
        {{ normalize_name('form') }} as form_normalized
    from {{ ref('stg_reference__country_forms') }}
),

-- Each country's agent words, and the actor each composition means: the curated actors of that kind,
-- else the composed one.
composed_entities as (
    select
        country_codes.country_iso3,
        actor_agents.agent_word,
        coalesce(curated_actors.actor_id, 'composite:' || country_codes.country_iso3 || ':' || actor_agents.actor_kind)
            as actor_id,
        curated_actors.valid_from,
        curated_actors.valid_to
    from (select distinct country_iso3 from country_forms) as country_codes
    cross join actor_agents
    left join curated_actors
        on curated_actors.cameo_actor_code = country_codes.country_iso3 || actor_agents.cameo_agent_code
        and curated_actors.acled_inter_code = actor_agents.acled_inter_code
),

-- Each country form with each agent word, and the actor the composition means.
compositions as (
    select
        composed_entities.actor_id,
        composed_entities.valid_from,
        composed_entities.valid_to,
        country_forms.form_lower,
        country_forms.form_normalized,
        country_forms.form_kind,
        actor_agents.word_lower,
        actor_agents.word_normalized
    from composed_entities
    inner join country_forms on country_forms.country_iso3 = composed_entities.country_iso3
    inner join actor_agents on actor_agents.agent_word = composed_entities.agent_word
),

composed_names as (
    select
        actor_id,
        form_lower || ' ' || word_lower as name_lower,
        form_normalized || ' ' || word_normalized as name_normalized,
        valid_from,
        valid_to
    from compositions
    union all
    select
        actor_id,
        word_lower || ' of ' || form_lower,
        word_normalized || ' of ' || form_normalized,
        valid_from,
        valid_to
    from compositions
    union all
    select
        actor_id,
        form_lower || '''s ' || word_lower,
        form_normalized || 's ' || word_normalized,
        valid_from,
        valid_to
    from compositions
    where form_kind <> 'demonym'
),

names as (
    select actor_id, alias as actor_name_variant, 'curated alias' as name_source, 0 as source_rank, valid_from, valid_to
    from actor_aliases
    union all
    select actor_id, actor_name, 'canonical name', 1, valid_from, valid_to
    from actors
),

named as (
    select
        names.actor_id,
        names.actor_name_variant,
        lower(trim(names.actor_name_variant)) as name_lower,
        {{ normalize_name('names.actor_name_variant') }} as name_normalized,
        names.name_source,
        names.source_rank,
        greatest(names.valid_from, actors.valid_from) as valid_from,
        least(names.valid_to, actors.valid_to) as valid_to,
        actors.country_iso3
    from names
    inner join actors on actors.actor_id = names.actor_id
    union all
    select
        composed_names.actor_id,
        composed_names.name_lower,
        composed_names.name_lower,
        composed_names.name_normalized,
        'composed name',
        2,
        greatest(composed_names.valid_from, actors.valid_from),
        least(composed_names.valid_to, actors.valid_to),
        actors.country_iso3
    from composed_names
    inner join actors on actors.actor_id = composed_names.actor_id
),

final as (
    select distinct
        named.actor_id,
        named.actor_name_variant,
        named.name_lower,
        named.name_normalized,
        named.name_source,
        named.source_rank,
        named.valid_from,
        named.valid_to,
        -- The actor's country: a near spelling resolves to it only in a text about that country.
        countries.country_iso2
    from named
    left join countries on countries.country_iso3 = named.country_iso3
)

select * from final
{{ reference_only_model() }}
