"""The benchmark: the whole pipeline against the floor, on synthetic inputs of a chosen size.

    .venv/bin/python bench/run.py --size S            # 2k articles, 10k rows (M: 200k/1M, L: 1M/10M)
    .venv/bin/python bench/run.py --size M --work /data/bench

It generates the inputs (bench/generate.py; kept under --work and reused when present), then runs, each
in its own process so that peak memory is each one's own:

- the pipeline, stage by stage as the flow calls them (bench/stages.py): load, dbt build, quality gate,
  export, and the lake (`--lake`: the marts brought into a DuckLake, eventdw.lake), which the totals leave
  out and a third total, "served, lake", puts in the Parquet export's place;
- the floor: the same transform as one hand-written DuckDB script (bench/floor.sql) over the same
  inputs, with no framework;
- the dashboard's queries over the pipeline's Parquet exports (bench/dashboard_browser.py times the page
  itself in a browser).

- then the increments an analyst has, each an incremental run on the same warehouse, one after the
  other: 1% of the articles at random (every 100th), held back from the runs above, added; a day of new
  articles (1% more, and 1% more coded rows, about events of the data's last week: generate_day); an edit
  of 1% of the coded rows (one more death on every 100th row); and a run with nothing changed, through the
  stages and through `eventdw run` itself. Each is reported stage by stage as a fraction of the full run,
  twice: as a run from a shell, and as a run of `eventdw serve`, whose warm process imported dbt, Great
  Expectations and Prefect's flow before the run (the increments' imports are a stage of their own). The
  day is also taken out again (not measured) and added through `eventdw run` itself, timed from a shell
  with what the stages leave out: Python's start, Prefect's temporary server and flow run, the exit; then
  once more through `eventdw run --full-check`, the run a schedule makes every EVENTDW_FULL_CHECK_EVERY-th,
  whose tests and gate check every row.
- with --spark, the pipeline again on Spark (`--engine spark`, a local[2] session) over the same inputs,
  reported beside DuckDB's, with whether both built the same mentions into the same event ids.

    .venv/bin/python bench/run.py --size M --spark --work /data/bench
    .venv/bin/python bench/run.py --size L --work /data/bench --increments-only   # again, on the last full run's

With --increments-only, the increments alone, on the warehouse the last full run of that size left (brought
back to its 99% of the articles first, unmeasured), as fractions of that run's figures (full_run.json):
to measure a change to the incremental path without the full run and the floor.

    .venv/bin/python bench/run.py --imports L --work /data/bench   # 1M ACLED rows, 1M GDELT events, 3M mentions

The import case instead: the bundled seeds with ACLED and GDELT files in their published formats
(bench/generate_imports.py) in acled/ and gdelt/, through the same stages; then a deletion published by
ACLED (one line added to its deletions file) and the pipeline again on the same warehouse.

It prints wall time, rows/s and peak memory per stage, the pipeline/floor ratio, the incremental runs'
times as fractions of the full run's, and checks that pipeline and floor agree on what they built
(accepted mentions, events, and the same grouping of mentions into the same event ids).
Figures are for the machine it runs on; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent), str(BENCH.parent / "flows")]

from generate import SIZES, generate, generate_day  # noqa: E402
from generate_imports import IMPORT_SIZES, generate_imports  # noqa: E402
from stages import count_rows, measure, print_table  # noqa: E402


def run_floor(seeds_dir: Path, work_dir: Path) -> list[dict[str, Any]]:
    """bench/floor.sql over `seeds_dir`, in a fresh DuckDB file under `work_dir`."""
    import shutil

    import duckdb
    import yaml

    from eventdw import names
    from eventdw.ingest.reference import load_reference

    shutil.rmtree(work_dir, ignore_errors=True)
    (work_dir / "exports").mkdir(parents=True)
    variables = yaml.safe_load((BENCH.parent / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    script = (
        (BENCH / "floor.sql")
        .read_text()
        .replace("{seeds}", str(seeds_dir.resolve()))
        .replace("{exports}", str((work_dir / "exports").resolve()))
        .replace("{place_threshold}", str(variables["place_fuzzy_threshold"]))
        .replace("{actor_threshold}", str(variables["actor_fuzzy_threshold"]))
        .replace("{context_dominance}", str(variables["context_dominance"]))
    )
    transform, export = script.split("\ncopy ", 1)
    rows = count_rows(seeds_dir)
    con = duckdb.connect(str(work_dir / "floor.duckdb"))
    con.execute("set enable_progress_bar = false")
    # No memory cap: the floor is DuckDB at its default (80% of RAM). The pipeline runs under eventdw's
    # cap (EVENTDW_MEMORY_LIMIT, 4GB), so the ratio favours the floor; its peak memory is printed.
    con.create_function("eventdw_normalize_name", names.normalize_name, ["VARCHAR"], "VARCHAR", side_effects=False)

    def reference() -> None:
        con.execute("create schema if not exists raw")
        load_reference(con, seeds_dir / "reference")

    figures = [
        measure("reference", rows, reference),
        measure("transform", rows, lambda: con.execute(transform)),
        measure("export", rows, lambda: con.execute("copy " + export)),
    ]
    con.close()
    return figures


def _subprocess_figures(arguments: list[str]) -> list[dict[str, Any]]:
    env = os.environ | {"PYTHONPATH": str(BENCH.parent / "flows")}
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "Error" in line] or done.stderr.splitlines()[-1:]
        raise SystemExit(f"{' '.join(arguments)} failed: {errors[-1] if errors else done.returncode}")
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def compare(pipeline_warehouse: Path, floor_warehouse: Path) -> dict[str, Any]:
    """What the two built, and whether they grouped the same mentions into the same events."""
    import duckdb

    with duckdb.connect(str(floor_warehouse), read_only=True) as con:
        con.execute(f"attach '{pipeline_warehouse}' as pipeline (read_only)")
        (pipeline_mentions, pipeline_events, floor_mentions, floor_events, pairs) = con.execute(
            """
            select
                (select count(*) from pipeline.marts.fact_event_mentions),
                (select count(*) from pipeline.marts.fact_events),
                (select count(*) from floor_fact_event_mentions),
                (select count(*) from floor_fact_events),
                -- (DuckDB 1.5 counts 0 for count(distinct (a, b)), a row value: the pairs are counted whole.)
                (select count(*) from (
                    select distinct p.event_id, f.event_id
                    from pipeline.marts.fact_event_mentions as p
                    inner join floor_fact_event_mentions as f on f.mention_id = p.mention_id
                ))
            """
        ).fetchone() or (0, 0, 0, 0, 0)
        (different_ids,) = con.execute(
            """
            select count(*) from pipeline.marts.fact_event_mentions as p
            inner join floor_fact_event_mentions as f on f.mention_id = p.mention_id
            where f.event_id <> p.event_id
            """
        ).fetchone() or (1,)
        same_ids = different_ids == 0
    return {
        "pipeline_mentions": pipeline_mentions,
        "pipeline_events": pipeline_events,
        "floor_mentions": floor_mentions,
        "floor_events": floor_events,
        # One (pipeline event, floor event) pair per event on both sides: the same partition of mentions.
        "same_grouping": pipeline_mentions == floor_mentions and pairs == pipeline_events == floor_events and same_ids,
    }


def dashboard_timings(exports_dir: Path) -> list[tuple[str, float]]:
    """Seconds for the dashboard's aggregate queries over the exports, as the app calls them."""
    from dashboard import data

    everything = data.EventFilters()
    timings = []
    for name, call in [
        ("load the export (once per run)", lambda: data.export_summary(exports_dir)),
        ("events over time, all events", lambda: data.activity(exports_dir, everything, "month")),
        ("top 10 actors, all events", lambda: data.top_actors(exports_dir, everything)),
        ("map layer, all events", lambda: data.map_layer(exports_dir, everything)),
        ("a page of the table", lambda: data.events_page(exports_dir, everything, 10)),
    ]:
        started = time.perf_counter()
        call()
        timings.append((name, time.perf_counter() - started))
    return timings


