"""Draft extraction rows from an article, for a coder to check: `eventdw suggest`.

The article is read as the loader reads it (its encoding, its date, its body without page furniture). Each
sentence of the body that holds an event phrase of `reference/event_verbs.csv` ("took control of", "clashed",
"shelled", "arrested", ...) gives a draft row in the extraction input format:

- `cameo_code`, `acled_sub_event_type`: the phrase's row of event_verbs.csv. A capture by state forces is
  turned to "Government regains territory", a recapture by others to "Non-state actor overtakes territory",
  and a killing of civilians to CAMEO 180 / "Attack".
- `actor1`, `actor2`: names the warehouse's actor dictionary knows (`intermediate.int_actor_names_normalized`:
  curated aliases, canonical names, and every country form with every agent word), spelt as the sentence
  spells them. actor1 is the nearest name before the phrase ("X was captured by Y": Y), actor2 the first
  after it ("clashes between X and Y": X, Y). A name that only qualifies another ("led by HTS", "the
  Iranian-backed", a name in brackets) is not taken. A sentence without a subject ("They also seized ...")
  takes the previous draft's actor1.
- `location`: a place name of the warehouse's gazetteer (`intermediate.int_place_names_normalized`) in the
  article's countries (the countries and demonyms it names most, and those of its places), the first after
  the phrase, else the nearest before it, else the last place of an earlier sentence; a country name only
  when no other place is named. One capture of several places ("took Aleppo last week and Hama earlier
  this week") gives one row per place, each with its own date.
- `event_date`, `time_precision`: the sentence's date phrase against the article's date: "today", "on
  Saturday" (the last Saturday on or before it), "on November 27", "yesterday", "two days ago" (day);
  "last week", "this week" (the week, at its Thursday); "this month", "last month", "in March" (the
  month, at the 15th); "in 2014" (the year, at 1 July). With none, the article's date.
- `fatalities`: the lowest figure the sentence gives for the dead ("at least three people were killed" = 3,
  "killing 5 to 7" = 5), ACLED's vague counts ("tens" = 10, "dozens" = 12, "hundreds" = 100); injuries are
  not counted; otherwise empty (unknown).
- `quote`: the sentence as the article writes it, so that the loader finds it.
- `coder`: `eventdw-suggest`; `confidence`: how strong the phrase is, less for each field not found in the
  sentence itself; `notes`: `DRAFT`, then what each field was drawn from.

Nothing is loaded: the coder keeps what is right, fixes the rest, puts their own name in `coder` and saves the
file into `extractions/`.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from eventdw.ingest.article_parser import parse_article
from eventdw.ingest.articles import MAX_ARTICLE_BYTES, article_id
from eventdw.ingest.files import FileProblem, InputError, decode, read_regular_file
from eventdw.names import ARABIC_ARTICLES, normalize_name

if TYPE_CHECKING:
    import duckdb

CODER = "eventdw-suggest"
VERBS_FILE = "event_verbs.csv"
EXTRACTION_COLUMNS = (
    "article_id",
    "event_date",
    "time_precision",
    "actor1",
    "actor2",
    "cameo_code",
    "acled_sub_event_type",
    "location",
    "geo_precision",
    "fatalities",
    "quote",
    "coder",
    "confidence",
    "notes",
    "country",
)
MAX_NAME_WORDS = 7  # the longest name looked up, in words
STATE_FORCES = 1
PROTESTERS = 6
CIVILIANS = 7
# The CAMEO codes whose events have fatalities: assault, fight, mass violence; violent protest and repression.
VIOLENT_ROOTS = frozenset({"18", "19", "20"})
VIOLENT_CODES = frozenset({"145", "175"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that open a name but are not names, so that "On Saturday" or "The" never becomes a place.
_NOT_NAMES = _words(
    "the a an on in at of and or but as by for from to with this that these those it its they their he "
    "she his her we our us you i after before during since until while when where who which what there "
    "here also then now new all some many more most other such no not one two three monday tuesday "
    "wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december today yesterday reports report sources source said says state "
    "city town province country region"
)
# Words a name never starts or ends with as words of their own ("as government forces" normalises as
# "government forces": "as" is also an Arabic article).
_EDGE_WORDS = _NOT_NAMES | ARABIC_ARTICLES

# Agent words too common alone to be an actor ("the forces of ...", "the government said").
_TOO_GENERIC_ALONE = _words("forces government authorities military residents drones warplanes")
# Words before an agent word that make it someone's ("his forces", "their troops"): not an actor of its own.
_OWNED_BEFORE = re.compile(r"(?:\b(?:his|her|its|their|our|whose)|['’]s)\s+$", re.I)

# Words after an agent word that make it a modifier ("police station", "army chief"), not an actor.
_MODIFIES_AFTER = re.compile(
    r"\s+(?:station|stations|post|posts|headquarters|chief|chiefs|commander|spokesman|spokesperson|base|bases|"
    r"officer|official|officials|source|sources|statement|vehicle|vehicles|checkpoint|checkpoints)\b",
    re.I,
)

# Words before a name that make it a place (a name that is both a place and an actor: "Russia", "Jordan").
_PLACE_LEADS = _words(
    "in into near at from of to towards toward outside inside around across through captured seized took "
    "entered reached retook recaptured besieged shelled bombed"
)
# Words before a name that make it an associate of another actor, not an actor of the event.
_ASSOCIATE_LEAD = re.compile(
    r"(?:\bled by|\bbacked by|-backed|\bsupported by|\ballied with|\baffiliated with|\bsupport of|\bhelp of|"
    r"\bsuch as|\bincluding|\bally of|\bloyal to|\bfighting under|\bformerly|\bformer)[^\S\n]+(?:the[^\S\n]+)?$",
    re.I,
)
# Words after a name that make it the source of a report, not an actor of the event ("Residents said ...").
_SPEAKER_AFTER = re.compile(r"\s+(?:said|say|says|told|reported|report|added|noted|claimed|stated)\b", re.I)
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|be|had been|has been|have been)\s+(?:\w+\s+)?$", re.I)
_NEGATION = re.compile(r"\b(?:not|no|never|n't|nor|denied|deny|denies|without)\s+(?:\w+\s+){0,2}$", re.I)
_INTENT = re.compile(r"\b(?:will|would|could|might|may|to|if|unless|plans? to|aims? to|threatens? to)\s+$", re.I)
_LIST_JOIN = re.compile(r"^\s*(?:,|,?\s*and|,?\s*as well as)\s+(?:both\s+)?(?:the\s+)?$", re.I)
# Between two places of one list: "Aleppo last week and the city of Hama", "Liwa 52, Herak and Daraa".
_PLACE_LIST_JOIN = re.compile(
    r"\s*(?:(?:last|this|earlier|later|on|in)\s+\w+(?:\s+\w+)?\s*)?(?:,|,?\s*and)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:of\s+)?",
    re.I,
)
_PRONOUN_SUBJECT = re.compile(r"^\W*(?:they|he|she|it|we|the group|the fighters|his forces|their forces)\b", re.I)
_TOKEN = re.compile(r"[^\W_]+(?:['’ʼ.\-][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|\n\s*\n|\n(?=\s*\S)")
_ABBREVIATIONS = _words(
    "mr mrs ms dr gen lt col maj capt sgt st mt ft no jan feb mar apr jun jul aug sep sept oct nov dec "
    "u.s u.n u.k e.g i.e vs approx dept gov sen rep"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_RE_NAMES = "|".join(name.title() for name in _MONTH_NAMES)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    # ACLED's vague counts.
    "tens": 10,
    "dozens": 12,
    "scores": 12,
    "hundreds": 100,
    "thousands": 1000,
}
_NUMBER = r"(?:\d[\d,]*|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_DEAD_NOUN = (
    r"(?:people|persons|civilians|soldiers|fighters|militants|troops|members|officers|policemen|children|women|"
    r"men|protesters|demonstrators|rebels|others|combatants|insurgents|gunmen|personnel)"
)
# "at least 3 people were killed", "killing 5 to 7 civilians", "3 dead", "death toll rose to 12".
_FATALITY_PATTERNS = (
    re.compile(
        rf"\b(?P<n>{_NUMBER})(?:\s+(?:to|or|-|–)\s+{_NUMBER})?\s+(?:of\s+)?(?:\w+\s+){{0,2}}?{_DEAD_NOUN}?\s*"
        rf"(?:were|was|have been|had been|are|been)?\s*(?:reportedly\s+)?"
        rf"(?:shot\s+|shot\s+and\s+)?(?:killed|dead|died|slain|executed|massacred)\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:killing|killed|kills|killed at least|left)\s+(?:at least\s+|some\s+|more than\s+|about\s+)?"
        rf"(?P<n>{_NUMBER})(?:\s+(?:to|or|-|–)\s+{_NUMBER})?\s+(?:\w+\s+){{0,2}}?{_DEAD_NOUN}?(?:\s+dead)?",
        re.I,
    ),
    re.compile(rf"\bdeath toll\s+(?:\w+\s+){{0,3}}?(?P<n>{_NUMBER})\b", re.I),
)
_VAGUE_DEAD = re.compile(r"\b(?:fatalities|casualties|deaths|dead|killed)\b", re.I)


@dataclass(frozen=True)
class EventPhrase:
    """One row of event_verbs.csv: phrases and what they are coded as."""

    phrases: tuple[str, ...]
    cameo_code: str
    acled_sub_event_type: str
    strength: float
    actor1_after: bool = False  # "fell to X": the name after the phrase is actor1


@dataclass(frozen=True)
class Name:
    """A name the warehouse knows, as one of its candidates."""

    entity_id: str
    source: str  # "curated alias", "GeoNames name", ...
    source_rank: int
    country_iso2: str | None
    valid_from: date | None = None
    valid_to: date | None = None
    population: int = 0
    place_type: str | None = None
    written: str | None = None  # the name as the dictionary writes it, lower-cased


@dataclass
class Dictionaries:
    """The warehouse's names of actors and places, by normalised name, and the event phrases."""

    actors: dict[str, list[Name]]
    places: dict[str, list[Name]]
    actor_inter_codes: dict[str, int | None]
    country_forms: dict[str, str]  # a country's normalised name or demonym -> its alpha-2 code
    phrases: list[EventPhrase]
    cameo_names: dict[str, str] = field(default_factory=dict)
    # An agent word written alone ("police", "gunmen") -> its ACLED inter code: the warehouse resolves it to
    # that kind of actor of the one country its article is about.
    agent_words: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    normalized: str
    kind: str  # "actor" or "place"
    names: tuple[Name, ...]


