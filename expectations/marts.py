"""The marts suite: what must hold in the tables analysts query."""

from __future__ import annotations

import os
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import Check, error, quad_class_follows_root, suite, warning

# Slack around a country's GeoNames places when checking that a coordinate lies in the country (degrees).
COUNTRY_BOUNDS_MARGIN = 0.5
# A mention's place this far from every other place its article names is worth a coder's look (km);
# EVENTDW_GATE_FAR_PLACE_KM sets another distance.
FAR_PLACE_KM = 500.0


def far_place_km() -> float:
    """The distance beyond which a mention's place is far from its article's other places."""
    return float(os.environ.get("EVENTDW_GATE_FAR_PLACE_KM", FAR_PLACE_KM))


def fact_events(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """One row per event, codes from the CAMEO list, scales in range, counts that add up."""
    return suite(
        "marts.fact_events",
        [
            gxe.ExpectColumnValuesToBeUnique(column="event_id", meta=error("whose event_id is not unique")),
            gxe.ExpectColumnValuesToNotBeNull(column="event_id", meta=error("without an event_id")),
            gxe.ExpectColumnValuesToNotBeNull(column="event_date", meta=error("without an event date")),
            gxe.ExpectColumnValuesToBeInSet(
                column="cameo_code",
                value_set=reference["cameo_codes"],
                meta=error("whose CAMEO code is not in the CAMEO list"),
            ),
            *quad_class_follows_root(),
            gxe.ExpectColumnValuesToBeBetween(
                column="goldstein_scale",
                min_value=-10,
                max_value=10,
                meta=error("with a Goldstein score outside -10 to 10"),
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="time_precision", value_set=[1, 2, 3, 4], meta=error("whose time precision is not 1-4")
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="geo_precision", value_set=[1, 2, 3], meta=error("whose geo precision is not 1-3")
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="fatalities", min_value=0, meta=error("with a negative number of fatalities")
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="fatalities",
                column_B="fatalities_low",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=error("whose fatalities are below the low end of their range (fatalities_low)"),
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="fatalities_high",
                column_B="fatalities",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=error("whose fatalities are above the high end of their range (fatalities_high)"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="num_mentions", min_value=1, meta=error("counted with no mentions (num_mentions < 1)")
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="num_mentions",
                column_B="num_articles",
                or_equal=True,
                meta=error("reported by more articles than mentions (num_articles > num_mentions)"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="interaction",
                min_value=10,
                max_value=88,
                meta=error("whose ACLED interaction code is not 10-88"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="acled_sub_event_type",
                meta=warning("without an ACLED sub-event type (none from the coder, none from the CAMEO crosswalk)"),
            ),
        ],
    )


def fact_events_keys(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Every fact row's keys are in its dimensions, and every event has the mentions it counts."""
    return suite(
        "marts.fact_events_keys",
        [
            gxe.ExpectColumnValuesToBeInSet(
                column="is_actor1_in_dim_actor", value_set=[True], meta=error("whose actor1 is not in dim_actor")
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="is_actor2_in_dim_actor", value_set=[True], meta=error("whose actor2 is not in dim_actor")
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="is_place_in_dim_place", value_set=[True], meta=error("whose place is not in dim_place")
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="is_cameo_code_in_dim_cameo_code",
                value_set=[True],
                meta=error("whose CAMEO code is not in dim_cameo_code"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="mention_rows", min_value=1, meta=error("with no rows in fact_event_mentions")
            ),
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="mention_rows",
                column_B="num_mentions",
                meta=error("whose num_mentions differs from the count of its mention rows in fact_event_mentions"),
            ),
        ],
    )


def fact_event_mentions(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Every mention points at an event and carries its evidence."""
    return suite(
        "marts.fact_event_mentions",
        [
            gxe.ExpectColumnValuesToBeUnique(column="mention_id", meta=error("whose mention_id is not unique")),
            gxe.ExpectColumnValuesToNotBeNull(
                column="event_id", meta=error("belonging to no event (event_id is null)")
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="quote", meta=error("without a quote")),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="quote_end",
                column_B="quote_start",
                meta=error("whose quote does not end after it starts (quote_end <= quote_start)"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="quote_start",
                min_value=0,
                meta=error("whose quote starts before the article's text (quote_start < 0)"),
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="is_quote_in_body",
                value_set=[True],
                meta=warning("with a quote outside the article's body (page furniture)"),
            ),
            gxe.ExpectColumnValuesToNotBeInSet(
                column="place_resolution_method",
                value_set=["unresolved"],
                meta=warning("whose location matches no known place (unresolved)"),
            ),
            gxe.ExpectColumnValuesToNotBeInSet(
                column="actor1_resolution_method",
                value_set=["unresolved"],
                meta=warning("whose actor1 matches no known actor (unresolved)"),
            ),
        ],
    )


def mention_places(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """A mention's place lies in the countries its name was resolved in, and near its article's other places."""
    return suite(
        "marts.mention_places",
        [
            gxe.ExpectColumnValuesToNotBeInSet(
                column="is_place_in_context_countries",
                value_set=[False],
                meta=warning("whose place lies outside the countries the article (or the row) is about"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="km_to_nearest_other_place",
                max_value=far_place_km(),
                meta=warning(f"whose place lies more than {far_place_km():g} km from every other place of its article"),
            ),
        ],
    )


def dim_actor(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Actors are unique and typed by ACLED's inter codes."""
    return suite(
        "marts.dim_actor",
        [
            gxe.ExpectColumnValuesToBeUnique(column="actor_id", meta=error("listed more than once")),
            gxe.ExpectColumnValuesToBeInSet(
                column="acled_inter_code",
                value_set=list(range(1, 9)),
                meta=error("whose ACLED inter code is not 1-8"),
            ),
        ],
    )


def dim_place(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Places are unique and lie inside their country (where the gazetteer knows its extent)."""
    return suite(
        "marts.dim_place",
        [
            gxe.ExpectColumnValuesToBeUnique(column="place_id", meta=error("listed more than once")),
            gxe.ExpectColumnValuesToBeBetween(
                column="latitude", min_value=-90, max_value=90, meta=error("with a latitude outside -90 to 90")
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="longitude",
                min_value=-180,
                max_value=180,
                meta=error("with a longitude outside -180 to 180"),
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="is_inside_country_bounds",
                value_set=[True],
                meta=error(f"outside the extent of the country's GeoNames places (± {COUNTRY_BOUNDS_MARGIN} degrees)"),
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="is_resolved",
                value_set=[True],
                meta=warning("standing for a spelling that matches no known place (unresolved)"),
            ),
        ],
    )


def dim_article(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Articles are unique; a missing date is worth a look."""
    return suite(
        "marts.dim_article",
        [
            gxe.ExpectColumnValuesToBeUnique(column="article_id", meta=error("listed more than once")),
            gxe.ExpectColumnValuesToNotBeNull(column="raw_text", meta=error("without text")),
            gxe.ExpectColumnValuesToNotBeNull(column="published_date", meta=warning("without a publication date")),
        ],
    )


CHECKS = [
    Check(
        "marts.fact_events",
        "select * from {rows}",
        fact_events,
        row_names=("event_id",),
        row_noun="event",
        table="marts.fact_events",
    ),
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
        row_names=("event_id",),
        row_noun="event",
        table="marts.fact_events",
    ),
    Check(
        "marts.fact_event_mentions",
        "select * from {rows}",
        fact_event_mentions,
        row_names=("source_file", "source_row_number"),
        row_noun="coded row",
        table="marts.fact_event_mentions",
    ),
    Check(
        "marts.mention_places",
        """
        with mentions as (
            select mention_id, article_id, place_id, source_file, source_row_number, is_place_in_context_countries
            from {rows}
        ),
        -- The distance from each mention's place to the nearest other place its article names (a country's
        -- nominal point, its capital, says nothing of where an event was: countries are left out).
        nearest as (
            select
                mentions.mention_id,
                min(2 * 6371.0 * asin(sqrt(
                    power(sin(radians(other_place.latitude - place.latitude) / 2), 2)
                    + cos(radians(place.latitude)) * cos(radians(other_place.latitude))
                        * power(sin(radians(other_place.longitude - place.longitude) / 2), 2)
                ))) as km_to_nearest_other_place
            from mentions
            inner join marts.dim_place as place on place.place_id = mentions.place_id
            inner join marts.fact_event_mentions as other
                on other.article_id = mentions.article_id and other.place_id <> mentions.place_id
            inner join marts.dim_place as other_place on other_place.place_id = other.place_id
            where place.place_type <> 'country' and other_place.place_type <> 'country'
                and place.latitude is not null and other_place.latitude is not null
            group by mentions.mention_id
        )
        select mentions.*, nearest.km_to_nearest_other_place
        from mentions
        left join nearest on nearest.mention_id = mentions.mention_id
        """,
        mention_places,
        row_names=("source_file", "source_row_number"),
        row_noun="coded row",
        table="marts.fact_event_mentions",
    ),
    Check(
        "marts.dim_actor",
        "select * from marts.dim_actor",
        dim_actor,
        row_names=("actor_id",),
        row_noun="actor",
    ),
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
        row_names=("place_id",),
        row_noun="place",
    ),
    Check(
        "marts.dim_article",
        "select article_id, raw_text, published_date from {rows}",
        dim_article,
        row_names=("article_id",),
        row_noun="article",
        table="marts.dim_article",
    ),
]
