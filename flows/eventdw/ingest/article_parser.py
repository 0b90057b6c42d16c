"""Read one news article: its title, its publication date and where its body starts and ends.

The raw text is kept byte for byte as the evidence; this module only *locates* things in it.
Dates come from the first rule that matches, and the rule's name is kept as `published_date_source`
so an analyst can see how much to trust it. A date on a line of its own may be written in any form and in
the languages of conflict reporting (English, French, Arabic, Spanish, Russian, Ukrainian), read with
dateparser: "6 December 2024", "Dec. 6, 2024", "2024/12/06", "le 6 décembre 2024", "٦ ديسمبر ٢٠٢٤".
A numeric date whose day and month could be swapped ("5/7/2017") is read in the order the article's own
numeric dates show ("30/7/2017" in its head: day first); with no such evidence it is flagged
("ambiguous"), not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

# Line-anchored patterns match whitespace within a line only ([^\S\n]*, never \s*): a \s* after ^ runs over every
# blank line that follows, at every line start, and a text of many blank lines took minutes.

# Lines at which the page's own text stops and the site's furniture begins
# (teasers of other stories, reader comments, sign-up prompts). The first of them ends the body wherever it stands.
BODY_END_MARKERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^[^\S\n]*Latest Stories[^\S\n]*$", re.M),
    re.compile(r"^[^\S\n]*Be Part of Your \w+", re.M),
    re.compile(r"^[^\S\n]*What You Say[^\S\n]*$", re.M),
    re.compile(r"^[^\S\n]*Elsewhere on \w+", re.M),
    re.compile(r"^[^\S\n]*Related (Stories|Articles)[^\S\n]*$", re.M),
    re.compile(r"^[^\S\n]*Read more[^\S\n]*:?[^\S\n]*$", re.M | re.I),
    # A reader comment's header: "Kurdo | 30/7/2017" or "aa | 3/17/2018 12:57:38 PM".
    re.compile(r"^[^\n|]{1,60} \| \d{1,2}/\d{1,2}/\d{4}", re.M),
)

# Credit lines ("Source: CNN; Reuters", "Source :Skai"). A site prints one either under the headline, crediting the
# story below it, or at the foot of the story, ahead of an author blurb. Invariant: a credit line ends the body only
# when more of the body lies before it than after it (up to the first BODY_END_MARKERS line, or the end of the text),
# so a credit under the headline never cuts the story and a credit ahead of a blurb shorter than the story does.
CREDIT_LINE_MARKERS: tuple[re.Pattern[str], ...] = (re.compile(r"^[^\S\n]*Source[^\S\n]*:", re.M),)


def _any_of(markers: tuple[re.Pattern[str], ...]) -> str:
    return "|".join(f"(?{'i' if marker.flags & re.I else ''}:{marker.pattern})" for marker in markers)


# All of them as one pattern, the credit lines in group "credit": one scan of the text finds the first end marker
# and every credit line before it.
_BODY_END = re.compile(f"{_any_of(BODY_END_MARKERS)}|(?P<credit>{_any_of(CREDIT_LINE_MARKERS)})", re.M)

# Lines of the page's header furniture before the story (sign-in prompts, section names).
HEADER_NOISE = re.compile(
    r"sign in|sign up|register|forgot password|comment as a guest|add contribution|"
    r"your email will not be displayed|benefit of signing|connect using|^\s*world\s*$|"
    r"^\s*reuters videos\s*$|^\s*updated\s*$|^\s*story:\s*$",
    re.I,
)

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_HEADER_DATE = re.compile(r"\A\s*date (\d{4}-\d{2}-\d{2})\b[ \t]*(.*)")
_ISO_DATE_LINE = re.compile(r"^[^\S\n]*(\d{4}-\d{2}-\d{2})[^\S\n]*$", re.M)
_BYLINE_DATE = re.compile(r"^[^\S\n]*By [^\n]{1,80}?\b(\d{1,2})/(\d{1,2})/(\d{4})[^\S\n]*$", re.M)
_DATELINE = re.compile(rf"^[^\S\n]*:*[^\S\n]*(({_MONTHS}) \d{{1,2}}, \d{{4}})[^\S\n]*$", re.M)
_DATE_IN_TEXT = re.compile(rf"\b(({_MONTHS}) \d{{1,2}}, \d{{4}})\b")
_NUMERIC_IN_TEXT = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
# A short line holding a year (Western or Arabic-Indic digits): the only lines handed to dateparser, which is
# slow; at most _DATE_LINE_WORDS words once a "Published:"-like lead and a trailing time are cut.
_YEAR = re.compile(r"(?:19|20)\d\d|[١٢][٩٠][٠-٩][٠-٩]")
_DATE_LINE_WORDS = 7
_DATE_LEAD = re.compile(
    r"^[^\S\n]*(?:published|updated|posted|last updated|publié|mis à jour|publicado|actualizado|"
    r"опубликовано|обновлено|опубліковано|оновлено|نشر|تاريخ النشر)(?:[^\S\n]+(?:on|le|el|в|في))?[^\S\n]*:?",
    re.I,
)
_DATE_TRAIL = re.compile(r"(?:,|\s+at|\s+à|\s+a las|\s+в|\s+о)?\s+\d{1,2}[:h.]\d{2}\b.*$", re.I)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
DATE_LANGUAGES = ("en", "fr", "ar", "es", "ru", "uk")


# The dateline: the place a story was filed from, as wires write it (the field `dateline`; the date rule named
# "dateline" above is another thing). Looked for only at line starts in the first _DATELINE_HEAD characters of the
# body, so teasers of other stories after the body never give one. Two forms are recognised:
#   wire:   "BEIRUT (Reuters) - ...", "KYIV, Dec 7 (Reuters) - ...", "ERBIL, Kurdistan Region – ...",
#           "EL FASHER, Sudan, Dec. 3 (AFP) - ...": a place written all in capitals with at least three letters in a
#           row, an optional ", Region or Country" of capitalised words, an optional ", <date>", an optional
#           "(<agency>)", then a dash (-, –, —) with whitespace before it unless it follows the agency, and no
#           lowercase word right after it. The result drops the date and the agency. Without that dash there is no
#           dateline, so a sentence opening on an acronym ("HTS has made it clear ...", "U.S. forces ...") never is one.
#   script: ":: Deir el-Zor, Syria" on a line of its own (Reuters video scripts): capitalised words (and particles
#           such as "al", "el", "de") with an optional ", Country" of one or two capitalised words. A person line
#           (":: Khaled Hassan, Syrian Kurdish fighter") fails on its lowercase word, a date line on its digits.
# Not recognised: a wire place in mixed case ("Deir el-Zor, Syria -"), a script country of three words or more
# (":: Abu Dhabi, United Arab Emirates"), headline slugs and months (_NOT_PLACES); a person line without a title
# (":: Khaled Hassan") is wrongly taken for a place.
_DATELINE_HEAD = 3000
_SPACE = r"[^\S\n]"  # whitespace within a line, no-break spaces included
_WORD = r"[^\W\d_]+(?:['’.\-][^\W\d_]*)*"  # letters, joined by apostrophes, periods or hyphens: N'DJAMENA, U.S.
_NAME = rf"{_WORD}(?:{_SPACE}+{_WORD}){{0,5}}"
_COMMA = rf"{_SPACE}*,{_SPACE}*"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_WIRE_DATE = rf"(?:{_MONTH}{_SPACE}+\d{{1,2}}|\d{{1,2}}{_SPACE}+{_MONTH})(?:,?{_SPACE}+\d{{4}})?"
_PLACE_DATELINE = re.compile(
    rf"^{_SPACE}*(?:"
    rf"(?P<place>{_NAME})(?:{_COMMA}(?P<region>{_NAME}))?(?:{_COMMA}{_WIRE_DATE})?"
    rf"(?:{_SPACE}*\((?P<agency>[^()\n]{{1,40}})\){_SPACE}*|{_SPACE}+)[-–—](?!{_SPACE}*[a-z])"
    rf"|::{_SPACE}*(?P<script_place>{_NAME})(?:{_COMMA}(?P<country>{_WORD}(?:{_SPACE}+{_WORD})?))?{_SPACE}*$"
    rf")",
    re.M,
)
_THREE_LETTERS = re.compile(r"[^\W\d_]{3}")
_PLACE_PARTICLES = frozenset(
    {"al", "el", "ad", "an", "ar", "as", "ash", "az", "ez", "de", "del", "di", "du", "la", "le", "of", "the"}
)
# Words that open a line like a place but are a headline slug, a date or a script's furniture.
_NOT_PLACES = frozenset(
    {"breaking", "exclusive", "update", "analysis", "factbox", "explainer", "insight", "opinion", "editorial"}
    | {"watch", "video", "live", "file", "handout", "undated", "recent", "archive"}
    | {month.lower() for month in _MONTHS.split("|")}
    | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)


@dataclass(frozen=True)
class ArticleParts:
    """What the parser located in one article's text."""

    title: str | None
    published_date: date | None
    published_date_source: str
    body_start: int
    body_end: int
    dateline: str | None = None  # the place the story was filed from, without date or agency: "BEIRUT"
    publisher: str | None = None  # who published it, as the text credits it: "Reuters", "CNN; Reuters"


