-- The deduplication rule: mentions are one real-world event when they share
--   * the date, at the coarser of the mentions' time precisions: the day (1), the ISO week (2),
--     the month (3) or the year (4) it falls in, each mention's precision being part of the key;
--   * the pair of resolved actors, in either order (ACLED: actor order does not say who acted);
--   * the CAMEO root code (19 "Fight" and 18 "Assault" are different events);
--   * the resolved place.
-- event_id is a hash of that key, so it stays the same across runs and when other events are added.
with

mentions as (
    select * from {{ ref('int_mentions_joined_to_references') }}
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
        least(actor1_id, coalesce(actor2_id, '')) as actor_pair_first,
        greatest(actor1_id, coalesce(actor2_id, '')) as actor_pair_second
    from mentions
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
