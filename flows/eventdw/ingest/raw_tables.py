"""The `raw` schema's tables: their names, their columns, and the few ways the loader writes one.

This is their one definition. The loader builds its Arrow tables and its DDL from COLUMNS, the build
plan's fingerprint reads the reference tables named in REFERENCE_TABLES (eventdw.state), and a test
checks that dbt's sources name exactly DBT_SOURCES. Two tables take their columns from elsewhere, named
here: `raw.extractions` has the validation's (sql/validate_extractions.sql, less `rejection_reasons` and
`raw_record`, plus `loaded_at`; its rows name their file, whose hash raw.source_files holds), and each
`raw.ref_<name>` has its curated file's own header, every column a string.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

# The extraction files' columns: those a file must have, then those it may have. Any other column of a
# file is kept, as JSON, in `extra_columns`.
EXTRACTION_REQUIRED = ("article_id", "event_date", "actor1", "cameo_code", "location", "quote")
EXTRACTION_OPTIONAL = (
    "actor2",
    "time_precision",
    "geo_precision",
    "fatalities",
    "acled_sub_event_type",
    "coder",
    "confidence",
    "notes",
    "country",
)
EXTRACTION_COLUMNS = EXTRACTION_REQUIRED + EXTRACTION_OPTIONAL

# ACLED's export columns: the current format's 31 (since 2023, in order) and the older format's own three.
# A file must have ACLED_REQUIRED; any other column is kept, as JSON, in `extra_columns`.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
ACLED_OLDER_COLUMNS = ("data_id", "event_id_no_cnty", "iso3")
ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "latitude", "longitude")
ACLED_DELETION_COLUMNS = ("event_id_cnty", "deleted_timestamp")

# GDELT 2.0's event (61) and mention (16) columns, in the order of its codebooks (files have no header).
GDELT_EVENT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(
        f"{actor}{field}"
        for actor in ("Actor1", "Actor2")
        for field in (
            "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
            "Type1Code", "Type2Code", "Type3Code",
        )
    ),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone",
    *(
        f"{geo}_{field}"
        for geo in ("Actor1Geo", "Actor2Geo", "ActionGeo")
        for field in ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
    ),
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
GDELT_MENTION_COLUMNS = (
    "GLOBALEVENTID", "EventTimeDate", "MentionTimeDate", "MentionType", "MentionSourceName", "MentionIdentifier",
    "SentenceID", "Actor1CharOffset", "Actor2CharOffset", "ActionCharOffset", "InRawText", "Confidence",
    "MentionDocLen", "MentionDocTone", "MentionDocTranslationInfo", "Extras",
)  # fmt: skip

# The curated CSVs under seeds/reference/ (each landed as raw.ref_<name>) and the columns each must have.
REFERENCE_FILES: dict[str, tuple[str, ...]] = {
    "actors": ("actor_id", "actor_name", "cameo_actor_code", "acled_inter_code", "country_iso3"),
    "actor_aliases": ("alias", "actor_id", "valid_from", "valid_to"),
    "places_supplement": (
        "place_id",
        "place_name",
        "feature_type",
        "country_iso2",
        "admin1_iso",
        "latitude",
        "longitude",
        "source_note",
    ),
    "place_aliases": ("alias", "place_ref"),
    "acled_event_types": ("disorder_type", "event_type", "sub_event_type"),
    "acled_actor_types": ("inter_code", "inter_type"),
    "cameo_to_acled": ("cameo_code", "acled_event_type", "acled_sub_event_type"),
    "admin1_crosswalk": ("country_iso2", "geonames_admin1_code", "iso_3166_2", "admin1_name"),
    "actor_agents": ("agent_word", "actor_kind", "cameo_agent_code", "acled_inter_code", "acled_actor_name"),
}

# The reference tables, in the order they are landed: from the domain packages, then the curated files.
PACKAGE_REFERENCE_TABLES = (
    "cameo_codes",
    "geonames_places",
    "geonames_place_names",
    "geonames_countries",
    "admin1_regions",
    "admin1_region_names",
    "country_names",
    "country_forms",
)
REFERENCE_TABLES = PACKAGE_REFERENCE_TABLES + tuple(f"ref_{name}" for name in REFERENCE_FILES)

# The tables dbt reads, by source (models/staging/<source>/_<source>__sources.yml).
DBT_SOURCES: dict[str, tuple[str, ...]] = {
    "reference": REFERENCE_TABLES,
    "coding": ("articles", "extractions", "rejected_rows", "source_files"),
    "imports": ("acled_events", "acled_deletions", "gdelt_events", "gdelt_mentions"),
}
# The loader's own: the rows as read, which the next load reuses, the imported files read, one row per load,
# and what the reference tables were made of (eventdw.state.reference_fingerprint).
LOADER_TABLES = ("landed_extractions", "landed_files", "imported_files", "load_runs", "reference_fingerprint")

# The work tables the imported files' rows land in as read (strings), before eventdw.ingest.imports types them
# into the `imports` tables above, each with its provenance in front and, for ACLED, columns beyond its own.
_PROVENANCE = (("source_file", "varchar"), ("row_number", "bigint"), ("file_sha256", "varchar"))
IMPORT_LANDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "acled_events": (
        *_PROVENANCE,
        *((name, "varchar") for name in ACLED_COLUMNS + ACLED_OLDER_COLUMNS),
        ("extra_columns", "varchar"),
    ),
    "acled_deletions": (*_PROVENANCE, *((name, "varchar") for name in ACLED_DELETION_COLUMNS)),
    "gdelt_events": (*_PROVENANCE, *((name, "varchar") for name in GDELT_EVENT_COLUMNS)),
    "gdelt_mentions": (*_PROVENANCE, *((name, "varchar") for name in GDELT_MENTION_COLUMNS)),
}

# Each table's columns and their DuckDB types, for the tables whose columns the loader defines.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "cameo_codes": (("cameo_code", "varchar"), ("cameo_name", "varchar"), ("goldstein_scale", "double")),
    "geonames_places": (
        ("geonames_id", "bigint"),
        ("place_name", "varchar"),
        ("country_iso2", "varchar"),
        ("admin1_code", "varchar"),
        ("admin1_region_key", "varchar"),
        ("admin2_name", "varchar"),
        ("latitude", "double"),
        ("longitude", "double"),
        ("population", "bigint"),
    ),
    "geonames_place_names": (("geonames_id", "bigint"), ("name", "varchar")),
    "geonames_countries": (
        ("country_iso2", "varchar"),
        ("country_iso3", "varchar"),
        ("country_iso_numeric", "bigint"),
        ("country_name", "varchar"),
        ("geonames_id", "bigint"),
        ("capital_name", "varchar"),
        ("capital_latitude", "double"),
        ("capital_longitude", "double"),
        ("fips_code", "varchar"),
        ("acled_region", "varchar"),
    ),
    "admin1_regions": (
        ("region_key", "varchar"),
        ("country_iso2", "varchar"),
        ("geonames_admin1_code", "varchar"),
        ("geonames_id", "bigint"),
        ("iso_3166_2", "varchar"),
        ("region_name", "varchar"),
        ("matched_places", "bigint"),
        ("voting_places", "bigint"),
    ),
    "admin1_region_names": (("region_key", "varchar"), ("name", "varchar")),
    "country_names": (("name", "varchar"), ("country_iso2", "varchar")),
    "country_forms": (
        ("form", "varchar"),
        ("form_kind", "varchar"),
        ("country_iso2", "varchar"),
        ("country_iso3", "varchar"),
        ("country_name", "varchar"),
    ),
    # One row per article file, the text byte for byte, with what the parser located in it; `parsed_by` is
    # the loader's fingerprint (eventdw.state.loader_fingerprint), `article_hash` a hash of the article as
    # the marts see it (ARTICLE_HASH), made when it is parsed.
    "articles": (
        ("article_id", "varchar"),
        ("source_file", "varchar"),
        ("file_sha256", "varchar"),
        ("file_signature", "varchar"),
        ("raw_text", "varchar"),
        ("title", "varchar"),
        ("published_date_source", "varchar"),
        ("published_date", "date"),
        ("body_start", "bigint"),
        ("body_end", "bigint"),
        ("dateline", "varchar"),
        ("publisher", "varchar"),
        ("loaded_at", "timestamp"),
        ("parsed_by", "varchar"),
        ("article_hash", "varchar"),
    ),
    # Every extraction row as read (strings), with its provenance: the rows of the files in landed_files.
    "landed_extractions": (
        ("source_file", "varchar"),
        ("row_number", "bigint"),
        *((name, "varchar") for name in EXTRACTION_COLUMNS),
        ("extra_columns", "varchar"),
    ),
    # The extraction files whose rows landed_extractions keeps, each as it was when its rows were read (its
    # hash, and its signature: files.file_signature) and the loader that read them (`read_by`, the loader's
    # fingerprint): files read whole, no row rejected by the reader. (Per file, not per row: a file edited
    # in one row keeps its other rows.)
    "landed_files": (
        ("source_file", "varchar"),
        ("file_sha256", "varchar"),
        ("read_by", "varchar"),
        ("file_signature", "varchar"),
    ),
    # Every input file or row the loader could not accept, with the reason.
    "rejected_rows": (
        ("source_file", "varchar"),
        ("row_number", "bigint"),
        ("reason", "varchar"),
        ("input_kind", "varchar"),
        ("raw_record", "json"),
        ("run_id", "varchar"),
        ("rejected_at", "timestamp"),
    ),
    # Every input file read, with its hash (none for a file rejected unread).
    "source_files": (
        ("source_file", "varchar"),
        ("input_kind", "varchar"),
        ("file_sha256", "varchar"),
        ("loaded_at", "timestamp"),
    ),
    # Every ACLED or GDELT file read, with its hash and the loader that read it (see eventdw.ingest.imports).
    "imported_files": (
        ("source_file", "varchar"),
        ("input_kind", "varchar"),
        ("file_sha256", "varchar"),
        ("read_by", "varchar"),
    ),
    "reference_fingerprint": (("fingerprint", "varchar"),),
    "load_runs": (
        ("run_id", "varchar"),
        ("loaded_at", "timestamp"),
        ("seeds_dir", "varchar"),
        ("articles_loaded", "integer"),
        ("extraction_rows_read", "integer"),
        ("extraction_rows_accepted", "integer"),
        ("rejected_rows", "integer"),
    ),
}

LANDED_COLUMNS = [name for name, _ in COLUMNS["landed_extractions"]]
LANDED_FILE_COLUMNS = [name for name, _ in COLUMNS["landed_files"]]

# An article as the marts see it, hashed: every column of raw.articles but when and by which code it was
# read (and its file's signature). The build plan compares these to find the articles that changed.
ARTICLE_HASH = "md5(cast(to_json(articles) as varchar))"
ARTICLE_HASHED_COLUMNS = "* exclude (loaded_at, parsed_by, file_signature, article_hash)"


def _arrow_type(duckdb_type: str) -> pa.DataType:
    import pyarrow as pa

    return {
        "varchar": pa.string(),
        "json": pa.string(),
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "double": pa.float64(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }[duckdb_type]


@cache
def arrow_schema(table: str, without: tuple[str, ...] = ()) -> pa.Schema:
    """The Arrow schema of raw.`table` (COLUMNS), less the columns `without`."""
    import pyarrow as pa

    return pa.schema([(name, _arrow_type(kind)) for name, kind in COLUMNS[table] if name not in without])


def string_schema(columns: list[str]) -> pa.Schema:
    """An Arrow schema of `columns`, every one a string (a curated reference file's)."""
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in columns])


