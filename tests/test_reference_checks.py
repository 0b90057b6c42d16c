"""Contradictions in the curated reference CSVs: each rule on a small inline table, with its exact message."""

from __future__ import annotations

from eventdw.ingest.reference_checks import reference_contradictions

ACTOR_COLUMNS = ("actor_id", "actor_name", "parent_actor_id", "valid_from", "valid_to")
ALIAS_COLUMNS = ("alias", "actor_id", "valid_from", "valid_to")
PLACE_COLUMNS = ("place_id", "place_name", "parent_place_id")
PLACE_ALIAS_COLUMNS = ("alias", "place_ref")


def _rows(columns: tuple[str, ...], *values: tuple[str, ...]) -> list[dict[str, str | None]]:
    """Rows as the loader gives them: stripped strings, None for an empty cell, the header on row 1."""
    return [
        {name: (cell.strip() or None) for name, cell in zip(columns, cells, strict=True)} | {"_row_number": str(number)}
        for number, cells in enumerate(values, start=2)
    ]


def _actors(*values: tuple[str, ...]) -> list[dict[str, str | None]]:
    return _rows(ACTOR_COLUMNS, *values)


def _aliases(*values: tuple[str, ...]) -> list[dict[str, str | None]]:
    return _rows(ALIAS_COLUMNS, *values)


SYRIA_ACTORS = _actors(
    ("syria_government_assad", "Government of Syria (2000-2024)", "", "2000-07-17", "2024-12-08"),
    (
        "syria_military_assad",
        "Military Forces of Syria (2000-2024)",
        "syria_government_assad",
        "2000-07-17",
        "2024-12-08",
    ),
    ("syria_government_interim", "Government of Syria (2024-)", "", "2024-12-09", ""),
    ("syria_military_interim", "Military Forces of Syria (2024-)", "syria_government_interim", "2024-12-09", ""),
    ("hts", "Hayat Tahrir al-Sham", "", "2017-01-28", "2025-01-29"),
    ("sdf", "Syrian Democratic Forces", "", "2015-10-10", ""),
    ("ypg", "People's Protection Units (YPG)", "sdf", "", ""),
)


def _syria(*alias_rows: tuple[str, ...]) -> dict[str, list[dict[str, str | None]]]:
    return {"actors": SYRIA_ACTORS, "actor_aliases": _aliases(*alias_rows)}


def test_a_consistent_set_with_a_time_split_alias_has_no_contradictions():
    tables = _syria(
        ("Syrian army", "syria_military_assad", "2000-07-17", "2024-12-08"),
        ("syrian army ", "syria_military_interim", "2024-12-09", ""),
        ("Syrian government", "syria_government_assad", "2000-07-17", "2024-12-08"),
        ("Syrian government", "syria_government_interim", "2024-12-09", ""),
        ("HTS", "hts", "2017-01-28", "2025-01-29"),
        ("Hay'at Tahrir al-Sham", "hts", "2017-01-28", "2025-01-29"),
        ("Syrian Democratic Forces", "sdf", "2015-10-10", ""),
        ("Kurdish forces", "ypg", "", "2015-10-09"),
        ("Kurdish forces", "sdf", "2015-10-10", ""),
    )
    tables["places_supplement"] = _rows(
        PLACE_COLUMNS,
        ("sup:nassib_crossing", "Nassib - Jaber border crossing", "geonames:170905"),
        ("sup:jordan_syria_border", "Jordan-Syria border", ""),
        ("sup:nassib_customs_hall", "Nassib customs hall", "sup:nassib_crossing"),
    )
    tables["place_aliases"] = _rows(
        PLACE_ALIAS_COLUMNS,
        ("Nassib crossing", "sup:nassib_crossing"),
        ("Deir Ezzor", "geonames:170794"),
        ("Raqqa countryside", "iso3166:SY-RA"),
        ("Syria", "iso3166:SY"),
    )
    tables["cameo_to_acled"] = _rows(("cameo_code",), ("19",), ("19",))  # not checked here

    assert reference_contradictions(tables) == []


def test_an_alias_ending_on_the_day_its_successor_starts_means_both_on_that_day():
    tables = _syria(
        ("Syrian army", "syria_military_assad", "2000-07-17", "2024-12-08"),
        ("Syrian army", "syria_military_interim", "2024-12-08", ""),
    )
    # The interim actor itself starts on 2024-12-09, so the alias also starts before its actor.
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 3: alias 'Syrian army' is valid from 2024-12-08, before its actor "
        "syria_military_interim (actors.csv row 5) exists (from 2024-12-09)",
        "actor_aliases.csv row 3: alias 'Syrian army' means syria_military_assad (row 2) and "
        "syria_military_interim on 2024-12-08",
    ]


