"""What the dashboard shows, read from the warehouse's Parquet exports with an in-memory DuckDB (no Streamlit here).

The exports hold only data that passed the quality gate, and reading them never locks the warehouse file,
so the dashboard can stay open while a run rebuilds it. The events are read from the Parquet files once per
export, into a table of an in-memory DuckDB that every query shares (see `connect`).

Everything is computed here, in DuckDB, and returns only what the page shows, whatever the number of events:
counts per time bin, the ten most active actors, one page of the table, and a map layer of at most
MAX_MAP_POINTS points (one per event), or, when more events are located, as many grid cells (each the
events of a square of latitude and longitude, drawn at their mean position).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

MAX_MAP_POINTS = 3000  # located events shown one by one; more are drawn as at most this many grid cells
GRID_DEGREES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)  # cell sides tried, finest first
MAX_TIME_BINS = 150  # the finest of day, week, month, year that gives at most this many bins
PAGE_SIZE = 50  # events per page of the table
MAX_LABELS = 400  # places considered for labels (most events first), before overlapping ones are left out

# ACLED's six event types, in ACLED's order, each with one colour for the map and the charts.
ACLED_EVENT_TYPE_COLOURS: dict[str, tuple[int, int, int]] = {
    "Battles": (200, 40, 40),
    "Explosions/Remote violence": (240, 130, 30),
    "Violence against civilians": (130, 50, 150),
    "Protests": (40, 110, 190),
    "Riots": (220, 170, 0),
    "Strategic developments": (90, 140, 90),
}
NOT_CLASSIFIED = "Not classified"
NOT_CLASSIFIED_COLOUR = (140, 140, 140)
TIME_PRECISIONS = {1: "day", 2: "week", 3: "month", 4: "year"}
GEO_PRECISIONS = {1: "the place itself", 2: "near it / part of a region", 3: "only the region"}

FACT_TABLES = ("fact_events", "fact_event_mentions", "events_described")
DIMENSION_TABLES = ("dim_actor", "dim_place", "dim_article", "dim_cameo_code", "report_unresolved_names")
OPTIONAL_TABLES = ("bridge_event_sources", "acled_events")

# One row per event as the dashboard shows it: the export of events_described (the marts' one join of events to
# their English names, and their region label), with how to print its date, its actors and its place. A name
# the marts do not know is shown by its id (a GDELT actor code, a place id); an event with no second actor
# shows none.
EVENTS_NAMED_SQL = f"""
create view events_named as
select
    * exclude (acled_event_type, admin1_label, year, month),
    case time_precision
        when 4 then strftime(event_date, '%Y') || ' (year)'
        when 3 then strftime(event_date, '%Y-%m') || ' (month)'
        when 2 then 'week of ' || strftime(event_date, '%Y-%m-%d')
        else strftime(event_date, '%Y-%m-%d')
    end as date_label,
    coalesce(actor1_name, actor1_id, 'unnamed actor') as actor1_label,
    coalesce(actor2_name, actor2_id) as actor2_label,
    coalesce(place_name, place_id, 'unlocated') as place_label,
    coalesce(admin1_label, country_name) as governorate,
    coalesce(acled_event_type, '{NOT_CLASSIFIED}') as acled_event_type,
    case
        when fatalities is null then 'unknown'
        when fatalities_high > fatalities then fatalities || ' (claims up to ' || fatalities_high || ')'
        else fatalities::varchar
    end as fatalities_label,
