"""Run the dbt project against the warehouse."""

from __future__ import annotations

import os
from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


class TransformError(Exception):
    """dbt build failed: a model did not build or a test failed."""


def dbt_build(warehouse: Path, select: str | None = None) -> dict[str, int]:
    """`dbt build` (models, unit tests, data tests) into `warehouse`; counts of nodes by status."""
    from dbt.cli.main import dbtRunner

    os.environ["EVENTDW_WAREHOUSE"] = str(warehouse.resolve())
    args = [
        "build",
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target", "duckdb",
        "--quiet",
        "--log-level-file", "warn",
    ]
    if select:
        args += ["--select", select]
    result = dbtRunner().invoke(args)
    node_results = list(result.result or []) if result.result is not None else []
    counts: dict[str, int] = {}
    for node in node_results:
        counts[str(node.status)] = counts.get(str(node.status), 0) + 1
    if not result.success:
        failures = [
            f"{node.node.name}: {' '.join(str(node.message or '').split())[:200]}"
            for node in node_results
            if str(node.status) in {"error", "fail"}
        ]
        detail = "; ".join(failures[:3]) or str(result.exception)
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        raise TransformError(f"dbt build failed: {detail}{more}")
    return counts
