"""What the dashboard shows, read from the warehouse's Parquet exports with an in-memory DuckDB (no Streamlit here).

The exports hold only data that passed the quality gate, and reading them never locks the warehouse file,
so the dashboard can stay open while a run rebuilds it. Each function opens its own in-memory connection:
DuckDB connections are not shared across Streamlit's threads, and opening one over Parquet costs milliseconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

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

# One row per event as the dashboard shows it: the export of events_described (the marts' one join of events to
# their names, and their region label), with how to print its date and its week.
EVENTS_NAMED_SQL = f"""
create view events_named as
select
    * exclude (acled_event_type, admin1_label),
    case time_precision
        when 4 then strftime(event_date, '%Y') || ' (year)'
        when 3 then strftime(event_date, '%Y-%m') || ' (month)'
        when 2 then 'week of ' || strftime(event_date, '%Y-%m-%d')
        else strftime(event_date, '%Y-%m-%d')
    end as date_label,
    date_trunc('week', event_date)::date as week_start,
    admin1_label as governorate,
    coalesce(acled_event_type, '{NOT_CLASSIFIED}') as acled_event_type
from events_described
"""

# The sidebar's filters as SQL over events_named; an empty list means "all".
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
)
"""


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

    def parameters(self) -> dict[str, Any]:
        """The filters as DuckDB named parameters for FILTERED_EVENTS_SQL."""
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "acled_event_types": list(self.acled_event_types),
            "quad_classes": list(self.quad_classes),
            "actor_names": list(self.actor_names),
            "governorates": list(self.governorates),
        }


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
    actor_names: list[str] = field(default_factory=list)
    governorates: list[str] = field(default_factory=list)


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


