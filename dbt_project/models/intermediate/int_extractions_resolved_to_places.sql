-- Each mention's location spelling resolved to one place in its article's context (see the
-- resolve_by_stages macro): the countries the row names (its `country` column) or else the countries
-- its article is about (int_articles_located_in_countries), and the centre of the article's places.
-- A normalised or fuzzy match outside those countries is refused: the name stays unresolved, with the
-- refused candidates in refused_candidates. An exact name is taken wherever it lies.
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

place_names as (
    select * from {{ ref('int_place_names_normalized') }}
),

spellings as (
    select
        extractions.mention_id as spelling_id,
        extractions.location_text as spelling_text,
        cast(null as date) as spelling_date,  -- place names have no validity dates
        coalesce(extractions.coded_country_iso2, article_contexts.article_countries, '') as spelling_context,
        article_contexts.centre_latitude as spelling_latitude,
        article_contexts.centre_longitude as spelling_longitude
    from extractions
    left join article_contexts on article_contexts.article_id = extractions.article_id
),

candidates as (
    select
        place_id as entity_id,
        place_name_variant as candidate_name,
        name_lower,
        name_normalized,
        source_rank,
        population as weight,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        country_iso2,
        latitude,
        longitude
    from place_names
),

resolved as (
    {{ resolve_by_stages('spellings', 'candidates', var('place_fuzzy_threshold'), ['normalized', 'fuzzy']) }}
),

final as (
    select
        resolved.spelling_id as mention_id,
        extractions.article_id,
        resolved.spelling_text as location_text,
        resolved.spelling_normalized as location_normalized,
        coalesce(resolved.entity_id, 'unresolved:' || resolved.spelling_normalized) as place_id,
        resolved.entity_id is not null as is_resolved,
        resolved.resolution_method,
        resolved.resolution_score,
        resolved.matched_name_count,
        resolved.runner_up_entity_id as runner_up_place_id,
        resolved.runner_up_score,
        resolved.refused_candidates,
        spellings.spelling_context as place_context_countries,
        -- Which build resolved the mention: the models downstream take this build's mentions by it.
        '{{ invocation_id }}' as batch_id
    from resolved
    inner join extractions on extractions.mention_id = resolved.spelling_id
    inner join spellings on spellings.spelling_id = resolved.spelling_id
)

select * from final
