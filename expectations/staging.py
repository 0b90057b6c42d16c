"""The staging suite: typed inputs and reference data, checked against each other."""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import Check, error, quad_class_follows_root, suite


def extractions_with_articles(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """No event happens after the article that reports it: its window (a week or month coded at its middle)
    starts on or before the article's date."""
    return suite(
        "staging.extractions_with_articles",
        [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="published_date",
                column_B="event_window_start",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=error("whose event (its first possible day) is after the article's publication date"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="article_title", meta=error("whose article has no title")),
        ],
    )


def cameo_codes(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """The CAMEO list: quad class follows the root code, Goldstein scores on their scale."""
    return suite(
        "staging.cameo_codes",
        [
            gxe.ExpectColumnValuesToBeUnique(column="cameo_code", meta=error("listed more than once")),
            *quad_class_follows_root(),
            gxe.ExpectColumnValuesToBeBetween(
                column="goldstein_scale",
                min_value=-10,
                max_value=10,
                meta=error("with a Goldstein score outside -10 to 10"),
            ),
            gxe.ExpectColumnValueLengthsToBeBetween(
                column="cameo_code", min_value=2, max_value=4, meta=error("not 2-4 characters long")
            ),
        ],
    )


def actors(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Actors carry an ACLED inter code and a CAMEO actor code."""
    return suite(
        "staging.actors",
        [
            gxe.ExpectColumnValuesToBeUnique(column="actor_id", meta=error("listed more than once")),
            gxe.ExpectColumnValuesToBeInSet(
                column="acled_inter_code",
                value_set=list(range(1, 9)),
                meta=error("whose ACLED inter code is not 1-8"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="cameo_actor_code", meta=error("without a CAMEO actor code")),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="valid_to",
                column_B="valid_from",
                ignore_row_if="either_value_is_missing",
                meta=error("whose validity does not end after it starts (valid_to <= valid_from)"),
            ),
        ],
    )


CHECKS = [
    Check(
        "staging.extractions_with_articles",
        """
        select
            extractions.mention_id,
            extractions.source_file,
            extractions.row_number,
            extractions.event_date,
            extractions.event_window_start,
            articles.published_date,
            articles.title as article_title
        from staging.stg_coding__extractions as extractions
        inner join staging.stg_coding__articles as articles using (article_id)
        """,
        extractions_with_articles,
        row_names=("source_file", "row_number"),
        row_noun="coded row",
    ),
    Check(
        "staging.cameo_codes",
        "select * from staging.stg_reference__cameo_codes",
        cameo_codes,
        row_names=("cameo_code",),
        row_noun="CAMEO code",
    ),
    Check(
        "staging.actors",
        "select * from staging.stg_reference__actors",
        actors,
        row_names=("actor_id",),
        row_noun="actor",
    ),
]
