"""Run the dbt project against the warehouse."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


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


def dbt_build(warehouse: Path, verbose: bool = False) -> dict[str, int]:
    """`dbt build` (models, unit tests, data tests) into `warehouse`; counts of nodes by status."""
    from dbt.cli.main import dbtRunner

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
    return counts