def add_day(seeds: Path, day: Path) -> None:
    """Copy a day's new articles and coded rows (generate_day) into the inputs."""
    import shutil

    for folder in ("articles", "extractions"):
        for path in sorted((day / folder).iterdir()):
            shutil.copy(path, seeds / folder / path.name)


def remove_day(seeds: Path, day: Path) -> None:
    """Take a day's files out of the inputs again."""
    for folder in ("articles", "extractions"):
        for path in sorted((day / folder).glob("*")) if (day / folder).is_dir() else []:
            (seeds / folder / path.name).unlink(missing_ok=True)


def settle() -> None:
    """Wait until what the runs before wrote is on disk (an export writes gigabytes, which the kernel would
    otherwise write back during the next run, measured as that run's), then out of the scan's window for files
    just written (eventdw.ingest.files.RACY_NS): a run that starts within it cannot tell them unchanged later,
    so the next run would not stop after its scan. A day's files are seldom written the second before the run."""
    from eventdw.ingest.files import RACY_NS

    os.sync()
    time.sleep(RACY_NS / 1e9 + 0.1)


def edit_rows(seeds: Path, originals: Path) -> int:
    """A coder's edits: every 100th coded row of each extraction file gets one more death. The files as
    they were are kept in `originals` (restore_edits puts them back). The rows edited."""
    import csv
    import io
    import shutil

    originals.mkdir(exist_ok=True)
    edited = 0
    for path in sorted((seeds / "extractions").glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or "fatalities" not in rows[0]:
            continue
        shutil.copy2(path, originals / path.name)
        for row in rows[::100]:
            value = (row["fatalities"] or "").strip()
            if value.isdigit() or not value:  # (a bad value, the generator's faults, stays bad)
                row["fatalities"] = str(int(value or 0) + 1)
                edited += 1
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return edited


def restore_edits(seeds: Path, originals: Path) -> None:
    """Put back the extraction files edit_rows changed."""
    if originals.is_dir():
        for path in sorted(originals.glob("*.csv")):
            path.replace(seeds / "extractions" / path.name)


def time_cli(seeds: Path, work: Path, changed: bool = False, full_check: bool = False) -> tuple[float, str]:
    """Seconds for `eventdw run` on the inputs and folders of the last stages run, as a person runs it from a
    shell (Python's start, the imports, Prefect's temporary server and flow run, the interpreter's exit, which
    the stages leave out), and when each stage ended, from its progress lines; SystemExit unless it found
    nothing changed, or, `changed`, built incrementally. The command is this checkout's, as the stages are
    (the venv's `eventdw` script imports the checkout it was installed from, which need not be this one).
    It keeps the stages' lake (`--lake`), as the stages do: its last stage. Its tests and gate check the rows
    it wrote, as the stages' incremental runs do, whichever run since the last full check it is
    (EVENTDW_FULL_CHECK_EVERY); `full_check`, every row (`--full-check`: the run a schedule makes every
    EVENTDW_FULL_CHECK_EVERY-th)."""
    command = [sys.executable, "-c", "from eventdw.cli import main; main()", "run", "--seeds-dir", str(seeds),
               "--warehouse", str(work / "eventdw.duckdb"), "--exports-dir", str(work / "exports"),
               "--data-docs-dir", str(work / "data_docs"), "--lake", str(work / "lake"),
               *(["--full-check"] if full_check else [])]  # fmt: skip
    environment = {
        **os.environ,
        "EVENTDW_FULL_CHECK_EVERY": str(10**9),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH.parent / "flows"), os.environ.get("PYTHONPATH")])),
    }
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    seconds = time.perf_counter() - started
    did = "dbt build                  incremental" in done.stdout if changed else "nothing changed" in done.stdout
    did = did and ("every row tested" in done.stdout) == full_check
    if done.returncode != 0 or not did:
        expected = "an incremental build" if changed else "nothing changed"
        expected += ", every row tested" if full_check else ", its rows tested"
        raise SystemExit(f"eventdw run did not do {expected}: {done.stdout[:300]}{done.stderr[-300:]}")
    ended = re.findall(r"^\[\s*([\d.]+) s\] (load|dbt build|quality gate|export|lake): (?!starting)", done.stderr, re.M)
    return seconds, ", ".join(f"{stage} {at} s" for at, stage in ended)


