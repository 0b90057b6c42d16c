"""Inter-coder agreement per coded field (Krippendorff's alpha): eventdw.agreement over the units.

A Python model because the `krippendorff` package computes alpha; dbt does not enforce contracts on
Python models, so its columns are checked by tests/test_agreement.py instead. Like every mart, its rows
carry the run that wrote them and the build they are part of (the SQL marts' macro select_with_provenance).
It runs on both engines: dbt.ref gives a DuckDB relation or a Spark DataFrame, and on Spark dbt-spark writes
the pandas frame it returns (in a local session through eventdw.spark.run_python_models_in_session).
"""


def _pandas(relation):
    """A relation dbt.ref gives as a pandas frame: DuckDB's relation (.df()) or a Spark DataFrame."""
    return relation.toPandas() if hasattr(relation, "toPandas") else relation.df()


# The Spark type of each pandas dtype eventdw.agreement gives.
_SPARK_TYPES = {"string": "string", "Float64": "double", "float64": "double", "Int64": "bigint", "int64": "bigint"}


def _spark_frame(session, frame):
    """The frame as a Spark DataFrame of the frame's column types: Spark infers none from an empty frame (a
    warehouse with one coder has no agreement to report)."""
    import pandas as pd

    schema = ", ".join(f"`{name}` {_SPARK_TYPES[str(dtype)]}" for name, dtype in frame.dtypes.items())
    rows = [
        tuple(None if pd.isna(value) else value.item() if hasattr(value, "item") else value for value in row)
        for row in frame.itertuples(index=False)
    ]
    return session.createDataFrame(rows, schema)


def model(dbt, session):
    dbt.config(materialized="table", contract={"enforced": False})
    import pandas as pd

    from eventdw.agreement import agreement

    frame = agreement(_pandas(dbt.ref("report_coder_agreement_units")))
    current_build = _pandas(dbt.ref("stg_build_state__current_build")).iloc[0]
    for column in ("run_id", "build_id"):
        frame[column] = pd.Series([current_build[column]] * len(frame), index=frame.index, dtype="string")
    return _spark_frame(session, frame) if hasattr(session, "createDataFrame") else frame
