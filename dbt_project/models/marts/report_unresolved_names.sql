-- The spellings that resolved to nothing, for the coder to act on: what was written, how often, in which
-- articles (the first 20 of them and of their rows: a sample to look at, the counts say how many there are;
-- marts.fact_event_mentions has every mention, docs/queries.sql shows how), and the nearest known name
-- (below the fuzzy threshold) as a hint. An actor spelling with a
-- country word in it ("Chadian border guards") also lists the agent words the dictionary knows, which
-- composed with that country would have resolved. Add the spelling to
-- seeds/reference/actor_aliases.csv or place_aliases.csv, or fix the coding, and run again.
-- An incremental build writes again the spellings its changes touched, and only those: a spelling with a
-- mention of an article it rebuilt whole or a row changed in place that moved (to another file or row
-- number), or, when the build can take mentions away (mentions_may_leave_spellings: an article the last
-- build had is rebuilt whole), whose mentions no longer number what its row counted; the post-hook then
-- deletes the earlier rows of the spellings it wrote and of those no mention spells any more. A row changed
-- in place and not moved keeps its names, article and country: the spellings' rows say the same of it.
-- A spelling with no rebuilt mention, before or now, has the same mentions in the same rows, so its row
-- stands. The hints (the nearest known name, a fuzzy match against every known name, and the
-- country words, a match against every country's forms) are functions of the spelling and the reference
-- data, which an incremental build shares with the last one (eventdw.state): a spelling listed before
-- keeps its hints, but for a name known and not valid on the date (similarity 1), whose validity the reason
-- gives, which is looked up again among the names it equals (Jaro-Winkler similarity is 1 for equal strings
-- only), not matched against every name again.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{% if is_incremental() %}{% call delete_from_this() %}{{ unresolved_names_replaced() }}{% endcall %}{% endif %}"
) }}
{%- set listed = 20 %}  {#- articles and rows named per spelling -#}
-- depends_on: {{ ref('stg_build_state__articles_to_rebuild') }}
-- depends_on: {{ ref('stg_build_state__mentions_to_rebuild') }}

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
        actors_resolved.actor_text as spelling, actors_resolved.mention_id, actors_resolved.article_id,
        actors_resolved.refused_candidates
    from actors_resolved
    where not actors_resolved.is_resolved
    union all
    select 'place', places_resolved.location_normalized, places_resolved.location_text, places_resolved.mention_id,
        places_resolved.article_id, places_resolved.refused_candidates
    from places_resolved
    where not places_resolved.is_resolved
),

{% if is_incremental() %}
-- The spellings this build lists again (see the top): those with a mention of an article it rebuilt whole or
-- a row changed in place that moved, and those whose mentions number other than their row counted (fewer:
-- an article rebuilt without some, or whose names now resolve).
spellings_touched as (
    select distinct name_kind, spelling_normalized
    from unresolved_spellings
    where {{ is_rebuilt_in_this_build(moved_only=true) }}
    {%- if mentions_may_leave_spellings() %}
    union
    select counted.name_kind, counted.spelling_normalized
    from (
        select name_kind, spelling_normalized, count(*) as num_mentions
        from unresolved_spellings
        group by name_kind, spelling_normalized
    ) as counted
    left join {{ this }} as listed
        on listed.name_kind = counted.name_kind
        and listed.spelling_normalized = counted.spelling_normalized
    where listed.num_mentions is distinct from counted.num_mentions
    {%- endif %}
),

unresolved_touched as (
    select unresolved_spellings.*
    from unresolved_spellings
    inner join spellings_touched
        on spellings_touched.name_kind = unresolved_spellings.name_kind
        and spellings_touched.spelling_normalized = unresolved_spellings.spelling_normalized
),
{% else %}
unresolved_touched as (
    select * from unresolved_spellings
),
{% endif %}

