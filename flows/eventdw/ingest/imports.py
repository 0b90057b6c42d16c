"""Land the event files analysts already hold, ACLED's and GDELT's, in `raw`, typed, with provenance.

The inputs folder may hold two more folders besides articles/ and extractions/:

- `acled/`: ACLED CSV exports (`*.csv`), in the current format (since 2023: `disorder_type`,
  `civilian_targeting`, `tags`, actor types as text) or the older one (`data_id`, `iso3`, numeric actor
  types), with `event_date` as "2025-05-16", "16 May 2025" or "16-May-25". A file whose header names
  `event_id_cnty` and `deleted_timestamp` is a deletions file, as ACLED publishes deletions.
- `gdelt/`: GDELT 2.0's `YYYYMMDDHHMMSS.export.CSV` (61 columns) and `.mentions.CSV` (16 columns) files,
  tab-separated without a header, zipped (`.CSV.zip`, one file inside) or not.

Every row is typed and checked here (validation_sql) into `raw.acled_events`, `raw.acled_deletions`,
`raw.gdelt_events` or `raw.gdelt_mentions`, or rejected into `raw.rejected_rows` with a reason naming the
field; a file that cannot be read is rejected whole with one reason. Every accepted row is kept, revisions
included: which row of an ACLED event is current (the latest `timestamp`), and which events a deletion
removes, is the staging models' rule (stg_imports__acled_events). A GDELT mention whose event is in no loaded
file is accepted and kept; the marts say it has no event.

A file is read again only when it changed (its hash), the loader changed, or the reference lists its rows
are checked against did (eventdw.state): an unchanged file keeps its rows and rejections, so a new file
costs its share of the load.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw.ingest import csv_readers, raw_tables
from eventdw.ingest.files import (
    MAX_CSV_BYTES,
    FileProblem,
    InputError,
    InputFile,
    Rejection,
    decode,
    read_regular_file,
    scan_folder,
    sha256_hex,
)
from eventdw.ingest.parallel import map_ahead
from eventdw.ingest.raw_tables import (
    ACLED_COLUMNS,
    ACLED_DELETION_COLUMNS,
    ACLED_OLDER_COLUMNS,
    ACLED_REQUIRED,
    GDELT_EVENT_COLUMNS,
    GDELT_MENTION_COLUMNS,
    IMPORT_LANDED_COLUMNS,
)

if TYPE_CHECKING:
    from datetime import datetime

    import duckdb
    import pyarrow as pa

IMPORT_FOLDERS = ("acled", "gdelt")
IMPORT_TABLES = tuple(IMPORT_LANDED_COLUMNS)  # acled_events, acled_deletions, gdelt_events, gdelt_mentions
APPEND_ROWS = 250_000  # rows appended to a work table at a time (see eventdw.ingest.extractions)


@dataclass
class ImportedFile:
    """One file of acled/ or gdelt/: which raw table its rows go to, and the rejections its reader made."""

    source_file: str
    input_kind: str  # the folder: "acled" or "gdelt"
    table: str | None = None  # one of IMPORT_TABLES; None for a file rejected whole
    file_sha256: str | None = None
    unchanged: bool = False  # its rows and rejections are the last load's: it was not read again
    rejections: list[Rejection] = field(default_factory=list)


def _work_table(table: str) -> str:
    return f"incoming_{table}"


def _create_work_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    columns = ", ".join(f'"{name}" {kind}' for name, kind in IMPORT_LANDED_COLUMNS[table])
    con.execute(f"create or replace table raw.{_work_table(table)} ({columns})")


def files_imported_before(con: duckdb.DuckDBPyConnection, reader: str) -> dict[str, tuple[str, str]]:
    """Source file -> (hash, raw table) of the ACLED and GDELT files the last load read with the loader
    `reader` (none if there is no such record, or it has other columns than this loader writes)."""
    if raw_tables.columns(con, "imported_files") != [name for name, _ in raw_tables.COLUMNS["imported_files"]]:
        return {}
    if any(not raw_tables.columns(con, table) for table in IMPORT_TABLES):
        return {}
    query = "select source_file, file_sha256, input_kind from raw.imported_files where read_by = ?"
    return {name: (digest, table) for name, digest, table in con.execute(query, [reader]).fetchall()}


def land_imports(
    con: duckdb.DuckDBPyConnection, seeds_dir: Path, imported_before: dict[str, tuple[str, str]]
) -> list[ImportedFile]:
    """Read the files of `seeds_dir`/acled and /gdelt (each folder optional) into the work tables
    raw.incoming_<table>, as strings, a thread reading the next file while this one's rows are appended. A
    file of `imported_before` (see files_imported_before) with the same hash is not parsed again: its rows are
    the ones raw holds. The files, in name order per folder, after the entries rejected unread."""
    import pyarrow as pa

    for table in IMPORT_TABLES:
        _create_work_table(con, table)
    waiting: dict[str, list[pa.Table]] = {table: [] for table in IMPORT_TABLES}

    def append(table: str, at_least: int = 1) -> None:
        if sum(part.num_rows for part in waiting[table]) >= at_least:
            raw_tables.append(con, _work_table(table), pa.concat_tables(waiting[table]))
            waiting[table].clear()

    files: list[ImportedFile] = []
    for kind in IMPORT_FOLDERS:
        folder = seeds_dir / kind
        if not folder.exists():
            continue
        if not folder.is_dir():
            raise InputError(f"{folder} is not a folder (an inputs folder may hold acled/ and gdelt/ folders)")
        extensions = (".csv",) if kind == "acled" else (".csv", ".csv.zip")
        found, rejections = scan_folder(folder, extensions, kind)
        files += [ImportedFile(r.source_file, kind, rejections=[r]) for r in rejections]
        reader = _read_acled_file if kind == "acled" else _read_gdelt_file
        calls = [(folder, found_file, imported_before) for found_file in found]
        with ThreadPoolExecutor(1) as thread:
            for imported, rows in map_ahead(thread, reader, calls, 2):
                files.append(imported)
                if rows is not None and rows.num_rows and imported.table:
                    waiting[imported.table].append(rows)
                    append(imported.table, APPEND_ROWS)
    for table in IMPORT_TABLES:
        append(table)
    return files


def _read_bytes(folder: Path, file: InputFile, kind: str) -> bytes:
    """The file's bytes; FileProblem if it cannot be read (see files.read_regular_file)."""
    data, _ = read_regular_file(file.path(folder), MAX_CSV_BYTES, f"an {kind.upper()} file", (file.device, file.inode))
    return data


