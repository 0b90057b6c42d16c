"""Exports: ACLED's format for ACLED tooling, and a failed export that leaves the previous one whole."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from eventdw import export
from tests.conftest import acled_csv

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]


def test_acled_export_has_acleds_columns_and_one_row_per_event(seed_run, seed_db):
    columns, rows = acled_csv(seed_run.exports_dir)
    (events,) = seed_db.execute("select count(*) from marts.fact_events").fetchone()
    assert columns == ACLED_COLUMNS
    assert len(rows) == events == len({row["event_id_cnty"] for row in rows})


def test_acled_row_for_the_capture_of_deir_ez_zor(seed_run):
    _, rows = acled_csv(seed_run.exports_dir)
    (row,) = [
        r
        for r in rows
        if r["event_date"] == "2024-12-06"
        and r["location"] == "Deir ez-Zor"
        and r["actor1"] == "Syrian Democratic Forces"
        and r["inter2"] == "State forces"
    ]
    assert row["event_id_cnty"].startswith("SYR")
    assert (row["inter1"], row["interaction"], row["iso"], row["country"], row["admin1"]) == (
        "Rebel group",
        "State forces-Rebel group",  # ACLED's current format: names, the smaller code first
        "760",
        "Syria",
        "Deir ez-Zor",  # the English name (the curated crosswalk), not pycountry's "Dayr az Zawr"
    )
    assert (row["fatalities"], row["tags"]) == ("0", "eventdw: fatalities unknown")
    # ACLED's source: the publishers the articles credit; the one that credits none by its id
    assert row["source"] == "004_a744f15570869942; Reuters; Skai"
    assert row["region"] == "Middle East"


def test_acled_inter_types_as_numbers_on_request(seed_run, tmp_path, monkeypatch):
    """The current names by default; ACLED's older numbers with --acled-inter-numeric, row for row."""
    _, named = acled_csv(seed_run.exports_dir)
    monkeypatch.setenv("EVENTDW_ACLED_INTER_NUMERIC", "1")
    export.export_marts(seed_run.warehouse, tmp_path / "numeric", "numeric")
    _, numbered = acled_csv(tmp_path / "numeric")
    assert [row["event_id_cnty"] for row in numbered] == [row["event_id_cnty"] for row in named]
    pairs = {
        (a["inter1"], a["inter2"], a["interaction"], b["inter1"], b["inter2"], b["interaction"])
        for a, b in zip(named, numbered, strict=True)
    }
    assert ("Rebel group", "State forces", "State forces-Rebel group", "2", "1", "12") in pairs
    assert ("State forces", "", "State forces only", "1", "0", "10") in pairs
    assert ("State forces", "External/Other forces", "State forces-External/Other forces", "1", "8", "18") in pairs
    for row in numbered:
        codes = sorted(int(code) for code in (row["inter1"], row["inter2"]) if code != "0")
        assert int(row["interaction"]) == (codes[0] * 10 + codes[1] if len(codes) == 2 else codes[0] * 10)


def test_year_precision_events_are_tagged_not_misdated(seed_run):
    _, rows = acled_csv(seed_run.exports_dir)
    year_rows = [row for row in rows if "eventdw: year precision" in (row["tags"] or "")]
    assert year_rows and all(row["time_precision"] == "3" and row["event_date"].endswith("-07-01") for row in year_rows)


