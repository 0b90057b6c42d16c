"""The warehouse beyond Syria: short articles from eleven countries on three continents, written for these
tests and coded as an analyst would, resolve to the right GeoNames places and to actors with the right
country, CAMEO code and ACLED type, with the world's gazetteer (the default)."""

from __future__ import annotations

import os
import shutil
from datetime import date

import duckdb
import pytest

from eventdw.ingest import load_inputs
from eventdw.transform import dbt_build
from tests.conftest import EXTRACTION_HEADER, SEEDS

# (article id, text). Each paragraph is our own, in the spellings the press uses.
ARTICLES = {
    "w_sudan": (
        "6 December 2024\n\n"
        "EL FASHER, Sudan - The paramilitary Rapid Support Forces shelled the Abu Shouk camp on the edge of El "
        "Fasher on Thursday, and the Sudanese army answered with air strikes, residents said. In Omdurman, "
        "across the Nile from Khartoum, RSF fighters looted a market.\n"
    ),
    "w_mali": (
        "Publié le 6 décembre 2024\n\n"
        "KIDAL - Malian troops and Wagner mercenaries entered Kidal after a week of fighting, while JNIM "
        "fighters ambushed a convoy on the road to Gao.\n"
    ),
    "w_nigeria": (
        "Dec. 5, 2024\n\n"
        "MAIDUGURI, Nigeria (AP) - ISWAP fighters attacked a military base in Monguno, Borno state, and "
        "Nigerian soldiers repelled them, the army said. Boko Haram gunmen abducted farmers near Maiduguri.\n"
    ),
    "w_somalia": (
        "2024/12/05\n\n"
        "MOGADISHU - Al-Shabaab militants stormed a hotel in Mogadishu and Somali police ended the siege "
        "after six hours. In Baidoa, a roadside bomb hit an army truck.\n"
    ),
    "w_drc": (
        "5 December 2024\n\n"
        "GOMA, DR Congo - M23 rebels advanced towards Goma as the Congolese army withdrew from positions north "
        "of the city. In Bukavu, protesters marched against the fighting.\n"
    ),
    "w_ukraine": (
        "6 грудня 2024\n\n"
        "KHARKIV - Russian forces struck Kharkiv with guided bombs overnight, and the Ukrainian army said it "
        "held its lines near Pokrovsk.\n"
    ),
    "w_myanmar": (
        "December 4, 2024\n\n"
        "YANGON, Myanmar - The Arakan Army said it had taken a base outside Sittwe, while the Myanmar military "
        "bombed villages near Lashio in Shan state.\n"
    ),
    "w_haiti": (
        "4 December 2024\n\n"
        "PORT-AU-PRINCE, Haiti - Viv Ansanm gangs attacked Cabaret, north of Port-au-Prince, and Haitian police "
        "said officers had pushed them back.\n"
    ),
    "w_colombia": (
        "Publicado el 3 de diciembre de 2024\n\n"
        "POPAYÁN, Colombia - ELN guerrillas clashed with the Colombian army in Cauca, near Popayán, the army said.\n"
    ),
    "w_kenya": (
        "3 December 2024\n\n"
        "NAIROBI - Kenyan police fired tear gas at protesters in Nairobi, and Kenyan protesters blocked roads "
        "in Eldoret.\n"
    ),
    "w_chad": (
        "٣ ديسمبر ٢٠٢٤\n\nN'DJAMENA - Chad's army said its soldiers had killed gunmen near Abéché, in the east.\n"
    ),
    "w_lebanon": (
        "2 December 2024\n\n"
        "BEIRUT, Lebanon - Hezbollah fighters clashed with Lebanese soldiers in Tripoli, in the north.\n"
    ),
    "w_libya": ("2 December 2024\n\nTRIPOLI, Libya - Armed men stormed a ministry in Tripoli.\n"),
    "w_pakistan": (
        "2 December 2024\n\nKARACHI, Pakistan - Pakistani police arrested protesters in Hyderabad, Sindh.\n"
    ),
}