def _rejected(file: InputFile, kind: str, reason: str, digest: str | None = None) -> tuple[ImportedFile, None]:
    return ImportedFile(
        file.source_file,
        kind,
        None,
        digest,
        rejections=[Rejection(kind, file.source_file, None, reason, file_sha256=digest)],
    ), None


def _read_or_reuse(
    folder: Path, file: InputFile, kind: str, imported_before: dict[str, tuple[str, str]]
) -> tuple[bytes, str, ImportedFile | None]:
    """The file's bytes and hash, and, when there is nothing more to read, the file as done: rejected (it
    cannot be read) or unchanged since the last load (the same hash in `imported_before`)."""
    try:
        data = _read_bytes(folder, file, kind)
    except FileProblem as problem:
        return b"", "", _rejected(file, kind, str(problem))[0]
    digest = sha256_hex(data)
    before = imported_before.get(file.source_file)
    if before is not None and before[0] == digest:
        return data, digest, ImportedFile(file.source_file, kind, before[1], digest, unchanged=True)
    return data, digest, None


def _read_acled_file(
    folder: Path, file: InputFile, imported_before: dict[str, tuple[str, str]]
) -> tuple[ImportedFile, pa.Table | None]:
    """One ACLED CSV file (events or deletions, by its header), read as the extraction files are
    (csv_readers.read_csv_file): its rows as strings, in the shape of its work table."""
    data, digest, done = _read_or_reuse(folder, file, "acled", imported_before)
    if done is not None:
        return done, None
    first_line = data.split(b"\n", 1)[0].lower()
    is_deletions = b"deleted_timestamp" in first_line and b"event_date" not in first_line
    table, required = ("acled_deletions", ACLED_DELETION_COLUMNS) if is_deletions else ("acled_events", ACLED_REQUIRED)
    csv_file = csv_readers.read_csv_file(folder / file.name, required, "acled", data)
    csv_file.source_file = file.source_file
    imported = ImportedFile(file.source_file, "acled", table, digest, rejections=csv_file.rejections)
    if csv_file.rejections and csv_file.rejections[0].row_number is None:  # the file itself: no rows
        imported.table = None
        return imported, None
    count = len(csv_file.row_numbers)
    known = ACLED_DELETION_COLUMNS if is_deletions else ACLED_COLUMNS + ACLED_OLDER_COLUMNS
    values = {name: csv_file.columns.get(name, [None] * count) for name in known}
    if not is_deletions:
        values["extra_columns"] = csv_readers.extra_columns(csv_file.header, csv_file.columns, count, known)
    return imported, _landed(table, file.source_file, digest, csv_file.row_numbers, values)


