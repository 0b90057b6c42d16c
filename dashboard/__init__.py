"""The eventdw dashboard (Streamlit), over the Parquet exports."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(exports_dir: Path, port: int, address: str = "127.0.0.1") -> list[str]:
    """The command line that serves the dashboard on `address:port` (what `eventdw dashboard` runs).

    Headless, no file watcher, no usage statistics; the address is given so that Streamlit does not look
    up the machine's external address on the internet. Static serving hands the browser the map's borders
    (dashboard/static) as a file it fetches once and caches, not in every rerun's messages.
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--",
        "--exports-dir",
        str(exports_dir),
    ]
