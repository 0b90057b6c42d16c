"""The eventdw dashboard: `streamlit run dashboard/app.py -- --exports-dir exports`.

Layout only: what is shown comes from dashboard/data.py, computed in DuckDB and cached per run id (a new run
refreshes it) and per filters, so that a page sends the browser what it draws and no more, at any size.
The filters, the selected event and the table's page are kept in the URL, so that a view can be shared.
"""

from __future__ import annotations

import math
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from dashboard import app_arguments, data
from dashboard.basemap import BORDERS_URL
from dashboard.data import EventFilters, ExportsError, ExportSummary, FilterOptions, MapLayer, Overview

# The URL's query parameters besides the filters (EventFilters.query_params): the event shown with its
# evidence and the page of the table.
EVENT_PARAM, PAGE_PARAM = "event", "page"


# Each cached function takes the run id only as its cache key: a new run writes a new manifest and run id.
@st.cache_data(show_spinner=False)
def cached_summary(exports_dir: str, run_id: str) -> ExportSummary:
    """data.export_summary, cached per run."""
    return data.export_summary(Path(exports_dir))


@st.cache_data(show_spinner=False)
def cached_filter_options(exports_dir: str, run_id: str) -> FilterOptions:
    """data.filter_options, cached per run."""
    return data.filter_options(Path(exports_dir))


@st.cache_data(show_spinner=False, max_entries=200)
def cached_overview(exports_dir: str, run_id: str, filters: EventFilters) -> Overview:
    """data.overview, cached per run and filters."""
    return data.overview(Path(exports_dir), filters)


@st.cache_data(show_spinner=False, max_entries=200)
def cached_activity(exports_dir: str, run_id: str, filters: EventFilters, bin_name: str) -> pd.DataFrame:
    """data.activity, cached per run, filters and time bin."""
    return data.activity(Path(exports_dir), filters, bin_name)


@st.cache_data(show_spinner=False, max_entries=200)
def cached_top_actors(exports_dir: str, run_id: str, filters: EventFilters) -> pd.DataFrame:
    """data.top_actors, cached per run and filters."""
    return data.top_actors(Path(exports_dir), filters)


@st.cache_data(show_spinner=False, max_entries=100)
def cached_map_layer(exports_dir: str, run_id: str, filters: EventFilters) -> MapLayer:
    """data.map_layer, cached per run and filters."""
    return data.map_layer(Path(exports_dir), filters)


@st.cache_data(show_spinner=False, max_entries=100)
def cached_place_counts(exports_dir: str, run_id: str, filters: EventFilters) -> pd.DataFrame:
    """data.place_counts, cached per run and filters."""
    return data.place_counts(Path(exports_dir), filters)


@st.cache_data(show_spinner=False, max_entries=500)
def cached_events_page(exports_dir: str, run_id: str, filters: EventFilters, page: int) -> pd.DataFrame:
    """data.events_page, cached per run, filters and page."""
    return data.events_page(Path(exports_dir), filters, page)


@st.cache_data(show_spinner=False, max_entries=500)
def cached_event_detail(exports_dir: str, run_id: str, event_id: str) -> dict[str, Any] | None:
    """data.event_detail, cached per run and event."""
    return data.event_detail(Path(exports_dir), event_id)


@st.cache_data(show_spinner=False, max_entries=500)
def cached_event_evidence(exports_dir: str, run_id: str, event_id: str) -> pd.DataFrame:
    """data.event_evidence, cached per run and event."""
    return data.event_evidence(Path(exports_dir), event_id)


@st.cache_data(show_spinner=False, max_entries=500)
def cached_imported_record(exports_dir: str, run_id: str, event_id: str) -> dict[str, Any] | None:
    """data.imported_record, cached per run and event."""
    return data.imported_record(Path(exports_dir), event_id)


@st.cache_data(show_spinner=False, max_entries=500)
def cached_event_links(exports_dir: str, run_id: str, event_id: str) -> pd.DataFrame:
    """data.event_links, cached per run and event."""
    return data.event_links(Path(exports_dir), event_id)


def markdown_escaped(text: object) -> str:
    """Text shown literally by st.markdown (no emphasis, links, tables or LaTeX)."""
    special = set("\\`*_{}[]()<>#+-.!|$~")
    return "".join(f"\\{character}" if character in special else character for character in str(text))