def _month_day_year(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%B %d, %Y").date()
    except ValueError:
        return None


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def numeric_date_order(text: str) -> str | None:
    """The order the text's own numeric dates are written in, when one of them shows it: "DMY" when a first
    part is over 12 ("30/7/2017"), "MDY" when a second one is; None when none does or they disagree."""
    orders = set()
    for match in _NUMERIC_IN_TEXT.finditer(text):
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            orders.add("DMY")
        elif second > 12 >= first:
            orders.add("MDY")
    return orders.pop() if len(orders) == 1 else None


def _numeric(first: int, second: int, year: int, order: str | None) -> date | None | str:
    """A numeric date's day and month: by the parts themselves when one is over 12, else by `order`;
    "ambiguous" when neither decides, None when it is no date."""
    if first > 12 or (second <= 12 and order == "DMY" and first != second):
        day, month = first, second
    elif second > 12 or order == "MDY" or first == second:
        day, month = second, first
    else:
        return "ambiguous"
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date_line(line: str, order: str | None = None) -> date | None | str:
    """The date a line of its own gives, in any form and language dateparser reads (DATE_LANGUAGES);
    "ambiguous" for a numeric date whose day and month `order` cannot settle; None when it is no full date."""
    text = _DATE_TRAIL.sub("", _DATE_LEAD.sub("", line.strip(" \t:;,|-–—"))).strip(" \t:;,|-–—")
    if not _YEAR.search(text) or len(text.split()) > _DATE_LINE_WORDS:
        return None
    if numeric := _NUMERIC_DATE.match(text):
        return _numeric(int(numeric.group(1)), int(numeric.group(3)), int(numeric.group(4)), order)
    import dateparser  # type: ignore[import-untyped]

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True, "PREFER_DATES_FROM": "past"}
    try:
        parsed = dateparser.parse(text, languages=list(DATE_LANGUAGES), settings=settings)
    except (ValueError, OverflowError):
        return None
    return parsed.date() if parsed is not None else None


