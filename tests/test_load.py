"""Loading: every input row ends in raw.extractions or raw.rejected_rows, with a reason naming the field."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from eventdw import state
from eventdw.ingest import InputError, load_inputs, raw_tables
from tests.conftest import EXTRACTION_HEADER, SEEDS, make_seeds

A1 = "001_80b8b6eb158c6571"  # dated 2024-12-06
GOOD_QUOTE = "Syrian government forces and Iranian-backed Iraqi fighters withdrew from Deir ez-Zor before SDF entered."


def _row(**overrides: str) -> str:
    fields = {
        "article_id": A1,
        "event_date": "2024-12-06",
        "time_precision": "1",
        "actor1": "Syrian government forces",
        "actor2": "",
        "cameo_code": "0874",
        "acled_sub_event_type": "Non-violent transfer of territory",
        "location": "Deir ez-Zor",
        "geo_precision": "1",
        "fatalities": "",
        "quote": GOOD_QUOTE,
        "coder": "test",
        "confidence": "0.9",
        "notes": "",
    } | overrides
    return ",".join('"' + value.replace('"', '""') + '"' for value in fields.values()) + "\n"


def _load(tmp_path, extractions, articles=None):
    seeds = make_seeds(tmp_path, extractions, articles)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = load_inputs(con, seeds, "test-run")
    return con, summary


def _reasons(con) -> dict[int | None, str]:
    return dict(con.execute("select row_number, reason from raw.rejected_rows").fetchall())


def test_good_row_is_accepted_with_quote_offsets_into_the_article(tmp_path):
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (1, 0)
    text, start, end, quote = con.execute(
        "select a.raw_text, e.quote_start, e.quote_end, e.quote "
        "from raw.extractions e join raw.articles a using (article_id)"
    ).fetchone()
    assert text[start:end] == quote == GOOD_QUOTE


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (
            {"article_id": "no_such_article"},
            "article_id: unknown article 'no_such_article' (no articles/no_such_article.txt)",
        ),
        ({"actor1": ""}, "actor1: missing required field"),
        ({"location": ""}, "location: missing required field"),
        ({"event_date": "06/12/2024"}, "event_date: unparseable date '06/12/2024' (expected YYYY-MM-DD)"),
        ({"event_date": "2024-02-30"}, "event_date: impossible date '2024-02-30'"),
        ({"event_date": "2024-12-09"}, "event_date: 2024-12-09 is after the article's date 2024-12-06"),
        ({"cameo_code": "999"}, "cameo_code: '999' is not a CAMEO event code"),
        ({"cameo_code": "874"}, "cameo_code: '874' is not a CAMEO event code"),
        ({"fatalities": "-3"}, "fatalities: -3 is negative"),
        ({"fatalities": "many"}, "fatalities: 'many' is not a whole number"),
        ({"time_precision": "7"}, "time_precision: 7 is outside the scale 1-4"),
        ({"geo_precision": "0"}, "geo_precision: 0 is outside the scale 1-3"),
        ({"confidence": "high"}, "confidence: 'high' is not a number"),
        ({"acled_sub_event_type": "Massacre"}, "acled_sub_event_type: 'Massacre' is not an ACLED sub-event type"),
        (
            {"quote": "Deir ez-Zor fell to aliens."},
            f"quote: not found in article '{A1}': matches the article up to \"…Deir ez-Zor \" then differs: "
            "h in the article, f in the row",
        ),
        (
            {"event_date": "2025-01-15", "time_precision": "3"},
            "event_date: 2025-01-15 (month precision: from 2025-01-01) is after the article's date 2024-12-06",
        ),
        (
            {"event_date": "2024-12-10", "time_precision": "2"},
            "event_date: 2024-12-10 (week precision: from 2024-12-07) is after the article's date 2024-12-06",
        ),
    ],
)
def test_bad_row_is_rejected_with_a_reason_naming_the_field(tmp_path, overrides, reason):
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row() + _row(**overrides)})
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (1, 1)
    assert _reasons(con) == {3: reason}


def test_one_row_can_carry_several_reasons(tmp_path):
    con, _ = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row(fatalities="-1", cameo_code="xx")})
    assert _reasons(con)[2] == "cameo_code: 'xx' is not a CAMEO event code; fatalities: -1 is negative"


def test_exact_duplicate_row_is_rejected_and_names_the_first_copy(tmp_path):
    con, _ = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row() + _row()})
    (reason,) = _reasons(con).values()
    assert reason.startswith("row: same coder, article, date, actors, code, place and quote as ")
    assert reason.endswith("a.csv row 2")


def test_bad_files_are_rejected_whole_and_the_rest_of_the_run_goes_on(tmp_path):
    latin1 = (EXTRACTION_HEADER + _row(notes="café")).encode("latin-1")
    con, summary = _load(
        tmp_path,
        {
            "empty.csv": "",
            "latin1.csv": latin1,
            "utf16.csv": (EXTRACTION_HEADER + _row()).encode("utf-16-be"),
            "utf16_bom.csv": (EXTRACTION_HEADER + _row()).encode("utf-16"),
            "headerless.csv": _row(),
            "partial_header.csv": "article_id,event_date\n" + A1 + ",2024-12-06\n",
            "good.csv": EXTRACTION_HEADER + _row(),
        },
    )
    assert summary.extraction_rows_accepted == 1
    reasons = {
        path.rsplit("/", 1)[1]: reason
        for path, reason in con.execute("select source_file, reason from raw.rejected_rows").fetchall()
    }
    assert reasons == {
        "empty.csv": "file: empty file",
        "latin1.csv": f"file: not valid UTF-8 (byte {latin1.index(b'caf') + 3}: invalid continuation byte)",
        # Without a byte-order mark UTF-16's ASCII is valid UTF-8 with NUL bytes between (which a cell may hold):
        "utf16.csv": "file: no header row naming the required columns "
        "(missing article_id, event_date, actor1, cameo_code, location, quote)",
        "utf16_bom.csv": "file: UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8",
        "headerless.csv": "file: no header row naming the required columns "
        "(missing article_id, event_date, actor1, cameo_code, location, quote)",
        "partial_header.csv": "file: header lacks required column(s) actor1, cameo_code, location, quote",
    }


def test_every_file_read_is_listed_with_its_hash_even_when_rejected_whole(tmp_path):
    import hashlib

    empty, good = b"", (EXTRACTION_HEADER + _row()).encode()
    seeds = make_seeds(tmp_path, {"empty.csv": empty, "good.csv": good}, articles=[A1])
    (seeds / "articles" / "broken.txt").write_bytes(b"\xff\xfe bad")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_inputs(con, seeds, "test-run")
    files = con.execute("select source_file, input_kind, file_sha256 from raw.source_files").fetchall()
    article_hash = hashlib.sha256((seeds / "articles" / f"{A1}.txt").read_bytes()).hexdigest()
    assert files == [
        (f"articles/{A1}.txt", "article", article_hash),
        ("articles/broken.txt", "article", hashlib.sha256(b"\xff\xfe bad").hexdigest()),
        ("extractions/empty.csv", "extraction", hashlib.sha256(empty).hexdigest()),
        ("extractions/good.csv", "extraction", hashlib.sha256(good).hexdigest()),
    ]


def test_row_with_wrong_field_count_is_rejected_with_its_record(tmp_path):
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row() + "a,b,c\n"})
    assert summary.extraction_rows_read == 2
    assert con.execute("select row_number, reason, raw_record from raw.rejected_rows").fetchall() == [
        (3, "row: has 3 fields but the header has 14", '["a", "b", "c"]')
    ]


def test_every_input_row_is_accepted_or_rejected(tmp_path):
    rows = [_row(), _row(fatalities="x"), _row(event_date="2024-12-05"), "1,2\n", _row(cameo_code="")]
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + "".join(rows)})
    (accepted,) = con.execute("select count(*) from raw.extractions").fetchone()
    (rejected,) = con.execute("select count(*) from raw.rejected_rows where row_number is not null").fetchone()
    assert summary.extraction_rows_read == len(rows)
    assert (accepted, rejected) == (2, 3)


def test_undecodable_article_is_rejected_and_others_load(tmp_path):
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()}, articles=[A1])
    (seeds / "articles" / "broken.txt").write_bytes(b"\xff\x00bad")
    (seeds / "articles" / "blank.txt").write_text("  \n")
    (seeds / "articles" / "utf16.txt").write_text("Homs, 5 December - Shelling killed two.", encoding="utf-16")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = load_inputs(con, seeds, "test-run")
    assert summary.articles_loaded == 1
    reasons = sorted(r for (r,) in con.execute("select reason from raw.rejected_rows").fetchall())
    assert reasons == [
        "file: UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8",
        "file: empty file",
        "file: not valid UTF-8 (byte 0: invalid start byte)",
    ]


# The article says "President Bashar al-Assadʼs regime" (U+02BC) and is dated 2024-12-06.
TYPOGRAPHIC_QUOTE = "Deir ez-Zor has become the third city to lose control of President Bashar al-Assad's  regime"


def test_a_quote_that_differs_only_typographically_is_accepted_with_the_articles_own_span(tmp_path):
    con, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row(quote=TYPOGRAPHIC_QUOTE)})
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (1, 0)
    text, start, end, quote, as_coded = con.execute(
        "select a.raw_text, e.quote_start, e.quote_end, e.quote, e.quote_as_coded "
        "from raw.extractions e join raw.articles a using (article_id)"
    ).fetchone()
    assert (
        text[start:end] == quote == "Deir ez-Zor has become the third city to lose control of President Bashar "
        "al-Assad\u02bcs regime"
    )
    assert as_coded == TYPOGRAPHIC_QUOTE


@pytest.mark.parametrize(("event_date", "precision"), [("2024-12-15", "3"), ("2024-12-09", "2"), ("2024-07-01", "4")])
def test_a_window_that_starts_by_the_articles_date_is_accepted(tmp_path, event_date, precision):
    """A month (coded at the 15th), week (at its middle) or year (at 1 July) row whose window starts on or
    before the article's date is possible, whatever its coded middle."""
    _, summary = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row(event_date=event_date, time_precision=precision)})
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (1, 0)


