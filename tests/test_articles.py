"""The article parser finds each seed article's title, date and body."""

from __future__ import annotations

from datetime import date

import pytest

from eventdw.articles import parse_article
from tests.conftest import SEEDS


def _parse(article_id: str):
    text = (SEEDS / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")
    return text, parse_article(text)


@pytest.mark.parametrize(
    ("article_id", "published", "source", "title_start"),
    [
        ("000_4938db59a5dbecdc", date(2024, 12, 7), "header_line", "Syrian Kurds say they've taken Deir el-Zor"),
        ("001_80b8b6eb158c6571", date(2024, 12, 6), "header_line", "The US-backed Syrian Democratic Forces (SDF)"),
        ("002_06df92578aa3feb5", date(2024, 12, 6), "latest_date_in_text", "We are warning the remaining regime"),
        ("003_d87e7e8bc6717bf6", date(2017, 7, 30), "byline", "Syrian army advances on Deir ez-Zur"),
        ("004_a744f15570869942", date(2024, 12, 6), "dateline", "Syrian Rebels Claim Key Victory in Deir Ezzor"),
    ],
)
def test_seed_article_date_and_title_are_found(article_id, published, source, title_start):
    _, parts = _parse(article_id)
    assert parts.published_date == published
    assert parts.published_date_source == source
    assert parts.title is not None and parts.title.startswith(title_start)


def test_latest_stories_teasers_are_outside_the_body():
    text, parts = _parse("000_4938db59a5dbecdc")
    body = text[parts.body_start : parts.body_end]
    assert body.rstrip().endswith("dealing the biggest blows to Assad in years.")
    assert "Putin Minister" not in body and "Putin Minister" in text[parts.body_end :]


def test_reader_comments_and_sign_in_prompts_are_outside_the_body():
    text, parts = _parse("003_d87e7e8bc6717bf6")
    body = text[parts.body_start : parts.body_end]
    assert body.startswith("Syrian army advances on Deir ez-Zur")
    assert "Sign In" not in body and "Kurdo |" not in body
    assert "coalition spokesperson Col. Ryan Dillon told reporters last week." in body


def test_author_blurb_after_source_line_is_outside_the_body():
    text, parts = _parse("002_06df92578aa3feb5")
    assert text[parts.body_end :].startswith("Source :Skai")


def test_text_without_any_date_says_missing():
    parts = parse_article("A short note about nothing in particular at all.\n")
    assert parts.published_date is None
    assert parts.published_date_source == "missing"


def test_byline_with_impossible_date_falls_through_to_missing():
    parts = parse_article("Some headline about events\n\nBy Someone 31/2/2017\nText of the story here.\n")
    assert parts.published_date is None