def find_published_date(text: str) -> tuple[date | None, str, int | None]:
    """Return (date, rule name, offset of the line it was found on) by the first rule that matches."""
    header = _HEADER_DATE.match(text)
    if header and (found := _iso(header.group(1))):
        return found, "header_line", header.start(1)
    head = text[:3000]
    if (line := _ISO_DATE_LINE.search(head)) and (found := _iso(line.group(1))):
        return found, "dateline", line.start(1)
    order = numeric_date_order(head)
    if byline := _BYLINE_DATE.search(head):
        first, second, year = (int(part) for part in byline.groups())
        found_or_flag = _numeric(first, second, year, order)
        if found_or_flag == "ambiguous":
            return None, "ambiguous", byline.start()
        if isinstance(found_or_flag, date):
            return found_or_flag, "byline", byline.start()
    if (line := _DATELINE.search(head)) and (found := _month_day_year(line.group(1))):
        return found, "dateline", line.start(1)
    for offset, line_text in _lines_with_offsets(head):
        if _YEAR.search(line_text) and len(line_text.split()) <= _DATE_LINE_WORDS + 4:
            parsed = parse_date_line(line_text, order)
            if parsed == "ambiguous":
                return None, "ambiguous", offset
            if isinstance(parsed, date):
                return parsed, "dateline", offset
    # Last resort: the latest full date written anywhere in the body (an embedded post, say).
    in_text = [d for m in _DATE_IN_TEXT.finditer(text) if (d := _month_day_year(m.group(1)))]
    if in_text:
        return max(in_text), "latest_date_in_text", None
    return None, "missing", None


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    offset, lines = 0, []
    for line in text.splitlines(keepends=True):
        lines.append((offset, line))
        offset += len(line)
    return lines


def _first_story_line(text: str) -> tuple[int, str] | None:
    """The first line that is prose rather than page furniture."""
    for offset, line in _lines_with_offsets(text):
        stripped = line.strip()
        if len(stripped.split()) >= 4 and not HEADER_NOISE.search(stripped):
            return offset + (len(line) - len(line.lstrip())), stripped
    return None


def _body_end(text: str, body_start: int) -> int:
    """Where the body that starts at `body_start` ends: the first end marker, or an earlier credit line."""
    credits: list[int] = []
    body_end = len(text)
    for marker in _BODY_END.finditer(text, body_start):
        if marker["credit"] is None:
            body_end = marker.start()
            break
        credits.append(marker.start())
    return next((at for at in credits if at - body_start > body_end - at), body_end)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() or any(part[:1].isupper() for part in word.split("-"))


def _is_place_name(name: str) -> bool:
    words = name.split()
    return (
        _is_capitalised(words[0])
        and all(_is_capitalised(word) or word.lower() in _PLACE_PARTICLES for word in words)
        and words[0].rstrip(".").lower() not in _NOT_PLACES
        and name.lower() not in _NOT_PLACES
    )