def event_type_scale(event_types: list[str]) -> alt.Scale:
    """The Altair colour scale that gives each ACLED event type its map colour."""
    return alt.Scale(domain=event_types, range=[data.hex_colour(data.event_type_colour(name)) for name in event_types])


# The URL -> the widgets, once per browser session; the widgets -> the URL, on every run.


def _url_values() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def restore_from_url(options: FilterOptions) -> None:
    """Put a shared URL's filters, event and page into the widgets' state, at the session's first run."""
    if st.session_state.get("restored"):
        return
    st.session_state["restored"] = True
    params = _url_values()
    shared = EventFilters.from_query_params(params)
    first, last = options.first_event_date, options.last_event_date
    if first is not None and last is not None:
        start = min(max(shared.start_date or first, first), last)
        end = max(min(shared.end_date or last, last), start)
        st.session_state["dates"] = (start, end)
    choices: list[tuple[str, tuple[Any, ...], list[Any]]] = [
        ("event_types", shared.acled_event_types, options.acled_event_types),
        ("quad_classes", shared.quad_classes, list(options.quad_classes)),
        ("actors", shared.actor_names, options.actor_names),
        ("regions", shared.governorates, options.governorates),
        ("countries", shared.countries, options.countries),
        ("sources", shared.sources, options.sources),
    ]
    for key, chosen, offered in choices:
        if chosen:
            st.session_state[key] = [value for value in chosen if value in set(offered)]
    st.session_state["area"] = shared.area
    st.session_state["event"] = params[EVENT_PARAM][-1] if params.get(EVENT_PARAM) else None
    page = (params.get(PAGE_PARAM) or ["1"])[-1]
    st.session_state["page"] = int(page) if page.isdigit() and int(page) >= 1 else 1


def write_url(filters: EventFilters) -> None:
    """The view's filters, event and page as the URL's query parameters (only where they differ from all)."""
    params: dict[str, str | list[str]] = filters.query_params()
    if st.session_state.get("event"):
        params[EVENT_PARAM] = str(st.session_state["event"])
    if st.session_state.get("page", 1) > 1:
        params[PAGE_PARAM] = str(st.session_state["page"])
    if params != _url_values_flat():
        st.query_params.from_dict(params)


def _url_values_flat() -> dict[str, str | list[str]]:
    return {
        key: values if len(values) > 1 or key in LIST_PARAMS else values[0] for key, values in _url_values().items()
    }


LIST_PARAMS = {"type", "quad", "actor", "region", "country", "source"}


def sidebar_filters(options: FilterOptions) -> EventFilters:
    """The sidebar's widgets, read into EventFilters."""
    sidebar = st.sidebar
    sidebar.header("Filters")
    sidebar.caption("An empty filter keeps everything. The URL keeps the view: copy it to share it.")
    start_date, end_date = options.first_event_date, options.last_event_date
    if start_date is not None and end_date is not None:
        chosen = sidebar.date_input(
            "Event dates",
            min_value=start_date,
            max_value=end_date,
            key="dates",
        )
        dates = [value for value in (chosen if isinstance(chosen, tuple) else (chosen,)) if isinstance(value, date)]
        if dates:
            start_date, end_date = min(dates), max(dates)
    event_types = sidebar.multiselect(
        "ACLED event type", options.acled_event_types, placeholder="All event types", key="event_types"
    )
    countries = sidebar.multiselect("Country", options.countries, placeholder="All countries", key="countries")
    regions = sidebar.multiselect(
        "Region (admin1) or country", options.governorates, placeholder="All regions", key="regions"
    )
    actor_names = sidebar.multiselect(
        "Actor (as actor 1 or 2)", options.actor_names, placeholder="All actors (type to search)", key="actors"
    )
    quad_classes = sidebar.multiselect(
        "CAMEO quad class",
        list(options.quad_classes),
        format_func=lambda code: f"{code} {options.quad_classes[code]}",
        placeholder="All quad classes",
        key="quad_classes",
    )
    sources: list[str] = []
    if len(options.sources) > 1:
        sources = sidebar.multiselect(
            "Source",
            options.sources,
            format_func=lambda source: data.SOURCE_SYSTEMS.get(source, source),
            placeholder="All sources",
            key="sources",
        )
    area = st.session_state.get("area")
    if area:
        south, west, north, east = area
        sidebar.markdown(f"Map area: {south:g}° to {north:g}° N, {west:g}° to {east:g}° E")
        sidebar.button("Show the whole map", on_click=_clear_area)
    # Unchanged (the whole span) dates are no filter, so that a shared URL does not pin them.
    unbounded = (start_date, end_date) == (options.first_event_date, options.last_event_date)
    return EventFilters(
        start_date=None if unbounded else start_date,
        end_date=None if unbounded else end_date,
        acled_event_types=tuple(event_types),
        quad_classes=tuple(int(code) for code in quad_classes),
        actor_names=tuple(actor_names),
        governorates=tuple(regions),
        countries=tuple(countries),
        sources=tuple(sources),
        area=tuple(area) if area else None,
    )


