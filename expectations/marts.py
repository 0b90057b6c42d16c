"""The marts suite: what must hold in the tables analysts query.

Each expectation carries `meta.severity`: "error" (the default) stops the run before the export;
"warning" is reported and the run goes on.
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

WARNING = {"severity": "warning"}
TABLES = ("fact_events", "fact_event_mentions", "dim_actor", "dim_place", "dim_article")


def fact_events(cameo_codes: list[str]) -> gx.ExpectationSuite:
    """One row per event, codes from the CAMEO list, scales in range, counts that add up."""
    suite = gx.ExpectationSuite(name="marts.fact_events")
    for expectation in [
        gxe.ExpectColumnValuesToBeUnique(column="event_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="event_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="event_date"),
        gxe.ExpectColumnValuesToBeInSet(column="cameo_code", value_set=cameo_codes),
        gxe.ExpectColumnValuesToBeInSet(column="quad_class", value_set=[1, 2, 3, 4]),
        gxe.ExpectColumnValuesToBeBetween(column="goldstein_scale", min_value=-10, max_value=10),
        gxe.ExpectColumnValuesToBeInSet(column="time_precision", value_set=[1, 2, 3, 4]),
        gxe.ExpectColumnValuesToBeInSet(column="geo_precision", value_set=[1, 2, 3]),
        gxe.ExpectColumnValuesToBeBetween(column="fatalities", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="fatalities_high",
            column_B="fatalities_low",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="num_mentions", min_value=1),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="num_mentions", column_B="num_articles", or_equal=True),
        gxe.ExpectColumnValuesToBeBetween(column="interaction", min_value=10, max_value=88),
        gxe.ExpectColumnValuesToNotBeNull(column="acled_sub_event_type", meta=WARNING),
    ]:
        suite.add_expectation(expectation)
    return suite


def fact_event_mentions() -> gx.ExpectationSuite:
    """Every mention points at an event and carries its evidence."""
    suite = gx.ExpectationSuite(name="marts.fact_event_mentions")
    for expectation in [
        gxe.ExpectColumnValuesToBeUnique(column="mention_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="event_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="quote"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="quote_end", column_B="quote_start"),
        gxe.ExpectColumnValuesToBeBetween(column="quote_start", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="is_quote_in_body", value_set=[True], meta=WARNING),
        gxe.ExpectColumnValuesToNotBeInSet(column="place_resolution_method", value_set=["unresolved"], meta=WARNING),
        gxe.ExpectColumnValuesToNotBeInSet(column="actor1_resolution_method", value_set=["unresolved"], meta=WARNING),
    ]:
        suite.add_expectation(expectation)
    return suite


def dim_actor() -> gx.ExpectationSuite:
    """Actors are unique and typed by ACLED's inter codes."""
    suite = gx.ExpectationSuite(name="marts.dim_actor")
    for expectation in [
        gxe.ExpectColumnValuesToBeUnique(column="actor_id"),
        gxe.ExpectColumnValuesToBeInSet(column="acled_inter_code", value_set=list(range(1, 9))),
    ]:
        suite.add_expectation(expectation)
    return suite


def dim_place() -> gx.ExpectationSuite:
    """Places are unique and their coordinates are on the globe."""
    suite = gx.ExpectationSuite(name="marts.dim_place")
    for expectation in [
        gxe.ExpectColumnValuesToBeUnique(column="place_id"),
        gxe.ExpectColumnValuesToBeBetween(column="latitude", min_value=-90, max_value=90),
        gxe.ExpectColumnValuesToBeBetween(column="longitude", min_value=-180, max_value=180),
        gxe.ExpectColumnValuesToBeInSet(column="is_resolved", value_set=[True], meta=WARNING),
    ]:
        suite.add_expectation(expectation)
    return suite


def dim_article() -> gx.ExpectationSuite:
    """Articles are unique; a missing date is worth a look."""
    suite = gx.ExpectationSuite(name="marts.dim_article")
    for expectation in [
        gxe.ExpectColumnValuesToBeUnique(column="article_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="raw_text"),
        gxe.ExpectColumnValuesToNotBeNull(column="published_date", meta=WARNING),
    ]:
        suite.add_expectation(expectation)
    return suite


def suites(reference: dict[str, Any]) -> dict[str, gx.ExpectationSuite]:
    """The suite for each marts table (TABLES), by table name; needs an active GX context."""
    return {
        "fact_events": fact_events(reference["cameo_codes"]),
        "fact_event_mentions": fact_event_mentions(),
        "dim_actor": dim_actor(),
        "dim_place": dim_place(),
        "dim_article": dim_article(),
    }
