"""Incremental builds: new articles merge into the events already built, and the marts equal a full rebuild's."""

from __future__ import annotations

import csv
import json
import shutil
import sys

import duckdb
import pytest

from eventdw import ingest, state, transform
from eventdw.ingest import raw_tables
from tests.conftest import REPO, marts_snapshot

sys.path.insert(0, str(REPO / "bench"))
from generate import SIZES, generate  # noqa: E402


def _load(seeds, warehouse):
    with duckdb.connect(str(warehouse)) as con:
        return ingest.load_inputs(con, seeds, "test")


@pytest.fixture(scope="module")
def synthetic_s(tmp_path_factory):
    """The benchmark's S inputs (2,000 articles, 10,000 coded rows), with 1% of the articles held back."""
    root = tmp_path_factory.mktemp("incremental")
    seeds, held_back = root / "seeds", root / "held_back"
    generate(seeds, *SIZES["S"])
    held_back.mkdir()
    for path in sorted((seeds / "articles").glob("*.txt"))[::100]:
        shutil.move(path, held_back / path.name)
    return seeds, held_back


def test_adding_articles_builds_incrementally_and_equals_a_full_rebuild(synthetic_s, tmp_path):
    seeds, held_back = synthetic_s
    warehouse = tmp_path / "eventdw.duckdb"
    _load(seeds, warehouse)
    first = transform.dbt_build(warehouse)
    assert first.full_refresh and first.reason == "no finished build to add to"
    # dbt's connection is closed with the build (its memory is the export's): another configuration opens.
    duckdb.connect(str(warehouse), read_only=True).close()
    before = _mentions_per_event(warehouse)

    for path in held_back.glob("*.txt"):  # the held-back 1% arrive: their rows are now accepted
        shutil.copy(path, seeds / "articles" / path.name)
    try:
        _load(seeds, warehouse)
        incremental = transform.dbt_build(warehouse)
        incremental_threads = _dbt_threads(warehouse)
        after_incremental = marts_snapshot(warehouse)
        full = transform.dbt_build(warehouse, full_refresh=True)
    finally:
        for path in held_back.glob("*.txt"):
            (seeds / "articles" / path.name).unlink()
    assert not incremental.full_refresh
    # The held-back articles' rows were rejected (unknown article): they are accepted now.
    assert incremental.reason.endswith("rows added, 20 articles added")
    assert full.full_refresh
    # An incremental build's nodes run on more threads than a full refresh's (the profile's), whose passes
    # need the memory.
    assert (incremental_threads, _dbt_threads(warehouse)) == (transform.INCREMENTAL_THREADS, None)

    assert after_incremental == marts_snapshot(warehouse)
    # The new mentions reached events built before: some kept their id and gained mentions.
    after = _mentions_per_event(warehouse)
    assert sum(after.values()) > sum(before.values())
    assert any(after.get(event_id, 0) > mentions for event_id, mentions in before.items())


def _dbt_threads(warehouse):
    """The threads dbt's last build on `warehouse` was told to run its nodes on (its run_results.json), None
    for the profile's."""
    results = warehouse.parent / f"{warehouse.stem}.dbt" / "target" / "run_results.json"
    return json.loads(results.read_text())["args"].get("threads")


HEADER = "article_id,event_date,time_precision,actor1,actor2,cameo_code,location,quote\n"
QUOTE = "The Syrian army and allied militias took control from ISIS of the town of Ghanim al-Ali"


def test_a_report_between_two_days_joins_the_nearer_and_moves_to_a_nearer_day_when_one_arrives(tmp_path):
    """Reports of fighting on two days four days apart are two events, and a week-precision report between
    them joins the nearer day: it never merges the two. A later report of the day between them takes the
    week report (as near, and earlier): the event it left keeps its own mention, in every mart, as a full
    rebuild has it."""
    seeds, warehouse = tmp_path / "seeds", tmp_path / "eventdw.duckdb"
    shutil.copytree(REPO / "seeds", seeds)
    row = "003_d87e7e8bc6717bf6,{},{},Syrian army,ISIS,190,Ghanim al-Ali,{}\n"
    (seeds / "extractions" / "900_two_days.csv").write_text(
        HEADER
        + "".join(
            row.format(date, precision, QUOTE)
            for date, precision in [("2017-07-20", 1), ("2017-07-24", 1), ("2017-07-23", 2)]
        )
    )
    _load(seeds, warehouse)
    transform.dbt_build(warehouse)
    before = _events_by_date(warehouse)
    assert before == {"2017-07-20": (1, 1), "2017-07-24": (1, 2)}  # the week report joined the 24th

    (seeds / "extractions" / "901_the_day_between.csv").write_text(HEADER + row.format("2017-07-22", 1, QUOTE))
    _load(seeds, warehouse)
    incremental = transform.dbt_build(warehouse)
    after_incremental = marts_snapshot(warehouse)
    transform.dbt_build(warehouse, full_refresh=True)

    assert not incremental.full_refresh
    assert after_incremental == marts_snapshot(warehouse)
    assert _events_by_date(warehouse) == {"2017-07-20": (1, 1), "2017-07-22": (1, 2), "2017-07-24": (1, 1)}


