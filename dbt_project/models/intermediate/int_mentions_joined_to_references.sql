-- Each mention with its resolved actors and place, its CAMEO attributes and its article's date.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with

extractions as (
    select * from {{ ref('stg_coding__extractions') }}
    {% if is_incremental() %}
    -- Incremental runs join only the mentions this build resolved (see int_mentions_grouped_into_events).
    where mention_id in (
        select mention_id from {{ ref('int_extractions_resolved_to_places') }} where batch_id = '{{ invocation_id }}'
    )
    {% endif %}
),

articles as (
    select * from {{ ref('stg_coding__articles') }}
),

actors_resolved as (
    select * from {{ ref('int_extractions_resolved_to_actors') }}
),

places_resolved as (
    select * from {{ ref('int_extractions_resolved_to_places') }}
),

cameo_codes as (
    select * from {{ ref('stg_reference__cameo_codes') }}
),

final as (
    select
        extractions.mention_id,
        extractions.article_id,
        articles.published_date as article_published_date,
        extractions.event_date,
        extractions.time_precision,
        extractions.actor1_text,
        actor1.actor_id as actor1_id,
        actor1.resolution_method as actor1_resolution_method,
        actor1.resolution_score as actor1_resolution_score,
        extractions.actor2_text,
        actor2.actor_id as actor2_id,
        actor2.resolution_method as actor2_resolution_method,
        actor2.resolution_score as actor2_resolution_score,
        extractions.location_text,
        places_resolved.place_id,
        places_resolved.resolution_method as place_resolution_method,
        places_resolved.resolution_score as place_resolution_score,
        extractions.geo_precision,
        extractions.cameo_code,
        cameo_codes.cameo_root_code,
        cameo_codes.quad_class,
        cameo_codes.goldstein_scale,
        extractions.acled_sub_event_type,
        extractions.fatalities,
        extractions.quote,
        extractions.quote_start,
        extractions.quote_end,
        extractions.quote_start >= articles.body_start
            and extractions.quote_end <= articles.body_end as is_quote_in_body,
        extractions.coder,
        extractions.confidence,
        extractions.notes,
        extractions.source_file,
        extractions.row_number,
        '{{ invocation_id }}' as batch_id
    from extractions
    inner join articles on articles.article_id = extractions.article_id
    inner join cameo_codes on cameo_codes.cameo_code = extractions.cameo_code
    inner join actors_resolved as actor1
        on actor1.mention_id = extractions.mention_id and actor1.actor_role = 1
    left join actors_resolved as actor2
        on actor2.mention_id = extractions.mention_id and actor2.actor_role = 2
    inner join places_resolved on places_resolved.mention_id = extractions.mention_id
)

select * from final
