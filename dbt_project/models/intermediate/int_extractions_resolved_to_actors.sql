-- Each mention's actor spellings (actor1, actor2) resolved to one actor each, on the event's date:
-- an alias valid only before or after a date (Syrian government forces until and after 8 December 2024)
-- resolves to the actor of the event's period. A fuzzy match to an actor of a country the mention's
-- article is not about (int_articles_located_in_countries) is refused: "Police Forces of Kenia" in a
-- text about Syria is not the police of Syria.
-- An agent word written alone ("gunmen", "protesters", "security forces") that resolves to nothing names
-- that kind of actor of the one country its text is about, as ACLED codes "Unidentified Armed Group
-- (Chad)": it takes the actor "<country> <agent word>" means on that date (resolution_method 'context').
-- With no country, or several, it stays unresolved; so does a known name of an actor of the text's
-- countries used outside the name's dates: "regime forces" after 8 December 2024 names Assad's forces
-- (actor_aliases.csv), not the army of the government that replaced them (report_unresolved_names gives
-- the name's dates, for the coder to decide).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_mentions_rebuilt() }}"
) }}
-- depends_on: {{ ref('stg_build_state__articles_to_rebuild') }}
-- depends_on: {{ ref('stg_build_state__mentions_to_rebuild') }}

with

extractions as (
    select * from {{ ref('stg_coding__extractions') }}
    {% if is_incremental() %}
    where {{ is_rebuilt_in_this_build() }}
    {% endif %}
),

article_contexts as (
    select * from {{ ref('int_articles_located_in_countries') }}
),

actor_names as (
    select * from {{ ref('int_actor_names_normalized') }}
),

extractions_in_context as (
    select
        extractions.*,
        coalesce(extractions.coded_country_iso2, article_contexts.article_countries, '') as context_countries
    from extractions
    left join article_contexts on article_contexts.article_id = extractions.article_id
),

spellings as (
    select
        mention_id || ':1' as spelling_id,
        actor1_text as spelling_text,
        event_date as spelling_date,
        context_countries as spelling_context,
        cast(null as double) as spelling_latitude,
        cast(null as double) as spelling_longitude
    from extractions_in_context
    union all
    select mention_id || ':2', actor2_text, event_date, context_countries, cast(null as double), cast(null as double)
    from extractions_in_context
    where actor2_text is not null
),

resolved as (
    {{ resolve_actor_spellings('spellings', 'actor_names') }}
),

agent_words as (
    select distinct {{ normalize_name('agent_word') }} as word_normalized, lower(agent_word) as word_lower
    from {{ ref('stg_reference__actor_agents') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

-- The unresolved agent words of a one-country text, with the actor their composition with the country's
-- name means on the event's date; not those that are a name of an actor of that country (or of none) on
-- other dates.
in_context as (
    select
        resolved.spelling_id,
        min(actor_names.actor_id) as actor_id,
        count(distinct actor_names.actor_id) as actor_count
    from resolved
    inner join spellings on spellings.spelling_id = resolved.spelling_id
    inner join agent_words on agent_words.word_normalized = resolved.spelling_normalized
    inner join countries on countries.country_iso2 = spellings.spelling_context
    inner join actor_names
        on actor_names.name_lower = lower(countries.country_name) || ' ' || agent_words.word_lower
        and actor_names.source_rank = 2
        and (actor_names.valid_from is null or spellings.spelling_date >= actor_names.valid_from)
        and (actor_names.valid_to is null or spellings.spelling_date <= actor_names.valid_to)
    where resolved.entity_id is null
        and not exists (
            select 1 from actor_names as known
            where known.name_normalized = resolved.spelling_normalized
                and (known.country_iso2 is null or known.country_iso2 = spellings.spelling_context)
        )
    group by resolved.spelling_id
),

final as (
    select
        split_part(resolved.spelling_id, ':', 1) as mention_id,
        extractions.article_id,
        cast(split_part(resolved.spelling_id, ':', 2) as integer) as actor_role,
        resolved.spelling_text as actor_text,
        resolved.spelling_normalized as actor_normalized,
        coalesce(resolved.entity_id, in_context.actor_id, 'unresolved:' || resolved.spelling_normalized) as actor_id,
        coalesce(resolved.entity_id, in_context.actor_id) is not null as is_resolved,
        case when in_context.actor_id is not null then 'context' else resolved.resolution_method end
            as resolution_method,
        case when in_context.actor_id is not null then 1.0 else resolved.resolution_score end as resolution_score,
        resolved.matched_name_count,
        resolved.runner_up_entity_id as runner_up_actor_id,
        resolved.runner_up_score,
        resolved.refused_candidates
    from resolved
    inner join extractions on extractions.mention_id = split_part(resolved.spelling_id, ':', 1)
    left join in_context on in_context.spelling_id = resolved.spelling_id and in_context.actor_count = 1
)

select * from final
