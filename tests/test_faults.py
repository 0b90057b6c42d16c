"""Faults: two runs at once on one warehouse, and runs killed with SIGKILL midway."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROGRESS_LINE, SEEDS, marts_snapshot

EVENTDW = str(Path(sys.executable).with_name("eventdw"))


def _run_args(root: Path) -> list[str]:
    return [
        EVENTDW,
        "run",
        "--seeds-dir",
        str(root / "seeds"),
        "--warehouse",
        str(root / "warehouse" / "eventdw.duckdb"),
        "--exports-dir",
        str(root / "exports"),
        "--data-docs-dir",
        str(root / "docs"),
    ]


@pytest.fixture()
def run_root(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_second_run_at_once_says_busy_and_the_first_completes(run_root, seed_run):
    lock = run_root / "warehouse" / "eventdw.duckdb.lock"
    first = subprocess.Popen(_run_args(run_root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: lock.exists() and lock.read_text().startswith("pid"), 60, "the first run's lock")
        second = subprocess.run(_run_args(run_root), capture_output=True, text=True, timeout=120)
        out, err = first.communicate(timeout=300)
    finally:
        first.kill()
    assert second.returncode == 1
    assert second.stderr.startswith(f"Error: the warehouse {run_root / 'warehouse' / 'eventdw.duckdb'} is busy: ")
    assert f"(pid {first.pid}, since " in second.stderr and second.stderr.count("\n") == 1
    assert first.returncode == 0, err
    assert "events                     48" in out
    assert marts_snapshot(run_root / "warehouse" / "eventdw.duckdb") == marts_snapshot(seed_run.warehouse)


@pytest.mark.parametrize("stage", ["load", "dbt"])
def test_a_run_killed_midway_is_completed_by_the_next_run(run_root, seed_run, stage):
    """SIGKILL while the loader's transaction is open, or while dbt builds the marts; then run again."""
    warehouse = run_root / "warehouse" / "eventdw.duckdb"
    dbt_runs = run_root / "warehouse" / "eventdw.dbt" / "target" / "run" / "eventdw" / "models"
    wal = warehouse.with_name("eventdw.duckdb.wal")

    def reached() -> bool:
        if stage == "load":
            return wal.exists() and not dbt_runs.exists()
        return any((dbt_runs / "marts").glob("*.sql"))

    killed = subprocess.Popen(
        _run_args(run_root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 240
        while not reached() and killed.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert killed.poll() is None, "the run ended before reaching the stage to kill it in"
        assert reached()
        os.killpg(killed.pid, signal.SIGKILL)
    finally:
        killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    if stage == "load":
        assert not dbt_runs.exists(), "the kill was meant to land during the load"
    else:
        assert not (run_root / "exports" / "manifest.json").exists(), "the kill was meant to land during dbt"

    rerun = subprocess.run(_run_args(run_root), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert marts_snapshot(warehouse) == marts_snapshot(seed_run.warehouse)


def test_ctrl_c_during_dbt_stops_at_once_with_exit_130_and_keeps_the_last_export(run_root):
    """SIGINT (Ctrl-C) while dbt builds: the run stops with one line and 130, the exports are the last run's,
    and the next run finishes the build."""
    first = subprocess.run(_run_args(run_root), capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    manifest = (run_root / "exports" / "manifest.json").read_text()
    edited = run_root / "seeds" / "extractions" / "003_d87e7e8bc6717bf6.csv"
    edited.write_text(edited.read_text(encoding="utf-8").replace(",0.7,", ",0.75,", 1), encoding="utf-8")
    dbt_marts = run_root / "warehouse" / "eventdw.dbt" / "target" / "run" / "eventdw" / "models" / "marts"
    for stale in dbt_marts.glob("*.sql"):
        stale.unlink()

    interrupted = subprocess.Popen(
        _run_args(run_root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        _wait_for(lambda: any(dbt_marts.glob("*.sql")) or interrupted.poll() is not None, 240, "dbt's marts")
        assert interrupted.poll() is None, "the run ended before dbt built the marts"
        os.killpg(interrupted.pid, signal.SIGINT)
        _, err = interrupted.communicate(timeout=120)
    finally:
        interrupted.kill()
    assert interrupted.returncode == 130
    # The run's progress lines, then the one line that says it stopped.
    *progress, last = err.splitlines()
    assert last == "Error: interrupted; the last finished build and the last export are kept"
    assert all(PROGRESS_LINE.match(line) for line in progress)
    assert (run_root / "exports" / "manifest.json").read_text() == manifest

    rerun = subprocess.run(_run_args(run_root), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "full refresh: no finished build to add to" in rerun.stdout


def test_a_duckdb_session_holding_the_warehouse_is_named_not_called_another_run(run_root, seed_run):
    warehouse = run_root / "warehouse" / "eventdw.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(seed_run.warehouse, warehouse)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; session = duckdb.connect({str(warehouse)!r}, read_only=True); "
            "print('open', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "open\n"
        done = subprocess.run(_run_args(run_root), capture_output=True, text=True, timeout=300)
    finally:
        reader.kill()
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: the warehouse {warehouse} is open in another program (")
    assert f"(PID {reader.pid})), a DuckDB session reading it for example: close it and run again" in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("0", "Error: EVENTDW_GATE_MAX_ROWS='0' must be a whole number of rows, at least 1\n"),
        ("lots", "Error: EVENTDW_GATE_MAX_ROWS='lots' must be a whole number of rows, at least 1\n"),
    ],
)
def test_a_gate_setting_that_makes_no_sense_is_refused_before_the_run(run_root, setting, message):
    done = subprocess.run(
        _run_args(run_root), capture_output=True, text=True, env=os.environ | {"EVENTDW_GATE_MAX_ROWS": setting}
    )
    assert (done.returncode, done.stderr) == (1, message)
    assert not (run_root / "warehouse").exists()


def test_a_warehouse_whose_parent_is_a_file_is_one_line(run_root):
    (run_root / "warehouse").write_text("not a folder")
    done = subprocess.run(_run_args(run_root), capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (
        1,
        f"Error: cannot create the warehouse {run_root / 'warehouse' / 'eventdw.duckdb'}: "
        f"{run_root / 'warehouse'} is a file, not a folder\n",
    )


def test_a_symbolic_link_to_the_warehouse_shares_its_run_lock(tmp_path):
    from eventdw.lock import WarehouseBusy, exclusive_run

    warehouse, link = tmp_path / "eventdw.duckdb", tmp_path / "alias.duckdb"
    warehouse.touch()
    link.symlink_to(warehouse)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from eventdw.lock import exclusive_run\n"
            f"with exclusive_run(Path({str(warehouse)!r})):\n    print('held', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(WarehouseBusy), exclusive_run(link):
            pass
    finally:
        holder.kill()


@pytest.mark.parametrize("exports", ["seeds", "warehouse", "."])
def test_an_exports_folder_holding_the_inputs_the_warehouse_or_here_is_refused_before_the_run(run_root, exports):
    """Pointed at the inputs, the warehouse's folder or the current folder, the export would replace it: the run
    refuses in one line, before it starts, and leaves everything as it was."""
    (run_root / "warehouse").mkdir()
    (run_root / "warehouse" / "notes.txt").write_text("an analyst's notes")
    before = sorted(path.relative_to(run_root) for path in run_root.rglob("*"))
    arguments = _run_args(run_root)
    arguments[arguments.index("--exports-dir") + 1] = exports
    done = subprocess.run(arguments, capture_output=True, text=True, cwd=run_root)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: the exports folder ") and done.stderr.count("\n") == 1
    assert sorted(path.relative_to(run_root) for path in run_root.rglob("*")) == before
