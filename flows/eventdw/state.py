"""What a load may reuse from the load before it: the rows it made from inputs unchanged since.

A load reuses what the last load made from inputs that have not changed since, by the same loader code
(loader_fingerprint: a hash of every file of eventdw.ingest). An article file unchanged since it was parsed
is copied from `raw.articles`, an extraction file unchanged since it was read whole from
`raw.landed_extractions`. Nor are their rows validated again when nothing a verdict depends on changed (see
_forget_verdicts_to_revise): those keep their place in `raw.extractions` or `raw.rejected_rows` (and their
`loaded_at`, `run_id`: the load that validated them), and the tables end as a first load of the same inputs
would leave them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.ingest import raw_tables

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from eventdw.ingest.csv_readers import CsvFile

INGEST_DIR = Path(__file__).with_name("ingest")


def code_fingerprint(folder: Path) -> str:
    """A hash of every `*.py` and `*.sql` file under `folder`, at any depth: each one's path relative to
    `folder` and its bytes, in path order. A file added, removed, renamed or edited changes it."""
    digest = hashlib.sha256()
    code = [path for path in folder.rglob("*") if path.suffix in {".py", ".sql"} and path.is_file()]
    for path in sorted(code, key=lambda path: path.relative_to(folder).as_posix()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@cache
def loader_fingerprint() -> str:
    """A hash of the code that turns input files into raw rows, every file of the eventdw.ingest package (the
    readers, the article parser, the validation): rows kept from a load by other code are read, parsed and
    validated again."""
    return code_fingerprint(INGEST_DIR)


def files_landed_before(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Source file -> hash of the extraction files whose rows raw.landed_extractions keeps, as read by this
    version of the loader (none if the table is missing or has other columns)."""
    if raw_tables.columns(con, "landed_extractions") != raw_tables.LANDED_COLUMNS:
        return {}
    query = "select distinct source_file, file_sha256 from raw.landed_extractions where read_by = ?"
    return dict(con.execute(query, [loader_fingerprint()]).fetchall())


def articles_parsed_before(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """Article id -> (file hash, file signature) of the articles in raw.articles parsed by this version of the
    loader (none if there is no raw.articles, or it has other columns than this version writes)."""
    if raw_tables.columns(con, "articles") != [name for name, _ in raw_tables.COLUMNS["articles"]]:
        return {}
    query = "select article_id, file_sha256, file_signature from raw.articles where parsed_by = ?"
    return {row[0]: (row[1], row[2]) for row in con.execute(query, [loader_fingerprint()]).fetchall()}


# The reference tables the validation reads: the CAMEO codes, ACLED's sub-event types, the country names.
VALIDATION_REFERENCES = ("cameo_codes", "ref_acled_event_types", "country_names")


def _validation_references_unchanged(con: duckdb.DuckDBPyConnection, references: dict[str, pa.Table]) -> bool:
    """Whether the reference tables the validation reads (VALIDATION_REFERENCES) are the ones in `raw` now,
    which the last load validated against."""
    for name in VALIDATION_REFERENCES:
        if raw_tables.columns(con, name) != references[name].column_names:
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
    unchanged_extraction_files (see extractions.land_extractions), and those about the articles in
    articles_to_revise.

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


def plan_validation(
    con: duckdb.DuckDBPyConnection, references: dict[str, pa.Table], unchanged_files: list[str]
) -> bool:
    """Whether the last load's verdicts are kept for the rows whose inputs are unchanged (`unchanged_files`:
    the extraction files copied, not read): only when the reference tables the validation reads (`references`,
    about to replace raw's) are unchanged and the last load is intact. Points the work view rows_to_validate
    at the rows to validate: every landed row, or those whose verdict may have changed (see
    _forget_verdicts_to_revise, which deletes their old verdicts). Runs in the load's transaction."""
    keep_verdicts = (
        bool(unchanged_files) and _validation_references_unchanged(con, references) and _last_load_intact(con)
    )
    if keep_verdicts:
        _forget_verdicts_to_revise(con)
    else:
        con.execute("create or replace temp view rows_to_validate as select * from raw.incoming_extractions")
    return keep_verdicts


def keep_rows_as_read(con: duckdb.DuckDBPyConnection, files: list[CsvFile]) -> None:
    """Keep the rows as read (raw.incoming_extractions) in raw.landed_extractions for the next load to copy,
    but only those of the files read whole: a file with a row or more the reader rejected is read again."""
    partly_rejected = sorted({f.source_file for f in files if f.rejections})
    con.execute("delete from raw.incoming_extractions where list_contains(?, source_file)", [partly_rejected])
    raw_tables.swap(con, "incoming_extractions", "landed_extractions")
