"""What a run says on the console while it works: each stage with its counts, and the time since the start.

    [   5.1 s] load: 5 articles, 65 extraction rows read, 0 rejected; 0 imported rows
    [   9.8 s] dbt build [#########...........]  42/95  model marts.fact_events (0.4 s)
    [  21.0 s] dbt build: 95 nodes (60 models, 35 tests) in 11.2 s
    [  23.4 s] quality gate: 9 suites, 152 expectations, 0 warnings

The lines go to standard error, so that standard output keeps the run's summary for scripts. On a
terminal the dbt stage is one bar, redrawn in place; elsewhere (a log file, CI) each model is a line of its
own and tests are counted, not listed. `eventdw run --quiet` says nothing but errors; `--verbose` leaves this
to Prefect's and dbt's own logs.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Literal, TextIO

Level = Literal["quiet", "normal", "verbose"]
BAR_WIDTH = 20


class Console:
    """The run's progress lines, at the level the command line asked for."""

    def __init__(self) -> None:
        self.level: Level = "normal"
        self.started = time.monotonic()
        self.stream: TextIO = sys.stderr
        self._bar_shown = False
        self._writing = threading.Lock()  # dbt reports nodes from its worker threads

    def start(self, level: Level, stream: TextIO | None = None) -> None:
        """A new run: the clock starts now."""
        self.level, self.started, self._bar_shown = level, time.monotonic(), False
        self.stream = stream or sys.stderr

    def stop(self) -> None:
        """No more progress lines, from any thread: for the last line of a run that stops (Ctrl-C). The lock is
        kept, so that a line being written ends before, and none starts after."""
        self._writing.acquire(timeout=1)
        self._end_bar()
        self.level = "quiet"

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def on_terminal(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def say(self, text: str) -> None:
        """One line of progress, with the time since the run started."""
        if self.level != "normal":
            return
        with self._writing:
            self._end_bar()
            self._write(f"[{self.elapsed:6.1f} s] {text}\n")

    def bar(self, label: str, done: int, total: int, detail: str = "") -> None:
        """A stage's progress: redrawn in place on a terminal; elsewhere only `detail` as a line, if given."""
        if self.level != "normal":
            return
        with self._writing:
            if not self.on_terminal:
                if detail:
                    self._write(f"[{self.elapsed:6.1f} s] {label} {done:>4}/{total:<4} {detail}\n")
                return
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            line = f"[{self.elapsed:6.1f} s] {label} [{bar}] {done:>4}/{total:<4} {detail}"
            self._write(f"\r\033[K{line[:160]}")
            self._bar_shown = True

    def _write(self, text: str) -> None:
        # Not print(): Prefect's log_prints turns a flow's print calls into log records.
        self.stream.write(text)
        self.stream.flush()

    def _end_bar(self) -> None:
        if self._bar_shown:
            self._write("\n")
            self._bar_shown = False


console = Console()


class DbtProgress:
    """A dbt callback that shows each node as it finishes: models by name, tests as a count."""

    RESULT_EVENTS = {"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogNodeResult"}

    def __init__(self) -> None:
        self.finished = 0
        self.models = 0
        self.tests = 0

    def __call__(self, event: Any) -> None:
        if event.info.name not in self.RESULT_EVENTS:
            return
        data = event.data
        self.finished += 1
        total = int(getattr(data, "total", 0) or getattr(data, "num_models", 0) or 0)
        node = getattr(data, "node_info", None)
        resource = str(getattr(node, "resource_type", "") or "")
        name = str(getattr(node, "node_name", "") or getattr(data, "name", ""))
        status = str(getattr(data, "status", "") or getattr(node, "node_status", ""))
        seconds = float(getattr(data, "execution_time", 0.0) or 0.0)
        if event.info.name == "LogTestResult" or resource in {"test", "unit_test"}:
            self.tests += 1
            console.bar("dbt build", self.finished, total)
        else:
            self.models += 1
            relation = getattr(node, "node_relation", None)
            schema = str(getattr(relation, "schema", "") or "")
            what = f"{resource or 'model'} {schema + '.' if schema else ''}{name}"
            console.bar("dbt build", self.finished, total, f"{what}: {status} in {seconds:.1f} s")
