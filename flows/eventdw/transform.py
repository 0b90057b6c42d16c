"""Run the dbt project against the warehouse: incrementally when it is safe, a full refresh when not.

The event models are incremental by article: a build rebuilds the articles whose file, or one of whose
coded rows, was added, changed (any byte of the file, any field of the row, its row number included) or
removed since the last finished build. Their mentions are resolved again, regrouped with the mentions
they can move, and the events they were and are in rebuilt (see int_mentions_anchored_to_events). That
is only right while everything else already built still holds, so a build is a full refresh when
  * there is no finished build to add to (first build, or the last one was interrupted);
  * the transform changed: the dbt project, the name normaliser, or the reference data.
A build that finds nothing changed is not run: the marts already hold the inputs.

The state behind that decision is in the warehouse's `eventdw_state` schema: the last finished build's
fingerprint, article hashes and row hashes (written after each build), and the articles this build
rebuilds (`articles_to_rebuild`, written before it, which the dbt models read).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventdw.ingest.raw_tables import REFERENCE_TABLES
from eventdw.warehouse import connect as warehouse_connect

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


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
        return ", ".join(parts) or "nothing changed"


@dataclass(frozen=True)
class BuildResult:
    """One dbt build: whether it was a full refresh, why, what changed, and its nodes counted by status."""

    full_refresh: bool
    reason: str
    node_counts: dict[str, int] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)

    @property
    def description(self) -> str:
        """ "full refresh: why" or "incremental: what changed", as the run summary prints it."""
        return ("full refresh: " if self.full_refresh else "incremental: ") + self.reason

    @property
    def ran(self) -> bool:
        """Whether dbt ran (a build that finds nothing changed does not run it)."""
        return self.full_refresh or bool(self.changes)


def _transform_fingerprint(con: Any) -> str:
    """A hash of everything the marts are a function of, besides the inputs: the dbt project's files, the
    name normaliser's code and the reference tables' contents (raw_tables.REFERENCE_TABLES)."""
    digest = hashlib.sha256()
    sources = sorted(DBT_PROJECT_DIR.glob("**/*.sql")) + sorted(DBT_PROJECT_DIR.glob("**/*.yml"))
    for path in [*sources, Path(__file__).with_name("names.py")]:
        if "target" not in path.relative_to(DBT_PROJECT_DIR.parent).parts:
            digest.update(path.name.encode() + path.read_bytes())
    for table in REFERENCE_TABLES:
        row = con.execute(f"select count(*), bit_xor(hash(t)) from raw.{table} as t").fetchone()
        digest.update(f"{table}:{row}".encode())
    return digest.hexdigest()


# An article as the marts see it: every column of raw.articles but when and by which code it was read.
ARTICLES_AS_BUILT = """
    select article_id, md5(cast(to_json(articles) as varchar)) as article_hash
    from (select * exclude (loaded_at, parsed_by, file_signature) from raw.articles) as articles
"""
ROWS_AS_BUILT = "select extraction_id as mention_id, article_id, source_file, row_number, row_hash from raw.extractions"


def _has_state(con: Any, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = 'eventdw_state' and table_name = ?"
    (count,) = con.execute(query, [table]).fetchone() or (0,)
    return bool(count)


def _changes(con: Any) -> Changes:
    """Compare raw with the last finished build's state, and write the articles to rebuild (those whose
    file, or one of whose rows, was added, changed or removed) to eventdw_state.articles_to_rebuild."""
    con.execute(f"create or replace temp view articles_now as {ARTICLES_AS_BUILT}")
    con.execute(f"create or replace temp view rows_now as {ROWS_AS_BUILT}")
    con.execute(
        """
        create or replace temp table row_differences as
        select
            coalesce(now.mention_id, built.mention_id) as mention_id,
            now.article_id as article_id_now,
            built.article_id as article_id_built,
            coalesce(now.source_file, built.source_file) as source_file,
            coalesce(now.row_number, built.row_number) as row_number,
            case when built.mention_id is null then 'added' when now.mention_id is null then 'removed' else 'changed'
            end as change
        from rows_now as now
        full outer join eventdw_state.built_rows as built on built.mention_id = now.mention_id
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
        select article_id from article_differences
        union select article_id_now from row_differences where article_id_now is not null
        union select article_id_built from row_differences where article_id_built is not null
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
    )


def plan_build(warehouse: Path) -> tuple[bool, str, Changes]:
    """(full refresh?, why, what changed) for the next build of `warehouse`, whose raw layer is loaded;
    writes the articles the build rebuilds to eventdw_state.articles_to_rebuild (all of them on a full
    refresh)."""
    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists eventdw_state")
        has_build = _has_state(con, "build")
        last = con.execute("select fingerprint from eventdw_state.build").fetchone() if has_build else None
        has_built = _has_state(con, "built_rows") and _has_state(con, "built_articles")
        if last is None or not has_built:
            reason = "no finished build to add to"
        elif last[0] != _transform_fingerprint(con):
            reason = "the dbt project, the name normaliser or the reference data changed"
        else:
            changes = _changes(con)
            return False, str(changes), changes
        con.execute("create or replace table eventdw_state.articles_to_rebuild as select article_id from raw.articles")
    return True, reason, Changes()


