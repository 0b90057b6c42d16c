"""The raw suite: what the loader left out, for a coder to look at."""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import Check, suite, warning


def rejected_rows(reference: dict[str, Any]) -> gx.ExpectationSuite:
    """Any rejected input is worth a look (the loader gave each its reason)."""
    return suite(
        "raw.rejected_rows",
        [
            gxe.ExpectTableRowCountToEqual(
                value=0, meta=warning("rejected by the loader, left out of the warehouse (see raw.rejected_rows)")
            ),
        ],
    )


CHECKS = [
    Check(
        "raw.rejected_rows",
        "select * from {rows}",
        rejected_rows,
        row_names=("source_file", "row_number", "reason"),
        row_noun="input",
        table="raw.rejected_rows",
    ),
]
