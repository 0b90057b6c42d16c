"""Inter-coder agreement: Krippendorff's alpha for each coded field, over the units two or more coders coded.

The units are marts.report_coder_agreement_units (one row per unit and coder; the dbt model says how rows
are matched into units). For each field the values of a unit's coders are one column of the reliability
matrix (coders x units), missing where a coder gave no value; the `krippendorff` package computes alpha at
the field's level of measurement: nominal for names and categories (any two different values disagree
equally), interval for the event date (a day apart disagrees less than a month), ratio for fatalities (10
against 12 disagrees less than 0 against 2). Alpha is 1 for perfect agreement, 0 for agreement no better
than chance; Krippendorff asks for 0.8 to rely on a field, 0.667 for tentative conclusions. Where the
coders gave one value only, always the same, alpha is undefined (no variation to agree on): it is null and
the share of units agreeing says the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Level = Literal["nominal", "interval", "ratio"]


@dataclass(frozen=True)
class Field:
    """A coded field as agreement compares it: its name, its column in the units, its level of measurement."""

    name: str
    column: str
    level: Level


FIELDS = (
    Field("actor1", "actor1_value", "nominal"),
    Field("actor2", "actor2_value", "nominal"),
    Field("place", "place_value", "nominal"),
    Field("event_date", "event_date_value", "interval"),
    Field("cameo_root", "cameo_root_value", "nominal"),
    Field("acled_sub_event_type", "acled_sub_event_type_value", "nominal"),
    Field("fatalities", "fatalities_value", "ratio"),
)

# Krippendorff's thresholds (Content Analysis, 2004): rely on a field from 0.8, draw tentative conclusions
# from 0.667.
RELIABLE_ALPHA, TENTATIVE_ALPHA = 0.8, 0.667

COLUMNS = [
    "field",
    "level_of_measurement",
    "alpha",
    "share_of_units_agreeing",
    "num_units_compared",
    "num_values_compared",
    "num_units_one_coder",
    "num_coders",
    "num_articles",
    "verdict",
]


def reliability_matrix(units: pd.DataFrame, column: str, level: Level) -> np.ndarray:
    """The coders x units matrix of `column`'s values (NaN where a coder gave none); nominal values are
    numbered in sorted order."""
    table = units.pivot_table(index="coder", columns="unit_id", values=column, aggfunc="first", dropna=False)
    if level == "nominal":
        domain = sorted({value for value in units[column] if pd.notna(value)})
        codes = {value: float(number) for number, value in enumerate(domain)}
        return table.apply(lambda values: values.map(lambda value: codes.get(value, np.nan))).to_numpy(float)
    return table.apply(pd.to_numeric).to_numpy(float)


def field_agreement(units: pd.DataFrame, field: Field) -> dict[str, object]:
    """Alpha and its counts for one field (the counts of the units as a whole are agreement's)."""
    import krippendorff

    valued = units[units[field.column].notna()]
    counts = valued.groupby("unit_id")[field.column].agg(["count", "nunique"])
    compared = counts[counts["count"] >= 2]
    values = valued[valued["unit_id"].isin(compared.index)]
    alpha: float | None = None
    if values[field.column].nunique() > 1:
        matrix = reliability_matrix(values, field.column, field.level)
        alpha = float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=field.level))
    share = float((compared["nunique"] == 1).mean()) if len(compared) else None
    return {
        "field": field.name,
        "level_of_measurement": field.level,
        "alpha": alpha,
        "share_of_units_agreeing": share,
        "num_units_compared": len(compared),
        "num_values_compared": int(compared["count"].sum()),
        "verdict": verdict(alpha, share),
    }


def verdict(alpha: float | None, share: float | None) -> str:
    """What alpha says, in a coder's words."""
    if share is None:
        return "no unit where two coders gave it a value"
    if alpha is None:
        return "one value only: agreement cannot be told from chance (see the share agreeing)"
    if alpha >= RELIABLE_ALPHA:
        return "reliable (alpha >= 0.8)"
    if alpha >= TENTATIVE_ALPHA:
        return "tentative (0.667 <= alpha < 0.8)"
    return "unreliable (alpha < 0.667): compare the codings and the codebook"


def agreement(units: pd.DataFrame) -> pd.DataFrame:
    """One row per field (FIELDS' order): alpha, the share of compared units whose coders all agree, and
    what was compared. No rows when no article was coded by two coders."""
    if units.empty:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in _DTYPES.items()})
    frame = pd.DataFrame([field_agreement(units, field) for field in FIELDS])
    frame["num_units_one_coder"] = int((units.groupby("unit_id")["coder"].nunique() == 1).sum())
    frame["num_coders"] = int(units["coder"].nunique())
    frame["num_articles"] = int(units["article_id"].nunique())
    return frame[COLUMNS].astype(_DTYPES)


_DTYPES = {
    "field": "string",
    "level_of_measurement": "string",
    "alpha": "Float64",
    "share_of_units_agreeing": "Float64",
    "num_units_compared": "Int64",
    "num_values_compared": "Int64",
    "num_units_one_coder": "Int64",
    "num_coders": "Int64",
    "num_articles": "Int64",
    "verdict": "string",
}


def summary_line(frame: pd.DataFrame) -> str:
    """What was compared, in a sentence: articles, coders, and the events only one coder coded."""
    first = frame.iloc[0]

    def counted(number: int, noun: str) -> str:
        return f"{number:,} {noun}{'' if number == 1 else 's'}"

    return (
        f"{counted(first['num_articles'], 'article')} coded by {counted(first['num_coders'], 'coder')}; "
        f"{counted(first['num_units_one_coder'], 'event')} only one coder coded (not in alpha)."
    )


def in_field_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of report_coder_agreement in FIELDS' order (a table read back has none)."""
    order = {field.name: number for number, field in enumerate(FIELDS)}
    return frame.sort_values("field", key=lambda names: names.map(order)).reset_index(drop=True)


def console_table(frame: pd.DataFrame) -> str:
    """The agreement per field as the console shows it."""
    if frame.empty:
        return (
            "No article is coded by two or more coders: to measure agreement, have a second coder code articles "
            "already coded, with their own name in the coder column."
        )
    lines = [
        f"Inter-coder agreement: {summary_line(frame)}",
        f"{'field':<22}{'level':<10}{'alpha':>7}{'agreeing':>10}{'units':>7}  verdict",
    ]
    for row in frame.itertuples(index=False):
        alpha = "-" if pd.isna(row.alpha) else f"{row.alpha:.3f}"
        share = "-" if pd.isna(row.share_of_units_agreeing) else f"{row.share_of_units_agreeing:.0%}"
        lines.append(
            f"{row.field:<22}{row.level_of_measurement:<10}{alpha:>7}{share:>10}{row.num_units_compared:>7}  "
            f"{row.verdict}"
        )
    lines.append("The units, coder by coder: marts.report_coder_agreement_units.")
    return "\n".join(lines)