def slowest_nodes(work: Path, label: str, count: int = 8) -> str:
    """The `count` dbt nodes of the last build under `work` that took longest, as "name seconds" pairs, the
    number of nodes it ran, and its longest chain: the nodes, each waiting on the one before, whose times add up
    to the most (what two threads cannot shorten). From dbt's run_results.json and manifest.json, which the next
    build overwrites: they are kept as run_results/{label}.json and manifests/{label}.json under `work`."""
    target = work / "pipeline" / "eventdw.dbt" / "target"
    if not (target / "run_results.json").is_file():
        return "no run_results.json"
    for kept, folder in (("run_results", "run_results"), ("manifest", "manifests")):
        (work / folder).mkdir(exist_ok=True)
        shutil.copyfile(target / f"{kept}.json", work / folder / f"{label}.json")
    nodes = json.loads((target / "run_results.json").read_text())["results"]
    timed = sorted(nodes, key=lambda node: node["execution_time"], reverse=True)[:count]
    listed = ", ".join(f"{_node_name(node['unique_id'])} {node['execution_time']:.1f}" for node in timed)
    seconds = {node["unique_id"]: node["execution_time"] for node in nodes}
    parents = json.loads((target / "manifest.json").read_text())["parent_map"]
    chains: dict[str, tuple[float, list[str]]] = {}

    def chain(node: str) -> tuple[float, list[str]]:  # the longest chain of nodes that ran, ending at `node`
        if node not in chains:
            before = max((chain(parent) for parent in parents.get(node, ()) if parent in seconds), default=(0.0, []))
            chains[node] = (before[0] + seconds[node], [*before[1], node])
        return chains[node]

    longest, path = max(chain(node) for node in seconds)
    steps = " > ".join(f"{_node_name(node)} {seconds[node]:.1f}" for node in path if seconds[node] >= 0.5)
    return (
        f"{len(nodes)} nodes, {sum(seconds.values()):.1f} s in all; slowest: {listed}\n"
        f"  longest chain {longest:.1f} s ({len(path)} nodes; those of 0.5 s or more: {steps})"
    )


