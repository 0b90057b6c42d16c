"""Actor and place resolution on spellings the alias lists do not hold verbatim, and stable event ids."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from eventdw.load import load_inputs
from eventdw.transform import dbt_build
from tests.conftest import EXTRACTION_HEADER, SEEDS

A0 = "000_4938db59a5dbecdc"
A1 = "001_80b8b6eb158c6571"
LATER = "zz_after_the_fall"
LATER_TEXT = (
    "date 2024-12-20 Patrols in the capital\n\n"
    "Syrian government forces patrolled the streets of Damascus on Friday, residents said.\n"
)
WITHDRAWAL = "Syrian government forces and Iranian-backed Iraqi fighters withdrew from Deir ez-Zor before SDF entered."
HOMS = "Syrian rebels led by the Islamist group Hayat Tahrir al-Sham (HTS) launched an offensive"
CONTROL = "Now Deir el-Zor is under the control of the Syrian Democratic Forces."
VARIANT_ROWS = [
    (A0, "2024-12-06", "Jaysh al-Ashbah", "", "192", "Dayr az-Zawr", CONTROL),
    (A1, "2024-12-06", "Hay'at Tahrir al-Sham", "", "190", "Ḩimş", HOMS),
    (A1, "2024-12-06", "SDF", "", "192", "Deyr ez-Zur", WITHDRAWAL),
    (A0, "2024-12-06", "Hayʼat Tahrir ash-Sham", "", "190", "Dayr ez-Zawr", CONTROL),
    (A1, "2024-12-06", "DEIR EZ-ZOR MILITARY COUNCIL", "", "0874", "دير الزور", WITHDRAWAL),
    (A0, "2024-12-06", "SDF", "", "0841", "Nowhere-on-Euphrates", CONTROL),
    (LATER, "2024-12-20", "Syrian government forces", "", "190", "Dimashq", "Syrian government forces patrolled"),
]


def _csv_row(article_id, event_date, actor1, actor2, code, location, quote):
    fields = [article_id, event_date, "1", actor1, actor2, code, "", location, "1", "", quote, "test", "0.5", ""]
    return ",".join('"' + field.replace('"', '""') + '"' for field in fields) + "\n"


@pytest.fixture(scope="module")
def variant_db(tmp_path_factory):
    """The seeds plus one later article and rows written with unseen spellings, loaded and built."""
    root = tmp_path_factory.mktemp("variants")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "articles" / f"{LATER}.txt").write_text(LATER_TEXT, encoding="utf-8")
    (seeds / "extractions" / "variants.csv").write_text(
        EXTRACTION_HEADER + "".join(_csv_row(*row) for row in VARIANT_ROWS), encoding="utf-8"
    )
    warehouse = root / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        summary = load_inputs(con, seeds, "variants")
    assert summary.rejected_rows == 0
    dbt_build(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        yield con


def _place(con, location_text):
    return con.execute(
        "select distinct place_id, place_resolution_method from marts.fact_event_mentions where location_text = ?",
        [location_text],
    ).fetchall()


def _actor(con, actor_text):
    return con.execute(
        "select distinct actor1_id, actor1_resolution_method from marts.fact_event_mentions where actor1_text = ?",
        [actor_text],
    ).fetchall()


def test_issue_spellings_resolve(variant_db):
    assert [place for place, _ in _place(variant_db, "Dayr az-Zawr")] == ["geonames:170794"]
    assert [actor for actor, _ in _actor(variant_db, "Hay'at Tahrir al-Sham")] == ["hts"]


def test_spelling_in_no_list_resolves_by_its_normalised_form(variant_db):
    assert _place(variant_db, "Dayr ez-Zawr") == [("geonames:170794", "normalized")]
    assert _actor(variant_db, "Hayʼat Tahrir ash-Sham") == [("hts", "normalized")]


def test_arabic_script_spelling_resolves_to_the_city(variant_db):
    assert _place(variant_db, "دير الزور") == [("geonames:170794", "exact")]


def test_near_spelling_resolves_fuzzily_with_its_score(variant_db):
    (place_id, method, score) = variant_db.execute(
        "select place_id, place_resolution_method, place_resolution_score from marts.fact_event_mentions "
        "where location_text = 'Deyr ez-Zur'"
    ).fetchone()
    assert (place_id, method) == ("geonames:170794", "fuzzy")
    assert 0.90 <= score < 1.0


def test_a_name_shared_by_a_city_and_its_region_resolves_to_the_city(variant_db):
    assert _place(variant_db, "Ḩimş") == [("geonames:169577", "exact")]


def test_dimashq_resolves_to_damascus(variant_db):
    assert [place for place, _ in _place(variant_db, "Dimashq")] == ["geonames:170654"]


def test_case_is_ignored_in_exact_matches(variant_db):
    assert _actor(variant_db, "DEIR EZ-ZOR MILITARY COUNCIL") == [("deir_ez_zor_military_council", "exact")]


def test_alias_resolves_to_the_actor_of_the_events_period(variant_db):
    periods = variant_db.execute(
        "select distinct event_date > date '2024-12-08', actor1_id from marts.fact_event_mentions "
        "where actor1_text = 'Syrian government forces' order by 1"
    ).fetchall()
    assert periods == [(False, "syria_military_assad"), (True, "syria_military_interim")]


def test_unresolved_spellings_are_kept_flagged_and_reported(variant_db):
    assert _actor(variant_db, "Jaysh al-Ashbah") == [("unresolved:jaysh ashbah", "unresolved")]
    assert _place(variant_db, "Nowhere-on-Euphrates") == [("unresolved:nowhere on euphrates", "unresolved")]
    assert variant_db.execute(
        "select actor_name, is_resolved from marts.dim_actor where actor_id = 'unresolved:jaysh ashbah'"
    ).fetchall() == [("Jaysh al-Ashbah", False)]
    report = variant_db.execute(
        "select name_kind, spellings, num_mentions, article_ids from marts.report_unresolved_names order by 1"
    ).fetchall()
    assert report == [("actor", "Jaysh al-Ashbah", 1, A0), ("place", "Nowhere-on-Euphrates", 1, A0)]


def test_event_ids_survive_adding_articles_about_other_events(variant_db, seed_db):
    before = {event_id for (event_id,) in seed_db.execute("select event_id from marts.fact_events").fetchall()}
    after = {event_id for (event_id,) in variant_db.execute("select event_id from marts.fact_events").fetchall()}
    assert before <= after
    assert len(after - before) == 7