@dataclass(frozen=True)
class DateCue:
    start: int
    end: int
    text: str
    day: date
    precision: int
    rule: str


@dataclass
class Draft:
    article_id: str
    event_date: date | None
    time_precision: int | None
    actor1: str
    actor2: str
    cameo_code: str
    acled_sub_event_type: str
    location: str
    geo_precision: int
    fatalities: int | None
    quote: str
    confidence: float
    notes: list[str]
    country: str = ""

    def row(self) -> dict[str, str]:
        return {
            "article_id": self.article_id,
            "event_date": self.event_date.isoformat() if self.event_date else "",
            "time_precision": str(self.time_precision or ""),
            "actor1": self.actor1,
            "actor2": self.actor2,
            "cameo_code": self.cameo_code,
            "acled_sub_event_type": self.acled_sub_event_type,
            "location": self.location,
            "geo_precision": str(self.geo_precision),
            "fatalities": "" if self.fatalities is None else str(self.fatalities),
            "quote": self.quote,
            "coder": CODER,
            "confidence": f"{self.confidence:.2f}",
            "notes": "DRAFT by eventdw suggest, check each field. " + " ".join(self.notes),
            "country": self.country,
        }


class SuggestError(Exception):
    """A one-line reason why no drafts can be written."""


def read_event_phrases(
    path: Path, cameo_codes: set[str] | None = None, sub_event_types: set[str] | None = None
) -> list[EventPhrase]:
    """event_verbs.csv; a missing file, column or unknown code is a one-line SuggestError naming the row."""
    if not path.is_file():
        raise SuggestError(f"no event phrase list at {path} (the bundled one is seeds/reference/{VERBS_FILE})")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    required = {"phrases", "cameo_code", "acled_sub_event_type", "strength"}
    if not rows or not required <= set(rows[0]):
        raise SuggestError(f"{path}: needs the columns {', '.join(sorted(required))}")
    phrases: list[EventPhrase] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        code, sub_event, forms = (
            (row["cameo_code"] or "").strip(),
            (row["acled_sub_event_type"] or "").strip(),
            row["phrases"] or "",
        )
        if cameo_codes is not None and code not in cameo_codes:
            raise SuggestError(f"{path} row {number}: cameo_code {code!r} is not a CAMEO event code")
        if sub_event_types is not None and sub_event not in sub_event_types:
            raise SuggestError(f"{path} row {number}: {sub_event!r} is not an ACLED sub-event type")
        try:
            strength = float(row["strength"])
        except (TypeError, ValueError):
            raise SuggestError(
                f"{path} row {number}: strength {row['strength']!r} is not a number from 0 to 1"
            ) from None
        words = tuple(" ".join(p.lower().split()) for p in forms.split("|") if p.strip())
        for phrase in words:
            if phrase in seen:
                raise SuggestError(f"{path} row {number}: the phrase {phrase!r} is also in row {seen[phrase]}")
            seen[phrase] = number
        order = (row.get("actor1") or "before").strip()
        if order not in ("before", "after"):
            raise SuggestError(f"{path} row {number}: actor1 {order!r} is neither 'before' nor 'after'")
        phrases.append(EventPhrase(words, code, sub_event, min(max(strength, 0.0), 1.0), order == "after"))
    return phrases


