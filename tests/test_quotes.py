"""Quotes are found in their articles despite typographic differences, and a missing one is explained in a line."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eventdw.ingest.quotes import (
    APOSTROPHES,
    DASHES,
    QUOTATION_MARKS,
    _composed,
    _starts_segment,
    find_quote,
    quote_mismatch,
)

ARTICLE = "The SDF took the town on Friday. The SDF took the town again on Sunday."
KEYBOARD_FORMS = str.maketrans(
    {**dict.fromkeys(APOSTROPHES, "'"), **dict.fromkeys(QUOTATION_MARKS, '"'), **dict.fromkeys(DASHES, "-")}
)


def folded(text: str) -> str:
    """What the two sides of a match must agree on: NFC, keyboard marks, "..." and single spaces."""
    keyed = unicodedata.normalize("NFC", text).translate(KEYBOARD_FORMS).replace("…", "...")
    return re.sub(r"\s+", " ", keyed).strip()


def test_an_exact_quote_is_found_at_its_first_occurrence():
    assert find_quote(ARTICLE, "took the town") == (8, 21)
    assert find_quote(ARTICLE, "again on Sunday.") == (55, 71)


def test_leading_and_trailing_whitespace_of_the_quote_is_ignored():
    assert find_quote(ARTICLE, "  took the town\n") == (8, 21)


@pytest.mark.parametrize(
    ("article", "quote", "span"),
    [
        ("the group’s leader said", "group's leader", "group’s leader"),
        ("the group's leader said", "group’s leader", "group's leader"),
        ("the groupʼs leader said", "group`s leader", "groupʼs leader"),
        ("he said ‘it’s over’ and left", "'it's over'", "‘it’s over’"),
        ("he said “we will stay” and left", '"we will stay"', "“we will stay”"),
        ("er sagte „wir bleiben“ und ging", '"wir bleiben"', "„wir bleiben“"),
        ("il a dit «nous restons» hier", '"nous restons"', "«nous restons»"),
        ("a U.S.‑backed force", "U.S.-backed", "U.S.‑backed"),
        ("fighting in 2011–2012 killed", "2011-2012", "2011–2012"),
        ("the town — held by ISIS — fell", "town - held by ISIS - fell", "town — held by ISIS — fell"),
        ("it was −3 degrees", "-3 degrees", "−3 degrees"),
        ("the word\n\n  next one", "word next", "word\n\n  next"),
        ("the 5\u00a0km road", "5 km road", "5\u00a0km road"),
        ("the 5\u2009km road", "5\tkm road", "5\u2009km road"),
        ("the word next one", "word \n next", "word next"),
        ("the cafe\u0301 was shelled", "café was", "cafe\u0301 was"),
        ("the café was shelled", "cafe\u0301 was", "café was"),
        ("Deir ez\u2011Zor\u2019s cafe\u0301", "Deir ez-Zor's café", "Deir ez\u2011Zor\u2019s cafe\u0301"),
        ("we will win… eventually", "win... eventually", "win… eventually"),
        ("we will win... eventually", "win… eventually", "win... eventually"),
        ("we will win. … eventually", "win. ... eventually", "win. … eventually"),
    ],
)
def test_a_typographic_difference_is_found_and_the_span_is_the_articles_own(article, quote, span):
    found = find_quote(article, quote)
    assert found is not None
    assert article[found[0] : found[1]] == span


def test_the_first_of_several_typographic_variants_is_found():
    article = 'he said “no” and then he said "no" again'
    assert find_quote(article, "said „no”") == (3, 12)


def test_an_exact_occurrence_is_preferred_to_an_earlier_typographic_variant():
    article = 'he said “no” and then he said "no" again'
    assert find_quote(article, 'said "no"') == (25, 34)


def test_a_real_letter_difference_is_not_found_and_the_message_names_both_characters():
    article = "The SDF took the town on Friday."
    quote = "The SDF took the city on Friday."
    assert find_quote(article, quote) is None
    message = quote_mismatch(article, quote)
    assert 'up to "…The SDF took the ' in message
    assert "t in the article, c in the row" in message
    assert message == 'matches the article up to "…The SDF took the " then differs: t in the article, c in the row'


def test_the_message_shows_only_the_last_words_of_a_long_match():
    article = "fighters of the Syrian National Army, backed by the SNA’s Turkish allies"
    quote = "fighters of the Syrian National Army, backed by the SNA's Turkish armies"
    assert quote_mismatch(article, quote) == (
        'matches the article up to "…by the SNA\'s Turkish a" then differs: l in the article, r in the row'
    )


def test_a_single_mark_does_not_match_a_double_one():
    article = "he said ‘no’ to the offer"
    quote = 'he said "no" to the offer'
    assert find_quote(article, quote) is None
    assert quote_mismatch(article, quote).endswith('then differs: ‘ in the article, " in the row')


def test_a_period_does_not_match_part_of_an_ellipsis():
    article = "He said stop… and left"
    assert find_quote(article, "said stop.") is None
    assert quote_mismatch(article, "said stop.") == (
        'matches the article up to "…said stop" then differs: … in the article, . in the row'
    )


@pytest.mark.parametrize(
    ("article", "quote", "difference"),
    [
        ("the 5\u00a0km road", "the 5km road", "U+00A0 NO-BREAK SPACE in the article, k in the row"),
        ("the word\nnext", "the wordnext", "a line end in the article, n in the row"),
        ("the township", "the town ship", "s in the article, a space in the row"),
        ("the zero\u200bwidth", "the zerowidth", "U+200B ZERO WIDTH SPACE in the article, w in the row"),
        ("the café", "the cafè", "é in the article, è in the row"),
    ],
)
def test_the_message_shows_invisible_characters_by_name(article, quote, difference):
    assert find_quote(article, quote) is None
    assert quote_mismatch(article, quote).endswith(f"then differs: {difference}")


def test_a_quote_running_past_the_end_of_the_article_says_so():
    assert quote_mismatch("the town", "the town hall") == (
        'matches the article up to "…the town" where the article ends, then the row goes on: a space'
    )


def test_a_quote_whose_first_words_are_nowhere_is_reported_as_not_found():
    assert quote_mismatch(ARTICLE, "Xyzzy plugh was here and there and everywhere") == (
        'not found in the article (not even its first words "Xyzzy plugh was here and…")'
    )


def test_the_message_puts_a_quote_spanning_lines_on_one_line():
    article = "The SDF took the town\non Friday."
    quote = "The SDF took the town\non Saturday."
    assert quote_mismatch(article, quote) == (
        'matches the article up to "…The SDF took the town on " then differs: F in the article, S in the row'
    )


def test_an_empty_quote_is_not_found():
    assert find_quote(ARTICLE, "") is None
    assert find_quote(ARTICLE, " \n\u00a0") is None
    assert quote_mismatch(ARTICLE, "  ") == "is empty"


def test_a_found_quote_has_no_mismatch_to_explain():
    with pytest.raises(ValueError, match="in the article"):
        quote_mismatch(ARTICLE, "took the town")


LETTERS = "abcdeéñüçTZ"
ALPHABET = LETTERS + " \n\t\u00a0" + ".,;:!?()…" + APOSTROPHES + QUOTATION_MARKS + DASHES
WHITESPACE_RUNS = st.text(" \t\n\u00a0\u2009\u202f", min_size=1, max_size=3)


def retyped(data: st.DataObject, quote: str) -> str:
    """`quote` as a coder might type it: other quote marks, dashes, whitespace and ellipses, maybe decomposed."""
    pieces = []
    for token in re.findall(r"\s+|\.\.\.|…|.", quote):
        if token.isspace():
            token = data.draw(WHITESPACE_RUNS)
        elif token in ("...", "…"):
            token = data.draw(st.sampled_from(["...", "…"]))
        else:
            for group in (APOSTROPHES, QUOTATION_MARKS, DASHES):
                if token in group:
                    token = data.draw(st.sampled_from(group))
        pieces.append(token)
    typed = "".join(pieces)
    if data.draw(st.booleans()):
        typed = unicodedata.normalize("NFD", typed)
    return data.draw(st.sampled_from(["", " ", "\n"])) + typed + data.draw(st.sampled_from(["", " \n"]))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), text=st.text(ALPHABET, min_size=1, max_size=60), decompose_article=st.booleans())
def test_a_retyped_slice_of_the_article_is_found_at_or_before_it(data, text, decompose_article):
    start = data.draw(st.integers(0, len(text) - 1))
    piece = text[start : data.draw(st.integers(start + 1, len(text)))]
    assume(piece.strip())
    first = start + len(piece) - len(piece.lstrip())
    quote = retyped(data, piece.strip())
    assert folded(quote) == folded(piece)
    article = unicodedata.normalize("NFD", text) if decompose_article else text
    # Every letter of the alphabet decomposes on its own, so a prefix's decomposed length is its offset.
    first_in_article = len(unicodedata.normalize("NFD", text[:first])) if decompose_article else first

    found = find_quote(article, quote)

    assert found is not None
    assert folded(article[found[0] : found[1]]) == folded(piece)
    # The first exact occurrence is preferred to an earlier typographic variant.
    exact = article.find(quote.strip())
    assert found[0] == exact if exact != -1 else found[0] <= first_in_article


@settings(max_examples=200, deadline=None)
@given(data=st.data(), text=st.text(max_size=60), tail=st.text(max_size=40))
def test_the_mismatch_message_is_one_short_line(data, text, tail):
    start = data.draw(st.integers(0, len(text)))
    quote = text[start : data.draw(st.integers(start, len(text)))] + tail
    assume(find_quote(text, quote) is None)

    message = quote_mismatch(text, quote)

    assert "\n" not in message
    assert len(message.splitlines()) == 1
    assert len(message) <= 200


# Letters, marks that compose or reorder, Hangul jamo, an Oriya two-part vowel, Tibetan vowels that decompose.
COMPOSING = st.sampled_from("ae\u0301\u0302\u0323\u0307 \u1100\u1161\u11a8\uac00\u0b47\u0b3e\u0f71\u0f73")


@settings(max_examples=200, deadline=None)
@given(st.text(COMPOSING | st.characters()))
def test_normalising_segment_by_segment_gives_the_text_under_nfc_with_its_offsets(text):
    composed, starts, ends = _composed(text)

    assert composed == unicodedata.normalize("NFC", text)
    assert all(start < end for start, end in zip(starts, ends, strict=True))
    assert list(starts) == sorted(starts)


def test_no_character_composes_with_or_reorders_before_a_segment_start():
    seconds, reordering = set(), set()
    for code_point in range(0x110000):
        char = chr(code_point)
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<"):
            parts = [chr(int(part, 16)) for part in decomposition.split()]
            if len(parts) == 2:
                seconds.add(parts[1])
            if unicodedata.combining(unicodedata.normalize("NFD", char)[0]):
                reordering.add(char)
    hangul_vowels_and_finals = {chr(c) for c in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]}

    assert [c for c in seconds | reordering | hangul_vowels_and_finals if _starts_segment(c)] == []


def test_a_quote_that_shares_no_character_with_the_article_is_reported_as_not_found():
    assert quote_mismatch("He said stop.", ";") == 'not found in the article (not even its first words ";…")'
