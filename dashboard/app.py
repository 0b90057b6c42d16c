"""The eventdw dashboard: `streamlit run dashboard/app.py -- --exports-dir exports`.

Layout only: what is shown comes from dashboard/data.py, cached per run id so that a new run refreshes it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard import data
from dashboard.data import EventFilters, ExportsError, ExportSummary, FilterOptions


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The app's own arguments, those after `--` on the streamlit command line."""
    parser = argparse.ArgumentParser(prog="eventdw dashboard")
    parser.add_argument("--exports-dir", type=Path, default=Path("exports"), help="The eventdw exports folder.")
    arguments, _ = parser.parse_known_args(argv)
    return arguments


# Each cached function takes the run id only as its cache key: a new run writes a new manifest and run id.
@st.cache_data(show_spinner=False)
def cached_summary(exports_dir: str, run_id: str) -> ExportSummary:
    """data.export_summary, cached per run."""
    return data.export_summary(Path(exports_dir))


@st.cache_data(show_spinner=False)
def cached_filter_options(exports_dir: str, run_id: str) -> FilterOptions:
    """data.filter_options, cached per run."""
    return data.filter_options(Path(exports_dir))


@st.cache_data(show_spinner=False)
def cached_events(exports_dir: str, run_id: str, filters: EventFilters) -> pd.DataFrame:
    """data.events, cached per run and filters."""
    return data.events(Path(exports_dir), filters)


@st.cache_data(show_spinner=False)
def cached_weekly_activity(exports_dir: str, run_id: str, filters: EventFilters) -> pd.DataFrame:
    """data.weekly_activity, cached per run and filters."""
    return data.weekly_activity(Path(exports_dir), filters)


@st.cache_data(show_spinner=False)
def cached_top_actors(exports_dir: str, run_id: str, filters: EventFilters) -> pd.DataFrame:
    """data.top_actors, cached per run and filters."""
    return data.top_actors(Path(exports_dir), filters)


@st.cache_data(show_spinner=False)
def cached_event_evidence(exports_dir: str, run_id: str, event_id: str) -> pd.DataFrame:
    """data.event_evidence, cached per run and event."""
    return data.event_evidence(Path(exports_dir), event_id)


def markdown_escaped(text: object) -> str:
    """Text shown literally by st.markdown (no emphasis, links, tables or LaTeX)."""
    special = set("\\`*_{}[]()<>#+-.!|$~")
    return "".join(f"\\{character}" if character in special else character for character in str(text))


def hex_colour(rgb: tuple[int, int, int]) -> str:
    """An RGB triple as #rrggbb."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def event_type_scale(event_types: list[str]) -> alt.Scale:
    """The Altair colour scale that gives each ACLED event type its map colour."""
    return alt.Scale(domain=event_types, range=[hex_colour(data.event_type_colour(name)) for name in event_types])


def sidebar_filters(options: FilterOptions) -> EventFilters:
    """The sidebar's widgets, read into EventFilters."""
    st.sidebar.header("Filters")
    st.sidebar.caption("An empty filter keeps everything.")
    start_date, end_date = options.first_event_date, options.last_event_date
    if start_date is not None and end_date is not None:
        chosen = st.sidebar.date_input(
            "Event dates", value=(start_date, end_date), min_value=start_date, max_value=end_date
        )
        dates = [value for value in (chosen if isinstance(chosen, tuple) else (chosen,)) if isinstance(value, date)]
        if dates:
            start_date, end_date = min(dates), max(dates)
    event_types = st.sidebar.multiselect("ACLED event type", options.acled_event_types, placeholder="All event types")
    quad_classes = st.sidebar.multiselect(
        "CAMEO quad class",
        list(options.quad_classes),
        format_func=lambda code: f"{code} {options.quad_classes[code]}",
        placeholder="All quad classes",
    )
    actor_names = st.sidebar.multiselect("Actor (as actor 1 or 2)", options.actor_names, placeholder="All actors")
    governorates = st.sidebar.multiselect("Region (admin1) or country", options.governorates, placeholder="All places")
    st.sidebar.caption(
        "Dates follow the coded precision: a week-precision event is dated at its middle, "
        "a month at the 15th, a year (background events) at 1 July."
    )
    return EventFilters(
        start_date=start_date,
        end_date=end_date,
        acled_event_types=tuple(event_types),
        quad_classes=tuple(int(code) for code in quad_classes),
        actor_names=tuple(actor_names),
        governorates=tuple(governorates),
    )


def show_header(summary: ExportSummary, exports_dir: Path) -> None:
    """The title and the run's line: run id, counts, date range."""
    st.title("eventdw: political violence and unrest events")
    st.markdown(
        f"Run `{summary.run_id}` · **{summary.num_events}** events from **{summary.num_mentions}** mentions "
        f"in **{summary.num_articles}** articles · {summary.first_event_date} to {summary.last_event_date}"
    )
    st.caption(f"Exports: {markdown_escaped(exports_dir.resolve())} (data that passed the quality gate)")


