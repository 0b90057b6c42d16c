"""Normalise a written name so that spellings of one actor or place compare equal.

Used by dbt through the `eventdw_normalize_name` DuckDB function (see `eventdw.dbt_plugin`), so that the
rule has one owner. Steps: transliterate to ASCII (anyascii: "دير الزور" -> "dyr alzwr", "Ḩamāh" -> "Hamah"),
lower-case, drop dots and apostrophes inside words ("U.S." -> "us", "Hay'at" -> "hayat"), turn other
punctuation and hyphens into spaces, drop a leading "the", and drop the Arabic article in all its written
forms (al-, el-, ez-, az-, as-, ash-, ad-, ar-, at-, an-, ...), so "Deir el-Zor", "Deir ez-Zor" and
"Dayr az Zawr" become "deir zor", "deir zor" and "dayr zawr".
"""

from __future__ import annotations

import re

from anyascii import anyascii

# The article written as its own word. "us", "un", ... are left alone: too often English ("U.S.").
ARABIC_ARTICLES = frozenset(
    {
        "al",
        "el",
        "il",
        "ul",
        "ez",
        "az",
        "es",
        "as",
        "ash",
        "esh",
        "ad",
        "ed",
        "adh",
        "ar",
        "er",
        "at",
        "et",
        "an",
        "en",
    }
)
_JOINERS = re.compile(r"[.'`´’ʼʻ‘ʿʾ]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def normalize_name(text: str | None) -> str | None:
    """The comparison form of a name; None stays None."""
    if text is None:
        return None
    ascii_text = _JOINERS.sub("", anyascii(text).lower())
    words = _SEPARATORS.sub(" ", ascii_text).split()
    if words and words[0] == "the":
        words = words[1:]
    # Articles go, unless nothing else is left (a place called "As").
    return " ".join([w for w in words if w not in ARABIC_ARTICLES] or words)
