"""Export the marts as Parquet: facts, ACLED's format and articles partitioned by year and month, one file per
other dimension, and ACLED's format also as CSV, by month.

Where the export may go. An export replaces its folder whole, so it only ever replaces a folder it wrote
itself (one whose manifest.json says eventdw wrote it, holding only the files that manifest lists), an empty
folder, or none. `check_exports_dir` refuses in one line (ExportError) any other folder, and the places a run
must never replace: the current folder or one holding it, the filesystem root, the home folder, the seeds
folder (or one holding it or inside it), the warehouse file and its siblings (`.wal`, `.tmp`, `.lock`, the
dbt folder). The CLI calls it before the run starts; the export calls it again with what it knows. Paths are
compared resolved: an exports folder that is a symlink is followed once, at the start, the real folder is
replaced and the symlink keeps pointing at it.

One export at a time per folder. While it writes, the export holds an flock on `.<name>.lock` next to the
folder; a second export to the same folder fails at once with ExportsBusy naming the holder, it does not wait
(as a second run on the warehouse does not). The kernel releases the lock when a run dies, even by kill -9.

Always a whole export. The export is written to `.<name>.incoming-<run id>` next to the folder, then exchanged
with the live folder in one step (Linux renameat2 RENAME_EXCHANGE), so a reader finds the old export or the
new one, never none, even if the run is killed; the old export, now under the staging name, is deleted
after. Where the system cannot exchange, the live folder is renamed to `.<name>.previous` and the new one put
in its place: if a run dies between the two renames, the next export, or `recover_exports` (for readers),
puts `.previous` back. The next export deletes the staging folders of dead runs. A failed export leaves the
previous export whole; an OSError while writing is reported as one line naming the folder (ExportError).

CSV cells. A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written to the CSV
files with a single quote `'` in front (OWASP's advice against CSV injection), so that a spreadsheet shows it
as text instead of running it as a formula. Numeric columns are written as they are, and the Parquet files
hold the true values.

Only what changed is written again. The manifest keeps, for each file, a digest of the rows it was written
from (their count and the set of run ids they carry, every build writing its own: see _digest) and the
file's size and modification time (`parts`). The next export computes the digests again from the marts,
month by month for the partitioned tables (PARTITIONED): a file whose digest is the same, and that
is still the file the manifest lists (same size and time), is hard-linked into the staging folder instead of
written, with its hash and rows from the manifest. A daily run rewrites the months its events and articles fall in
and the dimensions that changed; the staging folder is still swapped in whole, so a crash leaves the
previous export whole, and every hash in the manifest is that of the file beside it. This is why the
articles and ACLED's format are partitioned too: as one file each they were most of a day's export at ten
million rows (the CSV alone 2 GB), written whole for a day's new rows.

Same marts, same files. Rows are ordered by key. The partitions are written here, not by DuckDB's
`COPY ... (partition_by ...)`: at ten million rows that splits some partitions into two or three files, and
writes different bytes, from one run to the next on the same marts (its partition buffers flush as its
threads happen to fill them). Here each partition is one file whose row groups are cut every ROW_GROUP_ROWS
rows of the ordered rows, whatever batches DuckDB hands them over in.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from eventdw import versions
from eventdw.warehouse import connect as warehouse_connect

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

PRODUCER = "eventdw"  # the manifest's "producer": what marks a folder as an export eventdw may replace
SCHEMA_VERSION = "6"  # 2: source_system, bridge_event_sources; 3: month=07 partitions, datapackage.json, build;
# 4: build_id on every row; 5: the manifest's parts (each file's digest, size and time: partial exports);
# 6: acled_events (its CSV too) and dim_article by month
# The mart columns not exported: the run that wrote a row differs from run to run, and the same inputs must
# export to identical files (each row keeps its build_id; the manifest names the run).
NOT_EXPORTED = ("run_id",)
# The tables besides the marts the export reads (the ACLED actor types' numbers, for --acled-inter-numeric).
READS_BESIDES_MARTS = ("staging.stg_reference__acled_actor_types",)
ACLED_CSV_LEFT_OUT = ("source_system", "build_id")  # the ACLED CSV files have ACLED's 31 columns, no others
_EXPORTED = f"* exclude ({', '.join(NOT_EXPORTED)})"
ROW_GROUP_ROWS = 122_880  # rows per Parquet row group in the facts' partitions (DuckDB's own row group size)
READ_BATCH_ROWS = 122_880  # rows per Arrow batch read from DuckDB (the files do not depend on it)
WRITERS = 2  # threads writing a partitioned table's months (_write_month_partitions)
WRITES_AHEAD = 4  # row groups read and waiting for a writer thread, at most
# The tables written as one file per month of a date, with that date and their sort keys: the facts by
# event_date, ACLED's format too, the articles by published_date. A build changes the months its events and
# articles fall in, and an export writes those months again, not the whole table (see _write).
PARTITIONED = {
    "fact_events": ("event_date", "event_id"),
    "fact_event_mentions": ("event_date", "mention_id"),
    "events_described": ("event_date", "event_id"),
    "acled_events": ("event_date", "event_id_cnty"),
    "dim_article": ("published_date", "article_id"),
}
# Tables written as one file each (the dimensions and the coder's report), with their sort keys.
DIMENSIONS = {
    "dim_actor": "actor_id",
    "dim_place": "place_id",
    "dim_cameo_code": "cameo_code",
    "report_unresolved_names": "name_kind, spelling_normalized",
    "bridge_event_sources": "event_id, linked_event_id",
}
ACLED_CSV = "acled_events_csv"  # acled_events' months also as CSV, in ACLED's 31 columns
NO_DATE = "__HIVE_DEFAULT_PARTITION__"  # the partition of rows without a date, as DuckDB and Spark name it
# Tables whose months are plain files, acled_events/YYYY-MM.parquet (rows without a date: undated.parquet),
# not year=YYYY/month=MM folders, which pandas cannot read for them: ACLED's format has its own `year`
# column, which pandas refuses to merge with a folder's, and pandas cannot read a null partition
# (articles without a date) beside the others ("Cannot yet unify dictionaries with nulls").
FLAT_MONTHS = ("acled_events", ACLED_CSV, "dim_article")
ACLED_INTER_NUMERIC_SETTING = "EVENTDW_ACLED_INTER_NUMERIC"
PARQUET_SETTING = "EVENTDW_PARQUET"  # 0: no Parquet export (`eventdw run --no-parquet`, with a lake in its place)
# A CSV text cell starting with =, +, -, @, a tab or a carriage return gets a ' in front (OWASP), as a
# regular expression (RE2, DuckDB's regexp_replace): `case when left(cell, 1) in (...)` took three times as
# long to write a month, DuckDB's left() counting graphemes (at M, 17 s of a 40 s export).
FORMULA_START = r"^([=+\-@\t\r])"
CHOOSE = "choose an empty or new folder"
AT_FDCWD = -100  # renameat2's "relative to the current folder"
RENAME_EXCHANGE = 2  # renameat2's flag: swap the two paths in one step


class ExportError(OSError):
    """The export cannot go, or could not be written, where it was asked to, in one line (an OSError, as it is)."""


class ExportsBusy(ExportError):
    """Another run is writing the same exports folder."""


def check_exports_dir(exports_dir: Path, seeds_dir: Path, warehouse: Path) -> None:
    """Raise ExportError unless a run may replace `exports_dir` whole with its export."""
    live = _checked_place(exports_dir, warehouse, seeds_dir)
    _check_owned(live, exports_dir)


def export_marts(
    warehouse: Path,
    exports_dir: Path,
    run_id: str,
    build: dict[str, Any] | None = None,
    marts: Callable[[], duckdb.DuckDBPyConnection] | None = None,
) -> dict[str, int]:
    """Write the marts to `exports_dir`, replacing the export there in one step; rows written per table.
    The manifest carries `build`, the build's record (eventdw.versions), or the warehouse's as it is now.
    The marts are the warehouse's, or those of the connection `marts` opens (the Spark engine's,
    eventdw.spark.marts_connection)."""
    live = _checked_place(exports_dir, warehouse, seeds_dir=None)
    try:
        with _exports_lock(live, exports_dir):
            return _export(warehouse, live, exports_dir, run_id, build, marts)
    except ExportError:
        raise
    except OSError as error:
        raise ExportError(f"cannot write the export to {exports_dir}: {error.strerror or error}") from error


def recover_exports(exports_dir: Path) -> bool:
    """Put the previous export back if a run died between the two renames of its swap; True when it did."""
    live = _resolved(exports_dir)
    if os.path.lexists(live) or not os.path.lexists(_previous(live)):
        return False
    try:
        with _exports_lock(live, exports_dir):
            return _restore_previous(live)
    except ExportsBusy:
        return False  # the run holding the lock is alive and puts a whole export in place itself
    except ExportError:
        raise
    except OSError as error:
        raise ExportError(f"cannot put the previous export back in {exports_dir}: {error.strerror or error}") from error


def _export(
    warehouse: Path,
    live: Path,
    shown: Path,
    run_id: str,
    build: dict[str, Any] | None,
    marts: Callable[[], duckdb.DuckDBPyConnection] | None = None,
) -> dict[str, int]:
    """Under the folder's lock: the export written beside `live`, then swapped in."""
    _restore_previous(live)
    prefix = f".{live.name}.incoming"
    for path in live.parent.iterdir():
        # Under the lock no other run is writing: every staging folder left is a dead run's.
        if path.name == prefix or path.name.startswith(f"{prefix}-"):
            shutil.rmtree(path, ignore_errors=True)
    _check_owned(live, shown)
    staging = live.with_name(f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '_', run_id)}")
    staging.mkdir()
    try:
        if build is None:
            with warehouse_connect(warehouse) as con:
                build = versions.build_record(con)
        with warehouse_connect(warehouse) if marts is None else marts() as con:
            rows = _write(con, staging, run_id, build, previous=live)
        _swap_in(staging, live)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        reason = _duckdb_write_failure(error, staging)
        if reason is not None:
            raise ExportError(f"cannot write the export to {shown}: {reason}") from error
        raise
    return rows