# (article, event date, actor1, actor2, CAMEO code, location, quote)
ROWS = [
    ("w_sudan", "2024-12-05", "Rapid Support Forces", "Civilians (Sudan)", "195", "El Fasher",
     "The paramilitary Rapid Support Forces shelled the Abu Shouk camp"),
    ("w_sudan", "2024-12-05", "Sudanese army", "", "195", "El Fasher", "the Sudanese army answered with air strikes"),
    ("w_sudan", "2024-12-05", "RSF", "", "171", "Omdurman", "RSF fighters looted a market"),
    ("w_mali", "2024-12-05", "Malian troops", "JNIM", "190", "Kidal",
     "Malian troops and Wagner mercenaries entered Kidal"),
    ("w_mali", "2024-12-05", "Wagner", "JNIM", "190", "Kidal", "Malian troops and Wagner mercenaries entered Kidal"),
    ("w_mali", "2024-12-05", "JNIM", "Malian army", "190", "Gao", "JNIM fighters ambushed a convoy on the road to Gao"),
    ("w_nigeria", "2024-12-04", "ISWAP", "Nigerian soldiers", "190", "Monguno",
     "ISWAP fighters attacked a military base in Monguno"),
    ("w_nigeria", "2024-12-04", "Boko Haram", "farmers", "181", "Maiduguri",
     "Boko Haram gunmen abducted farmers near Maiduguri"),
    ("w_somalia", "2024-12-04", "al-Shabaab", "Somali police", "190", "Mogadishu",
     "Al-Shabaab militants stormed a hotel in Mogadishu"),
    ("w_somalia", "2024-12-04", "al-Shabaab", "Somali army", "183", "Baidoa",
     "In Baidoa, a roadside bomb hit an army truck"),
    ("w_drc", "2024-12-04", "M23", "Congolese army", "190", "Goma", "M23 rebels advanced towards Goma"),
    ("w_drc", "2024-12-04", "Congolese protesters", "", "141", "Bukavu", "In Bukavu, protesters marched"),
    ("w_ukraine", "2024-12-05", "Russian forces", "Civilians (Ukraine)", "195", "Kharkiv",
     "Russian forces struck Kharkiv with guided bombs"),
    ("w_ukraine", "2024-12-05", "Ukrainian army", "Russian forces", "190", "Pokrovsk", "held its lines near Pokrovsk"),
    ("w_myanmar", "2024-12-03", "Arakan Army", "Myanmar military", "190", "Sittwe",
     "The Arakan Army said it had taken a base outside Sittwe"),
    ("w_myanmar", "2024-12-03", "Myanmar military", "Civilians (Myanmar)", "195", "Lashio",
     "the Myanmar military bombed villages near Lashio"),
    ("w_haiti", "2024-12-03", "Viv Ansanm", "Haitian police", "190", "Cabaret", "Viv Ansanm gangs attacked Cabaret"),
    ("w_colombia", "2024-12-02", "ELN", "Colombian army", "190", "Popayán",
     "ELN guerrillas clashed with the Colombian army in Cauca"),
    ("w_kenya", "2024-12-02", "Kenyan police", "Kenyan protesters", "145", "Nairobi",
     "Kenyan police fired tear gas at protesters in Nairobi"),
    ("w_kenya", "2024-12-02", "Kenyan protesters", "", "141", "Eldoret", "Kenyan protesters blocked roads"),
    ("w_chad", "2024-12-02", "Chad's army", "gunmen", "190", "Abéché", "its soldiers had killed gunmen near Abéché"),
    ("w_lebanon", "2024-12-01", "Hezbollah", "Lebanese soldiers", "190", "Tripoli",
     "Hezbollah fighters clashed with Lebanese soldiers in Tripoli"),
    ("w_libya", "2024-12-01", "Armed men", "", "180", "Tripoli", "Armed men stormed a ministry in Tripoli"),
    ("w_pakistan", "2024-12-01", "Pakistani police", "Pakistani protesters", "145", "Hyderabad",
     "Pakistani police arrested protesters in Hyderabad"),
    ("w_chad", "2024-12-02", "Chadian border guards", "", "190", "Abéché", "killed gunmen near Abéché"),
]  # fmt: skip


