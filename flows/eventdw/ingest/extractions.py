"""Land the extraction files in the work table raw.incoming_extractions, each file by the fastest reader that
reads it exactly as the Python reader does (eventdw.ingest.csv_readers).

A file that the last load read whole and that is unchanged since is not read again: its rows as read stay
in raw.landed_extractions (eventdw.state.keep_rows_as_read).
"""

from __future__ import annotations

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


APPEND_ROWS = 250_000  # rows appended at a time: two full row groups, which DuckDB writes past its log


def land_extractions(
    con: duckdb.DuckDBPyConnection, extractions_dir: Path, landed_before: dict[str, str], reader: str
) -> tuple[list[CsvFile], list[str]]:
    """Read the extraction files into the work table raw.incoming_extractions, in name order, `reader` (the
    loader's fingerprint) in read_by; the files as read, without their values, after the entries rejected
    unread (see files.scan_folder). A thread reads the next file while this one's rows are appended, and the
    rows are appended APPEND_ROWS or so at a time (memory holds a few files' values at most). A file of
    `landed_before` (source file -> hash of the files whose rows raw.landed_extractions keeps, as read by this
    loader: those the last load read whole, every row landed, none rejected by the reader) that is unchanged
    since is not read again (its rows as read stay in raw.landed_extractions); those files' names are
    returned with the files, and left in the work table unchanged_extraction_files."""
    import pyarrow as pa

    raw_tables.create(con, "landed_extractions", named="incoming_extractions", defaults={"read_by": reader})
    unchanged: list[str] = []
    waiting: list[pa.Table] = []

    def append() -> None:
        if waiting:
            raw_tables.append(con, "incoming_extractions", pa.concat_tables(waiting))
            waiting.clear()

    found, rejections = scan_folder(extractions_dir, ".csv", "extraction")
    files = [CsvFile(r.source_file, None, rejections=[r]) for r in rejections]
    calls = [(extractions_dir, file, landed_before) for file in found]
    with ThreadPoolExecutor(1) as thread:
        for csv_file, landed in map_ahead(thread, read_extraction_file, calls, 2):
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
    return files, unchanged


def read_extraction_file(
    extractions_dir: Path, file: InputFile, landed_before: dict[str, str]
) -> tuple[CsvFile, pa.Table | None]:
    """One extraction file: the file as read (without its values) and its rows as raw.incoming_extractions
    holds them; no rows (None) if it is unchanged since the last load read it whole (see land_extractions)."""
    path, identity = file.path(extractions_dir), (file.device, file.inode)
    try:
        data, status = read_regular_file(path, MAX_CSV_BYTES, "an extraction file", identity)
    except FileProblem as problem:
        unread = CsvFile(file.source_file, None, rejections=[_file_rejection(file, str(problem))])
        return unread, csv_readers.landed_rows(unread)  # no rows
    digest = sha256_hex(data)
    if landed_before.get(file.source_file) == digest:
        return CsvFile(file.source_file, digest), None
    header = csv_readers.plain_csv_header(data, EXTRACTION_REQUIRED)
    landed = csv_readers.read_plain_csv(Path(path), data, file.source_file, digest, header) if header else None
    if header and landed is not None and same_file(path, status):  # DuckDB read the bytes checked
        return CsvFile(file.source_file, digest, header), landed.cast(raw_tables.landed_schema())
    csv_file = csv_readers.read_csv_file(extractions_dir / file.name, EXTRACTION_REQUIRED, "extraction", data)
    landed = csv_readers.landed_rows(csv_file)
    csv_file.columns, csv_file.row_numbers = {}, []
    return csv_file, landed


def _file_rejection(file: InputFile, reason: str) -> Rejection:
    return Rejection("extraction", file.source_file, None, reason)
