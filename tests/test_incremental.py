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


def test_a_new_mention_that_bridges_two_events_merges_them(tmp_path):
    """Two reports of fighting two days apart are two events; a week-precision report between them bridges
    them into one, anchored on the earlier day: the later event no longer exists, in any mart."""
    seeds, warehouse = tmp_path / "seeds", tmp_path / "eventdw.duckdb"
    shutil.copytree(REPO / "seeds", seeds)
    row = "003_d87e7e8bc6717bf6,{},{},Syrian army,ISIS,190,Ghanim al-Ali,{}\n"
    (seeds / "extractions" / "900_two_days.csv").write_text(
        HEADER + row.format("2017-07-20", 1, QUOTE) + row.format("2017-07-22", 1, QUOTE)
    )
    _load(seeds, warehouse)
    transform.dbt_build(warehouse)
    before = _mentions_per_event(warehouse)

    (seeds / "extractions" / "901_that_week.csv").write_text(HEADER + row.format("2017-07-21", 2, QUOTE))
    _load(seeds, warehouse)
    incremental = transform.dbt_build(warehouse)
    after_incremental = marts_snapshot(warehouse)
    transform.dbt_build(warehouse, full_refresh=True)

    assert not incremental.full_refresh
    assert after_incremental == marts_snapshot(warehouse)
    after = _mentions_per_event(warehouse)
    assert len(set(before) - set(after)) == 1  # the later day's event, merged into the earlier one's
    assert sum(after.values()) == sum(before.values()) + 1


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