def _events_by_date(warehouse):
    """(time precision, mentions) of the Syrian army-ISIS fighting events at Ghanim al-Ali in July 2017, by date."""
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            """
            select strftime(event_date, '%Y-%m-%d'), time_precision, num_mentions
            from marts.fact_events
            where cameo_root_code = '19' and event_date between '2017-07-15' and '2017-07-29'
                and place_id in (select place_id from marts.dim_place where place_name = 'Ghanim al-Ali')
            """
        ).fetchall()
    return {date: (precision, mentions) for date, precision, mentions in rows}


def _mentions_per_event(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        return dict(con.execute("select event_id, num_mentions from marts.fact_events").fetchall())


def test_only_a_changed_transform_or_an_unfinished_build_forces_a_full_refresh(synthetic_s, tmp_path):
    seeds, _ = synthetic_s
    warehouse = tmp_path / "eventdw.duckdb"
    _load(seeds, warehouse)
    transform.dbt_build(warehouse)
    assert state.plan_build(warehouse)[:2] == (False, "nothing changed")

    with duckdb.connect(str(warehouse)) as con:  # a coded row built before disappears from the inputs
        con.execute(
            "delete from raw.extractions where extraction_id = (select min(extraction_id) from raw.extractions)"
        )
        # an article parsed again with another title: the loader hashes it as it parses it
        con.execute(
            "update raw.articles set title = 'edited', article_hash = md5('edited') where article_id = 'bench_0000001'"
        )
    assert state.plan_build(warehouse)[:2] == (False, "1 row removed, 1 article changed")
    with duckdb.connect(str(warehouse)) as con:
        (rebuilt,) = con.execute("select count(*) from eventdw_state.articles_to_rebuild").fetchone()
    assert rebuilt == 2

    _load(seeds, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # the reference data changed (a new alias)
        con.execute("insert into raw.ref_actor_aliases (alias, actor_id) values ('Daesh fighters', 'isis')")
    assert state.plan_build(warehouse)[:2] == (
        True,
        "the dbt project, the name normaliser or the reference data changed",
    )

    with duckdb.connect(str(warehouse)) as con:  # a build that did not finish is not added to
        con.execute("delete from eventdw_state.build")
    assert state.plan_build(warehouse)[:2] == (True, "no finished build to add to")


# Edits: every field of a coded row and every byte of an article reach the marts, incrementally, as a fresh
# build of the same inputs has them.
A0, A1, A2, A3 = "000_4938db59a5dbecdc", "001_80b8b6eb158c6571", "002_06df92578aa3feb5", "003_d87e7e8bc6717bf6"
A4 = "004_a744f15570869942"
COPY_OF_A1 = "005_copy_of_001"


def _rows(seeds, article_id):
    path = seeds / "extractions" / f"{article_id}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return path, list(csv.reader(handle))


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def _set(seeds, article_id, row_number, /, **values):
    """Set values of one coded row (its spreadsheet row number, the header being row 1)."""
    path, rows = _rows(seeds, article_id)
    header = rows[0]
    for column, value in values.items():
        if column not in header:
            header.append(column)
            for row in rows[1:]:
                row.append("")
        rows[row_number - 1][header.index(column)] = value
    _write(path, rows)


def _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path):
    """Load and build incrementally; then load and build the same inputs in a new warehouse. Both marts."""
    result = _load_and_build(seeds, warehouse)
    fresh = tmp_path / "fresh" / "eventdw.duckdb"
    fresh.parent.mkdir(exist_ok=True)
    _load_and_build(seeds, fresh)
    # What the next build compares with: the rows as built, brought up to date in the files that changed.
    assert _built_rows(warehouse) == _built_rows(fresh)
    return result, marts_snapshot(warehouse), marts_snapshot(fresh)


def _built_rows(warehouse):
    """The rows as built; and each file's digest as recorded, which the next plan compares with, is their digest."""
    with duckdb.connect(str(warehouse)) as con:
        recorded = con.execute("select * from eventdw_state.built_file_digests order by all").fetchall()
        digests = state.FILE_DIGESTS.format(rows="eventdw_state.built_rows")
        assert recorded == con.execute(f"select * from ({digests}) order by all").fetchall()
        planned = [table for table in state.PLANNED if state._has_state(con, table)]
        assert planned == []  # the build's record used its plan, and forgot it
        return con.execute("select * from eventdw_state.built_rows order by all").fetchall()


def _load_and_build(seeds, warehouse):
    _load(seeds, warehouse)
    return transform.dbt_build(warehouse)


@pytest.fixture()
def built_seeds(tmp_path):
    """The seeds, with a copy of article 001 as 005, loaded and built."""
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    shutil.copy(seeds / "articles" / f"{A1}.txt", seeds / "articles" / f"{COPY_OF_A1}.txt")
    warehouse = tmp_path / "eventdw.duckdb"
    assert _load_and_build(seeds, warehouse).full_refresh
    return seeds, warehouse


# One edit per column of the extraction format, each in its own row: (article, row number, new values).
EDITS = {
    "article_id": (A1, 3, {"article_id": COPY_OF_A1}),
    "event_date": (A1, 4, {"event_date": "2024-12-05"}),
    "time_precision": (A1, 5, {"time_precision": "2"}),
    "actor1": (A1, 6, {"actor1": "HTS"}),
    "actor2": (A1, 7, {"actor2": "SDF"}),
    "cameo_code": (A1, 8, {"cameo_code": "193"}),
    "acled_sub_event_type": (A1, 9, {"acled_sub_event_type": "Armed clash"}),
    "location": (A1, 10, {"location": "Homs"}),
    "geo_precision": (A1, 11, {"geo_precision": "2"}),
    "fatalities": (A3, 2, {"fatalities": "4"}),
    "quote": (A3, 3, {"quote": "regime forces crossed the provincial border"}),
    "coder": (A3, 4, {"coder": "second-coder"}),
    "confidence": (A3, 5, {"confidence": "0.31"}),
    "notes": (A3, 6, {"notes": "checked against SOHR"}),
    "country": (A3, 7, {"country": "SY"}),
}
MENTION_COLUMN = {"actor1": "actor1_text", "actor2": "actor2_text", "location": "location_text"}


def test_every_column_of_the_extraction_format_has_an_edit_here():
    assert set(EDITS) == set(raw_tables.EXTRACTION_COLUMNS)


def test_an_edit_of_any_field_reaches_the_marts_incrementally_as_a_fresh_build_has_it(built_seeds, tmp_path):
    seeds, warehouse = built_seeds
    for article_id, row_number, values in EDITS.values():
        _set(seeds, article_id, row_number, **values)
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)

    assert not result.full_refresh
    assert result.description == "incremental: 15 rows changed"
    assert incremental == fresh
    with duckdb.connect(str(warehouse)) as con:
        for column, (article_id, row_number, values) in EDITS.items():
            if column == "country":
                continue  # the row's country is the context its names resolved in
            source_file = f"extractions/{article_id}.csv"
            mention_column = MENTION_COLUMN.get(column, column)
            (value,) = con.execute(
                f"select cast({mention_column} as varchar) from marts.fact_event_mentions "
                "where source_file = ? and source_row_number = ?",
                [source_file, row_number],
            ).fetchone()
            expected = values[column]
            assert value == ("regime forces crossed the provincial border" if column == "quote" else expected), column
        (countries,) = con.execute(
            "select place_context_countries from marts.fact_event_mentions where source_file = ? and "
            "source_row_number = 7",
            [f"extractions/{A3}.csv"],
        ).fetchone()
        assert countries == "SY"
        (fatalities,) = con.execute(
            "select fatalities from marts.acled_events where event_id_cnty = (select 'SYR' || substr(event_id, 3) "
            "from marts.fact_event_mentions where source_file = ? and source_row_number = 2)",
            [f"extractions/{A3}.csv"],
        ).fetchone()
        assert fatalities == 4


