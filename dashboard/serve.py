"""Serve the dashboard with its exports already loading: `python -m dashboard.serve <streamlit run options>
-- --exports-dir DIR` (what `eventdw dashboard` runs, through dashboard.streamlit_command).

`streamlit run` runs nothing of the app before a browser connects, so the first visitor would wait for the
exports to be read into memory (seconds at millions of events). Here Streamlit runs in this process, and a
thread reads the exports at once, into the same dashboard.data module the app's sessions query: a visitor
who comes while it reads waits only for what is left.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from pathlib import Path

import duckdb

from dashboard import APP, app_arguments, data

READ_MESSAGE = "eventdw dashboard: exports read into memory"


def preload(exports_dir: Path) -> None:
    """Read the exports into dashboard.data's shared connection and say so on stderr. A failure is left to
    the app, which says what is wrong on the page when it connects in its turn."""
    started = time.perf_counter()
    import altair  # noqa: F401  (the page's charts: a second of imports the first visitor need not wait for)

    with contextlib.suppress(data.ExportsError, duckdb.Error, OSError):
        data.connect(exports_dir).close()
        print(f"{READ_MESSAGE} in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def main(argv: list[str]) -> None:
    """Start reading the exports named after `--`, then run `streamlit run` on the app with `argv`."""
    from streamlit.web import cli

    exports_dir = app_arguments(argv[argv.index("--") + 1 :] if "--" in argv else []).exports_dir
    threading.Thread(target=preload, args=(exports_dir,), name="eventdw-preload", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