def _clear_area() -> None:
    st.session_state["area"] = None
    st.session_state["page"] = 1


def download_csv(exports_dir: Path, filters: EventFilters, num_events: int) -> None:
    """A button that writes the filtered events to CSV when clicked (nothing is computed before)."""

    def csv_file() -> bytes:
        with tempfile.TemporaryDirectory(prefix="eventdw-csv-") as folder:
            target = Path(folder) / "events.csv"
            data.write_events_csv(exports_dir, filters, target)
            return target.read_bytes()

    st.sidebar.download_button(
        f"Download these {num_events:,} events (CSV)",
        data=csv_file,
        file_name="eventdw_events.csv",
        mime="text/csv",
        on_click="ignore",
        disabled=num_events == 0,
        key="download",
    )


def show_header(summary: ExportSummary, overview: Overview, exports_dir: Path) -> None:
    """The title, the run's line, and what the filters keep."""
    st.title("eventdw: political violence and unrest events")
    st.markdown(
        f"Run `{summary.run_id}` · **{summary.num_events:,}** events from **{summary.num_mentions:,}** mentions "
        f"in **{summary.num_articles:,}** articles · {summary.first_event_date} to {summary.last_event_date}"
    )
    st.caption(f"Exports: {markdown_escaped(exports_dir.resolve())} (data that passed the quality gate)")
    st.markdown(
        f"Showing **{overview.num_events:,}** of {summary.num_events:,} events · "
        f"{overview.fatalities:,} known fatalities ({overview.num_unknown_fatalities:,} "
        f"{'event reports' if overview.num_unknown_fatalities == 1 else 'events report'} none)"
    )


def show_legend(event_types: list[str], note: str = "") -> None:
    """One line naming the colour of each ACLED event type, as the map and the charts use it."""
    entries = [
        f'<span style="color:{data.hex_colour(data.event_type_colour(name))}">&#9679;</span> {markdown_escaped(name)}'
        for name in event_types
    ]
    st.markdown(f"<small>{' &nbsp; '.join(entries + ([note] if note else []))}</small>", unsafe_allow_html=True)


# What the browser needs of each map object: where, how big, what colour, what its tooltip says (field,
# title), and what a click selects.
MAP_TOOLTIPS = {
    "points": [
        ("date_label", "date"),
        ("actors_label", "actors"),
        ("place_label", "place"),
        ("cameo_label", "CAMEO"),
        ("acled_event_type", "ACLED type"),
        ("fatalities_label", "fatalities"),
        ("num_articles", "articles"),
    ],
    "cells": [
        ("summary", "events"),
        ("main_type_share", "mostly"),
        ("dates_label", "dates"),
        ("fatalities", "known fatalities"),
    ],
}
MAP_CLICKS = {"points": ["event_id"], "cells": ["south", "west"]}
CLICK_HINTS = {"points": "click for its evidence", "cells": "click to zoom to this area"}
MAP_HEIGHT_PX = 520


