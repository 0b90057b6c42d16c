"""The marts suite: what must hold in the tables analysts query."""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import WARNING, Check, quad_class_follows_root, suite

# Slack around a country's GeoNames places when checking that a coordinate lies in the country (degrees).
COUNTRY_BOUNDS_MARGIN = 0.5


def fact_events(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """One row per event, codes from the CAMEO list, scales in range, counts that add up."""
    return suite(
        "marts.fact_events",
        [
            gxe.ExpectColumnValuesToBeUnique(column="event_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_date"),
            gxe.ExpectColumnValuesToBeInSet(column="cameo_code", value_set=reference["cameo_codes"]),
            *quad_class_follows_root(),
            gxe.ExpectColumnValuesToBeBetween(column="goldstein_scale", min_value=-10, max_value=10),
            gxe.ExpectColumnValuesToBeInSet(column="time_precision", value_set=[1, 2, 3, 4]),
            gxe.ExpectColumnValuesToBeInSet(column="geo_precision", value_set=[1, 2, 3]),
            gxe.ExpectColumnValuesToBeBetween(column="fatalities", min_value=0),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="fatalities", column_B="fatalities_low", or_equal=True, ignore_row_if="either_value_is_missing"
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="fatalities_high",
                column_B="fatalities",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            gxe.ExpectColumnValuesToBeBetween(column="num_mentions", min_value=1),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="num_mentions", column_B="num_articles", or_equal=True
            ),
            gxe.ExpectColumnValuesToBeBetween(column="interaction", min_value=10, max_value=88),
            gxe.ExpectColumnValuesToNotBeNull(column="acled_sub_event_type", meta=WARNING),
        ],
    )


def fact_events_keys(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Every fact row's keys are in its dimensions, and every event has the mentions it counts."""
    return suite(
        "marts.fact_events_keys",
        [
            gxe.ExpectColumnValuesToBeInSet(column="is_actor1_in_dim_actor", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="is_actor2_in_dim_actor", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="is_place_in_dim_place", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="is_cameo_code_in_dim_cameo_code", value_set=[True]),
            gxe.ExpectColumnValuesToBeBetween(column="mention_rows", min_value=1),
            gxe.ExpectColumnPairValuesToBeEqual(column_A="mention_rows", column_B="num_mentions"),
        ],
    )


def fact_event_mentions(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Every mention points at an event and carries its evidence."""
    return suite(
        "marts.fact_event_mentions",
        [
            gxe.ExpectColumnValuesToBeUnique(column="mention_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="quote"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="quote_end", column_B="quote_start"),
            gxe.ExpectColumnValuesToBeBetween(column="quote_start", min_value=0),
            gxe.ExpectColumnValuesToBeInSet(column="is_quote_in_body", value_set=[True], meta=WARNING),
            gxe.ExpectColumnValuesToNotBeInSet(
                column="place_resolution_method", value_set=["unresolved"], meta=WARNING
            ),
            gxe.ExpectColumnValuesToNotBeInSet(
                column="actor1_resolution_method", value_set=["unresolved"], meta=WARNING
            ),
        ],
    )


def dim_actor(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Actors are unique and typed by ACLED's inter codes."""
    return suite(
        "marts.dim_actor",
        [
            gxe.ExpectColumnValuesToBeUnique(column="actor_id"),
            gxe.ExpectColumnValuesToBeInSet(column="acled_inter_code", value_set=list(range(1, 9))),
        ],
    )


def dim_place(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Places are unique and lie inside their country (where the gazetteer knows its extent)."""
    return suite(
        "marts.dim_place",
        [
            gxe.ExpectColumnValuesToBeUnique(column="place_id"),
            gxe.ExpectColumnValuesToBeBetween(column="latitude", min_value=-90, max_value=90),
            gxe.ExpectColumnValuesToBeBetween(column="longitude", min_value=-180, max_value=180),
            gxe.ExpectColumnValuesToBeInSet(column="is_inside_country_bounds", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="is_resolved", value_set=[True], meta=WARNING),
        ],
    )


def dim_article(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Articles are unique; a missing date is worth a look."""
    return suite(
        "marts.dim_article",
        [
            gxe.ExpectColumnValuesToBeUnique(column="article_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="raw_text"),
            gxe.ExpectColumnValuesToNotBeNull(column="published_date", meta=WARNING),
        ],
    )


CHECKS = [
    Check("marts.fact_events", "select * from {rows}", fact_events, table="marts.fact_events"),
    Check(
        "marts.fact_events_keys",
        """
        select
            events.event_id,
            events.num_mentions,
            exists (select 1 from marts.dim_actor a where a.actor_id = events.actor1_id) as is_actor1_in_dim_actor,
            events.actor2_id is null or exists (
                select 1 from marts.dim_actor a where a.actor_id = events.actor2_id
            ) as is_actor2_in_dim_actor,
            exists (select 1 from marts.dim_place p where p.place_id = events.place_id) as is_place_in_dim_place,
            exists (select 1 from marts.dim_cameo_code c where c.cameo_code = events.cameo_code)
                as is_cameo_code_in_dim_cameo_code,
            (select count(*) from marts.fact_event_mentions m where m.event_id = events.event_id) as mention_rows
        from {rows} as events
        """,
        fact_events_keys,
        table="marts.fact_events",
    ),
    Check("marts.fact_event_mentions", "select * from {rows}", fact_event_mentions, table="marts.fact_event_mentions"),
    Check("marts.dim_actor", "select * from marts.dim_actor", dim_actor),
    Check(
        "marts.dim_place",
        f"""
        with country_bounds as (
            select
                country_iso2,
                min(latitude) - {COUNTRY_BOUNDS_MARGIN} as south,
                max(latitude) + {COUNTRY_BOUNDS_MARGIN} as north,
                min(longitude) - {COUNTRY_BOUNDS_MARGIN} as west,
                max(longitude) + {COUNTRY_BOUNDS_MARGIN} as east
            from raw.geonames_places
            group by country_iso2
        )
        select
            places.place_id, places.latitude, places.longitude, places.is_resolved,
            case when bounds.country_iso2 is not null and places.latitude is not null then
                places.latitude between bounds.south and bounds.north
                and places.longitude between bounds.west and bounds.east
            end as is_inside_country_bounds
        from marts.dim_place as places
        left join country_bounds as bounds on bounds.country_iso2 = places.country_iso2
        """,
        dim_place,
    ),
    Check(
        "marts.dim_article",
        "select article_id, raw_text, published_date from {rows}",
        dim_article,
        table="marts.dim_article",
    ),
]
