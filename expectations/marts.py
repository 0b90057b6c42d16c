"""The marts suite: what a coder should look at in the tables analysts query, and where places lie.

Keys, relationships, accepted values, ranges and the facts' cross-column rules are dbt's tests
(dbt_project/models/marts/_marts__models.yml); they are not restated here.
"""

from __future__ import annotations

import os
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import Check, error, suite, warning

# Slack around a country's GeoNames places when checking that a coordinate lies in the country (degrees).
COUNTRY_BOUNDS_MARGIN = 0.5
# A mention's place this far from every other place its article names is worth a coder's look (km);
# EVENTDW_GATE_FAR_PLACE_KM sets another distance.
FAR_PLACE_KM = 500.0
# A toll above this is more likely a coding slip (a year, an id) than a count: worth a look.
IMPLAUSIBLE_FATALITIES = 10_000


def far_place_km() -> float:
    """The distance beyond which a mention's place is far from its article's other places."""
    return float(os.environ.get("EVENTDW_GATE_FAR_PLACE_KM", FAR_PLACE_KM))


def fact_events(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Events a coder should look at: no ACLED type, a toll no one would believe."""
    return suite(
        "marts.fact_events",
        [
            gxe.ExpectColumnValuesToNotBeNull(
                column="acled_sub_event_type",
                meta=warning("without an ACLED sub-event type (none from the coder, none from the CAMEO crosswalk)"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="fatalities",
                max_value=IMPLAUSIBLE_FATALITIES,
                meta=warning(f"with a toll above {IMPLAUSIBLE_FATALITIES:,} deaths: check the coding"),
            ),
        ],
    )


def fact_event_mentions(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Mentions a coder should look at: a quote from page furniture, a name that resolved to nothing."""
    return suite(
        "marts.fact_event_mentions",
        [
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


def dim_place(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Places lie inside their country (where the gazetteer knows its extent)."""
    return suite(
        "marts.dim_place",
        [
            gxe.ExpectColumnValuesToBeInSet(
                column="is_inside_country_bounds",
                value_set=[True],
                meta=error("lying outside their country (beyond its GeoNames places, give or take half a degree)"),
            ),
        ],
    )


def dim_article(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """A missing date is worth a look: the article's events cannot be checked against it."""
    return suite(
        "marts.dim_article",
        [
            gxe.ExpectColumnValuesToNotBeNull(
                column="published_date", meta=warning("without a publication date (its events' dates go unchecked)")
            ),
        ],
    )


CHECKS = [
    Check(
        "marts.fact_events",
        "select event_id, acled_sub_event_type, fatalities from {rows}",
        fact_events,
        row_names=("event_id",),
        row_noun="event",
        table="marts.fact_events",
    ),
    Check(
        "marts.fact_event_mentions",
        "select source_file, source_row_number, is_quote_in_body, place_resolution_method, actor1_resolution_method "
        "from {rows}",
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
            places.place_id,
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
        "select article_id, published_date from {rows}",
        dim_article,
        row_names=("article_id",),
        row_noun="article",
        table="marts.dim_article",
    ),
]