def map_chart(layer: MapLayer, labels: pd.DataFrame, view: tuple[float, float, float]) -> alt.LayerChart:
    """The map as Vega-Lite: borders and coastlines, the events or cells, and the place labels, in the Web
    Mercator `view` (latitude, longitude, zoom) that data.map_view fits to the events. Vega draws it on a 2D
    canvas: no WebGL, which a browser without a GPU renders in software, seconds per redraw at millions of
    events (docs/performance.md)."""
    latitude, longitude, zoom = view
    fields = [field for field, _ in MAP_TOOLTIPS[layer.kind]]
    frame = layer.frame[["longitude", "latitude", "radius", "colour", *MAP_CLICKS[layer.kind], *fields]]
    borders = alt.Chart(alt.Data(url=BORDERS_URL, format=alt.DataFormat(type="json", property="features")))
    borders = borders.mark_geoshape(filled=False, stroke="#969696", strokeWidth=0.8, clip=True)
    click = alt.selection_point(name="pick", fields=MAP_CLICKS[layer.kind], on="click")
    circles = (
        alt.Chart(frame.round({"longitude": 4, "latitude": 4}))
        .mark_circle(opacity=0.82, stroke="white", strokeWidth=0.8, clip=True, cursor="pointer")
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            # Circle areas in square pixels, colours as given: no scales, no legends (show_legend names them).
            size=alt.Size("area:Q", scale=None),
            color=alt.Color("colour:N", scale=None),
            tooltip=[alt.Tooltip(f"{field}:N", title=title) for field, title in MAP_TOOLTIPS[layer.kind]]
            + [alt.Tooltip("hint:N", title=" ")],
        )
        .transform_calculate(area="PI * datum.radius * datum.radius", hint=f"'{CLICK_HINTS[layer.kind]}'")
        .add_params(click)
    )
    names = (
        alt.Chart(labels[["longitude", "latitude", "place_name"]])
        .mark_text(dy=-16, fontSize=12, color="#282828", clip=True)
        .encode(longitude="longitude:Q", latitude="latitude:Q", text="place_name:N")
    )
    return (
        alt.layer(borders, circles, names)
        # Vega's Mercator scale is pixels per radian: a world of 512 pixels at zoom 0, over 2 pi.
        .project(
            type="mercator",
            center=[longitude, latitude],
            scale=512 * 2**zoom / (2 * math.pi),
            translate=alt.ExprRef("[width / 2, height / 2]"),
        )
        # Drawn on a canvas, not as thousands of SVG elements (Streamlit would choose SVG below 2,000 rows).
        .properties(height=MAP_HEIGHT_PX, usermeta={"embedOptions": {"renderer": "canvas"}})
        .configure_view(stroke=None)
        .configure_mark(aria=False)
    )


def show_map(layer: MapLayer, places: pd.DataFrame) -> None:
    """Events (or grid cells of events) over the world's borders and coastlines, with the busiest places named."""
    view = data.map_view(layer.bounds)
    labels = data.map_labels(places, view[2])
    st.session_state["cell_degrees"] = layer.cell_degrees
    with st.container(border=True):
        st.altair_chart(
            map_chart(layer, labels, view),
            width="stretch",
            on_select=_map_clicked,
            selection_mode="pick",
            key=f"map_{layer.kind}",
        )
    if layer.kind == "points":
        note = "circle area grows with the number of articles; click an event for its evidence"
    else:
        note = (
            f"{layer.num_located:,} events drawn as {len(layer.frame):,} cells of {layer.cell_degrees:g}° "
            "(at the events' mean position, coloured by their most frequent type, area by number of events); "
            "click a cell to zoom to it"
        )
    show_legend(data.in_acled_order(layer.frame["acled_event_type"]) if not layer.frame.empty else [], note)
    if layer.num_without_coordinates:
        st.caption(f"{layer.num_without_coordinates:,} events without coordinates are not on the map.")


def _map_clicked() -> None:
    """A click on the map: an event shows its evidence, a cell becomes the map area."""
    for kind in ("points", "cells"):
        state = st.session_state.get(f"map_{kind}")
        if not state:
            continue
        objects = state["selection"].get("pick") or []
        if objects and kind == "points":
            st.session_state["event"] = objects[0]["event_id"]
        elif objects:
            cell, side = objects[0], st.session_state.get("cell_degrees") or 0
            st.session_state["area"] = (cell["south"], cell["west"], cell["south"] + side, cell["west"] + side)
            st.session_state["page"] = 1