def load_dictionaries(con: duckdb.DuckDBPyConnection, verbs_path: Path) -> Dictionaries:
    """The names of the warehouse `con` (built by `eventdw run`) and the event phrases of `verbs_path`."""
    actors: dict[str, list[Name]] = {}
    for actor_id, normalized, written, source, rank, valid_from, valid_to, country in con.execute(
        "select actor_id, name_normalized, name_lower, name_source, source_rank, valid_from, valid_to, country_iso2 "
        "from intermediate.int_actor_names_normalized where name_normalized <> ''"
    ).fetchall():
        actors.setdefault(normalized, []).append(
            Name(actor_id, source, rank, country, valid_from, valid_to, written=written)
        )
    places: dict[str, list[Name]] = {}
    for place_id, normalized, source, rank, place_type, population, country in con.execute(
        "select place_id, name_normalized, name_source, source_rank, place_type, population, country_iso2 "
        "from intermediate.int_place_names_normalized"
    ).fetchall():
        places.setdefault(normalized, []).append(
            Name(place_id, source, rank, country, population=population or 0, place_type=place_type)
        )
    inter_codes = dict(con.execute("select actor_id, acled_inter_code from intermediate.int_actors_unioned").fetchall())
    country_forms = {
        normalize_name(form) or "": iso2
        for form, iso2 in con.execute("select form, country_iso2 from staging.stg_reference__country_forms").fetchall()
        if len(form) > 3
    }
    cameo_names = dict(con.execute("select cameo_code, cameo_name from marts.dim_cameo_code").fetchall())
    sub_event_types = {
        row[0]
        for row in con.execute("select acled_sub_event_type from staging.stg_reference__acled_event_types").fetchall()
    }
    phrases = read_event_phrases(verbs_path, set(cameo_names), sub_event_types)
    agent_words = {
        word.lower(): inter
        for word, inter in con.execute(
            "select agent_word, acled_inter_code from staging.stg_reference__actor_agents"
        ).fetchall()
        if word.lower() not in _TOO_GENERIC_ALONE
    }
    return Dictionaries(actors, places, inter_codes, country_forms, phrases, cameo_names, agent_words)


