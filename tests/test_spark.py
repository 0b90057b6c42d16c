"""The scale-out engine: the dbt project on a local Spark session (pyspark, dbt-spark's session method).

Issue 23 is under way: these tests hold what runs on Spark so far, equal to DuckDB. The names normalise and
compare alike on both engines (one implementation, registered as Spark UDFs), and the staging layer, with
its tests, builds on Spark from the raw tables the loader landed, equal to DuckDB's row for row and column
type for column type (the type check also covers the tables the seeds leave empty).
"""

from __future__ import annotations

import datetime
import decimal

import duckdb
import pytest

from eventdw.names import normalize_name

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from eventdw.spark import local_session

    session = local_session(tmp_path_factory.mktemp("spark"))
    yield session
    session.stop()


def _comparable(value):
    """A value as both engines' Python clients give it back, in one form."""
    if isinstance(value, float | decimal.Decimal):
        return round(float(value), 9)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return tuple(_comparable(item) for item in value)
    return value


# DuckDB's names of column types as Spark names them.
_SPARK_TYPES = {"varchar": "string", "integer": "int", "bigint": "bigint", "double": "double", "date": "date",
                "boolean": "boolean", "smallint": "smallint", "float": "float",
                # DuckDB's TIMESTAMP has no time zone, as Spark's TIMESTAMP_NTZ; its TIMESTAMPTZ is Spark's TIMESTAMP.
                "timestamp": "timestamp_ntz", "timestamp with time zone": "timestamp"}  # fmt: skip


def _spark_type(duckdb_type: str) -> str:
    return _SPARK_TYPES.get(duckdb_type.lower(), duckdb_type.lower())


def _rows(rows) -> list[str]:
    return sorted(repr(tuple(_comparable(value) for value in row)) for row in rows)


def test_names_normalise_and_compare_alike_on_spark_and_duckdb(spark, seed_run):
    with duckdb.connect(str(seed_run.warehouse)) as con:
        names = [
            row[0]
            for row in con.execute(
                "select alias from raw.ref_actor_aliases union select alias from raw.ref_place_aliases "
                "union select form from raw.country_forms "
                "union (select name from raw.geonames_place_names order by name limit 3000)"
            ).fetchall()
        ]
        normalised = [normalize_name(name) for name in names]
        pairs = list(zip(normalised, normalised[1:] + normalised[:1], strict=True)) + [("", ""), ("a", "")]
        duckdb_similarity = [
            con.execute("select jaro_winkler_similarity($a, $b)", {"a": a, "b": b}).fetchone() for a, b in pairs
        ]
    assert len(names) > 3000 and any(name != name.encode("ascii", "ignore").decode() for name in names)

    frame = spark.createDataFrame([(name,) for name in names], "name string")
    frame.createOrReplaceTempView("names")
    on_spark = dict(spark.sql("select name, eventdw_normalize_name(name) from names").collect())
    assert on_spark == dict(zip(names, normalised, strict=True))  # "Dayr az Zawr", "دير الزور", "Ḩamāh" alike

    pairs_frame = spark.createDataFrame(pairs, "a string, b string")
    pairs_frame.createOrReplaceTempView("pairs")
    spark_similarity = spark.sql("select eventdw_jaro_winkler_similarity(a, b) from pairs").collect()
    assert [round(row[0], 12) for row in spark_similarity] == [round(row[0], 12) for row in duckdb_similarity]


def test_the_staging_layer_builds_on_spark_equal_to_duckdb(spark, seed_run, tmp_path):
    from dbt.cli.main import dbtRunner

    from eventdw.spark import land_raw
    from eventdw.transform import _dbt_args

    with duckdb.connect(str(seed_run.warehouse)) as con:
        landed = land_raw(con, spark, tmp_path / "parquet")
        staging = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'staging' order by 1"
            ).fetchall()
        ]
        expected = {model: _rows(con.execute(f"select * from staging.{model}").fetchall()) for model in staging}
        expected_columns = {
            model: [
                (name, _spark_type(data_type))
                for name, data_type, *_ in con.execute(f"describe staging.{model}").fetchall()
            ]
            for model in staging
        }
    assert landed["raw.extractions"] == 65 and landed["eventdw_state.current_build"] == 1

    # The staging models and the tests of theirs that read nothing else (not those checking ids against the
    # intermediate layer's tables).
    command = ["build", "--select", "staging", "--exclude", "intermediate+", "--indirect-selection", "cautious"]
    args = _dbt_args(command, tmp_path / "w", False, "spark")
    result = dbtRunner().invoke(args)
    assert result.success, [str(node.message) for node in result.result.results if node.status != "success"]
    statuses = {str(node.status) for node in result.result.results}
    assert statuses <= {"success", "pass"}
    built = sorted(node.node.name for node in result.result.results if node.node.resource_type == "model")
    assert built == staging  # every staging model of the project
    for model in staging:
        columns = [(field.name, field.dataType.simpleString()) for field in spark.table(f"staging.{model}").schema]
        assert columns == expected_columns[model], model  # names and types, also of the tables the seeds leave empty
        assert _rows(spark.sql(f"select * from staging.{model}").collect()) == expected[model], model
