"""Read the input files: articles (.txt) and hand-coded extractions (.csv), file by file.

Nothing here touches the warehouse. A file that cannot be read whole (empty, not UTF-8, no header, a
required column missing) becomes one `Rejection` with a one-line reason; a row that cannot be read
(wrong number of fields) becomes a `Rejection` too. Everything else is returned as strings, untyped:
typing and checking the values is the validation step's job.

Every entry of an input folder is read or rejected (scan_folder). A file is read only when it is a regular
file directly in the folder (or a symbolic link to a regular file inside the inputs folder), named `.txt` or
`.csv` in any letter case, and no larger than its cap (MAX_ARTICLE_BYTES, MAX_CSV_BYTES). Every other entry
is a Rejection of its own and is never opened: a folder (each file under it is rejected), a FIFO, a device,
a socket, a dangling symbolic link or one that leads outside the inputs folder, a name that is not UTF-8,
another extension, an article whose id differs from another's only in letter case. A file is opened
without blocking (a FIFO swapped in after the scan is not waited on) and must still be the file scanned.

Hidden entries (names starting with a dot: .gitkeep, .DS_Store, macOS's ._ files, .git/) are not inputs,
as for ls and shell globs: they are passed over, not rejected, so that a folder's housekeeping files do not
warn on every run. Rename a file to read it.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import multiprocessing
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG, S_ISSOCK
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
    file_sha256: str | None  # None: the file was rejected without being read
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


# What a single file may cost: it is read whole into memory. An article is a few kilobytes; an extraction
# file of a few million rows is better split (the Python reader holds its values as strings).
MAX_ARTICLE_BYTES = 50 * 2**20
MAX_CSV_BYTES = 256 * 2**20


class FileProblem(Exception):
    """Why an entry of an input folder is not read: the reason its Rejection gives ("file: ...")."""


@dataclass(slots=True)  # a million articles are a million of these: not frozen, which takes 4 times as long
class InputFile:
    """A file the scan of an input folder found fit to read: what to open, and which file it must be."""

    name: str  # its name in the folder
    source_file: str  # its name in provenance (see source_name)
    device: int  # the file opened must be the file scanned: this device and inode
    inode: int
    signature: str | None  # see file_signature
    target: str | None = None  # for a symbolic link, the regular file it resolves to: read in its place

    def path(self, folder: Path) -> str:
        """What to open to read the file, in `folder`: never a symbolic link."""
        return self.target or os.path.join(folder, self.name)


def printable_name(name: str) -> str:
    """A file name as provenance shows it: the bytes that are not UTF-8 as \\x escapes."""
    return name if name.isascii() else os.fsencode(name).decode("utf-8", "backslashreplace")


def _not_a_file(mode: int) -> str | None:
    """What an entry of this mode is ("a folder", "a FIFO (named pipe)", ...); None for a regular file."""
    if S_ISREG(mode):
        return None
    if S_ISDIR(mode):
        return "a folder"
    if S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if S_ISCHR(mode) or S_ISBLK(mode):
        return "a device file"
    if S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _check_size(size: int, limit: int, what: str) -> None:
    if size > limit:
        raise FileProblem(f"file: too large ({size:,} bytes; {what} may have at most {limit:,})")


def read_regular_file(
    path: str | Path, limit: int, what: str, identity: tuple[int, int] | None = None
) -> tuple[bytes, os.stat_result]:
    """The bytes and status of the regular file at `path`; FileProblem if it is something else (a FIFO is
    never waited on, a device never read), has more than `limit` bytes (`what` names the file in the
    reason: "an article"), cannot be read, or is not the file `identity` (device, inode) names (then a
    symbolic link at `path` is not followed)."""
    try:
        if kind := _not_a_file(os.stat(path).st_mode):
            raise FileProblem(f"file: {kind}, not a regular file")
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | (os.O_NOFOLLOW if identity else 0)
        with open(os.open(path, flags), "rb") as handle:
            status = os.fstat(handle.fileno())
            if kind := _not_a_file(status.st_mode):
                raise FileProblem(f"file: {kind}, not a regular file")
            if identity is not None and (status.st_dev, status.st_ino) != identity:
                raise FileProblem("file: replaced by another file while the load read its folder")
            _check_size(status.st_size, limit, what)
            data = handle.read(limit + 1)  # at most one byte past the cap, should the file grow while read
    except OSError as error:
        if identity is not None and error.errno == errno.ELOOP:  # O_NOFOLLOW: a link now, not the file scanned
            raise FileProblem("file: replaced by a symbolic link while the load read its folder") from error
        raise FileProblem(f"file: cannot be read ({error.strerror})") from error
    _check_size(len(data), limit, what)
    return data, status


def scan_folder(
    folder: Path, extension: str, kind: str, scan_started_ns: int = 0
) -> tuple[list[InputFile], list[Rejection]]:
    """The files of `folder` to read (named `*{extension}` in any letter case), in name order, and a
    Rejection of `kind` for every other entry not hidden (see the module docstring). Nothing is opened,
    and no symbolic link is followed out of the inputs folder (`folder`'s parent)."""
    inside, folder_name = {str(folder.parent.resolve()), str(folder.resolve())}, folder.name
    with os.scandir(folder) as listing:
        entries = sorted((entry for entry in listing if not entry.name.startswith(".")), key=attrgetter("name"))
    files: list[InputFile] = []
    rejections: list[Rejection] = []
    for entry in entries:
        name = printable_name(entry.name)
        source_file = source_name_in(folder_name, name)
        if _is_folder(entry):
            for nested, reason in _subfolder_entries(entry.path, source_file, folder_name):
                rejections.append(Rejection(kind, nested, None, reason))
            continue
        try:
            if name != entry.name:
                raise FileProblem("file: its name is not valid UTF-8 (rename it)")
            files.append(_input_file(entry, source_file, extension, inside, scan_started_ns))
        except FileProblem as problem:
            rejections.append(Rejection(kind, source_file, None, str(problem)))
    return files, rejections


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a folder itself (not a symbolic link to one); False if it has gone."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _input_file(
    entry: os.DirEntry[str], source_file: str, extension: str, inside: set[str], scan_started_ns: int
) -> InputFile:
    """The entry (not a folder, its name UTF-8) as a file to read; FileProblem, without opening it, if it is
    not one."""
    target = None
    try:
        status = entry.stat(follow_symlinks=False)
        if S_ISREG(status.st_mode):
            pass
        elif S_ISLNK(status.st_mode):
            target = os.path.realpath(entry.path)
            if not any(target == folder or target.startswith(folder + os.sep) for folder in inside):
                raise FileProblem(f"file: a symbolic link to {printable_name(target)}, outside the inputs folder")
            if not os.path.lexists(target):
                link = printable_name(os.readlink(entry.path))
                raise FileProblem(f"file: a dangling symbolic link (its target {link} does not exist)")
            status = os.stat(target)
            if kind := _not_a_file(status.st_mode):
                raise FileProblem(f"file: a symbolic link to {kind}, not to a regular file")
        elif kind := _not_a_file(status.st_mode):
            raise FileProblem(f"file: {kind}, not a regular file")
    except OSError as error:
        raise FileProblem(f"file: cannot be read ({error.strerror})") from error
    if entry.name[-len(extension) :].lower() != extension:
        folder = source_file.split("/", 1)[0]
        raise FileProblem(f"file: not a {extension} file; eventdw reads only the {extension} files in {folder}/")
    signature = file_signature(status, scan_started_ns)
    return InputFile(entry.name, source_file, status.st_dev, status.st_ino, signature, target)


