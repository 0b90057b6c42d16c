-- Every coded event counts the mentions fact_event_mentions holds for it: as many mentions, as many
-- distinct articles, and never more articles than mentions. Fails with the events whose counts differ.
-- (An imported event counts its source's reports, which are not coded mentions.)
with

events as (
    select event_id, num_mentions, num_articles from {{ ref('fact_events') }}
    where source_system = 'coded'
),

mentions_counted as (
    select event_id, count(*) as mention_rows, count(distinct article_id) as article_rows
    from {{ ref('fact_event_mentions') }}
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
