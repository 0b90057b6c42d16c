"""Export the marts as Parquet: facts partitioned by year and month, one file per dimension.

The export is written to a sibling temporary folder and swapped in whole, so a failed run never leaves
a half-written export. Rows are ordered by key, so the same marts give the same files.

The facts' partitions are written here, not by DuckDB's `COPY ... (partition_by ...)`: at ten million
rows that splits some partitions into two or three files, and writes different bytes, from one run to
the next on the same marts (its partition buffers flush as its threads happen to fill them). Here each
partition is one file whose row groups are cut every ROW_GROUP_ROWS rows of the ordered rows, whatever
batches DuckDB hands them over in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.warehouse import connect as warehouse_connect

if TYPE_CHECKING:
    import pyarrow as pa

SCHEMA_VERSION = "1"
ROW_GROUP_ROWS = 122_880  # rows per Parquet row group in the facts' partitions (DuckDB's own row group size)
READ_BATCH_ROWS = 122_880  # rows per Arrow batch read from DuckDB (the files do not depend on it)
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
            ordered = con.execute(f"select * from marts.{table} order by event_date, {key}")
            _write_month_partitions(ordered.to_arrow_reader(READ_BATCH_ROWS), staging / table)
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


def _write_month_partitions(batches: pa.RecordBatchReader, folder: Path) -> None:
    """Rows ordered by event_date into `folder/year=Y/month=M/part_0.parquet` (Hive partitions, the partition
    columns in the path only), one file per month with a row group every ROW_GROUP_ROWS rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | None = None
    pending: list[pa.RecordBatch] = []

    def write(partition_done: bool) -> None:
        """Write the pending rows' whole row groups, and the rest too when the partition is done."""
        assert writer is not None
        data = pa.Table.from_batches(pending, schema=batches.schema)
        while data.num_rows >= ROW_GROUP_ROWS or (partition_done and data.num_rows):
            writer.write_table(data.slice(0, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS)
            data = data.slice(ROW_GROUP_ROWS)
        pending[:] = data.to_batches()

    month = None
    for batch in batches:
        dates = batch.column("event_date")
        months = pc.year(dates).to_numpy() * 12 + pc.month(dates).to_numpy() - 1
        starts = [0, *(np.flatnonzero(np.diff(months)) + 1).tolist()]
        for start, end in zip(starts, [*starts[1:], len(months)], strict=True):
            if months[start] != month:
                if writer is not None:
                    write(partition_done=True)
                    writer.close()
                month = int(months[start])
                partition = folder / f"year={month // 12}" / f"month={month % 12 + 1}"
                partition.mkdir(parents=True)
                writer = pq.ParquetWriter(partition / "part_0.parquet", batches.schema, compression="snappy")
            pending.append(batch.slice(start, end - start))
            if sum(len(b) for b in pending) >= ROW_GROUP_ROWS:
                write(partition_done=False)
    if writer is not None:
        write(partition_done=True)
        writer.close()


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)
