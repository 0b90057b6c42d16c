-- Each mention with its resolved actors and place, its CAMEO attributes and its article's date.
-- Incremental runs delete and join again the mentions this build rebuilds (of the articles it rebuilds whole,
-- and those changed in place), reading only their rows on every side of the joins (DuckDB otherwise builds its hash tables from whole
-- tables of ten million rows to join a day's hundred thousand).
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

places as (
    select * from {{ ref('int_places_unioned') }}
),

articles as (
    select * from {{ ref('stg_coding__articles') }}
    {% if is_incremental() %}
    where article_id in ({{ articles_touched_in_this_build() }})
    {% endif %}
),

actors_resolved as (
    select * from {{ ref('int_extractions_resolved_to_actors') }}
    {% if is_incremental() %}
    where {{ is_rebuilt_in_this_build() }}
    {% endif %}
),

places_resolved as (
    select * from {{ ref('int_extractions_resolved_to_places') }}
    {% if is_incremental() %}
    where {{ is_rebuilt_in_this_build() }}
    {% endif %}
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
        actor1.runner_up_actor_id as actor1_runner_up_id,
        actor1.runner_up_score as actor1_runner_up_score,
        extractions.actor2_text,
        actor2.actor_id as actor2_id,
        actor2.resolution_method as actor2_resolution_method,
        actor2.resolution_score as actor2_resolution_score,
        actor2.runner_up_actor_id as actor2_runner_up_id,
        actor2.runner_up_score as actor2_runner_up_score,
        extractions.location_text,
        places_resolved.place_id,
        places_resolved.resolution_method as place_resolution_method,
        places_resolved.resolution_score as place_resolution_score,
        places_resolved.runner_up_place_id as place_runner_up_id,
        places_resolved.runner_up_score as place_runner_up_score,
        nullif(places_resolved.place_context_countries, '') as place_context_countries,
        case when places_resolved.place_context_countries <> '' and places.country_iso2 is not null then
            {{ list_contains_text('places_resolved.place_context_countries', 'places.country_iso2') }}
        end as is_place_in_context_countries,
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
        extractions.quote_as_coded,
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
    left join places on places.place_id = places_resolved.place_id
)

select * from final
