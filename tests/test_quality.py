"""The Great Expectations gate fails on broken data in every layer, not only passes on good data."""

from __future__ import annotations

import html
import json
import os

import duckdb
import pytest

from eventdw.quality import QualityError, validate_warehouse

DEIR_EZ_ZOR = "geonames:170794"
FILE_001 = "extractions/001_80b8b6eb158c6571.csv"
FILE_003 = "extractions/003_d87e7e8bc6717bf6.csv"


def _break(warehouse, statement):
    with duckdb.connect(str(warehouse)) as con:
        con.execute(statement)


def _failures(warehouse, run_id):
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(
            "select suite, expectation, severity from quality.validation_results where run_id = ? and not success",
            [run_id],
        ).fetchall()


def _query(warehouse, statement):
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(statement).fetchall()


def test_every_expectation_says_what_a_failing_row_means():
    import great_expectations as gx

    from expectations import all_checks

    gx.get_context(mode="ephemeral")
    unexplained = [
        (check.name, expectation.expectation_type)
        for check in all_checks()
        for expectation in check.build({"cameo_codes": ["190"]}).expectations
        if not (expectation.meta or {}).get("problem")
        or (expectation.meta or {}).get("severity", "error") not in {"error", "warning"}
    ]
    assert unexplained == []


def test_gate_passes_on_the_seed_warehouse_and_runs_every_suite(warehouse_copy, tmp_path):
    from expectations import all_checks

    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "good")
    assert report.failed_errors == [] and report.expectations == 10
    assert all(severity == "warning" for _, _, severity in _failures(warehouse_copy, "good"))
    with duckdb.connect(str(warehouse_copy)) as con:
        suites = {suite for (suite,) in con.execute("select distinct suite from quality.validation_results").fetchall()}
    assert suites == {check.name for check in all_checks()}


def test_a_place_outside_its_country_fails_the_gate_naming_the_place(warehouse_copy, tmp_path):
    _break(warehouse_copy, "update marts.dim_place set latitude = 30.0 where place_id = 'geonames:169577'")
    with pytest.raises(QualityError) as failed:
        validate_warehouse(warehouse_copy, tmp_path / "docs", "broken")
    assert str(failed.value) == (
        "data quality gate failed: marts.dim_place: 1 place lying outside their country (beyond its GeoNames "
        "places, give or take half a degree): geonames:169577"
    )
    assert ("marts.dim_place", "expect_column_values_to_be_in_set", "error") in _failures(warehouse_copy, "broken")
    assert "class='failed-error'" in (tmp_path / "docs" / "index.html").read_text()


# The marts' rules that dbt owns: each break must fail its dbt test, which names the rows (the gate does
# not restate them). Each targets other rows, so that none hides another.
DBT_BREAKS = [
    (
        "update marts.fact_events set fatalities_low = 5, fatalities = 3, fatalities_high = 2 "
        "where fatalities is not null",
        "values_in_order",
    ),
    ("update marts.fact_events set goldstein_scale = 42 where cameo_code = '190'", "values_between"),
    (
        "update marts.fact_events set num_mentions = num_mentions + 1 where cameo_code = '0874'",
        "fact_events_count_their_mentions",
    ),
    ("update marts.fact_events set interaction = 99 where cameo_code = '1384'", "values_between"),
    (
        "update marts.fact_events set cameo_code = '999' where cameo_code = '192' and place_id = 'geonames:170017'",
        "relationships",
    ),
    ("insert into marts.dim_actor select * from marts.dim_actor where actor_id = 'hts'", "unique"),
    ("update marts.fact_events set time_precision = 7 where cameo_code = '195'", "accepted_values"),
]


