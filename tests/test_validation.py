"""Validation reads only the documented forms: what DuckDB's casts would take beyond them is rejected, naming
the field and the value, and ids do not collide on separators."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from eventdw.ingest import load_inputs
from tests.conftest import EXTRACTION_HEADER, make_seeds
from tests.test_load import _load, _reasons, _row


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"fatalities": value}, f"fatalities: '{value}' is not a whole number")
        for value in ["0.5", "2.5", "-0.4", "0x10", "0b101", "1e3", "1_000", "+3", "3 ", "infinity"]
        if value.strip() != "3"
    ]
    + [
        ({"fatalities": "99999999999999999999"}, "fatalities: '99999999999999999999' is too large"),
        ({"time_precision": "1.5"}, "time_precision: '1.5' is not a whole number"),
        ({"geo_precision": "2.0"}, "geo_precision: '2.0' is not a whole number"),
        ({"confidence": "nan"}, "confidence: 'nan' is not a number"),
        ({"confidence": "1e-1"}, "confidence: '1e-1' is not a number"),
        ({"confidence": "-0.5"}, "confidence: '-0.5' is not a number"),
    ]
    + [
        ({"event_date": value}, f"event_date: unparseable date '{value}' (expected YYYY-MM-DD)")
        for value in [
            "epoch",
            "infinity",
            "2024-12-05 junk",
            "2024/12/05",
            "2024-1-5",
            "2024-12-05T10:00:00+02:00",
            "2024-12-05 10:00:00",
        ]
    ],
)
def test_a_value_outside_the_documented_forms_is_rejected_naming_field_and_value(tmp_path, overrides, reason):
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row() + _row(**overrides)})
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (1, 1)
    assert _reasons(con) == {3: reason}


@pytest.mark.parametrize("value", ["0", "3", " 12 ", "007"])
def test_whole_numbers_in_decimal_digits_are_accepted(tmp_path, value):
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row(fatalities=value)})
    assert summary.rejected_rows == 0
    assert con.execute("select fatalities from raw.extractions").fetchone() == (int(value),)


def test_a_date_in_the_future_is_rejected_even_on_an_undated_article(tmp_path):
    seeds = make_seeds(
        tmp_path,
        {"a.csv": EXTRACTION_HEADER + _row(article_id="zz_undated", event_date="2999-01-01", quote="Shells fell")},
    )
    (seeds / "articles" / "zz_undated.txt").write_text("A note with no date\n\nShells fell on the town.\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_inputs(con, seeds, "test-run")
        assert _reasons(con) == {
            2: f"event_date: 2999-01-01 is in the future (the load ran on {date.today():%Y-%m-%d})"
        }


def test_rows_whose_fields_join_to_the_same_string_get_different_ids(tmp_path):
    rows = _row(actor1="SDF", actor2="HTS|Syrian army") + _row(actor1="SDF|HTS", actor2="Syrian army")
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + rows})
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (2, 0)
    (ids,) = con.execute("select count(distinct extraction_id) from raw.extractions").fetchone()
    assert ids == 2


def test_names_lose_nul_and_direction_marks_that_disguise_them(tmp_path):
    """U+202E (right-to-left override) makes 'FDS' display as 'SDF'; the name kept is what it really is."""
    con, _ = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row(actor1="\u202eFDS\u202c", location="Deir\x00 ez-Zor")})
    assert con.execute("select actor1, location from raw.extractions").fetchone() == ("FDS", "Deir ez-Zor")


def test_a_name_of_direction_marks_only_is_missing(tmp_path):
    con, _ = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row(actor1="\u202e\u202c")})
    assert _reasons(con) == {2: "actor1: missing required field"}


def test_a_row_about_an_article_rejected_whole_says_why_not_that_there_is_none(tmp_path):
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row(article_id="zz_utf16", quote="Shells fell")})
    (seeds / "articles" / "zz_utf16.txt").write_bytes("Shells fell on the town.\n".encode("utf-16"))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_inputs(con, seeds, "test-run")
        reasons = _reasons(con)
    assert reasons[None].startswith("file: UTF-16 text")
    assert reasons[2] == f"article_id: article 'zz_utf16' was rejected (articles/zz_utf16.txt: {reasons[None]})"
