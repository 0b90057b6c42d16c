-- Incremental runs delete the articles this build rebuilds whole (removed ones included), then write them
-- and the articles with a mention that changed event in this run (their count of events may have changed):
-- a mention changed in place and left in its event changes nothing here.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='article_id',
    on_schema_change='fail',
    post_hook="{{ stored_by_date('published_date', 'article_id') }}",
    pre_hook="{{ delete_articles_rebuilt() }}"
) }}
-- depends_on: {{ ref('stg_build_state__articles_to_rebuild') }}

with

articles as (
    select * from {{ ref('stg_coding__articles') }}
    {% if is_incremental() %}
    where article_id in ({{ articles_rebuilt_in_this_build() }})
        or article_id in (
            select article_id from {{ ref('int_mentions_grouped_into_events') }}
            where batch_id = '{{ invocation_id }}' and previous_event_id is distinct from event_id
        )
    {% endif %}
),

article_contexts as (
    select * from {{ ref('int_articles_located_in_countries') }}
),

mentions as (
    select * from {{ ref('int_mentions_grouped_into_events') }}
    {% if is_incremental() %}
    where article_id in (select article_id from articles)
    {% endif %}
),

mention_counts as (
    select
        article_id,
        count(*) as num_mentions,
        count(distinct event_id) as num_events
    from mentions
    group by article_id
),

final as (
    select
        articles.article_id,
        articles.title,
        articles.published_date,
        articles.published_date_source,
        articles.character_count,
        articles.body_start,
        articles.body_end,
        articles.dateline,
        articles.publisher,
        nullif(article_contexts.article_countries, '') as article_countries,
        article_contexts.article_country_sources,
        coalesce(mention_counts.num_mentions, 0) as num_mentions,
        coalesce(mention_counts.num_events, 0) as num_events,
        articles.source_file,
        articles.file_sha256,
        articles.raw_text
    from articles
    left join mention_counts on mention_counts.article_id = articles.article_id
    left join article_contexts on article_contexts.article_id = articles.article_id
)

{{ select_with_provenance('final') }}
