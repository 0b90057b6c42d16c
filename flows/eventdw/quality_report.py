"""The data-quality report of one gate run: data_docs/index.html, one self-contained page.

Great Expectations' own data docs draw their index with JavaScript from public CDNs, so offline it lists
nothing, and they rewrite their scripts, styles and images on every run. This page replaces them: no
scripts, no external assets. It gives the run's failures first, in a coder's words (how many rows, what is
wrong with them, and the first of them by name: file and row, or id), then every suite of the run, its
failures first, each expectation with what a failure would mean, its severity, the observed value and the
failing rows. Beside it, agreement.html gives inter-coder agreement (marts.report_coder_agreement).
"""

from __future__ import annotations

import html
import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import pandas as pd


class ValidationRow(NamedTuple):
    """One expectation's result in one run: a row of `quality.validation_results`."""

    run_id: str
    suite: str
    expectation: str
    arguments: str
    severity: str
    success: bool
    observed_value: str | None
    unexpected_count: int | None
    unexpected_rows: str | None  # JSON list of the first ten failing rows' names, e.g. "extractions/001.csv row 4"
    message: str | None  # the failure in a coder's words, as the run reported it
    meaning: str | None = None  # what a failing row is, e.g. "coded rows with a confidence outside 0-1"


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
.failed-error { background: #fde2e1; } .failed-warning { background: #fff4d6; }
.summary { margin: 0.5rem 0 1rem; } code { font-size: 0.85rem; } .rows { font-size: 0.8rem; color: #555; }
"""
# What Great Expectations' data docs site left in the folder before eventdw wrote its own index.
GX_SITE_FOLDERS = ("static", "validations", "expectations")


def _failing_rows(row: ValidationRow) -> str:
    names = json.loads(row.unexpected_rows) if row.unexpected_rows else []
    more = (row.unexpected_count or 0) - len(names)
    return ", ".join(html.escape(str(name)) for name in names) + (f", &hellip; and {more:,} more" if more > 0 else "")


def _arguments(arguments: str) -> str:
    shown = {k: v for k, v in json.loads(arguments).items() if k not in {"batch_id", "value_set", "value_pairs_set"}}
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def write_agreement_page(data_docs_dir: Path, run_id: str, agreement: pd.DataFrame) -> Path:
    """Write data_docs_dir/agreement.html: marts.report_coder_agreement, one row per coded field."""
    import pandas as pd

    from eventdw.agreement import RELIABLE_ALPHA, TENTATIVE_ALPHA, summary_line

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>eventdw inter-coder agreement, run {html.escape(run_id)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Inter-coder agreement &mdash; run <code>{html.escape(run_id)}</code></h1>",
        "<p><a href='index.html'>Data quality</a></p>",
    ]
    if agreement.empty:
        parts.append(
            "<p>No article is coded by two or more coders. To measure agreement, have a second coder code "
            "articles already coded, with their own name in the <code>coder</code> column.</p>"
        )
    else:
        parts.append(
            f"<p class='summary'>{html.escape(summary_line(agreement))} Krippendorff's alpha "
            f"per field: {RELIABLE_ALPHA} and above is reliable, {TENTATIVE_ALPHA} to {RELIABLE_ALPHA} tentative. "
            "The units compared, coder by coder: <code>marts.report_coder_agreement_units</code>.</p>"
        )
        parts.append(
            "<table><tr><th>field</th><th>level</th><th>alpha</th><th>units agreeing</th>"
            "<th>units compared</th><th>verdict</th></tr>"
        )
        for row in agreement.itertuples(index=False):
            alpha = "" if pd.isna(row.alpha) else f"{row.alpha:.3f}"
            share = "" if pd.isna(row.share_of_units_agreeing) else f"{row.share_of_units_agreeing:.0%}"
            css = "" if pd.isna(row.alpha) or row.alpha >= TENTATIVE_ALPHA else " class='failed-warning'"
            parts.append(
                f"<tr{css}><td>{html.escape(row.field)}</td><td>{html.escape(row.level_of_measurement)}</td>"
                f"<td>{alpha}</td><td>{share}</td><td>{row.num_units_compared:,}</td>"
                f"<td>{html.escape(row.verdict)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    page = data_docs_dir / "agreement.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page


def write_report(
    data_docs_dir: Path,
    run_id: str,
    history: list[ValidationRow],
    batch_rows: dict[str, tuple[int, int]] | None = None,
    batch_scoped: list[str] | None = None,
) -> Path:
    """Write data_docs_dir/index.html for the rows of `quality.validation_results` of one run, and remove
    what an older Great Expectations data docs site left there. The suites in `batch_scoped` validated the
    rows the run's incremental build wrote, not their whole table."""
    by_suite: dict[str, list[ValidationRow]] = defaultdict(list)
    for row in history:
        by_suite[row.suite].append(row)
    failed = [row for row in history if not row.success]
    errors = sum(1 for row in failed if row.severity == "error")
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>eventdw data quality, run {html.escape(run_id)}</title><style>{STYLE}</style></head><body>",
        f"<h1>eventdw data quality &mdash; run <code>{html.escape(run_id)}</code></h1>",
        f"<p class='summary'>{len(history)} expectations in {len(by_suite)} suites: "
        f"{len(history) - len(failed)} met, {errors} failed at error level (the run stops before the export), "
        f"{len(failed) - errors} at warning level.</p>",
        "<p>Inter-coder agreement: <a href='agreement.html'>agreement.html</a></p>",
    ]
    if batch_scoped:
        parts.append(
            "<p>An incremental build: the marts' suites validated the rows it wrote (and the events they touched), "
            "not their whole tables. A full refresh, <code>eventdw run --full-check</code> and every "
            "<code>EVENTDW_FULL_CHECK_EVERY</code>-th run validate every row.</p>"
        )
    if failed:
        parts.append("<h2>Failures</h2><ul>")
        for row in sorted(failed, key=lambda r: r.severity != "error"):
            parts.append(
                f"<li class='failed-{row.severity}'>{html.escape(row.severity)}: {html.escape(row.message or '')}</li>"
            )
        parts.append("</ul>")
    else:
        parts.append("<p>Every expectation was met.</p>")
    for suite, rows in by_suite.items():
        suite_failures = sum(1 for row in rows if not row.success)
        validated, total = (batch_rows or {}).get(suite, (0, 0))
        rows_of = "the" if suite in (batch_scoped or []) else "its"
        written = " written by this run" if suite in (batch_scoped or []) else ""
        sample = (
            f" &middot; a random sample of {validated:,} of {rows_of} {total:,} rows{written}"
            if validated < total
            else ""
        )
        if suite in (batch_scoped or []) and validated == total:
            sample = f" &middot; the {total:,} rows written by this run"
        parts.append(f"<h2>{html.escape(suite)}</h2><p>{len(rows)} expectations, {suite_failures} failed{sample}</p>")
        parts.append("<table><tr><th>result</th><th>severity</th><th>a failure means</th><th>expectation</th>")
        parts.append("<th>arguments</th><th>observed</th><th>failing rows</th></tr>")
        for row in sorted(rows, key=lambda r: (r.success, r.severity != "error")):
            css = "" if row.success else f" class='failed-{row.severity}'"
            count = "" if row.unexpected_count is None else f"{row.unexpected_count:,}"
            named = _failing_rows(row)
            parts.append(
                f"<tr{css}><td>{'met' if row.success else 'FAILED'}</td><td>{html.escape(row.severity)}</td>"
                f"<td>{html.escape(row.meaning or '')}</td>"
                f"<td><code>{html.escape(row.expectation)}</code></td><td>{html.escape(_arguments(row.arguments))}</td>"
                f"<td>{html.escape(row.observed_value if row.observed_value is not None else '')}</td>"
                f"<td>{count}{f'<div class=rows>{named}</div>' if named else ''}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    for folder in GX_SITE_FOLDERS:
        shutil.rmtree(data_docs_dir / folder, ignore_errors=True)
    (data_docs_dir / "report.html").unlink(missing_ok=True)  # the report's name before it was the index
    report = data_docs_dir / "index.html"
    report.write_text("\n".join(parts), encoding="utf-8")
    return report
