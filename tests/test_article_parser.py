"""The article parser finds each seed article's title, date and body."""

from __future__ import annotations

from datetime import date

import pytest

from eventdw.ingest.article_parser import parse_article
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


CREDITED_STORY = """Syrian rebels say they have taken Damascus as Assad flees the capital
Source: CNN; Reuters

DAMASCUS, Syria (Reuters) - Syrian rebels declared on Sunday that they had taken the capital Damascus, \
ending more than five decades of rule by the Assad family, as the army command told officers the regime had fallen.

"We declare the city of Damascus free from the tyrant Bashar al-Assad," the rebels said in a statement \
read out on state television, urging fighters to protect public institutions.

Thousands of people gathered in the main squares of the capital, waving the flag of the revolution and chanting.

"We have waited for this day for thirteen years," said Ahmed, a shopkeeper in the old city, who gave only \
his first name for fear of reprisals.

Two senior army officers told Reuters that Assad had left Damascus on a plane for an unknown destination.
"""

AUTHOR_BLURB = """Source: Skai
With a wealth of experience honed over 4+ years in journalism, I bring a seasoned voice to the news.
"""


def test_credit_line_under_the_headline_keeps_the_whole_story_in_the_body():
    parts = parse_article(CREDITED_STORY)
    body = CREDITED_STORY[parts.body_start : parts.body_end]
    assert body.startswith("Syrian rebels say they have taken Damascus")
    assert "the rebels said in a statement" in body
    assert "waving the flag of the revolution and chanting." in body
    assert body.rstrip().endswith("Assad had left Damascus on a plane for an unknown destination.")
    assert parts.body_end == len(CREDITED_STORY)


def test_credit_line_ahead_of_a_closing_author_blurb_ends_the_body_despite_a_credit_under_the_headline():
    text = CREDITED_STORY + AUTHOR_BLURB
    parts = parse_article(text)
    assert text[parts.body_end :] == AUTHOR_BLURB
    assert text[parts.body_start : parts.body_end] == CREDITED_STORY


@pytest.mark.parametrize(
    ("first_paragraph", "dateline"),
    [
        ("BEIRUT (Reuters) - Syrian rebels entered the city on Sunday.", "BEIRUT"),
        ("DAMASCUS, Syria (AP) — Rebels seized the capital overnight.", "DAMASCUS, Syria"),
        ("KYIV, Dec 7 (Reuters) - Russia launched drones at the capital.", "KYIV"),
        ("ERBIL, Kurdistan Region – The Syrian regime continues to advance.", "ERBIL, Kurdistan Region"),
        ("PORT-AU-PRINCE, Haiti (AP) — Gangs attacked a police station.", "PORT-AU-PRINCE, Haiti"),
        ("N'DJAMENA, Chad — Troops clashed with rebels near the border.", "N'DJAMENA, Chad"),
        ("EL FASHER, Sudan, Dec. 3 (AFP) - The RSF shelled the camp again.", "EL FASHER, Sudan"),
        ("KHARTOUM, Sudan, 3 December 2024 (AFP) - Fighting resumed.", "KHARTOUM, Sudan"),
        ("NEW DELHI (Reuters) -Indian police detained protesters.", "NEW DELHI"),
        ("SÃO PAULO, Brazil — Police arrested an officer on Monday.", "SÃO PAULO, Brazil"),
        (":: Deir el-Zor, Syria", "Deir el-Zor, Syria"),
        (":: Damascus", "Damascus"),
    ],
)
def test_wire_and_video_script_datelines_give_the_place_without_date_or_agency(first_paragraph, dateline):
    text = f"Fighting flares again as rebels advance on the city\n\n{first_paragraph}\n\nMore of the story follows.\n"
    assert parse_article(text).dateline == dateline


@pytest.mark.parametrize(
    "first_paragraph",
    [
        "HTS has made it clear that their march will not cease until they reach Damascus.",
        "U.S. forces said they struck targets near the river on Saturday.",
        "U.S. - Iran talks stalled again this week.",
        "ALEPPO residents fled - some of them on foot - as rebels entered.",
        "Syrian rebels took Homs - and then moved south.",
        "BEIRUT, the capital - It was quiet.",
        "HTS - the group formerly known as the Nusra Front - denied it.",
        "UPDATE 2-Syrian rebels enter Homs as the army withdraws",
        "BREAKING — Rebels enter Damascus",
        ":: Khaled Hassan, Syrian Kurdish fighter",
        ":: U.S.-backed Syrian Kurdish fighters say they have full control",
        "::December 7, 2024",
        ":: File",
    ],
)
def test_sentences_person_lines_dates_and_slugs_are_not_datelines(first_paragraph):
    text = f"Fighting flares again as rebels advance on the city\n\n{first_paragraph}\n\nMore of the story follows.\n"
    assert parse_article(text).dateline is None


def test_dateline_of_a_teaser_after_the_body_is_not_the_articles_dateline():
    text = (
        "Fighting flares again as rebels advance on the city\n\nThe story itself names no place it was filed from.\n\n"
        "Latest Stories\n\nMEXICO CITY (AP) — Mexico's president said Thursday she will ask for talks.\n"
    )
    assert parse_article(text).dateline is None


