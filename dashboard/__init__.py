"""The eventdw dashboard (Streamlit), over the Parquet exports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def app_arguments(argv: list[str]) -> argparse.Namespace:
    """The app's own arguments, those after `--` on the streamlit command line."""
    parser = argparse.ArgumentParser(prog="eventdw dashboard")
    parser.add_argument("--exports-dir", type=Path, default=Path("exports"), help="The eventdw exports folder.")
    arguments, _ = parser.parse_known_args(argv)
    return arguments


def streamlit_command(exports_dir: Path, port: int, address: str = "127.0.0.1") -> list[str]:
    """The command line that serves the dashboard on `address:port` (what `eventdw dashboard` runs):
    `streamlit run` through dashboard.serve, which starts reading the exports before a browser connects.

    Headless, no file watcher, no usage statistics; the address is given so that Streamlit does not look
    up the machine's external address on the internet. Static serving hands the browser the map's borders
    (dashboard/static) as a file it fetches once and caches, not in every rerun's messages.
    """
    return [
        sys.executable,
        "-m",
        "dashboard.serve",
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
