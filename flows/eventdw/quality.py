"""The Great Expectations gate over the warehouse's layers (raw, staging, marts).

GX 1.24 returns no rows over a DuckDB SQL datasource (GX issues #11579, #10738), so each table is read
from DuckDB into pandas and validated as a dataframe batch. Every expectation's result is appended to
`quality.validation_results` in the warehouse, and the run's report is written to `data_docs_dir/index.html`
(eventdw.quality_report; Great Expectations' own data docs site is not built: it needs the internet to list
anything).

A batch holds every row of its table up to EVENTDW_GATE_MAX_ROWS rows (default 100,000); a bigger table
is validated on a uniform random sample of that many rows (DuckDB's reservoir sample, fixed seed), so
the gate's time and memory stay flat as the warehouse grows. A check over one stored table samples the
table's row ids, then reads the sampled rows and runs its query on them alone. The report says which
batches were samples. Keys, uniqueness, not-null and relationships over every row are dbt's tests, run by
`dbt build` before the gate.

A failed expectation is reported in a coder's words: how many rows fail it, what that means (the
expectation's `meta.problem`) and the first ten of them by their `Check.row_names`, e.g.
`marts.fact_event_mentions: 2 coded rows with a quote outside the article's body (page furniture):
extractions/001.csv row 4, extractions/003.csv row 7`. GX returns the batch's row labels of the first
ten failing rows (`partial_unexpected_index_list`), and the gate reads their names from its own frame:
asking GX for the names (`unexpected_index_column_names`) walks every failing row in Python, even when
it keeps ten. A table-level expectation (raw.rejected_rows is empty) has no failing rows of its own: its
message counts the table's rows and names the batch's first ten.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw import import_great_expectations, turn_analytics_off
from eventdw.quality_report import ValidationRow, write_agreement_page, write_report
from eventdw.warehouse import SettingError
from eventdw.warehouse import connect as warehouse_connect

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

    from expectations import Check

DEFAULT_MAX_ROWS = "100000"
# Every this many runs, the dbt tests and the gate validate every row even when the build was incremental.
DEFAULT_FULL_CHECK_EVERY = "7"
NAMED_ROWS = 10  # failing rows a message names; the rest are counted
# GX's result for each expectation: the count of failing rows and the batch labels of the first ten. No
# query listing every failing row's label: the gate does not read it.
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": NAMED_ROWS,
    "return_unexpected_index_query": False,
}


class QualityError(Exception):
    """An error-level expectation failed: the run stops before the export."""


@dataclass
class QualityReport:
    """The outcome of one gate run."""

    run_id: str
    expectations: int = 0
    failed_errors: list[str] = field(default_factory=list)
    failed_warnings: list[str] = field(default_factory=list)
    batch_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # suite -> (rows validated, rows)
    batch_scoped: list[str] = field(default_factory=list)  # the suites that validated the build's rows alone
    data_docs_index: Path | None = None  # the run's report page, data_docs/index.html


def _severity(result: Any) -> str:
    return str((result.expectation_config.meta or {}).get("severity", "error"))


def _row_name(row: dict[str, Any], names: tuple[str, ...]) -> str:
    """A row as a coder finds it: `extractions/001.csv row 4`, or its id; any further column in brackets."""
    import pandas as pd

    def text(value: Any) -> str | None:
        if value is None or pd.isna(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    first, *rest = names
    name = text(row[first]) or f"(no {first})"
    if first == "source_file" and rest:
        number = text(row[rest.pop(0)])
        name += f" row {number}" if number else ""
    details = [detail for detail in (text(row[column]) for column in rest) if detail]
    return name + "".join(f" ({detail})" for detail in details)


def _failing_rows(result: Any, check: Check, frame: pd.DataFrame, rows: int) -> tuple[int, list[str]] | None:
    """How many rows fail `result`'s expectation and the names of the first ten; None if its failure is not
    about rows (an aggregate, such as a column's mean). A table-level expectation fails on every row."""
    kwargs = result.expectation_config.kwargs
    if result.result.get("unexpected_count") is not None:
        count = int(result.result["unexpected_count"])
        labels = list(result.result.get("partial_unexpected_index_list") or [])[:NAMED_ROWS]
    elif not any(kwargs.get(domain) for domain in ("column", "column_A", "column_list")):
        count, labels = rows, list(frame.index[:NAMED_ROWS])
    else:
        return None
    named = frame.loc[labels, list(dict.fromkeys(check.row_names))].to_dict("records")
    return count, [_row_name(row, check.row_names) for row in named]


def _message(result: Any, check: Check, failing: tuple[int, list[str]] | None, sample: str) -> str:
    """The sentence a coder reads for a failed expectation: `<suite>: <count> <rows> <problem>: <names>`."""
    config = result.expectation_config
    problem = (config.meta or {}).get("problem") or f"failing {config.type}"
    if failing is None:
        return f"{check.name}: {problem} (observed {result.result.get('observed_value')})"
    count, names = failing
    listed = ", ".join(names) + (f", ... and {count - len(names)} more" if count > len(names) else "")
    noun = check.row_noun if count == 1 else f"{check.row_noun}s"
    return f"{check.name}: {count} {noun} {problem}{sample}" + (f": {listed}" if names else "")


def _history_rows(
    run_id: str, check: Check, results: list[Any], frame: pd.DataFrame, batch_rows: tuple[int, int]
) -> list[ValidationRow]:
    """`results` as rows of `quality.validation_results`, a failure with its message and named rows."""
    validated, total = batch_rows
    rows = []
    for result in results:
        config = result.expectation_config
        observed = result.result.get("observed_value", result.result.get("unexpected_count"))
        failing, message = None, None
        if not result.success:
            failing = _failing_rows(result, check, frame, total)
            in_sample = result.result.get("unexpected_count") is not None and validated < total
            sample = f" (in a random sample of {validated:,} of {total:,} rows)" if in_sample else ""
            message = _message(result, check, failing, sample)
        rows.append(
            ValidationRow(
                run_id,
                check.name,
                config.type,
                json.dumps(config.kwargs, default=str, sort_keys=True),
                _severity(result),
                bool(result.success),
                None if observed is None else json.dumps(observed, default=str),
                result.result.get("unexpected_count"),
                None if failing is None else json.dumps(failing[1]),
                message,
                f"{check.row_noun}s {(config.meta or {}).get('problem') or f'failing {config.type}'}",
            )
        )
    return rows


def _batch_query(check: Check, rows: int, max_rows: int, on_spark: bool = False, where: str = "") -> str:
    """`check`'s query over all its `rows` rows, or over a uniform random sample of `max_rows` of them, in
    the order of its row names (a message names the first failing rows, e.g. the first in each file). Given
    `where`, a predicate on its table's columns, the rows are those of its table that meet it.

    On DuckDB, a check over one stored table samples the table's row ids first (reading one column), then
    reads only those rows: sampling the query's output instead would read, and compute, every row's every
    column. On Spark (`on_spark`), the sample is the rows of the `max_rows` lowest values of a seeded random
    number, drawn on the executors, each keeping its lowest `max_rows`."""
    table, condition = check.table, f" where {where}" if where else ""
    if rows <= max_rows:
        query = (
            check.query if table is None else check.query.replace("{rows}", f"(select * from {table}{condition}) as t")
        )
    elif on_spark:
        sample = f"order by rand(7) limit {max_rows}"
        query = (
            f"select * from ({check.query}) as batch {sample}"
            if table is None
            else check.query.replace("{rows}", f"(select * from {table}{condition} {sample}) as sampled")
        )
    else:
        sample = f"using sample reservoir({max_rows} rows) repeatable (7)"
        # DuckDB samples before it filters: the row ids that meet `where` are sampled.
        ids = f"select row_id from (select rowid as row_id from {table}{condition}) {sample}"
        query = (
            f"select * from ({check.query}) {sample}"
            if table is None
            else check.query.replace("{rows}", f"(select * from {table} where rowid in ({ids}))")
        )
    return f"select * from ({query}) as batch order by {', '.join(check.row_names)}"


def batch_predicate(check: Check, run_id: str | None) -> str:
    """What rows of `check`'s table the gate validates: on a build that checks its batch (`run_id`, the run
    that wrote it), a mart's rows written by that run, the rows an incremental build wrote and the events
    they touched; every row otherwise, and of the raw tables and the query-only checks always."""
    if run_id is None or check.table is None or not check.table.startswith("marts."):
        return ""
    return f"run_id = '{run_id}'"


def _draw_batches(
    checks: list[Check], report: QualityReport, warehouse: Path, spark: SparkSession | None, batch_of: str | None
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Each check's batch as a pandas frame, from the DuckDB warehouse or, on the Spark engine, from Spark's
    tables (landed raw tables and the marts Spark built), of the rows the run `batch_of` wrote when given
    (batch_predicate); and the reference lists the suites need."""
    if spark is not None:
        return _read_batches(checks, report, lambda query: spark.sql(query).toPandas(), True, batch_of)
    # Connections use the default configuration: dbt's connection to the same file may still be open
    # in this process, and DuckDB refuses a second one configured differently (read-only).
    with warehouse_connect(warehouse) as con:
        return _read_batches(checks, report, lambda query: con.execute(query).df(), False, batch_of)


def _read_batches(
    checks: list[Check],
    report: QualityReport,
    read: Callable[[str], pd.DataFrame],
    on_spark: bool,
    batch_of: str | None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    batch_limit = max_rows()
    reference = {"cameo_codes": read("select cameo_code from raw.cameo_codes")["cameo_code"].tolist()}
    frames = {}
    for check in checks:
        where = batch_predicate(check, batch_of)
        counted = read(
            f"select count(*) as num_rows from {check.table}{f' where {where}' if where else ''}"
            if check.table
            else f"select count(*) as num_rows from ({check.query}) as batch"
        )
        rows = int(counted["num_rows"].iloc[0])
        frames[check.name] = read(_batch_query(check, rows, batch_limit, on_spark, where))
        report.batch_rows[check.name] = (len(frames[check.name]), rows)
        if where:
            report.batch_scoped.append(check.name)
    return frames, reference


def max_rows() -> int:
    """EVENTDW_GATE_MAX_ROWS, the most rows a batch holds (SettingError unless a whole number of at least 1:
    0 would validate nothing)."""
    value = os.environ.get("EVENTDW_GATE_MAX_ROWS", DEFAULT_MAX_ROWS)
    if not value.strip().isdigit() or int(value) < 1:
        raise SettingError(f"EVENTDW_GATE_MAX_ROWS={value!r} must be a whole number of rows, at least 1")
    return int(value)


def full_check_every() -> int:
    """EVENTDW_FULL_CHECK_EVERY: every how many runs the tests and the gate validate every row, whatever the
    build (SettingError unless a whole number of at least 1; 1 is every run)."""
    value = os.environ.get("EVENTDW_FULL_CHECK_EVERY", DEFAULT_FULL_CHECK_EVERY)
    if not value.strip().isdigit() or int(value) < 1:
        raise SettingError(f"EVENTDW_FULL_CHECK_EVERY={value!r} must be a whole number of runs, at least 1")
    return int(value)


def full_check_due(warehouse: Path) -> bool:
    """Whether this run is the EVENTDW_FULL_CHECK_EVERY-th since the last that validated every row (or no run
    of the warehouse has yet): `quality.check_runs` records each run's scope."""
    every = full_check_every()
    with warehouse_connect(warehouse) as con:
        (exists,) = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'quality' and table_name = 'check_runs'"
        ).fetchone() or (0,)
        if not exists:
            return True
        (since, ever) = con.execute(
            """
            select
                count(*) filter (where checked_at > coalesce(
                    (select max(checked_at) from quality.check_runs where checked_everything), '-infinity')),
                bool_or(checked_everything)
            from quality.check_runs
            """
        ).fetchone() or (0, False)
    return not ever or since + 1 >= every


def validate_warehouse(
    warehouse: Path,
    data_docs_dir: Path,
    run_id: str,
    spark: SparkSession | None = None,
    everything: bool = True,
) -> QualityReport:
    """Validate every layer's batches, drawn from the warehouse or, given `spark`, from the tables of the Spark
    engine (eventdw.spark); raise QualityError if an error-level expectation fails. The results are kept in
    the DuckDB warehouse on both engines. Unless `everything`, the marts' batches are the rows this run
    (`run_id`) wrote, an incremental build's (batch_predicate)."""
    turn_analytics_off()
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations import all_checks

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

    checks = all_checks()
    report = QualityReport(run_id)
    frames, reference = _draw_batches(checks, report, warehouse, spark, None if everything else run_id)
    for check in checks:
        unnamed = set(check.row_names) - set(frames[check.name].columns)
        if unnamed:
            raise ValueError(f"{check.name}: the batch's query does not select its row_names {sorted(unnamed)}")

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    datasource = context.data_sources.add_pandas("warehouse")
    history: list[ValidationRow] = []
    for check in checks:
        suite = context.suites.add(check.build(reference))
        batch = datasource.add_dataframe_asset(check.name).add_batch_definition_whole_dataframe("whole batch")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=check.name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=check.name,
                validation_definitions=[definition],
                actions=[],
                result_format=RESULT_FORMAT,
            )
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[check.name]})
        for validation in outcome.run_results.values():
            results = list(validation.results)
            report.expectations += len(results)
            rows = _history_rows(run_id, check, results, frames[check.name], report.batch_rows[check.name])
            history += rows
            for row in rows:
                if row.message is not None:
                    (report.failed_warnings if row.severity == "warning" else report.failed_errors).append(row.message)

    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists quality")
        con.execute(
            """
            create table if not exists quality.validation_results (
                run_id varchar, suite varchar, expectation varchar, arguments varchar, severity varchar,
                success boolean, observed_value varchar, unexpected_count bigint,
                validated_at timestamp default current_timestamp, unexpected_rows varchar, message varchar,
                meaning varchar
            )
            """
        )
        # A warehouse whose table predates the named rows gains their columns, at the end.
        for column in ("unexpected_rows", "message", "meaning"):
            con.execute(f"alter table quality.validation_results add column if not exists {column} varchar")
        con.execute(
            "create table if not exists quality.check_runs "
            "(run_id varchar, checked_everything boolean, checked_at timestamp default current_timestamp)"
        )
        con.execute("insert into quality.check_runs (run_id, checked_everything) values (?, ?)", [run_id, everything])
        con.executemany(
            "insert into quality.validation_results (run_id, suite, expectation, arguments, severity, success, "
            "observed_value, unexpected_count, unexpected_rows, message, meaning) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            history,
        )
        if spark is None:
            agreement = con.execute("select * from marts.report_coder_agreement").df()
    if spark is not None:
        agreement = spark.table("marts.report_coder_agreement").toPandas()
    from eventdw.agreement import in_field_order  # (pandas: not imported by a run that stops at its scan)

    write_agreement_page(data_docs_dir, run_id, in_field_order(agreement))
    report.data_docs_index = write_report(data_docs_dir, run_id, history, report.batch_rows, report.batch_scoped)
    if report.failed_errors:
        others = len(report.failed_errors) - 1
        more = f"; {others} more expectation{'s' if others > 1 else ''} failed, see {report.data_docs_index}"
        raise QualityError(f"data quality gate failed: {report.failed_errors[0]}{more if others else ''}")
    return report