def _subfolder_entries(path: str, source_file: str, folder: str) -> list[tuple[str, str]]:
    """(source file, reason) for each entry under the subfolder at `path` (named `source_file`): its files,
    at any depth, and the folders under it that hold none (itself included). No symbolic link is followed
    and nothing is opened."""
    in_subfolder = f"file: in a subfolder; eventdw reads only the files directly in {folder}/"
    found: list[tuple[str, str]] = []
    pending = [(path, source_file)]
    while pending:
        directory, name = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = [entry for entry in listing if not entry.name.startswith(".")]
        except OSError as error:
            found.append((name, f"file: a folder, not a file (and it cannot be listed: {error.strerror})"))
            continue
        if not entries:
            found.append((name, f"file: a folder, not a file; eventdw reads only the files directly in {folder}/"))
        for entry in entries:
            child = f"{name}/{printable_name(entry.name)}"
            if _is_folder(entry):
                pending.append((entry.path, child))
            else:
                found.append((child, in_subfolder))
    return sorted(found)


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


def article_id(file_name: str) -> str:
    """The id of the article in the file `file_name`: the name without its extension (".txt", ".TXT")."""
    return file_name[: -len(".txt")]


def iter_articles(
    articles_dir: Path, parsed_before: Mapping[str, tuple[str, str | None]] | None = None, workers: int = 1
) -> Iterator[Article | UnchangedArticle | Rejection]:
    """Read every `.txt` file (in any letter case) in `articles_dir`, in name order, after a Rejection for
    every other entry (see scan_folder) and for every file whose article id differs from an earlier one's
    only in letter case. `parsed_before` maps the ids of articles parsed before to their file's (hash,
    signature). A file with the same signature as then is an UnchangedArticle without being read; a file
    that cannot be read is a Rejection; one whose hash is the same as then is an UnchangedArticle without
    being decoded and parsed again.

    With `workers` > 1 and enough files to read, they are read and parsed by that many processes, a chunk of
    files per task, and come out in the same order; at most two chunks per process wait in memory."""
    parsed_before = parsed_before or {}
    scan_started_ns = time.time_ns()
    found, rejections = scan_folder(articles_dir, ".txt", "article", scan_started_ns)
    files: dict[str, InputFile] = {}
    first_by_id: dict[str, str] = {}  # an article id, case-folded -> the first file that has it
    for file in found:
        first = first_by_id.setdefault(article_id(file.name).casefold(), file.source_file)
        if first == file.source_file:
            files[file.name] = file
        else:
            reason = f"file: its article id differs from that of {first} only in letter case (rename one)"
            rejections.append(Rejection("article", file.source_file, None, reason))
    yield from sorted(rejections, key=lambda rejection: rejection.source_file)
    names = list(files)
    unwritten = {
        name
        for name in names
        if (before := parsed_before.get(article_id(name)))
        and before[1] is not None
        and before[1] == files[name].signature
    }
    to_read = [name for name in names if name not in unwritten]
    chunks = [
        (
            articles_dir,
            {name: files[name] for name in chunk},
            {stem: parsed_before[stem][0] for name in chunk if (stem := article_id(name)) in parsed_before},
        )
        for chunk in (to_read[start : start + ARTICLE_CHUNK] for start in range(0, len(to_read), ARTICLE_CHUNK))
    ]
    parallel = workers > 1 and len(to_read) >= PARALLEL_MINIMUM
    # Spawned, not forked: the loading process holds a database connection and its threads.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if parallel else _InProcess()
    with pool:
        read = (item for items in map_ahead(pool, _read_articles, chunks, 2 * workers) for item in items)
        for name in names:
            if name in unwritten:
                file, stem = files[name], article_id(name)
                yield UnchangedArticle(stem, file.source_file, parsed_before[stem][0], file.signature)
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
    articles_dir: Path, files: Mapping[str, InputFile], parsed_before: Mapping[str, str]
) -> list[Article | UnchangedArticle | Rejection]:
    """Read and parse the article files of `articles_dir` that `files` names (as scan_folder found them),
    with the hashes of the articles parsed before (see iter_articles)."""
    items: list[Article | UnchangedArticle | Rejection] = []
    for name, file in files.items():
        stem = article_id(name)
        try:
            identity = (file.device, file.inode)
            data, _ = read_regular_file(file.path(articles_dir), MAX_ARTICLE_BYTES, "an article", identity)
        except FileProblem as problem:
            items.append(Rejection("article", file.source_file, None, str(problem)))
            continue
        digest = sha256_hex(data)
        if parsed_before.get(stem) == digest:
            items.append(UnchangedArticle(stem, file.source_file, digest, file.signature))
            continue
        text, rejection = _decode(articles_dir / name, data, "article")
        if rejection:
            items.append(rejection)
            continue
        assert text is not None
        parts = parse_article(text)
        items.append(
            Article(
                article_id=stem,
                source_file=file.source_file,
                file_sha256=digest,
                file_signature=file.signature,
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


def read_csv_file(path: Path, required: tuple[str, ...], kind: str, data: bytes | None = None) -> CsvFile:
    """Read one CSV file (or parse `data`, its bytes as read already): its header must name every required
    column. The reference reader: any other reader must give the same rows, values and rejections."""
    if data is None:
        try:
            data, _ = read_regular_file(path, MAX_CSV_BYTES, "a CSV file")
        except FileProblem as problem:
            return CsvFile(source_name(path), None, rejections=[Rejection(kind, source_name(path), None, str(problem))])
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
