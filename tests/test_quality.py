"""The Great Expectations gate fails on broken marts, not only passes on good ones."""

from __future__ import annotations

import duckdb
import pytest

from eventdw.quality import QualityError, validate_marts

TABLES = ["fact_events", "fact_event_mentions", "dim_actor", "dim_place", "dim_article", "dim_cameo_code"]


@pytest.fixture()
def marts_copy(seed_run, tmp_path):
    """A writable copy of the seed run's marts."""
    copy = tmp_path / "copy.duckdb"
    with duckdb.connect(str(seed_run.warehouse)) as con:
        con.execute(f"attach '{copy}' as copy")
        con.execute("create schema copy.marts")
        for table in TABLES:
            con.execute(f"create table copy.marts.{table} as select * from marts.{table}")
        con.execute("detach copy")
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


def test_gate_passes_on_the_seed_marts(marts_copy, tmp_path):
    report = validate_marts(marts_copy, tmp_path / "docs", "good")
    assert report.failed_errors == [] and report.expectations >= 30
    assert all(severity == "warning" for _, _, severity in _failures(marts_copy, "good"))


@pytest.mark.parametrize(
    ("statement", "failure"),
    [
        (
            "update marts.fact_events set goldstein_scale = 42 where cameo_code = '192'",
            ("marts.fact_events", "expect_column_values_to_be_between"),
        ),
        (
            "update marts.fact_events set cameo_code = '999' where cameo_code = '192'",
            ("marts.fact_events", "expect_column_values_to_be_in_set"),
        ),
        (
            "update marts.fact_events set fatalities_low = 5, fatalities_high = 2 where fatalities is not null",
            ("marts.fact_events", "expect_column_pair_values_a_to_be_greater_than_b"),
        ),
        (
            "update marts.fact_event_mentions set quote_end = quote_start where cameo_code = '192'",
            ("marts.fact_event_mentions", "expect_column_pair_values_a_to_be_greater_than_b"),
        ),
        (
            "insert into marts.dim_actor select * from marts.dim_actor limit 1",
            ("marts.dim_actor", "expect_column_values_to_be_unique"),
        ),
        (
            "update marts.dim_place set latitude = 135.0 where place_id = 'geonames:170794'",
            ("marts.dim_place", "expect_column_values_to_be_between"),
        ),
    ],
)
def test_gate_fails_on_broken_marts_and_records_why(marts_copy, tmp_path, statement, failure):
    _break(marts_copy, statement)
    with pytest.raises(QualityError, match=r"^data quality gate failed: "):
        validate_marts(marts_copy, tmp_path / "docs", "broken")
    assert (*failure, "error") in _failures(marts_copy, "broken")


def test_warning_level_failure_is_reported_and_the_run_goes_on(marts_copy, tmp_path):
    _break(marts_copy, "update marts.fact_event_mentions set is_quote_in_body = false where cameo_code = '192'")
    report = validate_marts(marts_copy, tmp_path / "docs", "warned")
    assert report.failed_errors == []
    assert any("is_quote_in_body" in warning for warning in report.failed_warnings)
