"""Run the dbt project against the warehouse, as the build plan says (eventdw.state): incrementally when it
is safe, a full refresh when not; a failed build is reported in one line."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw import DBT_PROJECT_DIR, state, versions
from eventdw.progress import DbtProgress, console
from eventdw.state import Changes
from eventdw.warehouse import connect as warehouse_connect
from eventdw.warehouse import held, out_of_memory

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class BuildResult:
    """One dbt build: whether it was a full refresh, why, what changed, and its nodes counted by status."""

    full_refresh: bool
    reason: str
    node_counts: dict[str, int] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)
    record: dict[str, Any] | None = None  # the build record stamped on the rows this build wrote

    @property
    def description(self) -> str:
        """ "full refresh: why" or "incremental: what changed", as the run summary prints it."""
        return ("full refresh: " if self.full_refresh else "incremental: ") + self.reason

    @property
    def ran(self) -> bool:
        """Whether dbt ran (a build that finds nothing changed does not run it)."""
        return self.full_refresh or bool(self.changes)


class TransformError(Exception):
    """dbt build failed: a model did not build or a test failed."""


FAILING_ROWS_SHOWN = 10


def _failing_rows(warehouse: Path, compiled_sql: str | None, spark: SparkSession | None = None) -> str:
    """The first rows a failed data test's query returns (on Spark when `spark` is given), as
    "column=value, ..." each; "" if it cannot run."""
    if not compiled_sql:
        return ""
    query = f"select * from ({compiled_sql}) as failing limit {FAILING_ROWS_SHOWN + 1}"
    try:
        if spark is not None:
            frame = spark.sql(query)
            columns, rows = frame.columns, [tuple(row) for row in frame.collect()]
        else:
            with warehouse_connect(warehouse) as con:
                cursor = con.execute(query)
                columns = [column for column, *_ in cursor.description or []]
                rows = cursor.fetchall()
    except Exception:  # the message without rows still names the test; nothing more to say
        return ""
    shown = [
        " ".join(", ".join(f"{column}={value}" for column, value in zip(columns, row, strict=True)).split())[:200]
        for row in rows[:FAILING_ROWS_SHOWN]
    ]
    more = ", ..." if len(rows) > FAILING_ROWS_SHOWN else ""
    return ": " + "; ".join(f"({row})" for row in shown) + more if shown else ""


def _describe_failure(result: Any, warehouse: Path, spark: SparkSession | None = None) -> str:
    """One line for a failed dbt node: which test or model, on what table, what went wrong, and for a data
    test the first failing rows its query returns."""
    node = result.node
    message = " ".join(str(result.message or "").split())
    metadata = getattr(node, "test_metadata", None)
    if metadata is not None:
        model = (getattr(node, "attached_node", None) or "").split(".")[-1]
        column = getattr(node, "column_name", None)
        target = f"{model}.{column}" if column else model
        failures = getattr(result, "failures", None)
        if not failures:
            return f"test {metadata.name} on {target}: {message}"
        rows = _failing_rows(warehouse, getattr(node, "compiled_code", None), spark)
        return f"test {metadata.name} on {target}: {failures} failing row(s){rows}"
    if getattr(node, "resource_type", None) == "test" and getattr(result, "failures", None):  # a singular test
        rows = _failing_rows(warehouse, getattr(node, "compiled_code", None), spark)
        return f"test {node.name}: {result.failures} failing row(s){rows}"
    if getattr(node, "resource_type", None) == "unit_test":
        return f"unit test {node.name}: {message[:200]}"
    if spark is None and (advice := out_of_memory(message)):
        return f"{node.resource_type} {node.name}: {advice}"
    return f"{node.resource_type} {node.name}: {_exception_of(str(result.message or '')) or message[:200]}"


def _exception_of(message: str) -> str | None:
    """A Python model's failure by what failed ("Runtime Error in model x (...): KeyError: 'run_id'"): the
    first line of dbt's message and the last of the traceback in it, the exception. None for a message
    without a traceback. (Its first 200 characters were paths into pandas.)"""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not any(line.startswith("Traceback (most recent call last)") for line in lines):
        return None
    return f"{lines[0]}: {lines[-1]}"[:400]


# dbt's threads in an incremental build on DuckDB that rebuilds at most INCREMENTAL_THREADS_UP_TO of the
# articles and imported events (the profile's otherwise). Its nodes read the batch, not whole tables: most of
# a day's build at L was dbt's own time around small queries, and its tests waited in line behind the models
# on two threads (the models after fact_events waited 0.8 s for its tests). A full refresh, or an incremental
# build of most of the warehouse (a new loader hashes every article again), keeps two: two of its passes over
# every mention at once need all of the memory cap. The largest measured on four, the benchmark's edit of 1%
# of the rows at L, rebuilt 9.7% of the articles and peaked at 5.3 GB.
INCREMENTAL_THREADS = 4
INCREMENTAL_THREADS_UP_TO = 0.2


def _dbt_args(command: list[str], warehouse: Path, verbose: bool, target: str = "duckdb") -> list[str]:
    """dbt's command line for `command` on `warehouse` (on the profile's `target`: duckdb, or spark for a
    Spark session eventdw.spark started); its artifacts and logs beside the warehouse."""
    os.environ["EVENTDW_WAREHOUSE"] = str(warehouse.resolve())
    # dbt's artifacts and logs live beside the warehouse they describe: runs on different warehouses from
    # one checkout do not overwrite each other's.
    artifacts = warehouse.resolve().parent / f"{warehouse.stem}.dbt{'' if target == 'duckdb' else '.' + target}"
    return [
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        target,
        "--log-level",
        "info" if verbose else "none",
        "--log-level-file",
        "warn",
        "--target-path",
        str(artifacts / "target"),
        "--log-path",
        str(artifacts / "logs"),
    ]


def dbt_docs(warehouse: Path, output: Path) -> Path:
    """dbt's documentation of the project (models, columns, tests, and the lineage from the inputs to the
    dashboard and the exports, its exposures) as one HTML page that opens offline, written to `output`."""
    from dbt.cli.main import dbtRunner

    if not warehouse.is_file():
        raise TransformError(f"no warehouse at {warehouse}: run `eventdw run` first (the docs describe its tables)")
    args = _dbt_args(["docs", "generate", "--static"], warehouse, verbose=False)
    # Its own target folder: docs generate compiles every model again, and the build's compiled SQL stays
    # what the last build ran.
    args[args.index("--target-path") + 1] += "-docs"
    result = dbtRunner().invoke(args)
    if not result.success:
        raise TransformError(f"dbt docs generate failed: {' '.join(str(result.exception).split())}")
    page = Path(args[args.index("--target-path") + 1]) / "static_index.html"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(page.read_bytes())
    return output


def dbt_build(
    warehouse: Path,
    verbose: bool = False,
    full_refresh: bool | None = None,
    run_id: str | None = None,
    spark: SparkSession | None = None,
    full_check: bool = False,
) -> BuildResult:
    """`dbt build` (models, unit tests, data tests) into `warehouse`, incremental unless `build_mode` (or
    `full_refresh`, when given) says otherwise. The rows it writes carry `run_id` (a new id when none is
    given) and the build id of the inputs as loaded (eventdw.versions.stamp_build).

    Given `spark`, the build runs on Spark (the profile's spark target, eventdw.spark): the raw tables and the
    build state are landed in Spark first, and the build is incremental on the same terms as on DuckDB, as
    long as the tables of the last build are in Spark (docs/spark.md).

    An incremental build's data tests read the rows it wrote (the var test_scope, macro get_where_subquery)
    and it skips the unit tests and the reference data's nodes, unless `full_check`; a full refresh's read
    every row."""
    engine = "duckdb" if spark is None else "spark"
    # The plan, the record of the build's start and its stamp in one opening of the warehouse (held), which
    # closes before dbt opens it (its reads then leave the memory when dbt's connection closes).
    with held(warehouse):
        planned_full_refresh, reason, changes = state.plan_build(warehouse, engine)
        if spark is not None and not planned_full_refresh and not _spark_holds_marts(spark):
            state.plan_full_build(warehouse)
            planned_full_refresh, reason = True, "Spark does not hold the last build's tables"
            changes = state.Changes()
        if full_refresh is None:
            full_refresh = planned_full_refresh
        elif full_refresh:
            reason = "asked for"
        if not full_refresh and not changes:
            if not full_check:
                console.say(f"dbt build: nothing to do ({reason})")
                return BuildResult(False, reason, changes=changes)
            # Nothing to build, but every row to test: dbt's tests alone, on the tables as they are.
            if spark is not None:
                with warehouse_connect(warehouse) as con:
                    _land_in_spark(con, spark, warehouse)
            record = None
        else:
            state.record_build(warehouse, finished=False)
            with warehouse_connect(warehouse) as con:
                record = versions.stamp_build(con, run_id or uuid.uuid4().hex[:12])
                few = not full_refresh and state.rebuilt_share(con) <= INCREMENTAL_THREADS_UP_TO
                if spark is not None:
                    _land_in_spark(con, spark, warehouse)
    if record is None:
        reason = f"{reason}; every row tested"
        return BuildResult(False, reason, _invoke_build(["test"], warehouse, verbose, reason, spark), changes)
    if full_refresh:
        command = ["build", "--full-refresh"]
    elif full_check:
        command, reason = ["build"], f"{reason}; every row tested"
    else:
        # The unit tests are a function of the code alone, and the nodes made from the reference data alone
        # (its staging views, the names and places made of them, their tests) of the reference data and the
        # code: both are the last finished build's (state.plan_build), whose nodes built and passed. A full
        # refresh or a full check runs them (selectors.yml: incremental_build).
        command = ["build", "--vars", "{test_scope: batch}", "--selector", "incremental_build"]
        command += ["--threads", str(INCREMENTAL_THREADS)] if spark is None and few else []
    counts = _invoke_build(command, warehouse, verbose, reason, spark)
    state.record_build(warehouse, finished=True, engine=engine)
    return BuildResult(full_refresh, reason, counts, changes, record)


def _close_dbt_connection() -> None:
    """Close the warehouse connection dbt-duckdb keeps open after dbt returns (for the life of the process):
    the blocks its build read stay in DuckDB's memory, under the one cap of the process's connections,
    and the export that follows ran out of memory sorting its rows (the benchmark's edit of 1% of the rows
    at L: 2.8 GB held)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _spark_holds_marts(spark: SparkSession) -> bool:
    """Whether Spark's catalog holds the marts an incremental build adds to."""
    return bool(spark.catalog.databaseExists("marts") and spark.catalog.tableExists("marts.fact_events"))


def _land_in_spark(con: duckdb.DuckDBPyConnection, spark: SparkSession, warehouse: Path) -> None:
    """The raw tables and the build state, as the loader and the plan left them in `con`, landed in Spark."""
    from eventdw.spark import land_raw, landing_dir_of

    landed = land_raw(con, spark, landing_dir_of(warehouse))
    console.say(f"spark: {len(landed)} raw tables landed, {sum(landed.values()):,} rows")


def _invoke_build(
    command: list[str], warehouse: Path, verbose: bool, reason: str, spark: SparkSession | None = None
) -> dict[str, int]:
    """Run dbt's `command` (a build, for `reason`) on the warehouse, or on Spark given `spark`; its nodes
    counted by status. A failure raises TransformError in one line."""
    from dbt.cli.main import dbtRunner

    args = _dbt_args(command, warehouse, verbose, "duckdb" if spark is None else "spark")
    progress = DbtProgress()
    try:
        result = dbtRunner(callbacks=[progress]).invoke(args)
    finally:
        _close_dbt_connection()
    if isinstance(result.exception, KeyboardInterrupt):
        raise KeyboardInterrupt  # dbt stopped on Ctrl-C and returned: the run stops too, the build unfinished
    node_results: list[Any] = list(getattr(result.result, "results", None) or [])
    counts: dict[str, int] = {}
    for node in node_results:
        counts[str(node.status)] = counts.get(str(node.status), 0) + 1
    if not result.success:
        failures = [
            _describe_failure(node, warehouse, spark) for node in node_results if str(node.status) in {"error", "fail"}
        ]
        detail = "; ".join(failures[:3]) or " ".join(str(result.exception).split())
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        raise TransformError(f"dbt build failed: {detail}{more}")
    console.say(f"dbt build: {progress.models} models and {progress.tests} tests ({reason})")
    return counts