def _landed(table: str, source_file: str, digest: str, row_numbers: list[int], values: dict[str, Any]) -> pa.Table:
    """Rows as read, with their provenance, in the shape of the work table raw.incoming_`table`."""
    import pyarrow as pa

    count = len(row_numbers)
    provenance = {
        "source_file": pa.array([source_file] * count, pa.string()),
        "row_number": pa.array(row_numbers, pa.int64()),
        "file_sha256": pa.array([digest] * count, pa.string()),
    }
    return pa.table(provenance | {name: pa.array(column, pa.string()) for name, column in values.items()})


# GDELT names its files by their 15-minute slot and their kind; the zipped ones add ".zip".
GDELT_KINDS = {
    ".export.csv": ("gdelt_events", GDELT_EVENT_COLUMNS),
    ".mentions.csv": ("gdelt_mentions", GDELT_MENTION_COLUMNS),
}


def _unzip(data: bytes) -> bytes:
    """The one file a zip archive holds; FileProblem if it holds another number, or cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [member for member in archive.infolist() if not member.is_dir()]
            if len(members) != 1:
                raise FileProblem(f"file: a zip archive must hold one file (this one holds {len(members)})")
            if members[0].file_size > MAX_CSV_BYTES:
                size = members[0].file_size
                raise FileProblem(
                    f"file: too large unzipped ({size:,} bytes; a GDELT file may have at most {MAX_CSV_BYTES:,})"
                )
            return archive.read(members[0])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as error:
        raise FileProblem(f"file: not a readable zip archive ({error})") from error


def _read_gdelt_file(
    folder: Path, file: InputFile, imported_before: dict[str, tuple[str, str]]
) -> tuple[ImportedFile, pa.Table | None]:
    """One GDELT 2.0 events or mentions file, unzipped if zipped: one row per line, its fields split at tabs
    (GDELT quotes nothing); a line of another number of fields than the file's kind has is rejected."""
    name = file.name.lower().removesuffix(".zip")
    kind = next((kind for suffix, kind in GDELT_KINDS.items() if name.endswith(suffix)), None)
    if kind is None:
        reason = "file: not a GDELT 2.0 events or mentions file (named *.export.CSV or *.mentions.CSV, zipped or not)"
        return _rejected(file, "gdelt", reason)
    table, columns = kind
    data, digest, done = _read_or_reuse(folder, file, "gdelt", imported_before)
    if done is not None:
        return done, None
    try:
        content = _unzip(data) if file.name.lower().endswith(".zip") else data
    except FileProblem as problem:
        return _rejected(file, "gdelt", str(problem), digest)
    text, rejection = decode(Path(file.source_file), content, "gdelt")
    if rejection is not None or text is None:
        reason = rejection.reason if rejection else "file: empty file"
        return _rejected(file, "gdelt", reason, digest)
    imported = ImportedFile(file.source_file, "gdelt", table, digest)
    rows, numbers = _split_tab_lines(text, len(columns), file.source_file, table, imported.rejections)
    values: dict[str, Any] = {name: () for name in columns}
    if rows:
        values = dict(zip(columns, zip(*rows, strict=True), strict=True))
    return imported, _landed(table, file.source_file, digest, numbers, _blank_to_null(values))


