"""The Prefect servers eventdw starts: the temporary one a run from a shell reports to, and the one with a
scheduler `eventdw serve` keeps while it serves (eventdw.schedule.schedule_server).

A run from a shell. Without PREFECT_API_URL, Prefect starts a temporary server when the flow is called, and
waits for it: on the development machine, 1.7 s importing the server's code into the run's process, then
3.3 s for the server to answer, during which the run does nothing. `eventdw run` starts the same server
itself once its inputs are checked (`start_temporary`), a process of its own, which comes up on the other
core while the run scans its inputs and imports Prefect; the flow then reports to it as to any
PREFECT_API_URL (`reporting_to`). It is stopped as the process exits; a run that finds nothing changed
stops it unused. With PREFECT_API_URL set (in the environment, or in Prefect's profile), none is started:
the run reports to that server."""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

# How long a server may take to answer (10-30 s on a busy machine): the startup timeout Prefect's own
# temporary server is given, whose default eventdw.cli sets to this; `serve`'s server is given this.
STARTUP_SECONDS = 180
STARTUP_SETTING = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


class PrefectServerError(Exception):
    """A Prefect server eventdw started stopped as it started, or did not answer in time."""


class PrefectServer:
    """A Prefect server process started on a free local port; `wait` returns its API's address once it
    answers. Its errors go to a file: a pipe nobody reads while it serves would fill, and it would block."""

    def __init__(self, what: str, arguments: list[str], environment: dict[str, str] | None = None) -> None:
        self.what = what
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.api_url = f"http://127.0.0.1:{port}/api"
        self._log: IO[str] = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by stop)
        self._process = subprocess.Popen(
            [sys.executable, *arguments, "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env=os.environ | (environment or {}),
        )

    def wait(self, seconds: float | None = None) -> str:
        """The server's API address, once it answers; PrefectServerError if it stops or is not up in `seconds`."""
        seconds = seconds if seconds is not None else _startup_seconds()
        deadline = time.monotonic() + seconds
        while not _answers(f"{self.api_url}/health"):
            if self._process.poll() is not None:
                self._log.seek(0)
                raise PrefectServerError(f"{self.what} stopped as it started: {_cause(self._log.read())}")
            if time.monotonic() > deadline:
                raise PrefectServerError(f"{self.what} did not answer in {seconds:g} s")
            time.sleep(0.05)
        return self.api_url

    def stop(self) -> None:
        """Stop the server (at once if it is still starting) and wait for it to exit."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()


def start_temporary() -> PrefectServer | None:
    """Prefect's temporary server for one run, started now, as Prefect starts it (SubprocessASGIServer in
    prefect.server.api.server: its API without the UI or the scheduler); None when PREFECT_API_URL is set in
    the environment, or in a Prefect already imported (Prefect's test harness sets it there)."""
    if os.environ.get("PREFECT_API_URL") or _configured_api_url():
        return None
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        return None
    arguments = ["-m", "uvicorn", "--app-dir", str(Path(spec.origin).parent.parent), "--factory"]
    arguments += ["prefect.server.api.server:create_app", "--log-level", "error", "--lifespan", "on"]
    environment = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    server = PrefectServer("Prefect's temporary server", arguments, environment)
    # Stopped as the process exits, after Prefect has sent what it still holds (its log and event workers
    # drain at exit too, registered later, so run first): stopped sooner, Prefect tried to reach it for a
    # minute and more before the process could exit.
    atexit.register(server.stop)
    return server


@contextlib.contextmanager
def reporting_to(server: PrefectServer | None) -> Iterator[None]:
    """Prefect's flows report to `server` while this lasts; to PREFECT_API_URL's server when one is set (in
    Prefect's profile, say: `server` is then stopped unused), or to one Prefect starts itself when `server`
    is None."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if server is None or PREFECT_API_URL.value():
        if server is not None:
            server.stop()
        yield
        return
    with temporary_settings({PREFECT_API_URL: server.wait()}):
        yield


def _configured_api_url() -> str | None:
    if "prefect.settings" not in sys.modules:
        return None  # not imported: the environment is all there is to read before it is
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def _cause(log: str) -> str:
    """The last exception a server's log names ("sqlalchemy.exc.OperationalError: ... unable to open database
    file"), else its last line."""
    lines = log.strip().splitlines()
    errors = [line for line in lines if re.match(r"[A-Za-z_][\w.]*(Error|Exception)\b.*: ", line)]
    return (errors or lines or ["no message"])[-1].strip()


def _startup_seconds() -> float:
    try:
        return float(os.environ.get(STARTUP_SETTING, STARTUP_SECONDS))
    except ValueError:
        return STARTUP_SECONDS


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
