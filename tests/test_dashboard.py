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

from dashboard import basemap, data, streamlit_command
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
        for table in ("dim_actor", "dim_place"):
            con.execute(f"create view {table} as select * from '{exports}/{table}.parquet'")
        con.execute(
            f"create view dim_article as select * from read_parquet('{exports}/dim_article/**/*.parquet', "
            "hive_partitioning = false)"
        )
        yield con


def all_events(exports: Path, filters: EventFilters) -> pd.DataFrame:
    """Every filtered event as the table shows them (one page holding them all)."""
    return data.events_page(exports, filters, 0, page_size=100_000)


def deir_ez_zor_capture(events: pd.DataFrame) -> pd.Series:
    """The SDF's capture of Deir ez-Zor on 2024-12-06 (CAMEO 192 Occupy territory)."""
    rows = events[
        (events["actor1_label"] == SDF)
        & (events["place_label"] == "Deir ez-Zor")
        & (events["date_label"] == "2024-12-06")
        & (events["cameo"] == "192 Occupy territory")
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
    weekly = data.activity(exports, EventFilters(), "week")
    num_events, fatalities, unknown = parquet.execute(
        "select count(*), sum(fatalities), count(*) filter (where fatalities is null) from events"
    ).fetchone()
    assert weekly["num_events"].sum() == num_events == 48
    assert weekly["fatalities"].sum() == fatalities == 3  # the Druze militia's clash with police in As-Suwayda
    assert weekly["num_events_unknown_fatalities"].sum() == unknown == 47
    assert all(pd.Timestamp(week).day_of_week == 0 for week in weekly["bin_start"])
    # The week of 2 December 2024 holds the fall of Hama, Homs and Deir ez-Zor: 30 events.
    assert weekly[weekly["bin_start"] == pd.Timestamp("2024-12-02")]["num_events"].sum() == 30
    overview = data.overview(exports, EventFilters())
    assert (overview.num_events, overview.num_located, overview.fatalities) == (48, 48, 3)
    assert overview.num_unknown_fatalities == 47


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2024, 12, 1), date(2024, 12, 7), "day"),
        (date(2024, 8, 1), date(2024, 12, 28), "day"),  # 150 days
        (date(2024, 1, 1), date(2024, 12, 31), "week"),
        (date(2022, 1, 1), date(2024, 12, 31), "month"),  # 157 weeks would be too many
        (date(2014, 7, 1), date(2024, 12, 7), "month"),  # the seeds: a decade in months, not weekly slivers
        (date(1997, 1, 1), date(2024, 12, 31), "year"),
        (None, None, "day"),
    ],
)
def test_time_bins_follow_the_span(first, last, expected):
    assert data.time_bin(first, last) == expected


def test_monthly_and_yearly_bins_start_on_the_first_and_end_where_the_next_begins(exports, parquet):
    monthly = data.activity(exports, EventFilters(), "month")
    assert monthly["num_events"].sum() == 48
    assert set(pd.to_datetime(monthly["bin_start"]).dt.day) == {1}
    (december,) = parquet.execute("select count(*) from events where event_date >= '2024-12-01'").fetchone()
    assert monthly[monthly["bin_start"] == pd.Timestamp("2024-12-01")]["num_events"].sum() == december == 30
    yearly = data.activity(exports, EventFilters(), "year")
    (in_2024,) = parquet.execute("select count(*) from events where year(event_date) = 2024").fetchone()
    assert yearly.groupby("bin_start")["num_events"].sum()[pd.Timestamp("2024-01-01")] == in_2024 == 34
    assert data.bin_end(date(2024, 12, 1), "month") == date(2025, 1, 1)
    assert data.bin_end(date(2024, 12, 2), "week") == date(2024, 12, 9)
    assert data.bin_end(date(2024, 1, 1), "year") == date(2025, 1, 1)
    with pytest.raises(ValueError, match="unknown time bin"):
        data.activity(exports, EventFilters(), "fortnight")


