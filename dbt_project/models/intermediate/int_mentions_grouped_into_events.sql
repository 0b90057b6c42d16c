-- The deduplication rule: mentions are one real-world event when they share
--   * the date, at the coarser of the mentions' time precisions: the day (1), the ISO week (2),
--     the month (3) or the year (4) it falls in, each mention's precision being part of the key;
--   * the pair of resolved actors, each taken at the top of its parent chain (the Deir el-Zor Military
--     Council counts as the SDF, Syrian military as the Syrian government of the day), in either order
--     (ACLED: actor order does not say who acted);
--   * the CAMEO root code (19 "Fight" and 18 "Assault" are different events);
--   * the resolved place.
-- event_id is a hash of that key, so it stays the same across runs and when other events are added.
with

mentions as (
    select * from {{ ref('int_mentions_joined_to_references') }}
),

root_actors as (
    select * from {{ ref('int_actors_joined_to_root_actors') }}
),

mentions_joined_to_root_actors as (
    select
        mentions.*,
        coalesce(root_actor1.root_actor_id, mentions.actor1_id) as root_actor1_id,
        coalesce(root_actor2.root_actor_id, mentions.actor2_id) as root_actor2_id
    from mentions
    left join root_actors as root_actor1 on root_actor1.actor_id = mentions.actor1_id
    left join root_actors as root_actor2 on root_actor2.actor_id = mentions.actor2_id
),

keyed as (
    select
        *,
        case time_precision
            when 1 then event_date
            when 2 then cast(date_trunc('week', event_date) as date)
            when 3 then cast(date_trunc('month', event_date) as date)
            else cast(date_trunc('year', event_date) as date)
        end as event_period_start,
        least(root_actor1_id, coalesce(root_actor2_id, '')) as actor_pair_first,
        greatest(root_actor1_id, coalesce(root_actor2_id, '')) as actor_pair_second
    from mentions_joined_to_root_actors
),

final as (
    select
        {{ hash_key(
            ['time_precision', 'event_period_start', 'actor_pair_first', 'actor_pair_second',
             'cameo_root_code', 'place_id'],
            prefix='EV'
        ) }} as event_id,
        *
    from keyed
)

select * from final
