"""The raw suite: what the loader landed, before any modelling."""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import Check, error, suite, warning


def extractions(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Accepted rows carry valid codes, scales and evidence offsets."""
    return suite(
        "raw.extractions",
        [
            gxe.ExpectColumnValuesToBeUnique(
                column="extraction_id", meta=error("whose extraction_id is not unique (the same row loaded twice)")
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="cameo_code",
                value_set=reference["cameo_codes"],
                meta=error("whose CAMEO code is not in the CAMEO list"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="event_date", meta=error("without an event date")),
            gxe.ExpectColumnValuesToBeInSet(
                column="time_precision", value_set=[1, 2, 3, 4], meta=error("whose time precision is not 1-4")
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="geo_precision", value_set=[1, 2, 3], meta=error("whose geo precision is not 1-3")
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="fatalities", min_value=0, meta=error("with a negative number of fatalities")
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="confidence", min_value=0, max_value=1, meta=error("with a confidence outside 0-1")
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="quote_end",
                column_B="quote_start",
                meta=error("whose quote does not end after it starts (quote_end <= quote_start)"),
            ),
        ],
    )


def articles(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Articles are unique, have text, and usually a date."""
    return suite(
        "raw.articles",
        [
            gxe.ExpectColumnValuesToBeUnique(
                column="article_id", meta=error("whose article_id is not unique (the same text loaded twice)")
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="raw_text", meta=error("without text")),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="body_end",
                column_B="body_start",
                meta=error("whose story body does not end after it starts (body_end <= body_start)"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="published_date", meta=warning("without a publication date")),
        ],
    )


def rejected_rows(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Every rejection names the field (or file/row) it is about; any rejection is worth a look."""
    return suite(
        "raw.rejected_rows",
        [
            gxe.ExpectColumnValuesToNotBeNull(column="reason", meta=error("rejected without a reason")),
            gxe.ExpectColumnValuesToMatchRegex(
                column="reason",
                regex=r"^[a-z0-9_]+: ",
                meta=error("rejected for a reason that does not start with what it is about ('field: why')"),
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="input_kind",
                value_set=["article", "extraction"],
                meta=error("rejected as neither an article nor an extraction (input_kind)"),
            ),
            gxe.ExpectTableRowCountToEqual(
                value=0, meta=warning("rejected by the loader, left out of the warehouse (see raw.rejected_rows)")
            ),
        ],
    )


CHECKS = [
    Check(
        "raw.extractions",
        "select * from {rows}",
        extractions,
        row_names=("source_file", "row_number"),
        row_noun="coded row",
        table="raw.extractions",
    ),
    Check(
        "raw.articles",
        "select article_id, raw_text, published_date, body_start, body_end from {rows}",
        articles,
        row_names=("article_id",),
        row_noun="article",
        table="raw.articles",
    ),
    Check(
        "raw.rejected_rows",
        "select * from {rows}",
        rejected_rows,
        row_names=("source_file", "row_number", "reason"),
        row_noun="input",
        table="raw.rejected_rows",
    ),
]
