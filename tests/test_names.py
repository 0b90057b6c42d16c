"""Name normalisation: the spellings of one place or group compare equal."""

from __future__ import annotations

import pytest

from eventdw.names import normalize_name


@pytest.mark.parametrize(
    ("spelling", "normalized"),
    [
        ("Deir el-Zor", "deir zor"),
        ("Deir ez-Zor", "deir zor"),
        ("DEIR  EZ ZOR", "deir zor"),
        ("Dayr az-Zawr", "dayr zawr"),
        ("Hay'at Tahrir al-Sham", "hayat tahrir sham"),
        ("Hayat Tahrir al-Sham", "hayat tahrir sham"),
        ("U.S.-backed Syrian Kurdish fighters", "us backed syrian kurdish fighters"),
        ("the Syrian army", "syrian army"),
        ("Ḩamāh", "hamah"),
        ("As-Suwayda", "suwayda"),
        ("Assad’s forces", "assads forces"),
    ],
)
def test_spelling_normalizes(spelling, normalized):
    assert normalize_name(spelling) == normalized


def test_arabic_script_is_transliterated_to_ascii():
    assert normalize_name("دير الزور") == "dyr lzwr"
    assert normalize_name("دمشق") == "dmshq"


def test_a_name_that_is_only_an_article_is_kept():
    assert normalize_name("As") == "as"


def test_none_stays_none():
    assert normalize_name(None) is None