def test_the_report_of_unresolved_names_lists_again_only_the_spellings_an_edit_touched(built_seeds, tmp_path):
    """An incremental build writes again the unresolved spellings of the articles it rebuilt, and those whose
    mentions no longer number what the report counted; it drops those no mention spells any more; the rest
    keep their rows. Each time, the report is a fresh build's."""
    seeds, warehouse = built_seeds
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    _set(seeds, A1, 6, actor1="Jaysh al-Ashbah")
    _set(seeds, A1, 7, actor2="Liwa Qamar al-Ghaib")
    _set(seeds, A3, 2, actor1="Jaysh al-Ashbah")
    _set(seeds, A3, 3, location="Nowhere-on-Euphrates")
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path / "first")
    assert result.description == "incremental: 4 rows changed"
    assert incremental == fresh

    def report():
        with duckdb.connect(str(warehouse)) as con:
            query = "select spellings, num_mentions, num_articles, run_id from marts.report_unresolved_names"
            return {spellings: rest for spellings, *rest in con.execute(query).fetchall()}

    listed = report()
    assert {spelling: counts for spelling, (*counts, _) in listed.items()} == {
        "Jaysh al-Ashbah": [2, 2],
        "Liwa Qamar al-Ghaib": [1, 1],
        "Nowhere-on-Euphrates": [1, 1],
    }
    # Article 003 alone is rebuilt: al-Ashbah loses its mention there (its row is counted again though its
    # article 001 was not rebuilt), the place no row spells any more goes, al-Ghaib keeps its row.
    _set(seeds, A3, 2, actor1="HTS")
    _set(seeds, A3, 3, location="Homs")
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path / "second")
    assert result.description == "incremental: 2 rows changed"
    assert incremental == fresh
    relisted = report()
    assert relisted.keys() == {"Jaysh al-Ashbah", "Liwa Qamar al-Ghaib"}
    assert relisted["Jaysh al-Ashbah"][:2] == [1, 1]
    assert relisted["Jaysh al-Ashbah"][2] != listed["Jaysh al-Ashbah"][2]
    assert relisted["Liwa Qamar al-Ghaib"] == listed["Liwa Qamar al-Ghaib"]

    # Rows changed in place: al-Ghaib's given a death toll keeps its row; two rows swapped (al-Ashbah's among
    # them) each moved to the other's row number, which al-Ashbah's row lists.
    (tmp_path / "third").mkdir()
    _set(seeds, A1, 7, fatalities="2")
    path, rows = _rows(seeds, A1)
    rows[4], rows[5] = rows[5], rows[4]  # rows 5 and 6: al-Ashbah's goes to row 5
    _write(path, rows)
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path / "third")
    assert result.description == "incremental: 3 rows changed"
    assert _rebuilt(warehouse) == ([], [(A1, 3)])
    assert incremental == fresh
    moved = report()
    assert moved["Liwa Qamar al-Ghaib"] == listed["Liwa Qamar al-Ghaib"]
    assert moved["Jaysh al-Ashbah"][:2] == [1, 1] and moved["Jaysh al-Ashbah"][2] != relisted["Jaysh al-Ashbah"][2]
    with duckdb.connect(str(warehouse)) as con:
        query = "select source_rows from marts.report_unresolved_names where spellings = 'Jaysh al-Ashbah'"
        assert con.execute(query).fetchone() == (f"extractions/{A1}.csv row 5",)


