"""The Great Expectations gate fails on broken data in every layer, not only passes on good data."""

from __future__ import annotations

import duckdb
import pytest

from eventdw.quality import QualityError, validate_warehouse

DEIR_EZ_ZOR = "geonames:170794"


@pytest.fixture()
def warehouse_copy(seed_run, tmp_path):
    """A writable copy of the seed run's whole warehouse (raw, staging views, marts).

    The copy keeps the file name: dbt's views refer to their catalog, which DuckDB names after the file.
    """
    copy = tmp_path / "copy" / seed_run.warehouse.name
    copy.parent.mkdir()
    with duckdb.connect(str(seed_run.warehouse)) as con:
        (source,) = con.execute("select current_database()").fetchone()
        con.execute(f"attach '{copy}' as warehouse_copy")
        con.execute(f"copy from database {source} to warehouse_copy")
        con.execute("detach warehouse_copy")
    return copy


def _break(warehouse, statement):
    with duckdb.connect(str(warehouse)) as con:
        con.execute(statement)


def _failures(warehouse, run_id):
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(
            "select suite, expectation, severity from quality.validation_results where run_id = ? and not success",
            [run_id],
        ).fetchall()


def test_gate_passes_on_the_seed_warehouse_and_covers_every_layer(warehouse_copy, tmp_path):
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "good")
    assert report.failed_errors == [] and report.expectations >= 60
    assert all(severity == "warning" for _, _, severity in _failures(warehouse_copy, "good"))
    with duckdb.connect(str(warehouse_copy)) as con:
        suites = {suite for (suite,) in con.execute("select distinct suite from quality.validation_results").fetchall()}
    assert {suite.split(".")[0] for suite in suites} == {"raw", "staging", "marts"}


# Each break targets different rows, so that none hides another; each must be caught by its expectation.
BREAKS = [
    (
        "update raw.extractions set confidence = 7 where cameo_code = '192'",
        ("raw.extractions", "expect_column_values_to_be_between"),
    ),
    (
        "update raw.articles set published_date = date '2000-01-01' where article_id = '001_80b8b6eb158c6571'",
        ("staging.extractions_with_articles", "expect_column_pair_values_a_to_be_greater_than_b"),
    ),
    (
        "update raw.cameo_codes set goldstein_scale = 12 where cameo_code = '011'",
        ("staging.cameo_codes", "expect_column_values_to_be_between"),
    ),
    (
        "update marts.fact_events set goldstein_scale = 42 where cameo_code = '190'",
        ("marts.fact_events", "expect_column_values_to_be_between"),
    ),
    (
        "update marts.fact_events set cameo_code = '999' where cameo_code = '192' and place_id = 'geonames:170017'",
        ("marts.fact_events", "expect_column_values_to_be_in_set"),
    ),
    (
        "update marts.fact_events set quad_class = 1 where cameo_code = '0874'",
        ("marts.fact_events", "expect_column_values_to_be_in_set"),
    ),
    (
        "update marts.fact_events set fatalities_low = 5, fatalities_high = 2 where fatalities is not null",
        ("marts.fact_events", "expect_column_pair_values_a_to_be_greater_than_b"),
    ),
    (
        "delete from marts.dim_place where place_id = 'sup:nassib_crossing'",
        ("marts.fact_events_keys", "expect_column_values_to_be_in_set"),
    ),
    (
        f"delete from marts.fact_event_mentions where cameo_code = '192' and place_id = '{DEIR_EZ_ZOR}'",
        ("marts.fact_events_keys", "expect_column_values_to_be_between"),
    ),
    (
        "update marts.fact_event_mentions set quote_end = quote_start where cameo_code = '1384'",
        ("marts.fact_event_mentions", "expect_column_pair_values_a_to_be_greater_than_b"),
    ),
    (
        "insert into marts.dim_actor select * from marts.dim_actor where actor_id = 'hts'",
        ("marts.dim_actor", "expect_column_values_to_be_unique"),
    ),
    (
        "update marts.dim_place set latitude = 30.0 where place_id = 'geonames:169577'",
        ("marts.dim_place", "expect_column_values_to_be_in_set"),
    ),
]


def test_gate_fails_on_broken_data_in_every_layer_and_records_why(warehouse_copy, tmp_path):
    for statement, _ in BREAKS:
        _break(warehouse_copy, statement)
    with pytest.raises(
        QualityError, match=r"^data quality gate failed: raw\.extractions: confidence .*\(and \d+ more\)$"
    ):
        validate_warehouse(warehouse_copy, tmp_path / "docs", "broken")
    failures = set(_failures(warehouse_copy, "broken"))
    missed = [failure for _, failure in BREAKS if (*failure, "error") not in failures]
    assert missed == []
    report = (tmp_path / "docs" / "report.html").read_text()
    assert report.count("class='failed-error'") >= len(BREAKS)


def test_a_quad_class_that_is_not_its_cameo_roots_fails_the_gate(warehouse_copy, tmp_path):
    # 08 (yield) is material cooperation, quad class 2, not 1.
    _break(warehouse_copy, "update marts.fact_events set quad_class = 1 where cameo_code = '0874'")
    with pytest.raises(
        QualityError,
        match=r"^data quality gate failed: marts\.fact_events: quad_class expect_column_values_to_be_in_set "
        r"\(\d+ unexpected\)$",
    ):
        validate_warehouse(warehouse_copy, tmp_path / "docs", "quad")


def test_warning_level_failure_is_reported_and_the_run_goes_on(warehouse_copy, tmp_path):
    _break(warehouse_copy, "update marts.fact_event_mentions set is_quote_in_body = false where cameo_code = '192'")
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "warned")
    assert report.failed_errors == []
    assert any("is_quote_in_body" in warning for warning in report.failed_warnings)


def test_rejected_rows_are_a_warning_not_a_stop(warehouse_copy, tmp_path):
    _break(
        warehouse_copy,
        "insert into raw.rejected_rows "
        "values ('x.csv', 2, 'fatalities: -1 is negative', 'extraction', '{}', 'r', now())",
    )
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "rejections")
    assert report.failed_errors == []
    assert report.failed_warnings == ["raw.rejected_rows: expect_table_row_count_to_equal (observed 1)"]


def test_a_table_over_the_row_limit_is_validated_on_a_sample_and_still_fails_when_broken(
    warehouse_copy, tmp_path, monkeypatch
):
    monkeypatch.setenv("EVENTDW_GATE_MAX_ROWS", "30")
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "sampled")
    assert report.batch_rows["raw.extractions"] == (30, 65)
    assert report.batch_rows["staging.actors"] == (29, 29)  # under the limit: every row
    # A query over one table runs on the table's sampled rows: 30 events, each with its mentions counted.
    assert report.batch_rows["marts.fact_events_keys"] == (30, 48)
    assert "a random sample of 30 of its 65 rows" in (tmp_path / "docs" / "report.html").read_text()

    # Every row broken: any sample holds broken rows.
    _break(warehouse_copy, "update marts.fact_event_mentions set quote = null")
    with pytest.raises(QualityError, match="fact_event_mentions: quote"):
        validate_warehouse(warehouse_copy, tmp_path / "docs", "sampled-broken")
    _break(warehouse_copy, "update marts.fact_event_mentions set quote = 'restored'")
    _break(warehouse_copy, "update marts.fact_events set num_mentions = num_mentions + 1")
    with pytest.raises(QualityError, match="fact_events_keys: mention_rows,num_mentions"):
        validate_warehouse(warehouse_copy, tmp_path / "docs", "sampled-keys-broken")
