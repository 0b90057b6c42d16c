"""ACLED and GDELT files in the inputs' acled/ and gdelt/ folders: every row read or rejected with a reason,
ACLED's revisions and deletions applied, actors and places resolved to the warehouse's, events of two
sources linked when they are the same happening, and an ACLED file exported as it was imported.

The fixtures are in tests/data: ACLED exports written for these tests in both of ACLED's formats (current
and older), a deletions file, and GDELT 2.0 files made from the real sample rows the gdelt package ships
(50 events of 1 July 2017 and 50 mentions: tab-separated, no header, the mentions zipped).
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from eventdw import export, state
from eventdw.ingest import load_inputs, raw_tables
from eventdw.transform import dbt_build
from tests.conftest import REPO, SEEDS, acled_csv, marts_snapshot

DATA = REPO / "tests" / "data"


def _gdelt_event(**values: str) -> str:
    """One GDELT 2.0 event line: the 61 columns, those not given blank."""
    return "\t".join(values.get(name, "") for name in raw_tables.GDELT_EVENT_COLUMNS) + "\n"


def _gdelt_mention(**values: str) -> str:
    return "\t".join(values.get(name, "") for name in raw_tables.GDELT_MENTION_COLUMNS) + "\n"


# A GDELT event of our own in Syria: Syria's military (SYRMIL) attacks rebels (SYRREB, several actors) in
# Deir ez-Zor on the day the SDF took it.
SYRIA_EVENT = {
    "GLOBALEVENTID": "1200000001",
    "SQLDATE": "20241206",
    "MonthYear": "202412",
    "Year": "2024",
    "FractionDate": "2024.9260",
    "Actor1Code": "SYRMIL",
    "Actor1Name": "SYRIA",
    "Actor1CountryCode": "SYR",
    "Actor1Type1Code": "MIL",
    "Actor2Code": "SYRREB",
    "Actor2Name": "SYRIA",
    "Actor2CountryCode": "SYR",
    "Actor2Type1Code": "REB",
    "IsRootEvent": "1",
    "EventCode": "190",
    "EventBaseCode": "190",
    "EventRootCode": "19",
    "QuadClass": "4",
    "GoldsteinScale": "-10.0",
    "NumMentions": "2",
    "NumSources": "1",
    "NumArticles": "2",
    "AvgTone": "-7.5",
    "ActionGeo_Type": "4",
    "ActionGeo_FullName": "Deir ez-Zor, Dayr az Zawr, Syria",
    "ActionGeo_CountryCode": "SY",
    "ActionGeo_ADM1Code": "SY07",
    "ActionGeo_Lat": "35.3359",
    "ActionGeo_Long": "40.1408",
    "ActionGeo_FeatureID": "-2098451",
    "DATEADDED": "20241206120000",
    "SOURCEURL": "https://example.org/deir-ez-zor",
}


def _inputs(root: Path) -> Path:
    """The seeds, the ACLED and GDELT fixtures, and GDELT files with a bad row, an event of our own, an
    orphan mention, a GKG file and a zip of two files."""
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(DATA / "acled", seeds / "acled")
    shutil.copytree(DATA / "gdelt", seeds / "gdelt")
    gdelt = seeds / "gdelt"
    (gdelt / "20241206120000.export.CSV").write_text(
        _gdelt_event(**SYRIA_EVENT)
        + "1200000002\t20241206\t202412\n"  # 3 fields
        + _gdelt_event(**(SYRIA_EVENT | {"GLOBALEVENTID": "1200000003", "SQLDATE": "20241306"}))
        + _gdelt_event(**(SYRIA_EVENT | {"GLOBALEVENTID": "1200000004", "EventCode": "999"})),
        encoding="utf-8",
    )
    (gdelt / "20241206120000.mentions.CSV").write_text(
        _gdelt_mention(
            GLOBALEVENTID="1200000001",
            EventTimeDate="20241206120000",
            MentionTimeDate="20241206120000",
            MentionType="1",
            MentionSourceName="example.org",
            MentionIdentifier="https://example.org/deir-ez-zor",
            SentenceID="3",
            Actor1CharOffset="120",
            Actor2CharOffset="-1",
            ActionCharOffset="140",
            InRawText="1",
            Confidence="80",
            MentionDocLen="2400",
            MentionDocTone="-7.5",
        )
        + _gdelt_mention(  # an event of a file not loaded
            GLOBALEVENTID="1100000000",
            EventTimeDate="20241205000000",
            MentionTimeDate="20241206120000",
            MentionType="1",
            MentionSourceName="example.org",
            MentionIdentifier="https://example.org/earlier",
            Confidence="50",
        )
        + _gdelt_mention(GLOBALEVENTID="1200000001", MentionTimeDate="20241206120000", Confidence="150"),
        encoding="utf-8",
    )
    (gdelt / "20241206120000.gkg.csv").write_text("not read\n", encoding="utf-8")
    with zipfile.ZipFile(gdelt / "20241206121500.export.CSV.zip", "w") as archive:
        archive.writestr("a.export.CSV", _gdelt_event(**SYRIA_EVENT))
        archive.writestr("b.export.CSV", _gdelt_event(**SYRIA_EVENT))
    return seeds


def _load_and_build(seeds: Path, warehouse: Path):
    with duckdb.connect(str(warehouse)) as con:
        load_inputs(con, seeds, "imports")
    return dbt_build(warehouse)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("imports")
    seeds = _inputs(root)
    warehouse = root / "w.duckdb"
    assert _load_and_build(seeds, warehouse).full_refresh
    with duckdb.connect(str(warehouse)) as con:
        yield seeds, warehouse, con


def _rows_in(path: Path) -> int:
    """The data rows of an input file as a reader counts them: CSV records after the header, GDELT lines."""
    data = path.read_bytes()
    if path.name.lower().endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            data = archive.read(archive.namelist()[0])
    text = data.decode("utf-8")
    if path.parent.name == "acled":
        return len(list(csv.reader(io.StringIO(text)))) - 1
    return sum(1 for line in text.splitlines() if line.strip())


def test_every_imported_row_is_accepted_or_rejected_with_a_reason_naming_its_field(imported):
    seeds, _, con = imported
    accepted = dict(
        con.execute(
            """
            select source_file, count(*) from (
                select source_file from raw.acled_events union all select source_file from raw.acled_deletions
                union all select source_file from raw.gdelt_events union all select source_file from raw.gdelt_mentions
            ) group by source_file
            """
        ).fetchall()
    )
    rejected = dict(
        con.execute(
            "select source_file, count(*) from raw.rejected_rows where input_kind in ('acled', 'gdelt') "
            "and row_number is not null group by source_file"
        ).fetchall()
    )
    files_rejected = dict(
        con.execute(
            "select source_file, reason from raw.rejected_rows where input_kind in ('acled', 'gdelt') "
            "and row_number is null"
        ).fetchall()
    )
    for folder in ("acled", "gdelt"):
        for path in sorted((seeds / folder).iterdir()):
            name = f"{folder}/{path.name}"
            if name in files_rejected:
                assert name not in accepted
                continue
            assert accepted.get(name, 0) + rejected.get(name, 0) == _rows_in(path), name
    assert files_rejected == {
        "gdelt/20241206120000.gkg.csv": (
            "file: not a GDELT 2.0 events or mentions file (named *.export.CSV or *.mentions.CSV, zipped or not)"
        ),
        "gdelt/20241206121500.export.CSV.zip": "file: a zip archive must hold one file (this one holds 2)",
    }
    reasons = dict(
        con.execute(
            "select source_file || ':' || row_number, reason from raw.rejected_rows "
            "where input_kind in ('acled', 'gdelt') and row_number is not null"
        ).fetchall()
    )
    assert reasons == {
        "acled/syria_2024.csv:6": "event_date: '31 Foo 2024' is not a date (2025-05-16, 16 May 2025 or 16-May-25)",
        "acled/syria_2024.csv:7": "latitude: '135.1318' is not a number from -90 to 90",
        "gdelt/20241206120000.export.CSV:2": "row: has 3 tab-separated fields; a GDELT 2.0 event has 61",
        "gdelt/20241206120000.export.CSV:3": "SQLDATE: '20241306' is not a date as YYYYMMDD",
        "gdelt/20241206120000.export.CSV:4": "EventCode: '999' is not a CAMEO event code",
        "gdelt/20241206120000.mentions.CSV:3": (
            "MentionIdentifier: missing; Confidence: '150' is not a whole number from 0 to 100"
        ),
    }


def test_acleds_date_forms_and_older_numeric_codes_are_read_as_its_current_values(imported):
    _, _, con = imported
    rows = {
        (row[0], row[1]): row[2:]
        for row in con.execute(
            "select event_id_cnty, source_file, event_date, inter1, inter2, interaction, iso3 from raw.acled_events"
        ).fetchall()
    }
    assert rows["IRQ5001", "acled/iraq_older.csv"] == (
        date(2020, 5, 9),
        "Rebel group",
        "State forces",
        "State forces-Rebel group",
        "IRQ",
    )
    assert rows["IRQ5002", "acled/iraq_older.csv"] == (date(2020, 5, 10), "Protesters", None, "Protesters only", "IRQ")
    assert rows["SYR400001", "acled/syria_2025_revisions.csv"][0] == date(2024, 12, 6)  # "6 December 2024"
    (disorder,) = con.execute(
        "select disorder_type from staging.stg_imports__acled_events where event_id_cnty = 'IRQ5001'"
    ).fetchone()
    assert disorder == "Political violence"  # older files lack it: the sub-event type's


def test_a_revision_replaces_the_event_and_a_deletion_removes_it(imported):
    _, _, con = imported
    events = dict(
        con.execute(
            "select source_event_id, fatalities from marts.fact_events where source_system = 'acled'"
        ).fetchall()
    )
    assert events == {"SYR400001": 2, "SYR400002": 12, "SYR400003": 0, "SDN400004": 25, "IRQ5001": 3}
    (versions,) = con.execute("select count(*) from raw.acled_events where event_id_cnty = 'SYR400001'").fetchone()
    assert versions == 2  # both versions are kept in raw
    (notes,) = con.execute("select notes from marts.acled_events where event_id_cnty = 'SYR400001'").fetchone()
    assert notes.endswith("two SDF fighters were killed.")


def test_imported_actors_and_places_resolve_to_the_warehouses_or_are_added_with_their_names(imported):
    _, _, con = imported
    resolved = {
        row[0]: row[1:]
        for row in con.execute("select event_id, actor1_id, actor2_id, place_id from marts.fact_events").fetchall()
    }
    assert resolved["acled:SYR400001"] == ("sdf", "syria_military_assad", "geonames:170794")  # Deir ez-Zor
    assert resolved["acled:SYR400003"][:2] == ("protesters_syria", None)
    assert resolved["acled:IRQ5001"][:2] == ("islamic_state", "composite:IRQ:military")
    # SYRMIL is Syria's military of the day; SYRREB is several curated actors, so GDELT's own
    assert resolved["gdelt:1200000001"] == ("syria_military_assad", "gdelt:SYRREB", "geonames:170794")
    place = con.execute(
        "select place_name, place_type, country_iso3, acled_region, admin1_name, latitude, longitude "
        "from marts.dim_place where place_id = 'acled:SDN:El Fasher'"
    ).fetchone()
    assert place == ("El Fasher", "acled location", "SDN", "Northern Africa", "North Darfur", 13.6279, 25.3494)
    actor = con.execute(
        "select actor_name, cameo_actor_code, acled_inter_code, country_iso3, actor_source "
        "from marts.dim_actor where actor_id = 'gdelt:SYRREB'"
    ).fetchone()
    assert actor == ("SYRIA", "SYRREB", 2, "SYR", "gdelt")
    counts = dict(con.execute("select source_system, count(*) from marts.fact_events group by 1").fetchall())
    assert counts == {"coded": 48, "acled": 5, "gdelt": 51}


def test_a_coded_event_acled_and_gdelt_also_have_is_linked_with_the_rule_that_linked_it(imported):
    _, _, con = imported
    links = con.execute(
        """
        select coded.actor1_id, coded.actor2_id, bridge.linked_event_id, bridge.match_rule
        from marts.bridge_event_sources as bridge
        inner join marts.fact_events as coded on coded.event_id = bridge.event_id
        where bridge.source_system = 'coded' and coded.place_id = 'geonames:170794'
            and coded.acled_sub_event_type = 'Non-violent transfer of territory' and coded.actor1_id = 'sdf'
        order by bridge.linked_event_id
        """
    ).fetchall()
    assert links == [
        ("sdf", "syria_military_assad", "acled:SYR400001", "same actors; same place; same day"),
        ("sdf", "syria_military_assad", "gdelt:1200000001", "same actor; same place; same day"),
    ] or links == [("sdf", "syria_military_assad", "acled:SYR400001", "same actors; same place; same day")]
    (acled_gdelt,) = con.execute(
        "select match_rule from marts.bridge_event_sources "
        "where event_id = 'acled:SYR400001' and linked_event_id = 'gdelt:1200000001'"
    ).fetchone() or (None,)
    assert acled_gdelt is None  # SYRREB is not the SDF: GDELT's rebels are not linked to them
    protest = con.execute(
        "select match_rule from marts.bridge_event_sources where linked_event_id = 'acled:SYR400003'"
    ).fetchall()
    assert protest == [("same actor; same place; same day",)]  # ACLED's protest has one actor
    unlinked = con.execute(
        "select count(*) from marts.bridge_event_sources "
        "where 'acled:SDN400004' in (event_id, linked_event_id) or 'acled:SYR400002' in (event_id, linked_event_id)"
    ).fetchone()
    assert unlinked == (0,)  # no coded event in Sudan; HTS is not the opposition the coders named in Homs


def test_a_gdelt_mention_whose_event_is_not_loaded_is_kept(imported):
    _, _, con = imported
    kept = con.execute("select MentionIdentifier from raw.gdelt_mentions where GLOBALEVENTID = 1100000000").fetchall()
    assert kept == [("https://example.org/earlier",)]
    (mentions,) = con.execute(
        "select num_mentions from marts.fact_events where event_id = 'gdelt:1200000001'"
    ).fetchone()
    assert mentions == 2  # GDELT's NumMentions; one of them loaded


def test_an_acled_file_imported_and_exported_comes_back_with_the_same_values(imported, tmp_path):
    _, warehouse, _ = imported
    export.export_marts(warehouse, tmp_path / "exports", "round trip")
    header, rows = acled_csv(tmp_path / "exports")
    exported = {row["event_id_cnty"]: row for row in rows}
    with (DATA / "acled" / "syria_2025_revisions.csv").open(encoding="utf-8", newline="") as handle:
        current = {row["event_id_cnty"]: row for row in csv.DictReader(handle)}
    with (DATA / "acled" / "syria_2024.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["event_id_cnty"] not in current and row["event_id_cnty"] in ("SYR400002", "SYR400003", "SDN400004"):
                current[row["event_id_cnty"]] = row
    assert len(current) == 4
    assert header == list(raw_tables.ACLED_COLUMNS)
    for event_id, row in current.items():
        out = exported[event_id]
        for column in raw_tables.ACLED_COLUMNS:
            if column == "event_date":
                assert out[column] == "2024-12-06" if event_id == "SYR400001" else out[column] == row[column]
            elif column in ("latitude", "longitude"):
                assert float(out[column]) == float(row[column]), (event_id, column)
            else:
                assert out[column] == row[column], (event_id, column)


def test_importing_the_same_files_again_changes_nothing(imported, tmp_path):
    seeds, warehouse, _ = imported
    copy = tmp_path / "w.duckdb"
    shutil.copy(warehouse, copy)
    if warehouse.with_suffix(".duckdb.wal").exists():  # the module's connection is open: its log too
        shutil.copy(warehouse.with_suffix(".duckdb.wal"), copy.with_suffix(".duckdb.wal"))

    def raw_rows(path):
        with duckdb.connect(str(path)) as con:
            return {
                table: sorted(map(repr, con.execute(f"select * exclude (loaded_at) from raw.{table}").fetchall()))
                for table in ("acled_events", "acled_deletions", "gdelt_events", "gdelt_mentions")
            }

    before = raw_rows(copy)
    with duckdb.connect(str(copy)) as con:
        load_inputs(con, seeds, "again")
    assert raw_rows(copy) == before
    full_refresh, why, changes = state.plan_build(copy)
    assert (full_refresh, why, bool(changes)) == (False, "nothing changed", False)


def test_an_edited_revised_or_deleted_acled_event_reaches_the_marts_incrementally_as_a_fresh_build_has_it(
    tmp_path,
):
    seeds = _inputs(tmp_path)
    warehouse = tmp_path / "w.duckdb"
    assert _load_and_build(seeds, warehouse).full_refresh
    acled = seeds / "acled"
    text = (acled / "syria_2024.csv").read_text(encoding="utf-8")
    (acled / "syria_2024.csv").write_text(text.replace(",12,,1733800000", ",13,,1733800000"), encoding="utf-8")
    with (acled / "deletions.csv").open("a", encoding="utf-8") as handle:
        handle.write("SYR400003,1733800000\n")
    (seeds / "gdelt" / "20241206120000.mentions.CSV").unlink()
    # and a coder's edit of the coded event ACLED and GDELT also have: its pairs are looked for again
    coded = seeds / "extractions" / "000_4938db59a5dbecdc.csv"
    lines = coded.read_text(encoding="utf-8").splitlines(keepends=True)
    assert ",Deir el-Zor,1,," in lines[1]
    lines[1] = lines[1].replace(",Deir el-Zor,1,,", ",Deir el-Zor,1,1,")
    coded.write_text("".join(lines), encoding="utf-8")

    result = _load_and_build(seeds, warehouse)
    fresh = tmp_path / "fresh" / "w.duckdb"
    fresh.parent.mkdir()
    _load_and_build(seeds, fresh)

    assert not result.full_refresh
    # SYR400002 edited, SYR400003 deleted, and the two GDELT events whose mentions went with the file (one of
    # them an event no file holds)
    assert result.description == "incremental: 1 row changed, 4 imported events added, changed or removed"
    assert marts_snapshot(warehouse) == marts_snapshot(fresh)
    with duckdb.connect(str(warehouse)) as con:
        events = dict(
            con.execute(
                "select source_event_id, fatalities from marts.fact_events where source_system = 'acled'"
            ).fetchall()
        )
    assert events == {"SYR400001": 2, "SYR400002": 13, "SDN400004": 25, "IRQ5001": 3}
    with duckdb.connect(str(warehouse)) as con:
        linked = con.execute(
            "select bridge.linked_event_id, bridge.run_id = mention.run_id from marts.bridge_event_sources as bridge "
            "inner join marts.fact_event_mentions as mention on mention.event_id = bridge.event_id "
            "where mention.source_file = 'extractions/000_4938db59a5dbecdc.csv' and mention.source_row_number = 2"
        ).fetchall()
    assert ("acled:SYR400001", True) in linked  # the edited event's pair, found again by this build
