"""Time the pipeline's stages on one seeds folder: wall time, rows/s and peak memory per stage.

    .venv/bin/python bench/stages.py --seeds-dir /tmp/bench_s --work /tmp/bench_s_run

The stages are called as the flow calls them (load, dbt build, quality gate, export), without Prefect's
server, so the figures are the work itself. Peak memory is the process's resident set, sampled every
20 ms from /proc while the stage runs.
"""

from __future__ import annotations

import argparse
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAGE = 4096


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def measure(name: str, rows: int, work: Callable[[], Any]) -> dict[str, Any]:
    """Run `work`, sampling memory; the stage's figures."""
    peak, done = [_rss_bytes()], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak.append(_rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return {"stage": name, "seconds": seconds, "rows_per_second": rows / seconds, "peak_rss_mib": max(peak) / 2**20}


def run_stages(seeds_dir: Path, work_dir: Path) -> list[dict[str, Any]]:
    """Load, dbt build, gate and export `seeds_dir` into a fresh warehouse under `work_dir`."""
    import duckdb

    from eventdw import export, load, quality, transform

    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    warehouse = work_dir / "eventdw.duckdb"
    rows = sum(max(sum(1 for _ in path.open(encoding="utf-8")) - 1, 0) for path in seeds_dir.glob("extractions/*.csv"))

    def load_stage() -> None:
        with duckdb.connect(str(warehouse)) as con:
            load.load_inputs(con, seeds_dir, "bench")

    def gate_stage() -> None:
        try:
            quality.validate_warehouse(warehouse, work_dir / "data_docs", "bench")
        except quality.QualityError as error:  # a benchmark reports, it does not stop
            print(f"  (gate: {error})")

    return [
        measure("load", rows, load_stage),
        measure("dbt build", rows, lambda: transform.dbt_build(warehouse)),
        measure("quality gate", rows, gate_stage),
        measure("export", rows, lambda: export.export_marts(warehouse, work_dir / "exports", "bench")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds-dir", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    arguments = parser.parse_args()
    figures = run_stages(arguments.seeds_dir, arguments.work)
    print(f"{'stage':<14}{'seconds':>10}{'rows/s':>12}{'peak RSS MiB':>15}")
    for row in figures:
        print(f"{row['stage']:<14}{row['seconds']:>10.1f}{row['rows_per_second']:>12,.0f}{row['peak_rss_mib']:>15,.0f}")
    print(f"{'total':<14}{sum(r['seconds'] for r in figures):>10.1f}")


if __name__ == "__main__":
    main()