def show_legend(event_types: list[str], note: str = "") -> None:
    """One line naming the colour of each ACLED event type, as the map and the charts use it."""
    entries = [
        f'<span style="color:{hex_colour(data.event_type_colour(name))}">&#9679;</span> {markdown_escaped(name)}'
        for name in event_types
    ]
    st.markdown(f"<small>{' &nbsp; '.join(entries + ([note] if note else []))}</small>", unsafe_allow_html=True)


def show_map(events_frame: pd.DataFrame) -> None:
    """Events at their places, sized by articles and coloured by ACLED event type, with no basemap."""
    points, num_without_coordinates = data.map_points(events_frame)
    latitude, longitude, zoom = data.map_view(points)
    # There are no basemap tiles to read, so the places are labelled (those that fit without overlapping).
    labels = data.map_labels(points, zoom)
    deck = pdk.Deck(
        # map_provider=None leaves pydeck's "no style" marker in place, so Streamlit fetches no basemap tiles.
        map_provider=None,
        initial_view_state=pdk.ViewState(latitude=latitude, longitude=longitude, zoom=zoom),
        layers=[
            pdk.Layer(
                "ScatterplotLayer",
                data=points,
                id="events",
                get_position="[longitude, latitude]",
                get_radius="radius",
                # pydeck reads a bare string as a column expression; quotes make it a constant.
                radius_units="'pixels'",
                get_fill_color="colour",
                stroked=True,
                get_line_color=[255, 255, 255],
                line_width_min_pixels=1,
                pickable=True,
            ),
            pdk.Layer(
                "TextLayer",
                data=labels,
                id="places",
                get_position="[longitude, latitude]",
                get_text="place_name",
                get_size=13,
                get_color=[40, 40, 40],
                get_pixel_offset=[0, -18],
                character_set="'auto'",
                font_family="'sans-serif'",
            ),
        ],
        tooltip={
            "html": "<b>{date_label}</b><br/>{actors_label}<br/>{place_label}<br/>{cameo_label}"
            "<br/>{acled_event_type}<br/>fatalities: {fatalities_label} · articles: {num_articles}",
            "style": {"fontSize": "12px"},
        },
    )
    with st.container(border=True):
        st.pydeck_chart(deck, height=460)
    show_legend(data.in_acled_order(points["acled_event_type"]), "circle area grows with the number of articles")
    if num_without_coordinates:
        st.caption(f"{num_without_coordinates} events without coordinates not shown.")


def show_weekly_charts(weekly: pd.DataFrame, filters: EventFilters, event_types: list[str]) -> None:
    """Events per week, stacked by ACLED event type, and known fatalities per week."""
    start = pd.Timestamp(filters.start_date or weekly["week_start"].min())
    end = pd.Timestamp(filters.end_date or weekly["week_start"].max()) + timedelta(days=7)
    num_weeks = max((end - start).days / 7, 1)
    # Bars stay visible over a decade of sparse weeks and do not overlap over a few weeks.
    bar_width = min(max(700 / num_weeks, 4), 40)
    x = alt.X("week_start:T", title="Week (from Monday)", scale=alt.Scale(domain=[start.isoformat(), end.isoformat()]))
    # The legend is a line of its own, so that both charts have the same width and their weeks line up.
    colour = alt.Color("acled_event_type:N", title="ACLED event type", scale=event_type_scale(event_types), legend=None)
    tooltip = [
        alt.Tooltip("week_start:T", title="week of"),
        alt.Tooltip("acled_event_type:N", title="ACLED event type"),
        alt.Tooltip("num_events:Q", title="events"),
        alt.Tooltip("fatalities:Q", title="known fatalities"),
        alt.Tooltip("num_events_unknown_fatalities:Q", title="events, fatalities unknown"),
    ]
    events_chart = (
        alt.Chart(weekly, title="Events per week")
        .mark_bar(size=bar_width)
        .encode(x=x, y=alt.Y("sum(num_events):Q", title="Events"), color=colour, tooltip=tooltip)
        .properties(height=240)
    )
    st.altair_chart(events_chart, width="stretch")
    show_legend(data.in_acled_order(weekly["acled_event_type"]))
    fatalities_chart = (
        alt.Chart(weekly, title="Fatalities per week (known figures)")
        .mark_bar(size=bar_width)
        .encode(
            x=x,
            y=alt.Y("sum(fatalities):Q", title="Fatalities"),
            color=colour,
            tooltip=tooltip,
        )
        .properties(height=180)
    )
    st.altair_chart(fatalities_chart, width="stretch")
    unknown = int(weekly["num_events_unknown_fatalities"].sum())
    st.caption(
        f"Each event counts its most conservative figure. {unknown} of {int(weekly['num_events'].sum())} events "
        "report no figure: unknown is not zero, and they are not counted here."
    )


