"""The input folders' entries: every one is read or rejected with a reason, and none hangs, exhausts memory
or leaks a file from outside the inputs folder into the warehouse."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from eventdw import state
from eventdw.ingest import files, load_inputs
from eventdw.ingest.articles import _read_articles, scan_articles
from eventdw.ingest.files import MAX_ARTICLE_BYTES, MAX_CSV_BYTES, scan_folder
from tests.conftest import EXTRACTION_HEADER, SEEDS, make_seeds
from tests.test_load import A1, _row

CSV = (EXTRACTION_HEADER + _row()).encode("utf-8")
IN_EXTRACTIONS = "file: in a subfolder; eventdw reads only the files directly in extractions/"
IN_ARTICLES = "file: in a subfolder; eventdw reads only the files directly in articles/"


@contextlib.contextmanager
def no_hang(folder: Path, seconds: int = 60) -> Iterator[None]:
    """Fail, rather than hang, if the code inside blocks for `seconds`: a reader stuck opening a FIFO under
    `folder` is let go (its FIFO opened for writing, and closed) so that the test can end."""

    def give_up(signum: int, frame: object) -> None:
        for path in folder.rglob("*"):
            if path.is_fifo():
                with contextlib.suppress(OSError):
                    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"still loading after {seconds} s: blocked on a FIFO?")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _load(seeds: Path) -> tuple[duckdb.DuckDBPyConnection, object]:
    con = duckdb.connect()
    with no_hang(seeds):
        summary = load_inputs(con, seeds, "test-run")
    return con, summary


def _rejected_files(con) -> dict[str, str]:
    """Source file -> reason of the files rejected whole."""
    return dict(con.execute("select source_file, reason from raw.rejected_rows where row_number is null").fetchall())


def _source_files(con) -> dict[str, str | None]:
    return dict(con.execute("select source_file, file_sha256 from raw.source_files").fetchall())


def _unreadable(monkeypatch, path: Path) -> None:
    """Make `path` unreadable: chmod 000, or, as root (whom permissions do not stop), an open that fails so."""
    path.chmod(0)
    if os.geteuid() != 0:
        return
    real_open = os.open

    def refusing_open(file, flags, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


def test_entries_that_are_not_regular_files_are_rejected_one_reason_each_and_the_run_goes_on(tmp_path, monkeypatch):
    """A folder named like a CSV file, a dangling link, an unreadable file, a FIFO (which would block a
    reader forever), links to /dev/zero (which would be read until memory ran out) and /etc/passwd (which
    was loaded, exported and shown), a name that is not UTF-8: each one rejected, never opened."""
    seeds = make_seeds(tmp_path, {"good.csv": CSV, "unreadable.csv": CSV}, [A1])
    extractions, articles = seeds / "extractions", seeds / "articles"
    (extractions / "folder.csv").mkdir()
    (extractions / "dangling.csv").symlink_to("missing.csv")
    _unreadable(monkeypatch, extractions / "unreadable.csv")
    os.mkfifo(extractions / "pipe.csv")
    os.mkfifo(articles / "pipe.txt")
    (extractions / "zero.csv").symlink_to("/dev/zero")
    (articles / "passwd.txt").symlink_to("/etc/passwd")
    (extractions / "outside.csv").symlink_to(tmp_path / "elsewhere.csv")
    (tmp_path / "elsewhere.csv").write_bytes(CSV)
    os.close(os.open(os.fsencode(extractions) + b"/caf\xe9.csv", os.O_WRONLY | os.O_CREAT))

    con, summary = _load(seeds)

    assert _rejected_files(con) == {
        "articles/passwd.txt": "file: a symbolic link to /etc/passwd, outside the inputs folder",
        "articles/pipe.txt": "file: a FIFO (named pipe), not a regular file",
        "extractions/caf\\xe9.csv": "file: its name is not valid UTF-8 (rename it)",
        "extractions/dangling.csv": "file: a dangling symbolic link (its target missing.csv does not exist)",
        "extractions/folder.csv": "file: a folder, not a file; eventdw reads only the files directly in extractions/",
        "extractions/outside.csv": f"file: a symbolic link to {tmp_path / 'elsewhere.csv'}, outside the inputs folder",
        "extractions/pipe.csv": "file: a FIFO (named pipe), not a regular file",
        "extractions/unreadable.csv": "file: cannot be read (Permission denied)",
        "extractions/zero.csv": "file: a symbolic link to /dev/zero, outside the inputs folder",
    }
    assert (summary.articles_loaded, summary.extraction_rows_read, summary.extraction_rows_accepted) == (1, 1, 1)
    files = _source_files(con)
    assert sorted(files) == sorted([f"articles/{A1}.txt", "extractions/good.csv", *_rejected_files(con)])
    assert [name for name, digest in files.items() if digest is None] == sorted(_rejected_files(con))
    (leaked,) = con.execute("select count(*) from raw.articles where raw_text like '%root:%'").fetchone()
    assert leaked == 0


def test_the_scan_a_run_starts_with_reads_a_name_that_is_not_utf8(tmp_path, monkeypatch):
    """The scan (state.inputs_signature) hashes such a name, as it does any other: it stopped the run with
    a traceback. The load then rejects the file (the test above)."""
    monkeypatch.setattr(files, "RACY_NS", 0)  # files written a moment ago have a signature
    seeds = make_seeds(tmp_path, {"good.csv": CSV}, [A1])
    before = state.inputs_signature(seeds)
    os.close(os.open(os.fsencode(seeds / "extractions") + b"/caf\xe9.csv", os.O_WRONLY | os.O_CREAT))
    after = state.inputs_signature(seeds)
    assert before is not None and after is not None and after != before


def test_a_device_file_in_the_inputs_folder_is_rejected_unread(tmp_path):
    seeds = make_seeds(tmp_path, {"good.csv": CSV}, [A1])
    try:
        os.mknod(seeds / "extractions" / "zero.csv", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's
    except PermissionError:
        pytest.skip("creating a device file needs privileges this test does not have")
    con, _ = _load(seeds)
    assert _rejected_files(con) == {"extractions/zero.csv": "file: a device file, not a regular file"}


def test_links_to_files_inside_the_inputs_folder_are_read_and_links_to_folders_rejected(tmp_path):
    seeds = make_seeds(tmp_path, {}, [A1])
    (seeds / "shared").mkdir()
    (seeds / "shared" / "coded.csv").write_bytes(CSV)
    (seeds / "extractions" / "linked.csv").symlink_to(seeds / "shared" / "coded.csv")
    (seeds / "extractions" / "folder.csv").symlink_to(seeds / "shared")
    con, summary = _load(seeds)
    assert summary.extraction_rows_accepted == 1
    assert con.execute("select source_file, row_number from raw.extractions").fetchall() == [
        ("extractions/linked.csv", 2)
    ]
    reason = "file: a symbolic link to a folder, not to a regular file"
    assert _rejected_files(con) == {"extractions/folder.csv": reason}


def test_files_too_large_to_be_inputs_are_rejected_with_their_size_unread(tmp_path):
    seeds = make_seeds(tmp_path, {"good.csv": CSV}, [A1])
    for path, size in [
        (seeds / "articles" / "huge.txt", MAX_ARTICLE_BYTES + 1),
        (seeds / "extractions" / "huge.csv", MAX_CSV_BYTES + 1),
    ]:
        with path.open("wb") as handle:
            handle.truncate(size)  # sparse: nothing written
    con, summary = _load(seeds)
    assert _rejected_files(con) == {
        "articles/huge.txt": "file: too large (52,428,801 bytes; an article may have at most 52,428,800)",
        "extractions/huge.csv": "file: too large (268,435,457 bytes; an extraction file may have at most 268,435,456)",
    }
    assert summary.extraction_rows_accepted == 1


def test_extensions_in_any_letter_case_are_read_and_other_entries_rejected_by_name(tmp_path):
    """X.CSV and x.TXT are read (the article id is the name without its extension); a file with another
    extension and every file in a subfolder, at any depth, are rejected; hidden entries are passed over."""
    seeds = make_seeds(tmp_path, {"UPPER.CSV": CSV, "notes.md": "# notes\n"}, [])
    articles = seeds / "articles"
    (articles / f"{A1}.TXT").write_bytes((SEEDS / "articles" / f"{A1}.txt").read_bytes())
    (articles / "README").write_text("about these articles\n")
    (articles / "2024" / "deep").mkdir(parents=True)
    (articles / "2024" / "old.txt").write_text("an old article\n")
    (articles / "2024" / "deep" / "older.txt").write_text("an older one\n")
    (articles / "empty").mkdir()
    (seeds / "extractions" / "archive").mkdir()
    (seeds / "extractions" / "archive" / "a.csv").write_bytes(CSV)
    for hidden in (articles / ".DS_Store", articles / ".gitkeep", seeds / "extractions" / ".x.csv"):
        hidden.write_text("not an input\n")
    (articles / ".git").mkdir()
    (articles / ".git" / "HEAD").write_text("ref: refs/heads/main\n")

    con, summary = _load(seeds)

    assert con.execute("select article_id, source_file from raw.articles").fetchall() == [(A1, f"articles/{A1}.TXT")]
    assert con.execute("select source_file from raw.extractions").fetchall() == [("extractions/UPPER.CSV",)]
    assert _rejected_files(con) == {
        "articles/2024/deep/older.txt": IN_ARTICLES,
        "articles/2024/old.txt": IN_ARTICLES,
        "articles/README": "file: not a .txt file; eventdw reads only the .txt files in articles/",
        "articles/empty": "file: a folder, not a file; eventdw reads only the files directly in articles/",
        "extractions/archive/a.csv": IN_EXTRACTIONS,
        "extractions/notes.md": "file: not a .csv file; eventdw reads only the .csv files in extractions/",
    }
    assert sorted(_source_files(con)) == sorted([f"articles/{A1}.TXT", "extractions/UPPER.CSV", *_rejected_files(con)])
    assert (summary.articles_loaded, summary.extraction_rows_accepted) == (1, 1)


def test_articles_whose_ids_differ_only_in_letter_case_keep_the_first_in_name_order(tmp_path):
    seeds = make_seeds(tmp_path, {}, [])
    text = (SEEDS / "articles" / f"{A1}.txt").read_bytes()
    for name in ("a.txt", "a.TXT", "A.txt"):
        (seeds / "articles" / name).write_bytes(text)
    con, summary = _load(seeds)
    assert con.execute("select article_id, source_file from raw.articles").fetchall() == [("A", "articles/A.txt")]
    reason = "file: its article id differs from that of articles/A.txt only in letter case (rename one)"
    assert _rejected_files(con) == {"articles/a.TXT": reason, "articles/a.txt": reason}
    assert summary.articles_loaded == 1


def test_the_load_reads_the_articles_in_name_order_whatever_order_the_folder_lists_them(tmp_path, monkeypatch):
    """The articles are listed in the folder's order (not sorted in Python: a million names) and read in name
    order, on a first load and on a reload alike: raw.articles holds them as a load of a folder listed in
    name order would, and of two ids that differ in letter case the first in name order is kept."""
    seeds = make_seeds(tmp_path, {}, [])
    text = (SEEDS / "articles" / f"{A1}.txt").read_bytes()
    names = [f"{number * 7919 % 40:02}.txt" for number in range(40)] + ["x.txt", "X.txt"]
    for name in names[:20]:
        (seeds / "articles" / name).write_bytes(text)
    listed_by_scandir = os.scandir

    class ReverseNameOrder:  # a folder that lists its entries in reverse name order
        def __init__(self, path: str | os.PathLike[str]) -> None:
            with listed_by_scandir(path) as listing:
                self.entries = sorted(listing, key=lambda entry: entry.name, reverse=True)

        def __enter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __exit__(self, *exception: object) -> None:
            pass

        def __iter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

    monkeypatch.setattr(os, "scandir", ReverseNameOrder)
    con, _ = _load(seeds)
    assert [name for (name,) in con.execute("select source_file from raw.articles").fetchall()] == sorted(
        f"articles/{name}" for name in names[:20]
    )
    for name in names[20:40]:
        (seeds / "articles" / name).write_bytes(text)
    load_inputs(con, seeds, "again")
    added = con.execute("select article_id from raw.articles offset 20").fetchall()
    assert [article for (article,) in added] == sorted(name[: -len(".txt")] for name in names[20:40])
    for name in names[40:]:
        (seeds / "articles" / name).write_bytes(text)
    load_inputs(con, seeds, "once more")
    reason = "file: its article id differs from that of articles/X.txt only in letter case (rename one)"
    assert _rejected_files(con) == {"articles/x.txt": reason}


def test_a_file_replaced_after_the_scan_is_rejected_not_read(tmp_path):
    """The file opened must be the one the scan checked: one swapped for a link to /etc/passwd, or for a FIFO,
    between the scan and the read, is rejected (and the FIFO is not waited on)."""
    folder = tmp_path / "seeds" / "articles"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("an article\n")
    (folder / "b.txt").write_text("another\n")
    (files, _) = scan_folder(folder, ".txt", "article")
    (folder / "a.txt").unlink()
    (folder / "a.txt").symlink_to("/etc/passwd")
    (folder / "b.txt").unlink()
    os.mkfifo(folder / "b.txt")
    with no_hang(folder):
        items = _read_articles(folder, {file.name: file for file in files}, {})
    assert [(item.source_file, item.reason) for item in items] == [
        ("articles/a.txt", "file: replaced by a symbolic link while the load read its folder"),
        ("articles/b.txt", "file: a FIFO (named pipe), not a regular file"),
    ]


def test_the_load_lists_the_articles_as_the_runs_scan_did_while_no_entry_was_added_since(tmp_path, monkeypatch):
    """The scan a run starts with lists the articles folder and reads every file's status
    (state.inputs_signature); the load's scan takes them instead of reading a million files' status again, while
    the folder has had no entry added, removed or renamed since. A file written in place in between keeps its
    signature of the scan, and the next run's scan sees it changed; a file added in between is listed."""
    monkeypatch.setattr(files, "RACY_NS", 0)  # files written a moment ago have a signature
    seeds = tmp_path / "seeds"
    articles = seeds / "articles"
    articles.mkdir(parents=True)
    for name in ("a.txt", "b.txt"):
        (articles / name).write_text(f"article {name}\n")
    an_hour_ago = time.time() - 3600
    os.utime(articles, (an_hour_ago, an_hour_ago))

    scanned = state.inputs_signature(seeds)
    signature_then = files.file_signature(os.stat(articles / "a.txt"), time.time_ns())
    (articles / "a.txt").write_text("article a.txt, written again in place\n")
    os.utime(articles / "a.txt", (an_hour_ago + 60, an_hour_ago + 60))
    (listed, _) = scan_articles(articles)
    assert {file.name: file.signature for file in listed}["a.txt"] == signature_then
    (listed_again, _) = scan_articles(articles)  # the run's scan is taken once
    assert {file.name: file.signature for file in listed_again}["a.txt"] not in (signature_then, None)
    assert state.inputs_signature(seeds) != scanned

    (articles / "c.txt").write_text("article c.txt\n")
    (listed, _) = scan_articles(articles)
    assert sorted(file.name for file in listed) == ["a.txt", "b.txt", "c.txt"]


