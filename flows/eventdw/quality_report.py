"""A self-contained HTML page of one gate run, written next to Great Expectations' data docs.

GX's own index draws its table of results with JavaScript from public CDNs, so offline it lists
nothing. This page has no scripts and no external assets: the run's failures in a coder's words (which
rows, and what is wrong with them), then every suite of the run, its failures first, with severity and
observed value, and a link to GX's detailed page for that suite.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple


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


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
.failed-error { background: #fde2e1; } .failed-warning { background: #fff4d6; }
.summary { margin: 0.5rem 0 1rem; } code { font-size: 0.85rem; }
"""


def _detail_page(data_docs_dir: Path, suite: str) -> str | None:
    """The newest GX validation page of `suite`, relative to `data_docs_dir`."""
    pages = sorted(data_docs_dir.glob(f"validations/**/*-{suite}.html"))
    return str(pages[-1].relative_to(data_docs_dir)) if pages else None


def _arguments(arguments: str) -> str:
    shown = {k: v for k, v in json.loads(arguments).items() if k not in {"batch_id", "value_set", "value_pairs_set"}}
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def write_report(
    data_docs_dir: Path, run_id: str, history: list[ValidationRow], batch_rows: dict[str, tuple[int, int]] | None = None
) -> Path:
    """Write data_docs_dir/report.html for the rows of `quality.validation_results` of one run."""
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
    ]
    if failed:
        parts.append("<h2>Failures</h2><ul>")
        for row in sorted(failed, key=lambda r: r.severity != "error"):
            parts.append(
                f"<li class='failed-{row.severity}'>{html.escape(row.severity)}: {html.escape(row.message or '')}</li>"
            )
        parts.append("</ul>")
    for suite, rows in by_suite.items():
        page = _detail_page(data_docs_dir, suite)
        link = f" &middot; <a href='{html.escape(page)}'>Great Expectations page</a>" if page else ""
        suite_failures = sum(1 for row in rows if not row.success)
        validated, total = (batch_rows or {}).get(suite, (0, 0))
        sample = f" &middot; a random sample of {validated:,} of its {total:,} rows" if validated < total else ""
        parts.append(
            f"<h2>{html.escape(suite)}</h2><p>{len(rows)} expectations, {suite_failures} failed{link}{sample}</p>"
        )
        parts.append("<table><tr><th>result</th><th>severity</th><th>expectation</th><th>arguments</th>")
        parts.append("<th>observed</th><th>unexpected rows</th><th>what failed</th></tr>")
        for row in sorted(rows, key=lambda r: (r.success, r.severity != "error")):
            css = "" if row.success else f" class='failed-{row.severity}'"
            parts.append(
                f"<tr{css}><td>{'met' if row.success else 'FAILED'}</td><td>{html.escape(row.severity)}</td>"
                f"<td>{html.escape(row.expectation)}</td><td>{html.escape(_arguments(row.arguments))}</td>"
                f"<td>{html.escape(row.observed_value if row.observed_value is not None else '')}</td>"
                f"<td>{'' if row.unexpected_count is None else row.unexpected_count}</td>"
                f"<td>{html.escape((row.message or '').removeprefix(f'{suite}: '))}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    report = data_docs_dir / "report.html"
    report.write_text("\n".join(parts), encoding="utf-8")
    return report