def show_top_actors(actors: pd.DataFrame) -> None:
    """The ten actors in most events, as a horizontal bar chart."""
    bars = alt.Chart(actors, title="Most active actors (events as actor 1 or 2)").encode(
        y=alt.Y("actor_name:N", sort=list(actors["actor_name"]), title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("num_events:Q", title="Events", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("actor_name:N", title="actor"), alt.Tooltip("num_events:Q", title="events")],
    )
    labels = bars.mark_text(align="left", dx=3).encode(text="num_events:Q")
    chart = (bars.mark_bar(color="#4a6fa5") + labels).properties(height=34 * max(len(actors), 1))
    st.altair_chart(chart, width="stretch")


def show_event_table(events_frame: pd.DataFrame) -> None:
    """The filtered events, one row each."""
    table = events_frame.assign(cameo=events_frame["cameo_code"] + " " + events_frame["cameo_name"].fillna(""))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 420),
        column_order=[
            "date_label",
            "actor1_name",
            "actor2_name",
            "place_name",
            "governorate",
            "cameo",
            "acled_event_type",
            "acled_sub_event_type",
            "fatalities",
            "fatality_claims",
            "num_articles",
        ],
        column_config={
            "date_label": st.column_config.TextColumn("Date", help="At the coded precision"),
            "actor1_name": "Actor 1",
            "actor2_name": "Actor 2",
            "place_name": "Place",
            "governorate": "Region (admin1)",
            "cameo": "CAMEO",
            "acled_event_type": "ACLED type",
            "acled_sub_event_type": "ACLED sub-event type",
            "fatalities": st.column_config.NumberColumn("Fatalities", help="Most conservative figure; empty = unknown"),
            "fatality_claims": st.column_config.TextColumn("Fatality claims", help="Each article's figure"),
            "num_articles": st.column_config.NumberColumn("Articles"),
        },
    )


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


def show_evidence(exports_dir: Path, run_id: str, events_frame: pd.DataFrame) -> None:
    """One event's reports: each article's quote and how its names resolved."""
    ranked = events_frame.sort_values(["num_articles", "event_date", "event_id"], ascending=[False, False, True])
    labels = dict(zip(ranked["event_id"], ranked["event_label"], strict=True))
    event_id = st.selectbox(
        "Event (most-reported first)", list(labels), format_func=lambda key: labels[key], key="evidence_event"
    )
    if event_id is None:
        return
    event = ranked[ranked["event_id"] == event_id].iloc[0]
    st.markdown(
        f"**{markdown_escaped(event['event_label'])}**  \n"
        f"ACLED: {markdown_escaped(event['acled_event_type'])} / {markdown_escaped(event['acled_sub_event_type'])} · "
        f"fatalities: {markdown_escaped(event['fatalities_label'])} · claims: "
        f"{markdown_escaped(event['fatality_claims'])} · event `{event_id}`"
    )
    evidence = cached_event_evidence(str(exports_dir), run_id, str(event_id))
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
            table += resolution_line(
                "Actor 1",
                mention.actor1_text,
                mention.actor1_name,
                mention.actor1_resolution_method,
                mention.actor1_resolution_score,
            )
            table += resolution_line(
                "Actor 2",
                mention.actor2_text,
                mention.actor2_name,
                mention.actor2_resolution_method,
                mention.actor2_resolution_score,
            )
            table += resolution_line(
                "Location",
                mention.location_text,
                mention.place_name,
                mention.place_resolution_method,
                mention.place_resolution_score,
            )
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
    exports_dir = parse_arguments(sys.argv[1:]).exports_dir
    try:
        run_id = str(data.read_manifest(exports_dir)["run_id"])
        summary = cached_summary(str(exports_dir), run_id)
        options = cached_filter_options(str(exports_dir), run_id)
    except ExportsError as error:
        st.error(str(error))
        return
    except duckdb.Error as error:
        st.error(f"Cannot read the exports in {exports_dir} ({type(error).__name__}): run `eventdw run` again.")
        return
    show_header(summary, exports_dir)
    filters = sidebar_filters(options)
    events_frame = cached_events(str(exports_dir), run_id, filters)
    st.caption(f"Showing {len(events_frame)} of {summary.num_events} events.")
    if events_frame.empty:
        st.info("No events match these filters.")
        return

    st.subheader("Map")
    show_map(events_frame)

    activity_column, actors_column = st.columns([3, 2], gap="large")
    with activity_column:
        st.subheader("Over time")
        show_weekly_charts(
            cached_weekly_activity(str(exports_dir), run_id, filters), filters, options.acled_event_types
        )
    with actors_column:
        st.subheader("Actors")
        show_top_actors(cached_top_actors(str(exports_dir), run_id, filters))

    st.subheader("Events")
    show_event_table(events_frame)

    st.subheader("Evidence")
    show_evidence(exports_dir, run_id, events_frame)


main()