def test_actors_ending_and_starting_on_the_same_day_share_an_alias_on_that_day():
    actors = _actors(
        ("old_army", "Old army", "", "", "2024-12-08"),
        ("new_army", "New army", "", "2024-12-08", ""),
    )
    aliases = _aliases(
        ("the army", "old_army", "", "2024-12-08"),
        ("the army", "new_army", "2024-12-08", ""),
    )
    assert reference_contradictions({"actors": actors, "actor_aliases": aliases}) == [
        "actor_aliases.csv row 3: alias 'the army' means old_army (row 2) and new_army on 2024-12-08",
    ]


def test_spellings_differing_in_case_and_spaces_are_one_alias():
    tables = _syria(
        ("Syrian army", "syria_military_assad", "2024-01-01", "2024-12-08"),
        ("  SYRIAN ARMY", "hts", "2024-11-27", "2024-12-31"),
    )
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 3: alias 'SYRIAN ARMY' means syria_military_assad (row 2) and hts on 2024-11-27",
    ]


def test_an_alias_equal_to_another_actors_name_is_reported_against_actors_csv():
    tables = _syria(("Hayat Tahrir al-Sham", "sdf", "2020-01-01", ""))
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 2: alias 'Hayat Tahrir al-Sham' means hts (actors.csv row 6) and sdf on 2020-01-01",
    ]


def test_two_actors_with_one_name_at_the_same_time_are_reported_in_actors_csv():
    actors = _actors(
        ("rebels_north", "Rebels", "", "", ""),
        ("rebels_south", "rebels", "", "", ""),
    )
    assert reference_contradictions({"actors": actors}) == [
        "actors.csv row 3: actor_name 'rebels' means rebels_north (row 2) and rebels_south from the beginning",
    ]


def test_an_alias_row_repeated_for_the_same_actor_is_a_duplicate():
    tables = _syria(
        ("SDF", "sdf", "2015-10-10", ""),
        ("Kurdish forces", "sdf", "2015-10-10", ""),
        ("sdf", "sdf", "2020-01-01", ""),
    )
    assert reference_contradictions(tables) == ["actor_aliases.csv row 4: alias 'sdf' repeats row 2"]


def test_an_alias_repeating_its_own_actors_name_is_allowed():
    assert reference_contradictions(_syria(("Syrian Democratic Forces", "sdf", "2016-01-01", ""))) == []


def test_an_actor_id_twice_is_reported_on_its_second_row():
    actors = _actors(
        ("hts", "Hayat Tahrir al-Sham", "", "", ""),
        ("sdf", "Syrian Democratic Forces", "", "", ""),
        ("hts", "HTS", "", "", ""),
    )
    assert reference_contradictions({"actors": actors}) == ["actors.csv row 4: actor_id 'hts' repeats row 2"]


def test_a_place_id_twice_is_reported_on_its_second_row():
    places = _rows(
        PLACE_COLUMNS,
        ("sup:liwa_52_base", "Liwa 52", ""),
        ("sup:liwa_52_base", "52nd Brigade base", ""),
    )
    assert reference_contradictions({"places_supplement": places}) == [
        "places_supplement.csv row 3: place_id 'sup:liwa_52_base' repeats row 2",
    ]


def test_an_alias_ending_before_it_starts_is_reported():
    tables = _syria(("HTS", "hts", "2025-01-01", "2024-12-08"))
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 2: valid_from 2025-01-01 is after valid_to 2024-12-08",
    ]


def test_an_actor_ending_before_it_starts_is_reported():
    actors = _actors(("hts", "Hayat Tahrir al-Sham", "", "2025-01-30", "2025-01-29"))
    assert reference_contradictions({"actors": actors}) == [
        "actors.csv row 2: valid_from 2025-01-30 is after valid_to 2025-01-29",
    ]


def test_a_one_day_period_is_valid():
    tables = _syria(("Damascus offensive forces", "hts", "2024-12-08", "2024-12-08"))
    assert reference_contradictions(tables) == []