def _split_tab_lines(
    text: str, width: int, source_file: str, table: str, rejections: list[Rejection]
) -> tuple[list[list[str]], list[int]]:
    """The lines of `text` split at tabs (blank lines skipped), with their line numbers; a line of another
    number of fields than `width` becomes a Rejection."""
    what = "a GDELT 2.0 event" if table == "gdelt_events" else "a GDELT 2.0 mention"
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != width:
            reason = f"row: has {len(fields)} tab-separated fields; {what} has {width}"
            rejections.append(Rejection("gdelt", source_file, number, reason, json.dumps(fields, ensure_ascii=False)))
            continue
        rows.append(fields)
        numbers.append(number)
    return rows, numbers


def _blank_to_null(values: dict[str, Any]) -> dict[str, list[str | None]]:
    return {name: [value if value.strip() else None for value in column] for name, column in values.items()}


# ---- Typing and checking -------------------------------------------------------------------------------------

# Only the documented forms are read (see sql/validate_extractions.sql): whole numbers are decimal digits with
# an optional minus sign, decimals digits with an optional point and exponent.
_WHOLE = "-?[0-9]+"
_DECIMAL = "[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?"


@dataclass(frozen=True)
class Column:
    """How one column of an imported file is typed and checked: `value` is its typed value from the trimmed
    string `v`; `problem`, when true of a non-blank value, rejects the row; `required` rejects a blank one."""

    name: str
    value: str = "v"
    problem: str | None = None
    what: str = ""  # what the value must be, for the reason: "a whole number"
    required: bool = False
    output: str | None = None  # the typed column's name, if not the input's


def _whole(
    name: str, required: bool = False, low: int | None = None, high: int | None = None, kind: str = "bigint"
) -> Column:
    bounds = " or ".join(
        f"try_cast(v as {kind}) {op} {bound}" for op, bound in (("<", low), (">", high)) if bound is not None
    )
    problem = f"not regexp_full_match(v, '{_WHOLE}') or try_cast(v as {kind}) is null" + (
        f" or {bounds}" if bounds else ""
    )
    what = "a whole number" + (f" from {low} to {high}" if low is not None and high is not None else "")
    what = what if low is None or high is not None else f"a whole number of at least {low}"
    return Column(
        name, f"try_cast(case when regexp_full_match(v, '{_WHOLE}') then v end as {kind})", problem, what, required
    )


def _decimal(name: str, limit: float | None = None, required: bool = False) -> Column:
    value = f"try_cast(case when regexp_full_match(v, '{_DECIMAL}') then v end as double)"
    problem = f"{value} is null or not isfinite({value})" + (f" or abs({value}) > {limit}" if limit else "")
    what = f"a number from -{limit:g} to {limit:g}" if limit else "a number"
    return Column(name, value, problem, what, required)


def _text(name: str, required: bool = False) -> Column:
    return Column(name, "v", None, "", required)


# ACLED's dates: ISO from its API, "16 May 2025" from its export tool, "16-May-25" in legacy files.
_ACLED_DATE = (
    "coalesce(try_strptime(v, '%Y-%m-%d'), try_strptime(v, '%d %B %Y'), try_strptime(v, '%d-%b-%y'), "
    "try_strptime(v, '%d %b %Y'))::date"
)
# An actor type as ACLED writes it now ("Rebel group"), or its number (older files): the current name.
_INTER = "(select inter_type from actor_types where v in (inter_code, lower(inter_type), lower(inter_type) || 's'))"
_INTER_PROBLEM = f"{_INTER.replace('v in', 'lower(v) in').replace('select inter_type', 'select count(*)')} = 0"


def _inter(name: str) -> Column:
    """An actor type column: older files write 0 for no actor (read as none)."""
    value = "case when v = '0' then null else " + _INTER.replace("v in", "lower(v) in") + " end"
    return Column(name, value, f"v <> '0' and {_INTER_PROBLEM}", "an ACLED actor type (State forces, ..., or 1-8)")


# ACLED's interaction as text, from its current text ("Rebel group-Civilians", "Protesters only") or its
# older number (27; 20 for a rebel group acting alone).
_INTERACTION = """
    case
        when regexp_full_match(v, '[1-8][0-8]') then
            (select inter_type from actor_types where inter_code = v[1])
            || case when v[2] = '0' then ' only'
                else '-' || (select inter_type from actor_types where inter_code = v[2]) end
        when lower(v) like '% only' then
            (select inter_type || ' only' from actor_types
             where lower(v) in (lower(inter_type) || ' only', lower(inter_type) || 's only'))
        else (
            select first.inter_type || '-' || second.inter_type
            from actor_types as first, actor_types as second
            where lower(v) = lower(first.inter_type) || '-' || lower(second.inter_type)
        )
    end
"""

