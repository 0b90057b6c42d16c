"""The scale-out engine: the whole pipeline on a local Spark session (pyspark, dbt-spark's session method).

`eventdw run --engine spark` loads and checks the inputs as on DuckDB, lands the raw tables in Spark, builds
every model and runs every unit and data test there, draws the gate's batches from Spark and exports the
marts Spark built. These tests hold it to DuckDB's results: the same marts row for row (the same event ids)
and column type for column type, the same exported rows, and an edit of an input reaching Spark's marts as
it reaches DuckDB's. The names normalise and compare alike on both engines: one implementation, registered
as Spark UDFs.
"""

from __future__ import annotations

import csv
import functools
import io
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from eventdw.names import normalize_name
from tests.conftest import SEEDS, marts_snapshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One local session for the module: the pipeline's runs find it (SparkSession.getOrCreate)."""
    from eventdw.spark import local_session

    session = local_session(tmp_path_factory.mktemp("spark"))
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_seed_run(spark, prefect_harness, tmp_path_factory):
    """The main job on the bundled seeds, built on Spark."""
    from eventdw.flow import eventdw_pipeline

    root = tmp_path_factory.mktemp("spark_seed_run")
    return eventdw_pipeline(
        SEEDS, root / "warehouse" / "eventdw.duckdb", root / "exports", root / "data_docs", engine="spark"
    )


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


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Each table and view of the marts schema, its columns' names and types."""
    tables = [
        name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    ]  # fmt: skip
    return {table: [row[:2] for row in con.execute(f"describe marts.{table}").fetchall()] for table in tables}


def _csv_texts(folder: Path) -> dict[str, str]:
    """Each ACLED CSV file of an export, by its path: its text."""
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.glob("acled_events_csv/*.csv")}


def _files(folder: Path) -> list[Path]:
    return sorted(path.relative_to(folder) for path in folder.rglob("*.*"))


def test_a_run_on_spark_builds_gates_and_exports_the_same_marts_as_duckdb(
    spark, spark_seed_run, seed_run, tmp_path, monkeypatch
):
    from eventdw import export
    from eventdw.spark import marts_connection

    assert spark_seed_run.build == "full refresh: no finished build to add to"
    for count in ("events", "mentions", "actors", "places", "unresolved_names", "rejected_rows"):
        assert getattr(spark_seed_run, count) == getattr(seed_run, count), count
    assert spark_seed_run.events == 48

    # Every mart, row for row (the same event ids, actors, places, pairs), and column type for column type.
    assert marts_snapshot(marts_connection(spark)) == marts_snapshot(seed_run.warehouse)
    with duckdb.connect(str(seed_run.warehouse)) as con:
        expected_columns = _columns(con)
    with marts_connection(spark) as con:
        assert _columns(con) == expected_columns
        # Every row names the run that wrote it on Spark, and the build it is part of.
        (runs,) = con.execute("select list(distinct run_id) from marts.fact_events").fetchone()
        assert runs == [spark_seed_run.run_id]

    # The gate validated batches drawn from Spark and kept its results in the warehouse file.
    with duckdb.connect(str(spark_seed_run.warehouse)) as con:
        validated = con.execute(
            "select suite, count(*) from quality.validation_results where run_id = ? group by suite order by suite",
            [spark_seed_run.run_id],
        ).fetchall()
        (build_id,) = con.execute("select build_id from eventdw_state.builds where run_id = ?",
                                  [spark_seed_run.run_id]).fetchone()  # fmt: skip
    assert [suite for suite, _ in validated] == [
        "marts.dim_article", "marts.dim_place", "marts.fact_event_mentions", "marts.fact_events",
        "marts.mention_places", "raw.rejected_rows",
    ]  # fmt: skip
    assert spark_seed_run.data_docs.is_file()

    # The export: the same files, holding the same rows, as DuckDB's; the build named in each row.
    spark_files = _files(spark_seed_run.exports_dir)
    assert spark_files == _files(seed_run.exports_dir)
    with duckdb.connect() as con:
        for name in (str(path) for path in spark_files if path.suffix == ".parquet"):
            spark_rows, duckdb_rows = (
                con.execute(f"select * exclude (build_id) from '{folder / name}'").fetchall()
                for folder in (spark_seed_run.exports_dir, seed_run.exports_dir)
            )
            assert spark_rows == duckdb_rows, name  # in the same order, too
            builds = con.execute(f"select distinct build_id from '{spark_seed_run.exports_dir / name}'").fetchall()
            assert builds in ([(build_id,)], []), name
    spark_csv = _csv_texts(spark_seed_run.exports_dir)
    assert spark_csv and spark_csv == _csv_texts(seed_run.exports_dir)

    # ACLED's older numeric actor types, which the export reads from a reference list beside the marts.
    monkeypatch.setenv("EVENTDW_ACLED_INTER_NUMERIC", "1")
    spark_marts = functools.partial(marts_connection, spark, small_tables=export.READS_BESIDES_MARTS)
    export.export_marts(spark_seed_run.warehouse, tmp_path / "spark_numeric", "numeric", marts=spark_marts)
    export.export_marts(seed_run.warehouse, tmp_path / "duckdb_numeric", "numeric")
    numeric = _csv_texts(tmp_path / "spark_numeric")
    assert numeric == _csv_texts(tmp_path / "duckdb_numeric") != spark_csv

    # The lake of the marts Spark built holds the rows of the lake of DuckDB's.
    from eventdw import lake

    lake.sync_lake(
        spark_seed_run.warehouse, tmp_path / "spark_lake", "spark", functools.partial(marts_connection, spark)
    )
    lake.sync_lake(seed_run.warehouse, tmp_path / "duckdb_lake", "duckdb")
    with duckdb.connect() as con:
        lake.attach(con, tmp_path / "spark_lake", "spark_lake", read_only=True)
        lake.attach(con, tmp_path / "duckdb_lake", "duckdb_lake", read_only=True)
        for table in (*export.PARTITIONED, *export.DIMENSIONS):
            spark_rows, duckdb_rows = (
                sorted(map(repr, con.execute(f"select * exclude (run_id, build_id) from {name}.{table}").fetchall()))
                for name in ("spark_lake", "duckdb_lake")
            )
            assert spark_rows == duckdb_rows, table


