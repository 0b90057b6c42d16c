-- The deduplication rule (ACLED: "events with the same actors, day and place are merged into one event").
-- Mentions report one real-world event when they share a key:
--   * the pair of resolved actors, each taken at the top of its parent chain (the Deir el-Zor Military
--     Council counts as the SDF, the Syrian military as the Syrian government of the day), in either
--     order (ACLED: actor order does not say who acted);
--   * the CAMEO root code (19 "Fight" and 18 "Assault" are different events);
--   * the resolved place;
-- and an anchor, a date and a precision:
--   * a day-precision mention is anchored on its day: the day reports of one key and day are one event,
--     and two days are two events, whatever reports of lower precision lie between them;
--   * a week-precision mention (its date +-3 days) joins the nearest day of its key within its window
--     (the earlier of two as near); with none, it is anchored on its own date, as a week event;
--   * a month-precision mention (+-15 days) joins the nearest day or week event of its key within its
--     window (the nearer, then the more precise, then the earlier); with none, it is a month event;
--   * a year-precision mention (dated background, an eventdw extension) is anchored on its own date and
--     matched only with others of its year: "in 2017" must not swallow every dated 2017 event.
-- A report of lower precision never joins two events. (Merging every chain of overlapping windows, as
-- eventdw first did, strings the daily fighting of one pair at one place into one "event" years long.)
-- event_id is a hash of the key and the anchor: the same across runs, and adding articles about other
-- events never changes it.
--
-- This model holds only the rule's columns, one narrow row per mention; int_mentions_grouped_into_events
-- joins them to the mentions' other columns. (In one statement, at L the rule's intermediate results and
-- the sort of ten million wide rows by event did not fit together under the memory cap.)
--
-- Incremental runs regroup only what the mentions this build rebuilds touch (eventdw.state: those of an
-- article whose file, or one of whose coded rows, was added, removed or changed other than in place, and the
-- rows changed in place). Those mentions as built before are taken out and as they are now put in, so an
-- edit is a removal and an addition. A mention added or removed can change the anchor of another mention of its key only within
-- 18 days of its date: a day takes (or gives back) the week reports within 3 days, and with them the
-- month reports attached to their week events, up to 3 + 15 days away. Those mentions are regrouped
-- with the rebuilt ones by the same rule, over every mention of the key within 36 days (the anchors their
-- choice depends on). A rebuilt mention whose rule columns (key, date, precision) are those it was built
-- with (an edit of its deaths, its notes or its actor's spelling) moves nothing: it is regrouped only if
-- a mention that did move lies within 18 days of it, and otherwise keeps its event. Written
-- (delete+insert on mention_id): the rebuilt mentions, the other
-- mentions whose event changed id, and, for a mention removed, a row with no event_id. batch_id says
-- which run last wrote a mention, and previous_event_id the event it was in before (null if new), so the
-- models downstream delete the removed mentions and rebuild the events they and the rewritten ones were
-- and are in (macros in incremental_batches.sql), deleting an event left with none.
-- depends_on: {{ ref('stg_build_state__articles_to_rebuild') }}
-- depends_on: {{ ref('stg_build_state__mentions_to_rebuild') }}
{%- set key_columns = ['actor_pair_first', 'actor_pair_second', 'cameo_root_code', 'place_id', 'year_class'] -%}
{#- A mention's columns the rule reads, in the order every select below (and the table) lists them. -#}
{%- set rule_columns = ['mention_id', 'article_id'] + key_columns
    + ['root_actor1_id', 'root_actor2_id', 'event_date', 'time_precision'] -%}
{%- set week_days, month_days = 3, 15 -%}
{%- set touched_days = week_days + month_days -%}
{%- set context_days = 2 * touched_days -%}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='mention_id',
    on_schema_change='fail'
) }}

with

all_mentions as (
    select * from {{ ref('int_mentions_joined_to_references') }}
    {% if is_incremental() %}
    where batch_id = '{{ invocation_id }}'
    {% endif %}
),

root_actors as (
    select * from {{ ref('int_actors_joined_to_root_actors') }}
),

mentions_joined_to_root_actors as (
    select
        all_mentions.mention_id,
        all_mentions.article_id,
        all_mentions.event_date,
        all_mentions.time_precision,
        all_mentions.cameo_root_code,
        all_mentions.place_id,
        coalesce(root_actor1.root_actor_id, all_mentions.actor1_id) as root_actor1_id,
        coalesce(root_actor2.root_actor_id, all_mentions.actor2_id) as root_actor2_id
    from all_mentions
    left join root_actors as root_actor1 on root_actor1.actor_id = all_mentions.actor1_id
    left join root_actors as root_actor2 on root_actor2.actor_id = all_mentions.actor2_id
),