from events_described
"""

# The sidebar's filters as SQL over events_named; an empty list means "all". The area is the map cell a user
# clicked: south, west, north, east.
FILTERED_EVENTS_SQL = """
filtered_events as (
    select *
    from events_named
    where ($start_date is null or event_date >= $start_date)
        and ($end_date is null or event_date <= $end_date)
        and (len($acled_event_types) = 0 or list_contains($acled_event_types, acled_event_type))
        and (len($quad_classes) = 0 or list_contains($quad_classes, quad_class))
        and (
            len($actor_names) = 0
            or list_contains($actor_names, actor1_name)
            or list_contains($actor_names, actor2_name)
        )
        and (len($governorates) = 0 or list_contains($governorates, governorate))
        and (len($countries) = 0 or list_contains($countries, country_name))
        and (len($sources) = 0 or list_contains($sources, source_system))
        and (
            len($area) = 0
            or (latitude >= $area[1] and longitude >= $area[2] and latitude < $area[3] and longitude < $area[4])
        )
)
"""

SOURCE_SYSTEMS = {"coded": "coded from articles", "acled": "ACLED", "gdelt": "GDELT"}


class ExportsError(Exception):
    """The exports folder cannot be read; the message is one line for the user."""


@dataclass(frozen=True)
class EventFilters:
    """The sidebar's choices; an empty tuple or None means no filter on that field."""

    start_date: date | None = None
    end_date: date | None = None
    acled_event_types: tuple[str, ...] = ()
    quad_classes: tuple[int, ...] = ()
    actor_names: tuple[str, ...] = ()
    governorates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    area: tuple[float, float, float, float] | None = None  # south, west, north, east: a clicked map cell

    def parameters(self) -> dict[str, Any]:
        """The filters as DuckDB named parameters for FILTERED_EVENTS_SQL."""
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "acled_event_types": list(self.acled_event_types),
            "quad_classes": list(self.quad_classes),
            "actor_names": list(self.actor_names),
            "governorates": list(self.governorates),
            "countries": list(self.countries),
            "sources": list(self.sources),
            "area": list(self.area or ()),
        }

    def query_params(self) -> dict[str, str | list[str]]:
        """The filters as URL query parameters (from, to, type, quad, actor, region, country, source, area)."""
        params: dict[str, str | list[str]] = {}
        if self.start_date:
            params["from"] = self.start_date.isoformat()
        if self.end_date:
            params["to"] = self.end_date.isoformat()
        for key, values in [
            ("type", self.acled_event_types),
            ("quad", tuple(str(code) for code in self.quad_classes)),
            ("actor", self.actor_names),
            ("region", self.governorates),
            ("country", self.countries),
            ("source", self.sources),
        ]:
            if values:
                params[key] = list(values)
        if self.area:
            params["area"] = ",".join(f"{value:g}" for value in self.area)
        return params

    @classmethod
    def from_query_params(cls, params: dict[str, list[str]]) -> EventFilters:
        """The filters a shared URL names; a value that cannot be read is ignored, not an error."""

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(params.get(key, [""])[-1])
            except ValueError:
                return None

        area = None
        try:
            south, west, north, east = (float(value) for value in params.get("area", [""])[-1].split(","))
            area = (south, west, north, east)
        except ValueError:
            pass
        return cls(
            start_date=day("from"),
            end_date=day("to"),
            acled_event_types=tuple(params.get("type", [])),
            quad_classes=tuple(int(code) for code in params.get("quad", []) if code.isdigit()),
            actor_names=tuple(params.get("actor", [])),
            governorates=tuple(params.get("region", [])),
            countries=tuple(params.get("country", [])),
            sources=tuple(value for value in params.get("source", []) if value in SOURCE_SYSTEMS),
            area=area,
        )


@dataclass(frozen=True)
class ExportSummary:
    """What the header line says about the run behind the exports."""

    run_id: str
    num_events: int
    num_mentions: int
    num_articles: int
    first_event_date: date | None
    last_event_date: date | None


@dataclass(frozen=True)
class FilterOptions:
    """The values the sidebar offers, taken from the events (not from the whole dimensions)."""

    first_event_date: date | None
    last_event_date: date | None
    acled_event_types: list[str] = field(default_factory=list)
    quad_classes: dict[int, str] = field(default_factory=dict)
    actor_names: list[str] = field(default_factory=list)  # most active first
    governorates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Overview:
    """The filtered events in numbers."""

    num_events: int
    num_located: int
    fatalities: int
    num_unknown_fatalities: int
    first_event_date: date | None
    last_event_date: date | None


@dataclass(frozen=True)
class MapLayer:
    """What the map draws: one point per event, or grid cells when more than MAX_MAP_POINTS are located.

    `frame` has longitude, latitude, radius (pixels), colour (#rrggbb) and the tooltip's fields; for cells also the
    cell's bounds (south, west, north, east), which a click turns into the area filter. `bounds` is the
    extent of every located event, which the view fits.
    """

    kind: Literal["points", "cells"]
    frame: pd.DataFrame
    cell_degrees: float | None
    num_located: int
    num_without_coordinates: int
    bounds: tuple[float, float, float, float] | None  # south, west, north, east