def _duckdb_write_failure(error: BaseException, staging: Path) -> str | None:
    """The reason of a DuckDB I/O error writing under `staging` (a full disk, say), else None."""
    import duckdb

    if not isinstance(error, duckdb.IOException) or str(staging) not in str(error):
        return None
    message = str(error).splitlines()[0].removeprefix("IO Error: ")
    return message.rsplit(": ", 1)[-1] if ": " in message else message


def _swap_in(staging: Path, live: Path) -> None:
    """Put the export in `staging` in the place of `live`; the old export is deleted after."""
    if not os.path.lexists(live):
        os.rename(staging, live)
    elif _exchange(staging, live):
        shutil.rmtree(staging, ignore_errors=True)  # the old export; if this fails, the next run deletes it
    else:
        previous = _previous(live)
        os.rename(live, previous)
        try:
            os.rename(staging, live)
        except BaseException:
            os.rename(previous, live)
            raise
        shutil.rmtree(previous, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):  # an old kernel, or a filesystem that cannot exchange
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


@functools.cache
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    """glibc's renameat2, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function: Any = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def _previous(live: Path) -> Path:
    return live.with_name(f".{live.name}.previous")


def _restore_previous(live: Path) -> bool:
    """Under the folder's lock: an eventdw `.previous` put back where the live export is missing, else deleted."""
    previous = _previous(live)
    if _eventdw_manifest(previous) is None:  # none, or not an export of ours: left alone
        return False
    if os.path.lexists(live):
        shutil.rmtree(previous)  # the old export of a run that died after its second rename
        return False
    os.rename(previous, live)
    return True