def test_an_alias_of_an_unknown_actor_is_reported():
    tables = _syria(("HTS", "hts", "2017-01-27", "2025-01-29"), ("Nobody", "nobody", "", ""))
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 2: alias 'HTS' is valid from 2017-01-27, before its actor hts "
        "(actors.csv row 6) exists (from 2017-01-28)",
        "actor_aliases.csv row 3: actor_id 'nobody' is not in actors.csv",
    ]


def test_a_place_alias_of_an_unknown_supplement_place_is_reported():
    places = _rows(PLACE_COLUMNS, ("sup:nassib_crossing", "Nassib - Jaber border crossing", ""))
    place_aliases = _rows(
        PLACE_ALIAS_COLUMNS,
        ("Nassib crossing", "sup:nassib_crossing"),
        ("Tanf base", "sup:al_tanf_base"),
        ("Deir Ezzor", "geonames:170794"),
    )
    assert reference_contradictions({"places_supplement": places, "place_aliases": place_aliases}) == [
        "place_aliases.csv row 3: place_ref 'sup:al_tanf_base' is not in places_supplement.csv",
    ]


def test_a_place_ref_of_another_form_is_reported():
    place_aliases = _rows(
        PLACE_ALIAS_COLUMNS,
        ("Deir Ezzor", "170794"),
        ("Raqqa", "geonames:Raqqa"),
        ("Idlib", "iso3166:SY-ID"),
    )
    assert reference_contradictions({"place_aliases": place_aliases}) == [
        "place_aliases.csv row 2: place_ref '170794' is not geonames:<id>, iso3166:<code> or sup:<slug>",
        "place_aliases.csv row 3: place_ref 'geonames:Raqqa' is not geonames:<id>, iso3166:<code> or sup:<slug>",
    ]


def test_an_alias_with_open_ends_is_valid_while_its_actor_is():
    assert reference_contradictions(_syria(("HTS", "hts", "", ""), ("Tahrir al-Sham", "hts", "", "2025-01-29"))) == []


def test_an_alias_starting_before_its_actor_is_reported():
    tables = _syria(("HTS", "hts", "2017-01-27", "2025-01-29"))
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 2: alias 'HTS' is valid from 2017-01-27, before its actor hts "
        "(actors.csv row 6) exists (from 2017-01-28)",
    ]


def test_an_alias_ending_after_its_actor_is_reported():
    tables = _syria(("HTS", "hts", "2017-01-28", "2030-01-01"))
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 2: alias 'HTS' is valid until 2030-01-01, after its actor hts "
        "(actors.csv row 6) ends (2025-01-29)",
    ]


def test_an_open_alias_meets_another_actor_only_within_its_actors_period():
    """An open alias means its actor while the actor is valid: a successor's alias from the day after its
    actor ends does not contradict it, one from its last day does."""
    successor = ("Assad-era name", "syria_military_interim", "2024-12-09", "")
    assert reference_contradictions(_syria(("Assad-era name", "syria_military_assad", "", ""), successor)) == []
    overlapping = ("Assad-era name", "syria_military_interim", "2024-12-08", "")
    assert reference_contradictions(_syria(("Assad-era name", "syria_military_assad", "", ""), overlapping))[-1] == (
        "actor_aliases.csv row 3: alias 'Assad-era name' means syria_military_assad (row 2) and "
        "syria_military_interim on 2024-12-08"
    )


def test_an_alias_valid_on_its_actors_first_and_last_day_is_inside_it():
    assert reference_contradictions(_syria(("HTS", "hts", "2017-01-28", "2025-01-29"))) == []


def test_a_parent_loop_is_reported_on_every_actor_in_it():
    actors = _actors(
        ("a", "Actor A", "b", "", ""),
        ("b", "Actor B", "a", "", ""),
        ("c", "Actor C", "a", "", ""),
        ("d", "Actor D", "d", "", ""),
    )
    assert reference_contradictions({"actors": actors}) == [
        "actors.csv row 2: parent_actor_id makes a loop: a -> b -> a",
        "actors.csv row 3: parent_actor_id makes a loop: b -> a -> b",
        "actors.csv row 5: parent_actor_id makes a loop: d -> d",
    ]


def test_an_unknown_parent_actor_is_reported():
    actors = _actors(("deir_ez_zor_military_council", "Deir ez-Zor Military Council", "x", "", ""))
    assert reference_contradictions({"actors": actors}) == [
        "actors.csv row 2: parent_actor_id 'x' is not in actors.csv"
    ]


