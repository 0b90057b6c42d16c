"""Land the inputs in the warehouse's `raw` schema, with provenance, in one transaction.

`raw` always mirrors the current input folder: a load leaves it as a load from scratch would, so running
twice on the same inputs leaves the same tables (their one definition: raw_tables). Every input row ends in
`raw.extractions` (accepted) or in `raw.rejected_rows` (with a reason naming the field); whole files that
cannot be read are rejected there too.

The files that changed since the last load are first read into two work tables, `raw.incoming_articles`
and `raw.incoming_extractions` (of a CSV file read before, only the rows that differ from those kept:
extractions.land_changed_rows), committed as they fill: DuckDB holds a transaction's small appends in
memory until it commits, so landing ten million rows inside the transaction would hold them all in
memory. The transaction then puts the articles read in the place of those they replace (the unchanged
ones' rows stay), validates the extractions whose verdict can change into `raw.extractions` and
`raw.rejected_rows`, and keeps the rows as read in `raw.landed_extractions`, where the unchanged files'
rows, and the rows read again as they were, stay too: a load costs what changed, not a copy of every
row. A load killed before it commits leaves `raw` as the last load left it (and perhaps the work tables,
which the next load replaces). What a load reuses from the last one (files unchanged since, and their
rows' verdicts) is eventdw.state's to decide.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw import state
from eventdw.ingest import articles, extractions, gazetteer, imports, raw_tables, reference, validation
from eventdw.ingest.files import InputError

if TYPE_CHECKING:
    import duckdb

    from eventdw.ingest.csv_readers import CsvFile
    from eventdw.ingest.files import Rejection

__all__ = ["InputError", "LoadSummary", "check_inputs", "load_inputs"]


@dataclass(frozen=True)
class LoadSummary:
    """What one load put in `raw`."""

    run_id: str
    articles_loaded: int
    extraction_rows_read: int
    extraction_rows_accepted: int
    rejected_rows: int
    extraction_rows_validated: int  # rows validated by this load; the others kept the last load's verdict
    imported_rows_accepted: int = 0  # rows of ACLED and GDELT files (acled/, gdelt/) in raw
    imported_rows_rejected: int = 0


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
    or contradict themselves (SettingError if EVENTDW_COUNTRIES names no country): what a run checks before
    anything slow starts."""
    gazetteer.gazetteer_countries()
    _check_folders(seeds_dir)
    reference.check_reference(seeds_dir / "reference")


def load_inputs(con: duckdb.DuckDBPyConnection, seeds_dir: Path, run_id: str) -> LoadSummary:
    """Replace `raw` with what `seeds_dir` holds now: reference data, articles, extractions."""
    _check_folders(seeds_dir)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    # The reference tables are made again only when what they are made of changed (state.reference_fingerprint).
    references_made_of = state.reference_fingerprint(seeds_dir / "reference")
    kept = state.references_kept(con, references_made_of)
    references = None if kept else reference.reference_tables(seeds_dir / "reference")
    loader = state.loader_fingerprint()
    landed_before = state.files_landed_before(con)
    extraction_files = extractions.land_extractions(con, seeds_dir / "extractions", landed_before, loader)
    article_rejections = articles.land_articles(con, seeds_dir / "articles", loaded_at, loader)
    imported_before = state.files_imported_before(con, references)
    imported_files = imports.land_imports(con, seeds_dir, imported_before)
    file_rejections = article_rejections + [r for f in extraction_files for r in f.rejections]
    con.execute("begin transaction")
    try:
        imports.keep_rejections(con, imported_files)
        keep_verdicts = state.plan_validation(con, references, landed_before)
        for name, data in (references or {}).items():
            raw_tables.replace(con, name, data)
        state.record_reference_fingerprint(con, references_made_of)
        articles.update_articles(con)
        validated = validation.validate(con)
        con.execute("drop view rows_to_validate")
        landed = state.keep_rows_as_read(con, extraction_files, loader, landed_before)
        _drop_work_tables(con)
        validation.record_verdicts(con, file_rejections, keep_verdicts, run_id, loaded_at)
        imported_accepted, imported_rejected = imports.record_imports(con, imported_files, loader, run_id, loaded_at)
        _record_source_files(con, article_rejections, extraction_files, imported_files, loaded_at)
        read = landed + sum(1 for f in extraction_files for r in f.rejections if r.row_number is not None)
        summary = LoadSummary(
            run_id,
            raw_tables.count(con, "articles"),
            read,
            raw_tables.count(con, "extractions"),
            raw_tables.count(con, "rejected_rows"),
            validated,
            imported_accepted,
            imported_rejected,
        )
        _record_load_run(con, summary, seeds_dir, loaded_at)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return summary


def _drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the work tables the validation and the updates of raw read: what state.plan_validation,
    extractions.land_extractions and articles.land_articles left for them."""
    con.execute("drop table if exists unchanged_extraction_files")
    con.execute("drop table if exists articles_to_revise")
    con.execute("drop table if exists days_to_revise")
    con.execute("drop table if exists compared_extraction_files")
    con.execute("drop table if exists superseded_rows")
    con.execute("drop table if exists unchanged_articles")
    con.execute("drop table if exists rejected_article_files")


def _record_source_files(
    con: duckdb.DuckDBPyConnection,
    article_rejections: list[Rejection],
    extraction_files: list[CsvFile],
    imported_files: list[imports.ImportedFile],
    loaded_at: datetime,
) -> None:
    """Replace raw.source_files with every file read or rejected: the articles (raw.articles, as this load
    left it), the article files and entries rejected whole, every CSV file and extraction entry, every entry
    of acled/ and gdelt/. A file rejected without being read has no hash."""
    other_files = [(r.source_file, "article", r.file_sha256) for r in article_rejections]
    other_files += [(f.source_file, "extraction", f.file_sha256) for f in extraction_files]
    other_files += [(f.source_file, f.input_kind, f.file_sha256) for f in imported_files]
    rows = [
        {"source_file": name, "input_kind": kind, "file_sha256": digest, "loaded_at": loaded_at}
        for name, kind, digest in other_files
    ]
    con.register("other_files", raw_tables.arrow(rows, raw_tables.arrow_schema("source_files")))
    con.execute(
        """
        create or replace table raw.source_files as
        select * from (
            select source_file, 'article' as input_kind, file_sha256, cast(? as timestamp) as loaded_at
            from raw.articles
            union all
            select * from other_files
        )
        order by source_file, input_kind
        """,
        [loaded_at],
    )
    con.unregister("other_files")


def _record_load_run(
    con: duckdb.DuckDBPyConnection, summary: LoadSummary, seeds_dir: Path, loaded_at: datetime
) -> None:
    """Add the load's row to raw.load_runs."""
    raw_tables.create(con, "load_runs", if_missing=True)
    con.execute(
        "insert into raw.load_runs values (?, ?, ?, ?, ?, ?, ?)",
        [
            summary.run_id,
            loaded_at,
            str(seeds_dir),
            summary.articles_loaded,
            summary.extraction_rows_read,
            summary.extraction_rows_accepted,
            summary.rejected_rows,
        ],
    )
