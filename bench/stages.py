"""Time the pipeline's stages on one seeds folder: wall time, rows/s and peak memory per stage.

    .venv/bin/python bench/stages.py --seeds-dir /tmp/bench_s --work /tmp/bench_s_run [--engine spark]

The stages are called as the flow calls them (the scan, load, dbt build, quality gate, export), without
Prefect's server, so the figures are the work itself: a run that finds nothing changed since the last one
stops after the scan; an incremental build's tests and gate check the rows it wrote. Peak memory is the
resident set of the process and of the processes it started (on Spark, the JVM and its Python workers),
sampled every 20 ms from /proc while the stage runs. On Spark, starting the local session is a stage of
its own.

With --lake, the marts are then brought into a DuckLake in `work`/lake (eventdw.lake), a stage of its own,
"lake": what a run with EVENTDW_LAKE set spends beside the export, and what it would spend in the export's
place (bench/run.py prints both totals).

With --warm, the modules a run imports (eventdw.schedule.WARM_MODULES: dbt, Great Expectations, Prefect's
flow) are imported first, as a stage of their own, "imports": what a scheduled run of `eventdw serve`, forked
from a process that imported them when the schedule started, does not spend. The other stages are then as
such a run has them; the sum of all is still a run from a shell, as `eventdw run` starts it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAGE = 4096


def _rss_bytes(pid: str = "self") -> int:
    """The resident set of process `pid` and of every process it started, and they started."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            total = int(statm.read().split()[1]) * PAGE
        children = [
            child for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
        ]
    except OSError:  # the process ended while it was read
        return 0
    return total + sum(_rss_bytes(child) for child in children)


def count_rows(seeds_dir: Path) -> int:
    """The extraction rows of a seeds folder (lines after each CSV's header)."""
    return sum(max(sum(1 for _ in path.open(encoding="utf-8")) - 1, 0) for path in seeds_dir.glob("extractions/*.csv"))


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


def _manifest_parts(exports: Path) -> dict[str, Any]:
    """The files an export's manifest lists, with their size and time (none without an export)."""
    try:
        return json.loads((exports / "manifest.json").read_text())["parts"]
    except (OSError, ValueError, KeyError):
        return {}


def files_written(exports: Path, parts_before: dict[str, Any]) -> str:
    """How many of the export's files were written, not linked from the export before (same size and time), and
    their bytes."""
    parts = _manifest_parts(exports)
    written = {
        path: part["size"]
        for path, part in parts.items()
        if (before := parts_before.get(path)) is None
        or (before["size"], before["mtime_ns"]) != (part["size"], part["mtime_ns"])
    }
    return f"{len(written):,} of {len(parts):,} files written ({sum(written.values()) / 2**20:,.0f} MiB)"


