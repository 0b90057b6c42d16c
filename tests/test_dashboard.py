"""The dashboard over the seed run's exports: its queries (dashboard/data.py) and the page in a real browser."""

from __future__ import annotations

import json
import math
import os
import socket
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import data, streamlit_command
from dashboard.data import EventFilters, ExportsError
from tests.conftest import REPO

SCREENSHOT = REPO / "build" / "screenshots" / "dashboard.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SDF = "Syrian Democratic Forces"


@pytest.fixture(scope="module")
def exports(seed_run) -> Path:
    return Path(seed_run.exports_dir)


@pytest.fixture()
def parquet(exports: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The exports read straight with DuckDB, to compute what the dashboard should show without its code."""
    with duckdb.connect() as con:
        con.execute(
            f"create view events as select * from read_parquet('{exports}/fact_events/*/*/*.parquet', "
            "hive_partitioning = true)"
        )
        for table in ("dim_actor", "dim_place", "dim_article"):
            con.execute(f"create view {table} as select * from '{exports}/{table}.parquet'")
        yield con


def deir_ez_zor_capture(events: pd.DataFrame) -> pd.Series:
    """The SDF's capture of Deir ez-Zor on 2024-12-06 (CAMEO 192 Occupy territory)."""
    rows = events[
        (events["actor1_name"] == SDF)
        & (events["place_name"] == "Deir ez-Zor")
        & (events["event_date"] == pd.Timestamp("2024-12-06"))
        & (events["cameo_code"] == "192")
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_summary_gives_the_manifest_run_and_the_exported_counts(exports, parquet):
    manifest = json.loads((exports / "manifest.json").read_text())
    summary = data.export_summary(exports)
    first, last = parquet.execute("select min(event_date), max(event_date) from events").fetchone()
    assert summary.run_id == manifest["run_id"]
    assert (summary.num_events, summary.num_mentions, summary.num_articles) == (48, 65, 5)
    assert summary.num_events == manifest["tables"]["fact_events"]
    assert (summary.first_event_date, summary.last_event_date) == (first, last) == (date(2014, 7, 1), date(2024, 12, 7))


def test_filter_options_offer_what_the_events_have(exports, parquet):
    options = data.filter_options(exports)
    expected_types = {row[0] for row in parquet.execute("select distinct acled_event_type from events").fetchall()}
    assert set(options.acled_event_types) == expected_types
    assert options.acled_event_types[0] == "Battles"  # ACLED's order, not the alphabet's
    assert options.quad_classes == {
        1: "Verbal cooperation",
        2: "Material cooperation",
        3: "Verbal conflict",
        4: "Material conflict",
    }
    assert SDF in options.actor_names and "Islamic State" in options.actor_names
    assert "Deir ez-Zor" in options.governorates and "Syria (country)" in options.governorates


def test_top_actors_count_events_as_actor1_or_actor2(exports, parquet):
    expected = parquet.execute(
        """
        with actors_in_events as (
            select event_id, actor1_id as actor_id from events
            union
            select event_id, actor2_id from events where actor2_id is not null
        )
        select actor_name, count(*) as num_events
        from actors_in_events join dim_actor using (actor_id)
        group by actor_name
        order by num_events desc, actor_name
        limit 10
        """
    ).fetchall()
    top = data.top_actors(exports, EventFilters())
    assert list(top.itertuples(index=False, name=None)) == expected
    assert top.iloc[0].tolist() == ["Military Forces of Syria (2000-2024)", 17]
    assert top.set_index("actor_name").loc[SDF, "num_events"] == 10


def test_weekly_counts_sum_to_the_events_and_their_known_fatalities(exports, parquet):
    weekly = data.weekly_activity(exports, EventFilters())
    num_events, fatalities, unknown = parquet.execute(
        "select count(*), sum(fatalities), count(*) filter (where fatalities is null) from events"
    ).fetchone()
    assert weekly["num_events"].sum() == num_events == 48
    assert weekly["fatalities"].sum() == fatalities == 3  # the Druze militia's clash with police in As-Suwayda
    assert weekly["num_events_unknown_fatalities"].sum() == unknown == 47
    assert all(pd.Timestamp(week).day_of_week == 0 for week in weekly["week_start"])
    # The week of 2 December 2024 holds the fall of Hama, Homs and Deir ez-Zor: 30 events.
    assert weekly[weekly["week_start"] == pd.Timestamp("2024-12-02")]["num_events"].sum() == 30


def test_event_type_filter_keeps_only_that_type(exports, parquet):
    (expected,) = parquet.execute("select count(*) from events where acled_event_type = 'Battles'").fetchone()
    battles = EventFilters(acled_event_types=("Battles",))
    events = data.events(exports, battles)
    assert len(events) == expected == 18
    assert set(events["acled_event_type"]) == {"Battles"}
    assert data.weekly_activity(exports, battles)["num_events"].sum() == expected
    assert SDF not in set(data.top_actors(exports, battles)["actor_name"])


def test_filters_combine_dates_quad_class_actor_and_governorate(exports, parquet):
    filters = EventFilters(
        start_date=date(2024, 12, 1),
        end_date=date(2024, 12, 31),
        quad_classes=(4,),
        actor_names=(SDF,),
        governorates=("Deir ez-Zor",),
    )
    expected = parquet.execute(
        """
        select event_id
        from events
        join dim_place using (place_id)
        where event_date between '2024-12-01' and '2024-12-31'
            and quad_class = 4
            and 'sdf' in (actor1_id, actor2_id)
            and admin1_name = 'Deir ez-Zor'
        order by event_id
        """
    ).fetchall()
    events = data.events(exports, filters)
    assert sorted(events["event_id"]) == [row[0] for row in expected]
    assert len(events) == 2  # the capture of Deir ez-Zor and of the Albu Kamal crossing
    assert set(events["place_name"]) == {"Deir ez-Zor", "Albu Kamal - Al-Qa'im border crossing"}


def test_country_level_events_are_their_own_governorate(exports):
    events = data.events(exports, EventFilters(governorates=("Russia (country)",)))
    assert set(events["place_name"]) == {"Russia"}
    assert set(events["actor1_name"]) == {"Government of Russia"}


def test_deir_ez_zor_capture_shows_its_four_articles_and_their_quotes(exports, parquet):
    capture = deir_ez_zor_capture(data.events(exports, EventFilters()))
    assert capture["num_articles"] == 4
    assert capture["event_label"] == (
        "2024-12-06 · Syrian Democratic Forces → Military Forces of Syria (2000-2024) · Occupy territory · "
        "Deir ez-Zor (4 articles)"
    )
    evidence = data.event_evidence(exports, capture["event_id"])
    assert (
        sorted(evidence["article_id"])
        == sorted(capture["source_article_ids"].split("; "))
        == [
            "000_4938db59a5dbecdc",
            "001_80b8b6eb158c6571",
            "002_06df92578aa3feb5",
            "004_a744f15570869942",
        ]
    )
    texts = dict(parquet.execute("select article_id, raw_text from dim_article").fetchall())
    for mention in evidence.itertuples(index=False):
        assert texts[mention.article_id][mention.quote_start : mention.quote_end] == mention.quote
        assert mention.article_title and mention.actor1_name == SDF and mention.place_name == "Deir ez-Zor"
    assert set(evidence["actor1_text"]) == {SDF, "SDF", "U.S.-backed Syrian rebel forces"}
    assert set(evidence["location_text"]) == {"Deir ez-Zor", "Deir Ezzor", "Deir el-Zor"}
    assert "Deir el-Zor on the banks of the Euphrates" in " ".join(evidence["quote"])


def test_map_points_are_the_events_with_coordinates(exports):
    events = data.events(exports, EventFilters())
    points, num_without_coordinates = data.map_points(events)
    assert (len(points), num_without_coordinates) == (48, 0)
    capture = points[points["event_id"] == deir_ez_zor_capture(events)["event_id"]].iloc[0]
    assert (capture["latitude"], capture["longitude"]) == pytest.approx((35.336, 40.141), abs=0.01)
    assert capture["radius"] == points["radius"].max() == 10.0  # 4 articles: twice the radius of 1
    assert capture["colour"] == [*data.ACLED_EVENT_TYPE_COLOURS["Strategic developments"], 210]
    assert "Deir ez-Zor" in capture["place_label"] and capture["cameo_label"] == "192 Occupy territory"

    without_place = events.copy()
    without_place.loc[without_place.index[:3], ["latitude", "longitude"]] = None
    points, num_without_coordinates = data.map_points(without_place)
    assert (len(points), num_without_coordinates) == (45, 3)


def test_map_opens_on_syria_with_its_places_labelled(exports):
    points, _ = data.map_points(data.events(exports, EventFilters()))
    latitude, longitude, zoom = data.map_view(points)
    assert 32 < latitude < 37 and 35 < longitude < 42  # not pulled to Moscow or Tehran
    assert 4 <= zoom <= 7
    labels = data.map_labels(points, zoom)
    assert {"Deir ez-Zor", "Aleppo", "As-Suwayda"} <= set(labels["place_name"])
    assert labels["place_name"].is_unique


def test_missing_exports_raise_one_line_telling_to_run_the_pipeline(tmp_path):
    with pytest.raises(ExportsError, match=r"No exports folder at .*: run `make run` or `eventdw run` first\."):
        data.read_manifest(tmp_path / "exports")
    (tmp_path / "exports").mkdir()
    with pytest.raises(ExportsError, match=r"No manifest\.json in .*eventdw run"):
        data.read_manifest(tmp_path / "exports")


# The page in Debian's Chromium, driven by Playwright; no basemap tiles, nothing fetched off this machine.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(exports_dir: Path, log_path: Path) -> Iterator[str]:
    """Run the dashboard until the caller is done; yields its URL once it answers its health check."""
    port = _free_port()
    environment = os.environ | {"DO_NOT_TRACK": "1", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            streamlit_command(exports_dir, port), cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    pytest.fail(f"streamlit exited with {server.returncode}:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.read() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not answer within 60 s:\n{log_path.read_text()}")
                time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, url: str, off_machine: list[str]):
    """A page at `url` whose requests off this machine are refused and recorded in `off_machine`."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def route(request_route) -> None:
        request_url = request_route.request.url
        if request_url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            request_route.continue_()
        else:
            off_machine.append(request_url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    return page


def coloured_pixels(png: bytes, rgb: tuple[int, int, int], alpha: int = 210) -> int:
    """How many pixels of a screenshot show `rgb` at `alpha` over white (give or take antialiasing)."""
    import io

    import numpy as np
    from PIL import Image

    expected = np.array([channel * alpha / 255 + 255 * (1 - alpha / 255) for channel in rgb])
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    return int((np.abs(pixels - expected) <= 12).all(axis=2).sum())


def screen_position(canvas: dict[str, float], view: tuple[float, float, float], latitude: float, longitude: float):
    """Where a place is drawn on the map's canvas (Web Mercator around the view's centre)."""
    centre_latitude, centre_longitude, zoom = view
    world_px = 512 * 2**zoom

    def mercator(degrees: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(degrees) / 2))

    x = canvas["x"] + canvas["width"] / 2 + (longitude - centre_longitude) / 360 * world_px
    y = canvas["y"] + canvas["height"] / 2 - (mercator(latitude) - mercator(centre_latitude)) * world_px / (2 * math.pi)
    return x, y


def test_dashboard_page_shows_the_seed_events_in_chromium(browser, exports, tmp_path):
    off_machine: list[str] = []
    with serve(exports, tmp_path / "streamlit.log") as url:
        page = open_page(browser, url, off_machine)
        # Bounded waits: the deck.gl canvas, three Vega-Lite charts drawn as SVG, the table, the evidence.
        page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=60_000)
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                .filter(chart => chart.querySelector('svg .mark-rect, canvas')).length >= 3""",
            timeout=60_000,
        )
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        page.get_by_text("Deir el-Zor on the banks of the Euphrates", exact=False).wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # deck.gl draws on the next animation frames

        assert page.locator('[data-testid="stException"]').count() == 0
        main = page.locator('[data-testid="stMain"]').inner_text()
        run_id = json.loads((exports / "manifest.json").read_text())["run_id"]
        assert f"Run {run_id} · 48 events from 65 mentions in 5 articles · 2014-07-01 to 2024-12-07" in main
        assert "Showing 48 of 48 events." in main
        assert "2024-12-06 · Syrian Democratic Forces → Military Forces of Syria (2000-2024) · Occupy territory" in main
        assert "Deir ez-Zor (4 articles)" in main
        actors_chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="Most active actors")
        assert SDF in actors_chart.inner_text()
        assert page.locator('[data-testid="stDeckGlJsonChart"] canvas').count() >= 1
        # The circles are drawn: pixels of the Battles and Strategic developments colours (a blank canvas has none).
        map_png = page.locator('[data-testid="stDeckGlJsonChart"]').screenshot()
        assert coloured_pixels(map_png, data.ACLED_EVENT_TYPE_COLOURS["Battles"]) > 20
        assert coloured_pixels(map_png, data.ACLED_EVENT_TYPE_COLOURS["Strategic developments"]) > 20

        # Hovering over Deir ez-Zor shows an event there: date, actors, place, CAMEO name, fatalities.
        points, _ = data.map_points(data.events(exports, EventFilters()))
        canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.bounding_box()
        assert canvas is not None
        page.mouse.move(*screen_position(canvas, data.map_view(points), 35.33588, 40.14084))
        tooltip = page.locator(".deck-tooltip")
        tooltip.wait_for(timeout=10_000)
        assert "Deir ez-Zor" in tooltip.inner_text()  # the town, in the governorate of the same name
        assert "fatalities: unknown" in tooltip.inner_text() and "Military Forces of Syria" in tooltip.inner_text()
        page.mouse.move(0, 0)

        # Streamlit scrolls inside its main section: grow the window to the page, then take all of it.
        height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": 1400, "height": max(int(height), 1000)})
        page.wait_for_timeout(1500)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        png = SCREENSHOT.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, png_height = struct.unpack(">II", png[16:24])
        assert width == 1400 and png_height >= 2500 and len(png) > 100_000

        # The sidebar's event type filter reaches the page.
        page.set_viewport_size({"width": 1400, "height": 1000})
        event_type = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
        event_type.click()
        page.keyboard.type("Battles")
        page.keyboard.press("Enter")
        page.get_by_text("Showing 18 of 48 events.").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    assert off_machine == []


def test_dashboard_without_exports_says_to_run_the_pipeline(browser, tmp_path):
    off_machine: list[str] = []
    with serve(tmp_path / "no_exports", tmp_path / "streamlit.log") as url:
        page = open_page(browser, url, off_machine)
        error = page.locator('[data-testid="stAlertContentError"]')
        error.wait_for(timeout=60_000)
        assert error.inner_text().strip().endswith("run make run or eventdw run first.")
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 1
    assert off_machine == []