def test_dbt_fails_on_each_broken_rule_of_the_marts_it_owns_and_names_the_rows(warehouse_copy, tmp_path):
    from dbt.cli.main import dbtRunner

    from eventdw import transform

    for statement, _ in DBT_BREAKS:
        _break(warehouse_copy, statement)
    os.environ["EVENTDW_WAREHOUSE"] = str(warehouse_copy)
    result = dbtRunner().invoke(
        [
            "test",
            "--select",
            "marts",
            "--exclude",
            "test_type:unit",
            "--project-dir",
            str(transform.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(transform.DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--log-level",
            "none",
        ]
    )
    failed = [node for node in result.result.results if str(node.status) == "fail"]
    messages = [transform._describe_failure(node, warehouse_copy) for node in failed]
    for _, test_name in DBT_BREAKS:
        assert any(message.startswith((f"test {test_name} on ", f"test {test_name}: ")) for message in messages), (
            test_name
        )
    assert all(": " in message.split(" failing row(s)", 1)[1] for message in messages if " failing row(s)" in message)


def test_a_python_models_failure_is_named_by_its_exception_not_the_top_of_its_traceback(tmp_path):
    from types import SimpleNamespace

    from eventdw import transform

    message = (
        "Runtime Error in model report_coder_agreement (models/marts/report_coder_agreement.py)\n"
        "  Python model failed:\n  Traceback (most recent call last):\n"
        '    File "/venv/lib/python3.11/site-packages/pandas/core/indexes/base.py", line 3816, in get_loc\n'
        "      return self._engine.get_loc(casted_key)\n  KeyError: 'run_id'\n\n"
        "  During handling of the above exception, another exception occurred:\n\n"
        "  Traceback (most recent call last):\n"
        '    File "/venv/lib/python3.11/site-packages/numpy/_core/fromnumeric.py", line 1983, in ravel\n'
        "  AttributeError: module 'numpy' has no attribute 'matrix'\n  "
    )
    node = SimpleNamespace(resource_type="model", name="report_coder_agreement")
    described = transform._describe_failure(SimpleNamespace(node=node, message=message), tmp_path / "none.duckdb")
    assert described == (
        "model report_coder_agreement: Runtime Error in model report_coder_agreement "
        "(models/marts/report_coder_agreement.py): AttributeError: module 'numpy' has no attribute 'matrix'"
    )
    sql = SimpleNamespace(node=node, message="Binder Error: column x not found")
    assert transform._describe_failure(sql, tmp_path / "none.duckdb") == (
        "model report_coder_agreement: Binder Error: column x not found"
    )


def test_a_model_out_of_memory_names_the_cap_to_raise_not_duckdbs_settings(tmp_path, monkeypatch):
    """A model that ran out of the cap (a full refresh at ten million rows, fact_events) fails the run with
    the setting a user of eventdw raises, in one line, not DuckDB's list of SET statements to try."""
    from types import SimpleNamespace

    import duckdb

    from eventdw import transform

    monkeypatch.setenv("EVENTDW_MEMORY_LIMIT", "3GB")
    con = duckdb.connect(config={"memory_limit": "2MB", "threads": 1})
    with pytest.raises(duckdb.OutOfMemoryException) as raised:
        con.execute("select list(range) from range(10000000)").fetchall()
    duckdbs = str(raised.value)
    assert "Possible solutions" in duckdbs  # what it advises, over several lines
    message = f"Runtime Error in model fact_events (models/marts/fact_events.sql)\n  {duckdbs}\n"
    node = SimpleNamespace(resource_type="model", name="fact_events")
    described = transform._describe_failure(SimpleNamespace(node=node, message=message), tmp_path / "none.duckdb")
    cause = duckdbs.splitlines()[0].removeprefix("Out of Memory Error: ").split(" Possible solutions:")[0]
    assert described == (
        f"model fact_events: the warehouse ran out of its memory cap, EVENTDW_MEMORY_LIMIT=3GB (DuckDB: {cause}): "
        "run again with a higher cap"
    )
    assert "\n" not in described and "SET" not in described


def test_warning_names_the_offending_rows_by_file_and_row_and_the_run_goes_on(warehouse_copy, tmp_path):
    _break(
        warehouse_copy,
        "update marts.fact_event_mentions set is_quote_in_body = false "
        f"where (source_file, source_row_number) in (('{FILE_003}', 7), ('{FILE_001}', 4))",
    )
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "warned")
    assert report.failed_errors == []
    message = (
        "marts.fact_event_mentions: 2 coded rows with a quote outside the article's body (page furniture): "
        f"{FILE_001} row 4, {FILE_003} row 7"
    )
    assert report.failed_warnings == [message]
    recorded = _query(
        warehouse_copy,
        "select expectation, severity, unexpected_count, unexpected_rows, message from quality.validation_results "
        "where run_id = 'warned' and not success",
    )
    assert recorded == [
        (
            "expect_column_values_to_be_in_set",
            "warning",
            2,
            json.dumps([f"{FILE_001} row 4", f"{FILE_003} row 7"]),
            message,
        )
    ]
    assert (
        html.escape(message.removeprefix("marts.fact_event_mentions: "))
        in (tmp_path / "docs" / "index.html").read_text()
    )


def test_a_warning_over_more_than_ten_rows_names_the_first_ten_and_counts_the_rest(warehouse_copy, tmp_path):
    _break(warehouse_copy, "update marts.fact_event_mentions set is_quote_in_body = false where cameo_code = '192'")
    broken = sorted(
        _query(
            warehouse_copy,
            "select source_file, source_row_number from marts.fact_event_mentions where cameo_code = '192'",
        )
    )
    assert len(broken) == 24
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "warned-many")
    first_ten = ", ".join(f"{source_file} row {row}" for source_file, row in broken[:10])
    assert report.failed_warnings == [
        "marts.fact_event_mentions: 24 coded rows with a quote outside the article's body (page furniture): "
        f"{first_ten}, ... and 14 more"
    ]
    [(named,)] = _query(
        warehouse_copy,
        "select unexpected_rows from quality.validation_results where run_id = 'warned-many' and not success",
    )
    assert json.loads(named) == [f"{source_file} row {row}" for source_file, row in broken[:10]]


