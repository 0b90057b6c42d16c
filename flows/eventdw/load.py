"""Land the inputs in the warehouse's `raw` schema, with provenance, in one transaction.

`raw` always mirrors the current input folder: a run replaces it whole, so running twice on the same
inputs leaves the same tables. Every input row ends in `raw.extractions` (accepted) or in
`raw.rejected_rows` (with a reason naming the field); whole files that cannot be read are rejected
there too.

The files are first read into two work tables, `raw.incoming_articles` and `raw.incoming_extractions`,
committed as they fill: DuckDB holds a transaction's small appends in memory until it commits, so
landing ten million rows inside the transaction would hold them all in memory. The transaction then
swaps the articles in (a rename), validates the extractions into `raw.extractions` and
`raw.rejected_rows`, and keeps the rows as read in `raw.landed_extractions`. A load killed before it
commits leaves `raw` as the last load left it (and perhaps the work tables, which the next load
replaces). Files unchanged since the last load are not read or parsed again: their rows are copied
from `raw.articles` and `raw.landed_extractions`. Nor are their rows validated again when nothing a
verdict depends on changed (see _forget_verdicts_to_revise): those keep their place in `raw.extractions`
or `raw.rejected_rows` (and their `loaded_at`, `run_id`: the load that validated them), and the tables
end as a first load of the same inputs would leave them.
"""

from __future__ import annotations

import csv
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw import inputs, reference, reference_checks
from eventdw.reference import REFERENCE_FILES

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


class InputError(Exception):
    """An input problem that stops the run (a reference file missing or unreadable)."""


@dataclass(frozen=True)
class LoadSummary:
    """What one load put in `raw`."""

    run_id: str
    articles_loaded: int
    extraction_rows_read: int
    extraction_rows_accepted: int
    rejected_rows: int
    extraction_rows_validated: int  # rows validated by this load; the others kept the last load's verdict


def _arrow(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=schema)


