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
-- Candidate pairs are found by equality on (country, root actor, week), each event under the weeks its
-- window touches, so that no pair of a country's events is compared unless they can match.
with

events as (
    select * from {{ ref('fact_events') }}
),

places as (
    select * from {{ ref('dim_place') }}
),

roots as (
    select * from {{ ref('int_actors_joined_to_root_actors') }}
),

events_located as (
    select
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
        places.longitude
    from events
    inner join places on places.place_id = events.place_id
    left join roots as root1 on root1.actor_id = events.actor1_id
    left join roots as root2 on root2.actor_id = events.actor2_id
    where events.actor1_id is not null and places.country_iso2 is not null
),

-- Each event under each of its root actors and each week its date window touches.
event_keys as (
    select
        event_id,
        source_order,
        country_iso2,
        root_actor_id,
        unnest(generate_series(
            date_trunc('week', cast(event_date - window_days as timestamp)),
            date_trunc('week', cast(event_date + window_days as timestamp)),
            interval 7 day
        )) as window_week
    from (
        select event_id, source_order, country_iso2, event_date, window_days, root1 as root_actor_id
        from events_located
        union all
        select event_id, source_order, country_iso2, event_date, window_days, root2
        from events_located
        where root2 is not null
    ) as roles
),

candidates as (
    select distinct first_keys.event_id as event_id, second_keys.event_id as linked_event_id
    from event_keys as first_keys
    inner join event_keys as second_keys
        on second_keys.country_iso2 = first_keys.country_iso2
        and second_keys.root_actor_id = first_keys.root_actor_id
        and second_keys.window_week = first_keys.window_week
        and second_keys.source_order > first_keys.source_order
),

pairs as (
    select
        first.event_id,
        first.source_system,
        second.event_id as linked_event_id,
        second.source_system as linked_source_system,
        abs(datediff('day', first.event_date, second.event_date)) as days_apart,
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
            when first.place_type = 'country' or second.place_type = 'country' then 'same country'
            when first.geo_precision = 3 or second.geo_precision = 3 then
                case
                    when first.admin1_iso = second.admin1_iso or first.admin1_name_lower = second.admin1_name_lower
                        then 'same region'
                end
            when {{ great_circle_km('first.latitude', 'first.longitude', 'second.latitude', 'second.longitude') }}
                <= {{ var('corroboration_radius_km') }}
                then 'within ' || cast(round({{ great_circle_km(
                    'first.latitude', 'first.longitude', 'second.latitude', 'second.longitude'
                ) }}, 1) as varchar) || ' km'
        end as place_match,
        round({{ great_circle_km('first.latitude', 'first.longitude', 'second.latitude', 'second.longitude') }}, 1)
            as distance_km
    from candidates
    inner join events_located as first on first.event_id = candidates.event_id
    inner join events_located as second on second.event_id = candidates.linked_event_id
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
                else cast(days_apart as varchar) || ' days apart'
            end
            as match_rule,
        actor_match,
        place_match,
        cast(days_apart as integer) as days_apart,
        distance_km
    from pairs
    where actor_match is not null and place_match is not null and days_apart <= days_allowed
)

select * from final
