"""A run's summary: what it loaded, rejected, built and exported, as the command line prints it and Prefect
shows it; and the scan a run starts with, which returns the last finished run's summary when nothing changed
since (eventdw.state.run_fingerprint). Imports neither Prefect nor dbt: `eventdw run` scans before it starts
them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw import state

if TYPE_CHECKING:
    import duckdb

    from eventdw.ingest import LoadSummary
    from eventdw.quality import QualityReport


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
    # Whether the run wrote the Parquet export (not with --no-parquet).
    exported: bool = True
    # The lake the run brought up to date (eventdw.lake), and its snapshot; None without one.
    lake: str | None = None
    # When nothing changed since the last finished run: when it finished. The summary is that run's.
    unchanged_since: str | None = None

    @classmethod
    def of_run(
        cls,
        run_id: str,
        loaded: LoadSummary,
        build: str,
        report: QualityReport,
        counts: dict[str, int],
        warehouse: Path,
        data_docs_dir: Path,
        exports_dir: Path,
        lake: str | None = None,
        exported: bool = True,
    ) -> RunSummary:
        """The summary of run `run_id`: what it loaded, its build's description, the gate's report and the
        marts' counts (marts_counts)."""
        return cls(
            run_id=run_id,
            articles_loaded=loaded.articles_loaded,
            extraction_rows_read=loaded.extraction_rows_read,
            extraction_rows_accepted=loaded.extraction_rows_accepted,
            rejected_rows=loaded.rejected_rows,
            build=build,
            quality_warnings=report.failed_warnings,
            warehouse=warehouse,
            data_docs=report.data_docs_index or data_docs_dir,
            exports_dir=exports_dir,
            exported=exported,
            lake=lake,
            events=counts["events"],
            mentions=counts["mentions"],
            actors=counts["actors"],
            places=counts["places"],
            unresolved_names=counts["unresolved_names"],
        )

    @classmethod
    def of_unchanged_run(cls, last: dict[str, Any]) -> RunSummary:
        """The summary of the last finished run (eventdw.state.last_run_if_unchanged), for a run that found
        nothing changed since."""
        fields = {field.name for field in dataclasses.fields(cls)} - {"unchanged_since"}
        # (A summary recorded before a field was added lacks it: the field's default.)
        summary: dict[str, Any] = {name: last[name] for name in fields if name in last}
        for name in ("warehouse", "data_docs", "exports_dir"):
            summary[name] = Path(summary[name])
        return cls(**summary, unchanged_since=f"{last['finished_at']:%Y-%m-%d %H:%M:%S %Z}")


def unchanged_run(
    seeds_dir: Path, warehouse: Path, exports_dir: Path, data_docs_dir: Path, engine: str
) -> tuple[str | None, RunSummary | None]:
    """The scan a run starts with: (its fingerprint, eventdw.state.run_fingerprint; the last finished run's
    summary when nothing changed since, else None)."""
    fingerprint = state.run_fingerprint(seeds_dir, warehouse, exports_dir, data_docs_dir, engine)
    last = state.last_run_if_unchanged(warehouse, fingerprint, exports_dir, data_docs_dir)
    return fingerprint, None if last is None else RunSummary.of_unchanged_run(last)


def summary_markdown(summary: RunSummary, reasons: list[tuple[str, str, int]]) -> str:
    """The run's summary as the markdown artifact Prefect's UI shows on the flow run."""

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        f"# eventdw run `{summary.run_id}`",
        "",
        "| | |",
        "|---|---|",
        f"| articles loaded | {summary.articles_loaded:,} |",
        f"| extraction rows read | {summary.extraction_rows_read:,} |",
        f"| accepted | {summary.extraction_rows_accepted:,} |",
        f"| rejected rows and files (raw.rejected_rows) | {summary.rejected_rows:,} |",
        f"| dbt build | {cell(summary.build)} |",
        f"| events | {summary.events:,} (from {summary.mentions:,} mentions) |",
        f"| actors / places in events | {summary.actors:,} / {summary.places:,} |",
        f"| unresolved names (marts.report_unresolved_names) | {summary.unresolved_names:,} |",
        f"| quality warnings | {len(summary.quality_warnings)} |",
        f"| warehouse | `{summary.warehouse}` |",
        f"| data-quality report | [{summary.data_docs}]({Path(summary.data_docs).resolve().as_uri()}) |",
        f"| exports | `{summary.exports_dir}/` (manifest.json) |" if summary.exported else "| exports | none |",
        *([f"| lake | `{cell(summary.lake)}` |"] if summary.lake else []),
    ]
    if reasons:
        lines += ["", "## Rejected rows, most frequent reasons", "", "| input | reason | rows |", "|---|---|---|"]
        lines += [f"| {cell(kind)} | {cell(reason)} | {rows:,} |" for kind, reason, rows in reasons]
    if summary.quality_warnings:
        lines += ["", "## Quality warnings", ""] + [f"- {cell(warning)}" for warning in summary.quality_warnings]
    return "\n".join(lines) + "\n"


def marts_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The summary's counts of what the marts (in `con`'s marts schema) hold."""
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