def test_a_new_article_adds_its_mentions_to_a_spelling_listed_before_and_counts_no_other(built_seeds, tmp_path):
    """A build that only adds an article cannot take a mention from a spelling, so it counts none again: a
    spelling listed before that the new article spells twice is listed again, its two mentions added once
    each, as a fresh build has it."""
    seeds, warehouse = built_seeds
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    _set(seeds, A1, 6, actor1="Jaysh al-Ashbah")
    _set(seeds, A1, 8, actor1="Jaysh al-Ashbah")
    _, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path / "first")
    assert incremental == fresh

    new = "006_new_article"
    shutil.copy(seeds / "articles" / f"{A1}.txt", seeds / "articles" / f"{new}.txt")
    _, rows = _rows(seeds, A1)
    at = rows[0].index("article_id")
    _write(seeds / "extractions" / f"{new}.csv", [rows[0]] + [[*row[:at], new, *row[at + 1 :]] for row in rows[5:8:2]])
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path / "second")
    assert not result.full_refresh
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select article_id, was_built from eventdw_state.articles_to_rebuild").fetchall() == [
            (new, False)
        ]
        query = "select num_mentions, num_articles from marts.report_unresolved_names where spellings = ?"
        assert con.execute(query, ["Jaysh al-Ashbah"]).fetchone() == (4, 2)
    assert incremental == fresh