def test_a_place_outside_the_articles_countries_or_far_from_its_other_places_is_a_warning_naming_the_row(
    warehouse_copy, tmp_path
):
    """Row 7 of 003 says its place lies outside the article's countries; row 4 of 001 is moved to Ankara,
    some 700 km from every other place of its article."""
    _break(
        warehouse_copy,
        "update marts.fact_event_mentions set is_place_in_context_countries = false "
        f"where source_file = '{FILE_003}' and source_row_number = 7",
    )
    _break(
        warehouse_copy,
        "update marts.fact_event_mentions set place_id = 'geonames:323786' "
        f"where source_file = '{FILE_001}' and source_row_number = 4",
    )
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "places")
    assert report.failed_errors == []
    assert report.failed_warnings == [
        "marts.mention_places: 1 coded row whose place lies outside the countries the article (or the row) is "
        f"about: {FILE_003} row 7",
        f"marts.mention_places: 1 coded row whose place lies more than 500 km from every other place of its "
        f"article: {FILE_001} row 4",
    ]


def test_rejected_rows_are_a_warning_naming_each_file_row_and_reason(warehouse_copy, tmp_path):
    _break(
        warehouse_copy,
        "insert into raw.rejected_rows values "
        "('extractions/x.csv', 4, 'fatalities: -3 is negative', 'extraction', '{}', 'r', now()), "
        "('articles/y.txt', null, 'file: not UTF-8', 'article', null, 'r', now())",
    )
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "rejections")
    assert report.failed_errors == []
    assert report.failed_warnings == [
        "raw.rejected_rows: 2 inputs rejected by the loader, left out of the warehouse (see raw.rejected_rows): "
        "articles/y.txt (file: not UTF-8), extractions/x.csv row 4 (fatalities: -3 is negative)"
    ]


def test_a_results_table_from_before_the_named_rows_gains_their_columns_and_keeps_its_rows(warehouse_copy, tmp_path):
    _break(warehouse_copy, "drop table quality.validation_results")
    _break(
        warehouse_copy,
        """
        create table quality.validation_results (
            run_id varchar, suite varchar, expectation varchar, arguments varchar, severity varchar,
            success boolean, observed_value varchar, unexpected_count bigint,
            validated_at timestamp default current_timestamp
        )
        """,
    )
    _break(warehouse_copy, "insert into quality.validation_results (run_id, success) values ('before', true)")
    validate_warehouse(warehouse_copy, tmp_path / "docs", "after")
    columns = [name for (name, *_) in _query(warehouse_copy, "describe quality.validation_results")]
    assert columns[-4:] == ["validated_at", "unexpected_rows", "message", "meaning"]
    runs = dict(_query(warehouse_copy, "select run_id, count(*) from quality.validation_results group by run_id"))
    assert runs["before"] == 1 and runs["after"] == 10


