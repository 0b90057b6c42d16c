"""How close `eventdw suggest` comes to a hand-coding: precision and recall per field.

    python -m eventdw.suggest_score [SEEDS_DIR]

builds the warehouse of SEEDS_DIR (default `seeds`), drafts rows for every article with `eventdw suggest`,
adds them to a copy of the seeds as a second coder's (`eventdw-suggest`) and builds again, so that the drafts'
names resolve exactly as a coder's do. Then each hand-coded (gold) row is paired with at most one draft of its
article whose quote overlaps its quote, the pairs that agree on most fields first, and for each field:

- recall: the share of gold rows paired with a draft that has the gold row's value;
- precision: the share of drafts paired with a gold row that has the draft's value.

Values are compared as the agreement report compares them: the resolved actor and place ids (an unresolved
spelling by its normal form, a missing actor2 as `none`), the event date, the CAMEO root. A draft the loader
rejects counts as a draft paired with nothing. "found" is the pairing itself: the gold rows with a draft and
the drafts with a gold row; the drafts with none are the ones not in the gold.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.suggest import CODER

if TYPE_CHECKING:
    import duckdb

FIELDS = ("found", "actor1", "actor2", "place", "event_date", "cameo_root")
DRAFTS_FILE_PREFIX = "suggested_"


@dataclass(frozen=True)
class FieldScore:
    field: str
    gold_right: int  # gold rows paired with a draft that has their value
    drafts_right: int  # drafts paired with a gold row that has their value
    gold_rows: int
    drafts: int

    @property
    def recall(self) -> float:
        return self.gold_right / self.gold_rows if self.gold_rows else 0.0

    @property
    def precision(self) -> float:
        return self.drafts_right / self.drafts if self.drafts else 0.0


_PAIRS_SQL = """
with mentions as (
    select
        article_id,
        mention_id,
        coder = $coder as is_draft,
        quote_start,
        quote_end,
        coalesce(actor1_id, 'none') as actor1,
        coalesce(actor2_id, 'none') as actor2,
        coalesce(place_id, 'none') as place,
        cast(event_date as varchar) as event_date,
        left(cameo_code, 2) as cameo_root,
        source_file,
        source_row_number
    from marts.fact_event_mentions
),
gold as (select * from mentions where not is_draft),
drafts as (select * from mentions where is_draft)
select
    gold.mention_id as gold_id,
    drafts.mention_id as draft_id,
    gold.actor1 = drafts.actor1 as actor1,
    gold.actor2 = drafts.actor2 as actor2,
    gold.place = drafts.place as place,
    gold.event_date = drafts.event_date as event_date,
    gold.cameo_root = drafts.cameo_root as cameo_root
from gold
inner join drafts
    on drafts.article_id = gold.article_id
    and drafts.quote_start < gold.quote_end
    and gold.quote_start < drafts.quote_end
order by gold.source_file, gold.source_row_number, drafts.source_file, drafts.source_row_number
"""


def score(con: duckdb.DuckDBPyConnection, coder: str = CODER) -> list[FieldScore]:
    """The scores of the drafts of `coder` against every other coder's rows, in a warehouse holding both."""
    pairs = con.execute(_PAIRS_SQL, {"coder": coder}).fetchall()
    gold_rows, drafts_loaded = con.execute(
        "select count(*) filter (where coder is distinct from $coder), count(*) filter (where coder = $coder) "
        "from marts.fact_event_mentions",
        {"coder": coder},
    ).fetchone() or (0, 0)
    drafts_rejected = con.execute(
        "select count(*) from raw.rejected_rows where source_file like $pattern",
        {"pattern": f"%{DRAFTS_FILE_PREFIX}%"},
    ).fetchone()
    drafts = drafts_loaded + (drafts_rejected[0] if drafts_rejected else 0)
    # Greedy one-to-one pairing: the pairs that agree on most fields first, then in file order.
    ranked = sorted(enumerate(pairs), key=lambda item: (-sum(bool(v) for v in item[1][2:]), item[0]))
    paired_gold: set[str] = set()
    paired_drafts: set[str] = set()
    chosen = []
    for _, pair in ranked:
        if pair[0] in paired_gold or pair[1] in paired_drafts:
            continue
        paired_gold.add(pair[0])
        paired_drafts.add(pair[1])
        chosen.append(pair)
    scores = [FieldScore("found", len(chosen), len(chosen), gold_rows, drafts)]
    for index, name in enumerate(FIELDS[1:], start=2):
        right = sum(1 for pair in chosen if pair[index])
        scores.append(FieldScore(name, right, right, gold_rows, drafts))
    return scores


def score_table(scores: list[FieldScore]) -> str:
    """The scores as a Markdown table."""
    first = scores[0]
    lines = [
        f"{first.gold_rows} hand-coded rows, {first.drafts} drafts, {first.drafts - first.drafts_right} drafts "
        "not in the hand-coding",
        "",
        "| field | recall | precision | gold rows right | drafts right |",
        "|---|---|---|---|---|",
    ]
    for item in scores:
        lines.append(
            f"| {item.field} | {item.recall:.2f} | {item.precision:.2f} | {item.gold_right}/{item.gold_rows} "
            f"| {item.drafts_right}/{item.drafts} |"
        )
    return "\n".join(lines)


def build(seeds_dir: Path, warehouse: Path) -> None:
    """Load `seeds_dir` into `warehouse` and build the models, as a run does (without Prefect)."""
    from eventdw import ingest, transform
    from eventdw.warehouse import connect as warehouse_connect

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with warehouse_connect(warehouse) as con:
        ingest.load_inputs(con, seeds_dir, "suggest-score")
    transform.dbt_build(warehouse)


def add_drafts(seeds_dir: Path, gold_warehouse: Path, target: Path) -> Path:
    """A copy of `seeds_dir` at `target` with a drafts file per article (suggested_<article>.csv) in its
    extractions, drafted with the names of `gold_warehouse`; the copy's path."""
    from eventdw.suggest import VERBS_FILE, drafts_csv, load_dictionaries, suggest
    from eventdw.warehouse import connect as warehouse_connect

    shutil.copytree(seeds_dir, target)
    with warehouse_connect(gold_warehouse) as con:
        dictionaries = load_dictionaries(con, seeds_dir / "reference" / VERBS_FILE)
    for path in sorted((seeds_dir / "articles").glob("*.txt")):
        drafts = suggest([path], dictionaries)
        (target / "extractions" / f"{DRAFTS_FILE_PREFIX}{path.stem}.csv").write_text(
            drafts_csv(drafts), encoding="utf-8"
        )
    return target


def score_seeds(seeds_dir: Path, work_dir: Path) -> list[FieldScore]:
    """Build `seeds_dir`, draft its articles, build it again with the drafts, and score them."""
    from eventdw.warehouse import connect as warehouse_connect

    gold = work_dir / "gold" / "eventdw.duckdb"
    build(seeds_dir, gold)
    both_seeds = add_drafts(seeds_dir, gold, work_dir / "seeds")
    both = work_dir / "both" / "eventdw.duckdb"
    build(both_seeds, both)
    with warehouse_connect(both) as con:
        return score(con)


def main(argv: list[str]) -> None:
    import tempfile

    from eventdw import turn_analytics_off

    turn_analytics_off()
    seeds_dir = Path(argv[0]) if argv else Path("seeds")
    with tempfile.TemporaryDirectory(prefix="eventdw-suggest-score-") as work:
        print(score_table(score_seeds(seeds_dir, Path(work))))


if __name__ == "__main__":
    main(sys.argv[1:])
