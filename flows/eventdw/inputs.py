"""Read the input files: articles (.txt) and hand-coded extractions (.csv), file by file.

Nothing here touches the warehouse. A file that cannot be read whole (empty, not UTF-8, no header, a
required column missing) becomes one `Rejection` with a one-line reason; a row that cannot be read
(wrong number of fields) becomes a `Rejection` too. Everything else is returned as strings, untyped:
typing and checking the values is the validation step's job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from eventdw.articles import parse_article

EXTRACTION_REQUIRED = ("article_id", "event_date", "actor1", "cameo_code", "location", "quote")
EXTRACTION_OPTIONAL = (
    "actor2",
    "time_precision",
    "geo_precision",
    "fatalities",
    "acled_sub_event_type",
    "coder",
    "confidence",
    "notes",
    "country",
)
EXTRACTION_COLUMNS = EXTRACTION_REQUIRED + EXTRACTION_OPTIONAL

T = TypeVar("T")


@dataclass(frozen=True)
class Rejection:
    """An input (a whole file, or one row of it) that could not be accepted, and why."""

    input_kind: str
    source_file: str
    row_number: int | None
    reason: str
    raw_record: str | None = None
    file_sha256: str | None = None  # set on whole-file rejections: the file was read, though not accepted


@dataclass
class CsvFile:
    """One CSV file's values as strings, column by column, keyed by the header's (lower-cased) names.

    Columns rather than row dicts: a 100,000-row file is a few lists, not 100,000 dicts.
    """

    source_file: str
    file_sha256: str
    header: list[str] = field(default_factory=list)
    columns: dict[str, list[str | None]] = field(default_factory=dict)
    row_numbers: list[int] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, str | None]]:
        """The rows as dicts (with "_row_number"), for small files such as the reference lists."""
        return [
            {name: self.columns[name][index] for name in self.header} | {"_row_number": str(number)}
            for index, number in enumerate(self.row_numbers)
        ]


def source_name(path: Path) -> str:
    """How provenance names an input file: relative to the seeds folder ("extractions/001.csv"), so that
    the warehouse and its exports do not depend on where the seeds were on the machine that loaded them."""
    return source_name_in(path.parent.name, path.name)


def source_name_in(folder: str, file_name: str) -> str:
    """source_name of the file `file_name` in the folder named `folder`, without a Path (a million files)."""
    return f"{folder}/{file_name}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(path: Path, data: bytes, kind: str) -> tuple[str | None, Rejection | None]:
    if not data.strip():
        return None, Rejection(kind, source_name(path), None, "file: empty file", file_sha256=sha256_hex(data))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        reason = f"file: not valid UTF-8 (byte {error.start}: {error.reason})"
        return None, Rejection(kind, source_name(path), None, reason, file_sha256=sha256_hex(data))


@dataclass(frozen=True)
class Article:
    """One article file as read, with what the parser located in it."""

    article_id: str
    source_file: str
    file_sha256: str
    file_signature: str | None
    raw_text: str
    title: str | None
    published_date: str | None
    published_date_source: str
    body_start: int
    body_end: int
    dateline: str | None


@dataclass(frozen=True)
class UnchangedArticle:
    """An article file whose hash is the one it had when it was parsed before (or, by its signature, has not
    been written since it was read): not parsed again."""

    article_id: str
    source_file: str
    file_sha256: str
    file_signature: str | None


# Article files read and parsed per task when the work is spread over processes, and the most tasks whose
# results may wait in memory at a time (they hold the articles' text).
ARTICLE_CHUNK = 2_000
PARALLEL_MINIMUM = 4 * ARTICLE_CHUNK  # below this, starting processes costs more than it saves
# A file changed this close to the scan that reads it gets no signature: a later write within the same tick
# of the file system's clock could leave it the same (git's "racily clean" entries). The next load reads it.
RACY_NS = 2_000_000_000


def file_signature(stat: os.stat_result, scan_started_ns: int) -> str | None:
    """What says a file was not written since it was read (size, modification and change times, inode), as
    make and git's index trust it; None when the file changed too close to the scan to tell. Writing a
    file's bytes sets its change time, which no tool can set back."""
    if max(stat.st_mtime_ns, stat.st_ctime_ns) >= scan_started_ns - RACY_NS:
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def iter_articles(
    articles_dir: Path, parsed_before: Mapping[str, tuple[str, str | None]] | None = None, workers: int = 1
) -> Iterator[Article | UnchangedArticle | Rejection]:
    """Read every `*.txt` under `articles_dir`, in name order; the article id is the file name without
    `.txt`. `parsed_before` maps the ids of articles parsed before to their file's (hash, signature). A file
    with the same signature as then is an UnchangedArticle without being read; a file that cannot be read is
    a Rejection; one whose hash is the same as then is an UnchangedArticle without being decoded and parsed
    again.

    With `workers` > 1 and enough files to read, they are read and parsed by that many processes, a chunk of
    files per task, and come out in the same order; at most two chunks per process wait in memory."""
    parsed_before = parsed_before or {}
    scan_started_ns = time.time_ns()
    entries = [entry for entry in os.scandir(articles_dir) if entry.name.endswith(".txt") and entry.is_file()]
    signatures = {entry.name: file_signature(entry.stat(), scan_started_ns) for entry in entries}
    names = sorted(signatures)
    unwritten = {
        name
        for name in names
        if (before := parsed_before.get(name[:-4])) and before[1] is not None and before[1] == signatures[name]
    }
    to_read = [name for name in names if name not in unwritten]
    chunks = [
        (
            articles_dir,
            {name: signatures[name] for name in chunk},
            {stem: parsed_before[stem][0] for name in chunk if (stem := name[:-4]) in parsed_before},
        )
        for chunk in (to_read[start : start + ARTICLE_CHUNK] for start in range(0, len(to_read), ARTICLE_CHUNK))
    ]
    parallel = workers > 1 and len(to_read) >= PARALLEL_MINIMUM
    # Spawned, not forked: the loading process holds a database connection and its threads.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if parallel else _InProcess()
    with pool:
        read = (item for items in map_ahead(pool, _read_articles, chunks, 2 * workers) for item in items)
        folder = articles_dir.name
        for name in names:
            if name in unwritten:
                stem = name[:-4]
                yield UnchangedArticle(stem, source_name_in(folder, name), parsed_before[stem][0], signatures[name])
            else:
                yield next(read)


