"""Actor and place resolution on spellings the alias lists do not hold verbatim, and stable event ids."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from eventdw.ingest import load_inputs
from eventdw.transform import dbt_build
from tests.conftest import EXTRACTION_HEADER, SEEDS
from tests.test_queries import QUERIES

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
# The first row coded again by 22 more coders: 23 mentions of an unresolved spelling, more than the report names.
RECODED_ROWS = [(*VARIANT_ROWS[0], f"coder {number:02}") for number in range(1, 23)]


def _csv_row(article_id, event_date, actor1, actor2, code, location, quote, coder="test"):
    fields = [article_id, event_date, "1", actor1, actor2, code, "", location, "1", "", quote, coder, "0.5", ""]
    return ",".join('"' + field.replace('"', '""') + '"' for field in fields) + "\n"


@pytest.fixture(scope="module")
def variant_db(tmp_path_factory):
    """The seeds plus one later article and rows written with unseen spellings, loaded and built."""
    root = tmp_path_factory.mktemp("variants")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "articles" / f"{LATER}.txt").write_text(LATER_TEXT, encoding="utf-8")
    (seeds / "extractions" / "variants.csv").write_text(
        EXTRACTION_HEADER + "".join(_csv_row(*row) for row in VARIANT_ROWS + RECODED_ROWS), encoding="utf-8"
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
        "select name_kind, spellings, num_mentions, num_articles, article_ids, reason, refused_candidates "
        "from marts.report_unresolved_names order by 1"
    ).fetchall()
    nothing_similar = "no known name is similar enough: add an alias, or fix the spelling"
    assert report == [
        ("actor", "Jaysh al-Ashbah", 23, 1, A0, nothing_similar, None),
        ("place", "Nowhere-on-Euphrates", 1, 1, A0, nothing_similar, None),
    ]


def test_the_report_names_the_first_20_rows_of_a_spelling_in_file_and_row_order(variant_db):
    (source_rows,) = variant_db.execute(
        "select source_rows from marts.report_unresolved_names where name_kind = 'actor'"
    ).fetchone()
    # Line 2 (the header is line 1), then the 22 coders' lines 9 to 30: 9 to 27 make the first 20, 9 before 10.
    assert source_rows == "; ".join(f"extractions/variants.csv row {row}" for row in [2, *range(9, 28)])
    # docs/queries.sql lists every one.
    every_mention = variant_db.execute(
        f"select field, spelling, count(*) from ({QUERIES['every_mention_of_an_unresolved_name']}) group by all "
        "order by 1"
    ).fetchall()
    assert every_mention == [("actor1", "Jaysh al-Ashbah", 23), ("location", "Nowhere-on-Euphrates", 1)]


def test_event_ids_survive_adding_articles_about_other_events(variant_db, seed_db):
    before = {event_id for (event_id,) in seed_db.execute("select event_id from marts.fact_events").fetchall()}
    after = {event_id for (event_id,) in variant_db.execute("select event_id from marts.fact_events").fetchall()}
    assert before <= after
    assert len(after - before) == 7


# Place names in the article's context: a near or normalised match never crosses a border, a name GeoNames
# has in two countries goes to the one the article is about.
SUBURBS = "zz_damascus_suburbs"
SUBURBS_TEXT = (
    "date 2024-12-09 Clashes on the edge of Damascus\n\n"
    "DAMASCUS, Syria (Reuters) - Gunmen clashed with security forces in Mezzeh and Kafr Sousa on Monday, and "
    "shells fell on Arbeen, residents of Damascus said. In Daraa province, Tafas and Qatana were quiet.\n"
)
ADANA = "zz_adana_floods"
ADANA_TEXT = (
    "date 2024-12-09 Floods in southern Turkey\n\n"
    "Police evacuated Tafas after the river rose, officials in Adana said on Monday.\n"
)
WEST_BANK = "zz_west_bank_raid"
WEST_BANK_TEXT = (
    "date 2024-12-09 Raid near Jerusalem\n\n"
    "Israeli forces raided Qatana, a village north-west of Jerusalem, and arrested two men, "
    "officials in Ramallah said on Monday.\n"
)
NO_CONTEXT = "zz_no_context"
NO_CONTEXT_TEXT = "date 2024-12-09 A short note\n\nShells fell on Mezzeh on Monday, residents said.\n"
CODED = "zz_coded_country"
CONTEXT_HEADER = EXTRACTION_HEADER.rstrip("\n") + ",country\n"
CONTEXT_ROWS = [
    (SUBURBS, "Damascus", "residents of Damascus said", ""),
    (SUBURBS, "Mezzeh", "Gunmen clashed with security forces in Mezzeh", ""),
    (SUBURBS, "Kafr Sousa", "Gunmen clashed with security forces in Mezzeh and Kafr Sousa", ""),
    (SUBURBS, "Arbeen", "shells fell on Arbeen", ""),
    (SUBURBS, "Tafas", "Tafas and Qatana were quiet", ""),
    (SUBURBS, "Qatana", "In Daraa province, Tafas and Qatana were quiet", ""),
    (ADANA, "Tafas", "Police evacuated Tafas", ""),
    (ADANA, "Adana", "officials in Adana said", ""),
    (WEST_BANK, "Qatana", "Israeli forces raided Qatana", ""),
    (WEST_BANK, "Ramallah", "officials in Ramallah said", ""),
    (NO_CONTEXT, "Mezzeh", "Shells fell on Mezzeh", ""),
    (CODED, "Mezzeh", "Shells fell on Mezzeh on Monday", "TR"),
]


@pytest.fixture(scope="module")
def context_db(tmp_path_factory):
    """The seeds plus articles from Damascus, Turkey, the West Bank, nowhere known and a coded country, built."""
    root = tmp_path_factory.mktemp("context")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    for article_id, text in [
        (SUBURBS, SUBURBS_TEXT),
        (ADANA, ADANA_TEXT),
        (WEST_BANK, WEST_BANK_TEXT),
        (NO_CONTEXT, NO_CONTEXT_TEXT),
        (CODED, NO_CONTEXT_TEXT),
    ]:
        (seeds / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
    rows = "".join(
        _csv_row(article_id, "2024-12-09", "security forces", "", "190", location, quote).rstrip("\n")
        + f',"{country}"\n'
        for article_id, location, quote, country in CONTEXT_ROWS
    )
    for article_id, place, quote in (
        (SUBURBS, "Damascus", "residents of Damascus said"),
        (ADANA, "Adana", "officials in Adana said"),
    ):
        rows += _csv_row(article_id, "2024-12-09", "regime forces", "", "190", place, quote).rstrip("\n") + ',""\n'
    (seeds / "extractions" / "context.csv").write_text(CONTEXT_HEADER + rows, encoding="utf-8")
    warehouse = root / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        assert load_inputs(con, seeds, "context").rejected_rows == 0
    dbt_build(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        yield con


def _places_in(con, article_id):
    return dict(
        con.execute(
            """
            select location_text || coalesce(' in ' || country, ''), place_id
            from marts.fact_event_mentions
            left join (select extraction_id as mention_id, country_iso2 as country from raw.extractions)
                using (mention_id)
            where article_id = ?
            """,
            [article_id],
        ).fetchall()
    )


def test_damascus_districts_missing_from_geonames_do_not_resolve_across_a_border(context_db):
    """Mezzeh, Kafr Sousa and Arbeen are near spellings of towns in Turkey, the West Bank and Iraq
    (Mezreh 0.92, Kafr Sur 0.92, Arbeel 0.93): in an article about Damascus they stay unresolved."""
    places = _places_in(context_db, SUBURBS)
    assert places["Damascus"] == "geonames:170654"
    assert {places[name] for name in ("Mezzeh", "Kafr Sousa", "Arbeen")} == {
        "unresolved:mezzeh",
        "unresolved:kafr sousa",
        "unresolved:arbeen",
    }
    (countries,) = context_db.execute(
        "select article_countries from marts.dim_article where article_id = ?", [SUBURBS]
    ).fetchone()
    assert countries == "SY"


def test_near_spellings_are_compared_only_within_the_countries_of_the_text(context_db):
    """Kafr Sur (Palestine), Arbeel (Iraq) and Mezreh (Turkey) are as near as 0.92 to names of a text about
    Syria: with the world's places, a near spelling is looked for only in the text's countries, so they are
    neither taken nor offered, and the names stay unresolved for a coder to add."""
    refused = dict(
        context_db.execute(
            "select spellings, refused_candidates from marts.report_unresolved_names where name_kind = 'place'"
        ).fetchall()
    )
    assert (refused["Kafr Sousa"], refused["Arbeen"], refused["Mezzeh"]) == (None, None, None)


def test_a_name_geonames_has_in_two_countries_goes_to_the_one_the_article_is_about(context_db):
    """Tafas is a town of Daraa (31,249 people) and of Turkey (36,890); Qatana of Rif Dimashq and of the
    West Bank."""
    assert _places_in(context_db, SUBURBS)["Tafas"] == "geonames:163806"
    assert _places_in(context_db, ADANA)["Tafas"] == "geonames:299900"
    assert _places_in(context_db, SUBURBS)["Qatana"] == "geonames:165929"
    assert _places_in(context_db, WEST_BANK)["Qatana"] == "geonames:282376"
    (runner_up,) = context_db.execute(
        "select place_runner_up_id from marts.fact_event_mentions where article_id = ? and location_text = 'Tafas'",
        [SUBURBS],
    ).fetchone()
    assert runner_up == "geonames:299900"


def test_a_known_name_out_of_its_dates_is_not_read_as_an_agent_word(context_db):
    """'regime forces' is a name of Assad's army until 8 December 2024 (actor_aliases.csv: regime wording
    always denotes the Assad-era forces), and an agent word of the dictionary. In a text about Syria a day
    later it is not the army of the government that replaced his: it stays unresolved, and the report
    gives the name's dates. In a text about Turkey the Syrian name is not in the text's country: the words
    name Turkey's forces."""
    actors = {
        article_id: (actor_id, method)
        for article_id, actor_id, method in context_db.execute(
            "select article_id, actor1_id, actor1_resolution_method from marts.fact_event_mentions "
            "where actor1_text = 'regime forces'"
        ).fetchall()
    }
    assert actors[SUBURBS] == ("unresolved:regime forces", "unresolved")
    (turkish,) = context_db.execute(
        "select actor_name from marts.dim_actor where actor_id = ?", [actors[ADANA][0]]
    ).fetchone()
    assert turkish == "Military Forces of Turkey"
    (reason,) = context_db.execute(
        "select reason from marts.report_unresolved_names where spellings = 'regime forces'"
    ).fetchone()
    assert reason.startswith("known name, not valid on the event's date (valid 2000-07-17 to 2024-12-08)")


