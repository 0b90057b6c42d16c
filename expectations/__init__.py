"""Great Expectations suites, built in code, one module per layer (raw, staging, marts).

Each module lists its `CHECKS`: a batch (the query that selects it from the warehouse) and the function
that builds the suite run on it. A batch with one row per row of a stored table names that table, and its
query reads the table as `{rows}`: the gate samples a big table's rows before the query runs, not the
query's output after it ran over every row.

Every expectation's `meta` says what a row that fails it means to a coder (`problem`, a phrase that follows
the row's noun: "coded rows" + "with a quote outside the article's body") and how bad it is (`severity`:
"error", the default, stops the run before the export; "warning" is reported and the run goes on). The
gate's message counts the failing rows and names the first ten by the check's `row_names`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def error(problem: str) -> dict[str, str]:
    """The `meta` of an expectation whose failure stops the run: `problem` says what a failing row means."""
    return {"severity": "error", "problem": problem}


def warning(problem: str) -> dict[str, str]:
    """The `meta` of an expectation whose failure is reported and the run goes on."""
    return {"severity": "warning", "problem": problem}


# CAMEO root code -> GDELT QuadClass (EVENT_DATA.md): 01-05 verbal cooperation, 06-08 material cooperation,
# 09-13 verbal conflict, 14-20 material conflict.
QUAD_CLASS_OF_ROOT = [
    (f"{root:02d}", 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4) for root in range(1, 21)
]
QUAD_CLASS_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}


def quad_class_follows_root() -> list[Any]:
    """Expectations that each row's quad_class is its cameo_root_code's, and the root a CAMEO root.

    One expectation per quad class, over the rows of its roots, and neither column null: what GX's
    column-pair set expectation checks, but that one walks a pandas batch row by row (9 s for 100,000
    rows at L)."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    roots = [root for root, _ in QUAD_CLASS_OF_ROOT]
    roots_of = {of: [root for root, of_root in QUAD_CLASS_OF_ROOT if of_root == of] for _, of in QUAD_CLASS_OF_ROOT}
    per_class = [
        gxe.ExpectColumnValuesToBeInSet(
            column="quad_class",
            value_set=[quad_class],
            row_condition=Column("cameo_root_code").is_in(class_roots),
            meta=error(
                f"whose quad class is not {quad_class} ({QUAD_CLASS_NAMES[quad_class]}) though the CAMEO root code "
                f"is {class_roots[0]}-{class_roots[-1]}"
            ),
        )
        for quad_class, class_roots in sorted(roots_of.items())
    ]
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="cameo_root_code", meta=error("without a CAMEO root code")),
        gxe.ExpectColumnValuesToNotBeNull(column="quad_class", meta=error("without a quad class")),
        gxe.ExpectColumnValuesToBeInSet(
            column="cameo_root_code", value_set=roots, meta=error("whose CAMEO root code is not one of 01-20")
        ),
        *per_class,
    ]


@dataclass(frozen=True)
class Check:
    """One batch to validate: its suite's name, the query that selects it, and the suite's builder.

    `row_names` are the columns (selected by the query) that name a row to a coder: a `source_file` and its
    row number, shown as `extractions/001.csv row 4`, or an id, shown as itself; any further column follows
    in brackets (a rejected row's reason). `row_noun` is what one row is ("coded row", "event"), whose
    plural adds an s. `table`, when given, is the stored table the batch has one row per row of; the query
    reads it as `{rows}`."""

    name: str
    query: str
    build: Callable[[dict[str, Any]], Any]
    row_names: tuple[str, ...]
    row_noun: str
    table: str | None = None


def suite(name: str, expectations: list[Any]) -> Any:
    """A gx.ExpectationSuite named `name` holding `expectations` (needs an active GX context)."""
    import great_expectations as gx

    built = gx.ExpectationSuite(name=name)
    for expectation in expectations:
        built.add_expectation(expectation)
    return built


def all_checks() -> list[Check]:
    """Every layer's checks, upstream first."""
    from expectations import marts, raw, staging

    return [*raw.CHECKS, *staging.CHECKS, *marts.CHECKS]
