"""Validate the landed extraction rows and record the verdicts: each row accepted into raw.extractions, or
rejected into raw.rejected_rows with a reason naming the field.

The checks are SQL (sql/validate_extractions.sql): they type every value and check it against the rows'
articles and the reference lists, with two Python functions registered on the connection: where a quote
lies in its article, and where a quote that is not there stops matching (eventdw.ingest.quotes).
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from eventdw.ingest import raw_tables
from eventdw.ingest.files import Rejection

if TYPE_CHECKING:
    import duckdb

VALIDATE_SQL = "sql/validate_extractions.sql"  # beside this module; reads the work view rows_to_validate


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """The Python functions the validation calls: where a quote lies in its article (eventdw.ingest.quotes)."""
    from duckdb.func import SPECIAL

    from eventdw.ingest import quotes

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


def validate(con: duckdb.DuckDBPyConnection) -> int:
    """Type and check the rows of the work view rows_to_validate into the work table raw.validated_extractions
    (each with its rejection_reasons, empty when it is accepted); how many rows that is."""
    _register_functions(con)
    validate_sql = resources.files("eventdw.ingest").joinpath(VALIDATE_SQL).read_text()
    con.execute(f"create or replace table raw.validated_extractions as {validate_sql}")
    return raw_tables.count(con, "validated_extractions")


def rejection_rows(rejections: list[Rejection]) -> list[dict[str, Any]]:
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


def record_verdicts(
    con: duckdb.DuckDBPyConnection,
    file_rejections: list[Rejection],
    keep_verdicts: bool,
    run_id: str,
    loaded_at: datetime,
) -> None:
    """Add the verdicts of raw.validated_extractions, and the rejections the readers made (`file_rejections`:
    files rejected whole, rows that could not be read), to raw.extractions and raw.rejected_rows; unless
    `keep_verdicts` (see eventdw.state.plan_validation), those tables are first emptied. Drops the work table."""
    without = ("run_id", "rejected_at")  # the rejections' columns, as the readers give them
    con.register(
        "file_rejections",
        raw_tables.arrow(rejection_rows(file_rejections), raw_tables.arrow_schema("rejected_rows", without)),
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
        # raw.extractions has the validation's columns; raw.rejected_rows those raw_tables defines.
        con.execute(f"create or replace table raw.extractions as {accepted_sql} limit 0", [loaded_at])
        raw_tables.create(con, "rejected_rows")
    # raw.extractions is not sorted: ordering ten million rows by file and row took half a minute at L.
    con.execute(f"insert into raw.extractions by name {accepted_sql}", [loaded_at])
    con.execute(f"insert into raw.rejected_rows by name {rejected_sql}", [run_id, loaded_at])
    con.unregister("file_rejections")
    con.execute("drop table raw.validated_extractions")
