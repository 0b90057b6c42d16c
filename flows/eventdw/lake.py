"""The marts as a DuckLake (`eventdw run --lake DIR`, the EVENTDW_LAKE setting): the same tables as the
Parquet export, kept in a lake that each run brings up to date in one transaction, one snapshot per run.

What it is for. The Parquet export rewrites a month's file when one of its rows changes, and a coder's pass
over old events changes rows in every month: the export then writes nearly every file again. A lake deletes
and appends rows instead (DuckLake writes a small delete file beside each data file it deletes from), so a
run writes what it changed, wherever it falls. And the lake keeps every run's tables: an analyst reads the
marts as they were at any run (`AT (VERSION => n)`) and the rows a run changed
(`ducklake_table_changes`). See docs/lake.md.

The folder. `DIR/catalog.sqlite` is the lake's catalog (SQLite, so that analysts' sessions read the lake
while a run writes it: a DuckDB catalog file would lock them out), `DIR/data/` its Parquet files,
`DIR/lake.json` the run the lake last took (what lets a run that finds nothing changed stop
without opening the lake). The DuckLake and SQLite extensions are loaded from their Python packages'
files: nothing is downloaded.

What a run writes. Every row of a mart carries the id of the run that wrote it, a new one each run, and a
build only deletes rows or writes them: a row of the lake whose key and run id are no longer in the mart was
deleted or rewritten, and the mart's rows of a run the lake has no row of are new or rewritten. The lake
deletes the first and appends the second, for every table, in one transaction: a run that dies before its
commit leaves the lake at the previous run's snapshot, whole. A dimension, rebuilt whole by every build, is
compared by value, so that its unchanged rows stay as they are. A view (export.VIEWS: events_described) also
changes when a dimension row it joins does, whichever run wrote it: its rows that join a dimension row the
sync changed are written again, found by their fact's keys into that dimension. A table whose columns changed
(a new eventdw) is replaced whole, in the same snapshot. The lake's tables keep `run_id` (the Parquet export
leaves it out): what an analyst filters on to see a run's rows.

The tables are not partitioned: a run appends its rows in date and key order, and a month's rows are found
by the files' and row groups' statistics. Partitioned by month, an edit spread over every month would
write a data file and a delete file per month and table (docs/lake.md).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.export import DIMENSIONS, PARTITIONED, VIEWS, mart_columns, month_of, within_months
from eventdw.warehouse import connect as warehouse_connect

if TYPE_CHECKING:
    import duckdb

LAKE_SETTING = "EVENTDW_LAKE"
CATALOG = "catalog.sqlite"
DATA = "data"
MARKER = "lake.json"
ALIAS = "eventdw_lake"  # the lake's name in the connection that writes it
PROVENANCE = ("run_id", "build_id")  # the columns that say which run and build wrote a row
# The dimensions each view (export.VIEWS) joins (dbt_project/macros/describe_events.sql), each with the columns
# of the view's fact that join its key: a row of a run the lake has is written again when one of these keys is
# of a dimension row the sync changed.
VIEW_JOINS = {
    "events_described": {
        "dim_actor": ("actor1_id", "actor2_id"),
        "dim_place": ("place_id",),
        "dim_cameo_code": ("cameo_code",),
    }
}
JOINED = {dimension for joins in VIEW_JOINS.values() for dimension in joins}
EXTENSIONS = {"ducklake": "duckdb_extension_ducklake", "sqlite_scanner": "duckdb_extension_sqlite_scanner"}


class LakeError(OSError):
    """The lake cannot be written where it was asked to, in one line."""


def lake_dir() -> Path | None:
    """The folder of the lake the EVENTDW_LAKE setting names, or None (no lake)."""
    value = os.environ.get(LAKE_SETTING, "").strip()
    return Path(value) if value else None


def check_lake_dir(lake: Path, warehouse: Path | None = None) -> None:
    """Raise LakeError unless `lake` is a folder a run may keep the lake of `warehouse` in: the lake of that
    warehouse, or an empty or new folder. (A lake of two warehouses would flip between them, each run
    deleting the other's rows.)"""
    if lake.exists() and not lake.is_dir():
        raise LakeError(f"the lake {lake} is a file, not a folder: choose an empty or new folder")
    if lake.is_dir() and any(lake.iterdir()) and not (lake / CATALOG).is_file():
        raise LakeError(
            f"the lake folder {lake} holds files but no eventdw lake ({CATALOG}): choose an empty or new folder"
        )
    kept = _marker(lake).get("warehouse")
    if warehouse is not None and kept and kept != str(warehouse.resolve()):
        raise LakeError(
            f"the lake {lake} is the lake of the warehouse {kept}, not of {warehouse}: choose another folder (or, "
            f"if that warehouse was moved to {warehouse}, delete {lake / MARKER})"
        )
    for name in EXTENSIONS.values():
        if importlib.util.find_spec(name) is None:
            raise LakeError(f"the lake needs the package {name.replace('_', '-')} (pip install eventdw installs it)")


def last_run(lake: Path) -> str | None:
    """The id of the run the lake in `lake` last took, or None."""
    run_id = _marker(lake).get("run_id")
    return str(run_id) if run_id and (lake / CATALOG).is_file() else None


def _marker(lake: Path) -> dict[str, object]:
    """What `lake`/lake.json says: the run the lake last took, its snapshot and its warehouse ({} without one)."""
    try:
        marker = json.loads((lake / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB's DuckLake and SQLite extensions from their packages' files into `con`."""
    import duckdb

    for extension, package in EXTENSIONS.items():
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise LakeError(f"the lake needs the package {package.replace('_', '-')} (pip install eventdw installs it)")
        path = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{extension}.duckdb_extension"
        con.execute(f"load {_sql_string(path)}")


def attach(con: duckdb.DuckDBPyConnection, lake: Path, alias: str = "lake", read_only: bool = False) -> None:
    """Attach the lake in `lake` to `con` as `alias` (the extensions loaded first). Its data is read from
    `lake`/data wherever the catalog says it was written (DuckLake keeps the absolute path it was created with,
    and the files' paths relative to it): a lake folder moved or copied whole is read where it is."""
    load_extensions(con)
    options = [
        *(["read_only"] if read_only else []),
        f"data_path {_sql_string(lake / DATA)}",
        "override_data_path true",
    ]
    con.execute(f"attach {_sql_string('ducklake:sqlite:' + str(lake / CATALOG))} as {alias} ({', '.join(options)})")


def connect(lake: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory) with the lake in `lake` attached read-only as `lake`, for analysts:
    `eventdw.lake.connect(Path("lake")).sql("select * from lake.fact_events")`."""
    import duckdb

    if not (lake / CATALOG).is_file():
        raise LakeError(f"no eventdw lake in {lake} ({CATALOG} is missing): run `eventdw run --lake {lake}` first")
    con = duckdb.connect()
    attach(con, lake, read_only=True)
    return con


def sync_lake(
    warehouse: Path,
    lake: Path,
    run_id: str,
    marts: Callable[[], duckdb.DuckDBPyConnection] | None = None,
) -> tuple[dict[str, int], int]:
    """Bring the lake in `lake` up to the warehouse's marts (those of the connection `marts` opens, on Spark)
    in one snapshot: rows deleted and appended per table, and the lake's snapshot now (the last one when
    nothing changed)."""
    import duckdb

    check_lake_dir(lake, warehouse)
    lake.mkdir(parents=True, exist_ok=True)
    changed: dict[str, int] = {}
    try:
        with warehouse_connect(warehouse) if marts is None else marts() as con:
            attach(con, lake, ALIAS)
            con.execute("begin")
            try:
                existing: dict[str, list[tuple[str, str]]] = {}
                query = "select table_name, column_name, data_type from duckdb_columns() where database_name = ? "
                for table, column, kind in con.execute(query + "order by table_name, column_index", [ALIAS]).fetchall():
                    existing.setdefault(table, []).append((column, kind))
                # The dimensions first: they record the keys they changed, which the views read.
                for table in (*DIMENSIONS, *PARTITIONED):
                    changed[table] = _sync_table(con, table, existing.get(table, []))
                if any(changed.values()):
                    info = _sql_string(json.dumps({"run_id": run_id}))
                    message = _sql_string(f"eventdw run {run_id}")
                    con.execute(f"call {ALIAS}.set_commit_message('eventdw', {message}, extra_info => {info})")
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
            (snapshot,) = con.execute(f"select max(snapshot_id) from {ALIAS}.snapshots()").fetchone() or (0,)
    except duckdb.TransactionException as error:
        raise LakeError(
            f"another session wrote the lake {lake} while this run did ({' '.join(str(error).split())}): "
            "the lake keeps its last snapshot; run again"
        ) from error
    except duckdb.IOException as error:
        raise LakeError(f"cannot write the lake {lake}: {' '.join(str(error).split())}") from error
    marker = {"producer": "eventdw", "run_id": run_id, "snapshot_id": snapshot, "warehouse": str(warehouse.resolve())}
    (lake / f"{MARKER}.tmp").write_text(json.dumps(marker, indent=2) + "\n")
    (lake / f"{MARKER}.tmp").replace(lake / MARKER)
    return changed, int(snapshot)


def _sync_table(con: duckdb.DuckDBPyConnection, table: str, existing: list[tuple[str, str]]) -> int:
    """Delete from the lake's `table` (whose columns are `existing`, names and types) the rows gone from the
    mart and append the mart's new ones; how many rows the two wrote. A table missing from the lake, or with
    other columns, is written whole. A dimension a view joins first records the keys it changed
    (_changed_keys), a view writes again the rows that join them (_rejoined)."""
    mart, lake = f"marts.{table}", f"{ALIAS}.{table}"
    columns = con.execute(f"describe {mart}").fetchall()
    date, key = PARTITIONED[table] if table in PARTITIONED else (None, DIMENSIONS[table])
    order = f"{date} nulls last, {key}" if date else key
    whole = [(name, kind) for name, kind, *_ in columns] != existing
    same = None if whole or table not in DIMENSIONS else _same_row(con, table)
    if table in JOINED:
        _record_changed_keys(con, table, same, existing)
    if whole:
        con.execute(f"drop table if exists {lake}")
        con.execute(f"create table {lake} as select * from {mart} limit 0")
        (written,) = con.execute(f"insert into {lake} select * from {mart} order by {order}").fetchone() or (0,)
        return int(written)
    if same is not None:
        (deleted,) = con.execute(
            f"delete from {lake} as l where not exists (select 1 from {mart} as m where {same})"
        ).fetchone() or (0,)
        new: str | None = f"not exists (select 1 from {lake} as l where {same})"
    else:
        deleted, new = _delete_replaced_and_gone(con, table)
        if table in VIEWS:
            deleted, new = _rejoined(con, table, deleted, new)
    if new is None:
        return int(deleted)
    (appended,) = con.execute(
        f"insert into {lake} select * from {mart} as m where {new} order by {order}"
    ).fetchone() or (0,)
    return int(deleted) + int(appended)


def _record_changed_keys(
    con: duckdb.DuckDBPyConnection, table: str, same: str | None, existing: list[tuple[str, str]]
) -> None:
    """Keep, in a temporary table (_changed_keys), the keys of the dimension `table` whose row the sync is
    about to change: the keys of the lake's rows the mart does not have and of the mart's the lake does not
    (`same` is the condition that two rows are one). A dimension written whole (`same` None) changes every
    key, the lake's and the mart's."""
    mart, lake, key = f"marts.{table}", f"{ALIAS}.{table}", DIMENSIONS[table]
    if same is None:
        sides = [f"select {key} from {mart}"]
        if key in (name for name, _ in existing):
            sides.append(f"select {key} from {lake}")
    else:
        sides = [
            f"select l.{key} from {lake} as l where not exists (select 1 from {mart} as m where {same})",
            f"select m.{key} from {mart} as m where not exists (select 1 from {lake} as l where {same})",
        ]
    con.execute(f"create or replace temp table {_changed_keys(table)} as {' union '.join(sides)}")


def _changed_keys(table: str) -> str:
    return f"eventdw_lake_changed_{table}"


def _rejoined(con: duckdb.DuckDBPyConnection, table: str, deleted: int, new: str | None) -> tuple[int, str | None]:
    """For a view (VIEWS), after its fact's rows were brought up to date (_delete_replaced_and_gone: `deleted`
    rows, the new ones those meeting `new`): delete from the lake the rows of runs it has whose fact joins a
    dimension row the sync changed (its actors, place or CAMEO code renamed, say), and add them to the rows to
    append; the rows deleted, and the condition on the mart's rows `m` to append. A view's row is its
    fact's, so they are found by the fact's keys, not by computing the view for every row."""
    lake, key, base = f"{ALIAS}.{table}", PARTITIONED[table][1], f"marts.{VIEWS[table]}"
    joins = [
        f"m.{column} in (select {DIMENSIONS[dimension]} from {_changed_keys(dimension)})"
        for dimension, columns in VIEW_JOINS[table].items()
        for column in columns
    ]
    con.execute(
        f"create or replace temp table eventdw_lake_rejoined as select m.{key} from {base} as m "
        f"where not coalesce({new or 'false'}, false) and ({' or '.join(joins)})"
    )
    (rejoined,) = con.execute("select count(*) from eventdw_lake_rejoined").fetchone() or (0,)
    if not rejoined:
        return deleted, new
    (gone,) = con.execute(
        f"delete from {lake} where {key} in (select {key} from eventdw_lake_rejoined)"
    ).fetchone() or (0,)
    again = f"m.{key} in (select {key} from eventdw_lake_rejoined)"
    return deleted + int(gone), f"{new} or {again}" if new else again


def _delete_replaced_and_gone(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, str | None]:
    """For a fact (or a view, whose rows are its fact's: _rejoined adds those its joins changed): delete from
    the lake the rows the mart holds a new version of and those it no longer holds; the rows deleted, and the
    condition on the mart's rows `m` that they are new (_rows_of_new_runs).

    After a sync the lake holds each run's rows as the mart does, and a mart only loses a run's rows after:
    so the rows of a run and month that the lake and the mart count alike, once the lake's old versions of
    the new rows are deleted (by their keys, few), lost none, and only the months of the runs whose counts
    differ are compared row by row, on their keys. A row's key and run id fix its date: the two sides are
    read within those months alone (export.within_months), which the files' and row groups' statistics of the
    date find. (Counted by run alone, a build that removed an event of a full build's compared every row the
    full build wrote: at ten million coded rows a day's sync took 9.1 s instead of 3.4 s.)"""
    date, key = PARTITIONED[table]
    lake = f"{ALIAS}.{table}"
    base = f"marts.{VIEWS.get(table, table)}"  # a view's rows are its fact's, one each, with their run ids
    new = _rows_of_new_runs(con, base, lake)
    deleted = 0
    if new is not None:
        (deleted,) = con.execute(
            f"delete from {lake} where {key} in (select m.{key} from {base} as m where {new})"
        ).fetchone() or (0,)
    counts = f"select run_id, {month_of(date)} as month, count(*) as num_rows from {{}} group by all"
    differ = con.execute(
        f"select l.run_id, l.month from ({counts.format(lake)}) as l left join ({counts.format(base)}) as m "
        "on m.run_id is not distinct from l.run_id and m.month is not distinct from l.month "
        "where l.num_rows is distinct from m.num_rows"
    ).fetchall()
    if not differ:
        return int(deleted), new
    in_runs = _of_runs("l", {run for run, _ in differ})
    months = [month for _, month in differ]

    def within(side: str) -> str:
        return within_months(f"{side}.{date}", months)

    (gone,) = con.execute(
        f"delete from {lake} as l where ({in_runs}) and ({within('l')}) and not exists "
        f"(select 1 from {base} as m where ({within('m')}) and m.{key} = l.{key} "
        "and m.run_id is not distinct from l.run_id)"
    ).fetchone() or (0,)
    return int(deleted) + int(gone), new


def _rows_of_new_runs(con: duckdb.DuckDBPyConnection, mart: str, lake: str, alias: str = "m") -> str | None:
    """The condition on a fact's rows (aliased `alias`) that they are of a run the lake has no row of (None:
    there is none). A fact's row is the lake's when its run's rows are: the lake took each run's rows whole, in one
    transaction, and no later run writes a row with that run's id. So its new rows are read by their run
    ids rather than compared column by column."""
    runs = [f"select distinct run_id from {relation}" for relation in (mart, lake)]
    new_runs = {run for (run,) in con.execute(f"{runs[0]} except {runs[1]}").fetchall()}
    return _of_runs(alias, new_runs) if new_runs else None


def _of_runs(alias: str, runs: set[str | None]) -> str:
    """The condition that a row (aliased `alias`) is of one of `runs` (None: the rows without a run id)."""
    listed = ", ".join(_sql_string(run) for run in sorted(run for run in runs if run is not None))
    conditions = [f"{alias}.run_id in ({listed})"] if listed else []
    if None in runs:
        conditions.append(f"{alias}.run_id is null")
    return " or ".join(conditions)


def _same_row(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The condition that the lake's row `l` is the mart's row `m` (see the module's docstring): for a fact,
    the same key and run id; for a dimension, rebuilt whole by every build, the same key and the same values
    in every column but the run and build ids."""
    if table in DIMENSIONS:
        keys = [name.strip() for name in DIMENSIONS[table].split(",")]
        values = [column for column in mart_columns(con, table) if column not in PROVENANCE]
        same = [f"l.{column} is not distinct from m.{column}" for column in keys]
        return " and ".join([*same, f"{_row_hash('l', values)} = {_row_hash('m', values)}"])
    key = PARTITIONED[table][1]
    return f"l.{key} is not distinct from m.{key} and l.run_id is not distinct from m.run_id"


def _row_hash(alias: str, columns: list[str]) -> str:
    return f"hash({', '.join(f'{alias}.{column}' for column in columns)})"


def _sql_string(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"
