"""The dashboard in a browser, timed: first paint and each interaction, and the bytes each one sends.

    .venv/bin/python bench/dashboard_browser.py --exports-dir build/bench/imports-L/pipeline/exports

It serves the dashboard over the given exports (as `eventdw dashboard` does), opens it in headless Chromium
(Debian's, driven by Playwright) and, for the first paint and then each interaction a user makes, prints:

- seconds from the action (the click, or the key that chooses a filter's value) until the last message of
  the app's run has arrived and the browser has drawn it: the end of the last frame that came more than
  50 ms after the one before (the page was busy running its scripts or drawing). The figure is read once
  the app's run is over and 0.3 s have passed with no message and no slow frame; that wait is not counted;
- bytes the server sent for it, as sent: Streamlit's websocket messages plus the app's own files (the map's
  borders, fetched once, gzipped), and, apart, Streamlit's own scripts and styles, which are the same at any
  size and cached by the browser after the first visit.

The interactions: filter on an ACLED event type, then on a country, click the table's first row (its
evidence), go to the table's next page, and a new visit (the whole export again, the server warm); then a
first visit to a new server that has said it has read the export (`eventdw dashboard` reads it as it
starts: the first step's visitor, who comes at once, waits for that). Then the
dashboard server's peak memory, and the first paint of a Streamlit page that shows one line, on a server
of its own: what Streamlit itself costs in this browser, at any size. `--screenshots DIR` saves the whole
page after each step, to look at. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH.parent / "flows")]

from dashboard import streamlit_command  # noqa: E402
from dashboard.serve import READ_MESSAGE  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
QUIET_SECONDS = 0.3


def _peak_rss_mib(pid: int) -> float:
    """The peak resident memory of process `pid` (Linux's VmHWM), in MiB; 0 where /proc does not say."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Traffic:
    """What the server sent the page, as (time, bytes, kind) with kind `data` or `framework`."""

    def __init__(self) -> None:
        self.received: list[tuple[float, int, str]] = []
        self.pending: set[Any] = set()  # requests sent and not yet answered

    def request(self, request: Any) -> None:
        self.pending.add(request)

    def failed(self, request: Any) -> None:
        self.pending.discard(request)

    def websocket(self, socket_: Any) -> None:
        socket_.on("framereceived", lambda payload: self.received.append((time.perf_counter(), len(payload), "data")))

    def finished(self, request: Any) -> None:
        """A response read whole: its bytes as sent (compressed, if the server compressed it)."""
        self.pending.discard(request)
        url = request.url
        if "/_stcore/" in url:  # health checks, host config: bookkeeping
            return
        size = max(request.sizes()["responseBodySize"], 0)
        path = urllib.parse.urlparse(url).path
        kind = "data" if path.startswith(("/app/static/", "/media/")) else "framework"
        self.received.append((time.perf_counter(), size, kind))

    def since(self, started: float) -> tuple[int, int, float]:
        """Data bytes, framework bytes and the time of the last message after `started`."""
        after = [entry for entry in self.received if entry[0] >= started]
        data = sum(size for _, size, kind in after if kind == "data")
        framework = sum(size for _, size, kind in after if kind == "framework")
        return data, framework, max((at for at, _, _ in after), default=started)


# Each frame that comes more than 50 ms after the one before is recorded as [previous, this] (the page's
# clock): the page was busy in between, running scripts or waiting for its drawing to be done.
SLOW_FRAMES_SCRIPT = """
window.__slowFrames = [];
(function frame(now) {
    if (window.__lastFrame !== undefined && now - window.__lastFrame > 50) {
        window.__slowFrames.push([window.__lastFrame, now]);
    }
    window.__lastFrame = now;
    requestAnimationFrame(frame);
})(performance.now());
"""


def settle(page: Any, traffic: Traffic, started: float, timeout: float = 300.0) -> tuple[float, int, int]:
    """Wait until the app's run is over and QUIET_SECONDS have passed with no message and no slow frame;
    seconds from `started` to the later of the last message and the end of the last slow frame, and bytes."""
    deadline = started + timeout
    page.wait_for_timeout(100)
    while time.perf_counter() < deadline:
        state = page.evaluate("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState")
        # The page's clock and ours, read together: the page's times as perf_counter seconds.
        before = time.perf_counter()
        page_now, slow = page.evaluate("[performance.now(), window.__slowFrames.slice(-1)]")
        offset = (before + time.perf_counter()) / 2 - page_now / 1000
        last_frame = slow[0][1] / 1000 + offset if slow else started
        _, _, last_message = traffic.since(started)
        busy_until = max(last_message, last_frame)
        if state == "notRunning" and not traffic.pending and time.perf_counter() - busy_until > QUIET_SECONDS:
            data, framework, _ = traffic.since(started)
            return busy_until - started, data, framework
        page.wait_for_timeout(50)
    raise TimeoutError(f"the dashboard did not settle within {timeout:.0f} s")


def screenshot(page: Any, path: Path) -> None:
    """The whole page (Streamlit scrolls inside its main section: the window grows to it, then back)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(int(height), 1000)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_timeout(1000)


def open_map(page: Any, url: str) -> None:
    """Open the dashboard and wait until its map has fetched its borders and drawn its canvas."""
    with page.expect_event("requestfinished", lambda request: "borders" in request.url, timeout=300_000):
        page.goto(url, wait_until="commit")
        page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas', timeout=300_000)


def search(page: Any, label: str, value: str) -> Callable[[], None]:
    """Type `value` into the sidebar's multiselect labelled `label` (in the browser: nothing is sent); the
    action that chooses it, to time."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.keyboard.type(value)

    def choose() -> None:
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")

    return choose


@contextmanager
def serving(command: list[str], log: Path | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """A Streamlit server started with `command` on a free port (its output to `log`), until the block ends."""
    port = _free_port()
    # Streamlit takes the last --server.port given; the app's own arguments follow "--".
    split = command.index("--") if "--" in command else len(command)
    command = [*command[:split], "--server.port", str(port), *command[split:]]
    environment = os.environ | {"DO_NOT_TRACK": "1", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    output = log.open("wb") if log else subprocess.DEVNULL
    server = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.5)
        yield server, url
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            output.close()


def wait_for_line(log: Path, text: str, timeout: float = 600.0) -> None:
    """Wait until the server's output in `log` has a line with `text`."""
    deadline = time.perf_counter() + timeout
    while text not in log.read_text(errors="replace"):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no {text!r} from the server within {timeout:.0f} s")
        time.sleep(0.2)


def watch(page: Any) -> Traffic:
    """What the server sends `page` from now on."""
    traffic = Traffic()
    page.on("websocket", traffic.websocket)
    page.on("request", traffic.request)
    page.on("requestfinished", traffic.finished)
    page.on("requestfailed", traffic.failed)
    return traffic


def floor_first_paint(browser: Any) -> tuple[float, int, int]:
    """The first paint of a Streamlit page that shows one line: what Streamlit itself costs here."""
    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "empty.py"
        app.write_text("import streamlit as st\n\nst.title('eventdw')\nst.write('An empty page.')\n")
        command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true"]
        command += ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        with serving(command) as (_, url):
            page = browser.new_context().new_page()
            page.add_init_script(SLOW_FRAMES_SCRIPT)
            traffic = watch(page)
            started = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.get_by_text("An empty page.").wait_for(timeout=120_000)
            return settle(page, traffic, started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exports-dir", type=Path, required=True)
    parser.add_argument("--event-type", default="Battles", help="the ACLED event type to filter on")
    parser.add_argument("--country", default="Syria", help="the country to filter on")
    parser.add_argument("--screenshots", type=Path, help="save the whole page after each step here (to look at)")
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, float, int, int]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(SLOW_FRAMES_SCRIPT)
        traffic = watch(page)

        def measure(name: str, action: Callable[[], None]) -> None:
            started = time.perf_counter()
            action()
            seconds, data, framework = settle(page, traffic, started)
            rows.append((name, seconds, data, framework))
            print(f"  {name:<44}{seconds:>7.2f} s {data / 1e6:>8.3f} MB {framework / 1e6:>8.3f} MB", flush=True)
            if arguments.screenshots:
                screenshot(page, arguments.screenshots / f"{len(rows):02d}.png")

        with serving(streamlit_command(arguments.exports_dir.resolve(), 0)) as (server, url):
            print(f"dashboard over {arguments.exports_dir}")
            print(f"  {'':<44}{'time':>9} {'data':>11} {'framework':>11}")
            measure("first paint (a new server, visited at once)", lambda: open_map(page, url))
            measure(
                f"filter: event type {arguments.event_type}", search(page, "ACLED event type", arguments.event_type)
            )
            measure(f"filter: country {arguments.country}", search(page, "Country", arguments.country))
            measure(
                "click the table's first row (evidence)",
                lambda: page.locator(".stDataFrameGlideDataEditor").first.click(position={"x": 15, "y": 52}),
            )
            next_page = page.get_by_test_id("stNumberInputStepUp").first
            if next_page.is_enabled():
                measure("the table's next page", next_page.click)
            measure("a new visit: the whole export again", lambda: open_map(page, url))
            peak = _peak_rss_mib(server.pid)
        # What a user meets who opens the page once `eventdw dashboard` has read the export (it says so).
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "server.log"
            with serving(streamlit_command(arguments.exports_dir.resolve(), 0), log) as (_, url):
                wait_for_line(log, READ_MESSAGE)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.add_init_script(SLOW_FRAMES_SCRIPT)
                traffic = watch(page)
                measure("first paint (a new server, the export read)", lambda: open_map(page, url))
        floor = floor_first_paint(browser)
        browser.close()
    slowest = max(rows, key=lambda row: row[1])
    heaviest = max(rows, key=lambda row: row[2])
    print(f"slowest: {slowest[0]} {slowest[1]:.2f} s; most data: {heaviest[0]} {heaviest[2] / 1e6:.3f} MB")
    print(f"the dashboard server's peak memory: {peak:,.0f} MiB")
    print(
        f"Streamlit's own floor here, a one-line page's first paint: {floor[0]:.2f} s, "
        f"{floor[1] / 1e6:.3f} MB data, {floor[2] / 1e6:.3f} MB framework"
    )


if __name__ == "__main__":
    main()