def test_event_type_filter_keeps_only_that_type(exports, parquet):
    (expected,) = parquet.execute("select count(*) from events where acled_event_type = 'Battles'").fetchone()
    battles = EventFilters(acled_event_types=("Battles",))
    events = all_events(exports, battles)
    assert len(events) == expected == data.overview(exports, battles).num_events == 18
    assert set(events["acled_event_type"]) == {"Battles"}
    assert data.activity(exports, battles, "week")["num_events"].sum() == expected
    assert SDF not in set(data.top_actors(exports, battles)["actor_name"])


def test_filters_combine_dates_quad_class_actor_and_governorate(exports, parquet):
    filters = EventFilters(
        start_date=date(2024, 12, 1),
        end_date=date(2024, 12, 31),
        quad_classes=(4,),
        actor_names=(SDF,),
        governorates=("Deir ez-Zor",),
        countries=("Syria",),
        sources=("coded",),
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
    events = all_events(exports, filters)
    assert sorted(events["event_id"]) == [row[0] for row in expected]
    assert len(events) == 2  # the capture of Deir ez-Zor and of the Albu Kamal crossing
    assert set(events["place_label"]) == {"Deir ez-Zor", "Albu Kamal - Al-Qa'im border crossing"}
    assert all_events(exports, EventFilters(sources=("acled",))).empty  # the seeds import nothing


def test_filters_survive_the_url_round_trip():
    filters = EventFilters(
        start_date=date(2024, 12, 1),
        end_date=date(2024, 12, 31),
        acled_event_types=("Battles", "Protests"),
        quad_classes=(3, 4),
        actor_names=(SDF,),
        governorates=("Deir ez-Zor",),
        countries=("Syria",),
        sources=("coded", "acled"),
        area=(35.0, 40.0, 35.5, 40.5),
    )
    params = filters.query_params()
    assert params["from"] == "2024-12-01" and params["type"] == ["Battles", "Protests"]
    assert params["area"] == "35,40,35.5,40.5"
    as_url = {key: value if isinstance(value, list) else [value] for key, value in params.items()}
    assert EventFilters.from_query_params(as_url) == filters
    assert EventFilters().query_params() == {}
    # A hand-edited URL with values that make no sense is read as far as it can be, never an error.
    assert EventFilters.from_query_params(
        {"from": ["yesterday"], "quad": ["4", "x"], "source": ["twitter", "gdelt"], "area": ["1,2"]}
    ) == EventFilters(quad_classes=(4,), sources=("gdelt",))


def test_country_level_events_are_their_own_governorate(exports):
    events = all_events(exports, EventFilters(governorates=("Russia (country)",)))
    assert set(events["place_label"]) == {"Russia"}
    assert set(events["actor1_label"]) == {"Government of Russia"}


def test_table_pages_hold_every_event_once_newest_first(exports, parquet):
    pages = [data.events_page(exports, EventFilters(), page, page_size=20) for page in range(3)]
    assert [len(page) for page in pages] == [20, 20, 8]
    event_ids = [event_id for page in pages for event_id in page["event_id"]]
    assert sorted(event_ids) == sorted(row[0] for row in parquet.execute("select event_id from events").fetchall())
    assert pages[0]["date_label"].iloc[0] == "2024-12-07" and pages[2]["date_label"].iloc[-1] == "2014 (year)"
    assert data.events_page(exports, EventFilters(), 3, page_size=20).empty
    # No None shown: an event without a second actor shows an empty cell.
    assert not pd.concat(pages)[["actor1_label", "actor2_label", "place_label", "cameo"]].isna().any().any()


def test_csv_download_holds_the_filtered_events(exports, parquet, tmp_path):
    battles = EventFilters(acled_event_types=("Battles",))
    target = tmp_path / "events.csv"
    assert data.write_events_csv(exports, battles, target) == 18
    written = pd.read_csv(target)
    assert len(written) == 18 and set(written["acled_event_type"]) == {"Battles"}
    assert {"event_id", "event_date", "actor1_name", "place_name", "latitude", "fatalities"} <= set(written.columns)
    (expected,) = parquet.execute(
        "select list(event_id order by event_id) from events where acled_event_type = 'Battles'"
    ).fetchone()
    assert sorted(written["event_id"]) == expected
    assert written["event_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_deir_ez_zor_capture_shows_its_four_articles_and_their_quotes(exports, parquet):
    capture = deir_ez_zor_capture(all_events(exports, EventFilters()))
    assert capture["num_articles"] == 4
    detail = data.event_detail(exports, capture["event_id"])
    assert data.event_label(detail) == (
        "2024-12-06 · Syrian Democratic Forces → Military Forces of Syria (2000-2024) · Occupy territory · "
        "Deir ez-Zor (4 articles)"
    )
    evidence = data.event_evidence(exports, capture["event_id"])
    assert (
        sorted(evidence["article_id"])
        == sorted(detail["source_article_ids"].split("; "))
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
    # A coded event has no ACLED row of its own, and the seeds link no other source to it.
    assert data.imported_record(exports, capture["event_id"]) is None
    assert data.event_links(exports, capture["event_id"]).empty
    assert data.event_detail(exports, "no-such-event") is None


def test_map_points_are_the_events_with_coordinates(exports):
    layer = data.map_layer(exports, EventFilters())
    assert (layer.kind, len(layer.frame), layer.num_located, layer.num_without_coordinates) == ("points", 48, 48, 0)
    capture = layer.frame[
        layer.frame["event_id"] == deir_ez_zor_capture(all_events(exports, EventFilters()))["event_id"]
    ]
    capture = capture.iloc[0]
    assert (capture["latitude"], capture["longitude"]) == pytest.approx((35.336, 40.141), abs=0.01)
    assert capture["radius"] == layer.frame["radius"].max() == 10.0  # 4 articles: twice the radius of 1
    assert capture["colour"] == data.hex_colour(data.ACLED_EVENT_TYPE_COLOURS["Strategic developments"])
    assert "Deir ez-Zor" in capture["place_label"] and capture["cameo_label"] == "192 Occupy territory"
    south, west, north, east = layer.bounds
    assert south <= capture["latitude"] <= north and west <= capture["longitude"] <= east


def test_more_events_than_points_are_drawn_as_cells_that_a_click_narrows_to(exports):
    layer = data.map_layer(exports, EventFilters(), max_points=10)
    assert layer.kind == "cells" and layer.cell_degrees in data.GRID_DEGREES
    cells = layer.frame
    assert 1 <= len(cells) <= 10 and cells["num_events"].sum() == 48
    assert ((cells["south"] <= cells["latitude"]) & (cells["latitude"] < cells["north"])).all()
    assert ((cells["west"] <= cells["longitude"]) & (cells["longitude"] < cells["east"])).all()
    busiest = cells.iloc[0]
    assert busiest["num_events"] == cells["num_events"].max()
    assert busiest["summary"].startswith(f"{busiest['num_events']} events around")
    assert busiest["main_type_share"].startswith(f"{busiest['acled_event_type']}: ")
    # A click on a cell filters to its area: exactly its events.
    area = EventFilters(area=(busiest["south"], busiest["west"], busiest["north"], busiest["east"]))
    assert data.overview(exports, area).num_events == busiest["num_events"]


def test_map_fits_every_event_and_labels_do_not_overlap(exports):
    layer = data.map_layer(exports, EventFilters())
    latitude, longitude, zoom = data.map_view(layer.bounds)
    south, west, north, east = layer.bounds
    assert south < latitude < north and west < longitude < east
    # The whole extent fits in the 1000 x 520 px map at that zoom (Web Mercator: 512 * 2**zoom px for 360°).
    assert (east - west) / 360 * 512 * 2**zoom <= 1000
    places = data.place_counts(exports, EventFilters())
    assert places.iloc[0]["place_name"] == "Deir ez-Zor"  # the place with most events first
    labels = data.map_labels(places, zoom)
    assert "Deir ez-Zor" in set(labels["place_name"]) and labels["place_name"].is_unique
    assert len(labels) < len(places)  # some left out, as they would overlap at this zoom
    assert set(data.map_labels(places, zoom + 4)["place_name"]) > set(labels["place_name"])


def test_borders_are_the_topologys_arcs_simplified_to_the_tolerance():
    # A quantized TopoJSON arc: the first point, then steps of 0.1 degree from (30, 10). The second point is
    # 0.1 degree off the line from the first to the last: kept at a tolerance of 0.05, dropped at 0.2; the
    # third is 0.03 degree off the line from the second to the last: dropped at 0.05, kept at 0.01.
    topology = {
        "transform": {"scale": [0.1, 0.1], "translate": [30.0, 10.0]},
        "arcs": [[[0, 0], [10, 1], [10, -1], [0, 0], [5, 0]], [[3, 3], [0, 0]]],
    }
    arcs = basemap.topojson_paths(topology)
    # The repeated point is dropped; an arc reduced to one point is no line.
    assert arcs == [[[30.0, 10.0], [31.0, 10.1], [32.0, 10.0], [32.5, 10.0]]]
    assert basemap.simplified(arcs[0], 0.01) == arcs[0]
    assert basemap.simplified(arcs[0], 0.05) == [[30.0, 10.0], [31.0, 10.1], [32.5, 10.0]]
    assert basemap.simplified(arcs[0], 0.2) == [[30.0, 10.0], [32.5, 10.0]]
    lines = basemap.borders_geojson([basemap.simplified(arcs[0], 0.05)])["features"][0]["geometry"]
    assert lines == {"type": "MultiLineString", "coordinates": [[[30.0, 10.0], [31.0, 10.1], [32.5, 10.0]]]}


def test_packaged_borders_span_the_world():
    (feature,) = json.loads(basemap.BORDERS.read_text("utf-8"))["features"]
    lines = feature["geometry"]["coordinates"]
    assert len(lines) > 1_500 and sum(len(line) for line in lines) > 20_000
    longitudes = [point[0] for line in lines for point in line]
    latitudes = [point[1] for line in lines for point in line]
    assert min(longitudes) < -179 and max(longitudes) > 179
    assert min(latitudes) < -85 and max(latitudes) > 83


def test_serve_reads_the_exports_before_any_visit_and_leaves_failures_to_the_page(exports, tmp_path):
    from dashboard import serve

    key = str(exports.resolve())
    data._LOADED.pop(key, None)
    serve.preload(exports)
    assert key in data._LOADED  # the sessions' queries find it read
    serve.preload(tmp_path / "no_exports")  # no exception: the page says what is wrong when it connects
    assert str((tmp_path / "no_exports").resolve()) not in data._LOADED


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


def grey_pixels(png: bytes) -> int:
    """How many pixels of a screenshot are a mid grey (the borders' #969696, antialiased over white)."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    neutral = (pixels.max(axis=2) - pixels.min(axis=2)) <= 6
    return int((neutral & (pixels[:, :, 0] >= 140) & (pixels[:, :, 0] <= 235)).sum())


def screen_position(canvas: dict[str, float], view: tuple[float, float, float], latitude: float, longitude: float):
    """Where a place is drawn on the map's canvas (Web Mercator around the view's centre)."""
    centre_latitude, centre_longitude, zoom = view
    world_px = 512 * 2**zoom

    def mercator(degrees: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(degrees) / 2))

    x = canvas["x"] + canvas["width"] / 2 + (longitude - centre_longitude) / 360 * world_px
    y = canvas["y"] + canvas["height"] / 2 - (mercator(latitude) - mercator(centre_latitude)) * world_px / (2 * math.pi)
    return x, y


def settled(page) -> None:
    """Wait until the app's script has run and the browser has drawn what it sent."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'", timeout=60_000
    )
    page.wait_for_timeout(1500)  # Vega draws on the next animation frames


def test_dashboard_page_shows_the_seed_events_in_chromium(browser, exports, tmp_path):
    off_machine: list[str] = []
    with serve(exports, tmp_path / "streamlit.log") as url:
        page = open_page(browser, url, off_machine)
        # Bounded waits: the map (Vega-Lite on a canvas), three Vega-Lite charts drawn as SVG, the table.
        page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas', timeout=60_000)
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                .filter(chart => chart.querySelector('svg .mark-rect')).length >= 3""",
            timeout=60_000,
        )
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        settled(page)

        assert page.locator('[data-testid="stException"]').count() == 0
        main = page.locator('[data-testid="stMain"]').inner_text()
        run_id = json.loads((exports / "manifest.json").read_text())["run_id"]
        assert f"Run {run_id} · 48 events from 65 mentions in 5 articles · 2014-07-01 to 2024-12-07" in main
        assert "Showing 48 of 48 events · 3 known fatalities (47 events report none)" in main
        assert "Events per month" in main  # a decade of events: monthly bars
        assert "Events 1 to 48 of 48, newest first." in main
        actors_chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="Most active actors")
        assert SDF in actors_chart.inner_text()
        # The circles are drawn over the borders: pixels of the Battles and Strategic developments colours, and
        # of the borders' grey (a blank canvas has none; the place names, dark and few, do not reach this count).
        map_chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has=page.locator("canvas"))
        map_png = map_chart.screenshot()
        assert coloured_pixels(map_png, data.ACLED_EVENT_TYPE_COLOURS["Battles"]) > 20
        assert coloured_pixels(map_png, data.ACLED_EVENT_TYPE_COLOURS["Strategic developments"]) > 20
        assert grey_pixels(map_png) > 5000

        # Hovering over Deir ez-Zor shows an event there; a click shows its evidence and puts it in the URL.
        layer = data.map_layer(exports, EventFilters())
        canvas = map_chart.locator("canvas").bounding_box()
        assert canvas is not None
        # Where the projection puts Deir ez-Zor, give or take Vega's padding: the first spot near it whose
        # tooltip names it.
        x, y = screen_position(canvas, data.map_view(layer.bounds), 35.33588, 40.14084)
        tooltip = page.locator("#vg-tooltip-element")
        for dx, dy in [(0, 0), (0, -5), (0, -10), (0, 5), (-5, -5), (5, -5), (0, -15), (0, 10)]:
            deir_ez_zor = (x + dx, y + dy)
            page.mouse.move(*deir_ez_zor)
            page.wait_for_timeout(500)
            if tooltip.is_visible() and "Deir ez-Zor" in tooltip.inner_text():
                break
        tooltip.wait_for(timeout=10_000)
        assert "Deir ez-Zor" in tooltip.inner_text() and "click for its evidence" in tooltip.inner_text()
        assert "ACLED type" in tooltip.inner_text() and "fatalities" in tooltip.inner_text()
        page.mouse.click(*deir_ez_zor)
        page.wait_for_function("location.search.includes('event=')", timeout=30_000)
        settled(page)
        # The topmost circle there: one of the events at Deir ez-Zor, with its articles' quotes.
        evidence = page.locator('[data-testid="stMain"]').inner_text().split("\nEvidence\n", 1)[1]
        assert "Deir ez-Zor" in evidence.strip().split("\n")[0] and "published" in evidence
        assert "as written" in evidence and "| Actor 1 |" not in evidence  # a table, not markdown source
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

        # The sidebar's event type filter reaches the page and the URL; the CSV holds the filtered events.
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.get_by_role("combobox", name="ACLED event type", exact=True).click()
        page.keyboard.type("Battles")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.get_by_text("Showing 18 of 48 events").wait_for(timeout=30_000)
        settled(page)
        assert "type=Battles" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        with page.expect_download(timeout=60_000) as download:
            page.get_by_text("Download these 18 events (CSV)").click()
        written = pd.read_csv(download.value.path())
        assert len(written) == 18 and set(written["acled_event_type"]) == {"Battles"}

        # A shared URL opens the same view in a new session.
        shared = open_page(browser, page.url, off_machine)
        shared.get_by_text("Showing 18 of 48 events").wait_for(timeout=60_000)
        settled(shared)
        assert "Deir el-Zor on the banks of the Euphrates" not in shared.locator('[data-testid="stMain"]').inner_text()
        assert "Events 1 to 18 of 18" in shared.locator('[data-testid="stMain"]').inner_text()

        # A click on the table's first row (the newest battle) shows that event's evidence.
        shared.locator(".stDataFrameGlideDataEditor").first.click(position={"x": 15, "y": 52})
        shared.get_by_text("2024-12-07 · Syrian armed opposition", exact=False).last.wait_for(timeout=30_000)
        settled(shared)
        evidence = shared.locator('[data-testid="stMain"]').inner_text().split("Evidence", 1)[1]
        assert evidence.strip().startswith("2024-12-07 · Syrian armed opposition (rebels, unspecified)")
        assert "published" in evidence and "as written" in evidence
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