def run_stages(
    seeds_dir: Path,
    work_dir: Path,
    keep: bool = False,
    engine: str = "duckdb",
    warm: bool = False,
    with_lake: bool = False,
) -> list[dict[str, Any]]:
    """Load, dbt build, gate and export `seeds_dir` into a fresh warehouse under `work_dir` (or, with
    `keep`, into the one already there: dbt then builds incrementally when it can, and nothing runs after
    the scan when nothing changed), with dbt on `engine`. On Spark, the mentions' event ids are left in
    `work_dir`/spark_mentions.parquet to compare. With `warm`, the imports of a scheduled run's warm
    process are the first stage, and with `with_lake` the lake is the last (see the module's docstring)."""
    import dataclasses
    import functools
    import importlib
    import uuid

    from eventdw import export, ingest, lake, quality, state, transform, turn_analytics_off
    from eventdw.summary import RunSummary, marts_counts
    from eventdw.warehouse import connect as warehouse_connect

    turn_analytics_off()  # as `eventdw run` does: dbt's usage events, which it tried to send, stay off
    if not keep:
        shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    warehouse, exports, data_docs = work_dir / "eventdw.duckdb", work_dir / "exports", work_dir / "data_docs"
    rows = count_rows(seeds_dir)
    figures: list[dict[str, Any]] = []
    if with_lake:  # as `eventdw run --lake` sets it: the scan then also asks whether the lake took the last run
        os.environ[lake.LAKE_SETTING] = str((work_dir / "lake").resolve())
    if warm:
        from eventdw.schedule import WARM_MODULES

        figures.append(measure("imports", rows, lambda: [importlib.import_module(name) for name in WARM_MODULES]))
        figures[0]["note"] = "imported before a run of `eventdw serve` starts (schedule.WARM_MODULES)"
    run_id = uuid.uuid4().hex[:12]

    scans: list[tuple[str | None, dict[str, Any] | None]] = []

    def scan_stage() -> None:
        fingerprint = state.run_fingerprint(seeds_dir, warehouse, exports, data_docs, engine)
        scans.append((fingerprint, state.last_run_if_unchanged(warehouse, fingerprint, exports, data_docs)))

    figures.append(measure("scan", rows, scan_stage))
    fingerprint, unchanged = scans[0]
    if unchanged is not None:
        figures[-1]["note"] = f"nothing changed since run {unchanged['run_id']}: nothing else runs"
        return figures

    loads: list[ingest.LoadSummary] = []

    def load_stage() -> None:
        with warehouse_connect(warehouse) as con:
            state.forget_finished_run(con)
            loads.append(ingest.load_inputs(con, seeds_dir, run_id))

    sessions: list[Any] = []
    if engine == "spark":
        from eventdw.spark import local_session, marts_connection, work_dir_of

        if not keep:
            shutil.rmtree(work_dir_of(warehouse), ignore_errors=True)
        figures.append(measure("spark session", rows, lambda: sessions.append(local_session(work_dir_of(warehouse)))))
    spark = sessions[0] if sessions else None
    marts = (
        None if spark is None else functools.partial(marts_connection, spark, small_tables=export.READS_BESIDES_MARTS)
    )

    builds: list[transform.BuildResult] = []
    reports: list[quality.QualityReport] = []

    def gate_stage() -> None:
        # As the flow: an incremental build's rows alone, unless the build wrote nothing (every 7th run of a
        # schedule checks everything; the benchmark measures the runs between).
        everything = builds[0].full_refresh or not builds[0].ran
        try:
            reports.append(quality.validate_warehouse(warehouse, data_docs, run_id, spark, everything))
        except quality.QualityError as error:  # a benchmark reports, it does not stop
            print(f"  (gate: {error})", file=sys.stderr)

    parts_before = _manifest_parts(exports)
    figures += [
        measure("load", rows, load_stage),
        measure("dbt build", rows, lambda: builds.append(transform.dbt_build(warehouse, run_id=run_id, spark=spark))),
        measure("quality gate", rows, gate_stage),
        # With the build's record, as the flow passes it (without one, the export reads it from the warehouse).
        measure("export", rows, lambda: export.export_marts(warehouse, exports, run_id, builds[0].record, marts=marts)),
    ]
    next(r for r in figures if r["stage"] == "load")["note"] = f"{loads[0].extraction_rows_validated:,} rows validated"
    next(r for r in figures if r["stage"] == "dbt build")["note"] = builds[0].description
    if reports and reports[0].batch_scoped:
        next(r for r in figures if r["stage"] == "quality gate")["note"] = "the marts' rows this run wrote"
    next(r for r in figures if r["stage"] == "export")["note"] = files_written(exports, parts_before)
    if with_lake:
        synced: list[tuple[dict[str, int], int]] = []
        lake_dir = work_dir / "lake"
        marts_lake = None if spark is None else functools.partial(marts_connection, spark)
        figures.append(
            measure("lake", rows, lambda: synced.append(lake.sync_lake(warehouse, lake_dir, run_id, marts_lake)))
        )
        changed, snapshot = synced[0]
        figures[-1]["note"] = f"{sum(changed.values()):,} rows deleted or appended, snapshot {snapshot}"
    if marts is not None:
        with marts() as con:
            target = work_dir / "spark_mentions.parquet"
            con.execute(f"copy (select mention_id, event_id from marts.fact_event_mentions) to '{target}'")
    elif reports:
        # The run's record, as the flow leaves it: `eventdw run` on the same paths then finds nothing changed.
        with warehouse_connect(warehouse) as con:
            counts = marts_counts(con)
        summary = RunSummary.of_run(
            run_id, loads[0], builds[0].description, reports[0], counts, warehouse, data_docs, exports
        )
        state.record_finished_run(warehouse, fingerprint, run_id, dataclasses.asdict(summary))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds-dir", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--keep", action="store_true", help="build into the warehouse already in --work")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for bench/run.py)")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb", help="where dbt builds")
    parser.add_argument("--warm", action="store_true", help="import what `eventdw serve`'s runs have imported first")
    parser.add_argument("--lake", action="store_true", help="bring the marts into a DuckLake in --work/lake last")
    arguments = parser.parse_args()
    figures = run_stages(
        arguments.seeds_dir, arguments.work, arguments.keep, arguments.engine, arguments.warm, arguments.lake
    )
    if arguments.json:
        print(json.dumps(figures))
        return
    print_table(figures)


def print_table(figures: list[dict[str, Any]]) -> None:
    print(f"{'stage':<14}{'seconds':>10}{'rows/s':>12}{'peak RSS MiB':>15}")
    for row in figures:
        print(
            f"{row['stage']:<14}{row['seconds']:>10.1f}{row['rows_per_second']:>12,.0f}{row['peak_rss_mib']:>15,.0f}"
            + (f"   ({row['note']})" if "note" in row else "")
        )
    print(f"{'total':<14}{sum(r['seconds'] for r in figures):>10.1f}")


if __name__ == "__main__":
    main()