def _node_name(unique_id: str) -> str:
    """A node's name in dbt's unique id (model.eventdw.fact_events: fact_events; a test's without its hash)."""
    parts = unique_id.split(".")
    return parts[2] if parts[0] == "test" else parts[-1]


def run_increments(
    seeds: Path, work: Path, stages: list[str], random_share: list[Path], articles: int
) -> tuple[list[tuple[str, list[dict[str, Any]]]], float, list[tuple[float, str]]]:
    """The increments an analyst has, one after the other on the warehouse of the full run: the held-back 1%
    at random, a day (also through `eventdw run`, and through `eventdw run --full-check`), an edit of 1% of
    the coded rows, nothing changed (also through `eventdw run`). Each increment's figures, the command's
    seconds with nothing changed, and its seconds on the day, checking its rows then every row, with when
    each stage ended (time_cli)."""
    held_back, day = work / "held_back", work / "day"
    # Each as a daily schedule runs it, its imports a stage of their own (stages.py --warm); the run with
    # nothing changed imports none of them.
    warm_run = [*stages, "--keep", "--warm"]
    increments: list[tuple[str, list[dict[str, Any]]]] = []
    for path in sorted(held_back.glob("*.txt")):
        path.rename(seeds / "articles" / path.name)
    settle()
    name = f"+1% of the articles, at random ({len(random_share):,})"
    print(f"incremental: {name} ...", flush=True)
    increments.append((name, _subprocess_figures(warm_run)))
    print_table(increments[-1][1])
    print(f"  dbt: {slowest_nodes(work, 'random')}", flush=True)
    add_day(seeds, day)
    settle()
    name = f"+a day: {articles // 100:,} new articles about the last week"
    print(f"incremental: {name} ...", flush=True)
    increments.append((name, _subprocess_figures(warm_run)))
    print_table(increments[-1][1])
    print(f"  dbt: {slowest_nodes(work, 'day')}", flush=True)
    # The same day again through `eventdw run`, as from a shell, then as the run of a schedule that checks
    # every row: each time the day taken out (not measured) and put back.
    day_cli = []
    for how, full_check in (("`eventdw run`", False), ("`eventdw run --full-check`", True)):
        remove_day(seeds, day)
        settle()
        _subprocess_figures([*stages, "--keep"])
        add_day(seeds, day)
        settle()
        print(f"incremental: the same day again, through {how} ...", flush=True)
        day_cli.append(time_cli(seeds, work / "pipeline", changed=True, full_check=full_check))
        print(f"  {day_cli[-1][0]:.1f} s ({day_cli[-1][1]})", flush=True)
    edited = edit_rows(seeds, work / "edited_originals")
    settle()
    print(f"incremental: {edited:,} coded rows edited (1%) ...", flush=True)
    increments.append((f"1% of the coded rows edited ({edited:,})", _subprocess_figures(warm_run)))
    print_table(increments[-1][1])
    print(f"  dbt: {slowest_nodes(work, 'edit')}", flush=True)
    print("nothing changed: the scan alone ...", flush=True)
    increments.append(("nothing changed", _subprocess_figures([*stages, "--keep"])))
    return increments, time_cli(seeds, work / "pipeline")[0], day_cli


