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

from tests.conftest import SEEDS, marts_snapshot

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