def read_article_text(path: Path) -> str:
    """The article file decoded as the loader decodes it; a one-line SuggestError if it cannot be."""
    try:
        data, _ = read_regular_file(path, MAX_ARTICLE_BYTES, "an article")
    except (FileProblem, OSError) as problem:
        raise SuggestError(f"cannot read {path}: {problem}") from None
    text, rejection = decode(path, data, "article")
    if rejection is not None or text is None:
        raise SuggestError(f"{path}: {rejection.reason if rejection else 'cannot be decoded'}")
    return text


# ---------------------------------------------------------------------------------------------------------
# Sentences and names


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of the sentences of text[start:end], trimmed; an abbreviation ("U.S.", "Dec.")
    or an initial does not end one."""
    begin = start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[begin : match.start()].rstrip('"”’)')
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.split() else ""
        if (
            match.group().strip() == ""
            and "\n" not in match.group()
            and (last_word in _ABBREVIATIONS or len(last_word) == 1)
        ):
            continue
        yield from _trimmed(text, begin, match.start())
        begin = match.end()
    yield from _trimmed(text, begin, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def find_names(
    text: str, start: int, end: int, dictionaries: Dictionaries, agent_words_alone: bool = False
) -> list[Span]:
    """The longest known names in text[start:end], left to right, none overlapping. A place name must start
    with a capital letter; an actor name in lower case ("rebels", "government forces") must be written as the
    dictionary writes it."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]
    found: list[Span] = []
    i = 0
    while i < len(tokens):
        best: Span | None = None
        for j in range(min(len(tokens), i + MAX_NAME_WORDS) - 1, i - 1, -1):
            span_start, span_end = tokens[i][0], tokens[j][1]
            written = text[span_start:span_end]
            normalized = normalize_name(written) or ""
            edges = {text[tokens[i][0] : tokens[i][1]].lower(), text[tokens[j][0] : tokens[j][1]].lower()}
            if not normalized or normalized in _NOT_NAMES or edges & _EDGE_WORDS or _unbalanced(written):
                continue
            capitalised = written[0].isupper()
            actor_names = dictionaries.actors.get(normalized, [])
            if not capitalised:
                # In lower case, only as the dictionary writes it: "rebels", not "is" for "IS".
                actor_names = [name for name in actor_names if name.written == written]
            if len(normalized) <= 3 and not written.isupper():
                # A short name ("IS", "US", "SDF") only in capitals.
                actor_names = []
            place_names = dictionaries.places.get(normalized, []) if capitalised else []
            agent_word = (
                agent_words_alone
                and written.lower() in dictionaries.agent_words
                and not _OWNED_BEFORE.search(text, max(start, span_start - 12), span_start)
                and not text.startswith(" of ", span_end)
                and not _MODIFIES_AFTER.match(text, span_end)
            )
            if not (actor_names or place_names or agent_word):
                continue
            if capitalised and j == i and written.lower() in _NOT_NAMES:
                continue
            kind = "actor" if actor_names or (agent_word and not place_names) else "place"
            if actor_names and place_names:
                lead = text[max(start, span_start - 30) : span_start].split()
                kind = "place" if lead and lead[-1].lower() in _PLACE_LEADS else "actor"
            names = tuple(actor_names if kind == "actor" else place_names)
            best = Span(span_start, span_end, written, normalized, kind, names)
            break
        if best is None:
            i += 1
            continue
        found.append(best)
        while i < len(tokens) and tokens[i][0] < best.end:
            i += 1
    return found


def _unbalanced(written: str) -> bool:
    return written.count("(") != written.count(")")


def article_countries(text: str, start: int, end: int, dictionaries: Dictionaries) -> list[str]:
    """The countries the article is about: those whose names and demonyms ("Syria", "Syrian") it writes most,
    counting each place name that lies in one country only; the most named first, those named at least a
    quarter as often as it."""
    counts: Counter[str] = Counter()
    for match in _TOKEN.finditer(text, start, end):
        for width in (3, 2, 1):
            words = text[match.start() : match.start() + 60].split()[:width]
            iso2 = dictionaries.country_forms.get(normalize_name(" ".join(words)) or "")
            if iso2:
                counts[iso2] += 1
                break
    for span in find_names(text, start, end, dictionaries):
        countries = {name.country_iso2 for name in span.names if name.country_iso2}
        if span.kind == "place" and len(countries) == 1:
            counts[countries.pop()] += 1
    if not counts:
        return []
    most = counts.most_common(1)[0][1]
    return [iso2 for iso2, n in counts.most_common() if n * 4 >= most]


def best_place(span: Span, countries: Sequence[str]) -> Name | None:
    """The place a name most likely means: in the article's countries (a country or a region name anywhere),
    the most trusted name, then the most populous."""
    taken = [
        name for name in span.names if name.country_iso2 in countries or name.place_type == "country" or not countries
    ]
    if not taken:
        return None
    return min(taken, key=lambda name: (name.source_rank, -name.population, name.entity_id))


def actor_at(names: Sequence[Name], day: date | None) -> Name | None:
    """The actor one of `names` (a spelling's candidates) most likely means on `day`: one valid then, the most
    trusted name."""
    valid = [
        name
        for name in names
        if day is None
        or ((name.valid_from is None or name.valid_from <= day) and (name.valid_to is None or day <= name.valid_to))
    ]
    return min(valid, key=lambda name: (name.source_rank, name.entity_id)) if valid else None


