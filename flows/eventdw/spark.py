"""The scale-out engine: the same dbt project on Spark, with eventdw's rules as the same functions.

DuckDB stays the embedded default. On Spark, the loader still reads and validates the inputs into DuckDB's
`raw` schema (one implementation of every input rule); `land_raw` then writes each raw table, and the build
state dbt reads, as Parquet and declares them as Spark tables of the same schema and name (`raw.articles`,
`eventdw_state.current_build`, ...), which the dbt sources name on both engines.

The SQL functions the models call are the Python functions DuckDB is given (eventdw.dbt_plugin), registered
as Spark UDFs in the session dbt-spark runs in (`method: session`), so a name normalises and two names compare
alike on both engines: `eventdw_normalize_name` (eventdw.names) and `eventdw_jaro_winkler_similarity`
(rapidfuzz's Jaro-Winkler: DuckDB's built-in `jaro_winkler_similarity`'s results, to the last digit).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import JaroWinkler

from eventdw.names import normalize_name

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

# The DuckDB schemas whose tables the dbt sources read.
LANDED_SCHEMAS = ("raw", "eventdw_state")
SHUFFLE_PARTITIONS = 4  # a local session's; a cluster's profile sets its own
DRIVER_MEMORY = "4g"  # a local session runs in the driver: the name resolution's candidate pairs need room


def jaro_winkler_similarity(left: str | None, right: str | None) -> float | None:
    """DuckDB's `jaro_winkler_similarity`: rapidfuzz's Jaro-Winkler (prefix weight 0.1), 0 when either side is
    empty (DuckDB's value, where rapidfuzz gives two empty strings 1), null when either is null."""
    if left is None or right is None:
        return None
    if not left or not right:
        return 0.0
    return float(JaroWinkler.similarity(left, right))


# Name -> (function, Spark return type): the functions DuckDB has (eventdw's own, or built in) that Spark lacks.
SQL_FUNCTIONS: dict[str, tuple[Any, str]] = {
    "eventdw_normalize_name": (normalize_name, "string"),
    # Spark 4 has a built-in jaro_winkler_similarity that gives other results, and a built-in wins over a UDF
    # of its name: the models call this one on Spark (macro string_similarity).
    "eventdw_jaro_winkler_similarity": (jaro_winkler_similarity, "double"),
}


def register_functions(spark: SparkSession) -> None:
    """Register SQL_FUNCTIONS in `spark` as UDFs."""
    for name, (function, return_type) in SQL_FUNCTIONS.items():
        spark.udf.register(name, function, return_type)


def run_python_models_in_session() -> None:
    """Let dbt-spark's `session` method run Python models in its own session.

    dbt-spark submits a Python model's code to Databricks (its two submission methods, `all_purpose_cluster`
    and `job_cluster`) whatever the connection method. In session mode the session is at hand: this adds a
    `session` submission method that runs the code in it, the default when the profile's method is
    `session`. The Databricks methods stay as they are for a Databricks profile.
    """
    from dbt.adapters.base import PythonJobHelper
    from dbt.adapters.spark.impl import SparkAdapter

    if getattr(SparkAdapter, "eventdw_session_python_models", False):
        return

    class SessionPythonJobHelper(PythonJobHelper):  # type: ignore[misc]
        def __init__(self, parsed_model: dict[str, Any], credentials: Any) -> None:
            self.parsed_model = parsed_model

        def submit(self, compiled_code: str) -> None:
            from pyspark.sql import SparkSession

            # The code dbt compiled defines the model and writes its result with the global `spark`.
            exec(compile(compiled_code, self.parsed_model["original_file_path"], "exec"),
                 {"spark": SparkSession.builder.getOrCreate()})  # fmt: skip

    helpers = SparkAdapter.python_submission_helpers.fget  # type: ignore[attr-defined]
    default = SparkAdapter.default_python_submission_method.fget  # type: ignore[attr-defined]
    SparkAdapter.python_submission_helpers = property(  # type: ignore[method-assign, assignment]
        lambda self: {**helpers(self), "session": SessionPythonJobHelper}
    )
    SparkAdapter.default_python_submission_method = property(  # type: ignore[method-assign, assignment]
        lambda self: "session" if self.config.credentials.method == "session" else default(self)
    )
    SparkAdapter.eventdw_session_python_models = True  # type: ignore[attr-defined]


def check_spark() -> None:
    """SettingError, in one line, unless this machine can start the Spark engine: pyspark and dbt-spark
    installed (the `spark` extra) and a Java runtime."""
    import importlib.util
    import shutil

    from eventdw.warehouse import SettingError

    missing = [module for module in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(module) is None]
    if missing:
        raise SettingError(
            f"--engine spark needs {' and '.join(missing)}: install eventdw's spark extra "
            "(uv sync --extra spark, or pip install 'eventdw[spark]')"
        )
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SettingError("--engine spark needs Java (17 or later): install it or set JAVA_HOME")


def work_dir_of(warehouse: Path) -> Path:
    """Where a local session keeps the tables and metastore of the warehouse `warehouse`: beside it."""
    return warehouse.resolve().parent / f"{warehouse.stem}.spark"


def landing_dir_of(warehouse: Path) -> Path:
    """Where the raw tables of the warehouse `warehouse` land as Parquet: beside it, or, with the tables on
    shared storage (EVENTDW_SPARK_WAREHOUSE_DIR, mounted here), under it, where every executor reads them."""
    shared = os.environ.get("EVENTDW_SPARK_WAREHOUSE_DIR")
    return Path(shared) / "eventdw_landed" if shared else work_dir_of(warehouse) / "raw"


def local_session(work_dir: Path) -> SparkSession:
    """A Spark session keeping its tables and metastore under `work_dir`, with eventdw's functions registered:
    the one dbt-spark's `session` method then uses. Its master is EVENTDW_SPARK_MASTER, local[2] by default
    (spark://host:7077, yarn or k8s://... run the same session's work on a cluster, whose executors need
    the tables on storage they share: EVENTDW_SPARK_WAREHOUSE_DIR, a path this machine mounts too)."""
    from pyspark.sql import SparkSession

    work_dir.mkdir(parents=True, exist_ok=True)
    # The Python workers that run the UDFs: this interpreter, which has eventdw (not the first python3 on PATH).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master(os.environ.get("EVENTDW_SPARK_MASTER", "local[2]"))
        .appName("eventdw")
        .config("spark.sql.warehouse.dir", os.environ.get("EVENTDW_SPARK_WAREHOUSE_DIR", str(work_dir / "warehouse")))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={work_dir / 'metastore'}")
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", DRIVER_MEMORY)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        # The name resolution is one query of many chained CTEs, which Spark inlines: inferring the
        # constraints of every step of it exhausts the driver's memory (4g, or 8g) before a row is read.
        .config("spark.sql.constraintPropagation.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # PySpark logs each failed statement with its Java stack as JSON; dbt reports the failure in its own words.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    register_functions(spark)
    run_python_models_in_session()
    return spark


def land_raw(con: duckdb.DuckDBPyConnection, spark: SparkSession, parquet_dir: Path) -> dict[str, int]:
    """Write every table of LANDED_SCHEMAS in DuckDB `con` to Parquet under `parquet_dir` and declare it in
    `spark` as a table of the same schema and name; the rows landed per table."""
    landed: dict[str, int] = {}
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({', '.join(repr(s) for s in LANDED_SCHEMAS)}) and table_type = 'BASE TABLE' "
        "order by 1, 2"
    ).fetchall()
    for schema in LANDED_SCHEMAS:
        spark.sql(f"create database if not exists {schema}")
    for schema, table in tables:
        target = parquet_dir / schema / table
        target.mkdir(parents=True, exist_ok=True)
        path = target / "part-0.parquet"
        # COPY answers with the rows it wrote.
        (landed[f"{schema}.{table}"],) = con.execute(
            f"copy {schema}.{table} to '{path}' (format parquet)"
        ).fetchone() or (0,)
        spark.sql(f"drop table if exists {schema}.{table}")
        spark.sql(f"create table {schema}.{table} using parquet location '{target}'")
    return landed


def marts_connection(
    spark: SparkSession,
    schemas: tuple[str, ...] = ("marts",),
    with_views: bool = True,
    small_tables: tuple[str, ...] = (),
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection whose `marts` schema (and any other of `schemas`) holds a view of each
    table Spark built there, over the Parquet files Spark wrote: the export reads the marts as it reads
    DuckDB's, from the files themselves, never through the Spark driver. A Spark view (events_described)
    is computed by Spark into Parquet files beside the tables first, unless `with_views` is false (the
    stored tables alone). `small_tables` ("schema.table", a reference list the export reads, say) are copied
    in whole through the driver."""
    import duckdb

    views_dir = Path(str(spark.conf.get("spark.sql.warehouse.dir")).removeprefix("file:")).parent / "views"
    con = duckdb.connect()
    for schema in schemas:
        con.execute(f"create schema {schema}")
        for table in spark.catalog.listTables(schema):
            # listTables also lists the session's temporary views, which belong to no schema.
            if table.isTemporary or (table.tableType == "VIEW" and not with_views):
                continue
            frame = spark.table(f"{schema}.{table.name}")
            if table.tableType == "VIEW":
                target = views_dir / schema / table.name
                frame.write.mode("overwrite").parquet(str(target))
                files = [str(path) for path in target.glob("*.parquet")]
            else:
                files = [file.removeprefix("file://").removeprefix("file:") for file in frame.inputFiles()]
            if files:
                listed = ", ".join("'" + file.replace("'", "''") + "'" for file in sorted(files))
                con.execute(f"create view {schema}.{table.name} as select * from read_parquet([{listed}])")
            else:  # an empty table may have no files: its columns alone
                con.register(f"spark_{schema}_{table.name}", frame.limit(0).toArrow())
                con.execute(f"create view {schema}.{table.name} as select * from spark_{schema}_{table.name}")
    for name in small_tables:
        schema, table_name = name.split(".")
        con.execute(f"create schema if not exists {schema}")
        con.register(f"spark_{schema}_{table_name}", spark.table(name).toArrow())
        con.execute(f"create view {name} as select * from spark_{schema}_{table_name}")
    return con