ACLED_EVENT_CHECKS = (
    _text("event_id_cnty", required=True),
    Column("event_date", _ACLED_DATE, f"{_ACLED_DATE} is null", "a date (2025-05-16, 16 May 2025 or 16-May-25)", True),
    _whole("year", low=1900, high=2100, kind="integer"),
    _whole("time_precision", low=1, high=3, kind="integer"),
    _text("disorder_type"),
    Column("event_type", "v", "v not in (select event_type from event_types)", "an ACLED event type", True),
    Column("sub_event_type", "v", "v not in (select sub_event_type from event_types)", "an ACLED sub-event type", True),
    _text("actor1", required=True),
    _text("assoc_actor_1"),
    _inter("inter1"),
    _text("actor2"),
    _text("assoc_actor_2"),
    _inter("inter2"),
    Column(
        "interaction",
        _INTERACTION,
        f"({_INTERACTION}) is null",
        "an ACLED interaction (Rebel group-Civilians, Protesters only or 27)",
    ),
    _text("civilian_targeting"),
    _whole("iso", low=0, high=999, kind="integer"),
    *(_text(name) for name in ("region", "country", "admin1", "admin2", "admin3", "location")),
    _decimal("latitude", 90, required=True),
    _decimal("longitude", 180, required=True),
    _whole("geo_precision", low=1, high=3, kind="integer"),
    *(_text(name) for name in ("source", "source_scale", "notes")),
    _whole("fatalities", low=0, kind="integer"),
    _text("tags"),
    _whole("timestamp", low=0),
    *(_text(name) for name in ACLED_OLDER_COLUMNS),
)
ACLED_DELETION_CHECKS = (_text("event_id_cnty", required=True), _whole("deleted_timestamp", required=True, low=0))

_GDELT_TEXT = {"SOURCEURL", "EventCode", "EventBaseCode", "EventRootCode"}
GDELT_EVENT_CHECKS = (
    _whole("GLOBALEVENTID", required=True, low=0),
    Column(
        "SQLDATE",
        "try_strptime(v, '%Y%m%d')::date",
        "not regexp_full_match(v, '[0-9]{8}') or try_strptime(v, '%Y%m%d') is null",
        "a date as YYYYMMDD",
        True,
    ),
    _whole("MonthYear", kind="integer"),
    _whole("Year", kind="integer"),
    _decimal("FractionDate"),
    *(_text(name) for name in GDELT_EVENT_COLUMNS[5:25]),
    _whole("IsRootEvent", low=0, high=1, kind="integer"),
    Column("EventCode", "v", "v not in (select cameo_code from cameo_codes)", "a CAMEO event code", True),
    Column("EventBaseCode", "v", "v not in (select cameo_code from cameo_codes)", "a CAMEO event code"),
    Column("EventRootCode", "v", "v not in (select cameo_code from cameo_codes)", "a CAMEO root code"),
    _whole("QuadClass", low=1, high=4, kind="integer"),
    _decimal("GoldsteinScale", 10),
    _whole("NumMentions", low=0, kind="integer"),
    _whole("NumSources", low=0, kind="integer"),
    _whole("NumArticles", low=0, kind="integer"),
    _decimal("AvgTone", 100),
    *(
        check
        for geo in ("Actor1Geo", "Actor2Geo", "ActionGeo")
        for check in (
            _whole(f"{geo}_Type", low=0, high=5, kind="integer"),
            *(_text(f"{geo}_{name}") for name in ("FullName", "CountryCode", "ADM1Code", "ADM2Code")),
            _decimal(f"{geo}_Lat", 90),
            _decimal(f"{geo}_Long", 180),
            _text(f"{geo}_FeatureID"),
        )
    ),
    _whole("DATEADDED", low=0),
    _text("SOURCEURL"),
)
GDELT_MENTION_CHECKS = (
    _whole("GLOBALEVENTID", required=True, low=0),
    _whole("EventTimeDate", low=0),
    _whole("MentionTimeDate", required=True, low=0),
    _whole("MentionType", low=1, high=6, kind="integer"),
    _text("MentionSourceName"),
    _text("MentionIdentifier", required=True),
    _whole("SentenceID", kind="integer"),
    _whole("Actor1CharOffset", kind="integer"),
    _whole("Actor2CharOffset", kind="integer"),
    _whole("ActionCharOffset", kind="integer"),
    _whole("InRawText", low=0, high=1, kind="integer"),
    _whole("Confidence", low=0, high=100, kind="integer"),
    _whole("MentionDocLen", low=0, kind="integer"),
    _decimal("MentionDocTone", 100),
    _text("MentionDocTranslationInfo"),
    _text("Extras"),
)
CHECKS: dict[str, tuple[Column, ...]] = {
    "acled_events": ACLED_EVENT_CHECKS,
    "acled_deletions": ACLED_DELETION_CHECKS,
    "gdelt_events": GDELT_EVENT_CHECKS,
    "gdelt_mentions": GDELT_MENTION_CHECKS,
}
assert all(
    [check.name for check in CHECKS[table]]
    == [name for name, _ in IMPORT_LANDED_COLUMNS[table][3:]][: len(CHECKS[table])]
    for table in CHECKS
), "a check per landed column, in order"