def test_a_table_over_the_row_limit_is_validated_on_a_sample_and_still_fails_when_broken(
    warehouse_copy, tmp_path, monkeypatch
):
    monkeypatch.setenv("EVENTDW_GATE_MAX_ROWS", "30")
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "sampled")
    assert report.batch_rows["marts.fact_event_mentions"] == (30, 65)
    assert report.batch_rows["raw.rejected_rows"] == (0, 0)  # under the limit: every row
    # A query over one table runs on the table's sampled rows: 30 mentions, each with its nearest other place.
    assert report.batch_rows["marts.mention_places"] == (30, 65)
    assert "a random sample of 30 of its 65 rows" in (tmp_path / "docs" / "index.html").read_text()

    # Every row broken: any sample holds broken rows.
    _break(warehouse_copy, "update marts.fact_event_mentions set is_quote_in_body = false")
    report = validate_warehouse(warehouse_copy, tmp_path / "docs", "sampled-broken")
    assert report.failed_warnings[0].startswith(
        "marts.fact_event_mentions: 30 coded rows with a quote outside the article's body (page furniture) "
        "(in a random sample of 30 of 65 rows): extractions/"
    )


def test_an_incremental_builds_gate_validates_the_rows_it_wrote_and_a_full_check_every_row(warehouse_copy, tmp_path):
    """Unless told to validate everything, the gate's marts batches are the rows the run wrote (their run
    id): a bad row another run wrote is not in them; the whole tables are, with everything."""
    (events, mentions, rejected) = _query(
        warehouse_copy,
        "select (select count(*) from marts.fact_events), (select count(*) from marts.fact_event_mentions), "
        "(select count(*) from raw.rejected_rows)",
    )[0]
    # One event rewritten by a later run (its run id), and an unbelievable toll on an event it did not write.
    _break(warehouse_copy, "update marts.fact_events set run_id = 'later' where event_id = (select min(event_id) "
                           "from marts.fact_events)")  # fmt: skip
    _break(warehouse_copy, "update marts.fact_events set fatalities = 999999 where event_id = (select max(event_id) "
                           "from marts.fact_events)")  # fmt: skip

    batch = validate_warehouse(warehouse_copy, tmp_path / "batch", "later", everything=False)
    assert batch.batch_rows["marts.fact_events"] == (1, 1)
    assert batch.batch_rows["marts.fact_event_mentions"] == (0, 0)
    assert sorted(batch.batch_scoped) == ["marts.dim_article", "marts.fact_event_mentions", "marts.fact_events",
                                          "marts.mention_places"]  # fmt: skip
    assert batch.batch_rows["raw.rejected_rows"] == (rejected, rejected)  # raw is validated whole
    assert not [warning for warning in batch.failed_warnings if "toll" in warning]
    assert "the 1 rows written by this run" in (tmp_path / "batch" / "index.html").read_text()

    full = validate_warehouse(warehouse_copy, tmp_path / "all", "full")  # everything, unless a run says otherwise
    assert full.batch_rows["marts.fact_events"] == (events, events) and not full.batch_scoped
    assert full.batch_rows["marts.fact_event_mentions"] == (mentions, mentions)
    assert [warning for warning in full.failed_warnings if "with a toll above" in warning]
    scopes = _query(warehouse_copy, "select run_id, checked_everything from quality.check_runs order by checked_at")
    assert scopes[-2:] == [("later", False), ("full", True)]  # after the seed run's own


def test_every_nth_run_checks_everything(tmp_path, monkeypatch):
    from eventdw.quality import full_check_due
    from eventdw.warehouse import SettingError

    warehouse = tmp_path / "w.duckdb"
    _break(warehouse, "create schema quality")
    assert full_check_due(warehouse)  # no run has checked anything yet
    _break(warehouse, "create table quality.check_runs (run_id varchar, checked_everything boolean, "
                      "checked_at timestamp default current_timestamp)")  # fmt: skip
    assert full_check_due(warehouse)
    monkeypatch.setenv("EVENTDW_FULL_CHECK_EVERY", "3")
    scopes = []
    for run in range(7):
        due = full_check_due(warehouse)
        scopes.append(due)
        _break(warehouse, f"insert into quality.check_runs values ('r{run}', {due}, timestamp '2026-12-01' + "
                          f"interval {run} minute)")  # fmt: skip
    assert scopes == [True, False, False, True, False, False, True]
    monkeypatch.setenv("EVENTDW_FULL_CHECK_EVERY", "0")
    with pytest.raises(SettingError, match="EVENTDW_FULL_CHECK_EVERY='0' must be a whole number of runs"):
        full_check_due(warehouse)
