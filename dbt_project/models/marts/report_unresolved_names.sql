-- The spellings that resolved to nothing, for the coder to act on: what was written, how often, in which
-- articles, and the nearest known name (below the fuzzy threshold) as a hint. An actor spelling with a
-- country word in it ("Chadian border guards") also lists the agent words the dictionary knows, which
-- composed with that country would have resolved. Add the spelling to
-- seeds/reference/actor_aliases.csv or place_aliases.csv, or fix the coding, and run again.
with

actors_resolved as (
    select * from {{ ref('int_extractions_resolved_to_actors') }}
),

places_resolved as (
    select * from {{ ref('int_extractions_resolved_to_places') }}
),

extractions as (
    select * from {{ ref('stg_coding__extractions') }}
),

actor_names as (
    select * from {{ ref('int_actor_names_normalized') }}
),

place_names as (
    select * from {{ ref('int_place_names_normalized') }}
),

unresolved_spellings as (
    select 'actor' as name_kind, actors_resolved.actor_normalized as spelling_normalized,
        actors_resolved.actor_text as spelling, actors_resolved.mention_id, actors_resolved.refused_candidates
    from actors_resolved
    where not actors_resolved.is_resolved
    union all
    select 'place', places_resolved.location_normalized, places_resolved.location_text, places_resolved.mention_id,
        places_resolved.refused_candidates
    from places_resolved
    where not places_resolved.is_resolved
),

grouped as (
    select
        unresolved_spellings.name_kind,
        unresolved_spellings.spelling_normalized,
        {{ sorted_distinct_join('unresolved_spellings.spelling') }} as spellings,
        count(*) as num_mentions,
        {{ sorted_distinct_join('extractions.article_id') }} as article_ids,
        {{ sorted_distinct_join("extractions.source_file || ' row ' || cast(extractions.row_number as " ~ dbt.type_string() ~ ")") }}
            as source_rows,
        nullif({{ sorted_distinct_join('unresolved_spellings.refused_candidates', ' | ') }}, '') as refused_candidates
    from unresolved_spellings
    inner join extractions on extractions.mention_id = unresolved_spellings.mention_id
    group by unresolved_spellings.name_kind, unresolved_spellings.spelling_normalized
),

known_names as (
    select distinct
        'actor' as name_kind, actor_id as entity_id, actor_name_variant as known_name, name_normalized,
        valid_from, valid_to
    from actor_names
    union all
    select distinct 'place', place_id, place_name_variant, name_normalized, cast(null as date), cast(null as date)
    from place_names
),

nearest as (
    select
        grouped.name_kind,
        grouped.spelling_normalized,
        known_names.entity_id,
        known_names.known_name,
        known_names.valid_from,
        known_names.valid_to,
        {{ string_similarity('grouped.spelling_normalized', 'known_names.name_normalized') }} as similarity
    from grouped
    inner join known_names
        on known_names.name_kind = grouped.name_kind
        and substr(known_names.name_normalized, 1, 1) = substr(grouped.spelling_normalized, 1, 1)
),

-- The country words an unresolved actor spelling holds, as whole words ("chadian" in "chadian border guards").
country_words as (
    select
        grouped.spelling_normalized,
        {{ sorted_distinct_join("forms.form || ' (' || forms.country_name || ')'", ', ') }} as country_words
    from grouped
    inner join (
        select form, country_name, {{ normalize_name('form') }} as form_normalized
        from {{ ref('stg_reference__country_forms') }}
    ) as forms
        on ' ' || grouped.spelling_normalized || ' ' like '% ' || forms.form_normalized || ' %'
    where grouped.name_kind = 'actor'
    group by grouped.spelling_normalized
),

agent_words as (
    select {{ sorted_distinct_join('agent_word', ', ') }} as agent_words
    from {{ ref('stg_reference__actor_agents') }}
),

nearest_ranked as (
    select
        *,
        row_number() over (
            partition by name_kind, spelling_normalized order by similarity desc, entity_id, known_name
        ) as similarity_rank
    from nearest
),

final as (
    select
        grouped.name_kind,
        grouped.spelling_normalized,
        grouped.spellings,
        grouped.num_mentions,
        grouped.article_ids,
        grouped.source_rows,
        nearest_ranked.entity_id as nearest_entity_id,
        nearest_ranked.known_name as nearest_known_name,
        nearest_ranked.similarity as nearest_similarity,
        case
            when grouped.refused_candidates is not null then
                'a known name matched, but outside the countries of the text: give the row a country column, '
                || 'or add an alias, or fix the spelling'
            when nearest_ranked.similarity = 1 then
                'known name, not valid on the event''s date (valid '
                || coalesce(cast(nearest_ranked.valid_from as {{ dbt.type_string() }}), 'always') || ' to '
                || coalesce(cast(nearest_ranked.valid_to as {{ dbt.type_string() }}), 'now')
                || '): check the date, or the alias''s valid_from/valid_to'
            else 'no known name is similar enough: add an alias, or fix the spelling'
        end as reason,
        grouped.refused_candidates,
        case when country_words.country_words is not null then
            'country word ' || country_words.country_words || ' found; agent words the dictionary knows: '
            || agent_words.agent_words || ' (add one to seeds/reference/actor_agents.csv, or an alias)'
        end as composition_hint
    from grouped
    cross join agent_words
    left join country_words
        on grouped.name_kind = 'actor' and country_words.spelling_normalized = grouped.spelling_normalized
    left join nearest_ranked
        on nearest_ranked.name_kind = grouped.name_kind
        and nearest_ranked.spelling_normalized = grouped.spelling_normalized
        and nearest_ranked.similarity_rank = 1
)

{{ select_with_provenance('final') }}
