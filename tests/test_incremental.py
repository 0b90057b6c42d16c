"""Incremental builds: new articles merge into the events already built, and the marts equal a full rebuild's."""

from __future__ import annotations

import shutil
import sys

import duckdb
import pytest

from eventdw import load, transform
from tests.conftest import REPO, marts_snapshot

sys.path.insert(0, str(REPO / "bench"))
from generate import SIZES, generate  # noqa: E402


def _load(seeds, warehouse):
    with duckdb.connect(str(warehouse)) as con:
        return load.load_inputs(con, seeds, "test")


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
    before = _mentions_per_event(warehouse)

    for path in held_back.glob("*.txt"):  # the held-back 1% arrive: their rows are now accepted
        shutil.copy(path, seeds / "articles" / path.name)
    try:
        _load(seeds, warehouse)
        incremental = transform.dbt_build(warehouse)
        after_incremental = marts_snapshot(warehouse)
        full = transform.dbt_build(warehouse, full_refresh=True)
    finally:
        for path in held_back.glob("*.txt"):
            (seeds / "articles" / path.name).unlink()
    assert (incremental.full_refresh, incremental.reason) == (False, "new inputs only")
    assert full.full_refresh

    assert after_incremental == marts_snapshot(warehouse)
    # The new mentions reached events built before: some kept their id and gained mentions.
    after = _mentions_per_event(warehouse)
    assert sum(after.values()) > sum(before.values())
    assert any(after.get(event_id, 0) > mentions for event_id, mentions in before.items())


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


def test_a_changed_input_or_transform_forces_a_full_refresh(synthetic_s, tmp_path):
    seeds, _ = synthetic_s
    warehouse = tmp_path / "eventdw.duckdb"
    _load(seeds, warehouse)
    transform.dbt_build(warehouse)
    assert transform.build_mode(warehouse) == (False, "new inputs only")

    with duckdb.connect(str(warehouse)) as con:  # a coded row built before disappears from the inputs
        con.execute(
            "delete from raw.extractions where extraction_id = (select min(extraction_id) from raw.extractions)"
        )
    assert transform.build_mode(warehouse) == (True, "1 coded row(s) built before were removed or changed")

    _load(seeds, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # an article file was edited
        con.execute("update raw.articles set file_sha256 = 'edited' where article_id = 'bench_0000001'")
    assert transform.build_mode(warehouse) == (True, "1 article file(s) built before were removed or changed")

    _load(seeds, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # the reference data changed (a new alias)
        con.execute("insert into raw.ref_actor_aliases (alias, actor_id) values ('Daesh fighters', 'isis')")
    assert transform.build_mode(warehouse)[0] is True

    with duckdb.connect(str(warehouse)) as con:  # a build that did not finish is not added to
        con.execute("delete from eventdw_state.build")
    assert transform.build_mode(warehouse) == (True, "no finished build to add to")
