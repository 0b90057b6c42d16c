-- Each mention's actor spellings (actor1, actor2) resolved to one actor each, on the event's date:
-- an alias valid only before or after a date (Syrian government forces before and after
-- 8 December 2024) resolves to the actor of the event's period.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with

extractions as (
    select * from {{ ref('stg_coding__extractions') }}
    {% if is_incremental() %}
    -- Incremental runs resolve only the mentions not resolved yet (see int_mentions_grouped_into_events).
    where mention_id not in (select mention_id from {{ this }})
    {% endif %}
),

actor_names as (
    select * from {{ ref('int_actor_names_normalized') }}
),

spellings as (
    select mention_id || ':1' as spelling_id, actor1_text as spelling_text, event_date as spelling_date
    from extractions
    union all
    select mention_id || ':2', actor2_text, event_date
    from extractions
    where actor2_text is not null
),

candidates as (
    select
        actor_id as entity_id,
        name_lower,
        name_normalized,
        source_rank,
        0 as weight,
        valid_from,
        valid_to
    from actor_names
),

resolved as (
    {{ resolve_by_stages('spellings', 'candidates', var('actor_fuzzy_threshold')) }}
),

final as (
    select
        split_part(spelling_id, ':', 1) as mention_id,
        cast(split_part(spelling_id, ':', 2) as integer) as actor_role,
        spelling_text as actor_text,
        spelling_normalized as actor_normalized,
        coalesce(entity_id, 'unresolved:' || spelling_normalized) as actor_id,
        entity_id is not null as is_resolved,
        resolution_method,
        resolution_score,
        matched_name_count
    from resolved
)

select * from final
