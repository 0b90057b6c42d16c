"""The command line as people meet it: progress while a run goes, one-line errors, and what a run publishes
in Prefect; and runs of one warehouse that overlap."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventdw.cli import main
from tests.conftest import PROGRESS_LINE, REPO, SEEDS

EVENTDW = Path(sys.executable).with_name("eventdw")


def test_version_and_short_help():
    version = CliRunner().invoke(main, ["--version"])
    assert (version.exit_code, version.output) == (0, "eventdw 0.1.0\n")
    for arguments in (["-h"], ["run", "-h"], ["dashboard", "-h"]):
        shown = CliRunner().invoke(main, arguments)
        assert shown.exit_code == 0 and shown.output.startswith("Usage: ")
    assert "--quiet" in CliRunner().invoke(main, ["run", "-h"]).output


def test_quiet_and_verbose_contradict_each_other():
    result = CliRunner().invoke(main, ["run", "--quiet", "--verbose"])
    assert result.exit_code == 2 and "--verbose and --quiet contradict each other" in result.output


def test_the_spark_engine_without_pyspark_or_java_says_so_in_one_line(monkeypatch, tmp_path):
    import importlib.util
    import shutil

    paths = ["--warehouse", str(tmp_path / "w.duckdb"), "--exports-dir", str(tmp_path / "exports")]
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "pyspark" else find_spec(name))
    result = CliRunner().invoke(main, ["run", "--engine", "spark", *paths])
    assert result.exit_code == 1
    assert result.output == (
        "Error: --engine spark needs pyspark: install eventdw's spark extra (uv sync --extra spark, "
        "or pip install 'eventdw[spark]')\n"
    )
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(main, ["run", "--engine", "spark", *paths])
    assert result.output == "Error: --engine spark needs Java (17 or later): install it or set JAVA_HOME\n"
    assert not (tmp_path / "w.duckdb").exists()  # refused before anything was written


def test_serve_refuses_an_unknown_time_zone_in_one_line():
    result = CliRunner().invoke(main, ["serve", "--cron", "0 6 * * *", "--timezone", "Mars/Base"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: 'Mars/Base' is not a time zone: give an IANA name such as UTC, Asia/Damascus or America/Bogota\n"
    )


def test_serve_says_in_one_line_that_the_prefect_server_cannot_be_reached(tmp_path):
    environment = os.environ | {"PREFECT_API_URL": "http://127.0.0.1:9/api"}  # nothing listens there
    done = subprocess.run(
        [str(EVENTDW), "serve", "--cron", "0 6 * * *", "--warehouse", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: cannot reach the Prefect server at http://127.0.0.1:9/api (")
    assert done.stderr.endswith(
        "start it (`prefect server start`) or unset PREFECT_API_URL to serve with a server of its own\n"
    )


def test_dashboard_on_a_port_in_use_says_so_and_fails(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["dashboard", "--port", str(port), "--exports-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot serve on 127.0.0.1:{port} (")
    assert result.output.endswith("uses that port; choose another with --port\n")


def test_serve_runs_the_job_when_due_forked_warm_and_ctrl_c_stops_it_all(tmp_path):
    """Without PREFECT_API_URL, serve starts a Prefect server whose scheduler makes the cron's runs due; a run
    is forked by the warm process; Ctrl-C stops serve, its server and that process, in one line."""
    from eventdw.cli import _descendants

    serving = subprocess.Popen(
        [
            *(str(EVENTDW), "serve", "--cron", "* * * * *", "--seeds-dir", str(SEEDS)),
            *("--warehouse", str(tmp_path / "w.duckdb"), "--exports-dir", str(tmp_path / "exports")),
            *("--data-docs-dir", str(tmp_path / "data_docs")),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env={key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
        | {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1"}
        # The flow run's log lines are read below (a CLI test run in this process may have set CRITICAL).
        | {"PREFECT_LOGGING_LEVEL": "INFO"},
    )
    try:
        deadline = time.monotonic() + 600  # a server's start, the next minute, then a run on the seeds
        assert serving.stdout is not None
        lines: list[str] = []
        while time.monotonic() < deadline and not any(_flow_run_finished(line) for line in lines):
            lines.append(serving.stdout.readline())
        running = _descendants(serving.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in running]
        serving.send_signal(2)  # Ctrl-C
        output, _ = serving.communicate(timeout=60)
    finally:
        if serving.poll() is None:
            serving.kill()
    assert any(" is being served: runs at '* * * * *' (UTC)" in line for line in lines), "".join(lines)
    finished = [line for line in lines if _flow_run_finished(line)]
    assert finished and finished[0].endswith("Finished in state Completed()\n"), "".join(lines)
    assert (tmp_path / "exports" / "manifest.json").exists()
    assert any("prefect server start" in command for command in commands)
    assert any("multiprocessing.forkserver" in command for command in commands)  # the warm process
    assert serving.returncode == 130
    assert output.endswith("eventdw serve stopped; the last finished build and the last export are kept\n")
    assert "Aborted!" not in output and "Traceback" not in output
    deadline = time.monotonic() + 30  # SIGKILLed, they are gone once the kernel has torn them down
    while [pid for pid in running if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in running if _alive(pid)]


def test_a_run_starts_prefects_temporary_server_before_its_scan_and_stops_it(warehouse_copy, tmp_path):
    """Without PREFECT_API_URL, `eventdw run` starts Prefect's temporary server itself as its first step (it
    comes up while the run scans its inputs), its flow run is recorded there, and the server is stopped when
    the run ends; a run that finds nothing changed stops it unused."""
    home = tmp_path / "prefect"
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    environment |= {"PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "INFO"}
    command = [str(EVENTDW), "run", "--verbose", "--seeds-dir", str(SEEDS), "--warehouse", str(warehouse_copy)]
    command += ["--exports-dir", str(tmp_path / "exports"), "--data-docs-dir", str(tmp_path / "data_docs")]
    for run in ("checked and exported", "nothing changed"):
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=environment, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Starting temporary server" not in done.stderr  # Prefect did not start one of its own
        assert not _processes_with(f"PREFECT_HOME={home}"), run  # the server this run started is gone
    assert "nothing changed since run" in done.stdout
    with sqlite3.connect(home / "prefect.db") as database:
        states = database.execute("select state_type from flow_run").fetchall()
    assert states == [("COMPLETED",)]  # the first run's, reported to the server it started


def test_a_run_started_by_python_dash_c_goes_through_its_gate_and_export(warehouse_copy, tmp_path):
    """PySpark, which Great Expectations imports, takes a process whose __main__ has no file (python -c, a
    script piped into python) for a doctest run and exits it with status 0: such a run stopped at its gate,
    said nothing and exported nothing (eventdw.import_great_expectations)."""
    paths = ["--seeds-dir", str(SEEDS), "--warehouse", str(warehouse_copy), "--exports-dir", str(tmp_path / "e")]
    done = subprocess.run(
        [sys.executable, "-c", "from eventdw.cli import main; main()", "run", *paths, "--data-docs-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "] quality gate: " in done.stderr and "] export: " in done.stderr, done.stderr[-2000:]
    assert done.stdout.startswith("eventdw run ") and (tmp_path / "e" / "manifest.json").is_file()


def test_a_prefect_server_that_does_not_start_is_one_line(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    environment |= {"PREFECT_HOME": str(tmp_path / "prefect")}
    # A database the server cannot open: it stops as it starts.
    environment |= {"PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp_path}/missing/folder/x.db"}
    paths = ["--warehouse", str(tmp_path / "w.duckdb"), "--exports-dir", str(tmp_path / "exports")]
    done = subprocess.run(
        [str(EVENTDW), "run", "--seeds-dir", str(SEEDS), *paths, "--data-docs-dir", str(tmp_path / "data_docs")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=600,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "Error: Prefect's temporary server stopped as it started: sqlalchemy.exc.OperationalError: "
        "(sqlite3.OperationalError) unable to open database file\n"
    )


def _processes_with(variable: str) -> list[int]:
    """The processes whose environment holds `variable` (NAME=value)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if variable.encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return [pid for pid in found if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return False


def _flow_run_finished(line: str) -> bool:
    return bool(re.search(r"\| Flow run '[a-z-]+' - Finished in state", line))


def report_the_run_process(report: str) -> None:
    """A flow's body: write which process ran it and what that process had imported before the run began."""
    modules = ("dbt.cli.main", "great_expectations", "eventdw.flow")
    Path(report).write_text(
        json.dumps({"pid": os.getpid(), "parent": os.getppid()} | {m: m in sys.modules for m in modules})
    )


def test_serve_forks_each_run_from_one_process_that_imported_dbt_and_gx(prefect_harness, tmp_path):
    from prefect import flow
    from prefect.flow_engine import run_flow_in_subprocess

    from eventdw.schedule import warm_runs

    probe = flow(name="report-the-run-process")(report_the_run_process)
    reports = [tmp_path / f"{n}.json" for n in range(3)]
    with warm_runs():
        for report in reports[:2]:
            run = run_flow_in_subprocess(probe, parameters={"report": str(report)})
            run.join(timeout=300)
            assert run.exitcode == 0
    run = run_flow_in_subprocess(probe, parameters={"report": str(reports[2])})  # outside: Prefect spawns again
    run.join(timeout=300)
    first, second, spawned = (json.loads(report.read_text()) for report in reports)
    assert first["pid"] != second["pid"]  # a process per run, gone with it
    assert first["parent"] == second["parent"] != os.getpid()  # forked by one warm process
    assert first["dbt.cli.main"] and first["great_expectations"] and first["eventdw.flow"]
    assert spawned["parent"] == os.getpid() and not spawned["dbt.cli.main"]


def test_run_shows_each_stage_then_the_summary_and_quiet_shows_nothing(prefect_harness, tmp_path):
    paths = [
        "--seeds-dir",
        str(SEEDS),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--exports-dir",
        str(tmp_path / "exports"),
        "--data-docs-dir",
        str(tmp_path / "docs"),
    ]
    result = CliRunner().invoke(main, ["run", *paths])
    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    assert all(PROGRESS_LINE.match(line) for line in progress), progress
    stages = [PROGRESS_LINE.sub("", line) for line in progress]
    assert stages[0] == (
        "load: 5 articles; 65 extraction rows read, 0 rejected; 0 ACLED/GDELT rows imported, 0 rejected "
        "(0 rows and files in raw.rejected_rows)"
    )
    assert stages[1] == "dbt build: starting"
    built = [stage for stage in stages if stage.startswith("dbt build ")]
    assert any(" model marts.fact_events: OK in " in stage for stage in built)  # each model as it finishes
    assert not any(" test " in stage for stage in built)  # tests are counted, not listed
    summary = next(stage for stage in stages if stage.startswith("dbt build: ") and "models and" in stage)
    assert re.fullmatch(r"dbt build: \d+ models and \d+ tests \(.+\)", summary)
    # The build is recorded before the gate: a build the gate stops is recorded too.
    assert re.fullmatch(r"build [0-9a-f]{16}: recorded in eventdw_state.builds \(`eventdw versions`\)", stages[-3])
    assert stages[-2].startswith("quality gate: 6 suites, ") and stages[-2].endswith(f"{tmp_path / 'docs'}/index.html")
    assert stages[-1] == f"export: 10 tables, {_exported_rows(tmp_path / 'exports'):,} rows, to {tmp_path / 'exports'}/"
    assert re.match(r"eventdw run [0-9a-f]{12} \(\d+\.\d s\)\n  articles loaded +5\n", result.stdout)

    again = CliRunner().invoke(main, ["run", "--quiet", *paths])
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")


def test_a_run_that_finds_nothing_changed_stops_after_the_scan(prefect_harness, tmp_path, monkeypatch):
    """The same inputs, settings and code as the last finished run: the run prints that run's summary and
    starts nothing (no load, no build, no gate, no export). A setting or an output gone makes it run."""
    import duckdb

    # --acled-inter-numeric sets EVENTDW_ACLED_INTER_NUMERIC in this process: restored after the test.
    monkeypatch.setenv("EVENTDW_ACLED_INTER_NUMERIC", "")

    paths = ["--seeds-dir", str(SEEDS), "--warehouse", str(tmp_path / "w.duckdb"),
             "--exports-dir", str(tmp_path / "exports"), "--data-docs-dir", str(tmp_path / "docs")]  # fmt: skip
    first = CliRunner().invoke(main, ["run", *paths])
    assert first.exit_code == 0, first.output
    run_id = re.match(r"eventdw run ([0-9a-f]{12}) ", first.stdout).group(1)

    def runs_recorded() -> list[str]:
        with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
            return [run for (run,) in con.execute("select run_id from eventdw_state.builds order by 1").fetchall()]

    again = CliRunner().invoke(main, ["run", *paths])
    assert again.exit_code == 0, again.output
    assert again.stderr == ""  # no stage started
    header, *lines = again.stdout.splitlines()
    assert re.fullmatch(rf"eventdw run: nothing changed since run {run_id} \(.+\); its warehouse, report and "
                        r"exports stand \(\d+\.\d s\)", header)  # fmt: skip
    assert lines == first.stdout.splitlines()[1:]  # the last run's summary
    assert runs_recorded() == [run_id]
    assert json.loads((tmp_path / "exports" / "manifest.json").read_text())["run_id"] == run_id
    # Nor does it import what a run needs: Prefect, dbt, Great Expectations, or pandas (which DuckDB
    # imports for the first query given parameters), in a process of its own. (dbt-duckdb keeps the
    # build's connection open in the process that ran dbt, this one: each `eventdw run` is a process.)
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    probe = textwrap.dedent("""
        import sys
        from eventdw.cli import main
        try:
            main(["run", *sys.argv[1:]])
        except SystemExit:
            pass
        print("imported:", *[m for m in ("prefect", "dbt", "great_expectations", "pandas") if m in sys.modules])
    """)
    alone = subprocess.run([sys.executable, "-c", probe, *paths], capture_output=True, text=True, check=True)
    assert alone.stdout.startswith(f"eventdw run: nothing changed since run {run_id} "), alone.stdout + alone.stderr
    assert alone.stdout.splitlines()[-1] == "imported:"

    # A setting the results depend on: a run (its load, build and gate find nothing new; the export differs).
    numeric = CliRunner().invoke(main, ["run", "--acled-inter-numeric", *paths])
    assert numeric.exit_code == 0, numeric.output
    assert "dbt build: nothing to do (nothing changed)" in numeric.stderr
    assert len(runs_recorded()) == 2
    # The quality report gone: a run again, which writes it.
    (tmp_path / "docs" / "index.html").unlink()
    rerun = CliRunner().invoke(main, ["run", "--acled-inter-numeric", *paths])
    assert rerun.exit_code == 0, rerun.output
    assert len(runs_recorded()) == 3 and (tmp_path / "docs" / "index.html").is_file()


def _exported_rows(exports: Path) -> int:
    import json

    return sum(json.loads((exports / "manifest.json").read_text())["tables"].values())


def test_each_run_publishes_its_summary_as_a_prefect_artifact(seed_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def latest():
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["eventdw-run-summary"]))
            )
            return [artifact for artifact in found if f"`{seed_run.run_id}`" in artifact.data]

    (artifact,) = asyncio.run(latest())
    assert artifact.type == "markdown"
    assert "| events | 48 (from 65 mentions) |" in artifact.data
    assert "| extraction rows read | 65 |" in artifact.data and "| quality warnings | 0 |" in artifact.data
    assert f"[{seed_run.data_docs}]({Path(seed_run.data_docs).resolve().as_uri()})" in artifact.data