def test_failed_export_leaves_the_previous_export_whole(seed_run, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    export.export_marts(seed_run.warehouse, exports, "first")
    before = {path.relative_to(exports): path.read_bytes() for path in exports.rglob("*") if path.is_file()}

    def fail(path):
        raise OSError("disk full")

    # (The marts are the same: every file is linked, and the last one hashed, datapackage.json, fails.)
    monkeypatch.setattr(export, "_sha256", fail)
    with pytest.raises(OSError, match="disk full"):
        export.export_marts(seed_run.warehouse, exports, "second")
    after = {path.relative_to(exports): path.read_bytes() for path in exports.rglob("*") if path.is_file()}
    assert after == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["exports"]


def test_fact_partitions_are_the_same_files_however_the_rows_are_read(seed_run, seed_db, tmp_path, monkeypatch):
    # DuckDB's partitioned COPY wrote other files (and some partitions in two or three) from run to run on
    # the same ten million mentions; the partitions must be a function of the ordered rows alone.
    monkeypatch.setattr(export, "ROW_GROUP_ROWS", 3)
    exports = {}
    for batch_rows in (1, 2, 7, 10_000):
        monkeypatch.setattr(export, "READ_BATCH_ROWS", batch_rows)
        folder = tmp_path / f"read_{batch_rows}"
        export.export_marts(seed_run.warehouse, folder, "run")
        exports[batch_rows] = {path.relative_to(folder): path.read_bytes() for path in folder.rglob("*.parquet")}
    assert all(files == exports[1] for files in exports.values())

    folder = tmp_path / "read_1"
    for table, (date_column, _) in export.PARTITIONED.items():
        files = sorted((folder / table).rglob("*.parquet"))
        month = rf"year=(\d{{4}}|{export.NO_DATE})/month=(\d{{2}}|{export.NO_DATE})/part_0\.parquet"
        shape = r"(\d{4}-\d{2}|undated)\.parquet" if table in export.FLAT_MONTHS else month
        assert files and all(re.fullmatch(shape, str(path.relative_to(folder / table))) for path in files)
        metadata = [pq.ParquetFile(path).metadata for path in files]
        row_groups = [file.row_group(i).num_rows for file in metadata for i in range(file.num_row_groups)]
        assert max(row_groups) <= 3
        if table != "dim_article":  # (five articles, in more months than that)
            assert max(row_groups) == 3 and len(row_groups) > len(files)  # partitions of several row groups
        exported = f"read_parquet('{folder / table}/**/*.parquet', hive_partitioning = false, filename = true)"
        exported_columns = f"* exclude ({', '.join(export.NOT_EXPORTED)})"  # the run that wrote a row is not
        placed = seed_db.execute(
            f"select distinct filename, year({date_column}), month({date_column}) from {exported}"
        ).fetchall()
        assert all(
            Path(name) == folder / export._month_path(table, None if year is None else year * 12 + month - 1)
            for name, year, month in placed
        )
        (different,) = seed_db.execute(
            f"""
            select count(*) from (
                (select * exclude (filename) from {exported} except all select {exported_columns} from marts.{table})
                union all
                (select {exported_columns} from marts.{table} except all select * exclude (filename) from {exported})
            )
            """
        ).fetchone()
        assert different == 0


def test_an_article_without_a_date_is_exported_in_its_own_file_that_pandas_and_duckdb_read(warehouse_copy, tmp_path):
    import duckdb

    with duckdb.connect(str(warehouse_copy)) as con:
        (article_id,) = con.execute("select min(article_id) from marts.dim_article").fetchone()
        con.execute(
            "update marts.dim_article set published_date = null, run_id = 'next run' where article_id = ?", [article_id]
        )
    exports = tmp_path / "exports"
    export.export_marts(warehouse_copy, exports, "run")
    undated = exports / "dim_article" / "undated.parquet"
    assert pq.read_table(undated).column("article_id").to_pylist() == [article_id]
    articles = pd.read_parquet(exports / "dim_article")  # (a year=__HIVE_DEFAULT_PARTITION__ folder: it could not)
    assert len(articles) == 5 and "year" not in articles.columns
    assert articles.loc[articles["article_id"] == article_id, "published_date"].isna().all()
    with duckdb.connect() as con:
        read = con.execute(
            f"select article_id, published_date from '{exports}/dim_article/*.parquet' where published_date is null"
        ).fetchall()
    assert read == [(article_id, None)]
    package = json.loads((exports / "datapackage.json").read_text())
    (resource,) = [r for r in package["resources"] if r["name"] == "dim_article"]
    assert str(undated.relative_to(exports)) in resource["path"]


def test_month_partitions_sort_as_text_and_pandas_reads_dates_as_dates(seed_run):
    exports = Path(seed_run.exports_dir)
    months = sorted(path.name for path in exports.glob("fact_events/year=*/month=*"))
    assert months and all(re.fullmatch(r"month=(0[1-9]|1[0-2])", month) for month in months)
    assert "month=07" in months and "month=7" not in months  # 2014-07-01: zero-padded, in text order
    events = pd.read_parquet(exports / "fact_events")
    assert set(events["month"].astype(int)) == {int(month.removeprefix("month=")) for month in months}
    assert all(isinstance(value, date) for value in events["event_date"])
    # With Arrow's types, a date column is a date dtype, not strings.
    typed = pd.read_parquet(exports / "fact_events", dtype_backend="pyarrow")
    assert str(typed["event_date"].dtype) == "date32[day][pyarrow]"


@pytest.mark.parametrize(
    "months",
    [
        [2023 * 12 + 11, 2024 * 12],  # December and the next January: one range
        [2024 * 12 + 1, 2024 * 12 + 2, 2024 * 12 + 5, None],  # a gap, and the rows without a date
        [None],
        [5, 6, 9999 * 12 + 11],  # year 0 and December 9999: months no date literal bounds
        [],
    ],
)
def test_within_months_holds_exactly_the_rows_of_those_months(months):
    import duckdb

    with duckdb.connect() as con:
        con.execute(
            "create table t as select d from (select unnest(['0000-06-15', '0000-07-31', '0000-08-01', "
            "'2023-11-30', '2023-12-01', '2024-01-31', '2024-02-01', '2024-02-29', '2024-03-01', '2024-04-15', "
            "'2024-06-30', '9999-11-30', '9999-12-31']::date[]) as d union all select null)"
        )
        wanted = [month for month in months if month is not None]
        expected = con.execute(
            f"select list(d order by d nulls last) from t where {export.month_of('d')} in "
            f"(select unnest(?::bigint[])) or (d is null and ?)",
            [wanted, None in months],
        ).fetchone()
        got = con.execute(f"select list(d order by d nulls last) from t where {export.within_months('d', months)}")
        assert got.fetchone() == expected


def test_within_months_reads_consecutive_months_as_one_range():
    december, january, march = 2023 * 12 + 11, 2024 * 12, 2024 * 12 + 2
    assert export.within_months("d", [january, december, march]) == (
        "(d >= date '2023-12-01' and d < date '2024-02-01') or (d >= date '2024-03-01' and d < date '2024-04-01')"
    )


def test_datapackage_describes_every_exported_table_and_field(seed_run):
    exports = Path(seed_run.exports_dir)
    package = json.loads((exports / "datapackage.json").read_text())
    manifest = json.loads((exports / "manifest.json").read_text())
    assert package["profile"] == "tabular-data-package" and package["version"] == manifest["schema_version"] == "6"
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert set(resources) == set(manifest["tables"]) | {"acled_events_csv"}
    # Every file of the manifest is a resource's path, or one of its parts.
    paths = {
        p
        for resource in resources.values()
        for p in ([resource["path"]] if isinstance(resource["path"], str) else resource["path"])
    }
    assert paths | {"datapackage.json"} == {entry["path"] for entry in manifest["files"]}
    events = resources["fact_events"]
    assert events["format"] == "parquet" and events["schema"]["primaryKey"] == ["event_id"]
    fields = {field["name"]: field for field in events["schema"]["fields"]}
    assert list(fields) == pq.read_schema(exports / events["path"][0]).names
    assert fields["event_date"]["type"] == "date" and fields["fatalities"]["type"] == "integer"
    assert fields["goldstein_scale"]["type"] == "number" and fields["event_id"]["type"] == "string"
    assert all(field["description"] for field in fields.values())  # each one documented, from the dbt yml
    assert "{{" not in json.dumps(package)  # doc blocks filled in
    csv = resources["acled_events_csv"]
    assert len(csv["schema"]["fields"]) == 31
    assert csv["path"] == sorted(entry["path"] for entry in manifest["files"] if entry["path"].endswith(".csv"))
    assert [Path(path).stem for path in csv["path"]] == [Path(path).stem for path in resources["acled_events"]["path"]]


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Each file of an export: its inode and its bytes."""
    return {
        str(path.relative_to(folder)): (path.stat().st_ino, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_an_export_writes_again_only_the_files_whose_rows_changed(warehouse_copy, tmp_path):
    """The second export of unchanged marts links every data file of the first; after one event's toll
    changes, only its month's files (fact_events, events_described, acled_events and its CSV) are written again.
    Every export holds the bytes a fresh export of the same marts writes, and the hashes its manifest lists."""
    import hashlib

    import duckdb

    warehouse = warehouse_copy

    def export_and_check(name: str) -> dict[str, tuple[int, bytes]]:
        export.export_marts(warehouse, tmp_path / "exports", name)
        export.export_marts(warehouse, tmp_path / f"fresh-{name}", name)  # the same marts, nothing to link
        files, fresh = _files(tmp_path / "exports"), _files(tmp_path / f"fresh-{name}")
        # (The manifests differ in the files' times alone.)
        assert {path: data for path, (_, data) in files.items() if path != "manifest.json"} == {
            path: data for path, (_, data) in fresh.items() if path != "manifest.json"
        }
        manifest = json.loads(files["manifest.json"][1])
        for entry in manifest["files"]:
            assert hashlib.sha256(files[entry["path"]][1]).hexdigest() == entry["sha256"], entry["path"]
        return files

    first = export_and_check("first")
    again = export_and_check("again")
    data_files = [path for path in first if path.endswith((".parquet", ".csv"))]
    assert [path for path in data_files if again[path][0] != first[path][0]] == []  # every one linked

    with duckdb.connect(str(warehouse)) as con:
        (event_id, event_date) = con.execute(
            "select event_id, event_date from marts.fact_events where source_system = 'coded' "
            "order by event_date desc, event_id limit 1"
        ).fetchone()
        # as an incremental build rewrites an event: its rows carry the new run's id
        con.execute(
            "update marts.fact_events set fatalities = coalesce(fatalities, 0) + 1, run_id = 'next run' "
            "where event_id = ?",
            [event_id],
        )
        con.execute("update marts.acled_events set fatalities = fatalities + 1, run_id = 'next run' "
                    "where event_id_cnty like ?", [f"%{event_id[2:]}"])  # fmt: skip
    changed = export_and_check("changed")
    month = f"year={event_date.year}/month={event_date.month:02d}"
    written = sorted(path for path in data_files if changed[path][0] != again[path][0])
    assert written == sorted([
        f"events_described/{month}/part_0.parquet", f"fact_events/{month}/part_0.parquet",
        f"acled_events/{event_date:%Y-%m}.parquet", f"acled_events_csv/{event_date:%Y-%m}.csv",
    ])  # fmt: skip


def test_a_full_build_stores_each_partitioned_mart_in_the_order_its_export_reads_it(seed_db):
    """A full build stores the marts cut into months (export.PARTITIONED) by their date, then key: DuckDB's
    row-group statistics then let the export of a day's months, or a query of a date range, skip the row
    groups of other months. The views among them (events_described) read a stored mart."""
    tables = {
        name
        for (name,) in seed_db.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_type = 'BASE TABLE'"
        ).fetchall()
    }
    stored = [table for table in export.PARTITIONED if table in tables]
    assert set(export.PARTITIONED) - set(stored) == {"events_described"}
    for table in stored:
        date_column, key = export.PARTITIONED[table]
        in_storage = seed_db.execute(f"select {date_column}, {key} from marts.{table} order by rowid").fetchall()
        assert len({row[0] for row in in_storage}) > 2, table
        export_order = sorted(in_storage, key=lambda row: (row[0] is None, row[0] or date.min, row[1]))
        assert in_storage == export_order, table