def test_the_country_column_takes_codes_and_names_and_rejects_what_is_not_a_country(tmp_path):
    header = EXTRACTION_HEADER.rstrip("\n") + ",country\n"
    given = ["SY", "syr", "Syria", "Syrian Arab Republic", "", "Narnia"]
    rows = "".join(
        _row(notes=str(i), event_date=f"2024-12-0{i + 1}").rstrip("\n") + f',"{country}"\n'
        for i, country in enumerate(given)
    )
    con, summary = _load(tmp_path, {"a.csv": header + rows})
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (5, 1)
    assert con.execute("select notes, country_iso2 from raw.extractions order by notes").fetchall() == [
        ("0", "SY"),
        ("1", "SY"),
        ("2", "SY"),
        ("3", "SY"),
        ("4", None),
    ]
    assert _reasons(con) == {
        7: "country: 'Narnia' is not a country (an ISO 3166 alpha-2 or alpha-3 code, or its English name)"
    }


def test_reference_data_that_contradicts_itself_stops_the_load_naming_file_and_row(tmp_path):
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    aliases = seeds / "reference" / "actor_aliases.csv"
    text = aliases.read_text(encoding="utf-8")
    row = len(text.splitlines()) + 1  # the line added, counted as the file's rows are (the header is row 1)
    aliases.write_text(text + "Syrian army,hts,2024-12-01,2024-12-20,a wrong alias\n", encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(InputError) as raised:
        load_inputs(con, seeds, "test-run")
    assert str(raised.value) == (
        f"reference file {seeds / 'reference' / 'actor_aliases.csv'} row {row}: alias 'Syrian army' means "
        "syria_military_assad (row 79) and hts on 2024-12-01 (and 1 more)"
    )


def test_missing_reference_file_stops_the_load_with_one_line(tmp_path):
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    (seeds / "reference" / "actors.csv").unlink()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(InputError, match=r"reference file .*actors.csv is missing"):
        load_inputs(con, seeds, "test-run")


def test_loading_twice_replaces_rather_than_appends(tmp_path):
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row() + _row(fatalities="x")})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_inputs(con, seeds, "first")
    load_inputs(con, seeds, "second")
    counts = con.execute(
        "select (select count(*) from raw.extractions), (select count(*) from raw.rejected_rows), "
        "(select count(*) from raw.articles), (select count(*) from raw.load_runs)"
    ).fetchone()
    assert counts == (1, 1, 5, 2)


