"""The CSV readers: DuckDB's bulk reader takes only the files it reads exactly as the Python reader does, and
the loader lands every file as the Python reader reads it."""

from __future__ import annotations

import pytest

from tests.conftest import EXTRACTION_HEADER
from tests.test_load import A1, GOOD_QUOTE, _load, _row


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
@pytest.mark.parametrize(
    ("extra_rows", "bulk_attempts"),
    [
        ("", [True]),  # plain: the bulk reader lands it
        ("a,b,c\n", [False]),  # a short row: the bulk reader refuses the file, the Python reader names the row
        (" , , \n", []),  # a blank row: not plain (the Python reader skips it but counts it in row numbers)
    ],
)
def test_bulk_and_python_csv_readers_land_the_same_rows(tmp_path, monkeypatch, extra_rows, bulk_attempts, line_end):
    """Plain files go through DuckDB's CSV reader, others through Python's; both must land the same."""
    from eventdw.ingest import csv_readers

    bulk_landed, read_plain_csv = [], csv_readers.read_plain_csv

    def spy(*args):
        rows = read_plain_csv(*args)
        bulk_landed.append(rows is not None)
        return rows

    monkeypatch.setattr(csv_readers, "read_plain_csv", spy)

    quoted = _row(notes='a note, with a comma and "quotes"\non two lines', actor2="  ", fatalities="3")
    text = EXTRACTION_HEADER.replace("notes", "notes,extra") + "".join(
        line.rstrip("\n") + f",x{number}\n" for number, line in enumerate([_row(), quoted, _row(cameo_code="999")])
    )
    text += extra_rows + _row(event_date="2024-12-05").rstrip("\n") + ",\n"
    text = text.replace("\n", line_end)  # the quoted note's line break too: one line end throughout
    landed = []
    for bulk in (True, False):
        if not bulk:
            monkeypatch.setattr(csv_readers, "plain_csv_header", lambda data, required: None)
        con, summary = _load(tmp_path / str(bulk), {"a.csv": text})
        landed.append(
            (
                summary,
                con.execute("select * exclude (loaded_at) from raw.extractions order by all").fetchall(),
                con.execute("select * exclude (rejected_at) from raw.rejected_rows order by all").fetchall(),
            )
        )
    assert bulk_landed == bulk_attempts
    assert landed[0] == landed[1]
    assert len(landed[0][1]) + len(landed[0][2]) == summary.extraction_rows_read


def test_a_file_with_only_the_required_columns_lands_through_the_bulk_reader(tmp_path, monkeypatch):
    """The optional columns a file lacks are null (several of them once failed the bulk read)."""
    from eventdw.ingest import csv_readers

    bulk_landed, read_plain_csv = [], csv_readers.read_plain_csv
    monkeypatch.setattr(
        csv_readers, "read_plain_csv", lambda *args: bulk_landed.append(read_plain_csv(*args)) or bulk_landed[-1]
    )
    text = "article_id,event_date,actor1,cameo_code,location,quote\n" + "".join(
        f'{A1},{day},Syrian government forces,0874,Deir ez-Zor,"{GOOD_QUOTE}"\n' for day in ("2024-12-05", "2024-12-06")
    )
    con, summary = _load(tmp_path, {"a.csv": text})
    assert [landed is not None for landed in bulk_landed] == [True]
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (2, 0)
    assert con.execute("select distinct actor2, time_precision, fatalities, coder from raw.extractions").fetchall() == [
        (None, 1, None, None)
    ]


@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (b"article_id,event_date,actor1,cameo_code,location,quote\na,b,c,d,e,f\n", True),
        (b"article_id,event_date,actor1,cameo_code,location,quote\r\na,b,c,d,e,f\r\n", True),
        (b"\xef\xbb\xbfarticle_id,event_date,actor1,cameo_code,location,quote\na,b,c,d,e,f\n", False),  # a BOM
        (b" ,\narticle_id,event_date,actor1,cameo_code,location,quote\na,b,c,d,e,f\n", False),  # blank first line
        (b"article_id,event_date,actor1,cameo_code,location,quote\r\n\t\r\na,b,c,d,e,f\r\n", False),  # blank line
        (b"article_id,event_date,actor1,cameo_code,location,quote\na,b,c,d,e,f\n\n", False),  # blank last line
        (b"article_id,event_date,actor1,cameo_code,location,quote\na,b,c,d,e,f\r\n", False),  # mixed line ends
    ],
)
def test_only_plain_csv_files_take_the_bulk_reader(data, plain):
    from eventdw.ingest import csv_readers, raw_tables

    assert (csv_readers.plain_csv_header(data, raw_tables.EXTRACTION_REQUIRED) is not None) == plain


