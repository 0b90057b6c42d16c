-- Canonical actors (curated, and composed of a country and an agent: int_actors_unioned), the actors of
-- ACLED and GDELT files no reference knows (int_imported_events), plus one "unresolved" member per spelling
-- that matched no actor, so that every mention keeps its actor and the coder can see what to add to
-- seeds/reference/actor_aliases.csv.
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

imported_events as (
    select * from {{ ref('int_imported_events') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
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
        actors.actor_source,
        true as is_resolved
    from actors
    left join alias_counts on alias_counts.actor_id = actors.actor_id
),

unresolved_actors as (
    select
        actor_id,
        min(actor_text) as actor_name,
        cast(null as {{ dbt.type_string() }}) as cameo_actor_code,
        cast(null as integer) as acled_inter_code,
        cast(null as {{ dbt.type_string() }}) as country_iso3,
        cast(null as {{ dbt.type_string() }}) as parent_actor_id,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        cast(null as {{ dbt.type_string() }}) as wikidata_id,
        0 as alias_count,
        'unresolved spelling' as actor_source,
        false as is_resolved
    from actors_resolved
    where not is_resolved
    group by actor_id
),

-- An imported actor no reference knows, as its source names it: ACLED's name with ACLED's type, in the
-- country of its events; GDELT's code (its first three letters a country's, when they are one), with the
-- name GDELT gives it most often (of names as often, the first in alphabetical order, on every engine).
imported_roles as (
    select actor1_id as actor_id, actor1_text as actor_text, actor1_code as actor_code,
        actor1_inter_code as inter_code, country_iso3
    from imported_events
    where not is_actor1_resolved
    union all
    select actor2_id, actor2_text, actor2_code, actor2_inter_code, country_iso3
    from imported_events
    where not is_actor2_resolved
),

-- Each imported actor's most frequent name and type.
imported_names as (
    {{ most_frequent('imported_roles', 'actor_id', 'actor_text') }}
),

imported_inter_codes as (
    {{ most_frequent('imported_roles', 'actor_id', 'inter_code') }}
),

imported_actors as (
    select
        imported_roles.actor_id,
        min(imported_names.actor_text) as actor_name,
        min(imported_roles.actor_code) as cameo_actor_code,
        min(imported_inter_codes.inter_code) as acled_inter_code,
        case
            when min(imported_roles.actor_code) is not null then min(countries.country_iso3)
            when count(distinct imported_roles.country_iso3) = 1 then min(imported_roles.country_iso3)
        end as country_iso3,
        cast(null as {{ dbt.type_string() }}) as parent_actor_id,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        cast(null as {{ dbt.type_string() }}) as wikidata_id,
        0 as alias_count,
        split_part(imported_roles.actor_id, ':', 1) as actor_source,
        true as is_resolved
    from imported_roles
    left join imported_names on imported_names.actor_id = imported_roles.actor_id
    left join imported_inter_codes on imported_inter_codes.actor_id = imported_roles.actor_id
    left join countries on countries.country_iso3 = left(imported_roles.actor_code, 3)
    group by imported_roles.actor_id
),

final as (
    select * from known_actors
    union all
    select * from imported_actors
    union all
    select * from unresolved_actors
)

{{ select_with_provenance('final') }}