def _on(template: str, column: str) -> str:
    """A check's SQL template with its value `v` replaced by `column`."""
    return re.sub(r"\bv\b", column, template)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def validation_sql(table: str) -> str:
    """A query typing and checking the rows of the work table raw.incoming_`table`: the provenance, each
    column typed, `extra_columns` (ACLED), `rejection_reasons` (empty when the row is accepted; each names its
    field, then says what is wrong) and `raw_record` (the row as read, as JSON). Reads the reference tables
    raw.cameo_codes, raw.ref_acled_event_types and raw.ref_acled_actor_types."""
    checks = CHECKS[table]
    trimmed = ",\n        ".join(
        f"nullif(trim(regexp_replace(\"{c.name}\", '[\\x00]', '', 'g')), '') as \"{c.name}\"" for c in checks
    )
    typed, reasons = [], []
    for check in checks:
        column = f'trimmed."{check.name}"'
        typed.append(f'{_on(check.value, column)} as "{check.name}"')
        if check.required:
            reasons.append(f"case when {column} is null then {_sql_string(check.name + ': missing')} end")
        if check.problem:
            shown = f"'{check.name}: ''' || left({column}, 60) || ''' is not {check.what}'"
            reasons.append(f"case when {column} is not null and ({_on(check.problem, column)}) then {shown} end")
    raw_record = ", ".join(f'{_sql_string(c.name)}: landed."{c.name}"' for c in checks)
    extra = ", landed.extra_columns" if table == "acled_events" else ""
    return f"""
    with
    actor_types as (select inter_code, inter_type from raw.ref_acled_actor_types),
    event_types as (select event_type, sub_event_type from raw.ref_acled_event_types),
    cameo_codes as (select cameo_code from raw.cameo_codes),
    landed as (select * from raw.{_work_table(table)}),
    trimmed as (
        select
        source_file, row_number, file_sha256,
        {trimmed}{extra},
        to_json({{{raw_record}}}) as raw_record
        from landed
    )
    select
        source_file, row_number, file_sha256,
        {", ".join(typed)}{", extra_columns" if extra else ""},
        list_filter([{", ".join(reasons)}], reason -> reason is not null) as rejection_reasons,
        raw_record
    from trimmed
    """


# ---- Recording, in the load's transaction ------------------------------------------------------------------


def _names_table(con: duckdb.DuckDBPyConnection, name: str, values: list[str]) -> None:
    import pyarrow as pa

    con.register("names", pa.table({"source_file": pa.array(values, pa.string())}))
    con.execute(f"create or replace temp table {name} as select * from names")
    con.unregister("names")