def _csv_row(article_id, event_date, actor1, actor2, code, location, quote):
    fields = [article_id, event_date, "1", actor1, actor2, code, "", location, "1", "", quote, "test", "0.8", ""]
    return ",".join('"' + field.replace('"', '""') + '"' for field in fields) + "\n"


@pytest.fixture(scope="module")
def world_db(tmp_path_factory):
    """The seeds plus the articles above and their coding, loaded with the world's gazetteer and built."""
    root = tmp_path_factory.mktemp("world")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    for article_id, text in ARTICLES.items():
        (seeds / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
    (seeds / "extractions" / "world.csv").write_text(
        EXTRACTION_HEADER + "".join(_csv_row(*row) for row in ROWS), encoding="utf-8"
    )
    warehouse = root / "w.duckdb"
    narrowed = os.environ.pop("EVENTDW_COUNTRIES", None)  # the world's gazetteer, the default (conftest narrows it)
    try:
        with duckdb.connect(str(warehouse)) as con:
            summary = load_inputs(con, seeds, "world")
            assert summary.rejected_rows == 0, con.execute("select reason from raw.rejected_rows").fetchall()
    finally:
        if narrowed is not None:
            os.environ["EVENTDW_COUNTRIES"] = narrowed
    dbt_build(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        yield con


def _mentions(con):
    return con.execute(
        """
        select m.article_id, m.source_row_number, p.geonames_id, p.place_name, p.admin1_iso, p.admin1_name,
            p.country_iso2, a1.actor_id, a1.cameo_actor_code, e.actor1_inter_code, a2.actor_id,
            a2.cameo_actor_code, e.actor2_inter_code
        from marts.fact_event_mentions as m
        inner join marts.fact_events as e on e.event_id = m.event_id
        inner join marts.dim_place as p on p.place_id = m.place_id
        inner join marts.dim_actor as a1 on a1.actor_id = m.actor1_id
        left join marts.dim_actor as a2 on a2.actor_id = m.actor2_id
        where m.source_file = 'extractions/world.csv'
        order by m.source_row_number
        """
    ).fetchall()


# Per coded row (in ROWS order): GeoNames id, ISO region, country, actor1 (id, CAMEO, ACLED type in the
# event), actor2 (id, CAMEO, ACLED type in the event; None when there is none).
EXPECTED = [
    (379555, "SD-DN", "SD", ("rsf", "SDNREB", 2), ("composite:SDN:civilians", "SDNCVL", 7)),
    (379555, "SD-DN", "SD", ("composite:SDN:military", "SDNMIL", 1), None),
    (365137, "SD-KH", "SD", ("rsf", "SDNREB", 2), None),
    (2455290, "ML-8", "ML", ("composite:MLI:military", "MLIMIL", 1), ("jnim", "MLIREB", 2)),
    (2455290, "ML-8", "ML", ("africa_corps", "RUSMIL", 8), ("jnim", "MLIREB", 2)),  # "Wagner" after 2023
    (2457163, "ML-7", "ML", ("jnim", "MLIREB", 2), ("composite:MLI:military", "MLIMIL", 1)),
    (2329946, "NG-BO", "NG", ("iswap", "NGAREB", 2), ("composite:NGA:military", "NGAMIL", 1)),
    (2331447, "NG-BO", "NG", ("boko_haram", "NGAREB", 2), ("unresolved:farmers", None, None)),
    (53654, "SO-BN", "SO", ("al_shabaab", "SOMREB", 2), ("composite:SOM:police", "SOMCOP", 1)),
    (64536, "SO-BY", "SO", ("al_shabaab", "SOMREB", 2), ("composite:SOM:military", "SOMMIL", 1)),
    (216281, "CD-NK", "CD", ("m23", "CODREB", 2), ("composite:COD:military", "CODMIL", 1)),
    (217831, "CD-SK", "CD", ("composite:COD:protesters", "CODCVL", 6), None),
    (706483, "UA-63", "UA", ("russia_military", "RUSMIL", 8), ("composite:UKR:civilians", "UKRCVL", 7)),
    (704422, "UA-14", "UA", ("composite:UKR:military", "UKRMIL", 1), ("russia_military", "RUSMIL", 8)),
    (1295765, "MM-16", "MM", ("arakan_army", "MMRREB", 2), ("composite:MMR:military", "MMRMIL", 1)),
    (1314759, "MM-17", "MM", ("composite:MMR:military", "MMRMIL", 1), ("composite:MMR:civilians", "MMRCVL", 7)),
    (3728964, "HT-OU", "HT", ("viv_ansanm", "HTIUAF", 3), ("composite:HTI:police", "HTICOP", 1)),
    (3671916, "CO-CAU", "CO", ("eln", "COLREB", 2), ("composite:COL:military", "COLMIL", 1)),
    (184745, "KE-30", "KE", ("composite:KEN:police", "KENCOP", 1), ("composite:KEN:protesters", "KENCVL", 6)),
    (198629, "KE-44", "KE", ("composite:KEN:protesters", "KENCVL", 6), None),
    # "gunmen" alone, in a text about Chad: ACLED's Unidentified Armed Group (Chad)
    (245785, "TD-OD", "TD", ("composite:TCD:military", "TCDMIL", 1), ("composite:TCD:armed_group", "TCDUAF", 3)),
    (266826, "LB-AS", "LB", ("hezbollah", "LBNUAF", 3), ("composite:LBN:military", "LBNMIL", 1)),
    (2210247, "LY-TB", "LY", ("composite:LBY:armed_group", "LBYUAF", 3), None),  # the dateline says Libya
    (1176734, "PK-SD", "PK", ("composite:PAK:police", "PAKCOP", 1), ("composite:PAK:protesters", "PAKCVL", 6)),
    (245785, "TD-OD", "TD", ("unresolved:chadian border guards", None, None), None),
]


@pytest.mark.parametrize("row", range(len(ROWS)), ids=[f"{r[0]}:{r[5]}:{r[3]}" for r in ROWS])
def test_a_coded_row_resolves_to_its_place_and_actors(world_db, row):
    mentions = _mentions(world_db)
    assert len(mentions) == len(ROWS)
    (_, _, geonames_id, _, admin1_iso, _, country, a1, a1_code, a1_inter, a2, a2_code, a2_inter) = mentions[row]
    got = (geonames_id, admin1_iso, country, (a1, a1_code, a1_inter), (a2, a2_code, a2_inter) if a2 else None)
    assert got == EXPECTED[row]


def test_a_composed_actor_has_acleds_name_type_and_country(world_db):
    rows = world_db.execute(
        """
        select actor_id, actor_name, cameo_actor_code, acled_inter_code, country_iso3
        from marts.dim_actor
        where actor_id in ('composite:TCD:military', 'composite:KEN:police', 'composite:KEN:protesters',
            'composite:SDN:civilians')
        order by actor_id
        """
    ).fetchall()
    assert rows == [
        ("composite:KEN:police", "Police Forces of Kenya", "KENCOP", 1, "KEN"),
        ("composite:KEN:protesters", "Protesters (Kenya)", "KENCVL", 6, "KEN"),
        ("composite:SDN:civilians", "Civilians (Sudan)", "SDNCVL", 7, "SDN"),
        ("composite:TCD:military", "Military Forces of Chad", "TCDMIL", 1, "TCD"),
    ]


def test_a_name_shared_by_two_countries_goes_to_the_one_in_context(world_db):
    """Tripoli is in Lebanon and in Libya (bigger); Hyderabad in India (bigger) and in Pakistan."""
    places = {(r[0], r[3]): r[2] for r in _mentions(world_db)}
    assert places[("w_lebanon", "Tripoli")] == 266826
    assert places[("w_libya", "Tripoli")] == 2210247
    assert places[("w_pakistan", "Hyderabad")] == 1176734


def test_regions_carry_english_names_and_geonames_codes(world_db):
    rows = world_db.execute(
        """
        select place_id, place_name, geonames_id, geonames_admin1_code, admin1_iso
        from marts.dim_place
        where place_id in ('iso3166:SD-DN', 'iso3166:UA-14', 'iso3166:SY-HL', 'iso3166:CD-NK')
        order by place_id
        """
    ).fetchall()
    assert rows == [
        ("iso3166:CD-NK", "Nord-Kivu", 206938, "CD.11", "CD-NK"),
        ("iso3166:SD-DN", "North Darfur", 408666, "SD.55", "SD-DN"),
        ("iso3166:SY-HL", "Aleppo", 170062, "SY.09", "SY-HL"),
        ("iso3166:UA-14", "Donetsk", 709716, "UA.05", "UA-14"),
    ]


@pytest.mark.parametrize(
    ("article_id", "published"),
    [
        ("w_sudan", date(2024, 12, 6)),  # 6 December 2024
        ("w_mali", date(2024, 12, 6)),  # Publié le 6 décembre 2024
        ("w_nigeria", date(2024, 12, 5)),  # Dec. 5, 2024
        ("w_somalia", date(2024, 12, 5)),  # 2024/12/05
        ("w_ukraine", date(2024, 12, 6)),  # 6 грудня 2024
        ("w_colombia", date(2024, 12, 3)),  # Publicado el 3 de diciembre de 2024
        ("w_chad", date(2024, 12, 3)),  # ٣ ديسمبر ٢٠٢٤
    ],
)
def test_an_articles_date_is_read_in_its_language_and_form(world_db, article_id, published):
    assert world_db.execute(
        "select published_date, published_date_source from marts.dim_article where article_id = ?", [article_id]
    ).fetchone() == (published, "dateline")


def test_an_unresolved_actor_with_a_country_word_lists_the_agent_words_known(world_db):
    hint, nearest = world_db.execute(
        "select composition_hint, nearest_entity_id from marts.report_unresolved_names "
        "where name_kind = 'actor' and spellings = 'Chadian border guards'"
    ).fetchone()
    assert hint.startswith("country word Chadian (Chad) found; agent words the dictionary knows: ")
    assert {"army", "police", "soldiers", "troops"} <= set(hint.split(": ")[1].split(" (add")[0].split(", "))
    assert nearest is not None


def test_the_world_is_the_default_gazetteer(world_db):
    countries = world_db.execute("select count(distinct country_iso2) from raw.geonames_places").fetchone()
    assert countries[0] > 240


def test_the_gazetteer_narrowed_to_some_countries_keeps_only_their_places(monkeypatch):
    from eventdw.ingest import gazetteer

    monkeypatch.setenv("EVENTDW_COUNTRIES", "sd, TD,SS")
    countries = gazetteer.gazetteer_countries()
    assert countries == frozenset({"SD", "TD", "SS"})
    places, _, country_rows = gazetteer.geonames_places(countries)
    assert {place["country_iso2"] for place in places} == {"SD", "TD", "SS"}
    assert len(country_rows) > 240  # every country stays: an article's context is found through them
    assert next(p for p in places if p["geonames_id"] == 379555)["admin1_region_key"] == "SD-DN"  # El Fasher


@pytest.mark.parametrize("setting", ["SD,XX", "Sudan", ","])
def test_a_countries_setting_that_names_no_country_is_refused_in_one_line(monkeypatch, setting):
    from eventdw.ingest import gazetteer
    from eventdw.warehouse import SettingError

    monkeypatch.setenv("EVENTDW_COUNTRIES", setting)
    with pytest.raises(SettingError) as error:
        gazetteer.gazetteer_countries()
    assert str(error.value).startswith(f"EVENTDW_COUNTRIES={setting!r}: ")
    assert "\n" not in str(error.value)


def test_the_acled_export_names_actor_types_and_flags_unknown_actors(world_db):
    rows = world_db.execute(
        """
        select location, actor1, inter1, actor2, inter2, interaction, tags
        from marts.acled_events
        where location in ('Tripoli', 'Kharkiv', 'Maiduguri')
        order by location, actor1
        """
    ).fetchall()
    assert rows == [
        (
            "Kharkiv",
            "Military Forces of Russia",
            "External/Other forces",
            "Civilians (Ukraine)",
            "Civilians",
            "Civilians-External/Other forces",
            "eventdw: fatalities unknown",
        ),
        (
            "Maiduguri",
            "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad (JAS)",
            "Rebel group",
            "farmers",
            None,
            None,
            "eventdw: fatalities unknown; eventdw: actor2 unresolved",
        ),
        (
            "Tripoli",
            "Hezbollah",
            "Political militia",
            "Military Forces of Lebanon",
            "State forces",
            "State forces-Political militia",
            "eventdw: fatalities unknown",
        ),
        (
            "Tripoli",
            "Unidentified Armed Group (Libya)",
            "Political militia",
            None,
            None,
            "Political militia only",
            "eventdw: fatalities unknown",
        ),
    ]


# A wire story from Sudan, for `eventdw suggest`: nothing in it is in the curated dictionaries, so its actors are
# composed ("Sudanese army": a country form and an agent word) and its places come from GeoNames.
SUDAN_ARTICLE = """date 2024-11-12 Sudan army retakes town from paramilitary

KHARTOUM, Sudan (Reuters) - The Sudanese army recaptured the town of Sennar on Sunday after heavy fighting, \
military sources said, and dozens of civilians were killed.

Residents said protesters took to the streets of Omdurman yesterday to demand an end to the war.

Latest Stories

  • Sudanese police arrested 40 people in Kassala on Monday.
"""


def test_suggest_drafts_an_article_from_elsewhere_with_the_worlds_names(world_db, tmp_path):
    from eventdw.suggest import VERBS_FILE, load_dictionaries, suggest

    article = tmp_path / "sudan_001.txt"
    article.write_text(SUDAN_ARTICLE, encoding="utf-8")
    drafts = suggest([article], load_dictionaries(world_db, SEEDS / "reference" / VERBS_FILE))
    rows = [draft.row() for draft in drafts]
    fields = ("event_date", "time_precision", "actor1", "actor2", "cameo_code", "acled_sub_event_type")
    assert [tuple(row[field] for field in (*fields, "location", "geo_precision", "fatalities")) for row in rows] == [
        # Recaptured by state forces, "on Sunday" before Tuesday 12 November, "dozens" = 12; the fighting
        # before it is the same event.
        ("2024-11-10", "1", "Sudanese army", "", "192", "Government regains territory", "Sennar", "1", "12"),
        # "Residents said": the source, not an actor; "yesterday".
        ("2024-11-11", "1", "protesters", "", "141", "Peaceful protest", "Omdurman", "1", ""),
    ]
    capture = rows[0]
    assert capture["article_id"] == "sudan_001"
    assert capture["quote"].startswith("KHARTOUM, Sudan (Reuters) - The Sudanese army recaptured")
    assert "composite:SDN:military (composed name)" in capture["notes"]
    assert "geonames:" in capture["notes"] and "(GeoNames name, populated place, SD)" in capture["notes"]
    # The teaser after "Latest Stories" is not the article's: no row from it.
    assert not any("Kassala" in row["quote"] for row in rows)
