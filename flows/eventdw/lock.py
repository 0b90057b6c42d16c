"""One run at a time per warehouse: an exclusive lock on `<warehouse>.lock` for the whole run.

DuckDB's own file lock only covers an open connection, and a run opens and closes several (load, dbt,
gate, export): without this lock a second run could slip in between two steps of the first. The lock is
an OS lock (flock): the kernel releases it when the process ends, even by kill -9, so a crashed run never
leaves the warehouse locked. It is re-entrant within a process (the CLI takes it before Prefect starts,
the flow takes it again for scheduled runs).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

_held: dict[Path, IO[str]] = {}


class WarehouseBusy(Exception):
    """Another run holds the warehouse."""


@contextmanager
def exclusive_run(warehouse: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the warehouse's run lock for the block; if another run holds it, wait up to `wait_seconds` for
    it, then raise WarehouseBusy."""
    # The lock is the resolved file's: two names of one warehouse (a symbolic link) share its lock.
    resolved = warehouse.resolve()
    lock_path = resolved.with_name(resolved.name + ".lock")
    if lock_path in _held:
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() < deadline:
                time.sleep(min(1.0, max(deadline - time.monotonic(), 0.01)))
                continue
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            waited = f" (waited {wait_seconds:g} s)" if wait_seconds else ""
            raise WarehouseBusy(
                f"the warehouse {warehouse} is busy: another eventdw run ({holder}) is using it{waited}"
            ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    handle.flush()
    _held[lock_path] = handle
    try:
        yield
    finally:
        del _held[lock_path]
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
