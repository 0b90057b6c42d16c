-- Each mention's location spelling resolved to one place (see the resolve_by_stages macro).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with

extractions as (
    select * from {{ ref('stg_coding__extractions') }}
    {% if is_incremental() %}
    -- Incremental runs resolve only the mentions not resolved yet (see int_mentions_grouped_into_events).
    where mention_id not in (select mention_id from {{ this }})
    {% endif %}
),

place_names as (
    select * from {{ ref('int_place_names_normalized') }}
),

spellings as (
    select
        mention_id as spelling_id,
        location_text as spelling_text,
        cast(null as date) as spelling_date  -- place names have no validity dates: one resolution per spelling
    from extractions
),

candidates as (
    select
        place_id as entity_id,
        name_lower,
        name_normalized,
        source_rank,
        population as weight,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to
    from place_names
),

resolved as (
    {{ resolve_by_stages('spellings', 'candidates', var('place_fuzzy_threshold')) }}
),

final as (
    select
        spelling_id as mention_id,
        spelling_text as location_text,
        spelling_normalized as location_normalized,
        coalesce(entity_id, 'unresolved:' || spelling_normalized) as place_id,
        entity_id is not null as is_resolved,
        resolution_method,
        resolution_score,
        matched_name_count,
        -- Which build resolved the mention: the models downstream take this build's new mentions by it.
        '{{ invocation_id }}' as batch_id
    from resolved
)

select * from final