def print_cli_runs(full: list[dict[str, Any]], noop: float, days: list[tuple[float, str]]) -> None:
    """The runs through `eventdw run --lake` itself, from a shell, the day against the full run with its lake:
    checking the rows it wrote, then every row."""
    whole_run = sum(row["seconds"] for row in full)
    for (seconds, ended), checks in zip(days, ("its rows", "every row (--full-check)"), strict=True):
        print(
            f"`eventdw run --lake` on the day, checking {checks}, from a shell (Python's start, the imports, "
            f"Prefect's temporary server and flow run, the exit included): {seconds:.1f} s "
            f"({seconds / whole_run:.1%} of the full run with its lake); stages ended at {ended}"
        )
    print(f"`eventdw run` with nothing changed (the command, Python's start included): {noop:.1f} s")


def run_seconds(figures: list[dict[str, Any]]) -> float:
    """A run's seconds: its stages', without the lake's (stages.py --lake), which a run spends only with a lake."""
    return sum(row["seconds"] for row in figures if row["stage"] != "lake")


def print_fractions(full: list[dict[str, Any]], increments: list[tuple[str, list[dict[str, Any]]]]) -> None:
    """Each increment's stages beside the full run's: seconds and the fraction of the full run's. An
    increment run warm (stages.py --warm) has its imports as a stage of its own, which the full run spends
    inside its stages: its total counts them (a run from a shell), and a second total leaves them out (a
    run of `eventdw serve`). The lake (stages.py --lake) is in neither: a third total, "served, lake", is a
    served run that keeps the lake in place of the Parquet export, against a full run that does the same."""
    warm = any(row["stage"] == "imports" for _, figures in increments for row in figures)
    with_lake = any(row["stage"] == "lake" for row in full)
    stages = [*(["imports"] if warm else []), *(row["stage"] for row in full)]
    seconds = {name: {row["stage"]: row["seconds"] for row in figures} for name, figures in increments}
    whole_run = run_seconds(full)
    full_seconds = {row["stage"]: row["seconds"] for row in full}
    lake_run = whole_run - full_seconds.get("export", 0.0) + full_seconds.get("lake", 0.0)
    totals = ["total", *(["served"] if warm else []), *(["served, lake"] if warm and with_lake else [])]
    print(f"{'stage':<14}{'full run':>10}" + "".join(f"  | {name}" for name, _ in increments))
    for stage in [*stages, *totals]:
        if stage in {"total", "served"}:
            whole = whole_run
        elif stage == "served, lake":
            whole = lake_run
        else:
            whole = full_seconds.get(stage, 0.0)
        cells = []
        for name, _ in increments:
            ran = seconds[name]
            if stage == "total":
                spent: float | None = sum(value for key, value in ran.items() if key != "lake")
            elif stage == "served":
                spent = sum(value for key, value in ran.items() if key not in {"imports", "lake"})
            elif stage == "served, lake":
                spent = sum(value for key, value in ran.items() if key not in {"imports", "export"})
            else:
                spent = ran.get(stage)
            cells.append(
                "—" if spent is None else f"{spent:.1f} s ({spent / whole:.1%})" if whole else f"{spent:.1f} s"
            )
        shown = f"{whole:>9.1f}s" if whole else f"{'—':>10}"
        print(f"{stage:<14}{shown}" + "".join(f"  | {cell}" for cell in cells))
    if warm:
        print("  (total: the run from a shell, its imports included; served: a run of `eventdw serve`, whose")
        print("  warm process imported dbt, Great Expectations and Prefect's flow before it started)")
    if warm and with_lake:
        print("  (the lake is in neither; served, lake: a served run that keeps the lake in place of the Parquet")
        print("  export, against a full run that does the same)")
    for name, figures in increments:
        notes = "; ".join(f"{row['stage']}: {row['note']}" for row in figures if "note" in row)
        print(f"  {name}: {notes}")