def test_a_warehouse_built_before_the_files_digests_were_kept_keeps_them_from_its_next_build(built_seeds, tmp_path):
    seeds, warehouse = built_seeds
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table eventdw_state.built_file_digests")
    _set(seeds, A3, 2, fatalities="4")
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)
    assert result.description == "incremental: 1 row changed"
    assert incremental == fresh
    _set(seeds, A3, 2, fatalities="5")  # compared with the digests kept
    assert _load_and_build(seeds, warehouse).description == "incremental: 1 row changed"
    _built_rows(warehouse)


def test_a_warehouse_built_before_rows_kept_their_country_rebuilds_an_edited_rows_article_once(built_seeds, tmp_path):
    """Rows recorded without their country cannot be told changed in place: an edit of one rebuilds its
    article, as before, and records the file's rows with their countries, so the next edit is in place."""
    seeds, warehouse = built_seeds
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table eventdw_state.built_rows drop column country_iso2")
    _set(seeds, A3, 2, fatalities="4")
    assert _load_and_build(seeds, warehouse).description == "incremental: 1 row changed"
    assert _rebuilt(warehouse) == ([A3], [])
    fresh = tmp_path / "fresh" / "eventdw.duckdb"
    fresh.parent.mkdir()
    _load_and_build(seeds, fresh)
    assert marts_snapshot(warehouse) == marts_snapshot(fresh)
    with duckdb.connect(str(warehouse)) as con:
        not_recorded = "select count(*) from eventdw_state.built_rows where country_iso2 = '(not recorded)'"
        assert con.execute(f"{not_recorded} and article_id = '{A3}'").fetchone() == (0,)
        assert con.execute(not_recorded).fetchone()[0] > 0  # the other files' rows, until they change
    _set(seeds, A3, 2, fatalities="5")
    assert _load_and_build(seeds, warehouse).description == "incremental: 1 row changed"
    assert _rebuilt(warehouse) == ([], [(A3, 1)])


def test_an_article_edit_that_moves_its_quotes_moves_their_offsets(built_seeds, tmp_path):
    seeds, warehouse = built_seeds
    article = seeds / "articles" / f"{A3}.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Syrian army advances", "Update: a paragraph added.\n\nSyrian army advances", 1))
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)

    assert result.description == "incremental: 9 rows changed, 1 article changed"
    assert incremental == fresh
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            "select m.quote, m.quote_start, m.quote_end, a.raw_text from marts.fact_event_mentions m "
            "join marts.dim_article a using (article_id) where article_id = ?",
            [A3],
        ).fetchall()
    assert rows and all(text[start:end] == quote for quote, start, end, text in rows)
    assert all(start > text.index("Update: a paragraph added.") for _, start, _, text in rows)


def test_a_row_changed_in_place_rebuilds_its_mention_and_event_and_not_its_article(built_seeds, tmp_path):
    """A row edited in place (the same mention in the same country: its deaths, precisions, sub-event type,
    confidence, notes, or its row number) is rebuilt with its event, and the other rows of its article are
    not; an edit of a row's country, in which its article's other names resolve, rebuilds its article. The
    marts are a fresh build's either way."""
    seeds, warehouse = built_seeds
    _set(seeds, A2, 2, fatalities="7")
    _set(seeds, A2, 3, time_precision="4")  # a year report: it leaves its event, which is rebuilt without it
    _set(seeds, A2, 4, geo_precision="3", acled_sub_event_type="Armed clash", confidence="0.4", notes="re-read")
    path, rows = _rows(seeds, A0)
    rows[1], rows[2] = rows[2], rows[1]  # two rows swapped: each at another row number
    _write(path, rows)
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)

    assert result.description == "incremental: 5 rows changed"
    assert incremental == fresh
    assert _rebuilt(warehouse) == ([], [(A0, 2), (A2, 3)])
    assert _rows_written_by_each_build(warehouse, A0, A2) == {A0: [2, "the rest"], A2: [3, "the rest"]}

    _set(seeds, A4, 5, country="SY")
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)
    assert result.description == "incremental: 1 row changed"
    assert incremental == fresh
    assert _rebuilt(warehouse) == ([A4], [])
    assert _rows_written_by_each_build(warehouse, A4) == {A4: ["all"]}


