"""Inter-coder agreement per coded field (Krippendorff's alpha): eventdw.agreement over the units.

A Python model because the `krippendorff` package computes alpha; dbt does not enforce contracts on
Python models, so its columns are checked by tests/test_agreement.py instead. Like every mart, its rows
carry the run that wrote them and the build they are part of (the SQL marts' macro select_with_provenance).
"""


def model(dbt, session):
    dbt.config(materialized="table", contract={"enforced": False})
    import pandas as pd

    from eventdw.agreement import agreement

    frame = agreement(dbt.ref("report_coder_agreement_units").df())
    current_build = dbt.ref("stg_build_state__current_build").df().iloc[0]
    for column in ("run_id", "build_id"):
        frame[column] = pd.Series([current_build[column]] * len(frame), index=frame.index, dtype="string")
    return frame
