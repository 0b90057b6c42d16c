"""Inter-coder agreement: Krippendorff's alpha per field, checked against the hand computation.

Alpha = 1 - D_o / D_e. Over the n values of the units two or more coders coded, D_o sums each unit's ordered
pairs of values' squared difference divided by the unit's values minus one, over n; D_e sums every ordered
pair of the n values' squared difference over n(n - 1). Nominal: a difference is 0 or 1.
"""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eventdw.agreement import FIELDS, agreement, console_table
from eventdw.cli import main
from tests.conftest import SEEDS, make_seeds


def units(rows: list[tuple[str, str, object]], column: str = "cameo_root_value") -> pd.DataFrame:
    """A units table of (unit, coder, value) rows for one field, the others left without values."""
    frame = pd.DataFrame(rows, columns=["unit_id", "coder", column])
    frame["article_id"] = "a1"
    for field in FIELDS:
        if field.column not in frame:
            frame[field.column] = None
    return frame


def row(frame: pd.DataFrame, field: str) -> pd.Series:
    return frame.set_index("field").loc[field]


def test_coders_who_agree_on_every_unit_have_alpha_one():
    frame = agreement(units([("u1", "ann", "19"), ("u1", "bob", "19"), ("u2", "ann", "08"), ("u2", "bob", "08")]))
    cameo = row(frame, "cameo_root")
    assert (cameo["alpha"], cameo["share_of_units_agreeing"], cameo["num_units_compared"]) == (1.0, 1.0, 2)
    assert cameo["verdict"].startswith("reliable")


def test_coders_who_always_disagree_are_below_chance():
    # Values a, b, b, a in two units: D_o = 4 / 4 = 1; D_e = (16 - 2*2 - 2*2) / 12 = 8 / 12.
    frame = agreement(units([("u1", "ann", "a"), ("u1", "bob", "b"), ("u2", "ann", "b"), ("u2", "bob", "a")]))
    cameo = row(frame, "cameo_root")
    assert cameo["alpha"] == pytest.approx(1 - 1 / (8 / 12)) == -0.5
    assert cameo["share_of_units_agreeing"] == 0.0 and cameo["verdict"].startswith("unreliable")


def test_partial_agreement_on_a_skewed_field_is_chance():
    # Three units agree on 19, one has 08 against 19: 75% agree, but 19 is 7 of the 8 values, so that much
    # agreement is what chance gives. D_o = 2 / 8; D_e = (64 - 49 - 1) / 56 = 14 / 56: alpha = 0.
    rows = [("u1", "ann", "08"), ("u1", "bob", "19")]
    rows += [(unit, coder, "19") for unit in ("u2", "u3", "u4") for coder in ("ann", "bob")]
    rows += [("u5", "ann", "19")]  # one coder only: not compared
    cameo = row(agreement(units(rows)), "cameo_root")
    assert cameo["alpha"] == pytest.approx(0.0, abs=1e-12)
    assert (cameo["share_of_units_agreeing"], cameo["num_units_compared"], cameo["num_values_compared"]) == (
        0.75,
        4,
        8,
    )
    assert cameo["num_units_one_coder"] == 1


def test_dates_are_compared_as_intervals_and_fatalities_as_ratios():
    # Days: (0, 0), (1, 0), (-8, -8). D_o = 2 / 6; the squared differences of all ordered pairs of
    # 0, 0, 1, 0, -8, -8: 0-1 three pairs of 1, 0-(-8) six pairs of 64, 1-(-8) two of 81, both ways: 1,098.
    dates = agreement(units([("u1", "ann", 0), ("u1", "bob", 0), ("u2", "ann", 1), ("u2", "bob", 0),
                             ("u3", "ann", -8), ("u3", "bob", -8)], "event_date_value"))  # fmt: skip
    assert row(dates, "event_date")["alpha"] == pytest.approx(1 - (2 / 6) / (2 * (3 + 384 + 162) / 30))
    # Ratio: 10 against 12 differs by ((10 - 12) / 22)^2; 0 against 0 not at all.
    dead = agreement(units([("u1", "ann", 10), ("u1", "bob", 12), ("u2", "ann", 0), ("u2", "bob", 0)],
                           "fatalities_value"))  # fmt: skip
    # All ordered pairs: (10, 12) and, twice each, (10, 0) and (12, 0), which differ by 1; both ways.
    expected_d = 2 * ((2 / 22) ** 2 + 2 * 1.0 + 2 * 1.0) / (4 * 3)
    assert row(dead, "fatalities")["alpha"] == pytest.approx(1 - (2 * (2 / 22) ** 2 / 4) / expected_d)


def test_one_value_only_gives_no_alpha_and_no_articles_give_no_rows():
    frame = agreement(units([("u1", "ann", "19"), ("u1", "bob", "19"), ("u2", "ann", "19"), ("u2", "bob", "19")]))
    cameo = row(frame, "cameo_root")
    assert pd.isna(cameo["alpha"]) and cameo["share_of_units_agreeing"] == 1.0
    assert "cannot be told from chance" in cameo["verdict"]
    assert pd.isna(row(frame, "fatalities")["share_of_units_agreeing"])  # nobody gave fatalities
    assert agreement(units([]).iloc[0:0]).empty
    assert "No article is coded by two or more coders" in console_table(agreement(units([]).iloc[0:0]))


