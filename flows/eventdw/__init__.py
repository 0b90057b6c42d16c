"""eventdw: an event-data warehouse."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

# The dbt project is found relative to the code: a checkout builds with its own models.
DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# The usage reporting of the libraries eventdw runs (Prefect, Great Expectations, dbt), off: nothing leaves the
# machine. Set before those libraries are imported; a value the user set is kept.
ANALYTICS_OFF = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}


def turn_analytics_off() -> None:
    """Set ANALYTICS_OFF in the environment (keeping what the user set)."""
    for name, value in ANALYTICS_OFF.items():
        os.environ.setdefault(name, value)


# Great Expectations imports PySpark when it is installed (eventdw's spark extra), which warns on every run
# that it does not fully support pandas 3; eventdw hands Spark no pandas frames.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


def import_great_expectations() -> ModuleType:
    """`import great_expectations`, also in a process whose __main__ has neither a file nor a module spec (a
    run started by `python -c`, or a script piped into python). Great Expectations imports PySpark's Spark
    Connect modules when pyspark is installed (eventdw's spark extra), and PySpark takes such a __main__ for
    a doctest run and, without grpc, exits the process with status 0 (pyspark.sql.connect.utils
    .check_dependencies): a run so started stopped at its gate, exporting nothing, and said nothing. PySpark
    does not take a process with `sys.ps1` for one; it is set while Great Expectations is imported."""
    main = sys.modules.get("__main__")
    headless = getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    pretend = headless and not hasattr(sys, "ps1") and "great_expectations" not in sys.modules
    if pretend:
        sys.ps1 = ""
    try:
        import great_expectations
    finally:
        if pretend:
            del sys.ps1
    return great_expectations
