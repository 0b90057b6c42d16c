"""Land the inputs in the warehouse's `raw` schema, with provenance, in one transaction.

`raw` always mirrors the current input folder: a run replaces it whole, so running twice on the same
inputs leaves the same tables. Every input row ends in `raw.extractions` (accepted) or in
`raw.rejected_rows` (with a reason naming the field); whole files that cannot be read are rejected
there too.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw import inputs, reference

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


def _arrow(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=schema)


def _replace(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    con.register("incoming", data)
    con.execute(f"create or replace table {table} as select * from incoming")
    con.unregister("incoming")


def _string_schema(columns: list[str]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in columns])


def _read_reference_csv(reference_dir: Path, name: str, required: tuple[str, ...]) -> pa.Table:
    path = reference_dir / f"{name}.csv"
    if not path.exists():
        raise InputError(f"reference file {path} is missing")
    csv_file = inputs.read_csv_file(path, required, "reference")
    if csv_file.rejections:
        problem = csv_file.rejections[0]
        where = f" row {problem.row_number}" if problem.row_number else ""
        raise InputError(f"reference file {path}{where}: {problem.reason}")
    columns = [c for c in csv_file.rows[0] if c != "_row_number"] if csv_file.rows else list(required)
    rows = [{c: row.get(c) for c in columns} for row in csv_file.rows]
    return _arrow(rows, _string_schema(columns))


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    """CAMEO codes, GeoNames places, ISO regions, and the curated CSVs of `seeds/reference/`."""
    import pyarrow as pa

    _replace(
        con,
        "raw.cameo_codes",
        _arrow(
            reference.cameo_codes(),
            pa.schema([("cameo_code", pa.string()), ("cameo_name", pa.string()), ("goldstein_scale", pa.float64())]),
        ),
    )
    places, names, countries = reference.geonames_places()
    _replace(
        con,
        "raw.geonames_places",
        _arrow(
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
        ),
    )
    _replace(
        con, "raw.geonames_place_names", _arrow(names, pa.schema([("geonames_id", pa.int64()), ("name", pa.string())]))
    )
    _replace(
        con,
        "raw.geonames_countries",
        _arrow(
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
        ),
    )
    _replace(
        con,
        "raw.iso_regions",
        _arrow(reference.iso_regions(), _string_schema(["iso_3166_2", "country_iso2", "region_name", "region_type"])),
    )
    for name, required in reference.REFERENCE_FILES.items():
        _replace(con, f"raw.ref_{name}", _read_reference_csv(reference_dir, name, required))


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


def _landed_extraction_rows(files: list[inputs.CsvFile]) -> list[dict[str, Any]]:
    rows = []
    for csv_file in files:
        for row in csv_file.rows:
            extra = {k: v for k, v in row.items() if k not in inputs.EXTRACTION_COLUMNS and k != "_row_number"}
            record = {k: v for k, v in row.items() if k != "_row_number"}
            rows.append(
                {
                    "source_file": csv_file.source_file,
                    "row_number": int(row["_row_number"] or 0),
                    "file_sha256": csv_file.file_sha256,
                    **{name: row.get(name) for name in inputs.EXTRACTION_COLUMNS},
                    "extra_columns": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
                    "raw_record": json.dumps(record, ensure_ascii=False),
                }
            )
    return rows


def load_inputs(con: duckdb.DuckDBPyConnection, seeds_dir: Path, run_id: str) -> LoadSummary:
    """Replace `raw` with what `seeds_dir` holds now: reference data, articles, extractions."""
    import pyarrow as pa

    for folder in ("articles", "extractions", "reference"):
        if not (seeds_dir / folder).is_dir():
            raise InputError(f"{seeds_dir / folder} is not a folder (expected seeds/articles, extractions, reference)")
    loaded_at = datetime.now(UTC).replace(tzinfo=None)

    articles, article_rejections = inputs.read_articles(seeds_dir / "articles")
    extraction_files = inputs.read_extractions(seeds_dir / "extractions")
    landed = _landed_extraction_rows(extraction_files)

    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists raw")
        load_reference(con, seeds_dir / "reference")
        article_schema = pa.schema(
            [
                ("article_id", pa.string()),
                ("source_file", pa.string()),
                ("file_sha256", pa.string()),
                ("raw_text", pa.string()),
                ("title", pa.string()),
                ("published_date_source", pa.string()),
                ("published_date", pa.date32()),
                ("body_start", pa.int64()),
                ("body_end", pa.int64()),
                ("loaded_at", pa.timestamp("us")),
            ]
        )
        article_rows = [
            asdict(a)
            | {
                "published_date": date.fromisoformat(a.published_date) if a.published_date else None,
                "loaded_at": loaded_at,
            }
            for a in articles
        ]
        _replace(con, "raw.articles", _arrow(article_rows, article_schema))
        landed_schema = pa.schema(
            [("source_file", pa.string()), ("row_number", pa.int64()), ("file_sha256", pa.string())]
            + [(name, pa.string()) for name in inputs.EXTRACTION_COLUMNS]
            + [("extra_columns", pa.string()), ("raw_record", pa.string())]
        )
        con.register("landed_extractions", _arrow(landed, landed_schema))
        validate_sql = resources.files("eventdw").joinpath("sql/validate_extractions.sql").read_text()
        con.execute(f"create or replace temp table validated_extractions as {validate_sql}")
        con.unregister("landed_extractions")
        con.execute(
            """
            create or replace table raw.extractions as
            select * exclude (rejection_reasons, raw_record), ? as loaded_at
            from validated_extractions
            where len(rejection_reasons) = 0
            order by source_file, row_number
            """,
            [loaded_at],
        )
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
        con.execute(
            """
            create or replace table raw.rejected_rows as
            select source_file, row_number, reason, input_kind, raw_record, ? as run_id, ? as rejected_at
            from (
                select source_file, row_number, reason, input_kind, raw_record from file_rejections
                union all
                select source_file, row_number, array_to_string(rejection_reasons, '; '), 'extraction', raw_record
                from validated_extractions
                where len(rejection_reasons) > 0
            )
            order by source_file, row_number nulls first
            """,
            [run_id, loaded_at],
        )
        con.unregister("file_rejections")
        # Every file read, accepted or not: the articles, the article files rejected whole, every CSV.
        source_files = sorted(
            [(a.source_file, "article", a.file_sha256) for a in articles]
            + [(r.source_file, "article", r.file_sha256) for r in article_rejections]
            + [(f.source_file, "extraction", f.file_sha256) for f in extraction_files]
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
        read = len(landed) + sum(1 for f in extraction_files for r in f.rejections if r.row_number is not None)
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
            [run_id, loaded_at, str(seeds_dir), len(articles), read, accepted, rejected],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadSummary(run_id, len(articles), read, int(accepted), int(rejected))
