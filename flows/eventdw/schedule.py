"""The main job on a cron schedule: its Prefect deployment, the server that makes its runs due, and the
warm process each run is forked from."""

from __future__ import annotations

import contextlib
import inspect
import multiprocessing.forkserver
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventdw.prefect_server import STARTUP_SECONDS, PrefectServer, PrefectServerError

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment
    from prefect.runner import Runner

DEPLOYMENT_NAME = "eventdw-scheduled"
# A scheduled run that finds the warehouse busy (a manual `eventdw run`) waits this long for it, then is
# skipped; two scheduled runs never overlap: the second waits in Prefect's queue (deployment concurrency 1).
WAIT_FOR_WAREHOUSE_SECONDS = 3600


# What a scheduled run imports, imported once, by the process every run is forked from (run_parent first).
WARM_MODULES = (
    "eventdw.run_parent",
    "eventdw.flow",
    "eventdw.transform",
    "eventdw.quality",
    "dbt.cli.main",
    "great_expectations",
)


class ScheduleError(Exception):
    """The schedule cannot be made (a cron expression Prefect does not accept) or served (no server)."""


def deployment_options(
    cron: str, seeds_dir: Path, warehouse: Path, exports_dir: Path, data_docs_dir: Path, timezone: str = "UTC"
) -> dict[str, Any]:
    """What the `eventdw` flow is deployed with on `cron`: absolute paths, so that a run does not depend on
    its directory; one run at a time."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.client.schemas.schedules import validate_cron_string
    from prefect.schedules import Cron

    try:
        validate_cron_string(cron)
    except ValueError as error:
        raise ScheduleError(f"{cron!r} is not a cron expression ({' '.join(str(error).split())})") from None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"{timezone!r} is not a time zone: give an IANA name such as UTC, Asia/Damascus or America/Bogota"
        ) from None
    return {
        "name": DEPLOYMENT_NAME,
        "schedule": Cron(cron, timezone=timezone),
        "parameters": {
            "seeds_dir": str(seeds_dir.resolve()),
            "warehouse": str(warehouse.resolve()),
            "exports_dir": str(exports_dir.resolve()),
            "data_docs_dir": str(data_docs_dir.resolve()),
            "wait_seconds": WAIT_FOR_WAREHOUSE_SECONDS,
        },
        "concurrency_limit": ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        "description": "Load seeds, build the marts, check them and export them, on a schedule.",
        "tags": ["eventdw"],
    }


def scheduled_deployment(
    cron: str, seeds_dir: Path, warehouse: Path, exports_dir: Path, data_docs_dir: Path, timezone: str = "UTC"
) -> RunnerDeployment:
    """The `eventdw` flow on `cron`, as a deployment to register with a Prefect server."""
    from eventdw.flow import eventdw_pipeline

    options = deployment_options(cron, seeds_dir, warehouse, exports_dir, data_docs_dir, timezone)
    deployment = eventdw_pipeline.to_deployment(**options)
    assert not inspect.isawaitable(deployment)  # called outside an event loop: the sync form
    return deployment


def scheduled_runner(options: dict[str, Any]) -> Runner:
    """A Prefect runner with the `eventdw` flow registered with `options` (deployment_options), to start.

    The runner is given the flow itself, so it starts each run that comes due by Prefect's
    run_flow_in_subprocess, which warm_runs makes a fork (given a deployment alone, it would start each run as
    `python -m prefect.engine`, which imports everything anew)."""
    from prefect.runner import Runner

    from eventdw.flow import eventdw_pipeline

    runner = Runner(name="eventdw", pause_on_shutdown=True)
    runner.add_flow(eventdw_pipeline, **options)
    return runner


@contextlib.contextmanager
def warm_runs() -> Iterator[None]:
    """While open, Prefect starts this process's flow runs by forking a process that imported WARM_MODULES.

    Each run is still a process of its own, which exits with its DuckDB connection, memory and threads, and
    whose crash leaves the schedule running; it starts with Prefect, dbt and Great Expectations imported. The
    forking process is the one multiprocessing's "forkserver" keeps (started here, so that the first run
    is warm too, and gone with this process); it holds the code as it was then: restart `eventdw serve`
    after upgrading eventdw."""
    import prefect.flow_engine

    multiprocessing.set_forkserver_preload(list(WARM_MODULES))
    multiprocessing.forkserver.ensure_running()
    forkserver = multiprocessing.get_context("forkserver")
    # Prefect's run_flow_in_subprocess asks its module's `multiprocessing` for the "spawn" context.
    engine_multiprocessing = prefect.flow_engine.multiprocessing
    prefect.flow_engine.multiprocessing = SimpleNamespace(  # type: ignore[assignment]
        get_context=lambda method=None: forkserver, context=multiprocessing.context
    )
    try:
        yield
    finally:
        prefect.flow_engine.multiprocessing = engine_multiprocessing


@contextlib.contextmanager
def schedule_server() -> Iterator[None]:
    """The Prefect server whose scheduler makes the runs due: PREFECT_API_URL's, or, when it is not set, a
    server started for as long as this lasts (Prefect's own temporary server runs no scheduler, so a
    deployment's schedule never comes due on it). Its runs are kept in PREFECT_HOME's database."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    server = PrefectServer("the Prefect server for the schedule", ["-m", "prefect", "server", "start"])
    try:
        try:
            api_url = server.wait(STARTUP_SECONDS)
        except PrefectServerError as error:
            raise ScheduleError(str(error)) from None
        with temporary_settings({PREFECT_API_URL: api_url}):
            yield
    finally:
        server.stop()