def test_a_precision_changed_in_place_that_joins_two_events_of_an_article_counts_its_events_again(tmp_path):
    """A month report of an article, edited in place from a day report of its own, joins the day event of the
    same key 5 days later: the article's count of events (dim_article) falls, as a fresh build has it."""
    from tests.conftest import make_seeds
    from tests.test_load import EXTRACTION_HEADER, _row

    rows = [_row(), _row(event_date="2024-12-01")]
    seeds_dir = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + "".join(rows)})
    extractions = seeds_dir / "extractions" / "a.csv"
    warehouse = tmp_path / "eventdw.duckdb"
    _load_and_build(seeds_dir, warehouse)
    num_events = f"select num_events from marts.dim_article where article_id = '{A1}'"
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute(num_events).fetchone() == (2,)

    rows[1] = _row(event_date="2024-12-01", time_precision="3")
    extractions.write_text(EXTRACTION_HEADER + "".join(rows), encoding="utf-8")
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds_dir, warehouse, tmp_path)
    assert result.description == "incremental: 1 row changed"
    assert _rebuilt(warehouse) == ([], [(A1, 1)])
    assert incremental == fresh
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute(num_events).fetchone() == (1,)


def test_a_row_changed_in_place_in_an_article_coded_twice_writes_its_units_again(tmp_path):
    """An article two coders coded has units (report_coder_agreement_units); one of bob's rows given a death
    toll in place writes them again, with it, as a fresh build has them, and leaves none of the earlier."""
    from tests.conftest import make_seeds
    from tests.test_agreement import ARTICLE, two_coders_csv

    seeds = make_seeds(tmp_path, {f"{ARTICLE}.csv": two_coders_csv()}, articles=[ARTICLE])
    warehouse = tmp_path / "eventdw.duckdb"
    _load_and_build(seeds, warehouse)
    units_query = "select coder, fatalities_value, run_id from marts.report_coder_agreement_units"
    with duckdb.connect(str(warehouse)) as con:
        (first_run,) = {run_id for *_, run_id in con.execute(units_query).fetchall()}
    path, rows = _rows(seeds, ARTICLE)
    bob = next(number for number, row in enumerate(rows, 1) if row[rows[0].index("coder")] == "bob")
    _set(seeds, ARTICLE, bob, fatalities="4")
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)

    assert result.description == "incremental: 1 row changed"
    assert _rebuilt(warehouse) == ([], [(ARTICLE, 1)])
    assert incremental == fresh
    with duckdb.connect(str(warehouse)) as con:
        units = con.execute(units_query).fetchall()
    # Every unit of the article written again, none of the earlier left.
    (run,) = {run_id for *_, run_id in units}
    assert len(units) == 9 and run != first_run
    assert [fatalities for coder, fatalities, _ in units if coder == "bob"].count(4) == 1


def _rebuilt(warehouse):
    """(the articles the last build rebuilt whole, [(article, its mentions it rebuilt)] of the others)."""
    with duckdb.connect(str(warehouse)) as con:
        articles = con.execute("select article_id from eventdw_state.articles_to_rebuild order by 1").fetchall()
        mentions = con.execute("select article_id, count(*) from eventdw_state.mentions_to_rebuild group by all")
        return [article_id for (article_id,) in articles], sorted(mentions.fetchall())


def _rows_written_by_each_build(warehouse, *article_ids):
    """Of each article, how many of its joined mentions each build wrote, fewest first ("the rest", "all")."""
    with duckdb.connect(str(warehouse)) as con:
        batches = con.execute(
            """
            select article_id, list(rows order by rows)
            from (
                select article_id, batch_id, count(*) as rows
                from intermediate.int_mentions_joined_to_references
                where list_contains(?, article_id)
                group by all
            )
            group by all
            """,
            [list(article_ids)],
        ).fetchall()
        mentions = dict(
            con.execute(
                "select article_id, count(*) from intermediate.int_mentions_joined_to_references group by 1"
            ).fetchall()
        )
    named = {}
    for article_id, counts in batches:
        total = mentions[article_id]
        rest = "the rest" if sum(counts) == total else "?"
        named[article_id] = ["all"] if counts == [total] else [*counts[:-1], rest]
    return named


