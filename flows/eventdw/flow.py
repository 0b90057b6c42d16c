"""The main job: load raw inputs -> dbt build -> Great Expectations gate -> Parquet export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.states import State

from eventdw import export, ingest, quality, transform
from eventdw.lock import exclusive_run
from eventdw.warehouse import connect as warehouse_connect


@dataclass(frozen=True)
class RunSummary:
    """What a run produced and where."""

    run_id: str
    articles_loaded: int
    extraction_rows_read: int
    extraction_rows_accepted: int
    rejected_rows: int
    events: int
    mentions: int
    actors: int
    places: int
    unresolved_names: int
    build: str
    quality_warnings: list[str]
    warehouse: Path
    data_docs: Path
    exports_dir: Path


@task
def load_inputs(seeds_dir: Path, warehouse: Path, run_id: str) -> ingest.LoadSummary:
    """Land articles, extractions and reference data in the raw schema."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with warehouse_connect(warehouse) as con:
        return ingest.load_inputs(con, seeds_dir, run_id)


@task
def build_models(warehouse: Path) -> transform.BuildResult:
    """dbt build: staging, intermediate and marts models with their tests (incremental when it is safe)."""
    return transform.dbt_build(warehouse)


@task
def validate_warehouse(warehouse: Path, data_docs_dir: Path, run_id: str) -> quality.QualityReport:
    """The Great Expectations gate over the raw, staging and marts layers."""
    return quality.validate_warehouse(warehouse, data_docs_dir, run_id)


def _worth_retrying(task: object, task_run: object, state: State) -> bool:
    """A failed export is tried again unless eventdw refused it (a folder it must not replace, a busy one)."""
    try:
        state.result()
    except export.ExportError:
        return False
    except Exception:
        return True
    return False


@task(retries=1, retry_delay_seconds=2, retry_condition_fn=_worth_retrying)
def export_marts(warehouse: Path, exports_dir: Path, run_id: str) -> dict[str, int]:
    """Write the marts to Parquet with a manifest."""
    return export.export_marts(warehouse, exports_dir, run_id)


def _count_marts(warehouse: Path) -> dict[str, int]:
    with warehouse_connect(warehouse) as con:
        row = con.execute(
            """
            select
                (select count(*) from marts.fact_events),
                (select count(*) from marts.fact_event_mentions),
                (select count(distinct actor_id) from (
                    select actor1_id as actor_id from marts.fact_events
                    union all select actor2_id from marts.fact_events
                ) where actor_id is not null),
                (select count(distinct place_id) from marts.fact_events),
                (select count(*) from marts.report_unresolved_names)
            """
        ).fetchone()
    assert row is not None
    return dict(zip(["events", "mentions", "actors", "places", "unresolved_names"], row, strict=True))


@flow(name="eventdw", log_prints=True)
def eventdw_pipeline(seeds_dir: Path, warehouse: Path, exports_dir: Path, data_docs_dir: Path) -> RunSummary:
    """Build the event warehouse from the inputs in `seeds_dir`."""
    run_id = uuid.uuid4().hex[:12]
    with exclusive_run(warehouse):
        loaded = load_inputs(seeds_dir, warehouse, run_id)
        build = build_models(warehouse)
        report = validate_warehouse(warehouse, data_docs_dir, run_id)
        export_marts(warehouse, exports_dir, run_id)
        counts = _count_marts(warehouse)
    return RunSummary(
        run_id=run_id,
        articles_loaded=loaded.articles_loaded,
        extraction_rows_read=loaded.extraction_rows_read,
        extraction_rows_accepted=loaded.extraction_rows_accepted,
        rejected_rows=loaded.rejected_rows,
        build=build.description,
        quality_warnings=report.failed_warnings,
        warehouse=warehouse,
        data_docs=report.data_docs_index or data_docs_dir,
        exports_dir=exports_dir,
        **counts,
    )