def test_a_reload_parses_only_the_articles_that_changed(tmp_path, monkeypatch):
    """Unchanged article files are copied from raw.articles, not parsed again; an edited file is parsed, and
    so is every file when the loader's code (parser, readers) changes. The articles landed are the same either way."""
    from eventdw import state
    from eventdw.ingest import article_parser, articles

    parsed = []
    monkeypatch.setattr(
        articles, "parse_article", lambda text: parsed.append(text) or article_parser.parse_article(text)
    )
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    columns = "select * exclude (loaded_at) from raw.articles order by article_id"

    load_inputs(con, seeds, "first")
    first = con.execute(columns).fetchall()
    assert len(parsed) == 5

    parsed.clear()
    load_inputs(con, seeds, "second")
    assert parsed == []
    assert con.execute(columns).fetchall() == first
    assert con.execute("select count(distinct loaded_at) from raw.articles").fetchone() == (1,)
    assert con.execute("select count(*) from raw.extractions").fetchone() == (1,)  # its article is still there

    edited = seeds / "articles" / f"{A1}.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA line added.\n", encoding="utf-8")
    load_inputs(con, seeds, "third")
    assert len(parsed) == 1

    parsed.clear()
    monkeypatch.setattr(state, "loader_fingerprint", lambda: "another parser")
    load_inputs(con, seeds, "fourth")
    assert len(parsed) == 5
    assert con.execute("select distinct parsed_by from raw.articles").fetchall() == [("another parser",)]


