"""Read a CSV file's rows as strings: the Python reader (the reference) and DuckDB's, a fast path for plain files.

A file that cannot be read whole (empty, not UTF-8, no header, a required column missing) becomes one
`Rejection` with a one-line reason; a row that cannot be read (wrong number of fields) becomes a
`Rejection` too. Everything else is returned as strings, untyped: typing and checking the values is the
validation step's job (eventdw.ingest.validation). An extraction file's rows land in the shape of
raw.landed_extractions (landed_rows), whichever reader read them; the bulk reader takes only the files it
reads exactly as the Python reader does (plain_csv_header), and checks that it did.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.ingest.files import (
    MAX_CSV_BYTES,
    FileProblem,
    Rejection,
    decode,
    read_regular_file,
    sha256_hex,
    source_name,
)
from eventdw.ingest.raw_tables import EXTRACTION_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass
class CsvFile:
    """One CSV file's values as strings, column by column, keyed by the header's (lower-cased) names.

    Columns rather than row dicts: a 100,000-row file is a few lists, not 100,000 dicts.
    """

    source_file: str
    file_sha256: str | None  # None: the file was rejected without being read
    header: list[str] = field(default_factory=list)
    columns: dict[str, list[str | None]] = field(default_factory=dict)
    row_numbers: list[int] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    file_signature: str | None = None  # an input file's signature when the scan found it (files.file_signature)

    @property
    def rows(self) -> list[dict[str, str | None]]:
        """The rows as dicts (with "_row_number"), for small files such as the reference lists."""
        return [
            {name: self.columns[name][index] for name in self.header} | {"_row_number": str(number)}
            for index, number in enumerate(self.row_numbers)
        ]


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the spreadsheet row number of each (the header is row 1)."""
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1)


def read_csv_file(path: Path, required: tuple[str, ...], kind: str, data: bytes | None = None) -> CsvFile:
    """Read one CSV file (or parse `data`, its bytes as read already): its header must name every required
    column. The reference reader: any other reader must give the same rows, values and rejections."""
    if data is None:
        try:
            data, _ = read_regular_file(path, MAX_CSV_BYTES, "a CSV file")
        except FileProblem as problem:
            return CsvFile(source_name(path), None, rejections=[Rejection(kind, source_name(path), None, str(problem))])
    result = CsvFile(source_file=source_name(path), file_sha256=sha256_hex(data))
    text, rejection = decode(path, data, kind)
    if rejection:
        result.rejections.append(rejection)
        return result
    assert text is not None
    try:
        records = list(_records(text))
    except csv.Error as error:
        result.rejections.append(Rejection(kind, source_name(path), None, f"file: malformed CSV ({error})"))
        return result
    header = [name.strip().lower() for name in records[0][1]] if records else []
    missing = [name for name in required if name not in header]
    if missing:
        reason = (
            f"file: no header row naming the required columns (missing {', '.join(missing)})"
            if len(missing) == len(required)
            else f"file: header lacks required column(s) {', '.join(missing)}"
        )
        result.rejections.append(Rejection(kind, source_name(path), None, reason))
        return result
    if len(set(header)) != len(header):
        result.rejections.append(Rejection(kind, source_name(path), None, "file: header repeats a column name"))
        return result
    kept: list[list[str]] = []
    for row_number, record in records[1:]:
        if not any(value.strip() for value in record):
            continue  # a blank line is not a row
        if len(record) != len(header):
            result.rejections.append(
                Rejection(
                    kind,
                    source_name(path),
                    row_number,
                    f"row: has {len(record)} fields but the header has {len(header)}",
                    json.dumps(record, ensure_ascii=False),
                )
            )
            continue
        kept.append(record)
        result.row_numbers.append(row_number)
    result.header = header
    values = list(zip(*kept, strict=True)) if kept else [() for _ in header]
    result.columns = {
        name: [value if value.strip() != "" else None for value in column]
        for name, column in zip(header, values, strict=True)
    }
    return result


@cache
def blank_value_pattern() -> str:
    """An RE2 pattern (DuckDB's and Arrow's regexes) matching the values read_csv_file reads as blank:
    those str.strip() leaves empty, whose whitespace is Unicode's (U+00A0, U+2028, ...), not RE2's \\s."""
    spaces = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    return rf"\A[{spaces}]*\z"


# What keeps a file off the fast path, besides a byte-order mark, other line ends than one of "\n" or
# "\r\n" throughout, and a header that is not plain identifiers:
# - a blank line (only spaces, tabs or commas), which DuckDB skips without numbering it, and the Python
#   reader numbers and skips. It is searched from its leading line end (a literal first character lets the
#   regex engine skip ahead: 40 times faster than one alternation);
# - a quote that neither opens a field (right after a comma, a line end or the file's start), nor closes
#   one (right before a comma, a line end or the file's end), nor is doubled inside a quoted field. DuckDB
#   reads such quotes its own way even in strict mode: it drops spaces before an opening or after a closing
#   quote, and reads an unclosed quote's file as no rows; Python keeps the spaces, or rejects the file.
_BLANK_LINE = re.compile(rb"\n[ \t,]*\r?\n")
_BLANK_FIRST_LINE = re.compile(rb"[ \t,]*\r?\n")
_QUOTES_AROUND_FIELDS_ONLY = re.compile(rb'(?:[^"]*+(?<![^,\n])"(?:[^"]++|"")*+"(?![^,\r\n]))*+[^"]*+')


