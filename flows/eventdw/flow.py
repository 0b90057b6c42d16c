"""The main job: load raw inputs -> dbt build -> Great Expectations gate -> Parquet export (-> the lake)."""

from __future__ import annotations

import dataclasses
import functools
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.states import Cancelled, State

from eventdw import export, ingest, lake, quality, state, transform, versions
from eventdw.lock import WarehouseBusy, exclusive_run
from eventdw.progress import console
from eventdw.spark import marts_connection
from eventdw.summary import RunSummary, marts_counts, summary_markdown, unchanged_run
from eventdw.warehouse import connect as warehouse_connect

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@task
def load_inputs(seeds_dir: Path, warehouse: Path, run_id: str) -> ingest.LoadSummary:
    """Land articles, extractions and reference data in the raw schema."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with warehouse_connect(warehouse) as con:
        # From here on the warehouse is this run's: no later run may skip on the strength of the last one.
        state.forget_finished_run(con)
        loaded = ingest.load_inputs(con, seeds_dir, run_id)
    _report(
        f"load: {loaded.articles_loaded} articles; {loaded.extraction_rows_read} extraction rows read, "
        f"{loaded.extraction_rows_read - loaded.extraction_rows_accepted} rejected; "
        f"{loaded.imported_rows_accepted} ACLED/GDELT rows imported, {loaded.imported_rows_rejected} rejected "
        f"({loaded.rejected_rows} rows and files in raw.rejected_rows)"
    )
    return loaded


def _report(line: str) -> None:
    """A stage's counts: on the console as the run goes, and in the task's log in Prefect."""
    console.say(line)
    get_run_logger().info(line)


def _spark(warehouse: Path, engine: str) -> SparkSession | None:
    """The Spark session of the warehouse's Spark engine (one per process, eventdw.spark), or None on DuckDB."""
    if engine != "spark":
        return None
    from eventdw.spark import local_session, work_dir_of

    return local_session(work_dir_of(warehouse))


@task
def build_models(
    warehouse: Path, run_id: str, engine: str = "duckdb", full_check: bool = False
) -> transform.BuildResult:
    """dbt build: staging, intermediate and marts models with their tests (incremental when it is safe, its
    tests then on the rows it wrote unless `full_check`); the rows it writes carry the run id and the build
    id. On the Spark engine, the build runs on Spark."""
    console.say("dbt build: starting")
    built = transform.dbt_build(warehouse, run_id=run_id, spark=_spark(warehouse, engine), full_check=full_check)
    get_run_logger().info(f"dbt build, {built.description}: {built.node_counts}")
    return built


@task
def record_build(warehouse: Path, run_id: str, record: dict[str, Any] | None) -> dict[str, Any]:
    """The build's record (versions, reference and input hashes, build id) in eventdw_state.builds: the one
    the build stamped on its rows or, when there was nothing to build, the warehouse's as loaded."""
    with warehouse_connect(warehouse) as con:
        record = versions.record_build(con, run_id, record)
    _report(f"build {record['build_id']}: recorded in eventdw_state.builds (`eventdw versions`)")
    return record


@task
def validate_warehouse(
    warehouse: Path, data_docs_dir: Path, run_id: str, engine: str = "duckdb", everything: bool = True
) -> quality.QualityReport:
    """The Great Expectations gate over the raw, staging and marts layers (their batches drawn from Spark on
    the Spark engine); unless `everything`, the marts' rows this run wrote."""
    report = quality.validate_warehouse(warehouse, data_docs_dir, run_id, _spark(warehouse, engine), everything)
    scope = "" if everything else f" ({len(report.batch_scoped)} on the rows this build wrote)"
    _report(
        f"quality gate: {len(report.batch_rows)} suites{scope}, {report.expectations} expectations, "
        f"{len(report.failed_warnings)} warnings; report {report.data_docs_index}"
    )
    return report


def _worth_retrying(task: object, task_run: object, state: State) -> bool:
    """A failed export is tried again unless eventdw refused it (a folder it must not replace, a busy one)."""
    try:
        state.result()
    except export.ExportError:
        return False
    except Exception:
        return True
    return False


@task(retries=1, retry_delay_seconds=2, retry_condition_fn=_worth_retrying)
def export_marts(
    warehouse: Path, exports_dir: Path, run_id: str, build: dict[str, Any], engine: str = "duckdb"
) -> dict[str, int]:
    """Write the marts (the ones Spark built, on the Spark engine) to Parquet with a manifest that carries the
    build's record."""
    spark = _spark(warehouse, engine)
    marts = (
        None if spark is None else functools.partial(marts_connection, spark, small_tables=export.READS_BESIDES_MARTS)
    )
    written = export.export_marts(warehouse, exports_dir, run_id, build, marts)
    _report(f"export: {len(written)} tables, {sum(written.values()):,} rows, to {exports_dir}/")
    return written


