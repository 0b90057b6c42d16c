"""The raw tables have one definition (eventdw.ingest.raw_tables): dbt's sources and the loader agree with it."""

from __future__ import annotations

import duckdb
import yaml

from eventdw.ingest import load_inputs, raw_tables
from tests.conftest import EXTRACTION_HEADER, REPO, make_seeds
from tests.test_load import _row

STAGING = REPO / "dbt_project" / "models" / "staging"


def test_dbt_sources_name_exactly_the_raw_tables_dbt_reads():
    for source, tables in raw_tables.DBT_SOURCES.items():
        (declared,) = yaml.safe_load((STAGING / source / f"_{source}__sources.yml").read_text())["sources"]
        assert (declared["name"], declared["schema"]) == (source, "raw")
        names = [table["name"] for table in declared["tables"]]
        assert sorted(names) == sorted(tables), f"_{source}__sources.yml"
        assert len(set(names)) == len(names)


def test_a_load_leaves_exactly_the_raw_tables_defined_with_their_columns_and_types(tmp_path):
    """No work table is left behind, and every table whose columns raw_tables defines has those, in order."""
    other_article = EXTRACTION_HEADER + _row(article_id="000_4938db59a5dbecdc")  # rejected: its quote is not there
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row() + "x,y\n", "b.csv": other_article})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_inputs(con, seeds, "first")
    assert load_inputs(con, seeds, "second").extraction_rows_validated == 1  # a reload, which keeps b.csv's verdict
    query = "select table_name from information_schema.tables where table_schema = 'raw'"
    landed = {name for (name,) in con.execute(query).fetchall()}
    defined = {table for tables in raw_tables.DBT_SOURCES.values() for table in tables} | set(raw_tables.LOADER_TABLES)
    assert landed == defined
    for table, columns in raw_tables.COLUMNS.items():
        query = (
            "select column_name, lower(data_type) from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position"
        )
        assert con.execute(query, [table]).fetchall() == list(columns), table