def test_summary_markdown_lists_rejections_and_warnings_safely(seed_run):
    from dataclasses import replace

    from eventdw.flow import summary_markdown

    summary = replace(seed_run, quality_warnings=["marts.fact_event_mentions: 2 coded rows | odd"])
    markdown = summary_markdown(summary, [("extraction", "event_date: not a date (YYYY-MM-DD)", 3)])
    assert "| extraction | event_date: not a date (YYYY-MM-DD) | 3 |" in markdown
    assert "## Quality warnings\n\n- marts.fact_event_mentions: 2 coded rows \\| odd" in markdown


def _hold_lock(warehouse: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the warehouse's run lock for `seconds`; returns once it holds it."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from eventdw.lock import exclusive_run
        with exclusive_run(Path({str(warehouse)!r})):
            print("held", flush=True)
            time.sleep({seconds})
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_run_waits_for_the_warehouse_or_says_how_long_it_waited(tmp_path):
    from eventdw.lock import WarehouseBusy, exclusive_run

    warehouse = tmp_path / "w.duckdb"
    holder = _hold_lock(warehouse, 2)
    try:
        with (
            pytest.raises(
                WarehouseBusy, match=r"another eventdw run \(pid \d+, since .*\) is using it \(waited 0.3 s\)"
            ),
            exclusive_run(warehouse, wait_seconds=0.3),
        ):
            pass
        started = time.monotonic()
        with exclusive_run(warehouse, wait_seconds=60):  # the holder lets go after 2 s
            waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert 0.5 < waited < 30


def test_a_run_that_finds_the_warehouse_busy_is_skipped_not_failed(prefect_harness, tmp_path):
    from eventdw.flow import eventdw_pipeline

    warehouse = tmp_path / "w.duckdb"
    holder = _hold_lock(warehouse, 30)
    try:
        state = eventdw_pipeline(
            SEEDS, warehouse, tmp_path / "exports", tmp_path / "docs", wait_seconds=0.5, return_state=True
        )
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert state.is_cancelled()
    assert state.message.startswith(f"skipped: the warehouse {warehouse} is busy: another eventdw run (pid ")
    assert not (tmp_path / "exports").exists()


def test_scheduled_runs_queue_behind_each_other_and_wait_for_manual_ones(tmp_path):
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy

    from eventdw.schedule import WAIT_FOR_WAREHOUSE_SECONDS, scheduled_deployment

    deployment = scheduled_deployment("0 6 * * *", SEEDS, tmp_path / "w.duckdb", tmp_path / "e", tmp_path / "d")
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy == ConcurrencyLimitStrategy.ENQUEUE
    assert deployment.parameters["wait_seconds"] == WAIT_FOR_WAREHOUSE_SECONDS == 3600


def test_docs_writes_one_page_that_opens_offline_with_the_exposures(seed_run, tmp_path):
    output = tmp_path / "model_docs" / "index.html"
    result = CliRunner().invoke(main, ["docs", "--warehouse", str(seed_run.warehouse), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert result.output == f"eventdw model docs: {output} (open it in a browser; it needs no server)\n"
    page = output.read_text()
    assert '"send_anonymous_usage_stats": false' in page  # the page loads no tracker
    for node in ("model.eventdw.fact_events", "exposure.eventdw.dashboard", "exposure.eventdw.exports"):
        assert f'"{node}"' in page

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=["--no-sandbox"])
        try:
            tab = browser.new_page()

            def route(request_route) -> None:
                if request_route.request.url.startswith(("file:", "data:", "blob:")):
                    request_route.continue_()
                else:
                    outside.append(request_route.request.url)
                    request_route.abort()

            tab.route("**/*", route)
            tab.goto(output.as_uri() + "#!/exposure/exposure.eventdw.dashboard")
            tab.get_by_text("eventdw dashboard exposure").wait_for(timeout=60_000)
            assert "It reads the Parquet exports of these models" in tab.locator("body").inner_text()
        finally:
            browser.close()
    assert outside == []


def test_docs_without_a_warehouse_says_to_run_first(tmp_path):
    result = CliRunner().invoke(main, ["docs", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    missing = tmp_path / "none.duckdb"
    assert (
        result.output == f"Error: no warehouse at {missing}: run `eventdw run` first (the docs describe its tables)\n"
    )