def test_supplement_parent_places_are_checked_only_when_they_are_supplement_ids():
    places = _rows(
        PLACE_COLUMNS,
        ("sup:a", "A", "sup:b"),
        ("sup:b", "B", "sup:a"),
        ("sup:c", "C", "sup:nowhere"),
        ("sup:d", "D", "geonames:0"),
        ("sup:e", "E", "iso3166:XX-ZZ"),
    )
    assert reference_contradictions({"places_supplement": places}) == [
        "places_supplement.csv row 2: parent_place_id makes a loop: sup:a -> sup:b -> sup:a",
        "places_supplement.csv row 3: parent_place_id makes a loop: sup:b -> sup:a -> sup:b",
        "places_supplement.csv row 4: parent_place_id 'sup:nowhere' is not in places_supplement.csv",
    ]


def test_a_date_not_in_iso_form_is_reported():
    tables = _syria(
        ("Syrian army", "syria_military_assad", "", "2024/12/08"),
        ("Syrian army", "syria_military_interim", "2024-02-30", ""),
    )
    assert reference_contradictions(tables) == [
        "actor_aliases.csv row 2: valid_to '2024/12/08' is not a date (YYYY-MM-DD)",
        "actor_aliases.csv row 3: valid_from '2024-02-30' is not a date (YYYY-MM-DD)",
    ]


def test_an_actor_date_not_in_iso_form_is_reported():
    actors = _actors(("hts", "Hayat Tahrir al-Sham", "", "28 Jan 2017", ""))
    assert reference_contradictions({"actors": actors}) == [
        "actors.csv row 2: valid_from '28 Jan 2017' is not a date (YYYY-MM-DD)",
    ]


def test_contradictions_come_in_file_order():
    actors = _actors(
        ("hts", "Hayat Tahrir al-Sham", "", "", ""),
        ("hts", "HTS", "", "", ""),
    )
    aliases = _aliases(("Nobody", "nobody", "", ""), ("HTS", "hts", "2020-01-01", "2019-01-01"))
    place_aliases = _rows(PLACE_ALIAS_COLUMNS, ("Nowhere", "x"))
    tables = {"place_aliases": place_aliases, "actor_aliases": aliases, "actors": actors}
    assert reference_contradictions(tables) == [
        "actors.csv row 3: actor_id 'hts' repeats row 2",
        "actor_aliases.csv row 2: actor_id 'nobody' is not in actors.csv",
        "actor_aliases.csv row 3: valid_from 2020-01-01 is after valid_to 2019-01-01",
        "place_aliases.csv row 2: place_ref 'x' is not geonames:<id>, iso3166:<code> or sup:<slug>",
    ]


def test_twenty_thousand_distinct_aliases_are_checked_without_comparing_every_pair():
    actors = _actors(*[(f"actor_{n}", f"Actor {n}", "", "", "") for n in range(100)])
    aliases = _aliases(*[(f"Spelling {n}", f"actor_{n % 100}", "", "") for n in range(20_000)])
    clash = _aliases(("spelling 19999", "actor_0", "", ""))[0] | {"_row_number": "20002"}
    assert reference_contradictions({"actors": actors, "actor_aliases": aliases}) == []
    assert reference_contradictions({"actors": actors, "actor_aliases": [*aliases, clash]}) == [
        "actor_aliases.csv row 20002: alias 'spelling 19999' means actor_99 (row 20001) and actor_0 from the beginning",
    ]


AGENT_COLUMNS = ("agent_word", "actor_kind", "cameo_agent_code", "acled_inter_code", "acled_actor_name")


def test_an_agent_word_coding_its_kind_otherwise_or_without_a_country_is_reported():
    agents = _rows(
        AGENT_COLUMNS,
        ("army", "military", "MIL", "1", "Military Forces of {country}"),
        ("troops", "military", "MIL", "2", "Military Forces of {country}"),
        ("police", "police", "COP", "1", "Police Forces"),
        ("army", "military", "MIL", "1", "Military Forces of {country}"),
    )
    assert reference_contradictions({"actor_agents": agents}) == [
        "actor_agents.csv row 3: actor_kind 'military' is coded MIL/2/Military Forces of {country} here and "
        "MIL/1/Military Forces of {country} in row 2",
        "actor_agents.csv row 4: acled_actor_name has no '{country}' for the country's name",
        "actor_agents.csv row 5: agent_word 'army' repeats row 2",
    ]
