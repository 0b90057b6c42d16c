"""The Great Expectations gate over the warehouse's layers (raw, staging, marts).

GX 1.24 returns no rows over a DuckDB SQL datasource (GX issues #11579, #10738), so each table is read
from DuckDB into pandas and validated as a dataframe batch. Every expectation's result is appended to
`quality.validation_results` in the warehouse, and the HTML data docs are written to `data_docs_dir`.

A batch holds every row of its table up to EVENTDW_GATE_MAX_ROWS rows (default 100,000); a bigger table
is validated on a uniform random sample of that many rows (DuckDB's reservoir sample, fixed seed), so
the gate's time and memory stay flat as the warehouse grows. A check over one stored table samples the
table's row ids, then reads the sampled rows and runs its query on them alone. The report says which
batches were samples. Keys, uniqueness, not-null and relationships over every row are dbt's tests, run by
`dbt build` before the gate.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw.quality_report import ValidationRow, write_report
from eventdw.warehouse import connect as warehouse_connect

if TYPE_CHECKING:
    from expectations import Check

DEFAULT_MAX_ROWS = "100000"


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
    data_docs_index: Path | None = None  # eventdw's offline report page, beside GX's data docs


def _describe(result: Any, suite: str) -> str:
    config = result.expectation_config
    kwargs = config.kwargs
    if kwargs.get("column"):
        subject = f"{kwargs['column']} "
    elif kwargs.get("column_A"):
        subject = f"{kwargs['column_A']},{kwargs['column_B']} "
    else:
        subject = ""
    unexpected = result.result.get("unexpected_count")
    observed = result.result.get("observed_value")
    detail = f" ({unexpected} unexpected)" if unexpected is not None else f" (observed {observed})"
    return f"{suite}: {subject}{config.type}{detail}"


def _severity(result: Any) -> str:
    return str((result.expectation_config.meta or {}).get("severity", "error"))


def _history_rows(run_id: str, suite: str, results: list[Any]) -> list[ValidationRow]:
    rows = []
    for result in results:
        config = result.expectation_config
        observed = result.result.get("observed_value", result.result.get("unexpected_count"))
        rows.append(
            ValidationRow(
                run_id,
                suite,
                config.type,
                json.dumps(config.kwargs, default=str, sort_keys=True),
                _severity(result),
                bool(result.success),
                None if observed is None else json.dumps(observed, default=str),
                result.result.get("unexpected_count"),
            )
        )
    return rows


def _batch_query(check: Check, rows: int, max_rows: int) -> str:
    """`check`'s query over all its `rows` rows, or over a uniform random sample of `max_rows` of them.

    A check over one stored table samples the table's row ids first (reading one column), then reads only
    those rows: sampling the query's output instead would read, and compute, every row's every column."""
    sample = f"using sample reservoir({max_rows} rows) repeatable (7)"
    if check.table is None:
        return check.query if rows <= max_rows else f"select * from ({check.query}) {sample}"
    if rows <= max_rows:
        return check.query.replace("{rows}", check.table)
    return check.query.replace(
        "{rows}", f"(select * from {check.table} where rowid in (select rowid from {check.table} {sample}))"
    )


def validate_warehouse(warehouse: Path, data_docs_dir: Path, run_id: str) -> QualityReport:
    """Validate every layer's batches; raise QualityError if an error-level expectation fails."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations import all_checks

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

    # Connections use the default configuration: dbt's connection to the same file may still be open
    # in this process, and DuckDB refuses a second one configured differently (read-only).
    checks = all_checks()
    report = QualityReport(run_id)
    max_rows = int(os.environ.get("EVENTDW_GATE_MAX_ROWS", DEFAULT_MAX_ROWS))
    frames = {}
    with warehouse_connect(warehouse) as con:
        reference = {"cameo_codes": [c for (c,) in con.execute("select cameo_code from raw.cameo_codes").fetchall()]}
        for check in checks:
            (rows,) = con.execute(f"select count(*) from {check.table or f'({check.query})'}").fetchone() or (0,)
            frames[check.name] = con.execute(_batch_query(check, rows, max_rows)).df()
            report.batch_rows[check.name] = (len(frames[check.name]), int(rows))

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(
        site_name="eventdw",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(data_docs_dir.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
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
            )
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[check.name]})
        for validation in outcome.run_results.values():
            results = list(validation.results)
            report.expectations += len(results)
            history += _history_rows(run_id, check.name, results)
            for result in results:
                if result.success:
                    continue
                target = report.failed_warnings if _severity(result) == "warning" else report.failed_errors
                target.append(_describe(result, check.name))
    # The data docs are built once, from every suite and stored result (one build per checkpoint re-rendered
    # the whole site each time: 6 s of the gate at L).
    context.build_data_docs(site_names=["eventdw"])

    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists quality")
        con.execute(
            """
            create table if not exists quality.validation_results (
                run_id varchar, suite varchar, expectation varchar, arguments varchar, severity varchar,
                success boolean, observed_value varchar, unexpected_count bigint,
                validated_at timestamp default current_timestamp
            )
            """
        )
        con.executemany(
            "insert into quality.validation_results (run_id, suite, expectation, arguments, severity, success, "
            "observed_value, unexpected_count) values (?, ?, ?, ?, ?, ?, ?, ?)",
            history,
        )
    report.data_docs_index = write_report(data_docs_dir, run_id, history, report.batch_rows)
    if report.failed_errors:
        more = f" (and {len(report.failed_errors) - 1} more)" if len(report.failed_errors) > 1 else ""
        raise QualityError(f"data quality gate failed: {report.failed_errors[0]}{more}")
    return report