new_mentions as (
    select
        *,
        least(root_actor1_id, coalesce(root_actor2_id, '')) as actor_pair_first,
        greatest(root_actor1_id, coalesce(root_actor2_id, '')) as actor_pair_second,
        case when time_precision = 4 then extract(year from event_date) else 0 end as year_class
    from mentions_joined_to_root_actors
),

{% if is_incremental() %}
-- The mentions built before that this build rebuilds (of the articles it rebuilds whole, and those changed in
-- place): replaced by their rebuilt versions, or removed. (A row with no event_id is a mention removed by an
-- earlier build.)
replaced_mentions as (
    select * from {{ this }}
    where event_id is not null and {{ is_rebuilt_in_this_build() }}
),

-- The rebuilt mentions, each with what it was before (none if new), and whether its rule columns are
-- those it was built with: then it moves no anchor of its key.
rebuilt_mentions as (
    select
        new_mentions.*,
        replaced_mentions.event_id as previous_event_id,
        replaced_mentions.anchor_date as previous_anchor_date,
        replaced_mentions.anchor_precision as previous_anchor_precision,
        coalesce(
            {% for column in key_columns + ['event_date', 'time_precision'] -%}
            new_mentions.{{ column }} = replaced_mentions.{{ column }}{% if not loop.last %} and {% endif %}
            {%- endfor %},
            false
        ) as is_unmoved
    from new_mentions
    left join replaced_mentions on replaced_mentions.mention_id = new_mentions.mention_id
),

-- The keys and dates of the mentions that moved: rebuilt with other rule columns, added, or removed.
near_dates as (
    select {{ key_columns | join(', ') }}, event_date from rebuilt_mentions where not is_unmoved
    union
    select {{ key_columns | join(', ') }}, event_date from replaced_mentions
    where mention_id not in (select mention_id from rebuilt_mentions where is_unmoved)
),

-- The days within 18 days of a moved mention's date (touched), and within 36 (context), as
-- ranges of days of each key: a key's dates in order, a new range where a date lies more than twice the
-- distance (and a day) after the one before, so that the ranges of one key are disjoint and cover exactly
-- the days within the distance of one of its dates. (A row per key, date and day of the window, as before,
-- was 73 rows per date: an edit of 1% of the coded rows at L, spread over every key, ran out of memory.)
{% for name, days in [('touched_ranges', touched_days), ('context_ranges', context_days)] %}
{{ name }} as (
    select
        {{ key_columns | join(', ') }},
        {{ add_days('min(event_date)', -days) }} as first_date,
        {{ add_days('max(event_date)', days) }} as last_date
    from (
        select
            *,
            sum(case when is_range_start then 1 else 0 end) over (
                partition by {{ key_columns | join(', ') }}
                order by event_date
                rows between unbounded preceding and current row
            ) as range_number
        from (
            select
                *,
                coalesce({{ dbt.datediff(
                    'lag(event_date) over (partition by ' ~ key_columns | join(', ') ~ ' order by event_date)',
                    'event_date',
                    'day'
                ) }} > {{ 2 * days + 1 }}, true) as is_range_start
            from near_dates
        ) as dates_after_their_previous
    ) as dates_in_ranges
    group by {{ key_columns | join(', ') }}, range_number
),
{% endfor %}
{% endif %}

{% if is_incremental() %}
-- The mentions that did not move, with the event each is in: those not rebuilt as built before, and the
-- rebuilt ones whose rule columns are unchanged, as they are now.
unmoved_mentions as (
    select
        {{ rule_columns | join(', ') }},
        event_id as previous_event_id,
        false as is_rebuilt
    from {{ this }}
    where event_id is not null
        and {{ is_rebuilt_in_this_build(negate=true) }}
    union all
    select
        {{ rule_columns | join(', ') }},
        previous_event_id,
        true as is_rebuilt
    from rebuilt_mentions
    where is_unmoved
),
{% endif %}

-- The mentions that moved (on a full refresh, every mention) and (incremental runs) the mentions that did
-- not which they can move (touched), and every mention their choice depends on, with the event each was in.
mention_keys as (
    select
        {{ rule_columns | join(', ') }},
        {% if is_incremental() %}previous_event_id{% else %}cast(null as {{ dbt.type_string() }}){% endif %}
            as previous_event_id,
        true as is_touched,
        true as is_rebuilt
    {% if is_incremental() %}
    from rebuilt_mentions
    where not is_unmoved
    union all
    select
        {% for column in rule_columns %}unmoved.{{ column }}, {% endfor %}
        unmoved.previous_event_id,
        touched_ranges.first_date is not null as is_touched,
        unmoved.is_rebuilt
    from unmoved_mentions as unmoved
    inner join context_ranges
        on {{ columns_equal(key_columns, 'context_ranges', 'unmoved') }}
        and unmoved.event_date between context_ranges.first_date and context_ranges.last_date
    left join touched_ranges
        on {{ columns_equal(key_columns, 'touched_ranges', 'unmoved') }}
        and unmoved.event_date between touched_ranges.first_date and touched_ranges.last_date
    {% else %}
    from new_mentions
    {% endif %}
),