def _read_both_ways(extractions_dir):
    """The one file in `extractions_dir` as the loader reads it (the bulk reader where it may) and as the
    Python reader reads it: (rejections, rows as landed) each."""
    from eventdw.ingest import csv_readers, extractions, files, raw_tables

    (file,), _ = files.scan_folder(extractions_dir, ".csv", "extraction")
    csv_file, landed = extractions.read_extraction_file(extractions_dir, file, {})
    reference = csv_readers.read_csv_file(extractions_dir / file.name, raw_tables.EXTRACTION_REQUIRED, "extraction")
    expected = csv_readers.landed_rows(reference).cast(raw_tables.landed_schema())
    return (csv_file.rejections, landed.to_pylist()), (reference.rejections, expected.to_pylist())


MALFORMED = "file: malformed CSV (',' expected after '\"')"
UNCLOSED = "file: malformed CSV (unexpected end of data)"
TOO_LONG = "file: malformed CSV (field larger than field limit (131072))"
WHOLE_FILE: list[int] = []  # no row accepted


@pytest.mark.parametrize(("bom", "line_end"), [("", "\n"), ("", "\r\n"), ("\ufeff", "\r\n")], ids=["LF", "CRLF", "BOM"])
@pytest.mark.parametrize(
    ("row", "accepted", "rejected"),
    [
        (_row(fatalities="@").replace('"@"', "1,000"), [2, 3], [(4, "row: has 15 fields but the header has 14")]),
        (_row().rstrip("\n") + ",\n", [2, 3], [(4, "row: has 15 fields but the header has 14")]),  # trailing comma
        (_row(fatalities="@").replace('"@"', '"5"00'), WHOLE_FILE, [(None, MALFORMED)]),
        (_row(notes="@").replace('"@"', '"quoted"s'), WHOLE_FILE, [(None, MALFORMED)]),
        (_row(notes="@").replace('"@"', '"unclosed'), WHOLE_FILE, [(None, UNCLOSED)]),
        (_row(notes='say "hi", then "bye"', event_date="2024-12-04"), [2, 3, 4], []),  # quotes doubled in a value
        (_row(actor2="@", event_date="2024-12-04").replace('"@"', ' "SDF"'), [2, 3, 4], []),  # a space, then quotes
        (_row(actor1="\xa0\u3000"), [2, 3], [(4, "actor1: missing required field")]),  # Unicode spaces: blank
        (",".join(['""'] * 14) + "\n", [2, 3], []),  # quoted empty values only: a blank line, skipped
        (_row(notes="x" * 131_073), WHOLE_FILE, [(None, TOO_LONG)]),
    ],
    ids=[
        "unquoted-comma",
        "trailing-comma",
        "5-quoted-00",
        "text-after-quote",
        "unclosed-quote",
        "doubled-quotes",
        "space-before-quote",
        "unicode-spaces",
        "quoted-blanks",
        "long-field",
    ],
)
def test_a_csv_file_gets_the_python_readers_verdict_whatever_its_line_ends(
    tmp_path, row, accepted, rejected, bom, line_end
):
    """The loader lands a CSV file exactly as the Python reader does (its bulk reader takes only files it
    reads the same): the same rows accepted with the same values, the same rows or file rejected with the
    same reason, for LF or CRLF line ends, with or without a byte-order mark. (The bulk reader once read
    an unquoted 1,000 as 1 and shifted the quote into the next column, "5"00 as 50, "quoted"s as quoted.)"""
    text = bom + (EXTRACTION_HEADER + _row() + _row(actor1="SDF") + row).replace("\n", line_end)
    con, _ = _load(tmp_path, {"a.csv": text.encode("utf-8")}, [A1])
    actor2 = dict(con.execute("select row_number, actor2 from raw.extractions").fetchall())
    assert sorted(actor2) == accepted
    assert con.execute("select row_number, reason from raw.rejected_rows order by all").fetchall() == rejected
    if ' "SDF"' in row:
        assert actor2[4] == '"SDF"'  # the quotes are text (trimmed of the space by the validation)
    loader, python = _read_both_ways(tmp_path / "seeds" / "extractions")
    assert loader == python