def test_a_row_that_names_its_country_resolves_there(context_db):
    assert _places_in(context_db, NO_CONTEXT) == {"Mezzeh": "unresolved:mezzeh"}
    assert _places_in(context_db, CODED) == {"Mezzeh in TR": "geonames:315808"}


def test_no_place_lies_outside_the_countries_it_was_resolved_in(context_db):
    (outside,) = context_db.execute(
        "select count(*) from marts.fact_event_mentions where not is_place_in_context_countries"
    ).fetchone()
    assert outside == 0


# The day power changes hands: ACLED's "Military Forces of Syria (2000-2024)" covers 8 December 2024.
FALL_OF_DAMASCUS = [
    (
        "zz_fall_a",
        "date 2024-12-08 Rebels enter Damascus\n\nHTS fighters drove the Syrian army out of Damascus on Sunday.\n",
        "HTS",
        "Syrian army",
        "HTS fighters drove the Syrian army out of Damascus",
    ),
    (
        "zz_fall_b",
        "date 2024-12-08 Assad flees\n\nHayat Tahrir al-Sham took Damascus from Assad's forces overnight.\n",
        "Hayat Tahrir al-Sham",
        "Assad's forces",
        "Hayat Tahrir al-Sham took Damascus from Assad's forces",
    ),
    (
        "zz_fall_c",
        "date 2024-12-09 The day after\n\nOn Sunday Hay'at Tahrir al-Sham defeated government forces in Damascus.\n",
        "Hay'at Tahrir al-Sham",
        "government forces",
        "Hay'at Tahrir al-Sham defeated government forces in Damascus",
    ),
]


