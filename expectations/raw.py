"""The raw suite: what the loader landed, before any modelling."""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import WARNING, Check, suite


def extractions(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Accepted rows carry valid codes, scales and evidence offsets."""
    return suite(
        "raw.extractions",
        [
            gxe.ExpectColumnValuesToBeUnique(column="extraction_id"),
            gxe.ExpectColumnValuesToBeInSet(column="cameo_code", value_set=reference["cameo_codes"]),
            gxe.ExpectColumnValuesToNotBeNull(column="event_date"),
            gxe.ExpectColumnValuesToBeInSet(column="time_precision", value_set=[1, 2, 3, 4]),
            gxe.ExpectColumnValuesToBeInSet(column="geo_precision", value_set=[1, 2, 3]),
            gxe.ExpectColumnValuesToBeBetween(column="fatalities", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="confidence", min_value=0, max_value=1),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="quote_end", column_B="quote_start"),
        ],
    )


def articles(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Articles are unique, have text, and usually a date."""
    return suite(
        "raw.articles",
        [
            gxe.ExpectColumnValuesToBeUnique(column="article_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="raw_text"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="body_end", column_B="body_start"),
            gxe.ExpectColumnValuesToNotBeNull(column="published_date", meta=WARNING),
        ],
    )


def rejected_rows(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Every rejection names the field (or file/row) it is about; any rejection is worth a look."""
    return suite(
        "raw.rejected_rows",
        [
            gxe.ExpectColumnValuesToNotBeNull(column="reason"),
            gxe.ExpectColumnValuesToMatchRegex(column="reason", regex=r"^[a-z0-9_]+: "),
            gxe.ExpectColumnValuesToBeInSet(column="input_kind", value_set=["article", "extraction"]),
            gxe.ExpectTableRowCountToEqual(value=0, meta=WARNING),
        ],
    )


CHECKS = [
    Check("raw.extractions", "select * from {rows}", extractions, table="raw.extractions"),
    Check(
        "raw.articles",
        "select article_id, raw_text, published_date, body_start, body_end from {rows}",
        articles,
        table="raw.articles",
    ),
    Check("raw.rejected_rows", "select * from {rows}", rejected_rows, table="raw.rejected_rows"),
]
