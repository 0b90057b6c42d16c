"""The staging suite: typed inputs and reference data, checked against each other."""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import Check, quad_class_follows_root, suite


def extractions_with_articles(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """No event happens after the article that reports it."""
    return suite(
        "staging.extractions_with_articles",
        [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="published_date", column_B="event_date", or_equal=True, ignore_row_if="either_value_is_missing"
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="article_title"),
        ],
    )


def cameo_codes(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """The CAMEO list: quad class follows the root code, Goldstein scores on their scale."""
    return suite(
        "staging.cameo_codes",
        [
            gxe.ExpectColumnValuesToBeUnique(column="cameo_code"),
            *quad_class_follows_root(),
            gxe.ExpectColumnValuesToBeBetween(column="goldstein_scale", min_value=-10, max_value=10),
            gxe.ExpectColumnValueLengthsToBeBetween(column="cameo_code", min_value=2, max_value=4),
        ],
    )


def actors(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Actors carry an ACLED inter code and a CAMEO actor code."""
    return suite(
        "staging.actors",
        [
            gxe.ExpectColumnValuesToBeUnique(column="actor_id"),
            gxe.ExpectColumnValuesToBeInSet(column="acled_inter_code", value_set=list(range(1, 9))),
            gxe.ExpectColumnValuesToNotBeNull(column="cameo_actor_code"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="valid_to", column_B="valid_from", ignore_row_if="either_value_is_missing"
            ),
        ],
    )


CHECKS = [
    Check(
        "staging.extractions_with_articles",
        """
        select extractions.mention_id, extractions.event_date, articles.published_date, articles.title as article_title
        from staging.stg_coding__extractions as extractions
        inner join staging.stg_coding__articles as articles using (article_id)
        """,
        extractions_with_articles,
    ),
    Check("staging.cameo_codes", "select * from staging.stg_reference__cameo_codes", cameo_codes),
    Check("staging.actors", "select * from staging.stg_reference__actors", actors),
]