def test_the_fall_of_damascus_reported_three_ways_is_one_event(tmp_path):
    """On 8 December 2024 "Syrian army" and "government forces" still mean the Assad-era forces (their
    validity ends that day, inclusive), as "Assad's forces" always does: the three reports are one event."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    for article_id, text, *_ in FALL_OF_DAMASCUS:
        (seeds / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
    (seeds / "extractions" / "fall.csv").write_text(
        EXTRACTION_HEADER
        + "".join(
            _csv_row(article_id, "2024-12-08", actor1, actor2, "190", "Damascus", quote)
            for article_id, _, actor1, actor2, quote in FALL_OF_DAMASCUS
        ),
        encoding="utf-8",
    )
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        assert load_inputs(con, seeds, "fall").rejected_rows == 0
    dbt_build(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        actors = con.execute(
            "select distinct actor2_id from marts.fact_event_mentions where source_file = 'extractions/fall.csv'"
        ).fetchall()
        events = con.execute(
            """
            select event_id, num_mentions, num_articles from marts.fact_events
            where event_id in (
                select event_id from marts.fact_event_mentions where source_file = 'extractions/fall.csv'
            )
            """
        ).fetchall()
    assert actors == [("syria_military_assad",)]
    assert [(mentions, articles) for _, mentions, articles in events] == [(3, 3)]


def test_alias_drafts_name_each_unresolved_spelling_and_paste_into_the_alias_files(variant_db, tmp_path):
    from click.testing import CliRunner

    from eventdw.cli import main

    (warehouse,) = variant_db.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    result = CliRunner().invoke(main, ["aliases", "--warehouse", warehouse])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "# 1 line(s) for seeds/reference/actor_aliases.csv (alias,actor_id,valid_from,valid_to,notes): "
        "check each id, then paste"
    )
    actor_line, place_line = next(csv.reader([lines[1]])), next(csv.reader([lines[3]]))
    # The nearest known name, below the fuzzy threshold, is the draft's id; the notes say how near.
    nearest_id, nearest_name, similarity = variant_db.execute(
        "select nearest_entity_id, nearest_known_name, nearest_similarity from marts.report_unresolved_names "
        "where name_kind = 'actor'"
    ).fetchone()
    assert actor_line[:4] == ["Jaysh al-Ashbah", nearest_id, "", ""]
    assert actor_line[4].startswith(f"DRAFT nearest: {nearest_name} ({similarity:.2f}); no known name is similar")
    assert f"23 mention(s) in 1 article(s): {A0} (extractions/variants.csv row 2; " in actor_line[4]
    assert actor_line[4].endswith("extractions/variants.csv row 27 ...)")  # the report names the first 20
    assert lines[2].startswith("# 1 line(s) for seeds/reference/place_aliases.csv (alias,place_ref,notes)")
    assert place_line[0] == "Nowhere-on-Euphrates" and place_line[2].startswith("DRAFT ")

    # The coder decides what the names are, pastes the lines, and the next build resolves them.
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    shutil.copy(Path(warehouse).parent / "seeds" / "extractions" / "variants.csv", seeds / "extractions")
    shutil.copy(Path(warehouse).parent / "seeds" / "articles" / f"{LATER}.txt", seeds / "articles")
    with (seeds / "reference" / "actor_aliases.csv").open("a", encoding="utf-8") as aliases:
        aliases.write(lines[1].replace(f"Jaysh al-Ashbah,{nearest_id},", "Jaysh al-Ashbah,hts,", 1) + "\n")
    with (seeds / "reference" / "place_aliases.csv").open("a", encoding="utf-8") as aliases:
        writer = csv.writer(aliases, lineterminator="\n")
        writer.writerow(["Nowhere-on-Euphrates", "geonames:170794", place_line[2]])
    pasted = tmp_path / "w.duckdb"
    with duckdb.connect(str(pasted)) as con:
        assert load_inputs(con, seeds, "pasted").rejected_rows == 0
    dbt_build(pasted)
    with duckdb.connect(str(pasted)) as con:
        assert _actor(con, "Jaysh al-Ashbah")[0][0] == "hts"
        assert _place(con, "Nowhere-on-Euphrates")[0][0] == "geonames:170794"
        assert con.execute("select count(*) from marts.report_unresolved_names").fetchone() == (0,)


def test_no_unresolved_names_draft_no_aliases():
    import pandas as pd

    from eventdw.aliases import draft_aliases

    assert draft_aliases(pd.DataFrame(columns=["name_kind"])) == "Every actor and place name resolved: no alias to add."
