"""eventdw: an event-data warehouse."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

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
