-- Every coded event counts the mentions fact_event_mentions holds for it: as many mentions, as many
-- distinct articles, and never more articles than mentions. Fails with the events whose counts differ.
-- (An imported event counts its source's reports, which are not coded mentions.) An incremental build
-- (test_scope batch) checks the events it wrote: an event a mention left or joined is rebuilt with it.
with

events as (
    select event_id, num_mentions, num_articles from {{ ref('fact_events') }}
    where source_system = 'coded'
    {% if var('test_scope', 'all') == 'batch' %}
        and run_id in (select run_id from {{ source('build_state', 'current_build') }})
    {% endif %}
),

mentions_counted as (
    select event_id, count(*) as mention_rows, count(distinct article_id) as article_rows
    from {{ ref('fact_event_mentions') }}
    {% if var('test_scope', 'all') == 'batch' %}
    where event_id in (select event_id from events)
    {% endif %}
    group by event_id
),

final as (
    select events.*, mentions_counted.mention_rows, mentions_counted.article_rows
    from events
    left join mentions_counted on mentions_counted.event_id = events.event_id
    where events.num_mentions is distinct from mentions_counted.mention_rows
        or events.num_articles is distinct from mentions_counted.article_rows
        or events.num_articles > events.num_mentions
)

select * from final