def test_a_reload_reads_only_the_csv_files_that_changed(tmp_path, monkeypatch):
    """A CSV file read whole by the last load and unchanged is copied from raw.landed_extractions, not read
    again; its rows whose article changed are validated again (here: their article has arrived). A file
    with a row the reader rejected, or an edited file, is read again."""
    import shutil

    from eventdw.ingest import csv_readers

    read = []
    read_plain_csv, read_csv_file = csv_readers.read_plain_csv, csv_readers.read_csv_file
    monkeypatch.setattr(
        csv_readers, "read_plain_csv", lambda path, *rest: read.append(path.name) or read_plain_csv(path, *rest)
    )
    monkeypatch.setattr(
        csv_readers,
        "read_csv_file",
        lambda path, *rest: (
            (path.parent.name == "extractions" and read.append(path.name)) or read_csv_file(path, *rest)
        ),
    )
    files = {"a.csv": EXTRACTION_HEADER + _row(), "b.csv": EXTRACTION_HEADER + _row(event_date="2024-12-05") + "x,y\n"}
    con, summary = _load(tmp_path, files, articles=["000_4938db59a5dbecdc"])
    assert (summary.extraction_rows_accepted, summary.rejected_rows) == (0, 3)  # A1 is not there yet
    assert sorted(read) == ["a.csv", "b.csv", "b.csv"]  # b.csv: the bulk reader refused it, Python's read it

    seeds = tmp_path / "seeds"
    shutil.copy(SEEDS / "articles" / f"{A1}.txt", seeds / "articles")
    read.clear()
    second = load_inputs(con, seeds, "second")
    assert sorted(read) == ["b.csv", "b.csv"]
    assert (second.extraction_rows_read, second.extraction_rows_accepted, second.rejected_rows) == (3, 2, 1)
    assert _reasons(con) == {3: "row: has 2 fields but the header has 14"}

    (seeds / "extractions" / "a.csv").write_text(EXTRACTION_HEADER + _row() + _row(actor1="SDF"), encoding="utf-8")
    read.clear()
    third = load_inputs(con, seeds, "third")
    assert sorted(read) == ["a.csv", "b.csv", "b.csv"]
    assert third.extraction_rows_accepted == 3
    # The same rows as a first load of the same files gives.
    fresh, _ = _load(tmp_path / "fresh", {path.name: path.read_text() for path in (seeds / "extractions").iterdir()})
    accepted = "select * exclude (loaded_at) from raw.extractions order by all"
    assert con.execute(accepted).fetchall() == fresh.execute(accepted).fetchall()


