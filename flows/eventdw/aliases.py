"""Draft alias lines from marts.report_unresolved_names, for the coder to accept or fix: `eventdw aliases`.

Each normalised spelling that resolved to nothing becomes one CSV line in the format of the alias file of
its kind, ready to paste: for an actor `alias,actor_id,valid_from,valid_to,notes`
(seeds/reference/actor_aliases.csv), for a place `alias,place_ref,notes` (place_aliases.csv). The id is the
nearest known name's, when the report has one; the notes say which name that is, how similar, why the
spelling did not resolve, and the articles and rows it came from (the report's first 20 of each). An
empty id means no known name came close: the coder gives it, or fixes the spelling in the coding instead.
Nothing is written to the alias files: a human decides.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

ALIAS_FILES = {
    "actor": ("seeds/reference/actor_aliases.csv", ["alias", "actor_id", "valid_from", "valid_to", "notes"]),
    "place": ("seeds/reference/place_aliases.csv", ["alias", "place_ref", "notes"]),
}


def alias_rows(report: pd.DataFrame, name_kind: str) -> list[list[str]]:
    """The alias lines of one kind ("actor" or "place"), most used spellings first."""
    rows = []
    kind = report[report["name_kind"] == name_kind].sort_values(
        ["num_mentions", "spelling_normalized"], ascending=[False, True]
    )
    for entry in kind.itertuples(index=False):
        spelling = str(entry.spellings).split(";")[0]
        nearest = ""
        if isinstance(entry.nearest_known_name, str) and pd.notna(entry.nearest_similarity):
            nearest = f"nearest: {entry.nearest_known_name} ({entry.nearest_similarity:.2f}); "
        # The report names the first 20 articles and rows: "..." says there are more.
        articles = f"{entry.article_ids}{' ...' if entry.num_articles > len(entry.article_ids.split('; ')) else ''}"
        source_rows = f"{entry.source_rows}{' ...' if entry.num_mentions > len(entry.source_rows.split('; ')) else ''}"
        notes = (
            f"DRAFT {nearest}{entry.reason}; {entry.num_mentions} mention(s) in {entry.num_articles} article(s): "
            f"{articles} ({source_rows})"
        )
        entity_id = entry.nearest_entity_id if isinstance(entry.nearest_entity_id, str) else ""
        rows.append([spelling, entity_id, "", "", notes] if name_kind == "actor" else [spelling, entity_id, notes])
    return rows


def draft_aliases(report: pd.DataFrame) -> str:
    """The lines to paste, per alias file, under a comment line naming the file and its columns."""
    if report.empty:
        return "Every actor and place name resolved: no alias to add."
    out = io.StringIO()
    for name_kind, (path, header) in ALIAS_FILES.items():
        rows = alias_rows(report, name_kind)
        if not rows:
            continue
        out.write(f"# {len(rows)} line(s) for {path} ({','.join(header)}): check each id, then paste\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows(rows)
    return out.getvalue().rstrip("\n")
