"""Shared fixtures: real DuckDB, real dbt, real GX, one Prefect test harness per session."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from eventdw import turn_analytics_off

if TYPE_CHECKING:
    import duckdb

turn_analytics_off()

# Tests build with the gazetteer narrowed to the seed articles' countries and their neighbours (the world's
# places cost each build about 20 s more), except tests/test_world.py, which builds with the world's, the
# default. The seeds build the same marts either way.
SEED_COUNTRIES = "SY,IQ,JO,LB,TR,IL,PS"
os.environ.setdefault("EVENTDW_COUNTRIES", SEED_COUNTRIES)

REPO = Path(__file__).resolve().parents[1]
PROGRESS_LINE = re.compile(r"\[ *\d+\.\d s\] ")  # a run's progress line on standard error (eventdw.progress)
SEEDS = Path(os.environ.get("EVENTDW_TEST_SEEDS", REPO / "seeds"))
SHARED_ARTICLES = REPO.parent / "shared" / "seeds" / "articles"

EXTRACTION_HEADER = (
    "article_id,event_date,time_precision,actor1,actor2,cameo_code,acled_sub_event_type,"
    "location,geo_precision,fatalities,quote,coder,confidence,notes\n"
)


MART_TABLES = [
    "fact_events",
    "fact_event_mentions",
    "dim_actor",
    "dim_place",
    "dim_article",
    "dim_cameo_code",
    "report_unresolved_names",
    "acled_events",
    "bridge_event_sources",
]
# The marts the warehouse holds but does not export: compared too when two warehouses are.
UNEXPORTED_MART_TABLES = ["report_coder_agreement_units", "report_coder_agreement"]


# The columns every mart row has that say where it came from, not what it says: the run that wrote it (it
# differs from run to run) and its build (a row an incremental build kept has the build that wrote it).
PROVENANCE = ("run_id", "build_id")


def marts_snapshot(warehouse: Path | duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every marts table's rows, order-free and without their provenance, to compare two warehouses (a file,
    or a connection whose marts schema holds them, such as the Spark engine's)."""
    import duckdb

    with duckdb.connect(str(warehouse)) if isinstance(warehouse, Path) else warehouse as con:
        return {
            t: sorted(map(repr, con.execute(f"select * exclude ({', '.join(PROVENANCE)}) from marts.{t}").fetchall()))
            for t in MART_TABLES + UNEXPORTED_MART_TABLES
        }


def acled_csv(exports_dir: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of an export's ACLED CSV files, month after month (each file has the header)."""
    import csv

    headers, rows = set(), []
    for path in sorted(Path(exports_dir).glob("acled_events_csv/*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows += list(reader)
            headers.add(tuple(reader.fieldnames or ()))
    (header,) = headers
    return list(header), rows


def acled_parquet(exports_dir: Path) -> list[dict]:
    """The rows of an export's acled_events Parquet files, month after month."""
    import pyarrow.parquet as pq

    paths = sorted(Path(exports_dir).glob("acled_events/*.parquet"))
    return [row for path in paths for row in pq.read_table(path).to_pylist()]


def make_seeds(root: Path, extractions: dict[str, str | bytes], articles: list[str] | None = None) -> Path:
    """A seeds folder: the bundled reference data and articles (all, or those named) and the given CSVs."""
    seeds = root / "seeds"
    (seeds / "articles").mkdir(parents=True)
    (seeds / "extractions").mkdir()
    shutil.copytree(SEEDS / "reference", seeds / "reference")
    for path in sorted((SEEDS / "articles").glob("*.txt")):
        if articles is None or path.stem in articles:
            shutil.copy(path, seeds / "articles" / path.name)
    for name, content in extractions.items():
        target = seeds / "extractions" / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return seeds


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory):
    """The main job run once on the bundled seeds; tests read what it built."""
    from eventdw.flow import eventdw_pipeline

    root = tmp_path_factory.mktemp("seed_run")
    summary = eventdw_pipeline(SEEDS, root / "warehouse" / "eventdw.duckdb", root / "exports", root / "data_docs")
    return summary


@pytest.fixture()
def warehouse_copy(seed_run, tmp_path):
    """A writable copy of the seed run's whole warehouse (raw, staging views, marts).

    The copy keeps the file name: dbt's views refer to their catalog, which DuckDB names after the file.
    """
    import duckdb

    copy = tmp_path / "copy" / seed_run.warehouse.name
    copy.parent.mkdir()
    with duckdb.connect(str(seed_run.warehouse)) as con:
        (source,) = con.execute("select current_database()").fetchone()
        con.execute(f"attach '{copy}' as warehouse_copy")
        con.execute(f"copy from database {source} to warehouse_copy")
        con.execute("detach warehouse_copy")
    return copy


@pytest.fixture()
def seed_db(seed_run):
    import duckdb

    with duckdb.connect(str(seed_run.warehouse)) as con:
        yield con