def show_activity(activity: pd.DataFrame, bin_name: str, event_types: list[str]) -> None:
    """Events per time bin, stacked by ACLED event type, and known fatalities per bin."""
    frame = activity.assign(bin_end=[data.bin_end(start, bin_name) for start in activity["bin_start"].dt.date])
    x = alt.X("bin_start:T", title=None, axis=alt.Axis(labelOverlap=True))
    colour = alt.Color("acled_event_type:N", title="ACLED event type", scale=event_type_scale(event_types), legend=None)
    time_format = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[bin_name]
    tooltip = [
        alt.Tooltip("bin_start:T", title=f"{bin_name} of", format=time_format),
        alt.Tooltip("acled_event_type:N", title="ACLED event type"),
        alt.Tooltip("num_events:Q", title="events", format=","),
        alt.Tooltip("fatalities:Q", title="known fatalities", format=","),
        alt.Tooltip("num_events_unknown_fatalities:Q", title="events, fatalities unknown", format=","),
    ]
    per = {"day": "day", "week": "week (from Monday)", "month": "month", "year": "year"}[bin_name]
    # Each bar spans its bin exactly (x to x2), so bars neither overlap nor thin out over long spans.
    events_chart = (
        alt.Chart(frame, title=f"Events per {per}")
        .mark_bar(stroke="white", strokeWidth=0.3)
        .encode(
            x=x,
            x2="bin_end:T",
            y=alt.Y("sum(num_events):Q", title="Events", axis=alt.Axis(tickMinStep=1, format="~s")),
            color=colour,
            tooltip=tooltip,
        )
        .properties(height=220)
    )
    st.altair_chart(events_chart, width="stretch")
    show_legend(data.in_acled_order(activity["acled_event_type"]))
    fatalities_chart = (
        alt.Chart(frame, title=f"Known fatalities per {per}")
        .mark_bar(stroke="white", strokeWidth=0.3)
        .encode(
            x=x,
            x2="bin_end:T",
            y=alt.Y("sum(fatalities):Q", title="Fatalities", axis=alt.Axis(tickMinStep=1, format="~s")),
            color=colour,
            tooltip=tooltip,
        )
        .properties(height=170)
    )
    st.altair_chart(fatalities_chart, width="stretch")
    unknown = int(activity["num_events_unknown_fatalities"].sum())
    st.caption(
        f"Bars per {bin_name}, chosen from the span shown. Each event counts its most conservative figure. "
        f"{unknown:,} of {int(activity['num_events'].sum()):,} events report no figure: unknown is not zero, "
        "and they are not counted here."
    )


