-- Corroboration: the events of two sources (coded, ACLED, GDELT) about the same happening, one row per
-- linked pair, the first by source order (coded, then acled, then gdelt), with the rule that linked them.
-- So an analyst asks "which of my coded events does ACLED also have, and which not?" with one join.
--
-- The rule: two events of different sources are the same happening when all three hold.
--   * Actors: the same actors (as their root actors: a unit and its parent are one, int_actors_joined_to_
--     root_actors), in either order, ACLED's order saying nothing of who attacked; or, when either event
--     has a single actor, that actor is one of the other's ('same actor').
--   * Place: the same place; or both placed at the town (geo precision 1-2) at most
--     `corroboration_radius_km` apart; or, when either is known only to its region (precision 3), the
--     same first-level region; or, when either is placed at its country only, the same country.
--   * Day: the dates at most as far apart as their precisions allow together: a day either side for a
--     known day (reports and time zones disagree by one), 3 for a week, 15 for a month, 182 for a year.
-- Candidate pairs are found by equality on (root actor, week, place key): each event under the weeks its
-- window touches and the keys of its place (the place, the grid cells near a town, its region, its
-- country), so that no two events are compared unless they can match.
--
-- Incremental builds delete the pairs of the events rebuilt in this build (coded and imported, with the ids
-- those had before) and look for the pairs of those events again, among the events of another source within
-- a year of them (no rule pairs events of one source, or further apart); every other pair stands.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{% call delete_from_this() %}event_id in ({{ all_events_rebuilt_in_this_build() }})
        or linked_event_id in ({{ all_events_rebuilt_in_this_build() }}){% endcall %}{% endif %}"
) }}
-- depends_on: {{ ref('int_mentions_anchored_to_events') }}
-- depends_on: {{ ref('stg_build_state__imports_to_rebuild') }}

with

{% if is_incremental() %}
rebuilt_events as {{ materialized_cte() }} (
    select event_id, source_system, event_date from {{ ref('fact_events') }}
    where event_id in ({{ all_events_rebuilt_in_this_build() }})
),

{% endif %}
events as (
    select * from {{ ref('fact_events') }} as all_events
    {% if is_incremental() %}
    -- The rebuilt events, and those that can pair with one: of another source, within a year of it (two
    -- year-precision windows are 364 days). A day of coded events with no ACLED or GDELT file reads no other.
    where event_id in (select event_id from rebuilt_events)
        or (
            event_date between
                (select {{ dbt.dateadd('day', -365, 'min(event_date)') }} from rebuilt_events)
                and (select {{ dbt.dateadd('day', 365, 'max(event_date)') }} from rebuilt_events)
            and exists (
                select 1 from rebuilt_events as rebuilt where rebuilt.source_system <> all_events.source_system
            )
        )
    {% endif %}
),

places as (
    select * from {{ ref('dim_place') }}
),

roots as (
    select * from {{ ref('int_actors_joined_to_root_actors') }}
),

events_located as (
    select
        row_number() over (order by events.event_id) as event_row,  -- a small key for the candidate joins below
        events.event_id,
        events.source_system,
        case events.source_system when 'coded' then 1 when 'acled' then 2 else 3 end as source_order,
        events.event_date,
        case events.time_precision when 1 then 1 when 2 then 3 when 3 then 15 else 182 end as window_days,
        events.geo_precision,
        events.place_id,
        coalesce(root1.root_actor_id, events.actor1_id) as root1,
        coalesce(root2.root_actor_id, events.actor2_id) as root2,
        places.place_type,
        places.country_iso2,
        places.admin1_iso,
        lower(places.admin1_name) as admin1_name_lower,
        places.latitude,
        places.longitude,
        coalesce(places.admin1_iso, places.country_iso2 || ':' || lower(places.admin1_name)) as region_key,
        events.geo_precision < 3 and places.place_type not in ('region', 'country')
            and places.latitude is not null and places.longitude is not null as is_at_town
    from events
    inner join places on places.place_id = events.place_id
    left join roots as root1 on root1.actor_id = events.actor1_id
    left join roots as root2 on root2.actor_id = events.actor2_id
    where events.actor1_id is not null and places.country_iso2 is not null
),

-- Each event under each of its root actors and each week its date window touches (as one number, `block`).
event_weeks as (
    select *, {{ hash_values(['root_actor_id', 'week_start']) }} as block
    from (
        select
            *,
            {{ unnest_week_starts(add_days('event_date', '-window_days'), add_days('event_date', 'window_days')) }}
                as week_start
        from (
            select *, root1 as root_actor_id from events_located
            union all
            select *, root2 from events_located where root2 is not null
        ) as roles
    ) as weeks
),