def test_a_removed_row_takes_its_mention_and_a_last_mention_its_event(built_seeds, tmp_path):
    seeds, warehouse = built_seeds
    with duckdb.connect(str(warehouse)) as con:
        events = dict(con.execute("select mention_id, event_id from marts.fact_event_mentions").fetchall())
        counts = dict(con.execute("select event_id, num_mentions from marts.fact_events").fetchall())
        last_rows = con.execute(
            "select m.mention_id, m.source_row_number from marts.fact_event_mentions m "
            "join marts.fact_events e using (event_id) where m.source_file = ? order by m.source_row_number desc",
            [f"extractions/{A2}.csv"],
        ).fetchall()
    path, rows = _rows(seeds, A2)
    removed_id, removed_row = last_rows[0]  # the file's last row: no other row moves up
    _write(path, rows[: removed_row - 1])
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)

    assert result.description == "incremental: 1 row removed"
    assert incremental == fresh
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute(
            "select count(*) from marts.fact_event_mentions where mention_id = ?", [removed_id]
        ).fetchone() == (0,)
        remaining = con.execute(
            "select num_mentions from marts.fact_events where event_id = ?", [events[removed_id]]
        ).fetchall()
    assert remaining == ([] if counts[events[removed_id]] == 1 else [(counts[events[removed_id]] - 1,)])


def test_a_removed_article_takes_its_mentions_and_their_events(built_seeds, tmp_path):
    seeds, warehouse = built_seeds
    (seeds / "articles" / f"{A2}.txt").unlink()
    (seeds / "extractions" / f"{A2}.csv").unlink()
    _set(seeds, A0, 2, fatalities="2")
    result, incremental, fresh = _build_and_compare_with_a_fresh_build(seeds, warehouse, tmp_path)

    assert result.description == "incremental: 1 row changed, 20 removed, 1 article removed"
    assert incremental == fresh
    with duckdb.connect(str(warehouse)) as con:
        mentions = con.execute("select count(*) from marts.fact_event_mentions where article_id = ?", [A2])
        assert mentions.fetchone() == (0,)
        assert con.execute("select count(*) from marts.dim_article where article_id = ?", [A2]).fetchone() == (0,)


def test_a_run_where_nothing_changed_says_so_and_does_not_run_dbt(built_seeds, monkeypatch):
    seeds, warehouse = built_seeds
    before = marts_snapshot(warehouse)
    _load(seeds, warehouse)
    monkeypatch.setattr("dbt.cli.main.dbtRunner.invoke", lambda *args, **kwargs: pytest.fail("dbt ran"))
    result = transform.dbt_build(warehouse)
    assert (result.full_refresh, result.description, result.ran) == (False, "incremental: nothing changed", False)
    assert marts_snapshot(warehouse) == before


def test_each_mart_row_carries_the_run_that_wrote_it_and_its_build(tmp_path):
    """A row an incremental build leaves in place keeps its run and build; the rows it writes get its own."""
    from tests.conftest import MART_TABLES, UNEXPORTED_MART_TABLES, make_seeds

    coded = ("000_4938db59a5dbecdc", "001_80b8b6eb158c6571", "003_d87e7e8bc6717bf6")
    seeds = make_seeds(
        tmp_path, {f"{name}.csv": (REPO / "seeds" / "extractions" / f"{name}.csv").read_bytes() for name in coded}
    )
    warehouse = tmp_path / "eventdw.duckdb"
    _load(seeds, warehouse)
    first = transform.dbt_build(warehouse, run_id="run-one")
    assert first.record is not None
    with duckdb.connect(str(warehouse)) as con:
        for table in MART_TABLES + UNEXPORTED_MART_TABLES + ["events_described"]:
            ids = con.execute(f"select distinct run_id, build_id from marts.{table}").fetchall()
            assert ids in ([("run-one", first.record["build_id"])], []), table
        lines = dict(con.execute("select article_id, count(*) from marts.fact_event_mentions group by 1").fetchall())

    # A coder corrects one row of article 003 in place: only that row's mention is written again.
    edited = seeds / "extractions" / "003_d87e7e8bc6717bf6.csv"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace(",eventdw-seed-coder,0.7,", ",eventdw-seed-coder,0.75,", 1),
        encoding="utf-8",
    )
    _load(seeds, warehouse)
    second = transform.dbt_build(warehouse, run_id="run-two")
    assert not second.full_refresh and second.record is not None
    assert second.record["build_id"] != first.record["build_id"]  # other inputs: another build
    with duckdb.connect(str(warehouse)) as con:
        by_article = con.execute(
            "select article_id, run_id || ' ' || build_id, count(*) from marts.fact_event_mentions group by all"
        ).fetchall()
        cameo_ids = con.execute("select distinct run_id, build_id from marts.dim_cameo_code").fetchall()
    assert sorted(by_article) == [
        ("000_4938db59a5dbecdc", f"run-one {first.record['build_id']}", lines["000_4938db59a5dbecdc"]),
        ("001_80b8b6eb158c6571", f"run-one {first.record['build_id']}", lines["001_80b8b6eb158c6571"]),
        ("003_d87e7e8bc6717bf6", f"run-one {first.record['build_id']}", lines["003_d87e7e8bc6717bf6"] - 1),
        ("003_d87e7e8bc6717bf6", f"run-two {second.record['build_id']}", 1),
    ]
    # A table rebuilt whole by every build is written by the latest run.
    assert cameo_ids == [("run-two", second.record["build_id"])]


