"""Property-based tests: malformed rows and files thrown at the loaders never crash them, and every
input row is accounted for (accepted + rejected = read); the bulk CSV reader lands exactly what the Python
reader lands; every entry of the input folders, whatever it is, is read or rejected with a reason."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from eventdw.ingest import csv_readers, files, load_inputs, raw_tables
from tests.conftest import SEEDS, make_seeds

ARTICLE = "001_80b8b6eb158c6571"
ARTICLE_TEXT = (SEEDS / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
REASON = re.compile(r"^[a-z0-9_]+: ")
COLUMNS = list(raw_tables.EXTRACTION_COLUMNS)

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
        result = csv_readers.read_csv_file(path, raw_tables.EXTRACTION_REQUIRED, "extraction")
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


# Random small CSV files for the two CSV readers: fields holding what trips CSV readers up (commas, quotes,
# line ends, spaces, tabs, Unicode spaces, NUL), quoted properly, always, never, or wrongly (a space before
# the opening quote, text after the closing one), rows with too many or too few fields, a header in any
# case or with a column missing, LF or CRLF line ends (now and then mixed), with or without a BOM.
HEADERS = [
    list(raw_tables.EXTRACTION_REQUIRED),
    COLUMNS,
    [*reversed(raw_tables.EXTRACTION_REQUIRED), "notes", "extra"],
    [" Article_ID", *raw_tables.EXTRACTION_REQUIRED[1:], "zz_extra "],
    list(raw_tables.EXTRACTION_REQUIRED[:-1]),  # the quote column missing
]
PIECES = ["a", "Z", "1", "000", ",", '"', '""', "\r", "\n", "\r\n", " ", "\t", "é", "\xa0", "\u2028", "\u3000", "\x00"]
csv_value = st.lists(st.sampled_from(PIECES), max_size=5).map("".join) | st.sampled_from(["", " ", "\t", "\xa0"])


def _quote(value: str, how: str) -> str:
    """One field as written: `how` is "minimal" (quoted if it must be), "all", "raw" (never), "spaced" (a space
    before the opening quote) or "trailing" (text after the closing quote)."""
    quoted = '"' + value.replace('"', '""') + '"'
    if how == "minimal":
        return quoted if any(c in value for c in ',"\r\n') else value
    return {"all": quoted, "raw": value, "spaced": " " + quoted, "trailing": quoted + "x"}[how]


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A small CSV file's bytes: two in three well formed (quoted properly, every row as wide as the header)
    save perhaps for one fault, the others anything."""
    header = draw(st.sampled_from(HEADERS))
    messy = draw(st.sampled_from([False, False, True]))
    quoting = st.sampled_from(["minimal", "minimal", "all"] + (["raw", "spaced", "trailing"] if messy else []))
    width = st.sampled_from([len(header)] * 4 + ([len(header) - 1, len(header) + 1, 1] if messy else []))
    records = draw(
        st.lists(width.flatmap(lambda n: st.lists(st.tuples(csv_value, quoting), min_size=n, max_size=n)), max_size=6)
    )
    lines = [",".join(header)] + [",".join(_quote(value, how) for value, how in record) for record in records]
    if not messy and lines[1:] and draw(st.booleans()):  # one fault in a well-formed file
        index = draw(st.integers(1, len(lines) - 1))
        lines[index] += draw(st.sampled_from([",", ",a", ', "a"', '"', "\r", "\n"]))
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    text = line_end.join(lines) + draw(st.sampled_from([line_end, ""]))
    if not messy:  # line breaks inside quoted values as the file's own line end
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", line_end)
    bom = draw(st.sampled_from([b""] * 4 + [b"\xef\xbb\xbf"]))
    return bom + text.encode("utf-8")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files())
def test_the_bulk_csv_reader_lands_exactly_what_the_python_reader_lands(data):
    """For any file the bulk reader (DuckDB's) takes, the same rows, row numbers and values as the Python
    reader's, which rejects nothing in it; and the loader's reading of any file equals the Python reader's."""
    from eventdw.ingest.extractions import read_extraction_file

    with tempfile.TemporaryDirectory() as folder:
        extractions = Path(folder) / "extractions"
        extractions.mkdir()
        (extractions / "x.csv").write_bytes(data)
        (file,), _ = files.scan_folder(extractions, ".csv", "extraction")
        reference = csv_readers.read_csv_file(extractions / "x.csv", raw_tables.EXTRACTION_REQUIRED, "extraction")
        expected = csv_readers.landed_rows(reference).cast(raw_tables.landed_schema()).to_pylist()
        header = csv_readers.plain_csv_header(data, raw_tables.EXTRACTION_REQUIRED)
        path = Path(file.path(extractions))
        bulk = csv_readers.read_plain_csv(path, data, file.source_file, header) if header else None
        event(f"plain: {header is not None}, bulk: {bulk is not None}")
        if bulk is not None:
            assert reference.rejections == []
            assert bulk.cast(raw_tables.landed_schema()).to_pylist() == expected
        csv_file, landed = read_extraction_file(extractions, file, {})
        assert csv_file.rejections == reference.rejections
        assert landed is not None and landed.to_pylist() == expected


