"""Generate realistic synthetic eventdw inputs (articles + extraction CSVs) for the benchmark.

    .venv/bin/python bench/generate.py --size S --out /tmp/bench_s      # 2k articles, 10k rows
    sizes: S (2k articles, 10k rows), M (200k, 1M), L (1M, 10M); or --articles N --rows N

Realistic means:

- Events are reported by several articles, each spelling the actors and the place its own way. The
  spellings are drawn from the curated alias lists and GeoNames' alternate names, valid at the event's
  date.
- Actors and places follow Zipf-like frequencies: a few are in most events.
- Dates and codes vary: mostly day precision, some week and month precision; CAMEO codes from the
  crosswalk, weighted towards fighting and territory.
- A few percent of rows are bad, one fault each: unknown article, impossible date, unknown CAMEO code,
  negative fatalities, quote not in the article, missing actor.

Each row's quote is a sentence of its article, so the quotes are verbatim. The reference data is copied
from seeds/reference/.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"S": (2_000, 10_000), "M": (200_000, 1_000_000), "L": (1_000_000, 10_000_000)}
HEADER = [
    "article_id", "event_date", "time_precision", "actor1", "actor2", "cameo_code", "acled_sub_event_type",
    "location", "geo_precision", "fatalities", "quote", "coder", "confidence", "notes",
]  # fmt: skip
CODES = {"190": 20, "192": 12, "193": 10, "195": 8, "194": 6, "0874": 6, "180": 4, "1384": 4, "010": 4,
         "040": 3, "0241": 2, "1411": 3, "191": 2, "173": 2, "111": 2, "0233": 1}  # fmt: skip
VERBS = {"19": "fought", "18": "attacked", "08": "withdrew from", "13": "threatened", "01": "spoke about",
         "04": "met over", "02": "appealed over", "14": "protested in", "17": "arrested people in",
         "11": "criticised"}  # fmt: skip
ROWS_PER_FILE = 100_000
FOOTER = "Latest Stories\n\n  • unrelated\n"
BAD_ROW_SHARE = 0.03
FAULTS = {"article_id": "no_such_article", "event_date": "2024-02-30", "cameo_code": "999", "fatalities": "-1",
          "quote": "Not in the article.", "actor1": ""}  # fmt: skip


def _zipf_weights(count: int, exponent: float = 1.1) -> list[float]:
    return [1.0 / (rank**exponent) for rank in range(1, count + 1)]


def _spellings() -> tuple[dict[str, list[tuple[str, date | None, date | None]]], dict[str, list[str]]]:
    """Actor spellings (with validity) by actor, and place spellings by place, from the reference data."""
    sys.path.insert(0, str(REPO / "flows"))
    from eventdw.ingest import gazetteer

    actors: dict[str, list[tuple[str, date | None, date | None]]] = defaultdict(list)
    with (REPO / "seeds" / "reference" / "actor_aliases.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            valid_from = date.fromisoformat(row["valid_from"]) if row["valid_from"] else None
            valid_to = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
            actors[row["actor_id"]].append((row["alias"], valid_from, valid_to))
    places: dict[str, list[str]] = defaultdict(list)
    syrian, names, _ = gazetteer.geonames_places(frozenset({"SY"}))
    population = {p["geonames_id"]: p["population"] for p in syrian if p["country_iso2"] == "SY"}
    for name in names:
        if name["geonames_id"] in population and name["name"].isascii() and len(name["name"]) > 2:
            places[f"geonames:{name['geonames_id']}"].append(name["name"])
    ranked = sorted(places, key=lambda place: -population[int(place.split(":")[1])])
    return actors, {place: places[place] for place in ranked}


def _spelling(rng: random.Random, options: list[tuple[str, date | None, date | None]], day: date) -> str:
    valid = [alias for alias, start, end in options if (start is None or day >= start) and (end is None or day <= end)]
    return rng.choice(valid or [alias for alias, _, _ in options])


FIRST_DAY, LAST_DAY = date(2011, 3, 15), date(2024, 12, 31)  # the events' dates


def generate(out: Path, articles: int, rows: int, seed: int = 7) -> None:
    """Write out/articles/*.txt, out/extractions/*.csv and out/reference/ for the given sizes."""
    shutil.rmtree(out, ignore_errors=True)
    (out / "articles").mkdir(parents=True)
    (out / "extractions").mkdir()
    shutil.copytree(REPO / "seeds" / "reference", out / "reference")
    _write_inputs(out, articles, rows, random.Random(seed), FIRST_DAY, (LAST_DAY - FIRST_DAY).days, "bench")


def generate_day(out: Path, articles: int, rows: int, days: int = 7, seed: int = 8) -> None:
    """A day of new inputs beside those generate() wrote: `articles` articles (named day_...) and `rows` coded
    rows (extractions/day_*.csv) about events of the data's last `days` days, into out/articles and
    out/extractions (created if missing)."""
    (out / "articles").mkdir(parents=True, exist_ok=True)
    (out / "extractions").mkdir(parents=True, exist_ok=True)
    _write_inputs(out, articles, rows, random.Random(seed), LAST_DAY - timedelta(days=days - 1), days, "day")


def _write_inputs(out: Path, articles: int, rows: int, rng: random.Random, start: date, days: int, name: str) -> None:
    """`articles` articles and `rows` coded rows about events dated from `start` for `days` days, the files
    named after `name`."""
    actor_spellings, place_spellings = _spellings()
    actor_ids = sorted(actor_spellings)
    rng.shuffle(actor_ids)
    place_ids = list(place_spellings)
    actor_weights, place_weights = _zipf_weights(len(actor_ids)), _zipf_weights(len(place_ids))
    codes, code_weights = list(CODES), list(CODES.values())

    # The inputs are written in chunks of ROWS_PER_FILE rows (one CSV file each) and their share of the
    # articles, so memory stays flat at any size. An event's reports fall in one chunk.
    chunks = max(1, -(-rows // ROWS_PER_FILE))
    for chunk in range(chunks):
        chunk_rows = min(ROWS_PER_FILE, rows - chunk * ROWS_PER_FILE)
        first_article, last_article = articles * chunk // chunks, articles * (chunk + 1) // chunks
        mentions = _mentions(rng, chunk_rows, actor_ids, actor_weights, actor_spellings, place_ids, place_weights,
                             place_spellings, codes, code_weights, start, days)  # fmt: skip
        per_article: list[list[dict[str, str]]] = [[] for _ in range(last_article - first_article)]
        for index, mention in enumerate(mentions):
            per_article[index % len(per_article)].append(mention)
        extraction = out / "extractions" / (f"part_{chunk:04d}.csv" if name == "bench" else f"{name}_{chunk:04d}.csv")
        with extraction.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for number, reports in enumerate(per_article, start=first_article):
                article_id = f"{name}_{number:07d}"
                latest = max((date.fromisoformat(m["event_date"]) for m in reports), default=start)
                published = latest + timedelta(days=rng.randrange(3))
                body = " ".join(m["quote"] for m in reports)
                text = f"date {published.isoformat()} Synthetic report {number}\n\n{body}\n\n{FOOTER}"
                (out / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
                for mention in reports:
                    row = mention | {
                        "article_id": article_id,
                        "geo_precision": "1",
                        "coder": "bench",
                        "confidence": "0.8",
                    }
                    if rng.random() < BAD_ROW_SHARE:
                        fault = rng.choice(list(FAULTS))
                        row[fault] = FAULTS[fault]
                    writer.writerow([row.get(column, "") for column in HEADER])


def _mentions(
    rng: random.Random,
    rows: int,
    actor_ids: list[str],
    actor_weights: list[float],
    actor_spellings: dict[str, list[tuple[str, date | None, date | None]]],
    place_ids: list[str],
    place_weights: list[float],
    place_spellings: dict[str, list[str]],
    codes: list[str],
    code_weights: list[int],
    start: date,
    days: int,
) -> list[dict[str, str]]:
    """`rows` mentions: each event is reported 1-4 times (mean ~2.5), each report spelling names its own way."""
    mentions: list[dict[str, str]] = []
    while len(mentions) < rows:
        day = start + timedelta(days=rng.randrange(days))
        precision = rng.choices([1, 2, 3], weights=[85, 10, 5])[0]
        actor1, actor2 = rng.choices(actor_ids, weights=actor_weights, k=2)
        place = rng.choices(place_ids, weights=place_weights)[0]
        code = rng.choices(codes, weights=code_weights)[0]
        is_deadly = code[:2] in {"18", "19"} and rng.random() < 0.4
        fatalities = str(rng.choice([0, 1, 2, 3, 5, 12, 100])) if is_deadly else ""
        for _ in range(min(rng.choice([1, 1, 2, 2, 3, 3, 4]), rows - len(mentions))):
            words = {
                "actor1": _spelling(rng, actor_spellings[actor1], day),
                "actor2": _spelling(rng, actor_spellings[actor2], day) if rng.random() < 0.7 else "",
                "location": rng.choice(place_spellings[place]),
            }
            verb = VERBS.get(code[:2], "acted in")
            target = f" against {words['actor2']}" if words["actor2"] else ""
            mentions.append(
                words
                | {
                    "event_date": day.isoformat(),
                    "time_precision": str(precision),
                    "cameo_code": code,
                    "fatalities": fatalities,
                    "quote": f"{words['actor1']} {verb} {words['location']}{target} ({rng.randrange(10**9):09d}).",
                }
            )
    rng.shuffle(mentions)
    return mentions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--articles", type=int)
    parser.add_argument("--rows", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    articles, rows = SIZES[arguments.size]
    generate(arguments.out, arguments.articles or articles, arguments.rows or rows, arguments.seed)
    print(f"wrote {arguments.articles or articles} articles and {arguments.rows or rows} rows to {arguments.out}")


if __name__ == "__main__":
    main()
