"""Contradictions inside the curated reference CSVs of `seeds/reference/`, one line each, in file order.

The loader stops on the first. Each is a fault that would make the warehouse resolve a name wrongly or
ambiguously rather than leave it unresolved: an id defined twice, a parent chain that loops, a reference to
an actor or place that does not exist, a validity period that ends before it starts or outlasts its actor,
and one spelling meaning two actors on the same day.

Validity periods (`valid_from`, `valid_to`, ISO dates, empty = open) are inclusive at both ends: a name
valid to 2024-12-08 still means its actor on 8 December 2024, and its successor starts on 2024-12-09.
An actor's `actor_name` is one of its names, valid for the actor's own period. An alias means its actor
only while both are valid: an open end of an alias's period is its actor's end (as in
`int_actor_names_normalized`), and only a date the alias sets itself can lie outside its actor's period.
Spellings compare as dbt compares them (`int_actor_names_normalized.name_lower`): stripped and lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

Rows = list[dict[str, str | None]]

# The files checked, in the order their contradictions are reported; any other table is ignored.
CHECKED_FILES = ("actors", "actor_aliases", "actor_agents", "places_supplement", "place_aliases")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLACE_REF = re.compile(r"^(?:geonames:\d+|iso3166:[A-Z]{2}(?:-[A-Z0-9]{1,3})?|sup:[a-z0-9][a-z0-9_-]*)$")


@dataclass(frozen=True)
class _Period:
    """An inclusive validity period; None is an open end."""

    start: date | None
    end: date | None

    @property
    def first_day(self) -> date:
        """The first day covered (date.min when open)."""
        return self.start or date.min

    @property
    def last_day(self) -> date:
        """The last day covered (date.max when open)."""
        return self.end or date.max


@dataclass(frozen=True)
class _Name:
    """One name of an actor (an alias row, or an actor's actor_name) with its period."""

    key: str
    spelling: str
    actor_id: str
    file: str
    row: int
    period: _Period

    @property
    def file_position(self) -> tuple[int, int]:
        """Where the row is, in reporting order."""
        return CHECKED_FILES.index(self.file), self.row


class _Report:
    """Contradictions collected in any order, returned in file order (rows in order, each row's in the order
    they were found)."""

    def __init__(self) -> None:
        self._lines: list[tuple[int, int, str]] = []

    def add(self, file: str, row: int, problem: str) -> None:
        """Record one contradiction of `file`.csv at `row`."""
        self._lines.append((CHECKED_FILES.index(file), row, f"{file}.csv row {row}: {problem}"))

    def lines(self) -> list[str]:
        """The contradictions in file order."""
        return [line for _, _, line in sorted(self._lines, key=lambda entry: entry[:2])]


def reference_contradictions(tables: Mapping[str, list[dict[str, str | None]]]) -> list[str]:
    """The contradictions in the curated reference tables (file name without .csv -> rows), in file order."""
    report = _Report()
    actors = tables.get("actors", [])
    aliases = tables.get("actor_aliases", [])
    places = tables.get("places_supplement", [])

    actor_rows = _first_rows(report, "actors", actors, "actor_id")
    actor_periods = {row_number: _period(report, "actors", row) for row_number, row in _numbered(actors)}
    _check_parents(report, "actors", actors, "actor_id", "parent_actor_id", actor_rows, lambda parent: True)

    names = [
        _Name(_key(name), name, actor_id, "actors", row_number, period)
        for row_number, row in _numbered(actors)
        if (name := row.get("actor_name"))
        and (actor_id := row.get("actor_id"))
        and actor_rows.get(actor_id) == row_number
        and (period := actor_periods[row_number]) is not None
    ]
    for row_number, row in _numbered(aliases):
        alias_period = _period(report, "actor_aliases", row)
        spelling, actor_id = row.get("alias") or "", row.get("actor_id") or ""
        if actor_id not in actor_rows:
            report.add("actor_aliases", row_number, f"actor_id '{actor_id}' is not in actors.csv")
            continue
        if alias_period is None:
            continue
        actor_row = actor_rows[actor_id]
        actor_period = actor_periods[actor_row]
        if actor_period is not None:
            for problem in _outside_actor(spelling, alias_period, actor_id, actor_row, actor_period):
                report.add("actor_aliases", row_number, problem)
            alias_period = _Period(alias_period.start or actor_period.start, alias_period.end or actor_period.end)
        if spelling:
            names.append(_Name(_key(spelling), spelling, actor_id, "actor_aliases", row_number, alias_period))
    _check_names(report, names)
    _check_agents(report, tables.get("actor_agents", []))

    place_rows = _first_rows(report, "places_supplement", places, "place_id")
    _check_parents(
        report,
        "places_supplement",
        places,
        "place_id",
        "parent_place_id",
        place_rows,
        lambda parent: parent.startswith("sup:"),
    )
    for row_number, row in _numbered(tables.get("place_aliases", [])):
        place_ref = row.get("place_ref") or ""
        if not _PLACE_REF.match(place_ref):
            problem = f"place_ref '{place_ref}' is not geonames:<id>, iso3166:<code> or sup:<slug>"
            report.add("place_aliases", row_number, problem)
        elif place_ref.startswith("sup:") and place_ref not in place_rows:
            report.add("place_aliases", row_number, f"place_ref '{place_ref}' is not in places_supplement.csv")
    return report.lines()


def _check_agents(report: _Report, agents: Rows) -> None:
    """An agent word is given once; every word of one kind of actor gives it the same CAMEO code, ACLED type
    and name, and the name has the country's place ('{country}')."""
    _first_rows(report, "actor_agents", agents, "agent_word")
    kinds: dict[str, tuple[int, tuple[str | None, ...]]] = {}
    for row_number, row in _numbered(agents):
        kind = row.get("actor_kind") or ""
        coding = (row.get("cameo_agent_code"), row.get("acled_inter_code"), row.get("acled_actor_name"))
        if "{country}" not in (row.get("acled_actor_name") or ""):
            report.add("actor_agents", row_number, "acled_actor_name has no '{country}' for the country's name")
        if kind in kinds and kinds[kind][1] != coding:
            first_row, first = kinds[kind]
            report.add(
                "actor_agents",
                row_number,
                f"actor_kind '{kind}' is coded {'/'.join(map(str, coding))} here "
                f"and {'/'.join(map(str, first))} in row {first_row}",
            )
        kinds.setdefault(kind, (row_number, coding))


def _numbered(rows: Rows) -> list[tuple[int, dict[str, str | None]]]:
    """The rows with their spreadsheet row numbers."""
    return [(int(row["_row_number"] or 0), row) for row in rows]


def _key(spelling: str) -> str:
    """The form in which two spellings are the same name."""
    return spelling.strip().lower()


def _first_rows(report: _Report, file: str, rows: Rows, id_column: str) -> dict[str, int]:
    """Each id's first row number; a later row with the same id is reported."""
    first: dict[str, int] = {}
    for row_number, row in _numbered(rows):
        row_id = row.get(id_column)
        if row_id is None:
            continue
        if row_id in first:
            report.add(file, row_number, f"{id_column} '{row_id}' repeats row {first[row_id]}")
        else:
            first[row_id] = row_number
    return first


def _period(report: _Report, file: str, row: dict[str, str | None]) -> _Period | None:
    """The row's validity period, or None (reported) if a date is malformed or it ends before it starts."""
    row_number = int(row["_row_number"] or 0)
    days: dict[str, date | None] = {}
    for column in ("valid_from", "valid_to"):
        text = row.get(column)
        days[column] = _parse_date(text) if text is not None else None
        if text is not None and days[column] is None:
            report.add(file, row_number, f"{column} '{text}' is not a date (YYYY-MM-DD)")
            return None
    start, end = days["valid_from"], days["valid_to"]
    if start is not None and end is not None and start > end:
        report.add(file, row_number, f"valid_from {start} is after valid_to {end}")
        return None
    return _Period(start, end)


def _parse_date(text: str) -> date | None:
    """The ISO date YYYY-MM-DD that `text` is, or None."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _outside_actor(
    spelling: str, alias_period: _Period, actor_id: str, actor_row: int, actor_period: _Period
) -> list[str]:
    """How the dates an alias sets reach before its actor's start or after its actor's end."""
    actor = f"its actor {actor_id} (actors.csv row {actor_row})"
    problems = []
    if alias_period.start is not None and alias_period.start < actor_period.first_day:
        problems.append(
            f"alias '{spelling}' is valid from {alias_period.start}, before {actor} exists (from {actor_period.start})"
        )
    if alias_period.end is not None and alias_period.end > actor_period.last_day:
        problems.append(
            f"alias '{spelling}' is valid until {alias_period.end}, after {actor} ends ({actor_period.end})"
        )
    return problems


def _check_names(report: _Report, names: list[_Name]) -> None:
    """Report a spelling meaning two actors on one day, and an alias row repeating another.

    Sorted by (spelling, start), a name overlaps an earlier-starting one of the same spelling exactly when it
    starts on or before the latest end among them; keeping that latest end per actor (and source file) makes
    the sweep O(n log n). An alias that repeats its own actor's actor_name is allowed (dbt ranks the two).
    """
    names.sort(key=lambda name: (name.key, name.period.first_day, name.file_position))
    reach: dict[tuple[str, str], _Name] = {}
    for index, name in enumerate(names):
        if index == 0 or names[index - 1].key != name.key:
            reach = {}
        reported_actors: set[str] = set()
        for earlier in reach.values():
            if earlier.period.last_day < name.period.first_day:
                continue
            first, second = sorted((earlier, name), key=lambda entry: entry.file_position)
            if earlier.actor_id != name.actor_id and earlier.actor_id not in reported_actors:
                reported_actors.add(earlier.actor_id)
                where = f"row {first.row}" if first.file == second.file else f"{first.file}.csv row {first.row}"
                day = f"on {name.period.start}" if name.period.start else "from the beginning"
                label = "alias" if second.file == "actor_aliases" else "actor_name"
                problem = f"{label} '{second.spelling}' means {first.actor_id} ({where}) and {second.actor_id} {day}"
                report.add(second.file, second.row, problem)
            elif earlier.actor_id == name.actor_id and earlier.file == name.file == "actor_aliases":
                report.add(second.file, second.row, f"alias '{second.spelling}' repeats row {first.row}")
        slot = (name.actor_id, name.file)
        if slot not in reach or name.period.last_day > reach[slot].period.last_day:
            reach[slot] = name


def _check_parents(
    report: _Report,
    file: str,
    rows: Rows,
    id_column: str,
    parent_column: str,
    first_rows: dict[str, int],
    is_checked: Callable[[str], bool],
) -> None:
    """Report a checked parent id that is not in the file, and a row whose parent chain returns to it."""
    parents: dict[str, str] = {}
    for row_number, row in _numbered(rows):
        parent = row.get(parent_column)
        if parent is None or not is_checked(parent):
            continue
        if parent not in first_rows:
            report.add(file, row_number, f"{parent_column} '{parent}' is not in {file}.csv")
            continue
        row_id = row.get(id_column)
        if row_id is not None and first_rows[row_id] == row_number:
            parents[row_id] = parent
    for row_id, loop in _loops(parents).items():
        report.add(file, first_rows[row_id], f"{parent_column} makes a loop: {' -> '.join(loop)}")


def _loops(parents: dict[str, str]) -> dict[str, list[str]]:
    """Each id whose parent chain returns to it, with the chain from it back to it (linear time)."""
    finished: set[str] = set()
    loops: dict[str, list[str]] = {}
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while node in parents and node not in finished and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents[node]
        if node in on_path:
            cycle = path[path.index(node) :]
            for position, member in enumerate(cycle):
                loops[member] = cycle[position:] + cycle[:position] + [member]
        finished.update(path)
    return loops
