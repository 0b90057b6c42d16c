"""Every analyst query in docs/queries.sql runs on the seed warehouse and answers what it asks."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

QUERIES = {
    match.group(1): match.group(2).strip().rstrip(";")
    for match in re.finditer(
        r"^-- name: (\w+)\n(.*?)(?=^-- name: |\Z)", (REPO / "docs" / "queries.sql").read_text(), re.M | re.S
    )
}


def _run(seed_db, name):
    relation = seed_db.sql(QUERIES[name])
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def test_there_are_eleven_named_queries():
    assert len(QUERIES) == 11


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_runs_on_the_seed_warehouse(seed_db, name):
    rows = _run(seed_db, name)
    if name not in ("what_needs_a_coders_attention", "every_mention_of_an_unresolved_name"):  # (none on the seeds)
        assert rows, f"{name} returned nothing on the seeds"


def test_events_per_week_add_up_to_the_dated_events(seed_db):
    rows = _run(seed_db, "events_per_week_per_governorate")
    (dated,) = seed_db.execute("select count(*) from marts.fact_events where time_precision <= 2").fetchone()
    assert sum(row["events"] for row in rows) == dated


def test_the_sdf_is_among_the_most_active_actors(seed_db):
    names = [row["actor_name"] for row in _run(seed_db, "most_active_actors")]
    assert "Syrian Democratic Forces" in names[:5]


def test_where_did_the_sdf_act_includes_its_units(seed_db):
    rows = _run(seed_db, "where_did_the_sdf_act")
    assert {"Deir ez-Zor", "al-Qusour (neighbourhood of Deir ez-Zor)"} <= {row["place_name"] for row in rows}


def test_conflicting_claims_find_the_sweida_clash(seed_db):
    rows = _run(seed_db, "conflicting_fatality_claims")
    assert [(row["place_name"], row["best_estimate"]) for row in rows] == [("As-Suwayda", 3)]


def test_evidence_for_the_capture_lists_four_articles_whose_quotes_check_out(seed_db):
    rows = _run(seed_db, "evidence_for_the_capture_of_deir_ez_zor")
    assert len({row["article_id"] for row in rows}) == 4
    assert all(row["quote_checks_out"] for row in rows)
    assert {row["location_text"] for row in rows} == {"Deir el-Zor", "Deir ez-Zor", "Deir Ezzor"}


def test_events_near_deir_ez_zor_reach_albu_kamal_but_not_homs(seed_db):
    rows = _run(seed_db, "events_within_150_km_of_deir_ez_zor")
    places = {row["place_name"] for row in rows}
    assert "Deir ez-Zor" in places and "Homs" not in places
    assert any(name.startswith("Albu Kamal") for name in places)
    assert all(row["distance_km"] <= 150 for row in rows)


def test_territorial_changes_are_in_date_order(seed_db):
    dates = [row["event_date"] for row in _run(seed_db, "territorial_changes")]
    assert dates == sorted(dates) and len(dates) >= 10


def test_a_coder_sees_a_rejected_row(seed_db):
    seed_db.execute("begin transaction")
    try:
        seed_db.execute(
            "insert into raw.rejected_rows "
            "values ('x.csv', 4, 'fatalities: -1 is negative', 'extraction', '{}', 'r', now())"
        )
        rows = _run(seed_db, "what_needs_a_coders_attention")
    finally:
        seed_db.execute("rollback")
    assert rows == [{"problem": "rejected row", "location": "x.csv row 4", "detail": "fatalities: -1 is negative"}]