def test_a_reload_does_not_read_an_article_file_not_written_since_it_was_read(tmp_path, monkeypatch):
    """A file whose size, times and inode are those recorded when it was read (its signature) is not even read
    again. Any write to it changes its change time, so an edit is read however its size and modification time
    are kept; a file written as close to the scan as the file system's clock can tell gets no signature."""
    import os

    from eventdw.ingest import articles, files

    read = []
    real_read = articles._read_articles
    monkeypatch.setattr(
        articles, "_read_articles", lambda d, names, before: read.extend(names) or real_read(d, names, before)
    )
    monkeypatch.setattr(files, "RACY_NS", 0)  # the files below were written just now
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    columns = "select * exclude (loaded_at, file_signature) from raw.articles order by article_id"

    load_inputs(con, seeds, "first")
    first = con.execute(columns).fetchall()
    assert len(read) == 5
    assert con.execute("select count(file_signature) from raw.articles").fetchone() == (5,)

    read.clear()
    load_inputs(con, seeds, "second")
    assert read == []
    assert con.execute(columns).fetchall() == first

    edited = seeds / "articles" / f"{A1}.txt"
    before = edited.stat()
    text = edited.read_bytes()
    edited.write_bytes(text.replace(b"Deir ez-Zor", b"Deir ez-Zur", 1))  # the same size
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same modification time
    load_inputs(con, seeds, "third")
    assert read == [f"{A1}.txt"]
    assert con.execute(f"select raw_text from raw.articles where article_id = '{A1}'").fetchone()[0].count("Zur") > 0

    read.clear()
    monkeypatch.setattr(files, "RACY_NS", 10**18)  # every file changed "just now": none is trusted
    load_inputs(con, seeds, "fourth")
    assert len(read) == 5
    assert con.execute("select count(file_signature) from raw.articles").fetchone() == (0,)
    read.clear()
    load_inputs(con, seeds, "fifth")
    assert len(read) == 5
    assert con.execute(columns).fetchall() != first  # the edit is kept
    assert con.execute("select count(*) from raw.articles").fetchone() == (5,)


def test_a_reload_does_not_open_a_csv_file_not_written_since_it_was_read(tmp_path, monkeypatch):
    """An extraction file with the signature recorded when its rows were read is not opened again (a day's
    new file beside a hundred of 100,000 rows costs what it adds); an edit that keeps its size and
    modification time is read and lands, and a file written too close to the scan is hashed, not trusted."""
    import os

    from eventdw.ingest import extractions, files

    opened = []
    real_read = extractions.read_regular_file
    monkeypatch.setattr(
        extractions,
        "read_regular_file",
        lambda path, *rest: opened.append(os.path.basename(path)) or real_read(path, *rest),
    )
    monkeypatch.setattr(files, "RACY_NS", 0)  # the files below were written just now
    rows = {"a.csv": EXTRACTION_HEADER + _row(), "b.csv": EXTRACTION_HEADER + _row(actor1="SDF")}
    con, _ = _load(tmp_path, rows)
    seeds = tmp_path / "seeds"
    assert sorted(opened) == ["a.csv", "b.csv"]
    signatures = "select source_file, file_signature is not null from raw.landed_files order by 1"
    assert con.execute(signatures).fetchall() == [("extractions/a.csv", True), ("extractions/b.csv", True)]

    opened.clear()
    load_inputs(con, seeds, "second")
    assert opened == []

    edited = seeds / "extractions" / "b.csv"
    before = edited.stat()
    edited.write_text(EXTRACTION_HEADER + _row(actor1="HTS"), encoding="utf-8")  # the same size
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same modification time
    load_inputs(con, seeds, "third")
    assert opened == ["b.csv"]
    assert con.execute("select actor1 from raw.landed_extractions order by source_file").fetchall() == [
        ("Syrian government forces",),
        ("HTS",),
    ]

    opened.clear()
    monkeypatch.setattr(files, "RACY_NS", 10**18)  # every file changed "just now": none is trusted
    load_inputs(con, seeds, "fourth")
    assert sorted(opened) == ["a.csv", "b.csv"]
    assert con.execute(signatures).fetchall() == [("extractions/a.csv", False), ("extractions/b.csv", False)]
    opened.clear()
    load_inputs(con, seeds, "fifth")  # no signature: read, and found the same by its hash
    assert sorted(opened) == ["a.csv", "b.csv"]
    assert con.execute("select count(*) from raw.landed_extractions").fetchone() == (2,)


def test_an_article_file_renamed_is_named_as_it_is_now(tmp_path):
    """A file renamed (here in letter case only: the same article id) with its bytes unchanged is parsed
    again, so that its article's row and raw.source_files name the file as it is now."""
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_inputs(con, seeds, "first")
    (seeds / "articles" / f"{A1}.txt").rename(seeds / "articles" / f"{A1}.TXT")

    load_inputs(con, seeds, "second")
    assert con.execute("select source_file from raw.articles where article_id = ?", [A1]).fetchall() == [
        (f"articles/{A1}.TXT",)
    ]
    named = {
        name
        for (name,) in con.execute("select source_file from raw.source_files where input_kind = 'article'").fetchall()
    }
    assert f"articles/{A1}.TXT" in named and f"articles/{A1}.txt" not in named
    assert con.execute("select count(*) from raw.extractions").fetchone() == (1,)


