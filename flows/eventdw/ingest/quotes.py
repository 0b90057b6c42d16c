"""Find a coder's quote in its article, allowing differences that are only typographic.

A coded row quotes its article verbatim. `find_quote` says where, as offsets into the article's own text
(so `text[start:end]` is the evidence, byte for byte); `quote_mismatch` tells the coder, in one line, where
a quote that is not there stops matching. A quote is found if it is a substring of the article, or else if
it equals part of the article once both are folded:

- Unicode canonical equivalence: both are compared under NFC, so "é" matches "e" + U+0301;
- apostrophe-like marks ' ‘ ’ ‚ ‛ ′ ʼ ʻ ` ´ are one group and double quotation marks " “ ” „ ‟ ″ « » another;
  any member matches any other of its group. The groups are what the keyboard's ' and " keys stand for, so
  ' never matches " (a coder who retypes ‘no’ as "no" has changed the quote, and is told so);
- dashes and hyphens - ‐ ‑ ‒ – — ― − all match each other;
- a run of whitespace of any kind (spaces, tabs, line ends, no-break and thin spaces) matches any other run;
- the ellipsis … matches three periods "...", but no period of the quote matches part of an ellipsis;
- the quote's leading and trailing whitespace is ignored.

A match starts and ends between whole characters of the article (never inside an ellipsis), and is the first
one; an exact occurrence is taken before the tolerant search runs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

APOSTROPHES = "'‘’‚‛′ʼʻ`´"
QUOTATION_MARKS = '"“”„‟″«»'
DASHES = "-‐‑‒–—―−"
ELLIPSIS = "…"

# Every mark folds to its keyboard form; each entry maps one character to one, so offsets are unchanged.
_KEYBOARD_FORMS = str.maketrans(
    {**dict.fromkeys(APOSTROPHES, "'"), **dict.fromkeys(QUOTATION_MARKS, '"'), **dict.fromkeys(DASHES, "-")}
)
# What folding shortens (runs of whitespace), lengthens (the ellipsis) or turns into a plain space.
_RESHAPED = re.compile(r"\s{2,}|[^\S ]|…")
_LINE_ENDS = frozenset("\n\r\x85\u2028\u2029")
_UNNAMED = {"Cc": "(a control character)", "Cn": "(unassigned)", "Co": "(private use)", "Cs": "(a surrogate)"}
# Characters of the quote shown in a message, and the least match worth reporting as one.
EXCERPT_LENGTH = 25
_SHORTEST_REPORTED_MATCH = 5  # or half the quote: fewer characters match by chance ("who")
_LONGEST_DESCRIPTION = 50


@dataclass(frozen=True)
class _Folded:
    """A text in comparison form, with the span of the original text each of its characters stands for."""

    text: str
    # original[starts[i]:ends[i]] is what text[i] stands for; both never decrease. The characters standing
    # for one original unit (an ellipsis, a run of whitespace, a segment NFC changed) share one span.
    starts: Sequence[int]
    ends: Sequence[int]

    def is_boundary(self, i: int) -> bool:
        """Whether position i lies between two original units, so that a match may start or end there."""
        return i in (0, len(self.text)) or self.starts[i] != self.starts[i - 1]

    def find(self, folded: str, *, whole: bool = True) -> int | None:
        """The first position of `folded` that starts, and if `whole` also ends, between original units."""
        at = self.text.find(folded)
        while at != -1:
            if self.is_boundary(at) and (not whole or self.is_boundary(at + len(folded))):
                return at
            at = self.text.find(folded, at + 1)
        return None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the non-empty text[start:end] stands for."""
        return self.starts[start], self.ends[end - 1]

    def character(self, original: str, i: int) -> str:
        """The original character (under NFC) that text[i] comes from; "" at the end."""
        if i == len(self.text):
            return ""
        return unicodedata.normalize("NFC", original[self.starts[i] : self.ends[i]])[:1]


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` is in `text` as [start, end) offsets into `text`, up to typography; None if nowhere."""
    stripped = quote.strip()
    if not stripped:
        return None
    start = text.find(stripped)
    if start != -1:
        return start, start + len(stripped)
    article, row = _fold_article(text), _fold(stripped).text
    at = article.find(row)
    return None if at is None else article.span(at, at + len(row))


def quote_mismatch(text: str, quote: str) -> str:
    """For a quote find_quote does not find, one line telling a coder where it stops matching the article."""
    stripped = quote.strip()
    if not stripped:
        return "is empty"
    if find_quote(text, quote) is not None:
        raise ValueError("the quote is in the article")
    article, row = _fold_article(text), _fold(stripped)
    length, at = _longest_found_prefix(article, row.text)
    # Step back to where both sides are between whole characters, so that each side's next one is its own.
    while not (row.is_boundary(length) and article.is_boundary(at + length)):
        length -= 1
    if length < max(1, min(_SHORTEST_REPORTED_MATCH, len(row.text) // 2)):
        return f'not found in the article (not even its first words "{_opening(stripped)}…")'
    matched = stripped[: row.starts[length]] if length < len(row.text) else stripped
    in_article = _describe(article.character(text, at + length), "")
    in_row = _describe(row.character(stripped, length), "")
    if not in_article:
        return (
            f'matches the article up to "…{_closing(matched)}" where the article ends, then the row goes on: {in_row}'
        )
    return (
        f'matches the article up to "…{_closing(matched)}" then differs: '
        f"{in_article} in the article, {in_row} in the row"
    )


def _longest_found_prefix(article: _Folded, folded: str) -> tuple[int, int]:
    """The length of the longest prefix of `folded` the article holds, and where it first starts there."""
    # If a prefix occurs (starting between units), so does each shorter one, at the same place.
    length, at = 0, 0
    low, high = 1, len(folded)
    while low <= high:
        middle = (low + high) // 2
        found = article.find(folded[:middle], whole=False)
        if found is None:
            high = middle - 1
        else:
            length, at, low = middle, found, middle + 1
    return length, at


@functools.lru_cache(maxsize=16)
def _fold_article(text: str) -> _Folded:
    """The article's comparison form, kept for the next rows that quote the same article."""
    return _fold(text)


def _fold(text: str) -> _Folded:
    """`text` in comparison form: NFC, keyboard quotes and hyphens, one space per run, ellipses as "..."."""
    composed, starts, ends = _composed(text)
    keyed = composed.translate(_KEYBOARD_FORMS)
    pieces: list[str] = []
    folded_starts: list[int] = []
    folded_ends: list[int] = []
    done = 0
    for match in _RESHAPED.finditer(keyed):
        first, end = match.span()
        pieces.append(keyed[done:first])
        folded_starts.extend(starts[done:first])
        folded_ends.extend(ends[done:first])
        if match.group() == ELLIPSIS:
            pieces.append("...")
            folded_starts.extend([starts[first]] * 3)
            folded_ends.extend([ends[first]] * 3)
        else:
            pieces.append(" ")
            folded_starts.append(starts[first])
            folded_ends.append(ends[end - 1])
        done = end
    pieces.append(keyed[done:])
    folded_starts.extend(starts[done:])
    folded_ends.extend(ends[done:])
    return _Folded("".join(pieces), folded_starts, folded_ends)


def _composed(text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """`text` under NFC, with the span of `text` that each of its characters comes from."""
    if unicodedata.is_normalized("NFC", text):
        return text, range(len(text)), range(1, len(text) + 1)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _segments(text):
        segment = text[start:end]
        composed = unicodedata.normalize("NFC", segment)
        pieces.append(composed)
        if composed == segment:
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
        else:
            # What NFC composed or reordered is one unit: each of its characters stands for all of it.
            starts.extend([start] * len(composed))
            ends.extend([end] * len(composed))
    return "".join(pieces), starts, ends


def _segments(text: str) -> Iterator[tuple[int, int]]:
    """Consecutive spans of `text` whose NFC forms, put together, are the NFC form of `text`."""
    start = 0
    for i in range(1, len(text)):
        if _starts_segment(text[i]):
            yield start, i
            start = i
    if text:
        yield start, len(text)


@functools.lru_cache(maxsize=4096)
def _starts_segment(char: str) -> bool:
    """Whether NFC never composes or reorders `char` with anything before it."""
    # Only marks (general category M) and Hangul vowel and final jamo compose onto, or reorder with, what
    # precedes them; tests/test_quotes.py checks this against the running Python's Unicode database.
    return (
        unicodedata.combining(char) == 0
        and not unicodedata.category(char).startswith("M")
        and not "\u1160" <= char <= "\u11ff"
    )


def _describe(char: str, nothing: str) -> str:
    """A character as a coder can read it: itself if visible, else a few words or its code point and name."""
    if not char:
        return nothing
    if char == " ":
        return "a space"
    if char == "\t":
        return "a tab"
    if char in _LINE_ENDS:
        return "a line end"
    category = unicodedata.category(char)
    if category[0] in "CMZ":
        name = unicodedata.name(char, _UNNAMED.get(category, "(unnamed)"))
        return f"U+{ord(char):04X} {name}"[:_LONGEST_DESCRIPTION]
    return char


def _one_line(text: str) -> str:
    """`text` with each run of whitespace, line ends included, as one space."""
    return re.sub(r"\s+", " ", text)


def _opening(quote: str) -> str:
    """The first ~25 characters of `quote` on one line, ending at a word's end when that costs little."""
    line = _one_line(quote)
    if len(line) <= EXCERPT_LENGTH:
        return line
    cut = EXCERPT_LENGTH
    if line[cut] != " ":
        space = line.rfind(" ", cut - 8, cut)
        cut = space if space != -1 else cut
    return line[:cut]


def _closing(part: str) -> str:
    """The last ~25 characters of `part` on one line, starting at a word's start when that costs little."""
    line = _one_line(part)
    if len(line) <= EXCERPT_LENGTH:
        return line
    cut = len(line) - EXCERPT_LENGTH
    if line[cut - 1] != " ":
        space = line.find(" ", cut, cut + 8)
        cut = space + 1 if space != -1 else cut
    return line[cut:]
