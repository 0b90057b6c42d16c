"""What a run may reuse: the loader's fingerprint covers every code file of the ingest package."""

from __future__ import annotations

import shutil

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
