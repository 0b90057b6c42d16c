"""A dbt-duckdb plugin that gives every dbt connection eventdw's SQL functions."""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from eventdw.names import normalize_name


class Plugin(BasePlugin):
    """Registers `eventdw_normalize_name(varchar) -> varchar` on each connection dbt opens."""

    def configure_connection(self, conn: Any) -> None:
        conn.create_function("eventdw_normalize_name", normalize_name, ["VARCHAR"], "VARCHAR")