# ---------------------------------------------------------------------------------------------------------
# Dates and counts


def _week_middle(day: date) -> date:
    """The Thursday of day's ISO week: the middle a week row is coded at."""
    return day - timedelta(days=day.weekday()) + timedelta(days=3)


def date_cues(text: str, start: int, end: int, published: date) -> list[DateCue]:
    """The date phrases of text[start:end] resolved against the article's date `published`; none after it."""
    found: list[DateCue] = []
    sentence = text[start:end]

    def add(match: re.Match[str], day: date, precision: int, rule: str) -> None:
        if (
            day <= published
            or (precision == 2 and day - timedelta(days=3) <= published)
            or (precision == 3 and day.replace(day=1) <= published)
        ):
            found.append(DateCue(start + match.start(), start + match.end(), match.group(), day, precision, rule))

    for match in re.finditer(r"\b(?:today|this (?:morning|afternoon|evening)|tonight|earlier today)\b", sentence, re.I):
        add(match, published, 1, "the article's date")
    for match in re.finditer(r"\b(?:yesterday|last night)\b", sentence, re.I):
        add(match, published - timedelta(days=1), 1, "the day before the article's date")
    for match in re.finditer(r"\b(\w+|\d+) days? ago\b", sentence, re.I):
        n = _number(match.group(1))
        if n is not None and n < 60:
            add(match, published - timedelta(days=n), 1, f"{n} days before the article's date")
    for match in re.finditer(rf"\b(?:on |last |this )?({'|'.join(_WEEKDAYS)})\b", sentence, re.I):
        weekday = _WEEKDAYS.index(match.group(1).lower())
        back = (published.weekday() - weekday) % 7
        if match.group().lower().startswith("last ") and back == 0:
            back = 7
        add(
            match,
            published - timedelta(days=back),
            1,
            f"the last {match.group(1).title()} on or before the article's date",
        )
    for match in re.finditer(
        rf"\b(?:on |since |by )?({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", sentence, re.I
    ):
        _add_month_day(add, match, match.group(1), match.group(2), match.group(3), published)
    for match in re.finditer(
        rf"\b(?:on |since |by )?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})(?:,?\s+(\d{{4}}))?\b", sentence, re.I
    ):
        _add_month_day(add, match, match.group(2), match.group(1), match.group(3), published)
    for match in re.finditer(r"\b(?:last week|the previous week|the week before)\b", sentence, re.I):
        add(match, _week_middle(published - timedelta(days=7)), 2, "the week before the article's, at its Thursday")
    for match in re.finditer(r"\b(?:earlier |later )?this week\b", sentence, re.I):
        add(match, _week_middle(published), 2, "the article's week, at its Thursday")
    for match in re.finditer(r"\b(?:earlier |later )?this month\b", sentence, re.I):
        add(match, published.replace(day=15), 3, "the article's month, at the 15th")
    for match in re.finditer(r"\blast month\b", sentence, re.I):
        last = published.replace(day=1) - timedelta(days=1)
        add(match, last.replace(day=15), 3, "the month before the article's, at the 15th")
    for match in re.finditer(
        rf"\b(?i:in|since|during|by|until)\s+(?i:early\s+|late\s+|mid-?)?({_MONTH_RE_NAMES})(?:\s+(\d{{4}}))?\b",
        sentence,
    ):
        month = _MONTH_NAMES.index(match.group(1).lower()) + 1
        year = int(match.group(2)) if match.group(2) else published.year
        day = date(year, month, 15)
        if not match.group(2) and day.replace(day=1) > published:
            day = day.replace(year=year - 1)
        add(match, day, 3, "the month named, at the 15th")
    for match in re.finditer(r"\b(?:in|since|by|until|during)\s+((?:19|20)\d\d)\b(?!\s*[-/])", sentence, re.I):
        add(match, date(int(match.group(1)), 7, 1), 4, "the year named, at 1 July")
    # A phrase inside a longer one ("Saturday" in "last Saturday") is dropped.
    found.sort(key=lambda cue: (cue.start, -(cue.end - cue.start)))
    kept: list[DateCue] = []
    for cue in found:
        if kept and cue.start < kept[-1].end:
            continue
        kept.append(cue)
    return kept


def _month_number(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for number, name in enumerate(_MONTH_NAMES, start=1):
        if name.startswith(word[:3]) and len(word) >= 3:
            return number
    return None


def _add_month_day(
    add: Callable[[re.Match[str], date, int, str], None],
    match: re.Match[str],
    month_word: str,
    day_word: str,
    year_word: str | None,
    published: date,
) -> None:
    month = _month_number(month_word)
    if month is None:
        return
    year = int(year_word) if year_word else published.year
    try:
        day = date(year, month, int(day_word))
    except ValueError:
        return
    if not year_word and day > published:
        day = day.replace(year=year - 1)
    add(match, day, 1, "the day named" + ("" if year_word else " (the year of the article's date)"))


def _number(word: str) -> int | None:
    word = word.lower().replace(",", "")
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word)


def fatalities(sentence: str) -> tuple[int | None, str]:
    """The deaths a sentence reports, by ACLED's rules (the lowest figure; "dozens" = 12), with the words it
    came from; None when no figure is given."""
    figures: list[tuple[int, str]] = []
    for pattern in _FATALITY_PATTERNS:
        for match in pattern.finditer(sentence):
            n = _number(match.group("n"))
            if n is not None and not re.search(r"\b(?:wounded|injured|hurt)\b", match.group(), re.I):
                figures.append((n, match.group().strip()))
    if figures:
        return min(figures)
    return None, ""