def show_top_actors(actors: pd.DataFrame) -> None:
    """The ten actors in most events, as a horizontal bar chart."""
    bars = alt.Chart(actors, title="Most active actors (events as actor 1 or 2)").encode(
        y=alt.Y("actor_name:N", sort=list(actors["actor_name"]), title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("num_events:Q", title="Events", axis=alt.Axis(tickMinStep=1, format="~s")),
        tooltip=[alt.Tooltip("actor_name:N", title="actor"), alt.Tooltip("num_events:Q", title="events", format=",")],
    )
    labels = bars.mark_text(align="left", dx=3).encode(text=alt.Text("num_events:Q", format=","))
    chart = (bars.mark_bar(color="#4a6fa5") + labels).properties(height=34 * max(len(actors), 1))
    st.altair_chart(chart, width="stretch")


def show_event_table(exports_dir: Path, run_id: str, filters: EventFilters, num_events: int) -> None:
    """One page of the filtered events, newest first; a row's click shows its evidence."""
    num_pages = max((num_events + data.PAGE_SIZE - 1) // data.PAGE_SIZE, 1)
    st.session_state["page"] = min(max(int(st.session_state.get("page", 1)), 1), num_pages)
    page = st.session_state["page"]
    table = cached_events_page(str(exports_dir), run_id, filters, page - 1)
    st.session_state["page_event_ids"] = list(table["event_id"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 420),
        on_select=_row_clicked,
        selection_mode="single-row",
        key=f"events_table_{page}",
        column_order=[
            "date_label",
            "actor1_label",
            "actor2_label",
            "place_label",
            "governorate",
            "country_name",
            "cameo",
            "acled_event_type",
            "acled_sub_event_type",
            "fatalities",
            "fatality_claims",
            "num_articles",
            "source_system",
        ],
        column_config={
            "date_label": st.column_config.TextColumn("Date", help="At the coded precision"),
            "actor1_label": "Actor 1",
            "actor2_label": "Actor 2",
            "place_label": "Place",
            "governorate": "Region (admin1)",
            "country_name": "Country",
            "cameo": "CAMEO",
            "acled_event_type": "ACLED type",
            "acled_sub_event_type": "ACLED sub-event type",
            "fatalities": st.column_config.NumberColumn("Fatalities", help="Most conservative figure; empty = unknown"),
            "fatality_claims": st.column_config.TextColumn("Fatality claims", help="Each article's figure"),
            "num_articles": st.column_config.NumberColumn("Articles"),
            "source_system": st.column_config.TextColumn("Source", help="coded, acled or gdelt"),
        },
    )
    first = (page - 1) * data.PAGE_SIZE
    left, right = st.columns([1, 3])
    left.number_input(f"Page (of {num_pages:,})", min_value=1, max_value=num_pages, step=1, key="page")
    right.caption(
        f"Events {first + 1:,} to {first + len(table):,} of {num_events:,}, newest first. Click a row for its evidence."
    )


def _row_clicked() -> None:
    page = st.session_state.get("page", 1)
    state = st.session_state.get(f"events_table_{page}")
    rows = state["selection"]["rows"] if state else []
    event_ids = st.session_state.get("page_event_ids", [])
    if rows and rows[0] < len(event_ids):
        st.session_state["event"] = event_ids[rows[0]]


def resolution_line(role: str, written: object, resolved: object, method: object, score: float | None) -> str:
    """One markdown table row: a name as the article wrote it and what it resolved to."""
    if not isinstance(written, str):
        return ""
    how = (
        f"{method}, {score:.2f}"
        if isinstance(method, str) and score is not None and pd.notna(score)
        else str(method or "")
    )
    return (
        f"| {role} | {markdown_escaped(written)} | {markdown_escaped(resolved if isinstance(resolved, str) else '—')} "
        f"| {markdown_escaped(how)} |\n"
    )


def show_evidence(exports_dir: Path, run_id: str) -> None:
    """The selected event's evidence: each article's quote and how its names resolved, or the imported row's
    own notes and sources, and the events from other sources that report the same."""
    event_id = st.session_state.get("event")
    if not event_id:
        st.info("Click an event on the map or a row of the table to see its evidence here.")
        return
    event = cached_event_detail(str(exports_dir), run_id, str(event_id))
    if event is None:
        st.warning(f"No event {markdown_escaped(event_id)} in these exports.")
        return
    source = data.SOURCE_SYSTEMS.get(str(event["source_system"]), str(event["source_system"]))
    st.markdown(
        f"**{markdown_escaped(data.event_label(event))}**  \n"
        f"ACLED: {markdown_escaped(event['acled_event_type'])} / {markdown_escaped(event['acled_sub_event_type'])} · "
        f"fatalities: {markdown_escaped(event['fatalities_label'])}"
        + (f" · claims: {markdown_escaped(event['fatality_claims'])}" if event.get("fatality_claims") else "")
        + f" · {markdown_escaped(source)} event `{event_id}`"
    )
    if event["source_system"] == "coded":
        show_mentions(cached_event_evidence(str(exports_dir), run_id, str(event_id)))
    else:
        record = cached_imported_record(str(exports_dir), run_id, str(event_id))
        with st.container(border=True):
            if record is not None:
                st.markdown(
                    f"**ACLED event {markdown_escaped(record['event_id_cnty'])}** as ACLED published it  \n"
                    f"sources: {markdown_escaped(record['source'] or '—')} "
                    f"({markdown_escaped(record['source_scale'] or 'scale not given')})"
                )
                if isinstance(record.get("notes"), str) and record["notes"]:
                    st.markdown("> " + markdown_escaped(record["notes"]).replace("\n", "\n> "))
            else:
                st.markdown(
                    f"{markdown_escaped(source)} event {markdown_escaped(event['source_event_id'])}: "
                    f"{int(event['num_mentions'] or 0):,} mentions in GDELT's files"
                )
    links = cached_event_links(str(exports_dir), run_id, str(event_id))
    if not links.empty:
        st.markdown("**The same event in other sources** (bridge_event_sources)")
        st.dataframe(
            links[["source_system", "source_event_id", "date_label", "actors_label", "place_label", "match_rule"]],
            hide_index=True,
            width="stretch",
        )


def show_mentions(evidence: pd.DataFrame) -> None:
    """Each article's report of a coded event."""
    for mention in evidence.itertuples(index=False):
        with st.container(border=True):
            published = "undated" if pd.isna(mention.published_date) else f"{mention.published_date:%Y-%m-%d}"
            st.markdown(
                f"**{markdown_escaped(mention.article_title)}**  \n"
                f"published {published} ({markdown_escaped(mention.published_date_source)}) · "
                f"article `{mention.article_id}`"
            )
            quote = markdown_escaped(mention.quote).replace("\n", "\n> ")
            outside = "" if mention.is_quote_in_body else "  \n*(quoted from outside the article body)*"
            st.markdown(f"> {quote}{outside}")
            precision = data.TIME_PRECISIONS.get(int(mention.time_precision), "?")
            fatalities = "unknown" if pd.isna(mention.fatalities) else int(mention.fatalities)
            table = "| | as written | resolved to | how |\n|---|---|---|---|\n"
            for role, written, resolved, method, score in [
                ("Actor 1", mention.actor1_text, mention.actor1_name, mention.actor1_resolution_method,
                 mention.actor1_resolution_score),
                ("Actor 2", mention.actor2_text, mention.actor2_name, mention.actor2_resolution_method,
                 mention.actor2_resolution_score),
                ("Location", mention.location_text, mention.place_name, mention.place_resolution_method,
                 mention.place_resolution_score),
            ]:  # fmt: skip
                table += resolution_line(role, written, resolved, method, score)
            st.markdown(table)
            st.caption(
                f"Coded {mention.event_date:%Y-%m-%d} ({precision}), CAMEO {mention.cameo_code}, "
                f"fatalities {fatalities}, by {markdown_escaped(mention.coder)} "
                f"(confidence {mention.confidence}) · {markdown_escaped(Path(str(mention.source_file)).name)} "
                f"row {mention.source_row_number}"
                + (f"  \nNotes: {markdown_escaped(mention.notes)}" if isinstance(mention.notes, str) else "")
            )


def main() -> None:
    """The page."""
    st.set_page_config(page_title="eventdw dashboard", layout="wide")
    exports_dir = app_arguments(sys.argv[1:]).exports_dir
    folder = str(exports_dir)
    try:
        run_id = str(data.read_manifest(exports_dir)["run_id"])
        summary = cached_summary(folder, run_id)
        options = cached_filter_options(folder, run_id)
    except ExportsError as error:
        st.error(str(error))
        return
    except duckdb.Error as error:
        st.error(f"Cannot read the exports in {exports_dir} ({type(error).__name__}): run `eventdw run` again.")
        return
    restore_from_url(options)
    filters = sidebar_filters(options)
    if st.session_state.get("shown_filters", filters) != filters:
        st.session_state["page"] = 1  # other events: back to the newest
    st.session_state["shown_filters"] = filters
    overview = cached_overview(folder, run_id, filters)
    download_csv(exports_dir, filters, overview.num_events)
    show_header(summary, overview, exports_dir)
    write_url(filters)
    if overview.num_events == 0:
        st.info("No events match these filters.")
        return

    st.subheader("Map")
    show_map(cached_map_layer(folder, run_id, filters), cached_place_counts(folder, run_id, filters))

    activity_column, actors_column = st.columns([3, 2], gap="large")
    with activity_column:
        st.subheader("Over time")
        bin_name = data.time_bin(
            filters.start_date or overview.first_event_date, filters.end_date or overview.last_event_date
        )
        show_activity(cached_activity(folder, run_id, filters, bin_name), bin_name, options.acled_event_types)
    with actors_column:
        st.subheader("Actors")
        show_top_actors(cached_top_actors(folder, run_id, filters))

    st.subheader("Events")
    show_event_table(exports_dir, run_id, filters, overview.num_events)

    st.subheader("Evidence")
    show_evidence(exports_dir, run_id)


main()