@task
def sync_lake(warehouse: Path, lake_dir: Path, run_id: str, engine: str = "duckdb") -> str:
    """Bring the lake (EVENTDW_LAKE) up to the marts in one snapshot; where it is, with the snapshot."""
    spark = _spark(warehouse, engine)
    marts = None if spark is None else functools.partial(marts_connection, spark)
    changed, snapshot = lake.sync_lake(warehouse, lake_dir, run_id, marts)
    _report(f"lake: {sum(changed.values()):,} rows deleted or appended in {lake_dir}/, snapshot {snapshot}")
    return f"{lake_dir}/ (snapshot {snapshot})"


def _count_marts(warehouse: Path, engine: str = "duckdb") -> dict[str, int]:
    spark = _spark(warehouse, engine)
    # The counts read stored tables only: Spark need not compute the marts' views again after the export.
    with warehouse_connect(warehouse) if spark is None else marts_connection(spark, with_views=False) as con:
        return marts_counts(con)


def _rejection_reasons(warehouse: Path, limit: int = 10) -> list[tuple[str, str, int]]:
    """The most frequent reasons in raw.rejected_rows: (input kind, reason, rows)."""
    with warehouse_connect(warehouse) as con:
        return [
            (str(kind), str(reason), int(rows))
            for kind, reason, rows in con.execute(
                f"""
                select input_kind, reason, count(*) as num_rows
                from raw.rejected_rows
                group by all
                order by num_rows desc, input_kind, reason
                limit {limit}
                """
            ).fetchall()
        ]


@flow(name="eventdw", log_prints=True)
def eventdw_pipeline(
    seeds_dir: Path,
    warehouse: Path,
    exports_dir: Path,
    data_docs_dir: Path,
    wait_seconds: float = 0,
    engine: str = "duckdb",
    fingerprint: str | None = None,
    full_check: bool = False,
) -> RunSummary | State:
    """Build the event warehouse from the inputs in `seeds_dir`, with dbt on `engine`: duckdb (the warehouse
    file) or spark (eventdw.spark: the inputs loaded and checked in the warehouse file, the models built
    on Spark, the gate and the export reading Spark's tables).

    A run that finds nothing changed since the last finished run (the same inputs, settings and code,
    eventdw.state.run_fingerprint; `fingerprint` when the caller scanned already) returns that run's summary
    at once: its warehouse, report and exports stand. A run that finds the warehouse busy with another run
    waits up to `wait_seconds` for it (scheduled runs wait, see eventdw.schedule), then ends as Cancelled,
    "skipped", with the other run named, instead of failing.

    An incremental build's dbt tests and gate validate the rows it wrote; a full refresh, `full_check` and
    every EVENTDW_FULL_CHECK_EVERY-th run (eventdw.quality.full_check_due) validate every row.
    """
    if fingerprint is None:
        fingerprint, unchanged = unchanged_run(seeds_dir, warehouse, exports_dir, data_docs_dir, engine)
        if unchanged is not None and not full_check:
            _report(f"nothing changed since run {unchanged.run_id} ({unchanged.unchanged_since}): nothing to do")
            return unchanged
    run_id = uuid.uuid4().hex[:12]
    try:
        with exclusive_run(warehouse, wait_seconds=wait_seconds):
            loaded = load_inputs(seeds_dir, warehouse, run_id)
            full_check = full_check or quality.full_check_due(warehouse)
            build = build_models(warehouse, run_id, engine, full_check)
            # Recorded before the gate: a build the gate stops is in the warehouse too, and its rows name it.
            record = record_build(warehouse, run_id, build.record)
            # A build that wrote nothing has no batch of its own: the gate validates every row.
            everything = full_check or build.full_refresh or not build.ran
            report = validate_warehouse(warehouse, data_docs_dir, run_id, engine, everything)
            if export.parquet_export():
                export_marts(warehouse, exports_dir, run_id, record, engine)
            lake_dir = lake.lake_dir()
            in_lake = None if lake_dir is None else sync_lake(warehouse, lake_dir, run_id, engine)
            counts = _count_marts(warehouse, engine)
            reasons = _rejection_reasons(warehouse)
            summary = RunSummary.of_run(
                run_id,
                loaded,
                build.description,
                report,
                counts,
                warehouse,
                data_docs_dir,
                exports_dir,
                in_lake,
                export.parquet_export(),
            )
            # Under the lock still: a run that starts after this one finds its record.
            state.record_finished_run(warehouse, fingerprint, run_id, dataclasses.asdict(summary))
    except WarehouseBusy as busy:
        get_run_logger().warning(f"skipped: {busy}")
        return Cancelled(message=f"skipped: {busy}")
    create_markdown_artifact(
        key="eventdw-run-summary",
        markdown=summary_markdown(summary, reasons),
        description=f"eventdw run {run_id}: what was loaded, rejected, built and exported",
    )
    return summary


# `eventdw serve` hands each run this flow pickled (schedule.scheduled_runner). Its function is then found by
# this name, as a module's functions are, instead of being pickled with the module's globals, whose locks
# cannot be.
eventdw_pipeline.fn.__qualname__ = "eventdw_pipeline.fn"