@contextmanager
def _exports_lock(live: Path, shown: Path) -> Iterator[None]:
    """Hold the flock on `.<name>.lock` beside `live` for the block, or raise ExportsBusy at once."""
    lock_path = live.with_name(f".{live.name}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle: IO[str] = lock_path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ExportsBusy(
                f"the exports folder {shown} is being written by another run ({holder}): "
                "wait for it to finish, or choose another folder"
            ) from None
        # The holder deletes the lock file before it lets go: a lock on a file no longer at the path
        # guards nothing, so take the one at the path again.
        try:
            locked = os.path.samestat(os.fstat(handle.fileno()), os.stat(lock_path))
        except FileNotFoundError:
            locked = False
        if locked:
            break
        handle.close()
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        handle.close()  # closing lets go of the flock


def _resolved(exports_dir: Path) -> Path:
    """`exports_dir` with every symlink resolved, or ExportError for a path no folder can have."""
    text = os.fspath(exports_dir)
    if not text:
        raise ExportError(f"the exports folder path is empty: {CHOOSE}, such as exports")
    if any(character in text for character in "\0\n\r"):
        raise ExportError(f"the exports folder path {text!r} holds a NUL or line-break character: {CHOOSE}")
    try:
        return Path(text).resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        raise ExportError(f"cannot resolve the exports folder {text}: {error}") from None