def landed_schema() -> pa.Schema:
    """The Arrow schema of the rows as read: raw.landed_extractions'."""
    return arrow_schema("landed_extractions")


def arrow(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """`rows` as an Arrow table of `schema`."""
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=schema)


def create(
    con: duckdb.DuckDBPyConnection,
    table: str,
    named: str | None = None,
    defaults: dict[str, str] | None = None,
    if_missing: bool = False,
) -> None:
    """Create raw.`named` (raw.`table` by default) with raw.`table`'s columns, replacing it unless
    `if_missing`; `defaults` maps columns to the string each takes when an insert leaves it out."""
    defaults = defaults or {}
    columns = ", ".join(
        f"{name} {kind}" + (f" default '{defaults[name]}'" if name in defaults else "") for name, kind in COLUMNS[table]
    )
    verb = "create table if not exists" if if_missing else "create or replace table"
    con.execute(f"{verb} raw.{named or table} ({columns})")


def replace(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    """Replace raw.`table` with `data`."""
    con.register("incoming", data)
    con.execute(f"create or replace table raw.{table} as select * from incoming")
    con.unregister("incoming")


def append(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    """Append `data` to raw.`table` by column name."""
    con.register("incoming", data)
    con.execute(f"insert into raw.{table} by name select * from incoming")  # columns it lacks take their default
    con.unregister("incoming")


def swap(con: duckdb.DuckDBPyConnection, incoming: str, table: str) -> None:
    """Put the work table raw.`incoming` in the place of raw.`table` (a rename)."""
    con.execute(f"drop table if exists raw.{table}")
    con.execute(f"alter table raw.{incoming} rename to {table}")


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of raw.`table` in order (none if there is no such table)."""
    query = (
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position"
    )
    return [name for (name,) in con.execute(query, [table]).fetchall()]


def count(con: duckdb.DuckDBPyConnection, table: str, schema: str = "raw") -> int:
    """The rows of raw.`table` (or of `schema`.`table`)."""
    (rows,) = con.execute(f"select count(*) from {schema}.{table}").fetchone() or (0,)
    return int(rows)
