"""Great Expectations suites, built in code, one module per layer it checks (raw, marts).

The gate owns what dbt should not do: checks over a sample of a big table, warning-level findings a coder
acts on (unresolved names, quotes in page furniture, places outside their article's countries or far from
its other places, undated articles, rejected rows, implausible tolls), geographic checks, and the report.
It does not restate the loader's guarantees (a row's validity) nor dbt's tests (keys, relationships,
accepted values, the marts' cross-column rules): docs/architecture.md says who owns which rule.

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
    from expectations import marts, raw

    return [*raw.CHECKS, *marts.CHECKS]