def _resolved_or_none(path: Path | None) -> Path | None:
    try:
        return None if path is None else path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def _checked_place(exports_dir: Path, warehouse: Path, seeds_dir: Path | None) -> Path:
    """The resolved exports folder, or ExportError if replacing it would delete what a run must keep."""
    live = _resolved(exports_dir)

    def replaces(place: Path | None) -> bool:
        return place is not None and (live == place or live in place.parents)

    if live == Path(live.anchor):
        raise ExportError(f"the exports folder {exports_dir} is the filesystem root: {CHOOSE}")
    try:
        home: Path | None = Path.home().resolve()
    except (OSError, RuntimeError):
        home = None
    if replaces(home):
        raise ExportError(f"the exports folder {exports_dir} would replace your home folder {home}: {CHOOSE}")
    try:
        cwd: Path | None = Path.cwd().resolve()
    except OSError:
        cwd = None
    if replaces(cwd):
        raise ExportError(f"the exports folder {exports_dir} would replace the current folder {cwd}: {CHOOSE}")
    seeds = _resolved_or_none(seeds_dir)
    if replaces(seeds):
        raise ExportError(f"the exports folder {exports_dir} would replace the seeds folder {seeds_dir}: {CHOOSE}")
    if seeds is not None and seeds in live.parents:
        raise ExportError(
            f"the exports folder {exports_dir} is inside the seeds folder {seeds_dir}: {CHOOSE} outside it"
        )
    database = _resolved_or_none(warehouse)
    if replaces(database):
        raise ExportError(f"the exports folder {exports_dir} would replace the warehouse {warehouse}: {CHOOSE}")
    if database is not None:
        # The siblings DuckDB, the run lock (eventdw.lock) and dbt (eventdw.transform) keep beside it.
        names = {warehouse.name, database.name}
        siblings = {f"{name}{suffix}" for name in names for suffix in (".wal", ".tmp", ".lock", ".dbt")}
        siblings |= {f"{Path(name).stem}.dbt" for name in names}
        for sibling in sorted(database.parent / name for name in siblings):
            if replaces(sibling) or sibling in live.parents:
                raise ExportError(
                    f"the exports folder {exports_dir} would replace or sits inside {sibling}, "
                    f"which the warehouse {warehouse} uses: {CHOOSE}"
                )
    if os.path.lexists(live) and not live.is_dir():
        raise ExportError(f"the exports folder {exports_dir} is not a folder: {CHOOSE}")
    return live


def _check_owned(live: Path, shown: Path) -> None:
    """ExportError unless `live` is missing, empty, or an export eventdw wrote holding only what it lists."""
    if not live.is_dir() or not any(live.iterdir()):
        return
    manifest = _eventdw_manifest(live)
    if manifest is None:
        raise ExportError(
            f"the exports folder {shown} holds files eventdw did not write (no eventdw manifest.json): {CHOOSE}"
        )
    listed = {str(entry["path"]) for entry in manifest["files"]} | {"manifest.json"}
    for path in sorted(live.rglob("*")):
        relative = path.relative_to(live).as_posix()
        if (path.is_symlink() or not path.is_dir()) and relative not in listed:
            raise ExportError(
                f"the exports folder {shown} holds {relative}, which its eventdw manifest.json does not list: "
                f"move it out, or {CHOOSE}"
            )


def _eventdw_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest.json of an export eventdw wrote in `folder` (this version's, or schema 1's), else None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    if not all(isinstance(entry, dict) and isinstance(entry.get("path"), str) for entry in manifest["files"]):
        return None
    # Manifests written before the "producer" key: schema 1 with its run id and tables.
    written_before = (
        manifest.get("schema_version") == "1"
        and isinstance(manifest.get("run_id"), str)
        and isinstance(manifest.get("tables"), dict)
    )
    return manifest if manifest.get("producer") == PRODUCER or written_before else None


