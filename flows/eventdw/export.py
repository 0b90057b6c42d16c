"""Export the marts as Parquet: facts partitioned by year and month, one file per dimension.

The export is written to a sibling temporary folder and swapped in whole, so a failed run never leaves
a half-written export. Rows are ordered by key, so the same marts give the same files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from eventdw.warehouse import connect as warehouse_connect

SCHEMA_VERSION = "1"
FACTS = {"fact_events": "event_id", "fact_event_mentions": "mention_id"}
# Tables written as one file each (the dimensions and the coder's report), with their sort keys.
DIMENSIONS = {
    "dim_actor": "actor_id",
    "dim_place": "place_id",
    "dim_article": "article_id",
    "dim_cameo_code": "cameo_code",
    "report_unresolved_names": "name_kind, spelling_normalized",
    "acled_events": "event_date, event_id_cnty",
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_marts(warehouse: Path, exports_dir: Path, run_id: str) -> dict[str, int]:
    """Write the marts to `exports_dir` (replacing what was there); rows written per table."""
    staging = exports_dir.with_name(f".{exports_dir.name}.incoming")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        rows = _write(warehouse, staging, run_id)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = exports_dir.with_name(f".{exports_dir.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if exports_dir.exists():
        exports_dir.rename(previous)
    staging.rename(exports_dir)
    shutil.rmtree(previous, ignore_errors=True)
    return rows


def _write(warehouse: Path, staging: Path, run_id: str) -> dict[str, int]:
    """Every export file and the manifest, into the (empty) folder `staging`."""
    rows: dict[str, int] = {}
    with warehouse_connect(warehouse) as con:
        con.execute("set preserve_insertion_order = true")
        for table, key in FACTS.items():
            (rows[table],) = con.execute(f"select count(*) from marts.{table}").fetchone() or (0,)
            con.execute(
                f"""
                copy (
                    select *, year(event_date) as year, month(event_date) as month
                    from marts.{table}
                    order by event_date, {key}
                ) to '{staging / table}' (format parquet, partition_by (year, month), filename_pattern 'part_{{i}}')
                """
            )
        for table, key in DIMENSIONS.items():
            (rows[table],) = con.execute(f"select count(*) from marts.{table}").fetchone() or (0,)
            target = staging / f"{table}.parquet"
            con.execute(f"copy (select * from marts.{table} order by {key}) to '{target}' (format parquet)")
        # ACLED's own tooling reads CSV: the ACLED-format events also as acled_events.csv, copied from the
        # Parquet file just written, which holds them in order (insertion order is preserved: no sort again).
        con.execute(
            f"copy (select * from read_parquet('{staging / 'acled_events.parquet'}')) "
            f"to '{staging / 'acled_events.csv'}' (header, delimiter ',')"
        )
    files = [
        {"path": str(path.relative_to(staging)), "rows": _parquet_rows(path), "sha256": _sha256(path)}
        for path in sorted(staging.rglob("*.parquet"))
    ] + [{"path": "acled_events.csv", "rows": rows["acled_events"], "sha256": _sha256(staging / "acled_events.csv")}]
    manifest = {"schema_version": SCHEMA_VERSION, "run_id": run_id, "tables": rows, "files": files}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return rows


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)
