"""The lake (eventdw.lake): the marts kept in a DuckLake, one snapshot per run, rows deleted and appended."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from eventdw import ingest, lake, transform
from eventdw.cli import main
from eventdw.export import DIMENSIONS, PARTITIONED
from tests.conftest import REPO, SEEDS

EVENTDW = Path(sys.executable).parent / "eventdw"
A3 = "003_d87e7e8bc6717bf6"  # its second row's fatalities are edited below


def _build(seeds: Path, warehouse: Path, run_id: str = "first") -> None:
    with duckdb.connect(str(warehouse)) as con:
        ingest.load_inputs(con, seeds, run_id)
    transform.dbt_build(warehouse, run_id=run_id)


def _rows(con: duckdb.DuckDBPyConnection, relation: str, columns: str = "* exclude (build_id)") -> list[str]:
    return sorted(map(repr, con.execute(f"select {columns} from {relation}").fetchall()))


def _lake_equals_marts(warehouse: Path, lake_dir: Path) -> None:
    """Every table of the lake holds the rows of its mart; a fact's with the run ids the mart's have."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        lake.attach(con, lake_dir, read_only=True)
        for table in (*PARTITIONED, *DIMENSIONS):
            assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0 or table in (
                "report_unresolved_names",
                "bridge_event_sources",
            )
            kept = "* exclude (build_id)" if table in PARTITIONED else "* exclude (build_id, run_id)"
            assert _rows(con, f"lake.{table}", kept) == _rows(con, f"marts.{table}", kept), table


def _set_fatalities(seeds: Path, article_id: str, row_number: int, value: str) -> None:
    path = seeds / "extractions" / f"{article_id}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row_number - 1][rows[0].index("fatalities")] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture()
def built(tmp_path):
    seeds, warehouse = tmp_path / "seeds", tmp_path / "eventdw.duckdb"
    shutil.copytree(SEEDS, seeds)
    _build(seeds, warehouse)
    return seeds, warehouse


def test_a_coders_edit_reaches_the_lake_as_one_snapshot_and_the_earlier_one_stays_readable(built, tmp_path):
    seeds, warehouse = built
    lake_dir = tmp_path / "lake"
    written, first = lake.sync_lake(warehouse, lake_dir, "run-1")
    assert written["fact_events"] == 48 and written["dim_place"] > 0
    _lake_equals_marts(warehouse, lake_dir)

    # Nothing changed: no snapshot, nothing written.
    written, same = lake.sync_lake(warehouse, lake_dir, "run-2")
    assert (set(written.values()), same) == ({0}, first)
    assert json.loads((lake_dir / lake.MARKER).read_text())["run_id"] == "run-2"

    _set_fatalities(seeds, A3, 2, "4")
    _build(seeds, warehouse, "edit")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ((mention_id, event_id),) = con.execute(
            "select mention_id, event_id from marts.fact_event_mentions where source_file = ? "
            "and source_row_number = 2",
            [f"extractions/{A3}.csv"],
        ).fetchall()
        (rewritten,) = con.execute(
            "select count(*) from marts.fact_event_mentions where run_id = 'edit'"
        ).fetchone()  # the rows of the article the build rewrote
    written, second = lake.sync_lake(warehouse, lake_dir, "run-3")
    assert second == first + 1
    assert written["fact_event_mentions"] == 2 * rewritten  # each deleted and appended
    assert written["dim_place"] == written["dim_actor"] == written["dim_cameo_code"] == 0  # the same rows
    _lake_equals_marts(warehouse, lake_dir)

    with lake.connect(lake_dir) as con:
        changes = con.execute(
            "select change_type, fatalities from lake.table_changes('fact_event_mentions', ?, ?) "
            "where mention_id = ? order by change_type",
            [second, second, mention_id],
        ).fetchall()
        assert changes == [("delete", None), ("insert", 4)]
        query = "select fatalities from lake.fact_events {} where event_id = ?"
        assert con.execute(query.format(f"at (version => {first})"), [event_id]).fetchone() != (
            con.execute(query.format(""), [event_id]).fetchone()
        )
        message = con.execute("select commit_message from lake.snapshots() where snapshot_id = ?", [second])
        assert message.fetchall() == [("eventdw run run-3",)]