def _sql_string(path: Path) -> str:
    """`path` as a DuckDB string literal (every path meets SQL through it: a ' in a folder name is doubled)."""
    return "'" + str(path).replace("'", "''") + "'"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write(
    con: duckdb.DuckDBPyConnection, staging: Path, run_id: str, build: dict[str, Any], previous: Path | None = None
) -> dict[str, int]:
    """Every export file and the manifest, into the (empty) folder `staging`; the files of the export in
    `previous` whose rows did not change are linked, not written (see the module's docstring)."""
    rows: dict[str, int] = {}
    kept = _reusable_parts(previous)
    parts: dict[str, dict[str, Any]] = {}
    hashes: dict[str, str] = {}

    def reuse(path: str, digest: str) -> bool:
        """Link `path` from the previous export when its rows' digest is the same; whether it did."""
        part = kept.get(path)
        if part is None or part["digest"] != digest or previous is None:
            return False
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(previous / path, target)
        except OSError:
            return False  # another filesystem, say: written instead
        parts[path], hashes[path] = part, part["sha256"]
        return True

    con.execute("set preserve_insertion_order = true")
    for table, (date, key) in PARTITIONED.items():
        months = con.execute(
            f"select {month_of(date)} as month, count(*), {_digest(con, table)} from marts.{table} as t "
            "group by all order by month nulls last"
        ).fetchall()
        rows[table] = sum(count for _, count, _ in months)
        digests = {_month_path(table, month): f"{count}:{xor}" for month, count, xor in months}
        changed = [
            month for month, _, _ in months if not reuse(_month_path(table, month), digests[_month_path(table, month)])
        ]
        if changed:
            where = within_months(date, changed)
            ordered = con.execute(
                f"select {_EXPORTED} from marts.{table} where {where} order by {date} nulls last, {key}"
            )
            _write_month_partitions(ordered.to_arrow_reader(READ_BATCH_ROWS), staging / table, date)
        for month in changed:
            parts[_month_path(table, month)] = {"digest": digests[_month_path(table, month)]}
        if table == "acled_events":
            _write_acled_csv(
                con, staging, [(month, digests[_month_path(table, month)]) for month, _, _ in months], reuse, parts
            )
    for table, key in DIMENSIONS.items():
        query = f"select count(*), {_digest(con, table)} from marts.{table} as t"
        (rows[table], xor) = con.execute(query).fetchone() or (0, 0)
        path, digest = f"{table}.parquet", f"{rows[table]}:{xor}"
        if not reuse(path, digest):
            con.execute(
                f"copy (select {_EXPORTED} from marts.{table} order by {key}) "
                f"to {_sql_string(staging / path)} (format parquet)"
            )
            parts[path] = {"digest": digest}
    # A linked file's hash is the previous manifest's: it is the same file. A CSV file holds the rows of
    # the Parquet file of its month.
    written = sorted(
        str(path.relative_to(staging)) for pattern in ("*.parquet", "*.csv") for path in staging.rglob(pattern)
    )
    # A linked file's rows are the previous manifest's too; a written file's are read from its footer.
    counted = _previous_rows(previous) if previous is not None else {}
    files: list[dict[str, Any]] = [
        {
            "path": path,
            "rows": counted[path]
            if path in hashes and path in counted
            else _parquet_rows(staging / _parquet_twin(path)),
            "sha256": hashes.get(path) or _sha256(staging / path),
        }
        for path in written
    ]
    for entry in files:
        stat = (staging / entry["path"]).stat()
        parts[entry["path"]] |= {"sha256": entry["sha256"], "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    # The description of the tables (Frictionless), listed with its hash but no rows: it is not a table.
    (staging / "datapackage.json").write_text(json.dumps(datapackage(staging), indent=2) + "\n")
    files.append({"path": "datapackage.json", "sha256": _sha256(staging / "datapackage.json")})
    manifest = {
        "producer": PRODUCER,
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "build": build,
        "tables": rows,
        "files": files,
        "parts": dict(sorted(parts.items())),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return rows


# The marts that are views, each with the table whose rows it extends with the dimensions' columns. A view's
# rows change when that table's rows do, whichever run wrote them, and when a dimension row they join does
# (events_described joins dim_place, whose rows a day's new spellings change: digested from fact_events' run
# ids alone, none of its months would see a place renamed; from every dimension's run ids, every month was
# written again each day, 379 MB at L).
VIEWS = {"events_described": "fact_events"}


def _digest(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A digest of the rows of marts.`table` (aliased t), with their count: what a file written from them
    is a function of. Every row a build writes carries its run's id (select_with_provenance), a new one each
    run, and a build only deletes rows or writes them: so rows whose count and set of run ids are those of
    the last export are the rows it wrote (reading one short column, not hashing every row). A view (VIEWS)
    adds the hash of each row's key and of the columns its table lacks, which its joins bring: the xor of
    those hashes, which reads the dimensions and the few columns they are joined on, not every column of
    every row (8.7 s of a day's export at L)."""
    run_ids = "coalesce(md5(string_agg(distinct run_id, ',' order by run_id)), '')"
    if table not in VIEWS:
        return run_ids
    own = set(mart_columns(con, VIEWS[table]))
    joined = [column for column in mart_columns(con, table) if column not in own]
    key = PARTITIONED[table][1]
    return f"{run_ids} || ':' || cast(coalesce(bit_xor(hash({', '.join([key, *joined])})), 0) as varchar)"


def mart_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of marts.`table`, in order."""
    query = "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
    return [name for (name,) in con.execute(query + "order by ordinal_position", [table]).fetchall()]


def _month_path(table: str, month: int | None, suffix: str = "parquet") -> str:
    """The file of a partitioned table's month (months since year 0; None: the rows without a date)."""
    if table in FLAT_MONTHS:
        return f"{table}/{'undated' if month is None else f'{month // 12:04d}-{month % 12 + 1:02d}'}.{suffix}"
    partition = f"year={NO_DATE}/month={NO_DATE}" if month is None else f"year={month // 12}/month={month % 12 + 1:02d}"
    return f"{table}/{partition}/part_0.{suffix}"


def month_of(date: str) -> str:
    """The month of the column `date`, in SQL, as the partitions count them: months since year 0."""
    return f"year({date}) * 12 + month({date}) - 1"


def within_months(date: str, months: Collection[int | None]) -> str:
    """The rows of `months` (months since year 0; None: the rows without a date), in SQL: ranges of `date`
    between two date literals, consecutive months in one range. DuckDB skips the row groups outside them by
    their statistics, where it would compute year() and month() of every row (at L, 1.2 s instead of 1.9 s to
    read the month of a day's mentions; a range between make_date() calls is not pruned); and one range for a
    run of months costs what one month does, where a range per month is one more test per row for each (at L,
    the lake's comparison of the 166 months of fact_events took 1.5 s so, 2.4 to 2.8 s with a range a month). A year
    a literal cannot write is compared as months."""
    spans: list[list[int]] = []
    for month in sorted({month for month in months if month is not None}):
        if spans and spans[-1][1] == month - 1:
            spans[-1][1] = month
        else:
            spans.append([month, month])
    conditions = [_month_span(date, first, last) for first, last in spans]
    if None in months:
        conditions.append(f"{date} is null")
    return " or ".join(conditions) or "false"


def _month_span(date: str, first: int, last: int) -> str:
    (year, month_of_year), (end_year, end_month_of_year) = divmod(first, 12), divmod(last + 1, 12)
    if not (year >= 1 and end_year <= 9999):
        return f"({month_of(date)} between {first} and {last})"
    start = f"date '{year:04d}-{month_of_year + 1:02d}-01'"
    end = f"date '{end_year:04d}-{end_month_of_year + 1:02d}-01'"
    return f"({date} >= {start} and {date} < {end})"


def _parquet_twin(path: str) -> str:
    """The Parquet file holding the rows of the export file `path` (a month of acled_events_csv: that month
    of acled_events)."""
    if path.startswith(f"{ACLED_CSV}/"):
        return "acled_events" + path[len(ACLED_CSV) : -len(".csv")] + ".parquet"
    return path


def _write_acled_csv(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    months: list[tuple[int | None, str]],
    reuse: Callable[[str, str], bool],
    parts: dict[str, dict[str, Any]],
) -> None:
    """ACLED's own tooling reads CSV: each month of acled_events (`months`: month and the digest of its rows)
    also as acled_events_csv/YYYY-MM.csv, copied from the month's Parquet file just written
    (its rows in order, no sort again), in ACLED's 31 columns (without the mart's source_system and
    build_id). A month whose rows and setting are unchanged is linked, as the Parquet files are."""
    numeric = acled_inter_numeric()
    for month, rows_digest in months:
        path, digest = _month_path(ACLED_CSV, month, "csv"), f"{rows_digest}:{'numeric' if numeric else 'named'}"
        if reuse(path, digest):
            continue
        parquet = _sql_string(staging / _month_path("acled_events", month))
        left_out = ", ".join(ACLED_CSV_LEFT_OUT)
        acled = f"(select * exclude ({left_out}) from read_parquet({parquet}, hive_partitioning = false))"
        (staging / path).parent.mkdir(parents=True, exist_ok=True)
        _write_csv(con, _numeric_inter(acled) if numeric else acled, staging / path)
        parts[path] = {"digest": digest}


def _previous_rows(previous: Path) -> dict[str, int]:
    """The rows of each file the manifest of the export in `previous` lists."""
    manifest = _eventdw_manifest(previous) or {}
    return {entry["path"]: entry["rows"] for entry in manifest.get("files", []) if isinstance(entry.get("rows"), int)}


def _reusable_parts(previous: Path | None) -> dict[str, dict[str, Any]]:
    """The files of the export in `previous` that a new export may link: those its manifest (of this schema)
    lists with a digest, still the same size and modification time (not written since)."""
    manifest = None if previous is None else _eventdw_manifest(previous)
    if previous is None or manifest is None or manifest.get("schema_version") != SCHEMA_VERSION:
        return {}
    reusable = {}
    for path, part in (manifest.get("parts") or {}).items():
        try:
            stat = (previous / path).stat()
        except OSError:
            continue
        if (stat.st_size, stat.st_mtime_ns) == (part.get("size"), part.get("mtime_ns")) and part.get("sha256"):
            reusable[path] = part
    return reusable


# Arrow's types as Frictionless Table Schema field types.
FRICTIONLESS_TYPES = {"string": "string", "large_string": "string", "bool": "boolean", "date32[day]": "date"}


def _field_type(arrow_type: pa.DataType) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "number"
    if pa.types.is_timestamp(arrow_type):
        return "datetime"
    return FRICTIONLESS_TYPES.get(str(arrow_type), "any")


def _mart_docs() -> dict[str, tuple[str, dict[str, str]]]:
    """Each mart's description and its columns' descriptions, from the dbt project's yml (doc blocks filled in)."""
    import yaml  # type: ignore[import-untyped]

    from eventdw import DBT_PROJECT_DIR

    marts = DBT_PROJECT_DIR / "models" / "marts"
    blocks = dict(
        re.findall(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", (marts / "_marts__docs.md").read_text(), re.S)
    )

    def text(description: str | None) -> str:
        filled = re.sub(r"{{\s*doc\('(\w+)'\)\s*}}", lambda m: blocks.get(m.group(1), "").strip(), description or "")
        return " ".join(filled.split())

    # libyaml's loader where PyYAML has it: ten times the pure-Python one's speed (0.4 s of every export).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    models = yaml.load((marts / "_marts__models.yml").read_text(), Loader=loader)["models"]  # noqa: S506
    return {
        model["name"]: (
            text(model.get("description")),
            {c["name"]: text(c.get("description")) for c in model["columns"]},
        )
        for model in models
    }


def datapackage(folder: Path) -> dict[str, Any]:
    """The export described as a Frictionless Data Package (datapackage.json): one tabular resource per
    table (the partitions of a fact table are the parts of one resource), each field's type and meaning.
    The same marts give the same file, run after run (the run id is the manifest's)."""
    import pyarrow.parquet as pq

    docs = _mart_docs()
    resources: list[dict[str, Any]] = []
    fields_of: dict[str, list[dict[str, str]]] = {}
    for table, key in [*((table, key) for table, (_, key) in PARTITIONED.items()), *DIMENSIONS.items()]:
        paths = sorted(folder.glob(f"{table}/**/*.parquet")) if table in PARTITIONED else [folder / f"{table}.parquet"]
        if not paths or not paths[0].is_file():
            continue
        description, columns = docs.get(table, ("", {}))
        schema = pq.read_schema(paths[0])
        fields = [
            {"name": name, "type": _field_type(arrow_type), "description": columns.get(name, "")}
            for name, arrow_type in zip(schema.names, schema.types, strict=True)
        ]
        fields_of[table] = fields
        relative = [str(path.relative_to(folder)) for path in paths]
        resources.append(
            {
                "name": table,
                "profile": "tabular-data-resource",
                "path": relative if table in PARTITIONED else relative[0],
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "description": description + (_partitioned_by(table) if table in PARTITIONED else ""),
                "schema": {"fields": fields, "primaryKey": [column.strip() for column in key.split(",")]},
            }
        )
    csv_paths = sorted(folder.glob(f"{ACLED_CSV}/*.csv"))
    if csv_paths:
        resources.append(
            {
                "name": ACLED_CSV,
                "profile": "tabular-data-resource",
                "path": [str(path.relative_to(folder)) for path in csv_paths],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "description": "The ACLED-format events in ACLED's 31 columns, as ACLED's tools read them, a file "
                "per month of event_date (YYYY-MM.csv), each with the header.",
                "schema": {
                    "fields": [f for f in fields_of.get("acled_events", []) if f["name"] not in ACLED_CSV_LEFT_OUT]
                },
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "eventdw-export",
        "title": "eventdw: political violence and unrest events",
        "description": "The marts of an eventdw run: events, their mentions in articles, actors, places, "
        "articles, CAMEO codes, ACLED-format events and links between sources. manifest.json names the run "
        "and lists every file with its rows and SHA-256.",
        "version": SCHEMA_VERSION,
        "resources": resources,
    }


def _partitioned_by(table: str) -> str:
    date = PARTITIONED[table][0]
    if table in FLAT_MONTHS:
        return f" A file per month of {date} (YYYY-MM.parquet; rows without one in undated.parquet)."
    return (
        f" Partitioned by the year and month of {date} (year=YYYY/month=MM; rows without one in "
        f"year={NO_DATE}/month={NO_DATE}, which DuckDB, Spark and pyarrow read as null)."
    )


def acled_inter_numeric() -> bool:
    """Whether the ACLED CSV files give ACLED's actor types as the older numbers (EVENTDW_ACLED_INTER_NUMERIC,
    `eventdw run --acled-inter-numeric`), as ACLED's API does with inter_num=1."""
    return os.environ.get(ACLED_INTER_NUMERIC_SETTING, "").strip().lower() in ("1", "true", "yes")


def parquet_export() -> bool:
    """Whether a run writes the Parquet export: unless EVENTDW_PARQUET is 0 (`eventdw run --no-parquet`, for a
    deployment read through its lake, eventdw.lake, whose runs then write the rows they changed, not months)."""
    return os.environ.get(PARQUET_SETTING, "").strip().lower() not in ("0", "false", "no")


def _numeric_inter(acled: str) -> str:
    """The ACLED rows of `acled` with inter1, inter2 and interaction as numbers: a missing actor2 is 0, and
    the interaction the two codes, the smaller first (a lone actor's code times ten)."""
    return f"""(
        select acled.* replace (
            type1.acled_inter_code as inter1,
            coalesce(type2.acled_inter_code, 0) as inter2,
            case
                when type2.acled_inter_code is null then type1.acled_inter_code * 10
                else least(type1.acled_inter_code, type2.acled_inter_code) * 10
                    + greatest(type1.acled_inter_code, type2.acled_inter_code)
            end as interaction
        )
        from {acled} as acled
        left join staging.stg_reference__acled_actor_types as type1 on type1.acled_inter_type = acled.inter1
        left join staging.stg_reference__acled_actor_types as type2 on type2.acled_inter_type = acled.inter2
        order by acled.event_date, acled.event_id_cnty
    )"""


def _write_csv(con: duckdb.DuckDBPyConnection, source: str, target: Path) -> None:
    """The rows of `source` (a table expression) as CSV with a header, text cells that start a formula quoted."""
    cells = []
    for name, data_type, *_ in con.execute(f"describe select * from {source}").fetchall():
        column = '"' + name.replace('"', '""') + '"'
        if data_type == "VARCHAR":
            column = f"regexp_replace({column}, '{FORMULA_START}', '''\\1') as {column}"
        cells.append(column)
    con.execute(f"copy (select {', '.join(cells)} from {source}) to {_sql_string(target)} (header, delimiter ',')")


def _write_month_partitions(batches: pa.RecordBatchReader, folder: Path, date: str) -> None:
    """Rows ordered by their `date` (those without one last) into the files of their months (_month_path:
    Hive partitions or plain files, the months in the path only), one file per month with a row group every
    ROW_GROUP_ROWS rows.

    The rows are read here and the files written by WRITERS threads, the months in turn (pyarrow encodes
    and compresses without holding the GIL, so two months are written at once while DuckDB reads the
    next); a month's row groups are written in order by one thread. At most WRITES_AHEAD row groups wait
    to be written: memory holds a few row groups, not a month."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    schema = batches.schema
    files: dict[int, pq.ParquetWriter] = {}

    def open_file(month: int) -> None:
        path = folder.parent / _month_path(folder.name, None if month < 0 else month)
        path.parent.mkdir(parents=True, exist_ok=True)
        files[month] = pq.ParquetWriter(path, schema, compression="snappy")

    def write_rows(month: int, rows: pa.Table) -> None:
        files[month].write_table(rows, row_group_size=ROW_GROUP_ROWS)

    def close_file(month: int) -> None:
        files.pop(month).close()

    writers = [ThreadPoolExecutor(1, thread_name_prefix="export-writer") for _ in range(WRITERS)]
    waiting: deque[Future[None]] = deque()
    month, writer, pending = None, writers[0], list[pa.RecordBatch]()

    def submit(work: Callable[..., None], *arguments: Any) -> None:
        while len(waiting) >= WRITES_AHEAD:
            waiting.popleft().result()
        waiting.append(writer.submit(work, *arguments))

    def write(partition_done: bool) -> None:
        """Hand the pending rows' whole row groups to the month's writer, and the rest too when the
        partition is done."""
        data = pa.Table.from_batches(pending, schema=schema)
        while data.num_rows >= ROW_GROUP_ROWS or (partition_done and data.num_rows):
            submit(write_rows, month, data.slice(0, ROW_GROUP_ROWS))
            data = data.slice(ROW_GROUP_ROWS)
        pending[:] = data.to_batches()

    try:
        months_started = 0
        for batch in batches:
            dates = batch.column(date)
            # Months since year 0; -1 for a row without a date.
            months = pc.fill_null(pc.add(pc.multiply(pc.year(dates), 12), pc.subtract(pc.month(dates), 1)), -1)
            months = months.to_numpy()
            starts = [0, *(np.flatnonzero(np.diff(months)) + 1).tolist()]
            for start, end in zip(starts, [*starts[1:], len(months)], strict=True):
                if months[start] != month:
                    if month is not None:
                        write(partition_done=True)
                        submit(close_file, month)
                    month, writer = int(months[start]), writers[months_started % WRITERS]
                    months_started += 1
                    submit(open_file, month)
                pending.append(batch.slice(start, end - start))
                if sum(len(b) for b in pending) >= ROW_GROUP_ROWS:
                    write(partition_done=False)
        if month is not None:
            write(partition_done=True)
            submit(close_file, month)
        while waiting:
            waiting.popleft().result()
    finally:
        for each in writers:
            each.shutdown(cancel_futures=True)
        for left_open in files.values():  # a write failed: its file is deleted with the staging folder
            left_open.close()


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)
