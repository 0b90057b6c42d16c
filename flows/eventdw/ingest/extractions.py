"""Land the extraction files in the work table raw.incoming_extractions, each file by the fastest reader that
reads it exactly as the Python reader does (eventdw.ingest.csv_readers).

A file that the last load read whole and that is unchanged since is not read again: its rows as read stay
in raw.landed_extractions (eventdw.state.keep_rows_as_read). A file that changed since is read whole and its
rows compared with those kept (land_changed_rows): only the rows that differ are landed, and the rows kept
that are gone or differ are listed, so that a coder's edit of one row in a large file lands that row, not
the file.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.ingest import csv_readers, raw_tables
from eventdw.ingest.csv_readers import CsvFile
from eventdw.ingest.files import (
    MAX_CSV_BYTES,
    FileProblem,
    InputFile,
    Rejection,
    read_regular_file,
    same_file,
    scan_folder,
    sha256_hex,
)
from eventdw.ingest.parallel import map_ahead
from eventdw.ingest.raw_tables import EXTRACTION_REQUIRED

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from eventdw.state import LandedFile


APPEND_ROWS = 250_000  # rows appended at a time: two full row groups, which DuckDB writes past its log
READERS = 2  # threads reading files while this one lands them: a read is mostly DuckDB's and Arrow's, off the GIL


def land_extractions(
    con: duckdb.DuckDBPyConnection,
    extractions_dir: Path,
    landed_before: dict[str, LandedFile],
    reader: str,
) -> list[CsvFile]:
    """Read the extraction files into the work table raw.incoming_extractions, in name order; the files as
    read, without their values, after the entries rejected unread (see files.scan_folder). READERS threads
    read the next files while this one's rows are appended, and the rows are appended APPEND_ROWS or so at a time
    (memory holds a few files' values at most). `landed_before` holds the files whose rows
    raw.landed_extractions keeps (raw.landed_files: source file -> hash, loader and signature). One of them
    unchanged since (its signature, or, read again, its hash, that of then) and read by this loader
    (`reader`, the loader's fingerprint) is not read again: its name is
    left in the work table unchanged_extraction_files. One that changed, read
    whole now, lands only its rows that differ from those kept (land_changed_rows): it is listed in the work
    table compared_extraction_files, and its kept rows that differ or are gone in superseded_rows."""
    import pyarrow as pa

    raw_tables.create(con, "landed_extractions", named="incoming_extractions")
    con.execute("create or replace temp table compared_extraction_files (source_file varchar)")
    con.execute("create or replace temp table superseded_rows (source_file varchar, row_number bigint)")
    unchanged: list[str] = []
    waiting: list[pa.Table] = []

    def append() -> None:
        if waiting:
            raw_tables.append(con, "incoming_extractions", pa.concat_tables(waiting))
            waiting.clear()

    found, rejections = scan_folder(extractions_dir, ".csv", "extraction", time.time_ns())
    files = [CsvFile(r.source_file, None, rejections=[r]) for r in rejections]
    unread_if_same = {name: landed for name, landed in landed_before.items() if landed.read_by == reader}
    calls = [(extractions_dir, file, unread_if_same) for file in found]
    with ThreadPoolExecutor(READERS) as threads:
        for csv_file, landed in map_ahead(threads, read_extraction_file, calls, READERS + 1):
            files.append(csv_file)
            if landed is None:
                unchanged.append(csv_file.source_file)
            elif csv_file.source_file in landed_before and not csv_file.rejections:
                land_changed_rows(con, csv_file.source_file, landed)
            elif landed.num_rows:
                waiting.append(landed)
                if sum(table.num_rows for table in waiting) >= APPEND_ROWS:
                    append()
        append()
    con.register("unchanged_files", pa.table({"source_file": pa.array(unchanged, pa.string())}))
    con.execute("create or replace temp table unchanged_extraction_files as select * from unchanged_files")
    con.unregister("unchanged_files")
    return files


def land_changed_rows(con: duckdb.DuckDBPyConnection, source_file: str, rows: pa.Table) -> None:
    """Compare the `rows` of a changed file, read whole, with its rows raw.landed_extractions keeps: append
    to raw.incoming_extractions those that differ from the kept row at the same row number (every value as
    read) or are new, and list in superseded_rows the kept rows that differ or are gone. The others are read
    again as they were: they stay where they are, and keep their verdicts (eventdw.state.plan_validation).
    A file's row numbers are its records' (unique): the rows are paired by theirs alone, in one join, and
    their values compared after it (joining on every value costs twice as much, and twice)."""
    differ = " or ".join(f"kept.{name} is distinct from read.{name}" for name in raw_tables.LANDED_COLUMNS[2:])
    con.register("rows_read", rows)
    con.execute(
        f"""
        create or replace temp table differing_rows as
        select read.*, kept.row_number as kept_row_number
        from rows_read as read
        full join (select * from raw.landed_extractions where source_file = $source_file) as kept
            on kept.row_number = read.row_number
        where read.row_number is null or kept.row_number is null or {differ}
        """,
        {"source_file": source_file},
    )
    con.unregister("rows_read")
    con.execute(
        "insert into raw.incoming_extractions "
        "select * exclude (kept_row_number) from differing_rows where row_number is not null"
    )
    con.execute(
        "insert into superseded_rows select $source_file, kept_row_number from differing_rows "
        "where kept_row_number is not null",
        {"source_file": source_file},
    )
    con.execute("insert into compared_extraction_files values ($source_file)", {"source_file": source_file})
    con.execute("drop table differing_rows")


def read_extraction_file(
    extractions_dir: Path, file: InputFile, unread_if_same: dict[str, LandedFile]
) -> tuple[CsvFile, pa.Table | None]:
    """One extraction file: the file as read (without its values) and its rows as raw.incoming_extractions
    holds them; no rows (None) if the file is the one `unread_if_same` gives its name (see land_extractions):
    not opened if it has the signature it had then, not parsed if it has the hash. The signature kept is
    the scan's, taken before the file is read: a write after it changes the next scan's."""
    before = unread_if_same.get(file.source_file)
    if before is not None and file.signature is not None and file.signature == before.file_signature:
        return CsvFile(file.source_file, before.file_sha256, file_signature=file.signature), None
    path, identity = file.path(extractions_dir), (file.device, file.inode)
    try:
        data, status = read_regular_file(path, MAX_CSV_BYTES, "an extraction file", identity)
    except FileProblem as problem:
        unread = CsvFile(file.source_file, None, rejections=[_file_rejection(file, str(problem))])
        return unread, csv_readers.landed_rows(unread)  # no rows
    digest = sha256_hex(data)
    if before is not None and before.file_sha256 == digest:
        return CsvFile(file.source_file, digest, file_signature=file.signature), None
    header = csv_readers.plain_csv_header(data, EXTRACTION_REQUIRED)
    landed = csv_readers.read_plain_csv(Path(path), data, file.source_file, header) if header else None
    if header and landed is not None and same_file(path, status):  # DuckDB read the bytes checked
        read = CsvFile(file.source_file, digest, header, file_signature=file.signature)
        return read, landed.cast(raw_tables.landed_schema())
    csv_file = csv_readers.read_csv_file(extractions_dir / file.name, EXTRACTION_REQUIRED, "extraction", data)
    csv_file.file_signature = file.signature
    landed = csv_readers.landed_rows(csv_file)
    csv_file.columns, csv_file.row_numbers = {}, []
    return csv_file, landed


def _file_rejection(file: InputFile, reason: str) -> Rejection:
    return Rejection("extraction", file.source_file, None, reason)
