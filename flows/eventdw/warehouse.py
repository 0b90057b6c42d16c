"""Open the warehouse file: every connection eventdw makes to it goes through `connect`.

DuckDB takes up to 80% of the machine's memory by default; eventdw caps it at EVENTDW_MEMORY_LIMIT
(default 4GB, a DuckDB size) and lets DuckDB spill the rest to `<warehouse>.tmp/`. dbt's connection
reads the same variable (dbt_project/profiles.yml). The cap is DuckDB's only: the Python side of the
load is not under it.

A few steps in a row that each write a little hold the warehouse open (`held`): the connections they make
meanwhile are to the same open database (DuckDB shares one per file and configuration in a process), and
closing one does not close the file. DuckDB checkpoints a file when its last connection closes, and the
first checkpoint of a file just opened costs 0.6 s at ten million rows, however little was written. A stage
that writes much closes the file when it ends: what DuckDB 1.5 wrote stays in memory until the file is
closed, checkpoint or not (3.1 GB after copying the mentions at L; an export on the same open file then ran
out of memory), so a run is not held open whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

DEFAULT_MEMORY_LIMIT = "4GB"  # the same default as in dbt_project/profiles.yml


class SettingError(ValueError):
    """An EVENTDW_* environment variable holds a value eventdw cannot use."""


class WarehousePathError(ValueError):
    """The warehouse's path cannot hold a warehouse file."""


def check_path(warehouse: Path) -> None:
    """WarehousePathError, in one line, if `warehouse` is a folder or one of its parents is a file."""
    if warehouse.is_dir():
        raise WarehousePathError(f"the warehouse {warehouse} is a folder: give the path of a DuckDB file in it")
    for parent in warehouse.absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise WarehousePathError(f"cannot create the warehouse {warehouse}: {parent} is a file, not a folder")


def lock_holder(error: Exception) -> str | None:
    """The program DuckDB says holds the warehouse file's lock ("/usr/bin/python3 (PID 123)"), if it says."""
    found = re.search(r"Conflicting lock is held in (.+? \(PID \d+\))", str(error))
    return found.group(1) if found else None


def memory_limit() -> str:
    return os.environ.get("EVENTDW_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)


OUT_OF_MEMORY = "Out of Memory Error: "  # how DuckDB's message of an allocation over the cap starts


def out_of_memory(message: str) -> str | None:
    """What to do, in one line, when DuckDB's `message` (an exception's, or dbt's for a model) says the
    warehouse ran out of its memory cap; None when it says something else. DuckDB's own message goes on
    with a list of settings to try, of which the cap is the one eventdw leaves to its user."""
    at = message.find(OUT_OF_MEMORY)
    if at < 0:
        return None
    cause = message[at + len(OUT_OF_MEMORY) :].split(" Possible solutions:")[0].splitlines()[0].strip()
    return (
        f"the warehouse ran out of its memory cap, EVENTDW_MEMORY_LIMIT={memory_limit()} (DuckDB: {cause}): "
        "run again with a higher cap"
    )


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file, with eventdw's memory cap."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    limit = memory_limit()
    try:
        # (A literal: DuckDB imports pandas, 0.7 s, for the first query given parameters, and a run that
        # finds nothing changed need not.)
        con.execute("set memory_limit = '{}'".format(limit.replace("'", "''")))
    except duckdb.Error as error:
        con.close()
        reason = str(error).splitlines()[0]
        raise SettingError(
            f"EVENTDW_MEMORY_LIMIT={limit!r} is not a memory size DuckDB accepts, such as 4GB or 512MB ({reason})"
        ) from None
    con.execute("set enable_progress_bar = false")
    return con


@contextmanager
def held(warehouse: Path) -> Iterator[None]:
    """Keep the warehouse open for the block (steps that each write a little: see the module's docstring);
    closed, and so checkpointed, at its end."""
    con = connect(warehouse)
    try:
        yield
    finally:
        con.close()