def run_imports(size: str, work: Path) -> None:
    """The import case: the seeds with `size`'s ACLED and GDELT files (generated once under `work`), a full
    run, then a run after ACLED deletes one event."""
    import shutil

    acled_rows, gdelt_events, gdelt_mentions = IMPORT_SIZES[size]
    work = work / f"imports-{size}"
    inputs = work / "inputs"
    if not (inputs / "gdelt").is_dir():
        print(f"generating {size}: {acled_rows:,} ACLED rows, {gdelt_events:,} GDELT events, "
              f"{gdelt_mentions:,} mentions in {inputs}", flush=True)  # fmt: skip
        for folder in ("articles", "extractions", "reference"):
            shutil.copytree(BENCH.parent / "seeds" / folder, inputs / folder, dirs_exist_ok=True)
        generate_imports(inputs, acled_rows, gdelt_events, gdelt_mentions)
    deletions = inputs / "acled" / "acled_deletions.csv"
    published = deletions.read_text(encoding="utf-8")
    stages = [str(BENCH / "stages.py"), "--seeds-dir", str(inputs), "--work", str(work / "pipeline"), "--json"]
    print(f"pipeline on {inputs} ...", flush=True)
    full = _subprocess_figures(stages)
    print_table(full)
    with duckdb_connect(work / "pipeline" / "eventdw.duckdb") as con:
        counts = dict(con.execute("select source_system, count(*) from marts.fact_events group by 1").fetchall())
        (links,) = con.execute("select count(*) from marts.bridge_event_sources").fetchone() or (0,)
        (event_id,) = con.execute(
            "select min(source_event_id) from marts.fact_events where source_system = 'acled'"
        ).fetchone() or (None,)
    try:
        deletions.write_text(published + f"{event_id},1900000000\n", encoding="utf-8")
        print("incremental: ACLED deletes one event ...", flush=True)
        incremental = _subprocess_figures([*stages, "--keep"])
    finally:
        deletions.write_text(published, encoding="utf-8")
    imported = acled_rows + gdelt_events + gdelt_mentions
    print(f"\n== imports {size}: {acled_rows:,} ACLED rows, {gdelt_events:,} GDELT events, {gdelt_mentions:,} "
          f"mentions (and the seeds); {os.cpu_count()} cores ==")  # fmt: skip
    print("\nfull run (rows/s counts the seeds' coded rows; imported rows/s below)")
    print_table(full)
    load, build = (next(r for r in full if r["stage"] == stage) for stage in ("load", "dbt build"))
    print(f"\nload: {imported / load['seconds']:,.0f} imported rows/s; dbt build {build['seconds']:.1f} s")
    print(f"peak memory: {max(r['peak_rss_mib'] for r in full):,.0f} MiB")
    print(f"events: {', '.join(f'{system} {count:,}' for system, count in sorted(counts.items()))}; "
          f"{links:,} linked pairs in bridge_event_sources")  # fmt: skip
    print("\nincremental run: ACLED deletes one event")
    print_table(incremental)
    total = sum(r["seconds"] for r in full)
    print(f"\nincremental / full, whole run:   {sum(r['seconds'] for r in incremental) / total:.1%}")