grouped as (
    select
        unresolved_touched.name_kind,
        unresolved_touched.spelling_normalized,
        {{ sorted_distinct_join('unresolved_touched.spelling', long_lists=true) }} as spellings,
        count(*) as num_mentions,
        count(distinct unresolved_touched.article_id) as num_articles,
        {{ first_distinct_join('unresolved_touched.article_id', listed) }} as article_ids,
        {{ first_source_rows_join('extractions.source_file', 'extractions.row_number', listed) }} as source_rows,
        nullif({{ sorted_distinct_join('unresolved_touched.refused_candidates', ' | ', long_lists=true) }}, '')
            as refused_candidates
    from unresolved_touched
    inner join extractions on extractions.mention_id = unresolved_touched.mention_id
    group by unresolved_touched.name_kind, unresolved_touched.spelling_normalized
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

{% if is_incremental() %}
listed_before as (
    select
        name_kind, spelling_normalized, nearest_entity_id, nearest_known_name, nearest_similarity, composition_hint
    from {{ this }}
),

hints_before as (
    select
        name_kind,
        spelling_normalized,
        nearest_entity_id as entity_id,
        nearest_known_name as known_name,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        nearest_similarity as similarity
    from listed_before
    where coalesce(nearest_similarity, 0) < 1
),
{% endif %}

-- Each spelling, and whether it was listed before and kept its hints (never, in a full build): a spelling
-- not listed before has its country words looked for, one without a hint kept its nearest known name.
spelling_flags as (
    select
        grouped.name_kind,
        grouped.spelling_normalized,
        {% if is_incremental() %}
        listed_before.spelling_normalized is not null as is_listed_before,
        coalesce(listed_before.nearest_similarity, 0) < 1 and listed_before.spelling_normalized is not null
            as has_hint_before,
        listed_before.composition_hint as composition_hint_before,
        coalesce(listed_before.nearest_similarity, 0) = 1 as is_known_before
        {% else %}
        false as is_listed_before,
        false as has_hint_before,
        cast(null as {{ dbt.type_string() }}) as composition_hint_before,
        false as is_known_before
        {% endif %}
    from grouped
    {% if is_incremental() %}
    left join listed_before
        on listed_before.name_kind = grouped.name_kind
        and listed_before.spelling_normalized = grouped.spelling_normalized
    {% endif %}
),

new_spellings as (
    select name_kind, spelling_normalized from spelling_flags where not is_listed_before
),

spellings_to_match as (
    select name_kind, spelling_normalized, is_known_before from spelling_flags where not has_hint_before
),

nearest as (
    select
        spellings_to_match.name_kind,
        spellings_to_match.spelling_normalized,
        known_names.entity_id,
        known_names.known_name,
        known_names.valid_from,
        known_names.valid_to,
        {{ string_similarity('spellings_to_match.spelling_normalized', 'known_names.name_normalized') }} as similarity
    from spellings_to_match
    inner join known_names
        on known_names.name_kind = spellings_to_match.name_kind
        and substr(known_names.name_normalized, 1, 1) = substr(spellings_to_match.spelling_normalized, 1, 1)
        -- (The names a known name used outside its dates equals: the only ones of similarity 1.)
        and (not spellings_to_match.is_known_before
            or known_names.name_normalized = spellings_to_match.spelling_normalized)
),

-- The country words an unresolved actor spelling holds, as whole words ("chadian" in "chadian border guards").
country_words as (
    select
        new_spellings.spelling_normalized,
        {{ sorted_distinct_join("forms.form || ' (' || forms.country_name || ')'", ', ') }} as country_words
    from new_spellings
    inner join (
        select form, country_name, {{ normalize_name('form') }} as form_normalized
        from {{ ref('stg_reference__country_forms') }}
    ) as forms
        on ' ' || new_spellings.spelling_normalized || ' ' like '% ' || forms.form_normalized || ' %'
    where new_spellings.name_kind = 'actor'
    group by new_spellings.spelling_normalized
),

agent_words as (
    select {{ sorted_distinct_join('agent_word', ', ') }} as agent_words
    from {{ ref('stg_reference__actor_agents') }}
),

nearest_ranked as (
    select
        *,
        row_number() over (
            partition by name_kind, spelling_normalized
            order by similarity desc, entity_id, known_name, valid_from nulls first, valid_to nulls last
        ) as similarity_rank
    from nearest
),

hints as (
    select name_kind, spelling_normalized, entity_id, known_name, valid_from, valid_to, similarity
    from nearest_ranked
    where similarity_rank = 1
    {% if is_incremental() %}
    union all
    select name_kind, spelling_normalized, entity_id, known_name, valid_from, valid_to, similarity
    from hints_before
    {% endif %}
),

final as (
    select
        grouped.name_kind,
        grouped.spelling_normalized,
        grouped.spellings,
        grouped.num_mentions,
        grouped.num_articles,
        grouped.article_ids,
        grouped.source_rows,
        hints.entity_id as nearest_entity_id,
        hints.known_name as nearest_known_name,
        hints.similarity as nearest_similarity,
        case
            when grouped.refused_candidates is not null then
                'a known name matched, but outside the countries of the text: give the row a country column, '
                || 'or add an alias, or fix the spelling'
            when hints.similarity = 1 then
                'known name, not valid on the event''s date (valid '
                || coalesce(cast(hints.valid_from as {{ dbt.type_string() }}), 'always') || ' to '
                || coalesce(cast(hints.valid_to as {{ dbt.type_string() }}), 'now')
                || '): check the date, or the alias''s valid_from/valid_to'
            else 'no known name is similar enough: add an alias, or fix the spelling'
        end as reason,
        grouped.refused_candidates,
        case
            when spelling_flags.is_listed_before then spelling_flags.composition_hint_before
            when country_words.country_words is not null then
                'country word ' || country_words.country_words || ' found; agent words the dictionary knows: '
                || agent_words.agent_words || ' (add one to seeds/reference/actor_agents.csv, or an alias)'
        end as composition_hint
    from grouped
    cross join agent_words
    left join country_words
        on grouped.name_kind = 'actor' and country_words.spelling_normalized = grouped.spelling_normalized
    left join hints
        on hints.name_kind = grouped.name_kind
        and hints.spelling_normalized = grouped.spelling_normalized
    inner join spelling_flags
        on spelling_flags.name_kind = grouped.name_kind
        and spelling_flags.spelling_normalized = grouped.spelling_normalized
)

{{ select_with_provenance('final') }}