@pytest.mark.parametrize("scanned_before", [False, True])
def test_a_folder_is_listed_in_name_order_each_file_with_its_own_status(tmp_path, monkeypatch, scanned_before):
    """Whatever order the folder lists its entries in (and the run's scan kept them in), the files come out in
    name order, and each with its own device, inode and signature, the rejected entries beside them."""
    monkeypatch.setattr(files, "RACY_NS", 0)
    seeds = tmp_path / "seeds"
    articles = seeds / "articles"
    articles.mkdir(parents=True)
    names = [f"{number * 7919 % 100:02}.txt" for number in range(100)]  # written out of order
    for name in names:
        (articles / name).write_text(f"article {name}\n")
    (articles / "50.md").write_text("not an article\n")
    an_hour_ago = time.time() - 3600
    os.utime(articles, (an_hour_ago, an_hour_ago))
    if scanned_before:
        assert state.inputs_signature(seeds) is not None
        monkeypatch.setattr(os, "scandir", None)  # the run's scan is what is listed
    listed, rejections = scan_folder(articles, ".txt", "article", time.time_ns(), scanned_before=scanned_before)
    assert listed.names == sorted(names)
    for file in listed:
        status = os.stat(articles / file.name)
        assert (file.device, file.inode) == (status.st_dev, status.st_ino)
        assert file.signature == files.file_signature(status, time.time_ns())
        assert file.source_file == f"articles/{file.name}"
    assert [rejection.source_file for rejection in rejections] == ["articles/50.md"]


def test_a_reference_file_that_is_a_fifo_stops_the_load_with_one_line_rather_than_blocking(tmp_path):
    from eventdw.ingest import InputError

    seeds = make_seeds(tmp_path, {"good.csv": CSV}, [A1])
    (seeds / "reference" / "actors.csv").unlink()
    os.mkfifo(seeds / "reference" / "actors.csv")
    with no_hang(seeds), pytest.raises(InputError, match=r"actors.csv: file: a FIFO \(named pipe\), not a regular"):
        load_inputs(duckdb.connect(), seeds, "test-run")