# ---------------------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True)
class PhraseMatch:
    start: int
    end: int
    text: str
    phrase: EventPhrase


def phrase_matches(text: str, start: int, end: int, phrases: Sequence[EventPhrase]) -> list[PhraseMatch]:
    """The event phrases of text[start:end], the longest at each place, none negated ("has not clashed") or
    only intended ("will take", "to capture")."""
    lowered = text[start:end].lower()
    found: list[PhraseMatch] = []
    for phrase in phrases:
        for form in phrase.phrases:
            for hit in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", lowered):
                begin, finish = start + hit.start(), start + hit.end()
                found.append(PhraseMatch(begin, finish, text[begin:finish], phrase))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[PhraseMatch] = []
    for candidate in found:
        if kept and candidate.start < kept[-1].end:
            continue
        before = text[max(start, candidate.start - 40) : candidate.start]
        if _NEGATION.search(before) or _INTENT.search(before):
            continue
        kept.append(candidate)
    return kept


class ArticleDrafter:
    """Drafts rows for one article, sentence by sentence, carrying the last actor and place."""

    def __init__(self, text: str, article: str, dictionaries: Dictionaries) -> None:
        self.text, self.article_id, self.dictionaries = text, article, dictionaries
        self.parts = parse_article(text)
        self.published = self.parts.published_date
        self.countries = article_countries(text, self.parts.body_start, self.parts.body_end, dictionaries)
        self.last_actor: str | None = None  # the last actor1 a sentence named
        self.last_place: tuple[str, Name] | None = None

    def drafts(self) -> Iterator[Draft]:
        for start, end in sentences(self.text, self.parts.body_start, self.parts.body_end):
            sentence = self.text[start:end]
            if len(sentence.split()) < 5 or sentence.lstrip().startswith("::") or sentence == self.parts.title:
                continue
            yield from self._sentence_drafts(start, end)

    def _sentence_drafts(self, start: int, end: int) -> Iterator[Draft]:
        # An agent word alone ("police") is an actor: the warehouse resolves it to that kind of actor of the
        # row's country (the draft's `country`).
        names = find_names(self.text, start, end, self.dictionaries, agent_words_alone=True)
        matches = phrase_matches(self.text, start, end, self.dictionaries.phrases)
        # Each place name with the place it means in the article's countries (a name meaning none is dropped).
        places = [
            (span, meant)
            for span in names
            if span.kind == "place" and (meant := best_place(span, self.countries)) is not None
        ]
        if not matches:
            if places:
                self._remember_place(*places[-1])
            return
        cues = date_cues(self.text, start, end, self.published) if self.published else []
        deaths, deaths_text = fatalities(self.text[start:end])
        actors = [span for span in names if span.kind == "actor" and not self._is_associate(span, start)]
        # One draft per CAMEO root in the sentence, from its strongest phrase: "recaptured the town after heavy
        # fighting" is the capture, "clashes ... killed" one clash.
        strongest: dict[str, PhraseMatch] = {}
        for match in matches:
            root = match.phrase.cameo_code[:2]
            if root not in strongest or match.phrase.strength > strongest[root].phrase.strength:
                strongest[root] = match
        for index, match in enumerate(matches):
            clause_start = matches[index - 1].end if index else start
            clause_end = matches[index + 1].start if index + 1 < len(matches) else end
            if strongest[match.phrase.cameo_code[:2]] is not match:
                continue
            pairs = self._actors(actors, match, start, clause_start, clause_end)
            for place, place_note, cue in self._places_and_dates(places, cues, match, clause_end):
                for actor1, actor2, actor_notes in pairs:
                    yield self._draft(
                        start, end, match, actor1, actor2, actor_notes, place, place_note, cue, deaths, deaths_text
                    )
        if places:
            self._remember_place(*places[-1])

    def _is_associate(self, span: Span, sentence_start: int) -> bool:
        before = self.text[max(sentence_start, span.start - 40) : span.start]
        in_brackets = before.rstrip().endswith("(") and self.text[span.end : span.end + 1] == ")"
        return (
            bool(_ASSOCIATE_LEAD.search(before))
            or in_brackets
            or self.text[span.end : span.end + 7] == "-backed"
            or bool(_SPEAKER_AFTER.match(self.text, span.end))
        )

    def _actors(
        self, actors: list[Span], match: PhraseMatch, start: int, clause_start: int, clause_end: int
    ) -> list[tuple[str, str, list[str]]]:
        """The (actor1, actor2, notes) of an event phrase: one per actor of a list ("Egypt and Jordan have
        urged", "in contact with the US and Russia")."""
        notes: list[str] = []
        before = [span for span in actors if span.end <= match.start]
        after = [span for span in actors if span.start >= match.end and span.end <= clause_end]
        between = re.match(r"\s+between\s+", self.text[match.end : match.end + 12], re.I)
        passive = _PASSIVE_BEFORE.search(self.text[max(start, match.start - 25) : match.start])
        by_actor = next(
            (span for span in after if re.search(r"\bby\s+(?:the\s+)?$", self.text[match.end : span.start], re.I)), None
        )
        first: list[Span] = []
        second: list[Span] = []
        if between and len(after) >= 2:
            first, second = [after[0]], [after[1]]
            notes.append(f"actors: the two names after '{match.text} between'.")
        elif (passive or match.phrase.actor1_after) and (by_actor or after):
            taker = by_actor if passive and by_actor else after[0]
            first, second = [taker], self._listed_before(before)
            how = "(passive)" if passive and by_actor else f"(the place falls to it: {VERBS_FILE})"
            notes.append(f"actor1: '{taker.text}' after '{match.text}' {how}; actor2: the subject.")
        else:
            in_clause = [span for span in before if span.start >= clause_start]
            first = self._listed_before(in_clause or before)
            if first:
                notes.append(f"actor1: '{first[-1].text}', the nearest name before '{match.text}'.")
            rest = [span for span in after if all(span.normalized != one.normalized for one in first)]
            second = self._listed_after(rest)
            if second:
                notes.append("actor2: the first name after it.")
        if not first:
            pronoun = _PRONOUN_SUBJECT.match(self.text[start : match.start])
            if self.last_actor is not None:
                why = f"the sentence says '{pronoun.group().strip()}'" if pronoun else "no name before it"
                notes.append(f"actor1: '{self.last_actor}' from an earlier sentence ({why}).")
                actor1_texts = [self.last_actor]
            else:
                notes.append("actor1: no known name in the sentence: fill it in.")
                actor1_texts = [""]
        else:
            self.last_actor = first[-1].text
            actor1_texts = [span.text for span in first]
        for span, label in [(span, "actor1") for span in first] + [(span, "actor2") for span in second]:
            name = actor_at(span.names, self.published)
            if name is not None:
                notes.append(f"{label} '{span.text}' resolves to {name.entity_id} ({name.source}).")
            elif span.text.lower() in self.dictionaries.agent_words:
                notes.append(
                    f"{label} '{span.text}': an agent word alone: that kind of actor of the article's country."
                )
        if len(first) > 1 or len(second) > 1:
            notes.append("One row per actor of the list.")
        return [
            (actor1, actor2, notes) for actor1 in actor1_texts for actor2 in ([span.text for span in second] or [""])
        ]

    def _listed_before(self, spans: list[Span]) -> list[Span]:
        """The last of `spans` with the names listed before it ("Syrian government forces and Iranian-backed
        Iraqi fighters")."""
        if not spans:
            return []
        listed = [spans[-1]]
        for span in reversed(spans[:-1]):
            if not _LIST_JOIN.match(self.text[span.end : listed[0].start]):
                break
            listed.insert(0, span)
        return listed

    def _listed_after(self, spans: list[Span]) -> list[Span]:
        """The first of `spans` with the names listed after it."""
        if not spans:
            return []
        listed = [spans[0]]
        for span in spans[1:]:
            if not _LIST_JOIN.match(self.text[listed[-1].end : span.start]):
                break
            listed.append(span)
        return listed

    def _places_and_dates(
        self, places: list[tuple[Span, Name]], cues: list[DateCue], match: PhraseMatch, clause_end: int
    ) -> Iterator[tuple[tuple[str, Name] | None, str, DateCue | None]]:
        after = [(span, place) for span, place in places if span.start >= match.end and span.end <= clause_end]
        specific = [(span, place) for span, place in after if place.place_type != "country"]
        if match.phrase.cameo_code == "192" and len(specific) > 1 and self._listed([span for span, _ in specific]):
            # "took Aleppo last week and Hama earlier this week": a capture per place, each with its own date.
            for index, (span, place) in enumerate(specific):
                until = specific[index + 1][0].start if index + 1 < len(specific) else clause_end
                own = [cue for cue in cues if span.start <= cue.start < until] or self._cues_near(cues, match)
                yield (
                    (span.text, place),
                    f"place: '{span.text}', one of the places after '{match.text}'.",
                    own[0] if own else None,
                )
            return
        cue = next(iter(self._cues_near(cues, match)), None)
        chosen, note = self._place(places, match, clause_end)
        yield chosen, note, cue

    def _listed(self, spans: list[Span]) -> bool:
        return all(
            _PLACE_LIST_JOIN.fullmatch(self.text[a.end : b.start]) for a, b in zip(spans, spans[1:], strict=False)
        )

    @staticmethod
    def _cues_near(cues: list[DateCue], match: PhraseMatch) -> list[DateCue]:
        return sorted(cues, key=lambda cue: abs(cue.start - match.start))

    def _place(
        self, places: list[tuple[Span, Name]], match: PhraseMatch, clause_end: int
    ) -> tuple[tuple[str, Name] | None, str]:
        after = [(span, place) for span, place in places if span.start >= match.end and span.end <= clause_end]
        before = [(span, place) for span, place in places if span.end <= match.start][::-1]
        later = [(span, place) for span, place in places if span.start >= clause_end]
        for group, where in ((after, "after"), (before, "before"), (later, "later in the sentence than")):
            # A town before a country: the first of the group that is not a country name, else the first.
            ranked = sorted(group, key=lambda item: item[1].place_type == "country")
            if ranked:
                span, place = ranked[0]
                return (span.text, place), f"place: '{span.text}' {where} '{match.text}'."
        if self.last_place is not None:
            return self.last_place, f"place: '{self.last_place[0]}' from an earlier sentence (none in this one)."
        return None, "place: none named: fill it in."

    def _remember_place(self, span: Span, place: Name) -> None:
        if place.place_type != "country":
            self.last_place = (span.text, place)

    def _draft(
        self,
        start: int,
        end: int,
        match: PhraseMatch,
        actor1: str,
        actor2: str,
        actor_notes: list[str],
        place: tuple[str, Name] | None,
        place_note: str,
        cue: DateCue | None,
        deaths: int | None,
        deaths_text: str,
    ) -> Draft:
        phrase = match.phrase
        code, sub_event = phrase.cameo_code, phrase.acled_sub_event_type
        notes = [
            f"event: '{match.text}' -> CAMEO {code} ({self.dictionaries.cameo_names.get(code, '?')}), "
            f"ACLED {sub_event} ({VERBS_FILE})."
        ]
        actor1_inter = self._inter_code(actor1)
        actor2_inter = self._inter_code(actor2)
        if code == "192" and sub_event == "Non-state actor overtakes territory" and actor1_inter == STATE_FORCES:
            sub_event = "Government regains territory"
            notes.append("Turned to 'Government regains territory': actor1 is state forces.")
        elif sub_event == "Government regains territory" and actor1_inter not in (None, STATE_FORCES):
            sub_event = "Non-state actor overtakes territory"
            notes.append("Turned to 'Non-state actor overtakes territory': actor1 is not state forces.")
        elif code == "190" and actor2_inter == CIVILIANS:
            code, sub_event = "180", "Attack"
            notes.append("Turned to CAMEO 180 / Attack: actor2 is civilians.")
        elif code == "190" and actor2_inter == PROTESTERS and actor1_inter == STATE_FORCES:
            code, sub_event = "175", "Excessive force against protesters"
            notes.append("Turned to CAMEO 175 / Excessive force against protesters: state forces against protesters.")
        notes.extend(actor_notes)
        confidence = phrase.strength
        if not actor1 or any(note.startswith("actor1: '") and "earlier sentence" in note for note in actor_notes):
            confidence -= 0.15
        geo_precision = 1
        location = ""
        if place is not None:
            location, name = place
            notes.append(
                place_note
                + f" It resolves to {name.entity_id} ({name.source}, {name.place_type}, {name.country_iso2})."
            )
            if name.place_type in ("region", "country"):
                geo_precision = 3
            elif re.search(
                r"\b(?:near|outside|close to|north of|south of|east of|west of)\s+(?:the\s+)?(?:\w+\s+)?$",
                self.text[max(start, (at := self.text.find(location, start)) - 30) : at],
                re.I,
            ):
                geo_precision = 2
            if "earlier sentence" in place_note:
                confidence -= 0.1
        else:
            notes.append(place_note)
            confidence -= 0.2
        # The row's country: its place's, else the article's first; its names resolve there.
        country = (place[1].country_iso2 if place is not None else None) or next(iter(self.countries), "")
        if self.published is None:
            event_date, precision = None, None
            notes.append("date: the article has no date: fill it in.")
        elif cue is not None:
            event_date, precision = cue.day, cue.precision
            notes.append(
                f"date: '{cue.text}' -> {cue.day.isoformat()}, {cue.rule} ({self.published.isoformat()}), "
                f"precision {cue.precision}."
            )
        else:
            event_date, precision = self.published, 1
            notes.append(
                f"date: none in the sentence: the article's date {self.published.isoformat()}; the event may be "
                "earlier."
            )
            confidence -= 0.1
        if deaths is not None and not (code[:2] in VIOLENT_ROOTS or code in VIOLENT_CODES):
            notes.append(f"fatalities: '{deaths_text}' belongs to the sentence's violent event, not this one.")
            deaths = None
        elif deaths is not None:
            notes.append(f"fatalities: '{deaths_text}' -> {deaths} (ACLED: the lowest figure; 'dozens' = 12).")
        elif _VAGUE_DEAD.search(self.text[start:end]):
            notes.append("fatalities: deaths are mentioned without a figure: left empty (unknown).")
        return Draft(
            self.article_id,
            event_date,
            precision,
            actor1,
            actor2,
            code,
            sub_event,
            location,
            geo_precision,
            deaths,
            self.text[start:end],
            round(min(max(confidence, 0.1), 0.95), 2),
            notes,
            country,
        )

    def _inter_code(self, spelling: str) -> int | None:
        if not spelling:
            return None
        if spelling.lower() in self.dictionaries.agent_words:
            return self.dictionaries.agent_words[spelling.lower()]
        name = actor_at(self.dictionaries.actors.get(normalize_name(spelling) or "", []), self.published)
        return self.dictionaries.actor_inter_codes.get(name.entity_id) if name else None


def suggest(paths: Iterable[Path], dictionaries: Dictionaries) -> list[Draft]:
    """The drafts for the article files `paths`, in order."""
    drafts: list[Draft] = []
    for path in paths:
        text = read_article_text(path)
        drafts.extend(ArticleDrafter(text, article_id(path.name), dictionaries).drafts())
    return drafts


def drafts_csv(drafts: Sequence[Draft]) -> str:
    """The drafts as an extraction CSV, with its header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXTRACTION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for draft in drafts:
        writer.writerow(draft.row())
    return out.getvalue()


__all__ = ["InputError", "SuggestError", "drafts_csv", "load_dictionaries", "read_event_phrases", "suggest"]