def test_a_removed_row_leaves_the_lake_and_a_failed_sync_leaves_the_last_snapshot(built, tmp_path, monkeypatch):
    seeds, warehouse = built
    lake_dir = tmp_path / "lake"
    _, first = lake.sync_lake(warehouse, lake_dir, "run-1")
    path = seeds / "extractions" / f"{A3}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    _build(seeds, warehouse, "removal")

    # A sync that fails half way (after its first table) leaves the lake as the last run left it.
    real = lake._sync_table
    calls = []

    def fail_on_the_second_table(con: duckdb.DuckDBPyConnection, table: str, existing: list) -> int:
        calls.append(table)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(con, table, existing)

    monkeypatch.setattr(lake, "_sync_table", fail_on_the_second_table)
    with pytest.raises(RuntimeError, match="killed"):
        lake.sync_lake(warehouse, lake_dir, "run-2")
    assert lake.last_run(lake_dir) == "run-1"
    with lake.connect(lake_dir) as con:
        assert con.execute("select max(snapshot_id) from lake.snapshots()").fetchone() == (first,)
    monkeypatch.undo()

    lake.sync_lake(warehouse, lake_dir, "run-3")
    _lake_equals_marts(warehouse, lake_dir)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.fact_event_mentions where source_file = ?", [f"extractions/{A3}.csv"]
        ).fetchone() == (len(lines) - 2,)


def test_a_removed_article_without_a_date_leaves_the_lake(built, tmp_path):
    """An article whose date could not be read is a row of dim_article without a date, the month the lake
    counts as none: its removal is found there, and only that row leaves the lake."""
    seeds, warehouse = built
    undated = seeds / "articles" / "900_undated.txt"
    undated.write_text(
        "World\n\nShelling reported near the northern front\n\n"
        "Residents reported heavy shelling near the front line on Sunday, local sources said.\n",
        encoding="utf-8",
    )
    _build(seeds, warehouse, "undated")
    lake_dir = tmp_path / "lake"
    lake.sync_lake(warehouse, lake_dir, "run-1")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        lake.attach(con, lake_dir, read_only=True)
        query = "select count(*) from {}.dim_article where article_id = '900_undated' and published_date is null"
        assert con.execute(query.format("marts")).fetchone() == con.execute(query.format("lake")).fetchone() == (1,)

    undated.unlink()
    _build(seeds, warehouse, "removed")
    written, _ = lake.sync_lake(warehouse, lake_dir, "run-2")
    assert written["dim_article"] == 1
    _lake_equals_marts(warehouse, lake_dir)


def test_a_lake_table_whose_columns_differ_from_its_mart_is_written_again_whole(built, tmp_path):
    _, warehouse = built
    lake_dir = tmp_path / "lake"
    lake.sync_lake(warehouse, lake_dir, "run-1")
    with duckdb.connect() as con:  # as a lake an older eventdw wrote, with a column fewer
        lake.attach(con, lake_dir)
        con.execute("alter table lake.fact_events drop column fatalities")
    written, _ = lake.sync_lake(warehouse, lake_dir, "run-2")
    assert written["fact_events"] == 48 and written["fact_event_mentions"] == 0
    _lake_equals_marts(warehouse, lake_dir)


@pytest.mark.parametrize(
    ("dimension", "key", "name", "joins"),
    [
        ("dim_place", "place_id", "place_name", "place_id"),
        ("dim_actor", "actor_id", "actor_name", "actor2_id"),
        ("dim_cameo_code", "cameo_code", "cameo_name", "cameo_code"),
    ],
)
def test_a_name_changed_in_a_dimension_reaches_the_events_the_lake_describes(
    built, tmp_path, dimension, key, name, joins
):
    """events_described joins the dimensions: a row's new name changes the events that join it (here by the
    actor's second place, for the actors) though no event was rebuilt, and no other event."""
    _, warehouse = built
    lake_dir = tmp_path / "lake"
    lake.sync_lake(warehouse, lake_dir, "run-1")
    with duckdb.connect(str(warehouse)) as con:
        (value, events) = con.execute(
            f"select {joins}, count(*) from marts.fact_events where {joins} is not null "
            f"group by all order by count(*) desc, {joins} limit 1"
        ).fetchone()
        (joined,) = con.execute(
            "select count(*) from marts.fact_events where "
            + " or ".join(f"{column} = $1" for column in lake.VIEW_JOINS["events_described"][dimension]),
            [value],
        ).fetchone()
        con.execute(f"update marts.{dimension} set {name} = 'Renamed', run_id = 'run-2' where {key} = ?", [value])
    written, _ = lake.sync_lake(warehouse, lake_dir, "run-2")
    assert (written["events_described"], written[dimension], written["fact_events"]) == (2 * joined, 2, 0)
    assert joined >= events > 0
    _lake_equals_marts(warehouse, lake_dir)