def keep_rejections(con: duckdb.DuckDBPyConnection, files: list[ImportedFile]) -> None:
    """Keep aside the rejections of the imported files not read again (ImportedFile.unchanged), in the work
    table kept_import_rejections, before the load records its verdicts (which may empty raw.rejected_rows)."""
    _names_table(con, "unchanged_imported_files", [f.source_file for f in files if f.unchanged])
    if raw_tables.columns(con, "rejected_rows") == [name for name, _ in raw_tables.COLUMNS["rejected_rows"]]:
        con.execute(
            f"""
            create or replace temp table kept_import_rejections as
            select * from raw.rejected_rows
            where input_kind in {IMPORT_FOLDERS} and source_file in (select source_file from unchanged_imported_files)
            """
        )
    else:
        columns = ", ".join(f"{name} {kind}" for name, kind in raw_tables.COLUMNS["rejected_rows"])
        con.execute(f"create or replace temp table kept_import_rejections ({columns})")


def record_imports(
    con: duckdb.DuckDBPyConnection, files: list[ImportedFile], reader: str, run_id: str, loaded_at: datetime
) -> tuple[int, int]:
    """Type and check the rows landed in the work tables (validation_sql) into raw.acled_events,
    raw.acled_deletions, raw.gdelt_events and raw.gdelt_mentions, where the rows of the unchanged files stay;
    put every rejection of an imported file in raw.rejected_rows (after the load's own verdicts: see
    keep_rejections); record the files read in raw.imported_files. Returns (rows accepted, rows rejected) over
    every imported file. Drops the work tables."""
    from eventdw.ingest.validation import rejection_rows

    keeps_rows = any(f.unchanged for f in files)
    for table in IMPORT_TABLES:
        con.execute(f"create or replace temp table validated as {validation_sql(table)}")
        accepted = (
            "select * exclude (rejection_reasons, raw_record), ? as loaded_at from validated "
            "where len(rejection_reasons) = 0"
        )
        if keeps_rows and raw_tables.columns(con, table):
            con.execute(
                f"delete from raw.{table} where source_file not in (select source_file from unchanged_imported_files)"
            )
            con.execute(f"insert into raw.{table} by name {accepted}", [loaded_at])
        else:
            con.execute(f"create or replace table raw.{table} as {accepted}", [loaded_at])
        con.execute(
            """
            insert into kept_import_rejections by name
            select source_file, row_number, array_to_string(rejection_reasons, '; ') as reason,
                case when source_file like 'acled/%' then 'acled' else 'gdelt' end as input_kind, raw_record
            from validated
            where len(rejection_reasons) > 0
            """
        )
        con.execute("drop table validated")
        con.execute(f"drop table raw.{_work_table(table)}")
    without = ("run_id", "rejected_at")
    read_rejections = [r for f in files if not f.unchanged for r in f.rejections]
    con.register(
        "read_rejections",
        raw_tables.arrow(rejection_rows(read_rejections), raw_tables.arrow_schema("rejected_rows", without)),
    )
    con.execute("insert into kept_import_rejections by name select * from read_rejections")
    con.unregister("read_rejections")
    con.execute(f"delete from raw.rejected_rows where input_kind in {IMPORT_FOLDERS}")
    con.execute(
        """
        insert into raw.rejected_rows by name
        select * exclude (run_id, rejected_at), coalesce(run_id, ?) as run_id, coalesce(rejected_at, ?) as rejected_at
        from kept_import_rejections
        order by source_file, row_number nulls first
        """,
        [run_id, loaded_at],
    )
    read = [
        {"source_file": f.source_file, "input_kind": f.table, "file_sha256": f.file_sha256, "read_by": reader}
        for f in files
        if f.table is not None
    ]
    raw_tables.replace(con, "imported_files", raw_tables.arrow(read, raw_tables.arrow_schema("imported_files")))
    (accepted_rows,) = con.execute(
        " + ".join(f"(select count(*) from raw.{table})" for table in IMPORT_TABLES).join(["select ", ""])
    ).fetchone() or (0,)
    (rejected_rows,) = con.execute(
        f"select count(*) from raw.rejected_rows where input_kind in {IMPORT_FOLDERS} and row_number is not null"
    ).fetchone() or (0,)
    con.execute("drop table kept_import_rejections")
    con.execute("drop table unchanged_imported_files")
    return int(accepted_rows), int(rejected_rows)
