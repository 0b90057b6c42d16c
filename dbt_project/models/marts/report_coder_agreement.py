"""Inter-coder agreement per coded field (Krippendorff's alpha): eventdw.agreement over the units.

A Python model because the `krippendorff` package computes alpha; dbt does not enforce contracts on
Python models, so its columns are checked by tests/test_agreement.py instead.
"""


def model(dbt, session):
    dbt.config(materialized="table", contract={"enforced": False})
    from eventdw.agreement import agreement

    return agreement(dbt.ref("report_coder_agreement_units").df())