def connect(exports_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per exported table, plus events_named."""
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
    for table in DIMENSION_TABLES:
        path = exports_dir / f"{table}.parquet"
        if not path.is_file():
            con.close()
            raise ExportsError(f"No {path.name} in {exports_dir}: run `eventdw run` again.")
        con.execute(f"create view {table} as select * from read_parquet('{_quoted(str(path))}')")
    con.execute(EVENTS_NAMED_SQL)
    return con


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
    """The dates, event types, quad classes, actors and governorates the events have."""
    with connect(exports_dir) as con:
        dates = con.execute("select min(event_date), max(event_date) from events_named").fetchone()
        first, last = dates if dates is not None else (None, None)
        event_types = [row[0] for row in con.execute("select distinct acled_event_type from events_named").fetchall()]
        quad_classes = con.execute(
            """
            select distinct quad_class, quad_class_name
            from events_named
            where quad_class is not null
            order by quad_class
            """
        ).fetchall()
        actor_names = con.execute(
            """
            select distinct actor_name
            from (
                select actor1_name as actor_name from events_named
                union all
                select actor2_name as actor_name from events_named
            )
            where actor_name is not null
            order by actor_name
            """
        ).fetchall()
        governorates = con.execute(
            "select distinct governorate from events_named where governorate is not null order by governorate"
        ).fetchall()
    return FilterOptions(
        first_event_date=first,
        last_event_date=last,
        acled_event_types=in_acled_order(event_types),
        quad_classes={int(code): str(name or f"quad class {code}") for code, name in quad_classes},
        actor_names=[row[0] for row in actor_names],
        governorates=[row[0] for row in governorates],
    )


def events(exports_dir: Path, filters: EventFilters) -> pd.DataFrame:
    """The filtered events with their names, newest first; one row per event."""
    with connect(exports_dir) as con:
        return _filtered(
            con,
            """
            select
                *,
                case
                    when fatalities is null then 'unknown'
                    when fatalities_high > fatalities then fatalities || ' (claims up to ' || fatalities_high || ')'
                    else fatalities::varchar
                end as fatalities_label,
                date_label
                    || ' · ' || coalesce(actor1_name, '?')
                    || coalesce(' → ' || actor2_name, '')
                    || ' · ' || coalesce(cameo_name, cameo_code)
                    || ' · ' || coalesce(place_name, place_id)
                    || ' (' || num_articles || case when num_articles = 1 then ' article)' else ' articles)' end
                as event_label,
            from filtered_events
            order by event_date desc, num_articles desc, event_id
            """,
            filters,
        )


def weekly_activity(exports_dir: Path, filters: EventFilters) -> pd.DataFrame:
    """Events and known fatalities per week (weeks start on Monday) and ACLED event type."""
    with connect(exports_dir) as con:
        return _filtered(
            con,
            """
            select
                week_start,
                acled_event_type,
                count(*) as num_events,
                coalesce(sum(fatalities), 0)::integer as fatalities,
                count(*) filter (where fatalities is null) as num_events_unknown_fatalities,
            from filtered_events
            group by week_start, acled_event_type
            order by week_start, acled_event_type
            """,
            filters,
        )


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


def event_evidence(exports_dir: Path, event_id: str) -> pd.DataFrame:
    """Each report of one event: the article, its quote, and how its names were written and resolved."""
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


def in_acled_order(event_types: Iterable[str]) -> list[str]:
    """Distinct ACLED event types in ACLED's order, unknown ones last by name."""
    known = [*ACLED_EVENT_TYPE_COLOURS, NOT_CLASSIFIED]
    return sorted(set(event_types), key=lambda name: (known.index(name) if name in known else len(known), name))


def event_type_colour(acled_event_type: str) -> tuple[int, int, int]:
    """The colour of an ACLED event type on the map and in the charts."""
    return ACLED_EVENT_TYPE_COLOURS.get(acled_event_type, NOT_CLASSIFIED_COLOUR)


def map_points(events_frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The events that have coordinates, ready for a deck.gl ScatterplotLayer, and how many have none."""
    has_coordinates = events_frame["latitude"].notna() & events_frame["longitude"].notna()
    located = events_frame[has_coordinates]
    points = pd.DataFrame(
        {
            "event_id": located["event_id"].astype(str),
            "longitude": located["longitude"].astype(float),
            "latitude": located["latitude"].astype(float),
            # Pixels; the area, not the radius, grows with the number of articles.
            "radius": [round(5 * math.sqrt(max(int(n), 1)), 2) for n in located["num_articles"]],
            "colour": [[*event_type_colour(name), 210] for name in located["acled_event_type"]],
            "num_articles": located["num_articles"].astype(int),
            "date_label": located["date_label"].astype(str),
            "actors_label": [
                f"{actor1 if isinstance(actor1, str) else '?'}" + (f" → {actor2}" if isinstance(actor2, str) else "")
                for actor1, actor2 in zip(located["actor1_name"], located["actor2_name"], strict=True)
            ],
            "place_name": located["place_name"].astype(str),
            "place_label": [
                f"{place} ({governorate})" if governorate != place else str(place)
                for place, governorate in zip(located["place_name"], located["governorate"], strict=True)
            ],
            "cameo_label": [
                f"{code} {name}" for code, name in zip(located["cameo_code"], located["cameo_name"], strict=True)
            ],
            "acled_event_type": located["acled_event_type"].astype(str),
            "fatalities_label": located["fatalities_label"].astype(str),
        }
    )
    # Big circles first, so that small ones at the same place are drawn on top of them.
    points = points.sort_values(["num_articles", "event_id"], ascending=[False, True]).reset_index(drop=True)
    return points, int((~has_coordinates).sum())


def map_view(points: pd.DataFrame, width_px: int = 900, height_px: int = 460) -> tuple[float, float, float]:
    """Latitude, longitude and zoom of a view centred on the points' mean that fits most of them."""
    if points.empty:
        return 0.0, 0.0, 1.0
    # The points inside the 5%-95% quantiles in both directions, so that a few far-off capitals (an "Iran"
    # event coded at Tehran) neither pull the centre away nor zoom the map out to a continent.
    coordinates = points[["latitude", "longitude"]]
    inside = coordinates.ge(coordinates.quantile(0.05)).all(axis=1) & coordinates.le(coordinates.quantile(0.95)).all(
        axis=1
    )
    central = coordinates[inside] if inside.any() else coordinates
    latitude, longitude = float(central["latitude"].mean()), float(central["longitude"].mean())
    # Spans that keep every central point on screen around that centre.
    latitude_span = max(2 * float((central["latitude"] - latitude).abs().max()), 1.0)
    longitude_span = max(2 * float((central["longitude"] - longitude).abs().max()), 1.0)
    # At zoom z the world is 512 * 2**z pixels wide; Mercator stretches latitudes by 1 / cos(latitude).
    stretch = 1 / max(math.cos(math.radians(latitude)), 0.1)
    zoom = min(
        math.log2(0.8 * width_px * 360 / (512 * longitude_span)),
        math.log2(0.8 * height_px * 360 / (512 * latitude_span * stretch)),
    )
    return latitude, longitude, round(min(max(zoom, 1.0), 10.0), 2)


def map_labels(points: pd.DataFrame, zoom: float, font_px: int = 13) -> pd.DataFrame:
    """One label per place, places with most events first, leaving out those that would overlap at `zoom`."""
    places = (
        points.groupby(["place_name", "latitude", "longitude"], as_index=False)
        .agg(num_events=("event_id", "count"))
        .sort_values(["num_events", "place_name"], ascending=[False, True])
    )
    world_px = 512 * 2**zoom
    placed: list[tuple[float, float, float, float]] = []
    keep = []
    for place in places.itertuples(index=False):
        # Web Mercator pixels at the initial zoom; the label sits above its circle.
        x = (place.longitude + 180) / 360 * world_px
        sine = math.sin(math.radians(place.latitude))
        y = (0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)) * world_px - 18
        half_width, half_height = 0.3 * font_px * len(place.place_name) + 4, 0.5 * font_px + 2
        box = (x - half_width, y - half_height, x + half_width, y + half_height)
        overlaps = any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3] for other in placed
        )
        keep.append(not overlaps)
        if not overlaps:
            placed.append(box)
    return places[keep].reset_index(drop=True)