@pytest.mark.parametrize(
    ("article_id", "dateline"),
    [
        ("000_4938db59a5dbecdc", "Deir el-Zor, Syria"),
        ("001_80b8b6eb158c6571", None),
        ("002_06df92578aa3feb5", None),
        ("003_d87e7e8bc6717bf6", "ERBIL, Kurdistan Region"),
        ("004_a744f15570869942", None),
    ],
)
def test_seed_article_dateline_is_found_only_where_the_story_has_one(article_id, dateline):
    _, parts = _parse(article_id)
    assert parts.dateline == dateline


def test_credited_story_dateline_drops_the_agency():
    assert parse_article(CREDITED_STORY).dateline == "DAMASCUS, Syria"


def test_a_megabyte_of_blank_lines_parses_in_one_pass():
    """Line-anchored patterns once ran \\s* over every following blank line at every line start: 80,000
    blank lines took 97 s, a megabyte would have taken hours. The parse is linear now."""
    text = "date 2024-12-07 A headline over a long gap\n" + "\n" * 1_000_000 + "The story starts here, at last.\n"
    parts = parse_article(text)
    assert parts.published_date == date(2024, 12, 7)
    assert text[parts.body_start : parts.body_end].rstrip().endswith("The story starts here, at last.")


def test_blank_lines_between_a_headline_and_a_dateline_are_read_like_one():
    """The date line is looked for in the first 3,000 characters; 2,900 blank lines there once took minutes."""
    text = "Syrian army advances\n" + "\n" * 2_900 + "July 30, 2017\n\nThe army took the town on Sunday.\n"
    parts = parse_article(text)
    assert (parts.published_date, parts.published_date_source) == (date(2017, 7, 30), "dateline")


@pytest.mark.parametrize(
    ("head", "published", "source"),
    [
        ("6 December 2024", date(2024, 12, 6), "dateline"),
        ("Dec. 6, 2024", date(2024, 12, 6), "dateline"),
        ("2024/12/06", date(2024, 12, 6), "dateline"),
        ("Publié le 6 décembre 2024 à 14h05", date(2024, 12, 6), "dateline"),
        ("٦ ديسمبر ٢٠٢٤", date(2024, 12, 6), "dateline"),
        ("6 декабря 2024 года", date(2024, 12, 6), "dateline"),
        ("Publicado el 6 de diciembre de 2024", date(2024, 12, 6), "dateline"),
        ("Updated Dec 6, 2024 at 3:04 pm GMT", date(2024, 12, 6), "dateline"),
        ("By Rudaw 30/7/2017", date(2017, 7, 30), "byline"),  # 30 is no month: day first
        ("By AP 7/30/2017", date(2017, 7, 30), "byline"),  # month first
        ("By Rudaw 5/7/2017", None, "ambiguous"),  # 5 July or 7 May: flagged, not guessed
        ("By Rudaw 5/7/2017\nA reader | 30/7/2017", date(2017, 7, 5), "byline"),  # the page writes day first
        ("By AP 5/7/2017\nUpdated 12/30/2017", date(2017, 5, 7), "byline"),  # the page writes month first
        ("The year 2024 was hard for everyone in the north of the country", None, "missing"),
    ],
)
def test_a_date_line_is_read_in_its_form_and_language_and_an_ambiguous_one_is_flagged(head, published, source):
    parts = parse_article(f"A headline about the war\n{head}\n\nThe story begins here and goes on.\n")
    assert (parts.published_date, parts.published_date_source) == (published, source)


@pytest.mark.parametrize(
    ("article_id", "publisher"),
    [
        ("000_4938db59a5dbecdc", "Reuters"),  # the "Reuters Videos" slate; the teasers' "(AP)" are not the story's
        ("001_80b8b6eb158c6571", "Reuters"),  # "This is reported by Reuters."
        ("002_06df92578aa3feb5", "Skai"),  # "Source :Skai"
        ("003_d87e7e8bc6717bf6", "Rudaw"),  # "By Rudaw 30/7/2017"
        ("004_a744f15570869942", None),  # "Author: Lok" is an author, not a publisher
    ],
)
def test_the_publisher_is_the_one_the_text_credits(article_id, publisher):
    assert _parse(article_id)[1].publisher == publisher


@pytest.mark.parametrize(
    ("text", "publisher"),
    [
        ("Rebels take the city\n\nKHARTOUM, Sudan (AP) — The army said it withdrew.\n", "AP"),
        ("Rebels take the city\n\nBEIRUT, Dec 7 (Reuters) - Rebels entered Homs.\n", "Reuters"),
        ("Rebels take the city today\nSource: CNN; Reuters\nThe army withdrew from the city.\n", "CNN; Reuters"),
        ("Rebels take the city today\nThe army withdrew, according to residents.\n", None),
    ],
)
def test_a_wire_agency_or_a_credit_line_is_the_publisher(text, publisher):
    assert parse_article(text).publisher == publisher