def test_a_reload_validates_again_only_the_rows_whose_verdict_can_change_and_ends_as_a_first_load(tmp_path):
    """After each change to the inputs, a reload keeps the last load's verdicts for the rows whose file and
    article are unchanged, validates the others again, and leaves raw.extractions and raw.rejected_rows as a
    first load of the same inputs would: a duplicate whose first copy went away is accepted, a row whose
    article went away is rejected. A change to a reference list the validation reads, or rows missing from
    raw since the last load, validate every row."""
    import shutil

    articles = sorted(path.stem for path in (SEEDS / "articles").glob("*.txt"))
    a2, a3 = articles[2], articles[3]

    def quote(article_id):  # a line of the article's text, found verbatim in it
        lines = (SEEDS / "articles" / f"{article_id}.txt").read_text(encoding="utf-8").splitlines()
        return next(line.strip() for line in lines if len(line.split()) > 8)

    files = {
        "a.csv": EXTRACTION_HEADER + _row() + _row() + _row(cameo_code="999") + _row(article_id=""),
        "b.csv": EXTRACTION_HEADER + _row(article_id=a2, event_date="2017-01-01", quote=quote(a2)) + _row(),
        "c.csv": EXTRACTION_HEADER + _row(article_id=a3, event_date="2017-01-01", quote=quote(a3)),
    }
    seeds = make_seeds(tmp_path, files)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    accepted = "select * exclude (loaded_at) from raw.extractions order by all"
    rejected = "select * exclude (run_id, rejected_at) from raw.rejected_rows order by all"

    def reload_equals_a_first_load(run: str) -> int:
        summary = load_inputs(con, seeds, run)
        fresh = duckdb.connect(str(tmp_path / f"{run}.duckdb"))
        load_inputs(fresh, seeds, run)
        assert con.execute(accepted).fetchall() == fresh.execute(accepted).fetchall()
        assert con.execute(rejected).fetchall() == fresh.execute(rejected).fetchall()
        # The rows as read, for the next load (a file's signature is the file system's, its times, not its bytes).
        as_read = "select * from raw.landed_extractions", "select * exclude (file_signature) from raw.landed_files"
        for query in as_read:
            assert con.execute(f"{query} order by all").fetchall() == fresh.execute(f"{query} order by all").fetchall()
        return summary.extraction_rows_validated

    assert load_inputs(con, seeds, "first").extraction_rows_validated == 7
    assert _reasons(con)[3].startswith(
        "row: same coder, article, date, actors, code, place and quote as extractions/a.csv"
    )
    assert reload_equals_a_first_load("unchanged") == 0

    (seeds / "extractions" / "a.csv").unlink()  # b.csv's copy of its first row is now the first copy
    assert reload_equals_a_first_load("a-removed") == 1
    from_b = "select count(*) from raw.extractions where source_file = 'extractions/b.csv'"
    assert con.execute(from_b).fetchone() == (2,)

    edited = seeds / "articles" / f"{a3}.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA line added.\n", encoding="utf-8")
    assert reload_equals_a_first_load("a3-edited") == 1

    (seeds / "articles" / f"{a2}.txt").unlink()  # its row in b.csv is now about an unknown article
    assert reload_equals_a_first_load("a2-removed") == 1
    assert "unknown article" in con.execute("select reason from raw.rejected_rows").fetchone()[0]

    shutil.copy(SEEDS / "articles" / f"{a2}.txt", seeds / "articles")
    (seeds / "extractions" / "d.csv").write_text(EXTRACTION_HEADER + _row(actor1="SDF"), encoding="utf-8")
    assert reload_equals_a_first_load("a2-back-and-d-added") == 3  # b.csv's two rows (A2, A1), d.csv's row

    # A coder's edit of one row of a file: that row, and the other rows about its article (none), alone.
    b_edited = _row(article_id=a2, event_date="2017-01-01", quote=quote(a2), fatalities="5") + _row()
    (seeds / "extractions" / "b.csv").write_text(EXTRACTION_HEADER + b_edited, encoding="utf-8")
    assert reload_equals_a_first_load("b-row-edited") == 1
    # The kept row names its file, whose hash as it is now raw.source_files holds (the rows hold none: an
    # edit of one row would change every kept row of the file).
    assert "file_sha256" not in raw_tables.columns(con, "extractions")
    file_hash = "select file_sha256 from raw.source_files where source_file = 'extractions/b.csv'"
    (digest,) = con.execute(file_hash).fetchone()
    assert digest == hashlib.sha256((seeds / "extractions" / "b.csv").read_bytes()).hexdigest()
    # A row inserted above moves the rows below it: they are other rows (their row number is provenance).
    moved = _row(actor1="SDF") + b_edited
    (seeds / "extractions" / "b.csv").write_text(EXTRACTION_HEADER + moved, encoding="utf-8")
    assert reload_equals_a_first_load("b-row-inserted") == 4  # b.csv's three rows, and d.csv's, about A1
    # Every file changed (a coder's pass over all of them): still only the rows edited and their articles'.
    b_edited = _row(actor1="SDF") + _row(article_id=a2, event_date="2017-01-01", quote=quote(a2), fatalities="6")
    (seeds / "extractions" / "b.csv").write_text(EXTRACTION_HEADER + b_edited + _row(), encoding="utf-8")
    c_edited = _row(article_id=a3, event_date="2017-01-01", quote=quote(a3), fatalities="2")
    (seeds / "extractions" / "c.csv").write_text(EXTRACTION_HEADER + c_edited, encoding="utf-8")
    d_crlf = (EXTRACTION_HEADER + _row(actor1="SDF")).replace("\n", "\r\n")  # other bytes, the same row
    (seeds / "extractions" / "d.csv").write_text(d_crlf, encoding="utf-8", newline="")
    assert reload_equals_a_first_load("every-file-changed") == 2  # b.csv's row about A2, c.csv's about A3
    # A row of A1 about another day, then its deaths edited: that row alone (a repeat of it would share its
    # article, day and CAMEO code); then moved to the day of A1's other rows, where it repeats b.csv's first.
    e_csv = seeds / "extractions" / "e.csv"
    e_csv.write_text(EXTRACTION_HEADER + _row(actor1="SDF", event_date="2024-12-01"), encoding="utf-8")
    assert reload_equals_a_first_load("a1-other-day-added") == 1
    e_csv.write_text(EXTRACTION_HEADER + _row(actor1="SDF", event_date="2024-12-01", fatalities="3"), encoding="utf-8")
    assert reload_equals_a_first_load("a1-other-day-edited") == 1
    e_csv.write_text(EXTRACTION_HEADER + _row(actor1="SDF"), encoding="utf-8")
    assert reload_equals_a_first_load("a1-same-day-as-others") == 4  # e.csv's row and A1's three on its day
    reasons = con.execute("select reason from raw.rejected_rows where source_file = 'extractions/e.csv'").fetchall()
    assert reasons == [("row: same coder, article, date, actors, code, place and quote as extractions/b.csv row 2",)]
    e_csv.unlink()

    # A warehouse loaded when each accepted row held its file's hash keeps its verdicts and drops the column.
    con.execute("alter table raw.extractions add column file_sha256 varchar default 'a hash of then'")
    (seeds / "extractions" / "c.csv").write_text(EXTRACTION_HEADER + c_edited + _row(), encoding="utf-8")
    assert reload_equals_a_first_load("rows-held-their-file-hash") == 4  # c.csv's new row, the 3 others about A1
    assert "file_sha256" not in raw_tables.columns(con, "extractions")

    types = seeds / "reference" / "acled_event_types.csv"
    types.write_text(types.read_text(encoding="utf-8").replace("Armed clash", "Armed clashes"), encoding="utf-8")
    assert reload_equals_a_first_load("reference-changed") == 6  # every row

    con.execute("delete from raw.extractions where source_file = 'extractions/c.csv'")  # by hand: not a load's work
    assert reload_equals_a_first_load("row-deleted-by-hand") == 6  # the last load's verdicts are not trusted


