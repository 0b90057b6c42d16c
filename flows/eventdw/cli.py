"""The eventdw command line."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from eventdw import turn_analytics_off
from eventdw.prefect_server import STARTUP_SECONDS, STARTUP_SETTING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from eventdw.summary import RunSummary


def _quiet(verbose: bool) -> None:
    turn_analytics_off()
    # Prefect's temporary server may take over its default 20 s to start on a loaded machine; a run waits up
    # to three minutes for it rather than fail.
    os.environ.setdefault(STARTUP_SETTING, str(STARTUP_SECONDS))
    if not verbose:
        # Prefect would log each failure with its traceback; the CLI reports it in one line instead.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")


INTERRUPTED = "Error: interrupted; the last finished build and the last export are kept\n"
SERVE_STOPPED = "eventdw serve stopped; the last finished build and the last export are kept\n"


def _descendants(pid: int | None = None) -> list[int]:
    """The process ids of the processes this process started (a Prefect server, the process `serve` forks
    runs from, a run), and of those they started, from /proc where there is one."""
    parent, found = str(pid or os.getpid()), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if stat.read_text().rsplit(")", 1)[1].split()[1] == parent:
                child = int(stat.parent.name)
                found += [child, *_descendants(child)]
    return found


def _stop_at_once(signum: int, frame: object, message: str = INTERRUPTED) -> None:
    """Ctrl-C: say so in one line, stop the processes this one started (Prefect's server, a run `serve` forked)
    and exit 130, now. What a run writes survives being stopped at any point, as it survives kill -9: the load
    and each dbt model commit whole, a build that did not finish is rebuilt by the next run, and the exports
    folder is replaced whole or not at all."""
    from eventdw.progress import console

    console.stop()
    os.write(2, message.encode())
    for child in _descendants():
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    os._exit(130)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="eventdw", prog_name="eventdw", message="%(prog)s %(version)s")
def main() -> None:
    """eventdw: an event-data warehouse for news articles and hand-coded events."""


def _path_options(command: Callable[..., None]) -> Callable[..., None]:
    """The input and output locations every pipeline command takes."""
    options = [
        click.option(
            "--seeds-dir",
            type=click.Path(path_type=Path),
            default=Path("seeds"),
            show_default=True,
            help="Folder with articles/, extractions/ and reference/.",
        ),
        click.option(
            "--warehouse",
            type=click.Path(path_type=Path),
            default=Path("warehouse/eventdw.duckdb"),
            show_default=True,
            help="The DuckDB file to build.",
        ),
        click.option(
            "--exports-dir",
            type=click.Path(path_type=Path),
            default=Path("exports"),
            show_default=True,
            help="Where the Parquet exports go.",
        ),
        click.option(
            "--parquet/--no-parquet",
            envvar="EVENTDW_PARQUET",
            default=True,
            show_default=True,
            help="Write the Parquet export to --exports-dir (the dashboard reads it). --no-parquet, with --lake, "
            "keeps the lake in its place. Also the EVENTDW_PARQUET setting (0: none).",
        ),
        click.option(
            "--lake",
            type=click.Path(path_type=Path),
            envvar="EVENTDW_LAKE",
            default=None,
            metavar="DIR",
            help="Also keep the marts in a DuckLake in DIR, brought up to date by each run in one snapshot: "
            "every run's tables stay readable, and a run writes the rows it changed (docs/lake.md). Also the "
            "EVENTDW_LAKE setting.",
        ),
        click.option(
            "--data-docs-dir",
            type=click.Path(path_type=Path),
            default=Path("data_docs"),
            show_default=True,
            help="Where the data-quality report (index.html) goes.",
        ),
        click.option(
            "--countries",
            envvar="EVENTDW_COUNTRIES",
            default="",
            metavar="CODES",
            help="Narrow the gazetteer to these countries' places (ISO alpha-2 codes, e.g. SD,TD,SS; also the "
            "EVENTDW_COUNTRIES setting). Default: the whole world.",
        ),
        click.option(
            "--acled-inter-numeric",
            is_flag=True,
            envvar="EVENTDW_ACLED_INTER_NUMERIC",
            help="Write the ACLED CSV files' actor types and interaction as ACLED's older numbers (2, 27) instead of "
            "its current names ('Rebel group', 'Rebel group-Civilians'); also the EVENTDW_ACLED_INTER_NUMERIC setting.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _use_settings(countries: str, acled_inter_numeric: bool, parquet: bool, lake: Path | None) -> None:
    """Hand --countries to the gazetteer, --acled-inter-numeric to the export and --no-parquet and --lake to the
    flow, which read them as the EVENTDW_COUNTRIES, EVENTDW_ACLED_INTER_NUMERIC, EVENTDW_PARQUET and
    EVENTDW_LAKE settings (the lake's folder made absolute, as scheduled runs' paths are)."""
    if countries:
        os.environ["EVENTDW_COUNTRIES"] = countries
    else:
        os.environ.pop("EVENTDW_COUNTRIES", None)
    if acled_inter_numeric:
        os.environ["EVENTDW_ACLED_INTER_NUMERIC"] = "1"
    else:
        os.environ.pop("EVENTDW_ACLED_INTER_NUMERIC", None)
    if parquet:
        os.environ.pop("EVENTDW_PARQUET", None)
    else:
        os.environ["EVENTDW_PARQUET"] = "0"
    if lake is not None and str(lake).strip():
        os.environ["EVENTDW_LAKE"] = str(lake.resolve())
    else:
        os.environ.pop("EVENTDW_LAKE", None)


@main.command()
@_path_options
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    envvar="EVENTDW_ENGINE",
    help="Where dbt builds the marts: duckdb, in the warehouse file, or spark, on a Spark session (local[2], or "
    "the cluster EVENTDW_SPARK_MASTER names; needs the spark extra, see docs/spark.md). Also EVENTDW_ENGINE.",
)
@click.option(
    "--full-check",
    is_flag=True,
    help="Validate every row (dbt's tests and the quality gate) even if the build is incremental, whose checks "
    "otherwise read the rows it wrote; every EVENTDW_FULL_CHECK_EVERY-th run (default 7) does so anyway.",
)
@click.option("--verbose", is_flag=True, help="Show Prefect's and dbt's logs instead of eventdw's progress lines.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (for cron jobs and scripts).")
def run(
    seeds_dir: Path,
    warehouse: Path,
    exports_dir: Path,
    parquet: bool,
    lake: Path | None,
    data_docs_dir: Path,
    countries: str,
    acled_inter_numeric: bool,
    engine: str,
    full_check: bool,
    verbose: bool,
    quiet: bool,
) -> None:
    """Load the inputs, build the marts, check them and export them.

    Progress goes to standard error as the run goes (each stage with its counts and the elapsed time), the
    summary to standard output at the end."""
    if verbose and quiet:
        raise click.UsageError("--verbose and --quiet contradict each other: choose one")
    _quiet(verbose)
    from eventdw.progress import console

    console.start("verbose" if verbose else "quiet" if quiet else "normal")
    _use_settings(countries, acled_inter_numeric, parquet, lake)
    import duckdb

    from eventdw.export import ExportError, check_exports_dir, parquet_export
    from eventdw.ingest import InputError, check_inputs
    from eventdw.lake import LakeError, check_lake_dir, lake_dir
    from eventdw.quality import full_check_every, max_rows
    from eventdw.spark import check_spark
    from eventdw.warehouse import SettingError, WarehousePathError, check_path, out_of_memory

    # The inputs, paths and settings are checked before Prefect, dbt and GX are imported or started: a wrong
    # path, a broken reference file or a setting that makes no sense is reported at once.
    try:
        check_inputs(seeds_dir)
        check_path(warehouse)
        if parquet_export():
            check_exports_dir(exports_dir, seeds_dir, warehouse)
        if (lake_folder := lake_dir()) is not None:
            check_lake_dir(lake_folder, warehouse)
        max_rows()
        full_check_every()
        if engine == "spark":
            check_spark()
    except (InputError, WarehousePathError, ExportError, LakeError, SettingError) as error:
        raise click.ClickException(str(error)) from None

    # Prefect's temporary server starts now, in a process of its own, and is up by the time the flow starts
    # (eventdw.prefect_server); it stops as this process exits.
    from eventdw.prefect_server import PrefectServerError, reporting_to, start_temporary

    server = start_temporary()

    # The scan: a run that finds nothing changed since the last finished one stops here, before Prefect is
    # imported or dbt and the gate start.
    from eventdw.summary import RunSummary, unchanged_run

    # (--full-check checks, changed or not.)
    fingerprint, unchanged = unchanged_run(seeds_dir, warehouse, exports_dir, data_docs_dir, engine)
    if unchanged is not None and not full_check:
        if not quiet:
            _print_summary(unchanged, console.elapsed)
        return

    from eventdw.flow import eventdw_pipeline
    from eventdw.lock import WarehouseBusy, exclusive_run
    from eventdw.quality import QualityError
    from eventdw.transform import TransformError
    from eventdw.warehouse import lock_holder

    # Prefect and dbt catch Ctrl-C and go on, or fail on its side effects (their server stopped by the same
    # Ctrl-C): the run stops itself instead.
    signal.signal(signal.SIGINT, _stop_at_once)
    try:
        # Libraries may reconfigure logging during the run; without --verbose none of it reaches the console.
        logging.disable(logging.NOTSET if verbose else logging.CRITICAL)
        with exclusive_run(warehouse), reporting_to(server):
            summary = eventdw_pipeline(
                seeds_dir,
                warehouse,
                exports_dir,
                data_docs_dir,
                engine=engine,
                fingerprint=fingerprint,
                full_check=full_check,
            )
    except (
        InputError,
        TransformError,
        QualityError,
        WarehouseBusy,
        SettingError,
        ExportError,
        LakeError,
        PrefectServerError,
    ) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo(INTERRUPTED, err=True, nl=False)
        raise SystemExit(130) from None
    except duckdb.OutOfMemoryException as error:
        raise click.ClickException(out_of_memory(str(error)) or str(error)) from None
    except duckdb.IOException as error:
        if holder := lock_holder(error):
            raise click.ClickException(
                f"the warehouse {warehouse} is open in another program ({holder}), a DuckDB session reading it "
                "for example: close it and run again"
            ) from None
        raise click.ClickException(f"cannot open the warehouse {warehouse}: {error}") from None
    except Exception as error:
        if verbose:
            raise
        message = " ".join(str(error).split())
        raise click.ClickException(
            f"{type(error).__name__}: {message} (run again with --verbose for details)"
        ) from None

    if not isinstance(summary, RunSummary):  # a skipped run: only when another process holds the warehouse
        raise click.ClickException(str(summary.message))
    if not quiet:
        _print_summary(summary, console.elapsed)


def _print_summary(summary: RunSummary, elapsed: float) -> None:
    if summary.unchanged_since:
        click.echo(f"eventdw run: nothing changed since run {summary.run_id} ({summary.unchanged_since}); its "
                   f"warehouse, report and exports stand ({elapsed:.1f} s)")  # fmt: skip
    else:
        click.echo(f"eventdw run {summary.run_id} ({elapsed:.1f} s)")
    click.echo(f"  articles loaded            {summary.articles_loaded}")
    click.echo(f"  extraction rows read       {summary.extraction_rows_read}")
    click.echo(f"    accepted                 {summary.extraction_rows_accepted}")
    click.echo(f"    rejected (files + rows)  {summary.rejected_rows}   -> raw.rejected_rows")
    click.echo(f"  dbt build                  {summary.build}")
    click.echo(f"  events                     {summary.events}   (from {summary.mentions} mentions)")
    click.echo(f"  actors / places in events  {summary.actors} / {summary.places}")
    click.echo(f"  unresolved names           {summary.unresolved_names}   -> marts.report_unresolved_names")
    for warning in summary.quality_warnings:
        click.echo(f"  quality warning: {warning}")
    click.echo(f"  warehouse                  {summary.warehouse}")
    click.echo(f"  data-quality report        {summary.data_docs}")
    if summary.exported:
        click.echo(f"  exports                    {summary.exports_dir}/ (manifest.json)")
    else:
        click.echo("  exports                    none (--no-parquet)")
    if summary.lake:
        click.echo(f"  lake                       {summary.lake}")


@main.command()
@_path_options
@click.option("--cron", required=True, help='When to run, as a cron expression: "0 6 * * *" is 06:00 every day.')
@click.option("--timezone", default="UTC", show_default=True, help="The time zone the cron expression is in.")
@click.option("--verbose", is_flag=True, help="Show a failure's traceback.")
def serve(
    seeds_dir: Path,
    warehouse: Path,
    exports_dir: Path,
    parquet: bool,
    lake: Path | None,
    data_docs_dir: Path,
    countries: str,
    acled_inter_numeric: bool,
    cron: str,
    timezone: str,
    verbose: bool,
) -> None:
    """Register the main job with the Prefect server on a cron schedule, and run it when due.

    The server is the one PREFECT_API_URL names (`prefect server start` prints it), or one this command starts
    and stops when it is not set. Ctrl-C stops serving."""
    _quiet(verbose=True)
    _use_settings(countries, acled_inter_numeric, parquet, lake)
    import asyncio

    from eventdw.lake import LakeError, check_lake_dir, lake_dir

    if (lake_folder := lake_dir()) is not None:
        try:
            check_lake_dir(lake_folder, warehouse)
        except LakeError as error:
            raise click.ClickException(str(error)) from None

    from prefect.settings import PREFECT_API_URL

    from eventdw.schedule import (
        DEPLOYMENT_NAME,
        ScheduleError,
        deployment_options,
        schedule_server,
        scheduled_runner,
        warm_runs,
    )

    try:
        options = deployment_options(cron, seeds_dir, warehouse, exports_dir, data_docs_dir, timezone)
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None
    signal.signal(signal.SIGINT, lambda signum, frame: _stop_at_once(signum, frame, SERVE_STOPPED))
    try:
        with schedule_server(), warm_runs():
            runner = scheduled_runner(options)
            click.echo(
                f"eventdw/{DEPLOYMENT_NAME} is being served: runs at {cron!r} ({timezone}) on the Prefect server "
                f"at {PREFECT_API_URL.value()}; Ctrl-C stops serving"
            )
            asyncio.run(runner.start())
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None
    except Exception as error:
        if verbose:
            raise
        message = " ".join(str(error).split())
        if _is_connection_error(error):
            raise click.ClickException(
                f"cannot reach the Prefect server at {PREFECT_API_URL.value()} ({message or type(error).__name__}): "
                "start it (`prefect server start`) or unset PREFECT_API_URL to serve with a server of its own"
            ) from None
        raise click.ClickException(
            f"{type(error).__name__}: {message} (run again with --verbose for details)"
        ) from None


def _is_connection_error(error: BaseException) -> bool:
    """Whether `error`, or what caused it, is a failed connection (httpx's, or the OS's)."""
    import httpx

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (httpx.ConnectError, httpx.ConnectTimeout, ConnectionError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@main.command()
@click.option(
    "--exports-dir",
    type=click.Path(path_type=Path),
    default=Path("exports"),
    show_default=True,
    help="The exports the dashboard shows (written by `eventdw run`).",
)
@click.option("--port", type=int, default=8501, show_default=True, help="The port to serve on.")
@click.option("--address", default="127.0.0.1", show_default=True, help="The address to serve on.")
def dashboard(exports_dir: Path, port: int, address: str) -> None:
    """Serve the Streamlit dashboard (map, events over time, top actors, events with their evidence)."""
    _quiet(verbose=True)
    import socket
    import subprocess

    from dashboard import streamlit_command

    with socket.socket() as probe:
        try:
            probe.bind((address, port))
        except OSError as error:
            raise click.ClickException(
                f"cannot serve on {address}:{port} ({error.strerror or error}): another program (another "
                "dashboard?) uses that port; choose another with --port"
            ) from None
    click.echo(f"eventdw dashboard on http://{address}:{port} (Ctrl-C stops it)")
    server = subprocess.Popen(streamlit_command(exports_dir.resolve(), port, address))
    # SIGTERM (a service manager, `kill`) stops the dashboard as Ctrl-C does: Streamlit stops with it.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    if server.returncode not in (0, -signal.SIGTERM, -signal.SIGINT, None):
        raise click.ClickException(f"the dashboard stopped with exit status {server.returncode}")


def _read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only; in a process that already has it open (one that ran the flow, such
    as a notebook or a test), DuckDB allows no second configuration: then as that process opened it."""
    import duckdb

    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.ConnectionException as error:
        if "different configuration" not in str(error):
            raise
        return duckdb.connect(str(warehouse))


# The warehouse a command reads, which `eventdw run` built.
_built_warehouse = click.option(
    "--warehouse",
    type=click.Path(path_type=Path),
    default=Path("warehouse/eventdw.duckdb"),
    show_default=True,
    help="The DuckDB file `eventdw run` built.",
)


@main.command()
@_built_warehouse
def versions(warehouse: Path) -> None:
    """The versions of eventdw and of what decides the marts' content, installed and as the warehouse's
    last build recorded them, with its build id: what to install to reproduce that build."""
    from eventdw.versions import last_build, versions_report

    last = None
    if warehouse.is_file():
        with _reading(warehouse) as con:
            last = last_build(con)
    click.echo(versions_report(last, str(warehouse)))


@main.command()
@_built_warehouse
def aliases(warehouse: Path) -> None:
    """Draft lines for actor_aliases.csv and place_aliases.csv from the names that resolved to nothing
    (marts.report_unresolved_names): each spelling with its nearest known name's id and the articles it came
    from, for the coder to check and paste."""
    from eventdw.aliases import draft_aliases

    click.echo(draft_aliases(_read_mart(warehouse, "report_unresolved_names")))


def _read_mart(warehouse: Path, table: str) -> pd.DataFrame:
    """A marts table of the warehouse, read-only; one-line errors for a missing warehouse or table."""
    import duckdb

    if not warehouse.is_file():
        raise click.ClickException(f"no warehouse at {warehouse}: run `eventdw run` first")
    with _reading(warehouse) as con:
        try:
            return con.execute(f"select * from marts.{table}").df()
        except duckdb.CatalogException:
            raise click.ClickException(
                f"{warehouse} has no marts.{table}: run `eventdw run` again to build it"
            ) from None


@contextlib.contextmanager
def _reading(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse opened read-only (_read_only); a DuckDB error reading it is one line."""
    import duckdb

    try:
        with _read_only(warehouse) as con:
            yield con
    except duckdb.Error as error:
        raise click.ClickException(f"cannot read {warehouse}: {str(error).splitlines()[0]}") from None


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="The draft CSV to write (never over an existing file). Default: standard output.",
)
@_built_warehouse
@click.option(
    "--seeds-dir",
    type=click.Path(path_type=Path),
    default=Path("seeds"),
    show_default=True,
    help="The folder whose reference/event_verbs.csv lists the event phrases.",
)
def suggest(articles: tuple[Path, ...], out: Path | None, warehouse: Path, seeds_dir: Path) -> None:
    """Draft extraction rows from article files, for a coder to check: one row per sentence that reports an
    event, with the actors, place, date, CAMEO code, ACLED sub-event type and fatalities the warehouse's
    dictionaries find in it, and notes saying where each came from. Nothing is loaded: the coder edits the
    rows and saves them into extractions/."""
    import duckdb

    from eventdw.suggest import VERBS_FILE, SuggestError, drafts_csv, load_dictionaries
    from eventdw.suggest import suggest as draft_rows

    if out is not None and out.exists():
        raise click.ClickException(f"{out} exists: choose another --out, or move it away first")
    if not warehouse.is_file():
        raise click.ClickException(f"no warehouse at {warehouse}: run `eventdw run` first (its names are used)")
    try:
        with _reading(warehouse) as con:
            try:
                dictionaries = load_dictionaries(con, seeds_dir / "reference" / VERBS_FILE)
            except duckdb.CatalogException:
                raise click.ClickException(
                    f"{warehouse} has no built dictionaries: run `eventdw run` to build it"
                ) from None
        drafts = draft_rows(articles, dictionaries)
    except SuggestError as error:
        raise click.ClickException(str(error)) from None
    text = drafts_csv(drafts)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    click.echo(
        f"eventdw suggest: {len(drafts)} draft rows from {len(articles)} article(s)"
        + (f" in {out}" if out else "")
        + "; check each row, put your name in `coder`, and save the rows you keep into extractions/",
        err=True,
    )


@main.command()
@_built_warehouse
def agreement(warehouse: Path) -> None:
    """Inter-coder agreement per coded field (Krippendorff's alpha), over the articles two or more coders
    coded: marts.report_coder_agreement as `eventdw run` last built it."""
    from eventdw.agreement import console_table, in_field_order

    frame = _read_mart(warehouse, "report_coder_agreement")
    click.echo(console_table(in_field_order(frame)))


@main.command()
@_built_warehouse
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("build/model_docs/index.html"),
    show_default=True,
    help="The HTML page to write.",
)
def docs(warehouse: Path, output: Path) -> None:
    """Build dbt's documentation of the models as one HTML page that opens offline: every model and column,
    its tests, and the lineage from the inputs to the dashboard and the exports."""
    _quiet(verbose=False)
    from eventdw.lock import WarehouseBusy, exclusive_run
    from eventdw.transform import TransformError, dbt_docs

    try:
        with exclusive_run(warehouse):
            page = dbt_docs(warehouse, output)
    except (TransformError, WarehouseBusy) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"eventdw model docs: {page} (open it in a browser; it needs no server)")