def test_an_incremental_build_on_spark_gives_the_marts_of_a_full_duckdb_build(spark, spark_seed_run, tmp_path):
    """An edited coded row rebuilds its article on Spark (the Parquet tables written again without the rows
    rebuilt, dbt-spark given a delete+insert strategy): the marts then equal a full DuckDB build's."""
    from eventdw.flow import eventdw_pipeline
    from eventdw.spark import marts_connection

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    # The first coded row with a death toll (in the seeds, 3 dead in 002_*.csv) gets 100 more.
    for extraction in sorted((seeds / "extractions").glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(extraction.read_text(encoding="utf-8"))))
        edited = next((row for row in rows if row["fatalities"] not in ("", "0")), None)
        if edited is not None:
            break
    assert edited is not None
    edited["fatalities"] = str(int(edited["fatalities"]) + 100)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    extraction.write_text(out.getvalue(), encoding="utf-8")

    # The Spark engine's second run on the same warehouse, incremental, and DuckDB's full build of the edited
    # inputs.
    on_spark = eventdw_pipeline(seeds, spark_seed_run.warehouse, tmp_path / "spark_exports", tmp_path / "docs",
                                engine="spark")  # fmt: skip
    on_duckdb = eventdw_pipeline(seeds, tmp_path / "duckdb" / "eventdw.duckdb", tmp_path / "duckdb_exports",
                                 tmp_path / "duckdb_docs")  # fmt: skip
    spark_marts = marts_snapshot(marts_connection(spark))
    assert on_spark.build == "incremental: 1 row changed"
    assert on_duckdb.build == "full refresh: no finished build to add to"
    assert spark_marts == marts_snapshot(on_duckdb.warehouse)
    with marts_connection(spark) as con:
        fatalities = con.execute(
            "select fatalities from marts.fact_event_mentions where ? in (quote, quote_as_coded)", [edited["quote"]]
        ).fetchall()
        runs = dict(con.execute("select run_id, count(*) from marts.fact_events group by run_id").fetchall())
        (article_events,) = con.execute(
            "select count(distinct event_id) from marts.fact_event_mentions where article_id = ?",
            [edited["article_id"].strip()],
        ).fetchone()
    assert (int(edited["fatalities"]),) in fatalities
    # The events of the edited row's article were rebuilt by this run; the others stand as the first run
    # built them.
    assert runs == {on_spark.run_id: article_events, spark_seed_run.run_id: spark_seed_run.events - article_events}
    # Nor did the rewrite's work tables stay behind.
    assert not [table.name for schema in ("intermediate", "marts") for table in spark.catalog.listTables(schema)
                if "__eventdw_" in table.name]  # fmt: skip
    assert on_spark.events == on_duckdb.events == spark_seed_run.events


def test_the_benchmarks_s_inputs_with_acled_and_gdelt_files_build_on_spark_as_on_duckdb(spark, tmp_path):
    """The S benchmark's 2,000 articles and 10,000 coded rows (some of them bad), with the seeds and the import
    tests' ACLED and GDELT files beside them: the coded events, the imported ones and the links between
    the seeds' events and ACLED's and GDELT's."""
    from eventdw.ingest import load_inputs
    from eventdw.spark import marts_connection
    from eventdw.transform import dbt_build
    from tests.conftest import REPO
    from tests.test_imports import _inputs

    sys.path.insert(0, str(REPO / "bench"))
    from generate import SIZES, generate

    seeds = tmp_path / "inputs"
    generate(seeds, *SIZES["S"])
    imports = _inputs(tmp_path / "imports")
    for folder in ("articles", "extractions", "acled", "gdelt"):
        shutil.copytree(imports / folder, seeds / folder, dirs_exist_ok=True)

    built = {}
    for engine in ("duckdb", "spark"):
        warehouse = tmp_path / engine / "eventdw.duckdb"
        warehouse.parent.mkdir()
        with duckdb.connect(str(warehouse)) as con:
            load_inputs(con, seeds, engine)
        built[engine] = dbt_build(warehouse, spark=spark if engine == "spark" else None)
    assert built["spark"].full_refresh and built["duckdb"].full_refresh

    on_duckdb = marts_snapshot(tmp_path / "duckdb" / "eventdw.duckdb")
    assert marts_snapshot(marts_connection(spark)) == on_duckdb
    assert len(on_duckdb["fact_event_mentions"]) > 9000
    with marts_connection(spark) as con:
        systems = con.execute("select source_system, count(*) from marts.fact_events group by 1 order by 1").fetchall()
    assert [system for system, _ in systems] == ["acled", "coded", "gdelt"]
    assert len(on_duckdb["bridge_event_sources"]) >= 2  # the seeds' links to ACLED and GDELT, on both engines