def test_a_changed_csv_file_lands_only_the_rows_that_differ(tmp_path, monkeypatch):
    """A file read again after an edit is compared with its rows kept from the last load: the rows edited,
    added or moved are landed, the rows read again as they were stay as they are, and the rows gone or
    replaced leave raw.landed_extractions. A loader of other code compares them too, takes the file, and
    validates every row again."""
    landed_now = []
    keep_rows_as_read = state.keep_rows_as_read

    def spy(con, *arguments):
        landed_now.append(con.execute("select row_number from raw.incoming_extractions order by 1").fetchall())
        return keep_rows_as_read(con, *arguments)

    monkeypatch.setattr(state, "keep_rows_as_read", spy)
    rows = [_row(actor1=name) for name in ("SDF", "HTS", "ISIS", "Syrian government forces")]
    con, _ = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + "".join(rows)})
    assert len(landed_now[-1]) == 4
    seeds, as_read = tmp_path / "seeds", "select row_number, actor1, fatalities from raw.landed_extractions order by 1"

    rows[1] = _row(actor1="HTS", fatalities="7")
    (seeds / "extractions" / "a.csv").write_text(EXTRACTION_HEADER + "".join(rows[:3]), encoding="utf-8")
    summary = load_inputs(con, seeds, "edited")
    assert landed_now[-1] == [(3,)]  # row 3 edited; row 5 gone; rows 2 and 4 read again as they were
    assert con.execute(as_read).fetchall() == [(2, "SDF", None), (3, "HTS", "7"), (4, "ISIS", None)]
    assert summary.extraction_rows_read == 3

    monkeypatch.setattr(state, "loader_fingerprint", lambda: "another loader")
    (seeds / "extractions" / "a.csv").write_text(EXTRACTION_HEADER + "".join(rows[:3]) + "\n", encoding="utf-8")
    summary = load_inputs(con, seeds, "another-loader")
    assert landed_now[-1] == []
    assert summary.extraction_rows_validated == 3  # other code: its verdicts are made again
    assert con.execute("select read_by from raw.landed_files").fetchall() == [("another loader",)]
    assert con.execute(as_read).fetchall() == [(2, "SDF", None), (3, "HTS", "7"), (4, "ISIS", None)]