def test_the_lake_goes_only_in_an_empty_folder_a_new_one_or_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTDW_LAKE", "")  # the command sets it for the run; put back after the test
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "draft.txt").write_text("mine")
    (tmp_path / "file").write_text("mine")
    with pytest.raises(lake.LakeError, match="holds files but no eventdw lake"):
        lake.check_lake_dir(tmp_path / "notes")
    with pytest.raises(lake.LakeError, match="is a file, not a folder"):
        lake.check_lake_dir(tmp_path / "file")
    lake.check_lake_dir(tmp_path / "new")
    # The lake of another warehouse.
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / lake.CATALOG).touch()
    (tmp_path / "theirs" / lake.MARKER).write_text(json.dumps({"run_id": "r", "warehouse": "/elsewhere/w.duckdb"}))
    with pytest.raises(lake.LakeError, match="is the lake of the warehouse /elsewhere/w.duckdb, not of "):
        lake.check_lake_dir(tmp_path / "theirs", tmp_path / "w.duckdb")
    lake.check_lake_dir(tmp_path / "theirs")  # (a reader's check: any eventdw lake)
    result = CliRunner().invoke(main, ["run", "--seeds-dir", str(SEEDS), "--lake", str(tmp_path / "notes")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: the lake folder {tmp_path / 'notes'} holds files but no eventdw lake (catalog.sqlite): "
        "choose an empty or new folder\n"
    )
    served = CliRunner().invoke(main, ["serve", "--cron", "0 6 * * *", "--lake", str(tmp_path / "file")])
    assert (served.exit_code, served.output) == (
        1,
        f"Error: the lake {tmp_path / 'file'} is a file, not a folder: choose an empty or new folder\n",
    )


def test_a_run_with_a_lake_keeps_it_and_stops_early_only_while_the_lake_is_the_last_runs(warehouse_copy, tmp_path):
    """`eventdw run --lake` writes the lake after the export and says so; a run that finds nothing changed
    stops after its scan, unless the lake is not the last run's. With --no-parquet the lake is written in
    the export's place: the exports folder is left as it was."""
    lake_dir, exports = tmp_path / "lake", tmp_path / "exports"
    command = [str(EVENTDW), "run", "--seeds-dir", str(SEEDS), "--warehouse", str(warehouse_copy)]
    command += ["--exports-dir", str(exports), "--data-docs-dir", str(tmp_path / "data_docs")]
    command += ["--lake", str(lake_dir)]
    environment = {key: value for key, value in os.environ.items() if key not in ("EVENTDW_LAKE", "EVENTDW_PARQUET")}
    outputs, progress = [], []
    for step in ("written", "nothing changed", "lake gone", "no parquet", "no parquet, nothing changed"):
        if step == "lake gone":
            shutil.rmtree(lake_dir)
        if step == "no parquet":
            command.append("--no-parquet")
            manifest = (exports / "manifest.json").read_text()
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=environment, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
        progress.append(done.stderr)
    assert f"  lake                       {lake_dir}/ (snapshot 1)\n" in outputs[0]
    assert outputs[1].startswith("eventdw run: nothing changed since run ")
    assert f"  lake                       {lake_dir}/ (snapshot 1)\n" in outputs[2]
    assert not outputs[2].startswith("eventdw run: nothing changed")
    assert "  exports                    none (--no-parquet)\n" in outputs[3]
    assert "] export: " in progress[2] and "] export: " not in progress[3] and "] lake: " in progress[3]
    assert (exports / "manifest.json").read_text() == manifest  # the last Parquet export's, untouched
    assert outputs[4].startswith("eventdw run: nothing changed since run ")
    _lake_equals_marts(warehouse_copy, lake_dir)
