"""Property-based tests: malformed rows and files thrown at the loaders never crash them, and every
input row is accounted for (accepted + rejected = read)."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventdw import inputs
from eventdw.load import load_inputs
from tests.conftest import SEEDS, make_seeds

ARTICLE = "001_80b8b6eb158c6571"
ARTICLE_TEXT = (SEEDS / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
REASON = re.compile(r"^[a-z0-9_]+: ")
COLUMNS = list(inputs.EXTRACTION_COLUMNS)

junk = st.text(max_size=30)
valid_quote = st.integers(0, len(ARTICLE_TEXT) - 40).flatmap(
    lambda start: st.integers(5, 40).map(lambda length: ARTICLE_TEXT[start : start + length])
)
FIELDS = {
    "article_id": st.sampled_from([ARTICLE, ARTICLE, "nope", "", f" {ARTICLE} ", "000_4938db59a5dbecdc"]) | junk,
    "event_date": st.sampled_from(["2024-12-05", "2024-12-06", "2024-02-30", "06/12/2024", "", "2024-12-31"]) | junk,
    "actor1": st.sampled_from(["SDF", "Syrian government forces", "", "  "]) | junk,
    "cameo_code": st.sampled_from(["192", "0874", "874", "999", "", "19x", "01"]) | junk,
    "location": st.sampled_from(["Deir ez-Zor", "Homs", "", "Atlantis"]) | junk,
    "quote": valid_quote | st.sampled_from(["", "not in the article"]) | junk,
    "actor2": st.sampled_from(["", "SDF"]) | junk,
    "time_precision": st.sampled_from(["", "1", "2", "4", "7", "x", "-1"]),
    "geo_precision": st.sampled_from(["", "1", "3", "0", "2.5"]),
    "fatalities": st.sampled_from(["", "0", "3", "-1", "many", "2.5", "99999999999999999999"]),
    "acled_sub_event_type": st.sampled_from(["", "Armed clash", "Massacre"]),
    "coder": junk,
    "confidence": st.sampled_from(["", "0.5", "1.5", "high", "nan"]),
    "notes": junk,
    "country": st.sampled_from(["", "SY", "syr", "Syria", "Narnia", " sy "]) | junk,
}
row = st.fixed_dictionaries(FIELDS)
ragged = st.lists(junk, min_size=1, max_size=20).filter(lambda fields: len(fields) != len(COLUMNS))
record = st.one_of(row.map(lambda r: [r[c] for c in COLUMNS]), ragged)


def _csv_text(records: list[list[str]]) -> str:
    buffer = io.StringIO()
    # RFC 4180 line ends: with "\n" the writer would leave a field holding a bare "\r" unquoted, and a
    # reader rightly sees two records there.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(records)
    return buffer.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_any_bytes_are_read_or_rejected_whole_never_raised(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "extractions" / "x.csv"
        path.parent.mkdir()
        path.write_bytes(data)
        result = inputs.read_csv_file(path, inputs.EXTRACTION_REQUIRED, "extraction")
    whole_file = [r for r in result.rejections if r.row_number is None]
    if whole_file:
        assert result.rows == [] and len(whole_file) == 1
    assert all(REASON.match(r.reason) for r in result.rejections)
    numbers = [int(r["_row_number"] or 0) for r in result.rows] + [
        r.row_number for r in result.rejections if r.row_number
    ]
    assert len(numbers) == len(set(numbers))


# 60 examples of 20-40 rows each: about 1,800 generated rows, on top of the 300 files above.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(record, min_size=20, max_size=40))
def test_every_generated_row_is_accepted_or_rejected_with_a_reason(records):
    with tempfile.TemporaryDirectory() as folder:
        seeds = make_seeds(Path(folder), {"generated.csv": _csv_text(records)}, ["000_4938db59a5dbecdc", ARTICLE])
        with duckdb.connect() as con:
            summary = load_inputs(con, seeds, "property")
            (accepted,) = con.execute("select count(*) from raw.extractions").fetchone()
            reasons = [r for (r,) in con.execute("select reason from raw.rejected_rows").fetchall()]
    data_rows = [r for r in records if any(field.strip() for field in r)]
    assert summary.extraction_rows_read == len(data_rows)
    assert accepted + len(reasons) == len(data_rows)
    # A row's reasons are joined by "; ", which a quoted excerpt may also hold: each reason starts a part.
    assert all(REASON.match(reason) for reason in reasons)