def test_another_coders_identical_row_is_their_coding_not_a_duplicate(tmp_path):
    con, _ = _load(tmp_path, {"a.csv": EXTRACTION_HEADER + _row() + _row(coder="second-coder")})
    assert _reasons(con) == {}
    coders = con.execute("select coder, count(distinct extraction_id) from raw.extractions group by all").fetchall()
    assert sorted(coders) == [("second-coder", 1), ("test", 1)]


def test_a_reload_makes_the_reference_tables_again_only_when_what_they_are_made_of_changed(tmp_path, monkeypatch):
    """The reference tables are kept by a reload whose curated files, gazetteer countries, packages and code
    are unchanged; when one changes they are made again, and `raw` holds what a first load would."""
    from eventdw.ingest import reference
    from eventdw.ingest.raw_tables import REFERENCE_TABLES

    made = []
    making = reference.reference_tables
    monkeypatch.setattr(reference, "reference_tables", lambda folder: made.append(folder) or making(folder))
    monkeypatch.setenv("EVENTDW_COUNTRIES", "SY,IQ")
    seeds = make_seeds(tmp_path, {"a.csv": EXTRACTION_HEADER + _row()})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))

    def tables(connection) -> dict[str, list[tuple]]:
        return {
            name: connection.execute(f"select * from raw.{name} order by all").fetchall() for name in REFERENCE_TABLES
        }

    def as_a_first_load(run: str) -> bool:
        fresh = duckdb.connect(str(tmp_path / f"{run}.duckdb"))
        load_inputs(fresh, seeds, run)
        return tables(con) == tables(fresh)

    load_inputs(con, seeds, "first")
    load_inputs(con, seeds, "unchanged")
    assert len(made) == 1

    aliases = seeds / "reference" / "actor_aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8") + "Quwat Suriya,sdf,,,\n", encoding="utf-8")
    made.clear()
    load_inputs(con, seeds, "alias-added")
    assert len(made) == 1
    assert ("Quwat Suriya", "sdf") in con.execute("select alias, actor_id from raw.ref_actor_aliases").fetchall()
    assert as_a_first_load("alias-added-fresh")

    monkeypatch.setenv("EVENTDW_COUNTRIES", "SY,IQ,JO")
    made.clear()
    load_inputs(con, seeds, "jordan-added")
    assert len(made) == 1
    assert con.execute("select count(*) from raw.geonames_places where country_iso2 = 'JO'").fetchone()[0] > 0
    assert as_a_first_load("jordan-added-fresh")
