"""The bundled coding and reference data: verbatim quotes, valid codes, consistent dictionaries."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pycountry
import pytest

from eventdw.ingest import gazetteer, load_inputs, reference
from tests.conftest import SEEDS

ACLED_EVENT_TYPES = {
    "Battles": 3,
    "Explosions/Remote violence": 6,
    "Violence against civilians": 3,
    "Protests": 3,
    "Riots": 2,
    "Strategic developments": 8,
}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _extractions() -> list[dict[str, str]]:
    return [row for path in sorted(SEEDS.glob("extractions/*.csv")) for row in _csv(path)]


def test_every_article_is_coded_with_at_least_30_rows_in_all():
    rows = _extractions()
    assert len(rows) >= 30
    assert {row["article_id"] for row in rows} == {path.stem for path in SEEDS.glob("articles/*.txt")}


def test_every_quote_is_verbatim_in_its_article():
    texts = {path.stem: path.read_text(encoding="utf-8") for path in SEEDS.glob("articles/*.txt")}
    missing = [
        (row["article_id"], row["quote"][:60]) for row in _extractions() if row["quote"] not in texts[row["article_id"]]
    ]
    assert missing == []


def test_every_seed_row_is_accepted_by_the_loader(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        summary = load_inputs(con, SEEDS, "seed-check")
        rejected = con.execute("select source_file, row_number, reason from raw.rejected_rows").fetchall()
    assert rejected == []
    assert summary.extraction_rows_accepted == len(_extractions())


def test_cameo_codes_come_from_the_gdelt_package():
    codes = {row["cameo_code"]: row for row in reference.cameo_codes()}
    raw = json.loads(gazetteer.package_data_file("gdelt", "cameoCodes.json").read_text(encoding="utf-8"))
    assert set(codes) == {code for code in raw["Description"] if re.fullmatch(r"\d{2,4}", code)}
    assert (codes["192"]["cameo_name"], codes["192"]["goldstein_scale"]) == ("Occupy territory", -9.5)
    assert codes["0874"]["goldstein_scale"] == 10.0
    assert codes["190"]["goldstein_scale"] == -10.0


def test_acled_types_are_the_25_sub_event_types_of_the_codebook():
    rows = _csv(SEEDS / "reference" / "acled_event_types.csv")
    assert len({row["sub_event_type"] for row in rows}) == len(rows) == 25
    per_type: dict[str, int] = {}
    for row in rows:
        per_type[row["event_type"]] = per_type.get(row["event_type"], 0) + 1
    assert per_type == ACLED_EVENT_TYPES


def test_crosswalk_codes_are_cameo_codes_and_types_are_acled_types():
    codes = {row["cameo_code"] for row in reference.cameo_codes()}
    sub_types = {row["sub_event_type"] for row in _csv(SEEDS / "reference" / "acled_event_types.csv")}
    rows = _csv(SEEDS / "reference" / "cameo_to_acled.csv")
    assert {row["cameo_code"] for row in rows} <= codes
    assert {row["acled_sub_event_type"] for row in rows} <= sub_types
    assert {f"{root:02d}" for root in range(1, 21)} <= {row["cameo_code"] for row in rows}
    assert all(row["notes"].strip() for row in rows)


def test_government_forces_alias_changes_meaning_after_8_december_2024():
    """Validity dates are inclusive: the Assad-era meaning covers the day Damascus fell."""
    rows = [
        row for row in _csv(SEEDS / "reference" / "actor_aliases.csv") if row["alias"] == "Syrian government forces"
    ]
    assert sorted((row["actor_id"], row["valid_from"], row["valid_to"]) for row in rows) == [
        ("syria_military_assad", "", "2024-12-08"),
        ("syria_military_interim", "2024-12-09", ""),
    ]


def test_admin1_crosswalk_covers_syria_and_agrees_with_pycountry_and_geonames():
    rows = [row for row in _csv(SEEDS / "reference" / "admin1_crosswalk.csv") if row["country_iso2"] == "SY"]
    governorates = {s.code for s in pycountry.subdivisions.get(country_code="SY")}
    assert {row["iso_3166_2"] for row in rows} == governorates
    places, _, _ = gazetteer.geonames_places(frozenset({"SY"}))
    syrian_admin1 = {place["admin1_code"] for place in places if place["country_iso2"] == "SY"}
    assert {row["geonames_admin1_code"] for row in rows} == syrian_admin1
    by_code = {row["geonames_admin1_code"]: row["iso_3166_2"] for row in rows}
    homs = next(place for place in places if place["geonames_id"] == 169577)
    deir_ez_zor = next(place for place in places if place["geonames_id"] == 170794)
    assert (by_code[homs["admin1_code"]], by_code[deir_ez_zor["admin1_code"]]) == ("SY-HI", "SY-DY")


@pytest.mark.parametrize("row", _csv(SEEDS / "reference" / "places_supplement.csv"), ids=lambda row: row["place_id"])
def test_supplement_place_lies_within_its_country_and_says_where_it_comes_from(row):
    places, _, _ = gazetteer.geonames_places(frozenset({row["country_iso2"]}))
    country = [place for place in places if place["country_iso2"] == row["country_iso2"]]
    latitude, longitude = float(row["latitude"]), float(row["longitude"])
    assert min(p["latitude"] for p in country) - 0.5 <= latitude <= max(p["latitude"] for p in country) + 0.5
    assert min(p["longitude"] for p in country) - 0.5 <= longitude <= max(p["longitude"] for p in country) + 0.5
    assert row["source_note"].startswith("hand-curated")
    assert row["admin1_iso"] in {s.code for s in pycountry.subdivisions.get(country_code=row["country_iso2"])}