def _replace(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    con.register("incoming", data)
    con.execute(f"create or replace table {table} as select * from incoming")
    con.unregister("incoming")


def _append(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    con.register("incoming", data)
    con.execute(f"insert into {table} by name select * from incoming")  # columns it lacks take their default
    con.unregister("incoming")


def _string_schema(columns: list[str]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in columns])


def _read_reference_csv(reference_dir: Path, name: str, required: tuple[str, ...]) -> list[dict[str, str | None]]:
    """The rows of one curated reference file (with "_row_number"); InputError if it is missing or malformed."""
    path = reference_dir / f"{name}.csv"
    if not path.exists():
        raise InputError(f"reference file {path} is missing")
    csv_file = inputs.read_csv_file(path, required, "reference")
    if csv_file.rejections:
        problem = csv_file.rejections[0]
        where = f" row {problem.row_number}" if problem.row_number else ""
        raise InputError(f"reference file {path}{where}: {problem.reason}")
    return csv_file.rows


def check_reference(reference_dir: Path) -> dict[str, list[dict[str, str | None]]]:
    """The curated reference files' rows by name; InputError, naming the file and row, if one is missing,
    malformed or contradicts itself (eventdw.reference_checks)."""
    files = {name: _read_reference_csv(reference_dir, name, required) for name, required in REFERENCE_FILES.items()}
    if contradictions := reference_checks.reference_contradictions(files):
        more = f" (and {len(contradictions) - 1} more)" if len(contradictions) > 1 else ""
        raise InputError(f"reference file {reference_dir / contradictions[0]}{more}")
    return files


def reference_tables(reference_dir: Path) -> dict[str, pa.Table]:
    """The reference tables by name in `raw`: CAMEO codes, GeoNames places, ISO regions, and the curated
    CSVs of `seeds/reference/` (InputError if one is missing or malformed)."""
    import pyarrow as pa

    tables = {}
    tables["cameo_codes"] = _arrow(
        reference.cameo_codes(),
        pa.schema([("cameo_code", pa.string()), ("cameo_name", pa.string()), ("goldstein_scale", pa.float64())]),
    )
    places, names, countries = reference.geonames_places()
    tables["geonames_places"] = _arrow(
        places,
        pa.schema(
            [
                ("geonames_id", pa.int64()),
                ("place_name", pa.string()),
                ("country_iso2", pa.string()),
                ("admin1_code", pa.string()),
                ("latitude", pa.float64()),
                ("longitude", pa.float64()),
                ("population", pa.int64()),
            ]
        ),
    )
    tables["geonames_place_names"] = _arrow(names, pa.schema([("geonames_id", pa.int64()), ("name", pa.string())]))
    tables["geonames_countries"] = _arrow(
        countries,
        pa.schema(
            [
                ("country_iso2", pa.string()),
                ("country_iso3", pa.string()),
                ("country_iso_numeric", pa.int64()),
                ("country_name", pa.string()),
                ("geonames_id", pa.int64()),
                ("capital_name", pa.string()),
                ("capital_latitude", pa.float64()),
                ("capital_longitude", pa.float64()),
            ]
        ),
    )
    tables["iso_regions"] = _arrow(
        reference.iso_regions(), _string_schema(["iso_3166_2", "country_iso2", "region_name", "region_type"])
    )
    tables["country_names"] = _arrow(reference.country_names(), _string_schema(["name", "country_iso2"]))
    for name, rows in check_reference(reference_dir).items():
        columns = [column for column in rows[0] if column != "_row_number"] if rows else list(REFERENCE_FILES[name])
        tables[f"ref_{name}"] = _arrow([{c: row.get(c) for c in columns} for row in rows], _string_schema(columns))
    return tables


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    """Replace the reference tables in `raw` (see reference_tables)."""
    for name, data in reference_tables(reference_dir).items():
        _replace(con, f"raw.{name}", data)


def _rejection_rows(rejections: list[inputs.Rejection]) -> list[dict[str, Any]]:
    return [
        {
            "input_kind": r.input_kind,
            "source_file": r.source_file,
            "row_number": r.row_number,
            "reason": r.reason,
            "raw_record": r.raw_record,
        }
        for r in rejections
    ]


def _extra_columns(header: list[str], columns: dict[str, list[str | None]], count: int) -> list[str | None]:
    """Each of `count` rows' values in the columns of `header` beyond ours, as JSON (None if it has none)."""
    extras = sorted(name for name in header if name not in inputs.EXTRACTION_COLUMNS)
    if not extras:
        return [None] * count
    return [
        json.dumps({name: columns[name][index] for name in extras}, ensure_ascii=False, separators=(",", ":"))
        for index in range(count)
    ]


def _landed_extractions(csv_file: inputs.CsvFile) -> pa.Table:
    """One extraction file's rows as read (strings), with their provenance; columns the file lacks are null,
    columns it has beyond ours are kept as JSON in extra_columns."""
    import pyarrow as pa

    count = len(csv_file.row_numbers)
    extra_columns = _extra_columns(csv_file.header, csv_file.columns, count)
    return pa.table(
        {
            "source_file": pa.array([csv_file.source_file] * count, pa.string()),
            "row_number": pa.array(csv_file.row_numbers, pa.int64()),
            "file_sha256": pa.array([csv_file.file_sha256] * count, pa.string()),
            **{
                name: pa.array(csv_file.columns.get(name, [None] * count), pa.string())
                for name in inputs.EXTRACTION_COLUMNS
            },
            "extra_columns": pa.array(extra_columns, pa.string()),
        }
    )


VALIDATE_SQL = "sql/validate_extractions.sql"  # reads the work view rows_to_validate

# raw.landed_extractions: every extraction row as read (strings), with its provenance and the loader's hash.
LANDED_COLUMNS = ["source_file", "row_number", "file_sha256", *inputs.EXTRACTION_COLUMNS, "extra_columns", "read_by"]


@cache
def _loader_fingerprint() -> str:
    """A hash of the code that turns input files into raw rows (the file readers, the article parser, this
    module and the validation): rows kept from a load by other code are read, parsed and validated again."""
    files = ("articles.py", "inputs.py", "load.py", "quotes.py", VALIDATE_SQL)
    code = b"".join((Path(__file__).parent / name).read_bytes() for name in files)
    return inputs.sha256_hex(code)


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """The Python functions the validation calls: where a quote lies in its article (eventdw.quotes)."""
    from duckdb.func import SPECIAL

    from eventdw import quotes

    def find_quote(text: str | None, quote: str | None) -> list[int] | None:
        span = quotes.find_quote(text, quote) if text is not None and quote is not None else None
        return list(span) if span else None

    (registered,) = con.execute(
        "select count(*) from duckdb_functions() where function_name = 'eventdw_find_quote'"
    ).fetchone() or (0,)
    if not registered:
        con.create_function(
            "eventdw_find_quote",
            find_quote,
            ["VARCHAR", "VARCHAR"],
            "BIGINT[]",
            null_handling=SPECIAL,  # it returns None: not in the article
            side_effects=False,
        )
        con.create_function(
            "eventdw_quote_mismatch", quotes.quote_mismatch, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=False
        )


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of raw.`table` in order (none if there is no such table)."""
    query = (
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position"
    )
    return [name for (name,) in con.execute(query, [table]).fetchall()]


APPEND_ROWS = 250_000  # rows appended at a time: two full row groups, which DuckDB writes past its log


def _land_extractions(
    con: duckdb.DuckDBPyConnection, extractions_dir: Path
) -> tuple[list[inputs.CsvFile], list[str]]:
    """Read the extraction files into the work table raw.incoming_extractions, in name order; the files as
    read, without their values, after the entries rejected unread (see inputs.scan_folder). A thread reads
    the next file while this one's rows are appended, and the rows are appended APPEND_ROWS or so at a time
    (memory holds a few files' values at most). A file that the last load read whole (every row landed, none
    rejected by the reader) and that is unchanged since is copied from raw.landed_extractions, which keeps
    that load's rows as read, instead of read again; those files' names are returned with the files, and
    left in the work table unchanged_extraction_files."""
    import pyarrow as pa

    landed_before = _files_landed_before(con)
    types = {"row_number": "bigint", "read_by": f"varchar default '{_loader_fingerprint()}'"}
    con.execute(
        "create or replace table raw.incoming_extractions ("
        + ", ".join(f"{name} {types.get(name, 'varchar')}" for name in LANDED_COLUMNS)
        + ")"
    )
    unchanged: list[str] = []
    waiting: list[pa.Table] = []

    def append() -> None:
        if waiting:
            _append(con, "raw.incoming_extractions", pa.concat_tables(waiting))
            waiting.clear()

    found, rejections = inputs.scan_folder(extractions_dir, ".csv", "extraction")
    files = [inputs.CsvFile(r.source_file, None, rejections=[r]) for r in rejections]
    calls = [(extractions_dir, file, landed_before) for file in found]
    with ThreadPoolExecutor(1) as reader:
        for csv_file, landed in inputs.map_ahead(reader, _read_extraction_file, calls, 2):
            files.append(csv_file)
            if landed is None:
                unchanged.append(csv_file.source_file)
            elif landed.num_rows:
                waiting.append(landed)
                if sum(table.num_rows for table in waiting) >= APPEND_ROWS:
                    append()
        append()
    con.register("unchanged_files", pa.table({"source_file": pa.array(unchanged, pa.string())}))
    con.execute("create or replace temp table unchanged_extraction_files as select * from unchanged_files")
    con.unregister("unchanged_files")
    if unchanged:
        con.execute(
            "insert into raw.incoming_extractions select * from raw.landed_extractions "
            "where source_file in (select source_file from unchanged_extraction_files)"
        )
    return files, unchanged


def _read_extraction_file(
    extractions_dir: Path, file: inputs.InputFile, landed_before: dict[str, str]
) -> tuple[inputs.CsvFile, pa.Table | None]:
    """One extraction file: the file as read (without its values) and its rows as raw.incoming_extractions
    holds them; no rows (None) if it is unchanged since the last load read it whole (see _land_extractions)."""
    path, identity = file.path(extractions_dir), (file.device, file.inode)
    try:
        data, status = inputs.read_regular_file(path, inputs.MAX_CSV_BYTES, "an extraction file", identity)
    except inputs.FileProblem as problem:
        unread = inputs.CsvFile(file.source_file, None, rejections=[_file_rejection(file, str(problem))])
        return unread, _landed_extractions(unread)  # no rows
    digest = inputs.sha256_hex(data)
    if landed_before.get(file.source_file) == digest:
        return inputs.CsvFile(file.source_file, digest), None
    header = inputs.plain_csv_header(data, inputs.EXTRACTION_REQUIRED)
    landed = _read_plain_csv(Path(path), data, file.source_file, digest, header) if header else None
    if header and landed is not None and _same_file(path, status):  # DuckDB read the bytes checked
        return inputs.CsvFile(file.source_file, digest, header), landed.cast(_landed_schema())
    csv_file = inputs.read_csv_file(extractions_dir / file.name, inputs.EXTRACTION_REQUIRED, "extraction", data)
    landed = _landed_extractions(csv_file)
    csv_file.columns, csv_file.row_numbers = {}, []
    return csv_file, landed


def _file_rejection(file: inputs.InputFile, reason: str) -> inputs.Rejection:
    return inputs.Rejection("extraction", file.source_file, None, reason)


def _same_file(path: str, status: os.stat_result) -> bool:
    """Whether the file at `path` is still the one whose status was `status`, unwritten since."""
    try:
        now = os.stat(path)
    except OSError:
        return False
    fields = ("st_dev", "st_ino", "st_size", "st_mtime_ns", "st_ctime_ns")
    return all(getattr(now, name) == getattr(status, name) for name in fields)


@cache
def _landed_schema() -> pa.Schema:
    """The Arrow schema of the rows as read (LANDED_COLUMNS less read_by, which the table fills in)."""
    import pyarrow as pa

    return pa.schema([(name, pa.int64() if name == "row_number" else pa.string()) for name in LANDED_COLUMNS[:-1]])


def _files_landed_before(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Source file -> hash of the extraction files whose rows raw.landed_extractions keeps, as read by this
    version of the loader (none if the table is missing or has other columns)."""
    if _columns(con, "landed_extractions") != LANDED_COLUMNS:
        return {}
    query = "select distinct source_file, file_sha256 from raw.landed_extractions where read_by = ?"
    return dict(con.execute(query, [_loader_fingerprint()]).fetchall())


def _read_plain_csv(path: str | Path, data: bytes, source_file: str, digest: str, header: list[str]) -> pa.Table | None:
    """A plain CSV file's rows (see inputs.plain_csv_header: `data` is its bytes, `source_file` its name in
    provenance, `digest` its hash, `header` its columns) as read by DuckDB's CSV reader: the same rows, row
    numbers and values as inputs.read_csv_file gives, about ten times faster. None where they could differ:
    DuckDB finds the file malformed (a row with another number of fields than the header), reads another
    number of rows than the file has records, or values that do not account for each byte of the file once
    (see _bytes_unaccounted_for), or a field longer than Python's reader takes."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in header) + "}"  # names are identifiers
    try:
        # A separate in-memory connection: a failed statement would abort the load's transaction. Strict mode
        # with the line end left to DuckDB: given "\r\n", DuckDB 1.5.5's strict mode reads no rows at all.
        with duckdb.connect() as reader:
            read = reader.execute(
                f"""
                select * from read_csv(?, header = true, auto_detect = false, columns = {columns}, delim = ',',
                                       quote = '"', escape = '"', strict_mode = true, parallel = false)
                """,
                [str(path)],
            ).to_arrow_table()
    except duckdb.Error:
        return None
    count, limit = read.num_rows, csv.field_size_limit()
    if count != inputs.count_csv_records(data) or _bytes_unaccounted_for(data, read):
        return None
    values: dict[str, pa.ChunkedArray] = {}
    blank_row: pa.ChunkedArray | None = None
    for name, column in zip(header, read.columns, strict=True):
        # A field of more characters than Python's reader takes ("field larger than field limit") has at
        # least as many bytes: only then are its characters counted.
        longest = pc.max(pc.binary_length(column)).as_py() or 0
        if longest > limit and pc.max(pc.utf8_length(column)).as_py() > limit:
            return None
        blank = pc.fill_null(pc.match_substring_regex(column, inputs.blank_value_pattern()), True)
        values[name] = pc.if_else(blank, pa.scalar(None, pa.string()), column.cast(pa.string()))
        blank_row = blank if blank_row is None else pc.and_(blank_row, blank)
    extras = [name for name in header if name not in inputs.EXTRACTION_COLUMNS]
    extra_values = {name: values[name].to_pylist() for name in extras}
    landed = pa.table(
        {
            "source_file": pa.array([source_file] * count, pa.string()),
            "row_number": pa.array(range(2, count + 2), pa.int64()),  # the header is row 1
            "file_sha256": pa.array([digest] * count, pa.string()),
            **{
                name: values[name] if name in values else pa.nulls(count, pa.string())
                for name in inputs.EXTRACTION_COLUMNS
            },
            "extra_columns": pa.array(_extra_columns(header, extra_values, count), pa.string()),
        }
    )
    return landed.filter(pc.invert(blank_row))  # a row of blank values is a blank line: numbered, skipped


def _bytes_unaccounted_for(data: bytes, read: pa.Table) -> int:
    """How many bytes of a plain CSV file (see inputs.plain_csv_header) the values a reader read from it do
    not account for (0 when it read each record as that many fields, each byte of its values once). Each
    record after the header is its values, a comma between two, a line end (but perhaps the last), and for
    a quoted field its two quotes and one more for each quote in it, doubled: in all, the file's quotes
    less those in the values. DuckDB's strict mode takes a line's trailing comma as the end of its fields."""
    import pyarrow.compute as pc

    rows = read.num_rows
    line_end = 2 if b"\r\n" in data else 1
    header_end = data.find(b"\n")
    body = len(data) - header_end - 1 if header_end >= 0 else 0
    line_ends = rows - (not data.endswith(b"\n")) if rows else 0
    accounted = rows * (read.num_columns - 1) + line_ends * line_end
    quotes = quotes_around = data.count(b'"')
    for column in read.columns:
        accounted += pc.sum(pc.binary_length(column)).as_py() or 0
        if quotes:
            quotes_around -= pc.sum(pc.count_substring(column, '"')).as_py() or 0
    return body - accounted - quotes_around


ARTICLE_BATCH = 20_000  # articles held in memory at a time


def _land_articles(
    con: duckdb.DuckDBPyConnection, articles_dir: Path, loaded_at: datetime
) -> tuple[list[tuple[str, str]], list[inputs.Rejection]]:
    """Parse the article files into the work table raw.incoming_articles, a batch at a time; (source file,
    hash) of each article landed, and the files rejected whole. An article that raw.articles holds with the
    same file hash, or the same file signature (inputs.file_signature), parsed by the same parser, is copied
    from there instead of parsed again."""
    import pyarrow as pa

    schema = pa.schema(
        [
            ("article_id", pa.string()),
            ("source_file", pa.string()),
            ("file_sha256", pa.string()),
            ("file_signature", pa.string()),
            ("raw_text", pa.string()),
            ("title", pa.string()),
            ("published_date_source", pa.string()),
            ("published_date", pa.date32()),
            ("body_start", pa.int64()),
            ("body_end", pa.int64()),
            ("dateline", pa.string()),
            ("loaded_at", pa.timestamp("us")),
            ("parsed_by", pa.string()),
        ]
    )
    parser = _loader_fingerprint()
    parsed_before = _articles_parsed_before(con, schema.names)
    _replace(con, "raw.incoming_articles", schema.empty_table())
    unchanged: list[inputs.UnchangedArticle] = []
    landed: list[tuple[str, str]] = []
    rejections: list[inputs.Rejection] = []
    batch: list[inputs.Article] = []

    def insert() -> None:
        data = {
            "article_id": [a.article_id for a in batch],
            "source_file": [a.source_file for a in batch],
            "file_sha256": [a.file_sha256 for a in batch],
            "file_signature": [a.file_signature for a in batch],
            "raw_text": [a.raw_text for a in batch],
            "title": [a.title for a in batch],
            "published_date_source": [a.published_date_source for a in batch],
            "published_date": [date.fromisoformat(a.published_date) if a.published_date else None for a in batch],
            "body_start": [a.body_start for a in batch],
            "body_end": [a.body_end for a in batch],
            "dateline": [a.dateline for a in batch],
            "loaded_at": [loaded_at] * len(batch),
            "parsed_by": [parser] * len(batch),
        }
        _append(con, "raw.incoming_articles", pa.table(data, schema=schema))
        batch.clear()

    for item in inputs.iter_articles(articles_dir, parsed_before, workers=os.cpu_count() or 1):
        if isinstance(item, inputs.Rejection):
            rejections.append(item)
            continue
        landed.append((item.source_file, item.file_sha256))
        if isinstance(item, inputs.UnchangedArticle):
            unchanged.append(item)
            continue
        batch.append(item)
        if len(batch) >= ARTICLE_BATCH:
            insert()
    insert()
    if unchanged:
        unchanged_articles = pa.table(
            {
                "article_id": pa.array([a.article_id for a in unchanged], pa.string()),
                "file_signature": pa.array([a.file_signature for a in unchanged], pa.string()),
            }
        )
        con.register("unchanged_articles", unchanged_articles)
        con.execute(
            """
            insert into raw.incoming_articles by name
            select articles.* replace (? as loaded_at, unchanged_articles.file_signature as file_signature)
            from raw.articles as articles
            inner join unchanged_articles on unchanged_articles.article_id = articles.article_id
            """,
            [loaded_at],
        )
        con.unregister("unchanged_articles")
    return landed, rejections


def _articles_parsed_before(con: duckdb.DuckDBPyConnection, columns: list[str]) -> dict[str, tuple[str, str | None]]:
    """Article id -> (file hash, file signature) of the articles in raw.articles parsed by this version of the
    loader (none if there is no raw.articles, or it has other `columns` than this version writes)."""
    if _columns(con, "articles") != columns:
        return {}
    query = "select article_id, file_sha256, file_signature from raw.articles where parsed_by = ?"
    return {row[0]: (row[1], row[2]) for row in con.execute(query, [_loader_fingerprint()]).fetchall()}


# The reference tables the validation reads: the CAMEO codes, ACLED's sub-event types, the country names.
VALIDATION_REFERENCES = ("cameo_codes", "ref_acled_event_types", "country_names")


def _validation_references_unchanged(con: duckdb.DuckDBPyConnection, references: dict[str, pa.Table]) -> bool:
    """Whether the reference tables the validation reads (VALIDATION_REFERENCES) are the ones in `raw` now,
    which the last load validated against."""
    for name in VALIDATION_REFERENCES:
        if _columns(con, name) != references[name].column_names:
            return False
        if not con.execute(f"select * from raw.{name}").to_arrow_table().equals(references[name]):
            return False
    return True


def _last_load_intact(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether raw.extractions and raw.rejected_rows still account for every row the last load read (a row
    deleted or added by hand since, say, would not be): only then are their verdicts kept. Values edited in
    place are beyond this check: raw is the loader's to write."""
    last = con.execute("select extraction_rows_read from raw.load_runs order by loaded_at desc limit 1").fetchone()
    (accounted,) = con.execute(
        """
        select (select count(*) from raw.extractions)
            + (select count(*) from raw.rejected_rows where input_kind = 'extraction' and row_number is not null)
        """
    ).fetchone() or (None,)
    return last is not None and last[0] == accounted


def _forget_verdicts_to_revise(con: duckdb.DuckDBPyConnection) -> None:
    """Delete from raw.extractions and raw.rejected_rows the last load's verdicts that may not hold now, and
    point the work view rows_to_validate at the rows to validate again: those of the files not in
    unchanged_extraction_files (see _land_extractions), and those about the articles in articles_to_revise.

    A row's verdict is a function of the row, its article (the text its quote must be in, the date its
    event must not follow), the reference tables and the other valid rows about the same article (the
    duplicate rule). So a verdict is kept when the row's file is unchanged and its article is not one
    whose file was added, changed or removed, nor one that a row of a changed or removed file is about.
    Rejections of whole files are always made again. Runs before `raw.articles` is replaced."""
    con.execute(
        """
        create or replace temp table articles_to_revise as
        select article_id from (
            (select article_id, file_sha256, parsed_by from raw.articles
             except select article_id, file_sha256, parsed_by from raw.incoming_articles)
            union all
            (select article_id, file_sha256, parsed_by from raw.incoming_articles
             except select article_id, file_sha256, parsed_by from raw.articles)
        )
        union
        select trim(article_id) from raw.incoming_extractions
        where source_file not in (select source_file from unchanged_extraction_files)
        union
        select article_id from raw.extractions
        where source_file not in (select source_file from unchanged_extraction_files)
        union
        select article_id from rejected_article_files
        """
    )
    con.execute(
        """
        delete from raw.extractions
        where source_file not in (select source_file from unchanged_extraction_files)
            or article_id in (select article_id from articles_to_revise)
        """
    )
    con.execute(
        """
        delete from raw.rejected_rows
        where input_kind <> 'extraction' or row_number is null
            or source_file not in (select source_file from unchanged_extraction_files)
            or trim(raw_record ->> 'article_id') in (select article_id from articles_to_revise)
        """
    )
    con.execute(
        """
        create or replace temp view rows_to_validate as
        select * from raw.incoming_extractions
        where source_file not in (select source_file from unchanged_extraction_files)
            or trim(article_id) in (select article_id from articles_to_revise)
        """
    )


def _check_folders(seeds_dir: Path) -> None:
    for folder in ("articles", "extractions", "reference"):
        path = seeds_dir / folder
        if not path.is_dir():
            raise InputError(f"{path} is not a folder (expected seeds/articles, extractions, reference)")
        try:
            with os.scandir(path):
                pass
        except OSError as error:
            raise InputError(f"{path} cannot be listed ({error.strerror})") from error


def check_inputs(seeds_dir: Path) -> None:
    """InputError, in one line, if `seeds_dir` lacks a folder or its reference files are missing, malformed
    or contradict themselves: what a run checks before anything slow starts."""
    _check_folders(seeds_dir)
    check_reference(seeds_dir / "reference")


def _stage_rejected_articles(con: duckdb.DuckDBPyConnection, rejections: list[inputs.Rejection]) -> None:
    """The work table rejected_article_files: the article id and reason of each article file rejected whole,
    so that a row about it says the article was rejected and why, not that there is no such article."""
    import pyarrow as pa

    rejected = [r for r in rejections if r.source_file.lower().endswith(".txt") and r.source_file.count("/") == 1]
    data = pa.table(
        {
            "article_id": pa.array([inputs.article_id(r.source_file.split("/", 1)[1]) for r in rejected], pa.string()),
            "source_file": pa.array([r.source_file for r in rejected], pa.string()),
            "reason": pa.array([r.reason for r in rejected], pa.string()),
        }
    )
    con.register("rejected_articles", data)
    con.execute("create or replace temp table rejected_article_files as select * from rejected_articles")
    con.unregister("rejected_articles")


def load_inputs(con: duckdb.DuckDBPyConnection, seeds_dir: Path, run_id: str) -> LoadSummary:
    """Replace `raw` with what `seeds_dir` holds now: reference data, articles, extractions."""
    import pyarrow as pa

    _check_folders(seeds_dir)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)

    references = reference_tables(seeds_dir / "reference")
    con.execute("create schema if not exists raw")
    extraction_files, unchanged_files = _land_extractions(con, seeds_dir / "extractions")
    landed_articles, article_rejections = _land_articles(con, seeds_dir / "articles", loaded_at)
    _stage_rejected_articles(con, article_rejections)
    con.execute("begin transaction")
    try:
        # The last load's verdicts hold for the rows whose inputs are unchanged (see _forget_verdicts_to_revise).
        keep_verdicts = (
            bool(unchanged_files) and _validation_references_unchanged(con, references) and _last_load_intact(con)
        )
        if keep_verdicts:
            _forget_verdicts_to_revise(con)
        else:
            con.execute("create or replace temp view rows_to_validate as select * from raw.incoming_extractions")
        for name, data in references.items():
            _replace(con, f"raw.{name}", data)
        con.execute("drop table if exists raw.articles")
        con.execute("alter table raw.incoming_articles rename to articles")
        _register_functions(con)
        validate_sql = resources.files("eventdw").joinpath(VALIDATE_SQL).read_text()
        con.execute(f"create or replace table raw.validated_extractions as {validate_sql}")
        (landed,) = con.execute("select count(*) from raw.incoming_extractions").fetchone() or (0,)
        (validated,) = con.execute("select count(*) from raw.validated_extractions").fetchone() or (0,)
        con.execute("drop view rows_to_validate")
        con.execute("drop table if exists unchanged_extraction_files")
        con.execute("drop table if exists articles_to_revise")
        con.execute("drop table if exists rejected_article_files")
        # The rows as read are kept for the next load, but only of the files read whole (see _land_extractions).
        partly_rejected = sorted({f.source_file for f in extraction_files if f.rejections})
        con.execute("delete from raw.incoming_extractions where list_contains(?, source_file)", [partly_rejected])
        con.execute("drop table if exists raw.landed_extractions")
        con.execute("alter table raw.incoming_extractions rename to landed_extractions")
        file_rejections = _rejection_rows(article_rejections + [r for f in extraction_files for r in f.rejections])
        con.register(
            "file_rejections",
            _arrow(
                file_rejections,
                pa.schema(
                    [
                        ("input_kind", pa.string()),
                        ("source_file", pa.string()),
                        ("row_number", pa.int64()),
                        ("reason", pa.string()),
                        ("raw_record", pa.string()),
                    ]
                ),
            ),
        )
        accepted_sql = """
            select * exclude (rejection_reasons, raw_record), ? as loaded_at
            from raw.validated_extractions
            where len(rejection_reasons) = 0
        """
        rejected_sql = """
            select source_file, row_number, reason, input_kind, raw_record, ? as run_id, ? as rejected_at
            from (
                select source_file, row_number, reason, input_kind, raw_record from file_rejections
                union all
                select source_file, row_number, array_to_string(rejection_reasons, '; '), 'extraction', raw_record
                from raw.validated_extractions
                where len(rejection_reasons) > 0
            )
            order by source_file, row_number nulls first
        """
        if not keep_verdicts:
            con.execute(f"create or replace table raw.extractions as {accepted_sql} limit 0", [loaded_at])
            con.execute(f"create or replace table raw.rejected_rows as {rejected_sql} limit 0", [run_id, loaded_at])
        # raw.extractions is not sorted: ordering ten million rows by file and row took half a minute at L.
        con.execute(f"insert into raw.extractions by name {accepted_sql}", [loaded_at])
        con.execute(f"insert into raw.rejected_rows by name {rejected_sql}", [run_id, loaded_at])
        con.unregister("file_rejections")
        con.execute("drop table raw.validated_extractions")
        # Every file read or rejected: the articles, the article files and entries rejected whole, every CSV
        # file and extraction entry. A file rejected without being read has no hash.
        source_files = sorted(
            [(source_file, "article", digest) for source_file, digest in landed_articles]
            + [(r.source_file, "article", r.file_sha256) for r in article_rejections]
            + [(f.source_file, "extraction", f.file_sha256) for f in extraction_files],
            key=lambda source_file: source_file[:2],
        )
        _replace(
            con,
            "raw.source_files",
            _arrow(
                [
                    {"source_file": name, "input_kind": kind, "file_sha256": digest, "loaded_at": loaded_at}
                    for name, kind, digest in source_files
                ],
                pa.schema(
                    [
                        ("source_file", pa.string()),
                        ("input_kind", pa.string()),
                        ("file_sha256", pa.string()),
                        ("loaded_at", pa.timestamp("us")),
                    ]
                ),
            ),
        )
        (accepted,) = con.execute("select count(*) from raw.extractions").fetchone() or (0,)
        (rejected,) = con.execute("select count(*) from raw.rejected_rows").fetchone() or (0,)
        read = int(landed) + sum(1 for f in extraction_files for r in f.rejections if r.row_number is not None)
        con.execute(
            """
            create table if not exists raw.load_runs (
                run_id varchar, loaded_at timestamp, seeds_dir varchar, articles_loaded integer,
                extraction_rows_read integer, extraction_rows_accepted integer, rejected_rows integer
            )
            """
        )
        con.execute(
            "insert into raw.load_runs values (?, ?, ?, ?, ?, ?, ?)",
            [run_id, loaded_at, str(seeds_dir), len(landed_articles), read, accepted, rejected],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadSummary(run_id, len(landed_articles), read, int(accepted), int(rejected), int(validated))