def find_dateline(text: str, body_start: int = 0, body_end: int | None = None) -> str | None:
    """The place the story was filed from, from a wire or video-script dateline near the start of the body."""
    return _dateline(text, body_start, body_end)[0]


def _dateline(text: str, body_start: int = 0, body_end: int | None = None) -> tuple[str | None, str | None]:
    """The dateline's place (see find_dateline) and, for a wire dateline, its agency ("Reuters", "AP")."""
    stop = len(text) if body_end is None else body_end
    head = text[body_start : min(stop, body_start + _DATELINE_HEAD)]
    for line in _PLACE_DATELINE.finditer(head):
        if place := line["place"]:
            region = line["region"]
            if (
                place.isupper()
                and _THREE_LETTERS.search(place)
                and _is_place_name(place)
                and (region is None or _is_place_name(region))
            ):
                agency = " ".join(line["agency"].split()) if line["agency"] else None
                return ", ".join(" ".join(part.split()) for part in (place, region) if part), agency
        elif (place := line["script_place"]) and _is_place_name(place):
            country = line["country"]
            if country is None or all(word[:1].isupper() for word in country.split()):
                return ", ".join(" ".join(part.split()) for part in (place, country) if part), None
    return None, None


# Who published the story, as its text credits it, in this order of trust (the first found wins):
#   a wire dateline's agency: "BEIRUT (Reuters) - ..." (only the body's own dateline, never a teaser's);
#   a credit line: "Source: CNN; Reuters", "Source :Skai" (the first in the text);
#   a byline with a date: "By Rudaw 30/7/2017";
#   a video slate among the first lines: "Reuters Videos";
#   the story saying so near its start: "This is reported by Reuters."
# A credited name is at most _PUBLISHER_CHARACTERS long and starts with a capital letter; an author line
# ("Author: Lok") is not a publisher.
_PUBLISHER_CHARACTERS = 60
_CREDIT = re.compile(r"^[^\S\n]*Source[^\S\n]*:[^\S\n]*(?P<name>[^\n]+?)[^\S\n]*$", re.M)
_BYLINE_NAME = re.compile(r"^[^\S\n]*By (?P<name>[^\n]{1,80}?)[^\S\n]+\d{1,2}/\d{1,2}/\d{4}[^\S\n]*$", re.M)
_VIDEO_SLATE = re.compile(r"^[^\S\n]*(?P<name>[A-Z][\w&.\- ]{1,40}?) Videos[^\S\n]*$", re.M)
_REPORTED_BY = re.compile(
    r"\b(?:is|was|were|are|has been|have been) reported by (?P<name>[A-Z][\w&.\-]*(?: [A-Z][\w&.\-]*){0,3})"
)


def find_publisher(text: str, body_start: int = 0, body_end: int | None = None) -> str | None:
    """Who published the story, as its text credits it (see above); None when it does not say."""
    _, agency = _dateline(text, body_start, body_end)
    head = text[: body_start + _DATELINE_HEAD]
    found = (
        agency,
        *(match["name"] for match in [_CREDIT.search(text)] if match),
        *(match["name"] for match in [_BYLINE_NAME.search(text)] if match),
        *(match["name"] for match in [_VIDEO_SLATE.search(head)] if match),
        *(match["name"] for match in [_REPORTED_BY.search(head)] if match),
    )
    for name in found:
        name = " ".join(name.split()).strip(" .,;") if name else ""
        if name and len(name) <= _PUBLISHER_CHARACTERS and name[0].isupper():
            return name
    return None


def parse_article(text: str) -> ArticleParts:
    """Locate the title, the publication date and the body of one article."""
    published, source, date_offset = find_published_date(text)

    header = _HEADER_DATE.match(text)
    title: str | None
    if header and header.group(2).strip():
        title, title_offset = header.group(2).strip(), header.start(2)
    elif date_offset is not None and source in {"dateline", "byline"}:
        # The title is the nearest prose line above the date line.
        above = [(o, ln.strip()) for o, ln in _lines_with_offsets(text[:date_offset]) if ln.strip()]
        candidates = [(o, ln) for o, ln in above if len(ln.split()) >= 3 and not HEADER_NOISE.search(ln)]
        title_offset, title = candidates[-1] if candidates else (date_offset, None)
    else:
        first = _first_story_line(text)
        title_offset, title = first if first else (0, None)

    body_start = title_offset
    body_end = _body_end(text, body_start)
    return ArticleParts(
        title,
        published,
        source,
        body_start,
        body_end,
        find_dateline(text, body_start, body_end),
        find_publisher(text, body_start, body_end),
    )
