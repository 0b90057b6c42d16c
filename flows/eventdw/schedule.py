"""The main job as a Prefect deployment on a cron schedule."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

DEPLOYMENT_NAME = "eventdw-scheduled"
# A scheduled run that finds the warehouse busy (a manual `eventdw run`) waits this long for it, then is
# skipped; two scheduled runs never overlap: the second waits in Prefect's queue (deployment concurrency 1).
WAIT_FOR_WAREHOUSE_SECONDS = 3600


class ScheduleError(Exception):
    """The schedule cannot be made (a cron expression Prefect does not accept)."""


def scheduled_deployment(
    cron: str, seeds_dir: Path, warehouse: Path, exports_dir: Path, data_docs_dir: Path, timezone: str = "UTC"
) -> RunnerDeployment:
    """The `eventdw` flow on `cron`, with absolute paths so that the run does not depend on its directory."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.client.schemas.schedules import validate_cron_string
    from prefect.schedules import Cron

    from eventdw.flow import eventdw_pipeline

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
    deployment = eventdw_pipeline.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=Cron(cron, timezone=timezone),
        parameters={
            "seeds_dir": str(seeds_dir.resolve()),
            "warehouse": str(warehouse.resolve()),
            "exports_dir": str(exports_dir.resolve()),
            "data_docs_dir": str(data_docs_dir.resolve()),
            "wait_seconds": WAIT_FOR_WAREHOUSE_SECONDS,
        },
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        description="Load seeds, build the marts, check them and export them, on a schedule.",
        tags=["eventdw"],
    )
    assert not inspect.isawaitable(deployment)  # called outside an event loop: the sync form
    return deployment
