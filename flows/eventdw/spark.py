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


def local_session(work_dir: Path) -> SparkSession:
    """A local Spark session (local[2]) keeping its tables and metastore under `work_dir`, with eventdw's
    functions registered: the one dbt-spark's `session` method then uses."""
    from pyspark.sql import SparkSession

    work_dir.mkdir(parents=True, exist_ok=True)
    # The Python workers that run the UDFs: this interpreter, which has eventdw (not the first python3 on PATH).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("eventdw")
        .config("spark.sql.warehouse.dir", str(work_dir / "warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={work_dir / 'metastore'}")
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", DRIVER_MEMORY)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # PySpark logs each failed statement with its Java stack as JSON; dbt reports the failure in its own words.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    register_functions(spark)
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