def compare_spark(pipeline_warehouse: Path, spark_mentions: Path) -> tuple[int, int, bool]:
    """(Spark's mentions, Spark's events, whether both engines put the same mentions in the same events)."""
    with duckdb_connect(pipeline_warehouse) as con:
        row = con.execute(
            f"""
            select
                (select count(*) from '{spark_mentions}'),
                (select count(distinct event_id) from '{spark_mentions}'),
                (select count(*) from '{spark_mentions}' as s
                 full join marts.fact_event_mentions as d on d.mention_id = s.mention_id
                 where s.event_id is distinct from d.event_id)
            """
        ).fetchone() or (0, 0, 1)
    return int(row[0]), int(row[1]), row[2] == 0


def duckdb_connect(path: Path) -> Any:
    import duckdb

    return duckdb.connect(str(path), read_only=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    parser.add_argument("--imports", choices=sorted(IMPORT_SIZES), help="run the ACLED/GDELT import case instead")
    parser.add_argument("--spark", action="store_true", help="also run the pipeline on Spark (local[2]) and compare")
    parser.add_argument(
        "--increments-only",
        action="store_true",
        help="run only the increments, on the warehouse a full run of this size left under --work",
    )
    parser.add_argument("--floor-only", type=Path, help=argparse.SUPPRESS)  # internal: run the floor, print JSON
    arguments = parser.parse_args()
    if arguments.floor_only:
        print(json.dumps(run_floor(arguments.floor_only, arguments.work)))
        return
    if arguments.imports:
        run_imports(arguments.imports, arguments.work)
        return

    articles, rows = SIZES[arguments.size]
    work = arguments.work / arguments.size
    seeds = work / "inputs"
    if not (seeds / "extractions").is_dir():
        print(f"generating {arguments.size}: {articles:,} articles, {rows:,} rows in {seeds}", flush=True)
        generate(seeds, articles, rows)
    held_back, day = work / "held_back", work / "day"
    held_back.mkdir(exist_ok=True)
    for path in sorted(held_back.glob("*.txt")):  # left there by an interrupted run: back first
        path.rename(seeds / "articles" / path.name)
    remove_day(seeds, day)
    restore_edits(seeds, work / "edited_originals")
    if not (day / "extractions").is_dir():
        print(f"generating a day: {articles // 100:,} articles, {rows // 100:,} rows about the last week", flush=True)
        generate_day(day, articles // 100, rows // 100)
    random_share = sorted((seeds / "articles").glob("*.txt"))[::100]
    for path in random_share:
        path.rename(held_back / path.name)
    stages = [str(BENCH / "stages.py"), "--seeds-dir", str(seeds), "--work", str(work / "pipeline"), "--json"]
    stages.append("--lake")  # the lake, a stage of its own, left out of the run's total (print_fractions)
    full_figures = work / "full_run.json"  # the full run's figures, which --increments-only compares with
    try:
        if arguments.increments_only:
            if not full_figures.is_file() or not (work / "pipeline" / "eventdw.duckdb").is_file():
                raise SystemExit(f"--increments-only needs the warehouse and {full_figures} of a full benchmark run")
            pipeline = json.loads(full_figures.read_text())
            settle()
            print("catching up: the warehouse brought back to 99% of the articles (not measured) ...", flush=True)
            print_table(_subprocess_figures([*stages, "--keep"]))
        else:
            print(f"pipeline on {seeds} (99% of the articles) ...", flush=True)
            pipeline = _subprocess_figures(stages)
            full_figures.write_text(json.dumps(pipeline))
            print_table(pipeline)
            print(f"  dbt: {slowest_nodes(work, 'full')}", flush=True)
            print("floor ...", flush=True)
            floor_run = [str(BENCH / "run.py"), "--floor-only", str(seeds), "--work", str(work / "floor")]
            floor = _subprocess_figures(floor_run)
            print_table(floor)
            agreement = compare(work / "pipeline" / "eventdw.duckdb", work / "floor" / "floor.duckdb")
        spark: list[dict[str, Any]] = []
        if arguments.spark:
            print("pipeline on Spark ...", flush=True)
            spark_stages = [str(BENCH / "stages.py"), "--seeds-dir", str(seeds), "--work", str(work / "spark"),
                            "--json", "--engine", "spark"]  # fmt: skip
            spark = _subprocess_figures(spark_stages)
            print_table(spark)
            spark_built = compare_spark(work / "pipeline" / "eventdw.duckdb", work / "spark" / "spark_mentions.parquet")
        increments, noop_cli, day_cli = run_increments(seeds, work, stages, random_share, articles)
    finally:
        for path in sorted(held_back.glob("*.txt")):
            path.rename(seeds / "articles" / path.name)
        remove_day(seeds, day)
        restore_edits(seeds, work / "edited_originals")

    if arguments.increments_only:
        print(f"\n== {arguments.size}: the increments on the warehouse of the last full run ({full_figures}) ==")
        print_fractions(pipeline, increments)
        print_cli_runs(pipeline, noop_cli, day_cli)
        return
    print(f"\n== {arguments.size}: {articles:,} articles, {rows:,} extraction rows; {os.cpu_count()} cores ==")
    print("\npipeline (99% of the articles; rows/s counts every row read)")
    print_table(pipeline)
    print("\nfloor (bench/floor.sql), same inputs")
    print_table(floor)
    pipeline_seconds, floor_seconds = run_seconds(pipeline), run_seconds(floor)
    transform_seconds = sum(r["seconds"] for r in pipeline if r["stage"] in {"load", "dbt build", "export"})
    print(f"\npipeline / floor, whole run:            {pipeline_seconds / floor_seconds:.2f}x")
    print(f"pipeline / floor, without the GX gate:   {transform_seconds / floor_seconds:.2f}x")
    print(f"peak memory: pipeline {max(r['peak_rss_mib'] for r in pipeline):,.0f} MiB, "
          f"floor {max(r['peak_rss_mib'] for r in floor):,.0f} MiB")  # fmt: skip
    print(
        f"built: pipeline {agreement['pipeline_mentions']:,} mentions in {agreement['pipeline_events']:,} events; "
        f"floor {agreement['floor_mentions']:,} in {agreement['floor_events']:,}; "
        f"same grouping: {'yes' if agreement['same_grouping'] else 'NO'}"
    )
    if spark:
        print("\nthe pipeline on Spark (local[2], a first, full build), same inputs")
        print_table(spark)
        spark_seconds = sum(r["seconds"] for r in spark)
        print(f"\nSpark / DuckDB, whole run:               {spark_seconds / pipeline_seconds:.2f}x")
        print(f"peak memory on Spark (driver JVM, Python workers and this process): "
              f"{max(r['peak_rss_mib'] for r in spark):,.0f} MiB")  # fmt: skip
        mentions, events, same = spark_built
        print(f"built on Spark: {mentions:,} mentions in {events:,} events; the same event ids as DuckDB's: "
              f"{'yes' if same else 'NO'}")  # fmt: skip
    print("\nincremental runs on the same warehouse, one after the other, as a fraction of the full run")
    print_fractions(pipeline, increments)
    print_cli_runs(pipeline, noop_cli, day_cli)
    print("\ndashboard aggregates over the exports")
    for name, seconds in dashboard_timings(work / "pipeline" / "exports"):
        print(f"  {name:<32}{seconds:>8.2f} s")


if __name__ == "__main__":
    main()