day_events as (
    select distinct {{ key_columns | join(', ') }}, event_date as anchor_date, 1 as anchor_precision
    from mention_keys
    where time_precision = 1
),

-- The dates each week or month mention may take its anchor from: its date moved by each offset of its
-- window. They are computed before the join, whose condition is then equality on the key and the date.
-- (With the offsets joined in the same step, DuckDB joined each mention to every day event of its key
-- first and filtered the dates after: at L, over ten minutes instead of seconds.)
{% for name, precision, days in [('week_candidates', 2, week_days), ('month_candidates', 3, month_days)] %}
{{ name }} as (
    select
        mention_keys.mention_id,
        {% for column in key_columns %}mention_keys.{{ column }}, {% endfor %}
        offsets.day_offset,
        {{ add_days('mention_keys.event_date', 'offsets.day_offset') }} as candidate_date
    from mention_keys
    cross join {{ day_offsets(days) }} as offsets
    where mention_keys.time_precision = {{ precision }}
),
{% endfor %}

-- Each week mention's nearest day of its key within its window.
week_choices as (
    select
        week_candidates.mention_id,
        day_events.anchor_date,
        day_events.anchor_precision,
        row_number() over (
            partition by week_candidates.mention_id
            order by abs(week_candidates.day_offset), day_events.anchor_date
        ) as choice_rank
    from week_candidates
    inner join day_events
        on {{ columns_equal(key_columns, 'day_events', 'week_candidates') }}
        and day_events.anchor_date = week_candidates.candidate_date
),

week_events as (
    select distinct {{ key_columns | join(', ') }}, mention_keys.event_date as anchor_date, 2 as anchor_precision
    from mention_keys
    left join (select mention_id from week_choices where choice_rank = 1) as chosen
        on chosen.mention_id = mention_keys.mention_id
    where mention_keys.time_precision = 2 and chosen.mention_id is null
),

-- Each month mention's nearest day or week event of its key within its window.
month_choices as (
    select
        month_candidates.mention_id,
        anchors.anchor_date,
        anchors.anchor_precision,
        row_number() over (
            partition by month_candidates.mention_id
            order by abs(month_candidates.day_offset), anchors.anchor_precision, anchors.anchor_date
        ) as choice_rank
    from month_candidates
    inner join (select * from day_events union all select * from week_events) as anchors
        on {{ columns_equal(key_columns, 'anchors', 'month_candidates') }}
        and anchors.anchor_date = month_candidates.candidate_date
),

choices as (
    select mention_id, anchor_date, anchor_precision from week_choices where choice_rank = 1
    union all
    select mention_id, anchor_date, anchor_precision from month_choices where choice_rank = 1
),

anchored as (
    select
        mention_keys.*,
        coalesce(choices.anchor_date, mention_keys.event_date) as anchor_date,
        coalesce(choices.anchor_precision, mention_keys.time_precision) as anchor_precision
    from mention_keys
    left join choices on choices.mention_id = mention_keys.mention_id
    where mention_keys.is_touched
),

-- The rows written: the rebuilt mentions, and (incremental runs) the other mentions built before whose
-- event changed id (moved to a nearer or new anchor), and a row with no event for each mention removed.
-- Every other mention is left as it is.
grouped as (
    select
        {{ hash_key(
            [
                'anchor_precision',
                'anchor_date',
                'actor_pair_first',
                'actor_pair_second',
                'cameo_root_code',
                'place_id',
            ],
            prefix='EV'
        ) }} as event_id,
        {{ rule_columns | join(', ') }},
        anchor_date,
        anchor_precision,
        previous_event_id,
        is_rebuilt
    from anchored
),

final as (
    select
        event_id,
        {{ rule_columns | join(', ') }},
        anchor_date,
        anchor_precision,
        previous_event_id,
        '{{ invocation_id }}' as batch_id
    from grouped
    {% if is_incremental() %}
    where is_rebuilt or previous_event_id <> event_id
    union all
    -- The rebuilt mentions that did not move and that no moved mention can move: in the event they were in.
    select
        previous_event_id as event_id,
        {{ rule_columns | join(', ') }},
        previous_anchor_date as anchor_date,
        previous_anchor_precision as anchor_precision,
        previous_event_id,
        '{{ invocation_id }}' as batch_id
    from rebuilt_mentions
    where is_unmoved and mention_id not in (select mention_id from grouped)
    union all
    select
        cast(null as {{ dbt.type_string() }}) as event_id,
        {{ rule_columns | join(', ') }},
        anchor_date,
        anchor_precision,
        event_id as previous_event_id,
        '{{ invocation_id }}' as batch_id
    from replaced_mentions
    where mention_id not in (select mention_id from new_mentions)
    {% endif %}
)

select * from final
