"""Run the dbt project against the warehouse: incrementally when it is safe, a full refresh when not.

The event models are incremental (new mentions are resolved, grouped into the existing events and the
touched events rebuilt; see int_mentions_grouped_into_events). That is only right while everything
already built still holds, so a build is a full refresh when
  * there is no finished build to add to (first build, or the last one was interrupted);
  * the transform changed: the dbt project, the name normaliser, or the reference data;
  * an input already built was removed or changed: a coded row (its id is a hash of its content) or
    an article file (its hash).
The state behind that decision is in the warehouse's `eventdw_state` schema, written after each build.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventdw.reference import REFERENCE_FILES
from eventdw.warehouse import connect as warehouse_connect

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


@dataclass(frozen=True)
class BuildResult:
    """One dbt build: whether it was a full refresh, why, and its nodes counted by status."""

    full_refresh: bool
    reason: str
    node_counts: dict[str, int] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """ "full refresh: why" or "incremental: why", as the run summary prints it."""
        return ("full refresh: " if self.full_refresh else "incremental: ") + self.reason


def _transform_fingerprint(con: Any) -> str:
    """A hash of everything the marts are a function of, besides the inputs: the dbt project's files, the
    name normaliser's code and the reference tables' contents."""
    digest = hashlib.sha256()
    sources = sorted(DBT_PROJECT_DIR.glob("**/*.sql")) + sorted(DBT_PROJECT_DIR.glob("**/*.yml"))
    for path in [*sources, Path(__file__).with_name("names.py")]:
        if "target" not in path.relative_to(DBT_PROJECT_DIR.parent).parts:
            digest.update(path.name.encode() + path.read_bytes())
    tables = ["cameo_codes", "geonames_places", "geonames_place_names", "geonames_countries", "iso_regions"]
    for table in tables + [f"ref_{name}" for name in REFERENCE_FILES]:
        row = con.execute(f"select count(*), bit_xor(hash(t)) from raw.{table} as t").fetchone()
        digest.update(f"{table}:{row}".encode())
    return digest.hexdigest()


def build_mode(warehouse: Path) -> tuple[bool, str]:
    """(full refresh?, why) for the next build of `warehouse`, whose raw layer is loaded."""
    with warehouse_connect(warehouse) as con:
        (has_state,) = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'eventdw_state' and table_name = 'build'"
        ).fetchone() or (0,)
        last = con.execute("select fingerprint from eventdw_state.build").fetchone() if has_state else None
        if last is None:
            return True, "no finished build to add to"
        if last[0] != _transform_fingerprint(con):
            return True, "the dbt project, the name normaliser or the reference data changed"
        (removed,) = con.execute(
            """
            select count(*) from intermediate.int_mentions_joined_to_references as built
            where not exists (select 1 from raw.extractions as now where now.extraction_id = built.mention_id)
            """
        ).fetchone() or (0,)
        if removed:
            return True, f"{removed} coded row(s) built before were removed or changed"
        (changed,) = con.execute(
            """
            select count(*) from eventdw_state.article_files as built
            left join raw.articles as now on now.article_id = built.article_id
            where now.file_sha256 is distinct from built.file_sha256
            """
        ).fetchone() or (0,)
        if changed:
            return True, f"{changed} article file(s) built before were removed or changed"
    return False, "new inputs only"


def _record_build(warehouse: Path, finished: bool) -> None:
    """Before a build, forget the last one (an interrupted build must not be added to); after, record it."""
    with warehouse_connect(warehouse) as con:
        con.execute("create schema if not exists eventdw_state")
        con.execute("create or replace table eventdw_state.build (fingerprint varchar)")
        if finished:
            con.execute("insert into eventdw_state.build values (?)", [_transform_fingerprint(con)])
            con.execute(
                "create or replace table eventdw_state.article_files as "
                "select article_id, file_sha256 from raw.articles"
            )


class TransformError(Exception):
    """dbt build failed: a model did not build or a test failed."""


def _describe_failure(result: Any) -> str:
    """One line for a failed dbt node: which test or model, on what, and what went wrong."""
    node = result.node
    message = " ".join(str(result.message or "").split())
    metadata = getattr(node, "test_metadata", None)
    if metadata is not None:
        model = (getattr(node, "attached_node", None) or "").split(".")[-1]
        column = getattr(node, "column_name", None)
        target = f"{model}.{column}" if column else model
        failures = getattr(result, "failures", None)
        outcome = f"{failures} failing row(s)" if failures else message
        return f"test {metadata.name} on {target}: {outcome}"
    if getattr(node, "resource_type", None) == "unit_test":
        return f"unit test {node.name}: {message[:200]}"
    return f"{node.resource_type} {node.name}: {message[:200]}"


def dbt_build(warehouse: Path, verbose: bool = False, full_refresh: bool | None = None) -> BuildResult:
    """`dbt build` (models, unit tests, data tests) into `warehouse`, incremental unless `build_mode` (or
    `full_refresh`, when given) says otherwise."""
    from dbt.cli.main import dbtRunner

    if full_refresh is None:
        full_refresh, reason = build_mode(warehouse)
    else:
        reason = "asked for" if full_refresh else "asked for incremental"
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
    node_results: list[Any] = list(getattr(result.result, "results", None) or [])
    counts: dict[str, int] = {}
    for node in node_results:
        counts[str(node.status)] = counts.get(str(node.status), 0) + 1
    if not result.success:
        failures = [_describe_failure(node) for node in node_results if str(node.status) in {"error", "fail"}]
        detail = "; ".join(failures[:3]) or " ".join(str(result.exception).split())
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        raise TransformError(f"dbt build failed: {detail}{more}")
    _record_build(warehouse, finished=True)
    return BuildResult(full_refresh, reason, counts)