ARTICLE = "000_4938db59a5dbecdc"


def two_coders_csv() -> str:
    """The seed coder's rows of one article as ann's, and bob's: the same but for a CAMEO root (0841 against
    190), a date a day off, another first actor (HTS for rebels), and one event left out."""
    ann = pd.read_csv(SEEDS / "extractions" / f"{ARTICLE}.csv", dtype=str, keep_default_na=False)
    ann["coder"] = "ann"
    bob = ann.copy()
    bob["coder"] = "bob"
    bob.loc[bob["cameo_code"] == "0841", "cameo_code"] = "190"
    bob.loc[bob["location"] == "Homs", "event_date"] = "2024-12-06"  # ann: 2024-12-07
    bob.loc[bob["location"] == "Aleppo", "actor1"] = "HTS"  # ann: rebels
    bob = bob[bob["location"] != "Hama"]
    return pd.concat([ann, bob]).to_csv(index=False)


@pytest.fixture(scope="module")
def two_coder_run(prefect_harness, tmp_path_factory):
    from eventdw.flow import eventdw_pipeline

    root = tmp_path_factory.mktemp("agreement")
    seeds = make_seeds(root, {f"{ARTICLE}.csv": two_coders_csv()}, articles=[ARTICLE])
    summary = eventdw_pipeline(seeds, root / "warehouse" / "eventdw.duckdb", root / "exports", root / "data_docs")
    return root, summary


def test_two_coders_of_one_article_are_matched_by_passage_and_measured(two_coder_run):
    import duckdb

    root, _ = two_coder_run
    with duckdb.connect(str(root / "warehouse" / "eventdw.duckdb")) as con:
        unit_rows = con.execute("select * from marts.report_coder_agreement_units order by unit_id, coder").df()
        frame = con.execute("select * from marts.report_coder_agreement").df()
    # Four passages; the last holds two events (Aleppo, then Hama by date), bob coded only the first.
    assert unit_rows["unit_id"].nunique() == 5 and len(unit_rows) == 9
    alone = unit_rows.groupby("unit_id").filter(lambda unit: len(unit) == 1)
    assert list(alone["coder"]) == ["ann"] and "Hama" in alone["quote"].iloc[0]
    # The same unit pairs each of ann's rows with bob's version of it.
    for _, pair in unit_rows.groupby("unit_id"):
        assert pair["place_value"].nunique() == 1
    # CAMEO root: 08 against 19 in one unit, 19 in the three others: alpha 0 (see the skewed-field test).
    cameo = row(frame, "cameo_root")
    assert cameo["alpha"] == pytest.approx(0.0, abs=1e-12) and cameo["share_of_units_agreeing"] == 0.75
    # Actor 1: DMC, DMC, SDF, SDF, rebels x3, HTS: D_o = 2/8, D_e = (64 - 4 - 4 - 9 - 1) / 56.
    assert row(frame, "actor1")["alpha"] == pytest.approx(1 - (2 / 8) / (46 / 56))
    # Date, days from 2024-12-06: (0,0) (0,0) (1,0) (-8,-8): 0 x5, 1, -8 x2; ordered pairs' squared
    # differences: 2 * (5 * 1 + 10 * 64 + 2 * 81).
    assert row(frame, "event_date")["alpha"] == pytest.approx(1 - (2 / 8) / (2 * (5 + 640 + 162) / 56))
    for field in ("actor2", "place", "acled_sub_event_type"):
        assert row(frame, field)["alpha"] == 1.0
    assert pd.isna(row(frame, "fatalities")["alpha"])  # the article gives no figure
    assert (cameo["num_coders"], cameo["num_articles"], cameo["num_units_one_coder"]) == (2, 1, 1)

    # The console table and the quality report's page say the same.
    result = CliRunner().invoke(main, ["agreement", "--warehouse", str(root / "warehouse" / "eventdw.duckdb")])
    assert result.exit_code == 0, result.output
    assert "1 article coded by 2 coders; 1 event only one coder coded" in result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:-1]}
    assert list(lines) == [field.name for field in FIELDS]
    assert "0.000" in lines["cameo_root"] and "75%" in lines["cameo_root"] and "unreliable" in lines["cameo_root"]
    assert f"{1 - (2 / 8) / (46 / 56):.3f}" in lines["actor1"]
    page = (root / "data_docs" / "agreement.html").read_text()
    assert "<td>cameo_root</td><td>nominal</td><td>0.000</td><td>75%</td>" in page
    assert "agreement.html" in (root / "data_docs" / "index.html").read_text()


def test_agreement_on_a_missing_warehouse_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["agreement", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: no warehouse at {tmp_path / 'none.duckdb'}: run `eventdw run` first"
