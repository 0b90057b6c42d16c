"""Read one news article: its title, its publication date and where its body starts and ends.

The raw text is kept byte for byte as the evidence; this module only *locates* things in it.
Dates come from the first rule that matches, and the rule's name is kept as `published_date_source`
so an analyst can see how much to trust it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

# Lines at which the page's own text stops and the site's furniture begins
# (teasers of other stories, reader comments, sign-up prompts, author blurbs).
BODY_END_MARKERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^\s*Latest Stories\s*$", re.M),
    re.compile(r"^\s*Source\s*:", re.M),
    re.compile(r"^\s*Be Part of Your \w+", re.M),
    re.compile(r"^\s*What You Say\s*$", re.M),
    re.compile(r"^\s*Elsewhere on \w+", re.M),
    re.compile(r"^\s*Related (Stories|Articles)\s*$", re.M),
    re.compile(r"^\s*Read more\s*:?\s*$", re.M | re.I),
    # A reader comment's header: "Kurdo | 30/7/2017" or "aa | 3/17/2018 12:57:38 PM".
    re.compile(r"^[^\n|]{1,60} \| \d{1,2}/\d{1,2}/\d{4}", re.M),
)

# All of them as one pattern: its first match is the earliest marker (one scan of the text, not eight).
_BODY_END = re.compile(
    "|".join(f"(?{'i' if marker.flags & re.I else ''}:{marker.pattern})" for marker in BODY_END_MARKERS), re.M
)

# Lines of the page's header furniture before the story (sign-in prompts, section names).
HEADER_NOISE = re.compile(
    r"sign in|sign up|register|forgot password|comment as a guest|add contribution|"
    r"your email will not be displayed|benefit of signing|connect using|^\s*world\s*$|"
    r"^\s*reuters videos\s*$|^\s*updated\s*$|^\s*story:\s*$",
    re.I,
)

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_HEADER_DATE = re.compile(r"\A\s*date (\d{4}-\d{2}-\d{2})\b[ \t]*(.*)")
_ISO_DATE_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*$", re.M)
_BYLINE_DATE = re.compile(r"^\s*By [^\n]{1,80}?\b(\d{1,2})/(\d{1,2})/(\d{4})\s*$", re.M)
_DATELINE = re.compile(rf"^\s*:*\s*(({_MONTHS}) \d{{1,2}}, \d{{4}})\s*$", re.M)
_DATE_IN_TEXT = re.compile(rf"\b(({_MONTHS}) \d{{1,2}}, \d{{4}})\b")


@dataclass(frozen=True)
class ArticleParts:
    """What the parser located in one article's text."""

    title: str | None
    published_date: date | None
    published_date_source: str
    body_start: int
    body_end: int


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


def find_published_date(text: str) -> tuple[date | None, str, int | None]:
    """Return (date, rule name, offset of the line it was found on) by the first rule that matches."""
    header = _HEADER_DATE.match(text)
    if header and (found := _iso(header.group(1))):
        return found, "header_line", header.start(1)
    head = text[:3000]
    if (line := _ISO_DATE_LINE.search(head)) and (found := _iso(line.group(1))):
        return found, "dateline", line.start(1)
    if byline := _BYLINE_DATE.search(head):
        day, month, year = (int(part) for part in byline.groups())
        try:
            return date(year, month, day), "byline", byline.start()
        except ValueError:
            pass
    if (line := _DATELINE.search(head)) and (found := _month_day_year(line.group(1))):
        return found, "dateline", line.start(1)
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
    end = _BODY_END.search(text, body_start)
    body_end = end.start() if end else len(text)
    return ArticleParts(title, published, source, body_start, body_end)
