-- The deduplication rule. Mentions report one real-world event when they share
--   * the pair of resolved actors, each taken at the top of its parent chain (the Deir el-Zor Military
--     Council counts as the SDF, the Syrian military as the Syrian government of the day), in either
--     order (ACLED: actor order does not say who acted);
--   * the CAMEO root code (19 "Fight" and 18 "Assault" are different events);
--   * the resolved place;
--   * and a date "the same within the stated time precision": each mention covers its date plus or minus
--     a window (day 0, week 3 days, month 15 days), and mentions whose windows overlap, directly or
--     through other mentions, are one event. Year-precision mentions (dated background, an eventdw
--     extension) are only matched with each other, within the same year: "in 2017" must not swallow
--     every dated 2017 event.
-- event_id is a hash of the event's key and anchor: the date and precision of its most precise mention
-- (the earliest, when several are as precise). It is the same across runs, and adding articles about
-- other events never changes it.
--
-- Incremental runs regroup only what new mentions touch. An event is a chain of overlapping windows, so
-- a new mention can only join (or bridge) events of its key whose span [first window start, last window
-- end] overlaps its own window. Those events' mentions and the new mentions are regrouped by the same
-- rule and replace their rows (delete+insert on mention_id); every other event is untouched, and is what
-- a full rebuild would give, because it overlaps nothing that changed. Of the regrouped mentions built
-- before, only those whose event changed id are rewritten. batch_id says which run last wrote a mention,
-- so the marts downstream rebuild only the events with a mention in this run's batch, and
-- previous_event_id the event a rewritten mention was in before (null if new), so they can delete the
-- events that a new mention merged into another or re-anchored.
{%- set grouped_columns = [
    'mention_id',
    'article_id',
    'article_published_date',
    'event_date',
    'time_precision',
    'actor1_text',
    'actor1_id',
    'actor1_resolution_method',
    'actor1_resolution_score',
    'actor2_text',
    'actor2_id',
    'actor2_resolution_method',
    'actor2_resolution_score',
    'location_text',
    'place_id',
    'place_resolution_method',
    'place_resolution_score',
    'geo_precision',
    'cameo_code',
    'cameo_root_code',
    'quad_class',
    'goldstein_scale',
    'acled_sub_event_type',
    'fatalities',
    'quote',
    'quote_start',
    'quote_end',
    'is_quote_in_body',
    'coder',
    'confidence',
    'notes',
    'source_file',
    'row_number',
    'actor_pair_first',
    'actor_pair_second',
    'year_class',
    'window_days',
    'window_start',
    'window_end',
    'root_actor1_id',
    'root_actor2_id',
] -%}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='mention_id',
    on_schema_change='fail'
) }}

with

all_mentions as (
    select * from {{ ref('int_mentions_joined_to_references') }}
),

root_actors as (
    select * from {{ ref('int_actors_joined_to_root_actors') }}
),

mentions_joined_to_root_actors as (
    select
        all_mentions.*,
        coalesce(root_actor1.root_actor_id, all_mentions.actor1_id) as root_actor1_id,
        coalesce(root_actor2.root_actor_id, all_mentions.actor2_id) as root_actor2_id
    from all_mentions
    left join root_actors as root_actor1 on root_actor1.actor_id = all_mentions.actor1_id
    left join root_actors as root_actor2 on root_actor2.actor_id = all_mentions.actor2_id
    {% if is_incremental() %}
    where all_mentions.batch_id = '{{ invocation_id }}'
    {% endif %}
),

windowed as (
    select
        *,
        least(root_actor1_id, coalesce(root_actor2_id, '')) as actor_pair_first,
        greatest(root_actor1_id, coalesce(root_actor2_id, '')) as actor_pair_second,
        case when time_precision = 4 then extract(year from event_date) else 0 end as year_class,
        case time_precision when 1 then 0 when 2 then 3 when 3 then 15 else 0 end as window_days
    from mentions_joined_to_root_actors
),

new_windows as (
    select
        *,
        {{ add_days('event_date', '-window_days') }} as window_start,
        {{ add_days('event_date', 'window_days') }} as window_end
    from windowed
),

{% if is_incremental() %}
-- The spans of the existing events of the new mentions' keys only (not of every event).
grouped_events as (
    select
        grouped.event_id,
        grouped.actor_pair_first,
        grouped.actor_pair_second,
        grouped.cameo_root_code,
        grouped.place_id,
        grouped.year_class,
        min(grouped.window_start) as span_start,
        max(grouped.window_end) as span_end
    from {{ this }} as grouped
    where exists (
        select 1
        from new_windows
        where new_windows.actor_pair_first = grouped.actor_pair_first
            and new_windows.actor_pair_second = grouped.actor_pair_second
            and new_windows.cameo_root_code = grouped.cameo_root_code
            and new_windows.place_id = grouped.place_id
            and new_windows.year_class = grouped.year_class
    )
    group by 1, 2, 3, 4, 5, 6
),

touched_events as (
    select distinct grouped_events.event_id
    from grouped_events
    inner join new_windows
        on new_windows.actor_pair_first = grouped_events.actor_pair_first
        and new_windows.actor_pair_second = grouped_events.actor_pair_second
        and new_windows.cameo_root_code = grouped_events.cameo_root_code
        and new_windows.place_id = grouped_events.place_id
        and new_windows.year_class = grouped_events.year_class
        and new_windows.window_start <= grouped_events.span_end
        and new_windows.window_end >= grouped_events.span_start
),

windows as (
    select {{ grouped_columns | join(', ') }}, event_id as previous_event_id
    from {{ this }}
    where event_id in (select event_id from touched_events)
    union all
    select {{ grouped_columns | join(', ') }}, cast(null as varchar) as previous_event_id
    from new_windows
),
{% else %}
windows as (
    select *, cast(null as varchar) as previous_event_id from new_windows
),
{% endif %}

windows_with_previous_end as (
    select
        *,
        max(window_end) over (
            partition by actor_pair_first, actor_pair_second, cameo_root_code, place_id, year_class
            order by window_start, mention_id
            rows between unbounded preceding and 1 preceding
        ) as previous_window_end
    from windows
),

islands as (
    select
        *,
        sum(case when previous_window_end is null or window_start > previous_window_end then 1 else 0 end) over (
            partition by actor_pair_first, actor_pair_second, cameo_root_code, place_id, year_class
            order by window_start, mention_id
            rows between unbounded preceding and current row
        ) as island_number
    from windows_with_previous_end
),

anchored as (
    select
        *,
        first_value(event_date) over (
            partition by actor_pair_first, actor_pair_second, cameo_root_code, place_id, year_class, island_number
            order by time_precision, event_date, mention_id
        ) as anchor_date,
        min(time_precision) over (
            partition by actor_pair_first, actor_pair_second, cameo_root_code, place_id, year_class, island_number
        ) as anchor_precision
    from islands
),

final as (
    select
        {{ hash_key(
            ['anchor_precision', 'anchor_date', 'actor_pair_first', 'actor_pair_second', 'cameo_root_code', 'place_id'],
            prefix='EV'
        ) }} as event_id,
        {{ grouped_columns | join(',\n        ') }},
        previous_event_id,
        '{{ invocation_id }}' as batch_id
    from anchored
)

select * from final
{% if is_incremental() %}
-- A mention built before whose event kept its id is left as it is: only the new mentions, and those whose
-- event changed id (merged, or re-anchored on a more precise report), are written.
where previous_event_id is null or previous_event_id <> event_id
{% endif %}