class _InProcess(Executor):
    """An Executor that runs each call at once, in this process, when submitted."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def map_ahead(pool: Executor, function: Callable[..., T], calls: Iterable[tuple[Any, ...]], ahead: int) -> Iterator[T]:
    """`function(*arguments)` for each of `calls`, run in `pool`, the results in the order of `calls`; at most
    `ahead` calls submitted and not yet taken (Executor.map submits them all, and their results would pile
    up in memory while the caller is slower than the pool)."""
    pending: deque[Future[T]] = deque()
    for arguments in calls:
        pending.append(pool.submit(function, *arguments))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _read_articles(
    articles_dir: Path, signatures: Mapping[str, str | None], parsed_before: Mapping[str, str]
) -> list[Article | UnchangedArticle | Rejection]:
    """Read and parse the article files named in `signatures` under `articles_dir`, with the hashes of the
    articles parsed before (see iter_articles)."""
    items: list[Article | UnchangedArticle | Rejection] = []
    for name, signature in signatures.items():
        path = articles_dir / name
        data = path.read_bytes()
        digest = sha256_hex(data)
        if parsed_before.get(path.stem) == digest:
            items.append(UnchangedArticle(path.stem, source_name(path), digest, signature))
            continue
        text, rejection = _decode(path, data, "article")
        if rejection:
            items.append(rejection)
            continue
        assert text is not None
        parts = parse_article(text)
        items.append(
            Article(
                article_id=path.stem,
                source_file=source_name(path),
                file_sha256=digest,
                file_signature=signature,
                raw_text=text,
                title=parts.title,
                published_date=parts.published_date.isoformat() if parts.published_date else None,
                published_date_source=parts.published_date_source,
                body_start=parts.body_start,
                body_end=parts.body_end,
                dateline=parts.dateline,
            )
        )
    return items


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the spreadsheet row number of each (the header is row 1)."""
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1)


def read_csv_file(path: Path, required: tuple[str, ...], kind: str) -> CsvFile:
    """Read one CSV file: its header must name every required column."""
    data = path.read_bytes()
    result = CsvFile(source_file=source_name(path), file_sha256=sha256_hex(data))
    text, rejection = _decode(path, data, kind)
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


# What keeps a file off the fast path: a byte-order mark or a blank line (only spaces, tabs or commas).
# On those the Python reader's row numbering and blank-line rule are the reference, and a database CSV
# reader might number or skip rows differently. The blank line is searched from its leading line end (a
# literal first character lets the regex engine skip ahead: 40 times faster than one alternation).
_BLANK_LINE = re.compile(rb"\n[ \t,]*\r?\n")
_BLANK_FIRST_LINE = re.compile(rb"[ \t,]*\r?\n")


def plain_csv_header(data: bytes, required: tuple[str, ...]) -> tuple[list[str], str] | None:
    """The header and line end of a CSV file simple enough for a bulk reader to read exactly as
    `read_csv_file` would: UTF-8, one line end throughout ("\\n" or "\\r\\n"), no blank lines, an
    unquoted header naming every required column once. None for any other file, which must go through
    `read_csv_file`."""
    line_ends = data.count(b"\n")
    if data.count(b"\r") == 0:
        new_line = "\\n"
    elif data.count(b"\r") == data.count(b"\r\n") == line_ends:
        new_line = "\\r\\n"
    else:
        return None
    if data.startswith(b"\xef\xbb\xbf") or _BLANK_FIRST_LINE.match(data) or _BLANK_LINE.search(data):
        return None
    first_line = data.split(b"\n", 1)[0].removesuffix(b"\r")
    if b'"' in first_line:
        return None
    try:
        header = [name.strip().lower() for name in first_line.decode("utf-8").split(",")]
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(set(header)) != len(header) or any(name not in header for name in required):
        return None
    if not all(name.isidentifier() for name in header):
        return None
    return header, new_line


def count_csv_records(data: bytes) -> int:
    """The data records of a plain CSV file (see plain_csv_header): its line ends outside quoted fields,
    less the header's. A check on a bulk reader's row count, without parsing the fields."""
    records, quoted = 0, False
    for line in data.split(b"\n"):
        quoted ^= line.count(b'"') % 2 == 1
        records += not quoted
    return records - 1 - data.endswith(b"\n")  # less the header, and the empty piece after a last line end