def plain_csv_header(data: bytes, required: tuple[str, ...]) -> list[str] | None:
    """The header of a CSV file simple enough for a bulk reader to read exactly as `read_csv_file` would:
    UTF-8 without a byte-order mark, one line end throughout ("\\n" or "\\r\\n", a lone "\\r" nowhere), no
    blank lines, quotes only around whole fields, an unquoted header naming every required column once in
    identifiers. None for any other file, which must go through `read_csv_file`."""
    line_ends, returns = data.count(b"\n"), data.count(b"\r")
    if returns and not returns == data.count(b"\r\n") == line_ends:
        return None
    if data.startswith(b"\xef\xbb\xbf") or _BLANK_FIRST_LINE.match(data) or _BLANK_LINE.search(data):
        return None
    header_end = data.find(b"\n")
    first_line = (data if header_end < 0 else data[:header_end]).removesuffix(b"\r")
    if b'"' in first_line:
        return None
    try:
        header = [name.strip().lower() for name in first_line.decode("utf-8").split(",")]
        if not data.isascii():  # ASCII is UTF-8, and tells so without decoding
            data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(set(header)) != len(header) or any(name not in header for name in required):
        return None
    if not all(name.isidentifier() for name in header):
        return None
    if b'"' in data and not _QUOTES_AROUND_FIELDS_ONLY.fullmatch(data):
        return None
    return header


def count_csv_records(data: bytes) -> int:
    """The data records of a plain CSV file (see plain_csv_header): its line ends outside quoted fields,
    less the header's. A check on a bulk reader's row count, without parsing the fields."""
    if b'"' not in data:
        return data.count(b"\n") - data.endswith(b"\n")  # less the header's, or one line ends the last record
    records, quoted = 0, False
    for line in data.split(b"\n"):
        quoted ^= line.count(b'"') % 2 == 1
        records += not quoted
    return records - 1 - data.endswith(b"\n")  # less the header, and the empty piece after a last line end


def extra_columns(
    header: list[str], columns: dict[str, list[str | None]], count: int, known: tuple[str, ...] = EXTRACTION_COLUMNS
) -> list[str | None]:
    """Each of `count` rows' values in the columns of `header` beyond `known` (the extraction columns by
    default), as JSON (None if it has none)."""
    extras = sorted(name for name in header if name not in known)
    if not extras:
        return [None] * count
    return [
        json.dumps({name: columns[name][index] for name in extras}, ensure_ascii=False, separators=(",", ":"))
        for index in range(count)
    ]


def landed_rows(csv_file: CsvFile) -> pa.Table:
    """One extraction file's rows as read (strings), with their provenance; columns the file lacks are null,
    columns it has beyond ours are kept as JSON in extra_columns."""
    import pyarrow as pa

    count = len(csv_file.row_numbers)
    extras = extra_columns(csv_file.header, csv_file.columns, count)
    return pa.table(
        {
            "source_file": pa.array([csv_file.source_file] * count, pa.string()),
            "row_number": pa.array(csv_file.row_numbers, pa.int64()),
            **{name: pa.array(csv_file.columns.get(name, [None] * count), pa.string()) for name in EXTRACTION_COLUMNS},
            "extra_columns": pa.array(extras, pa.string()),
        }
    )


def read_plain_csv(path: str | Path, data: bytes, source_file: str, header: list[str]) -> pa.Table | None:
    """A plain CSV file's rows (see plain_csv_header: `data` is its bytes, `source_file` its name in
    provenance, `header` its columns) as read by DuckDB's CSV reader: the same rows, row
    numbers and values as read_csv_file gives, about ten times faster. None where they could differ:
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
    if count != count_csv_records(data) or _bytes_unaccounted_for(data, read):
        return None
    values: dict[str, pa.ChunkedArray] = {}
    blank_row: pa.ChunkedArray | None = None
    for name, column in zip(header, read.columns, strict=True):
        # A field of more characters than Python's reader takes ("field larger than field limit") has at
        # least as many bytes: only then are its characters counted.
        longest = pc.max(pc.binary_length(column)).as_py() or 0
        if longest > limit and pc.max(pc.utf8_length(column)).as_py() > limit:
            return None
        blank = pc.fill_null(pc.match_substring_regex(column, blank_value_pattern()), True)
        values[name] = pc.if_else(blank, pa.scalar(None, pa.string()), column.cast(pa.string()))
        blank_row = blank if blank_row is None else pc.and_(blank_row, blank)
    extras = [name for name in header if name not in EXTRACTION_COLUMNS]
    extra_values = {name: values[name].to_pylist() for name in extras}
    landed = pa.table(
        {
            "source_file": pa.array([source_file] * count, pa.string()),
            "row_number": pa.array(range(2, count + 2), pa.int64()),  # the header is row 1
            **{name: values[name] if name in values else pa.nulls(count, pa.string()) for name in EXTRACTION_COLUMNS},
            "extra_columns": pa.array(extra_columns(header, extra_values, count), pa.string()),
        }
    )
    return landed.filter(pc.invert(blank_row))  # a row of blank values is a blank line: numbered, skipped


def _bytes_unaccounted_for(data: bytes, read: pa.Table) -> int:
    """How many bytes of a plain CSV file (see plain_csv_header) the values a reader read from it do
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