def read_manifest(exports_dir: Path) -> dict[str, Any]:
    """The export's manifest.json, or ExportsError saying to run the pipeline first."""
    from eventdw.export import ExportError, recover_exports

    try:
        recover_exports(exports_dir)  # a run killed mid-swap left the previous export beside the folder
    except ExportError as error:
        raise ExportsError(str(error)) from None
    manifest_path = exports_dir / "manifest.json"
    if not exports_dir.is_dir():
        raise ExportsError(f"No exports folder at {exports_dir}: run `make run` or `eventdw run` first.")
    if not manifest_path.is_file():
        raise ExportsError(f"No manifest.json in {exports_dir}: run `make run` or `eventdw run` first.")
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ExportsError(f"Cannot read {manifest_path} ({error}): run `eventdw run` again.") from None
    if "run_id" not in manifest:
        raise ExportsError(f"{manifest_path} names no run_id: run `eventdw run` again.")
    return manifest


# One in-memory DuckDB per export, shared by every session and query of the dashboard: the events are read
# from Parquet once, into a table, and each query runs on its own cursor (DuckDB's way to share a database
# between threads). A new run writes a new manifest, and the next query loads the new export instead.
_LOADED: dict[str, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}
_LOADING = threading.Lock()


def connect(exports_dir: Path) -> duckdb.DuckDBPyConnection:
    """A cursor on the export's in-memory DuckDB: events_named as a table, and a view per exported table."""
    manifest = exports_dir / "manifest.json"
    try:
        stat = manifest.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = (0, 0)
    key = str(exports_dir.resolve())
    with _LOADING:
        loaded = _LOADED.get(key)
        if loaded is None or loaded[0] != version:
            if loaded is not None:
                loaded[1].close()
                del _LOADED[key]
            _LOADED[key] = (version, _load(exports_dir))
        return _LOADED[key][1].cursor()