def test_an_incremental_build_tests_the_rows_it_wrote_and_a_full_check_every_row(tmp_path):
    """dbt's data tests read, of each incremental model, the rows the build wrote (the var test_scope, macro
    get_where_subquery): a bad row the build did not write is not its to find, and a full check finds it."""
    seeds, warehouse = tmp_path / "seeds", tmp_path / "eventdw.duckdb"
    shutil.copytree(REPO / "seeds", seeds)
    _load(seeds, warehouse)
    transform.dbt_build(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        # A row of another article than the one edited below names a place dim_place does not hold, which a
        # dbt test (relationships) forbids.
        (broken, article) = con.execute(
            "select mention_id, article_id from marts.fact_event_mentions order by article_id desc, mention_id limit 1"
        ).fetchone()
        con.execute("update marts.fact_event_mentions set place_id = 'nowhere' where mention_id = ?", [broken])
        (edited,) = con.execute(
            "select min(article_id) from marts.fact_event_mentions where article_id <> ? and fatalities > 0", [article]
        ).fetchone()
        # A coded event far in time from the edited article's has no CAMEO code, which a test with a `where` of
        # its own forbids.
        (uncoded,) = con.execute(
            """
            select event_id from marts.fact_events
            where source_system <> 'acled' and event_id not in (
                select event_id from marts.fact_event_mentions where article_id = $edited
            )
            order by abs(datediff('day', event_date, (
                select min(event_date) from marts.fact_event_mentions where article_id = $edited
            ))) desc, event_id
            limit 1
            """,
            {"edited": edited},
        ).fetchone()
        con.execute("update marts.fact_events set cameo_code = null where event_id = ?", [uncoded])
    extraction = next(path for path in sorted((seeds / "extractions").glob("*.csv")) if edited in path.read_text())
    rows = list(csv.DictReader(extraction.open(encoding="utf-8")))
    changed = next(row for row in rows if row["article_id"].strip() == edited and row["fatalities"].strip())
    changed["fatalities"] = str(int(changed["fatalities"] or 0) + 7)
    with extraction.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    _load(seeds, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        # The coded inputs are tested on the rebuilt articles' rows too: an article the load did not change
        # holds a value the tests of its staging view forbid.
        con.execute("update raw.articles set published_date_source = 'guessed' where article_id = ?", [article])

    incremental = transform.dbt_build(warehouse)
    assert incremental.description == "incremental: 1 row changed"
    with duckdb.connect(str(warehouse)) as con:
        (still_broken,) = con.execute(
            "select count(*) from marts.fact_event_mentions where mention_id = ? and place_id = 'nowhere'", [broken]
        ).fetchone()
        (no_code,) = con.execute(
            "select count(*) from marts.fact_events where event_id = ? and cameo_code is null", [uncoded]
        ).fetchone()
    assert (still_broken, no_code) == (1, 1)  # the build did not write those rows, and its tests did not read them

    with pytest.raises(
        transform.TransformError, match=r"test relationships on fact_event_mentions\.place_id: 1 failing"
    ) as failed:
        transform.dbt_build(warehouse, full_refresh=False, full_check=True)
    assert "test accepted_values on stg_coding__articles.published_date_source: 1 failing" in str(failed.value)
    assert "test not_null on fact_events.cameo_code: 1 failing" in str(failed.value)
