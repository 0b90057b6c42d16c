"""Read the article files: scan the folder, read and parse each file (in worker processes when there are
many), and land the articles in the work table raw.incoming_articles.

An article's id is its file's name without `.txt`; its text is kept byte for byte, with what the parser
(eventdw.ingest.article_parser) located in it. A file whose article was parsed before by the same loader,
and that is unchanged since, is not parsed again (see land_articles): its row in raw.articles stays.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.ingest import raw_tables
from eventdw.ingest.article_parser import parse_article
from eventdw.ingest.files import (
    MAX_ARTICLE_BYTES,
    FileProblem,
    FolderListing,
    InputFile,
    Rejection,
    decode,
    read_regular_file,
    scan_folder,
    sha256_hex,
)
from eventdw.ingest.parallel import InProcess, map_ahead

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Article:
    """One article file as read, with what the parser located in it."""

    article_id: str
    source_file: str
    file_sha256: str
    file_signature: str | None
    raw_text: str
    title: str | None
    published_date: str | None
    published_date_source: str
    body_start: int
    body_end: int
    dateline: str | None
    publisher: str | None


@dataclass(frozen=True)
class UnchangedArticle:
    """An article file whose hash is the one it had when it was parsed before (or, by its signature, has not
    been written since it was read): not parsed again."""

    article_id: str
    source_file: str
    file_sha256: str
    file_signature: str | None


# Article files read and parsed per task when the work is spread over processes, and the most tasks whose
# results may wait in memory at a time (they hold the articles' text).
ARTICLE_CHUNK = 2_000
PARALLEL_MINIMUM = 4 * ARTICLE_CHUNK  # below this, starting processes costs more than it saves


def article_id(file_name: str) -> str:
    """The id of the article in the file `file_name`: the name without its extension (".txt", ".TXT")."""
    return file_name[: -len(".txt")]


def scan_articles(articles_dir: Path) -> tuple[FolderListing, list[Rejection]]:
    """The `.txt` files (in any letter case) of `articles_dir` to read, in the order the folder lists them
    (the load reads them in name order: state.plan_articles), and a Rejection for every other entry (see
    scan_folder) and for every file whose article id differs only in letter case from that of a file before
    it in name order; the Rejections in name order. Nothing is opened. What the run's scan read of the
    folder is taken when it still holds (files.ScannedFolder). (A million names sorted, and the listing's
    columns put in their order, took 1.6 s of a day's load at L, for the few thousand files it reads.)"""
    found, rejections = scan_folder(
        articles_dir, ".txt", "article", time.time_ns(), scanned_before=True, in_name_order=False
    )
    # (Every name ends in ".txt" in some letter case: the names collide case-folded where their ids do.)
    if len({name.casefold() for name in found.names}) == len(found):
        return found, sorted(rejections, key=lambda rejection: rejection.source_file)
    found = found.in_name_order()
    folded = [article_id(name).casefold() for name in found.names]
    kept: list[int] = []
    first_by_id: dict[str, str] = {}  # an article id, case-folded -> the first file that has it
    for position, (folded_id, source_file) in enumerate(zip(folded, found.source_files(), strict=True)):
        first = first_by_id.setdefault(folded_id, source_file)
        if first == source_file:
            kept.append(position)
        else:
            reason = f"file: its article id differs from that of {first} only in letter case (rename one)"
            rejections.append(Rejection("article", source_file, None, reason))
    return found.kept(kept), sorted(rejections, key=lambda rejection: rejection.source_file)


def read_articles(
    articles_dir: Path, files: Sequence[InputFile], hashes_before: Mapping[str, str] | None = None, workers: int = 1
) -> Iterator[Article | UnchangedArticle | Rejection]:
    """Read and parse the article `files` of `articles_dir` (as scan_articles found them), in their order:
    a file that cannot be read is a Rejection, and one whose hash is its article's in `hashes_before` (the
    articles parsed before, by id) an UnchangedArticle, not decoded and parsed again.

    With `workers` > 1 and enough files to read, they are read and parsed by that many processes, a chunk of
    files per task, and come out in the same order; at most two chunks per process wait in memory."""
    hashes_before = hashes_before or {}
    chunks = [
        (
            articles_dir,
            {file.name: file for file in chunk},
            {stem: hashes_before[stem] for file in chunk if (stem := article_id(file.name)) in hashes_before},
        )
        for chunk in (files[start : start + ARTICLE_CHUNK] for start in range(0, len(files), ARTICLE_CHUNK))
    ]
    parallel = workers > 1 and len(files) >= PARALLEL_MINIMUM
    # Spawned, not forked: the loading process holds a database connection and its threads.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if parallel else InProcess()
    with pool:
        for items in map_ahead(pool, _read_articles, chunks, 2 * workers):
            yield from items


def _read_articles(
    articles_dir: Path, files: Mapping[str, InputFile], parsed_before: Mapping[str, str]
) -> list[Article | UnchangedArticle | Rejection]:
    """Read and parse the article files of `articles_dir` that `files` names (as scan_folder found them),
    with the hashes of the articles parsed before (see read_articles)."""
    items: list[Article | UnchangedArticle | Rejection] = []
    for name, file in files.items():
        stem = article_id(name)
        try:
            identity = (file.device, file.inode)
            data, _ = read_regular_file(file.path(articles_dir), MAX_ARTICLE_BYTES, "an article", identity)
        except FileProblem as problem:
            items.append(Rejection("article", file.source_file, None, str(problem)))
            continue
        digest = sha256_hex(data)
        if parsed_before.get(stem) == digest:
            items.append(UnchangedArticle(stem, file.source_file, digest, file.signature))
            continue
        text, rejection = decode(articles_dir / name, data, "article")
        if rejection:
            items.append(rejection)
            continue
        assert text is not None
        parts = parse_article(text)
        items.append(
            Article(
                article_id=stem,
                source_file=file.source_file,
                file_sha256=digest,
                file_signature=file.signature,
                raw_text=text,
                title=parts.title,
                published_date=parts.published_date.isoformat() if parts.published_date else None,
                published_date_source=parts.published_date_source,
                body_start=parts.body_start,
                body_end=parts.body_end,
                dateline=parts.dateline,
                publisher=parts.publisher,
            )
        )
    return items


ARTICLE_BATCH = 20_000  # articles held in memory at a time


def land_articles(
    con: duckdb.DuckDBPyConnection, articles_dir: Path, loaded_at: datetime, parser: str
) -> list[Rejection]:
    """Parse the article files into the work table raw.incoming_articles, a batch at a time, `parser` (the
    loader's fingerprint) in parsed_by; the files rejected whole, which are also left in the work table
    rejected_article_files. An article parsed before by this loader whose file has its signature of then
    (files.file_signature; eventdw.state.plan_articles), or, read again, its hash of then, is not parsed
    again: it is left in the work table unchanged_articles (id and signature now), and its row in
    raw.articles stays (update_articles). The match is made in the warehouse, not file by file in Python:
    a day's new articles beside a million unchanged ones cost what they add."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from eventdw import state

    files, rejections = scan_articles(articles_dir)
    # Made by Arrow, not a million Python strings and ints (a range of ints to Arrow alone took 0.9 s at L).
    names = pa.array(files.names, pa.string())
    scanned = pa.table(
        {
            "position": pa.array(np.arange(len(files), dtype=np.int64)),
            "article_id": pc.utf8_slice_codeunits(names, 0, -len(".txt")),
            "source_file": pc.binary_join_element_wise(f"{files.folder_name}/", names, ""),  # files.source_name_in
            "file_signature": pa.array(files.signatures, pa.string()),
        }
    )
    to_read, hashes_before = state.plan_articles(con, scanned, parser)
    schema = raw_tables.arrow_schema("articles")
    raw_tables.create(con, "articles", named="incoming_articles")
    unchanged: list[UnchangedArticle] = []
    batch: list[Article] = []

    def insert() -> None:
        data = {
            "article_id": [a.article_id for a in batch],
            "source_file": [a.source_file for a in batch],
            "file_sha256": [a.file_sha256 for a in batch],
            "file_signature": [a.file_signature for a in batch],
            "raw_text": [a.raw_text for a in batch],
            "title": [a.title for a in batch],
            "published_date_source": [a.published_date_source for a in batch],
            "published_date": [date.fromisoformat(a.published_date) if a.published_date else None for a in batch],
            "body_start": [a.body_start for a in batch],
            "body_end": [a.body_end for a in batch],
            "dateline": [a.dateline for a in batch],
            "publisher": [a.publisher for a in batch],
            "loaded_at": [loaded_at] * len(batch),
            "parsed_by": [parser] * len(batch),
            "article_hash": [None] * len(batch),  # made by update_articles
        }
        raw_tables.append(con, "incoming_articles", pa.table(data, schema=schema))
        batch.clear()

    read = read_articles(articles_dir, [files[position] for position in to_read], hashes_before, os.cpu_count() or 1)
    for item in read:
        if isinstance(item, Rejection):
            rejections.append(item)
        elif isinstance(item, UnchangedArticle):
            unchanged.append(item)
        else:
            batch.append(item)
            if len(batch) >= ARTICLE_BATCH:
                insert()
    insert()
    same_hash = pa.table(
        {
            "article_id": pa.array([a.article_id for a in unchanged], pa.string()),
            "file_signature": pa.array([a.file_signature for a in unchanged], pa.string()),
        }
    )
    con.register("same_hash", same_hash)
    con.execute("insert into unchanged_articles select * from same_hash")
    con.unregister("same_hash")
    rejections.sort(key=lambda rejection: rejection.source_file)
    _stage_rejected_articles(con, rejections)
    return rejections


def update_articles(con: duckdb.DuckDBPyConnection) -> None:
    """In the load's transaction, make raw.articles the articles land_articles found: its rows of the
    unchanged articles stay as they are (their file signature brought up to date), the others go, and the
    articles parsed now (raw.incoming_articles, dropped) are added, each with its article_hash. A day's new
    articles cost what they add, not a copy of every article's text."""
    con.execute(
        f"""
        update raw.incoming_articles set article_hash = hashes.article_hash
        from (
            select article_id, {raw_tables.ARTICLE_HASH} as article_hash
            from (select {raw_tables.ARTICLE_HASHED_COLUMNS} from raw.incoming_articles) as articles
        ) as hashes
        where hashes.article_id = incoming_articles.article_id
        """
    )
    if raw_tables.columns(con, "articles") != [name for name, _ in raw_tables.COLUMNS["articles"]]:
        raw_tables.swap(con, "incoming_articles", "articles")  # a first load, or one by another loader
        return
    con.execute("delete from raw.articles where article_id not in (select article_id from unchanged_articles)")
    con.execute(
        """
        update raw.articles set file_signature = unchanged.file_signature
        from unchanged_articles as unchanged
        where unchanged.article_id = articles.article_id
            and unchanged.file_signature is distinct from articles.file_signature
        """
    )
    con.execute("insert into raw.articles select * from raw.incoming_articles")
    con.execute("drop table raw.incoming_articles")


def _stage_rejected_articles(con: duckdb.DuckDBPyConnection, rejections: list[Rejection]) -> None:
    """The work table rejected_article_files: the article id and reason of each article file rejected whole,
    so that a row about it says the article was rejected and why, not that there is no such article."""
    import pyarrow as pa

    rejected = [r for r in rejections if r.source_file.lower().endswith(".txt") and r.source_file.count("/") == 1]
    data = pa.table(
        {
            "article_id": pa.array([article_id(r.source_file.split("/", 1)[1]) for r in rejected], pa.string()),
            "source_file": pa.array([r.source_file for r in rejected], pa.string()),
            "reason": pa.array([r.reason for r in rejected], pa.string()),
        }
    )
    con.register("rejected_articles", data)
    con.execute("create or replace temp table rejected_article_files as select * from rejected_articles")
    con.unregister("rejected_articles")
