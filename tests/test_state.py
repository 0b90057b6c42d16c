"""What a run may reuse: the loader's fingerprint covers every code file of the ingest package."""

from __future__ import annotations

import shutil

import duckdb

from eventdw import state


def _copy_of_the_ingest_package(tmp_path):
    copy = tmp_path / "ingest"
    shutil.copytree(state.INGEST_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_loader_fingerprint_is_the_ingest_packages_code_wherever_it_lies(tmp_path):
    assert state.code_fingerprint(_copy_of_the_ingest_package(tmp_path)) == state.loader_fingerprint()


def test_adding_a_file_to_the_ingest_package_changes_the_loader_fingerprint(tmp_path):
    """A module or SQL file added anywhere under the package counts, without a list to update; other files not."""
    package = _copy_of_the_ingest_package(tmp_path)
    seen = {state.code_fingerprint(package)}
    for added in ("new_reader.py", "sql/new_check.sql", "formats/__init__.py"):
        (package / added).parent.mkdir(exist_ok=True)
        (package / added).write_text("# added\n")
        seen.add(state.code_fingerprint(package))
    assert len(seen) == 4
    (package / "NOTES.md").write_text("not code\n")
    assert state.code_fingerprint(package) in seen


def test_editing_or_renaming_a_file_of_the_ingest_package_changes_the_loader_fingerprint(tmp_path):
    package = _copy_of_the_ingest_package(tmp_path)
    before = state.code_fingerprint(package)
    (package / "parallel.py").write_bytes((package / "parallel.py").read_bytes() + b"\n")
    edited = state.code_fingerprint(package)
    (package / "parallel.py").rename(package / "workers.py")
    assert len({before, edited, state.code_fingerprint(package)}) == 3


def test_the_transform_fingerprint_is_the_dbt_projects_code_not_what_dbt_writes_into_it(tmp_path, monkeypatch):
    """Two checkouts of the same code have the same fingerprint, though dbt gives each its own `.user.yml`;
    a model edited changes it."""
    project = tmp_path / "repo" / "dbt_project"
    shutil.copytree(state.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    shutil.copytree(state.DBT_PROJECT_DIR.parent / "flows", tmp_path / "repo" / "flows", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    monkeypatch.setattr(state, "DBT_PROJECT_DIR", project)
    monkeypatch.setattr(state, "__file__", str(tmp_path / "repo" / "flows" / "eventdw" / "state.py"))
    first = state.transform_code_fingerprint()
    (project / ".user.yml").write_text("id: 1ce9ef82-fa84-4f34-a416-e1273fef1b4e\n")
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "compiled.sql").write_text("select 1\n")
    assert state.transform_code_fingerprint() == first
    model = project / "models" / "marts" / "fact_events.sql"
    model.write_text(model.read_text() + "\n")
    assert state.transform_code_fingerprint() != first


def test_the_run_fingerprint_sees_every_change_of_the_inputs_and_settings(tmp_path, monkeypatch):
    """What makes a run skip after its scan: any input file written (even with the same bytes), added or
    removed, in a folder linked in too, another setting or path; a file written a moment ago cannot be
    told unchanged yet."""
    import os
    import time

    seeds, elsewhere = tmp_path / "seeds", tmp_path / "elsewhere"
    (seeds / "extractions").mkdir(parents=True)
    elsewhere.mkdir()
    (seeds / "extractions" / "a.csv").write_text("article_id\n1\n")
    (elsewhere / "001.txt").write_text("an article\n")
    (seeds / "articles").symlink_to(elsewhere, target_is_directory=True)
    (seeds / "articles" / "loop").symlink_to(seeds, target_is_directory=True)  # a link back up: not followed twice
    old = time.time_ns() - 10**10
    for path in (seeds / "extractions" / "a.csv", elsewhere / "001.txt"):
        os.utime(path, ns=(old, old))

    def fingerprint(exports="exports"):
        return state.run_fingerprint(seeds, tmp_path / "w.duckdb", tmp_path / exports, tmp_path / "docs", "duckdb")

    first = fingerprint()
    assert first is None  # utime set the change times just now: too close to tell
    time.sleep(2.1)
    first = fingerprint()
    assert first is not None and fingerprint() == first
    seen = {first}

    def changed() -> str:
        time.sleep(2.1)
        now = fingerprint()
        assert now is not None and now not in seen
        seen.add(now)
        return now

    (elsewhere / "001.txt").write_text("an article\n")  # the same bytes, written again, in the linked folder
    changed()
    (seeds / "extractions" / "b.csv").write_text("article_id\n2\n")
    changed()
    with_b = fingerprint()
    (seeds / "extractions" / "b.csv").unlink()
    time.sleep(2.1)
    assert fingerprint() not in (with_b, None)  # (the inputs as they were before b.csv: their fingerprint)
    monkeypatch.setenv("EVENTDW_COUNTRIES", "SD")
    changed()
    monkeypatch.setenv("EVENTDW_MEMORY_LIMIT", "8GB")  # changes no result
    assert fingerprint() in seen
    monkeypatch.setenv("EVENTDW_FULL_CHECK_EVERY", "1")  # changes which builds check every row, not a result
    assert fingerprint() in seen
    assert fingerprint("other_exports") not in seen
    (seeds / "extractions" / "c.csv").write_text("article_id\n3\n")
    assert fingerprint() is None  # written a moment ago


def test_the_rebuilt_share_counts_the_articles_and_imported_events_a_plan_rebuilds(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw; create schema eventdw_state")
    con.execute("create table raw.articles as select 'a' || i as article_id from range(90) as r(i)")
    con.execute("create table eventdw_state.articles_to_rebuild as select 'a' || i as article_id from range(9) as r(i)")
    con.execute("create table eventdw_state.imports_to_rebuild (event_id varchar)")
    # Before a first build there are no imported events built: the articles alone count.
    assert state.rebuilt_share(con) == 0.1
    con.execute("create table eventdw_state.built_imports as select 'acled:' || i as event_id from range(10) as r(i)")
    con.execute("insert into eventdw_state.imports_to_rebuild values ('acled:1'), ('acled:2'), ('acled:3')")
    assert state.rebuilt_share(con) == 0.12
    # An article with rows changed in place counts once, however many.
    con.execute(
        "create table eventdw_state.mentions_to_rebuild as "
        "select 'm' || i as mention_id, 'a50' as article_id from range(3) as r(i)"
    )
    assert state.rebuilt_share(con) == 0.13
    con.execute("drop table eventdw_state.mentions_to_rebuild")
    con.execute("delete from raw.articles; delete from eventdw_state.built_imports")
    assert state.rebuilt_share(con) == 1.0  # nothing built: all of it is rebuilt