def _load(exports_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per exported table, and events_named read into a table."""
    con = duckdb.connect(":memory:")
    for table in FACT_TABLES:
        if not any((exports_dir / table).glob("year=*/month=*/*.parquet")):
            con.close()
            raise ExportsError(
                f"No {table} Parquet files in {exports_dir}: the run exported no events (see raw.rejected_rows) "
                "or the export is incomplete (run `eventdw run` again)."
            )
        pattern = str(exports_dir / table / "year=*" / "month=*" / "*.parquet")
        con.execute(
            f"create view {table} as select * from read_parquet('{_quoted(pattern)}', hive_partitioning = true)"
        )
    for table in DIMENSION_TABLES + OPTIONAL_TABLES:
        source = _table_files(exports_dir, table)
        if source is None and table in DIMENSION_TABLES:
            con.close()
            raise ExportsError(f"No {table} Parquet files in {exports_dir}: run `eventdw run` again.")
        # Written since export schema 2; an older export has no links between sources and no ACLED rows to show.
        if source is not None:
            con.execute(f"create view {table} as select * from read_parquet({source}, hive_partitioning = false)")
    con.execute(EVENTS_NAMED_SQL.replace("create view events_named", "create table events_named"))
    return con


def _table_files(exports_dir: Path, table: str) -> str | None:
    """The Parquet files of an exported table as read_parquet's argument: its months (dim_article and
    acled_events since export schema 6; read without the partitions' columns), or its one file."""
    if any((exports_dir / table).glob("**/*.parquet")):
        return f"'{_quoted(str(exports_dir / table / '**' / '*.parquet'))}'"
    if (exports_dir / f"{table}.parquet").is_file():
        return f"'{_quoted(str(exports_dir / f'{table}.parquet'))}'"
    return None


def _quoted(text: str) -> str:
    """Text made safe inside a single-quoted SQL literal."""
    return text.replace("'", "''")


def _filtered(con: duckdb.DuckDBPyConnection, query: str, filters: EventFilters, **extra: Any) -> pd.DataFrame:
    """Run `query`, which reads the filtered_events CTE, with the filters bound."""
    return con.execute(f"with {FILTERED_EVENTS_SQL} {query}", filters.parameters() | extra).df()


def export_summary(exports_dir: Path) -> ExportSummary:
    """The run id, row counts and event date range of the exports."""
    manifest = read_manifest(exports_dir)
    with connect(exports_dir) as con:
        row = con.execute(
            """
            select
                (select count(*) from fact_events),
                (select count(*) from fact_event_mentions),
                (select count(*) from dim_article),
                (select min(event_date) from fact_events),
                (select max(event_date) from fact_events)
            """
        ).fetchone()
    assert row is not None
    return ExportSummary(str(manifest["run_id"]), int(row[0]), int(row[1]), int(row[2]), row[3], row[4])


def filter_options(exports_dir: Path) -> FilterOptions:
    """The dates, event types, quad classes, actors, regions, countries and sources the events have."""
    with connect(exports_dir) as con:
        dates = con.execute("select min(event_date), max(event_date) from events_named").fetchone()
        first, last = dates if dates is not None else (None, None)

        def distinct(column: str) -> list[Any]:
            return [
                row[0]
                for row in con.execute(
                    f"select distinct {column} from events_named where {column} is not null order by 1"
                ).fetchall()
            ]

        quad_classes = con.execute(
            """
            select distinct quad_class, quad_class_name
            from events_named
            where quad_class is not null
            order by quad_class
            """
        ).fetchall()
        # Most active first, so that the list opens on the actors an analyst looks for; typing filters it.
        actor_names = con.execute(
            """
            select actor_name
            from (
                select actor1_name as actor_name from events_named
                union all
                select actor2_name as actor_name from events_named
            )
            where actor_name is not null
            group by actor_name
            order by count(*) desc, actor_name
            """
        ).fetchall()
        return FilterOptions(
            first_event_date=first,
            last_event_date=last,
            acled_event_types=in_acled_order(distinct("acled_event_type")),
            quad_classes={int(code): str(name or f"quad class {code}") for code, name in quad_classes},
            actor_names=[row[0] for row in actor_names],
            governorates=distinct("governorate"),
            countries=distinct("country_name"),
            sources=[source for source in SOURCE_SYSTEMS if source in distinct("source_system")],
        )


def overview(exports_dir: Path, filters: EventFilters) -> Overview:
    """How many events match, how many have coordinates, their known fatalities and their date range."""
    with connect(exports_dir) as con:
        row = con.execute(
            f"""
            with {FILTERED_EVENTS_SQL}
            select
                count(*),
                count(*) filter (where latitude is not null and longitude is not null),
                coalesce(sum(fatalities), 0),
                count(*) filter (where fatalities is null),
                min(event_date),
                max(event_date),
            from filtered_events
            """,
            filters.parameters(),
        ).fetchone()
    assert row is not None
    return Overview(int(row[0]), int(row[1]), int(row[2]), int(row[3]), row[4], row[5])


def time_bin(first: date | None, last: date | None) -> str:
    """The finest of day, week, month and year that cuts first..last into at most MAX_TIME_BINS bins."""
    if first is None or last is None:
        return "day"
    days = (last - first).days + 1
    for name, days_per_bin in (("day", 1), ("week", 7), ("month", 30.44)):
        if days / days_per_bin <= MAX_TIME_BINS:
            return name
    return "year"


def activity(exports_dir: Path, filters: EventFilters, bin_name: str) -> pd.DataFrame:
    """Events and known fatalities per time bin (`day`, `week` from Monday, `month` or `year`) and ACLED event
    type; `bin_start` is the bin's first day."""
    if bin_name not in {"day", "week", "month", "year"}:
        raise ValueError(f"unknown time bin {bin_name!r}")
    with connect(exports_dir) as con:
        return _filtered(
            con,
            f"""
            select
                date_trunc('{bin_name}', event_date)::date as bin_start,
                acled_event_type,
                count(*) as num_events,
                coalesce(sum(fatalities), 0)::bigint as fatalities,
                count(*) filter (where fatalities is null) as num_events_unknown_fatalities,
            from filtered_events
            group by all
            order by bin_start, acled_event_type
            """,
            filters,
        )


def bin_end(bin_start: date, bin_name: str) -> date:
    """The first day after the bin that starts on `bin_start`."""
    if bin_name == "day":
        return bin_start + timedelta(days=1)
    if bin_name == "week":
        return bin_start + timedelta(days=7)
    if bin_name == "month":
        return date(bin_start.year + bin_start.month // 12, bin_start.month % 12 + 1, 1)
    return date(bin_start.year + 1, 1, 1)


def top_actors(exports_dir: Path, filters: EventFilters, limit: int = 10) -> pd.DataFrame:
    """The actors in most filtered events, as actor1 or actor2 (an event counts once per actor)."""
    with connect(exports_dir) as con:
        return _filtered(
            con,
            # Continues the with-clause that _filtered opens with filtered_events.
            """
            -- Each event once per actor: actor2 only where it is not actor1 (no distinct over event ids).
            , actors_in_events as (
                select actor1_name as actor_name from filtered_events
                union all
                select actor2_name from filtered_events where actor2_name is distinct from actor1_name
            )

            select actor_name, count(*) as num_events
            from actors_in_events
            where actor_name is not null
            group by actor_name
            order by num_events desc, actor_name
            limit $limit
            """,
            filters,
            limit=limit,
        )


# The table's columns, in the order of events_page's frame and of the CSV download.
EVENT_ROW_SQL = """
    event_id,
    date_label,
    actor1_label,
    coalesce(actor2_label, '') as actor2_label,
    place_label,
    coalesce(governorate, '') as governorate,
    coalesce(country_name, '') as country_name,
    coalesce(cameo_code || coalesce(' ' || cameo_name, ''), '') as cameo,
    acled_event_type,
    coalesce(acled_sub_event_type, '') as acled_sub_event_type,
    fatalities,
    coalesce(fatality_claims, '') as fatality_claims,
    num_articles,
    source_system,
    source_event_id,
"""
EVENT_ORDER_SQL = "order by event_date desc, num_articles desc, event_id"


def events_page(exports_dir: Path, filters: EventFilters, page: int, page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """Page `page` (from 0) of the filtered events, newest first, one row each."""
    with connect(exports_dir) as con:
        return _filtered(
            con,
            f"select {EVENT_ROW_SQL} from filtered_events {EVENT_ORDER_SQL} limit $limit offset $offset",
            filters,
            limit=page_size,
            offset=max(page, 0) * page_size,
        )


def write_events_csv(exports_dir: Path, filters: EventFilters, target: Path) -> int:
    """Write every filtered event to `target` as CSV (UTF-8, a header line, newest first): the columns of
    events_described, dates as YYYY-MM-DD. Returns the number of events written."""
    with connect(exports_dir) as con:
        params = filters.parameters()
        (count,) = con.execute(
            f"with {FILTERED_EVENTS_SQL} select count(*) from filtered_events", params
        ).fetchone() or (0,)
        con.execute(
            f"""
            copy (
                with {FILTERED_EVENTS_SQL}
                select * exclude (date_label, actor1_label, actor2_label, place_label, governorate, fatalities_label)
                from filtered_events
                {EVENT_ORDER_SQL}
            ) to '{_quoted(str(target))}' (header, delimiter ',')
            """,
            params,
        )
    return int(count)


def map_layer(exports_dir: Path, filters: EventFilters, max_points: int = MAX_MAP_POINTS) -> MapLayer:
    """The map's layer for the filtered events: one point per located event, sized by its articles and
    coloured by its ACLED event type, when there are at most `max_points`; otherwise grid cells of the finest
    side in GRID_DEGREES that gives at most `max_points` cells, each at its events' mean position, sized by
    its number of events and coloured by its most frequent event type."""
    with connect(exports_dir) as con:
        params = filters.parameters()
        cell_counts = ",\n".join(
            f"approx_count_distinct([floor(latitude / {side}), floor(longitude / {side})])" for side in GRID_DEGREES
        )
        row = con.execute(
            f"""
            with {FILTERED_EVENTS_SQL}
            select
                count(*),
                count(*) filter (where latitude is null or longitude is null),
                min(latitude), min(longitude), max(latitude), max(longitude),
                {cell_counts}
            from filtered_events
            """,
            params,
        ).fetchone()
        assert row is not None
        num_events, num_without, south, west, north, east, *cells = row
        num_located = int(num_events) - int(num_without)
        bounds = None if south is None else (float(south), float(west), float(north), float(east))
        if num_located <= max_points:
            frame = _map_points(con, params)
            return MapLayer("points", frame, None, num_located, int(num_without), bounds)
        # approx_count_distinct errs by a few percent: a side whose estimate is near the limit is skipped.
        side = next((s for s, n in zip(GRID_DEGREES, cells, strict=True) if n <= 0.95 * max_points), GRID_DEGREES[-1])
        frame = _map_cells(con, params, side)
        return MapLayer("cells", frame, side, num_located, int(num_without), bounds)


def _map_points(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> pd.DataFrame:
    points = con.execute(
        f"""
        with {FILTERED_EVENTS_SQL}
        select
            event_id,
            longitude,
            latitude,
            num_articles,
            acled_event_type,
            date_label,
            actor1_label || coalesce(' → ' || actor2_label, '') as actors_label,
            place_label
                || case when governorate is distinct from place_label then ' (' || governorate || ')' else '' end
                as place_label,
            place_label as place_name,
            cameo_code || coalesce(' ' || cameo_name, '') as cameo_label,
            fatalities_label,
            source_system,
        from filtered_events
        where latitude is not null and longitude is not null
        -- Big circles first, so that small ones at the same place are drawn on top of them.
        order by num_articles desc, event_id
        """,
        params,
    ).df()
    # Pixels; the area, not the radius, grows with the number of articles (capped at 16 articles).
    points["radius"] = [round(5 * math.sqrt(min(max(int(n), 1), 16)), 2) for n in points["num_articles"]]
    points["colour"] = [hex_colour(event_type_colour(name)) for name in points["acled_event_type"]]
    points["cameo_label"] = points["cameo_label"].fillna("no CAMEO code")
    return points


def _map_cells(con: duckdb.DuckDBPyConnection, params: dict[str, Any], side: float) -> pd.DataFrame:
    return (
        con.execute(
            f"""
        with {FILTERED_EVENTS_SQL},

        located as (
            select *, floor(latitude / $side) as cell_y, floor(longitude / $side) as cell_x
            from filtered_events
            where latitude is not null and longitude is not null
        ),

        cells as (
            select
                cell_y,
                cell_x,
                avg(longitude) as longitude,
                avg(latitude) as latitude,
                count(*) as num_events,
                coalesce(sum(fatalities), 0)::bigint as fatalities,
                count(distinct place_id) as num_places,
                min(event_date) as first_event_date,
                max(event_date) as last_event_date,
            from located
            group by cell_y, cell_x
        ),

        types_in_cells as (
            select cell_y, cell_x, acled_event_type, count(*) as num_events
            from located
            group by all
        ),

        -- The cell's most frequent event type and place (ties: the first by name).
        main_types as (
            select
                cell_y,
                cell_x,
                first(acled_event_type order by num_events desc, acled_event_type) as acled_event_type,
                max(num_events) as num_main_type_events,
            from types_in_cells
            group by all
        ),

        places_in_cells as (
            select cell_y, cell_x, place_label, count(*) as num_events
            from located
            group by all
        ),

        main_places as (
            select cell_y, cell_x, first(place_label order by num_events desc, place_label) as place_name
            from places_in_cells
            group by all
        )

        select
            cells.longitude,
            cells.latitude,
            cells.cell_y * $side as south,
            cells.cell_x * $side as west,
            (cells.cell_y + 1) * $side as north,
            (cells.cell_x + 1) * $side as east,
            cells.num_events,
            cells.fatalities,
            main_types.acled_event_type,
            main_types.num_main_type_events,
            main_places.place_name,
            cells.num_places,
            strftime(cells.first_event_date, '%Y-%m-%d') || ' to ' || strftime(cells.last_event_date, '%Y-%m-%d')
                as dates_label,
        from cells
        join main_types using (cell_y, cell_x)
        join main_places using (cell_y, cell_x)
        order by cells.num_events desc, south, west
        """,
            params | {"side": side},
        )
        .df()
        .assign(
            # Pixels: the area grows with the events, from 3 px to 22 px for the busiest cell.
            radius=lambda cells: (3 + 19 * (cells["num_events"] / max(int(cells["num_events"].max()), 1)) ** 0.5).round(
                2
            ),
            colour=lambda cells: [hex_colour(event_type_colour(name)) for name in cells["acled_event_type"]],
            summary=lambda cells: [
                f"{n:,} events around {place}" + (f" and {k - 1:,} other places" if k > 1 else "")
                for n, place, k in zip(cells["num_events"], cells["place_name"], cells["num_places"], strict=True)
            ],
            main_type_share=lambda cells: [
                f"{main_type}: {main / n:.0%} of them"
                for main_type, main, n in zip(
                    cells["acled_event_type"], cells["num_main_type_events"], cells["num_events"], strict=True
                )
            ],
        )
    )


def map_view(
    bounds: tuple[float, float, float, float] | None, width_px: int = 1000, height_px: int = 520
) -> tuple[float, float, float]:
    """Latitude, longitude and zoom of a Web Mercator view that fits `bounds` (south, west, north, east): at
    zoom z the world is 512 * 2**z pixels wide (the map's projection scale is that over 2 pi)."""
    if bounds is None:
        return 20.0, 0.0, 1.0
    south, west, north, east = bounds

    def mercator_y(latitude: float) -> float:
        latitude = max(min(latitude, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))

    # At zoom z the world is 512 * 2**z pixels wide, and 2 pi in Mercator's y; a margin of 10% on each side.
    longitude_span = max(east - west, 0.5)
    y_span = max(mercator_y(north) - mercator_y(south), math.radians(0.5))
    zoom = min(
        math.log2(0.8 * width_px * 360 / (512 * longitude_span)),
        math.log2(0.8 * height_px * 2 * math.pi / (512 * y_span)),
    )
    centre_y = (mercator_y(north) + mercator_y(south)) / 2
    latitude = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return round(latitude, 4), round((west + east) / 2, 4), round(min(max(zoom, 0.5), 11.0), 2)


def place_counts(exports_dir: Path, filters: EventFilters, limit: int = MAX_LABELS) -> pd.DataFrame:
    """The located places with most filtered events (at most `limit`), for the map's labels."""
    with connect(exports_dir) as con:
        return _filtered(
            con,
            """
            select place_label as place_name, latitude, longitude, count(*) as num_events
            from filtered_events
            where latitude is not null and longitude is not null and place_type is distinct from 'country'
            group by all
            order by num_events desc, place_name
            limit $limit
            """,
            filters,
            limit=limit,
        )


def map_labels(places: pd.DataFrame, zoom: float, font_px: int = 13, limit: int = 40) -> pd.DataFrame:
    """At most `limit` place labels, places with most events first, leaving out those that would overlap at
    `zoom` (map_view's Web Mercator pixels, the label above its place)."""
    world_px = 512 * 2**zoom
    placed: list[tuple[float, float, float, float]] = []
    keep = []
    for place in places.itertuples(index=False):
        x = (place.longitude + 180) / 360 * world_px
        sine = math.sin(math.radians(max(min(place.latitude, 85.0), -85.0)))
        y = (0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)) * world_px - 18
        half_width, half_height = 0.3 * font_px * len(place.place_name) + 4, 0.5 * font_px + 2
        box = (x - half_width, y - half_height, x + half_width, y + half_height)
        overlaps = len(placed) >= limit or any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3] for other in placed
        )
        keep.append(not overlaps)
        if not overlaps:
            placed.append(box)
    return places[keep].reset_index(drop=True)


def event_detail(exports_dir: Path, event_id: str) -> dict[str, Any] | None:
    """One event as the table shows it, with its date label and names; None if no event has that id."""
    with connect(exports_dir) as con:
        frame = con.execute("select * from events_named where event_id = $event_id", {"event_id": event_id}).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def event_label(event: dict[str, Any]) -> str:
    """One line naming an event (a row of events_named): date, actors, what happened, where, and how many
    articles report it."""
    actors = str(event["actor1_label"]) + (
        f" → {event['actor2_label']}" if isinstance(event["actor2_label"], str) else ""
    )
    what = event["cameo_name"] if isinstance(event["cameo_name"], str) else event["acled_sub_event_type"]
    articles = int(event["num_articles"] or 0)
    return (
        f"{event['date_label']} · {actors} · {what} · {event['place_label']} "
        f"({articles} {'article' if articles == 1 else 'articles'})"
    )


def event_evidence(exports_dir: Path, event_id: str) -> pd.DataFrame:
    """Each report of one coded event: the article, its quote, and how its names were written and resolved."""
    with connect(exports_dir) as con:
        return con.execute(
            """
            with

            mentions as (
                select * from fact_event_mentions where event_id = $event_id
            ),

            final as (
                select
                    mentions.mention_id,
                    mentions.article_id,
                    articles.title as article_title,
                    articles.published_date,
                    articles.published_date_source,
                    mentions.quote,
                    mentions.quote_start,
                    mentions.quote_end,
                    mentions.is_quote_in_body,
                    mentions.event_date,
                    mentions.time_precision,
                    mentions.geo_precision,
                    mentions.cameo_code,
                    mentions.acled_sub_event_type,
                    mentions.fatalities,
                    mentions.actor1_text,
                    actor1.actor_name as actor1_name,
                    mentions.actor1_resolution_method,
                    mentions.actor1_resolution_score,
                    mentions.actor2_text,
                    actor2.actor_name as actor2_name,
                    mentions.actor2_resolution_method,
                    mentions.actor2_resolution_score,
                    mentions.location_text,
                    places.place_name,
                    mentions.place_resolution_method,
                    mentions.place_resolution_score,
                    mentions.coder,
                    mentions.confidence,
                    mentions.notes,
                    mentions.source_file,
                    mentions.source_row_number,
                from mentions
                left join dim_article as articles on articles.article_id = mentions.article_id
                left join dim_actor as actor1 on actor1.actor_id = mentions.actor1_id
                left join dim_actor as actor2 on actor2.actor_id = mentions.actor2_id
                left join dim_place as places on places.place_id = mentions.place_id
            )

            select * from final
            order by published_date, article_id, quote_start, mention_id
            """,
            {"event_id": event_id},
        ).df()


def imported_record(exports_dir: Path, event_id: str) -> dict[str, Any] | None:
    """An imported ACLED event's own row in acled_events (its notes, sources, timestamp), or None."""
    with connect(exports_dir) as con:
        if not _has_view(con, "acled_events"):
            return None
        frame = con.execute(
            """
            select acled.*
            from events_named as events
            join acled_events as acled
                on acled.event_id_cnty = events.source_event_id and acled.source_system = events.source_system
            where events.event_id = $event_id and events.source_system = 'acled'
            """,
            {"event_id": event_id},
        ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def event_links(exports_dir: Path, event_id: str, limit: int = 20) -> pd.DataFrame:
    """The events from other sources that bridge_event_sources links to this one, with the rule that linked
    them, closest first."""
    with connect(exports_dir) as con:
        if not _has_view(con, "bridge_event_sources"):
            return pd.DataFrame(columns=["event_id", "source_system", "date_label", "match_rule"])
        return con.execute(
            """
            with links as (
                select linked_event_id as event_id, match_rule, days_apart, distance_km
                from bridge_event_sources
                where event_id = $event_id
                union all
                select event_id, match_rule, days_apart, distance_km
                from bridge_event_sources
                where linked_event_id = $event_id
            )

            select
                events.event_id,
                events.source_system,
                events.source_event_id,
                events.date_label,
                events.actor1_label || coalesce(' → ' || events.actor2_label, '') as actors_label,
                events.place_label,
                events.acled_event_type,
                events.fatalities_label,
                links.match_rule,
            from links
            join events_named as events using (event_id)
            order by links.days_apart, links.distance_km, events.event_id
            limit $limit
            """,
            {"event_id": event_id, "limit": limit},
        ).df()


def _has_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute("select count(*) from duckdb_views() where view_name = $name", {"name": name}).fetchone()[0]  # type: ignore[index]
    )


def in_acled_order(event_types: Iterable[str]) -> list[str]:
    """Distinct ACLED event types in ACLED's order, unknown ones last by name."""
    known = [*ACLED_EVENT_TYPE_COLOURS, NOT_CLASSIFIED]
    return sorted(set(event_types), key=lambda name: (known.index(name) if name in known else len(known), name))


def event_type_colour(acled_event_type: str) -> tuple[int, int, int]:
    """The colour of an ACLED event type on the map and in the charts."""
    return ACLED_EVENT_TYPE_COLOURS.get(acled_event_type, NOT_CLASSIFIED_COLOUR)


def hex_colour(rgb: tuple[int, int, int]) -> str:
    """An RGB triple as #rrggbb."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)