def _record_build(warehouse: Path, finished: bool) -> None:
    """Before a build, forget the last one (an interrupted build must not be added to); after, record what
    it built: the transform's fingerprint, and the articles and rows as built."""
    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists eventdw_state")
        con.execute("create or replace table eventdw_state.build (fingerprint varchar)")
        if finished:
            con.execute(f"create or replace table eventdw_state.built_articles as {ARTICLES_AS_BUILT}")
            con.execute(f"create or replace table eventdw_state.built_rows as {ROWS_AS_BUILT}")
            con.execute("insert into eventdw_state.build values (?)", [_transform_fingerprint(con)])


class TransformError(Exception):
    """dbt build failed: a model did not build or a test failed."""


FAILING_ROWS_SHOWN = 10


def _failing_rows(warehouse: Path, compiled_sql: str | None) -> str:
    """The first rows a failed data test's query returns, as "column=value, ..." each; "" if it cannot run."""
    if not compiled_sql:
        return ""
    try:
        with warehouse_connect(warehouse) as con:
            cursor = con.execute(f"select * from ({compiled_sql}) as failing limit {FAILING_ROWS_SHOWN + 1}")
            columns = [column for column, *_ in cursor.description or []]
            rows = cursor.fetchall()
    except Exception:  # the message without rows still names the test; nothing more to say
        return ""
    shown = [
        " ".join(", ".join(f"{column}={value}" for column, value in zip(columns, row, strict=True)).split())[:200]
        for row in rows[:FAILING_ROWS_SHOWN]
    ]
    more = ", ..." if len(rows) > FAILING_ROWS_SHOWN else ""
    return ": " + "; ".join(f"({row})" for row in shown) + more if shown else ""


def _describe_failure(result: Any, warehouse: Path) -> str:
    """One line for a failed dbt node: which test or model, on what table, what went wrong, and for a data
    test the first failing rows its query returns."""
    node = result.node
    message = " ".join(str(result.message or "").split())
    metadata = getattr(node, "test_metadata", None)
    if metadata is not None:
        model = (getattr(node, "attached_node", None) or "").split(".")[-1]
        column = getattr(node, "column_name", None)
        target = f"{model}.{column}" if column else model
        failures = getattr(result, "failures", None)
        if not failures:
            return f"test {metadata.name} on {target}: {message}"
        rows = _failing_rows(warehouse, getattr(node, "compiled_code", None))
        return f"test {metadata.name} on {target}: {failures} failing row(s){rows}"
    if getattr(node, "resource_type", None) == "test" and getattr(result, "failures", None):  # a singular test
        rows = _failing_rows(warehouse, getattr(node, "compiled_code", None))
        return f"test {node.name}: {result.failures} failing row(s){rows}"
    if getattr(node, "resource_type", None) == "unit_test":
        return f"unit test {node.name}: {message[:200]}"
    return f"{node.resource_type} {node.name}: {message[:200]}"


def dbt_build(warehouse: Path, verbose: bool = False, full_refresh: bool | None = None) -> BuildResult:
    """`dbt build` (models, unit tests, data tests) into `warehouse`, incremental unless `build_mode` (or
    `full_refresh`, when given) says otherwise."""
    planned_full_refresh, reason, changes = plan_build(warehouse)
    if full_refresh is None:
        full_refresh = planned_full_refresh
    elif full_refresh:
        reason = "asked for"
    if not full_refresh and not changes:
        return BuildResult(False, reason, changes=changes)
    from dbt.cli.main import dbtRunner

    _record_build(warehouse, finished=False)

    os.environ["EVENTDW_WAREHOUSE"] = str(warehouse.resolve())
    # dbt's artifacts and logs live beside the warehouse they describe: runs on different warehouses from
    # one checkout do not overwrite each other's.
    artifacts = warehouse.resolve().parent / f"{warehouse.stem}.dbt"
    args = [
        "build",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "duckdb",
        "--log-level",
        "info" if verbose else "none",
        "--log-level-file",
        "warn",
        "--target-path",
        str(artifacts / "target"),
        "--log-path",
        str(artifacts / "logs"),
        *(["--full-refresh"] if full_refresh else []),
    ]
    result = dbtRunner().invoke(args)
    if isinstance(result.exception, KeyboardInterrupt):
        raise KeyboardInterrupt  # dbt stopped on Ctrl-C and returned: the run stops too, the build unfinished
    node_results: list[Any] = list(getattr(result.result, "results", None) or [])
    counts: dict[str, int] = {}
    for node in node_results:
        counts[str(node.status)] = counts.get(str(node.status), 0) + 1
    if not result.success:
        failures = [
            _describe_failure(node, warehouse) for node in node_results if str(node.status) in {"error", "fail"}
        ]
        detail = "; ".join(failures[:3]) or " ".join(str(result.exception).split())
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        raise TransformError(f"dbt build failed: {detail}{more}")
    _record_build(warehouse, finished=True)
    return BuildResult(full_refresh, reason, counts, changes)