-- What each event offers to be found by, under each root actor and week: its place; for an event placed at
-- a town, the 2 x 2 one-degree grid cells nearest it (every cell within half a degree of it: so any town
-- within corroboration_radius_km, up to latitude 63, lies in one of them); its region; its country.
offers as (
    select event_row, source_order, block, {{ hash_values(["'place:' || place_id"]) }} as place_key
    from event_weeks
    union all
    select
        event_row,
        source_order,
        block,
        {{ hash_values(["'cell'", 'case when corners.dy = 0 then own_y else next_y end',
                        'case when corners.dx = 0 then own_x else next_x end']) }}
    from (
        select
            *,
            cast(floor(latitude) as integer) as own_y,
            cast(floor(longitude) as integer) as own_x,
            cast(floor(latitude) as integer) + case when latitude - floor(latitude) >= 0.5 then 1 else -1 end
                as next_y,
            cast(floor(longitude) as integer) + case when longitude - floor(longitude) >= 0.5 then 1 else -1 end
                as next_x
        from event_weeks
        where is_at_town
    ) as towns
    cross join (values (0, 0), (1, 0), (0, 1), (1, 1)) as corners (dy, dx)
    union all
    select event_row, source_order, block, {{ hash_values(["'region:' || region_key"]) }}
    from event_weeks
    where region_key is not null
    union all
    select event_row, source_order, block, {{ hash_values(["'country:' || country_iso2"]) }}
    from event_weeks
),

-- What each event looks for: its place; for a town, the cell it lies in; for an event known only to its
-- region, that region; for one placed at its country, that country.
probes as (
    select event_row, source_order, block, {{ hash_values(["'place:' || place_id"]) }} as place_key
    from event_weeks
    union all
    select event_row, source_order, block,
        {{ hash_values(["'cell'", 'cast(floor(latitude) as integer)', 'cast(floor(longitude) as integer)']) }}
    from event_weeks
    where is_at_town
    union all
    select event_row, source_order, block, {{ hash_values(["'region:' || region_key"]) }}
    from event_weeks
    where region_key is not null and geo_precision = 3
    union all
    select event_row, source_order, block, {{ hash_values(["'country:' || country_iso2"]) }}
    from event_weeks
    where place_type = 'country'
),

-- Two events of different sources are candidates when one looks for what the other offers (in an
-- incremental build, one of them rebuilt in this build).
{% set sides = [('probes', 'offers')] %}
{% if is_incremental() %}
{% set sides = [('rebuilt_probes', 'offers'), ('probes', 'rebuilt_offers')] %}
rebuilt_rows as (
    select event_row from events_located where event_id in (select event_id from rebuilt_events)
),

rebuilt_probes as (
    select * from probes where event_row in (select event_row from rebuilt_rows)
),

rebuilt_offers as (
    select * from offers where event_row in (select event_row from rebuilt_rows)
),
{% endif %}

-- (Keys are compared as hashes: two keys of one hash only make a candidate, which the rule below decides.)
candidate_rows as (
    {% for looking, offering in sides %}
    select distinct
        case when {{ looking }}.source_order < {{ offering }}.source_order
            then {{ looking }}.event_row else {{ offering }}.event_row end as first_row,
        case when {{ looking }}.source_order < {{ offering }}.source_order
            then {{ offering }}.event_row else {{ looking }}.event_row end as second_row
    from {{ looking }}
    inner join {{ offering }}
        on {{ offering }}.block = {{ looking }}.block
        and {{ offering }}.place_key = {{ looking }}.place_key
        and {{ offering }}.source_order <> {{ looking }}.source_order
    {{ 'union' if not loop.last }}
    {% endfor %}
),

pairs as (
    select
        first.event_id,
        first.source_system,
        second.event_id as linked_event_id,
        second.source_system as linked_source_system,
        abs({{ dbt.datediff('first.event_date', 'second.event_date', 'day') }}) as days_apart,
        first.window_days + second.window_days as days_allowed,
        case
            when (first.root1 = second.root1 and first.root2 is not distinct from second.root2)
                or (first.root1 = second.root2 and first.root2 = second.root1) then 'same actors'
            when (first.root2 is null or second.root2 is null)
                and (first.root1 in (second.root1, second.root2) or second.root1 in (first.root1, first.root2))
                then 'same actor'
        end as actor_match,
        case
            when first.place_id = second.place_id then 'same place'
            when first.place_type = 'country' or second.place_type = 'country' then
                case when first.country_iso2 = second.country_iso2 then 'same country' end
            when first.geo_precision = 3 or second.geo_precision = 3 then
                case when first.region_key = second.region_key then 'same region' end
            when not (first.is_at_town and second.is_at_town) then null
            when {{ great_circle_km('first.latitude', 'first.longitude', 'second.latitude', 'second.longitude') }}
                <= {{ var('corroboration_radius_km') }}
                then 'within ' || cast(round({{ great_circle_km(
                    'first.latitude', 'first.longitude', 'second.latitude', 'second.longitude'
                ) }}, 1) as {{ dbt.type_string() }}) || ' km'
        end as place_match,
        round({{ great_circle_km('first.latitude', 'first.longitude', 'second.latitude', 'second.longitude') }}, 1)
            as distance_km
    from candidate_rows
    inner join events_located as first on first.event_row = candidate_rows.first_row
    inner join events_located as second on second.event_row = candidate_rows.second_row
),

final as (
    select
        event_id,
        source_system,
        linked_event_id,
        linked_source_system,
        actor_match || '; ' || place_match || '; '
            || case
                when days_apart = 0 then 'same day'
                when days_apart = 1 then '1 day apart'
                else cast(days_apart as {{ dbt.type_string() }}) || ' days apart'
            end
            as match_rule,
        actor_match,
        place_match,
        cast(days_apart as integer) as days_apart,
        distance_km
    from pairs
    where actor_match is not null and place_match is not null and days_apart <= days_allowed
)

{{ select_with_provenance('final') }}