# Random input folders: entries of every kind a folder can hold, in articles/ and extractions/, with names
# that clash in letter case and extensions in any case or none.
ENTRY_TYPES = ["file", "file", "file", "link_inside", "link_outside", "link_to_folder", "dangling", "fifo",
               "subfolder", "hidden", "name_not_utf8"]  # fmt: skip
entry = st.tuples(
    st.sampled_from(["articles", "extractions"]),
    st.sampled_from(ENTRY_TYPES),
    st.sampled_from(["a", "A", "b", "ñ"]),
    st.sampled_from([".csv", ".CSV", ".txt", ".TXT", ".Txt", ".md", ""]),
)
OUTSIDE_MARKER = "a file outside the inputs folder"


def _expected_reason(folder: str, kind: str, name: str) -> str | None:
    """The start of the reason an entry is rejected with; None if it is to be read."""
    extension = {"articles": ".txt", "extractions": ".csv"}[folder]
    return {
        "name_not_utf8": "file: its name is not valid UTF-8",
        "link_outside": "file: a symbolic link to ",  # ... outside the inputs folder
        "dangling": "file: a dangling symbolic link",
        "link_to_folder": "file: a symbolic link to a folder",
        "fifo": "file: a FIFO (named pipe)",
    }.get(kind) or (None if name.lower().endswith(extension) else f"file: not a {extension} file")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, max_size=8, unique_by=lambda e: (e[0], e[2] + e[3])))
def test_every_entry_of_the_input_folders_is_read_or_rejected_with_a_reason(entries):
    """Whatever a folder holds, the load ends (a FIFO does not block it), lists every entry not hidden in
    raw.source_files once, read or rejected with a reason saying why, reads nothing from outside the inputs
    folder, and its counts add up: rows accepted and rejected = rows read."""
    from tests.test_files import no_hang

    article = (SEEDS / "articles" / f"{ARTICLE}.txt").read_bytes()
    coded = (",".join(COLUMNS) + "\n" + ",".join(["x"] * len(COLUMNS)) + "\n").encode()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        seeds = make_seeds(root, {}, [])
        (seeds / "shared").mkdir()
        (root / "outside.txt").write_text(OUTSIDE_MARKER)
        expected: dict[str, str | None] = {}  # source file -> the start of its reason, None if read
        articles_read: dict[str, str] = {}  # article id, case-folded -> the file read for it
        for number, (where, kind, stem, extension) in enumerate(entries):
            name = ("." if kind == "hidden" else "") + stem + extension
            path, content = seeds / where / name, article if where == "articles" else coded
            if kind in ("file", "hidden"):
                path.write_bytes(content)
            elif kind == "name_not_utf8":
                name = stem + "\udcff" + extension
                os.close(os.open(os.fsencode(seeds / where / name), os.O_WRONLY | os.O_CREAT))
            elif kind == "link_inside":
                (seeds / "shared" / f"{number}.dat").write_bytes(content)
                path.symlink_to(seeds / "shared" / f"{number}.dat")
            elif kind == "link_outside":
                path.symlink_to(root / "outside.txt")
            elif kind == "link_to_folder":
                path.symlink_to(seeds / "shared")
            elif kind == "dangling":
                path.symlink_to(seeds / "missing.txt")
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind == "subfolder":
                path.mkdir()
                if number % 2:
                    (path / "inner.txt").write_bytes(content)
                    expected[f"{where}/{name}/inner.txt"] = "file: in a subfolder"
                else:
                    expected[f"{where}/{name}"] = "file: a folder, not a file"
                continue
            if kind != "hidden":
                source_file = files.source_name_in(where, files.printable_name(name))
                expected[source_file] = _expected_reason(where, kind, name)
        for source_file in sorted(expected):  # of two article ids that differ only in case, the first is read
            folder_name, name = source_file.split("/", 1)
            if folder_name == "articles" and expected[source_file] is None:
                first = articles_read.setdefault(name[:-4].casefold(), source_file)
                if first != source_file:
                    expected[source_file] = f"file: its article id differs from that of {first} only in letter case"

        with duckdb.connect() as con, no_hang(seeds):
            summary = load_inputs(con, seeds, "property")
            listed = con.execute("select source_file, file_sha256 from raw.source_files").fetchall()
            rejected = dict(
                con.execute("select source_file, reason from raw.rejected_rows where row_number is null").fetchall()
            )
            texts = [text for (text,) in con.execute("select raw_text from raw.articles").fetchall()]
            (rows_accepted,) = con.execute("select count(*) from raw.extractions").fetchone()
            (rows_rejected,) = con.execute(
                "select count(*) from raw.rejected_rows where row_number is not null"
            ).fetchone()

    assert sorted(source_file for source_file, _ in listed) == sorted(expected)
    for source_file, start in expected.items():
        if start is None:
            assert source_file not in rejected
        else:
            assert rejected[source_file].startswith(start), (source_file, rejected[source_file])
    assert all(digest is not None for source_file, digest in listed if expected[source_file] is None)
    assert summary.articles_loaded == len(texts) == sum(1 for s, r in expected.items() if r is None and s[0] == "a")
    assert all(OUTSIDE_MARKER not in text for text in texts)
    assert rows_accepted + rows_rejected == summary.extraction_rows_read
