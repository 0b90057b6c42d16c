"""The main job on the bundled seeds: what lands in the marts, the exports and the quality history."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from tests.conftest import MART_TABLES, PROGRESS_LINE, REPO, SEEDS, UNEXPORTED_MART_TABLES, marts_snapshot

DEIR_EZ_ZOR = "geonames:170794"


def _input_rows() -> int:
    total = 0
    for path in SEEDS.glob("extractions/*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            total += sum(1 for _ in csv.DictReader(handle))
    return total


def test_every_extraction_row_is_a_mention_or_a_rejected_row(seed_run, seed_db):
    (mentions,) = seed_db.execute("select count(*) from marts.fact_event_mentions").fetchone()
    (rejected,) = seed_db.execute("select count(*) from raw.rejected_rows where row_number is not null").fetchone()
    assert mentions + rejected == _input_rows() == seed_run.extraction_rows_read
    assert mentions == seed_run.extraction_rows_accepted >= 30
    assert seed_run.unresolved_names == 0


def test_sdf_capture_of_deir_ez_zor_is_one_event_reported_by_four_articles(seed_db):
    rows = seed_db.execute(
        """
        select actor1_id, cameo_code, cameo_root_code, quad_class, goldstein_scale, num_articles, num_mentions,
               source_article_ids, acled_event_type, interaction
        from marts.fact_events
        where place_id = ? and event_date = date '2024-12-06' and cameo_root_code = '19'
        """,
        [DEIR_EZ_ZOR],
    ).fetchall()
    assert rows == [
        (
            "sdf",
            "192",
            "19",
            4,
            -9.5,
            4,
            4,
            "000_4938db59a5dbecdc; 001_80b8b6eb158c6571; 002_06df92578aa3feb5; 004_a744f15570869942",
            "Strategic developments",
            12,
        )
    ]


def test_deir_ez_zor_spellings_resolve_to_one_place(seed_db):
    rows = seed_db.execute(
        """
        select distinct location_text, place_id from marts.fact_event_mentions
        where location_text in ('Deir el-Zor', 'Deir ez-Zor', 'Deir Ezzor', 'Deir ez-Zur')
        """
    ).fetchall()
    assert {text for text, _ in rows} == {"Deir el-Zor", "Deir ez-Zor", "Deir Ezzor", "Deir ez-Zur"}
    assert {place for _, place in rows} == {DEIR_EZ_ZOR}
    place = seed_db.execute(
        "select place_name, geonames_id, admin1_iso, country_iso3, round(latitude, 2), round(longitude, 2) "
        "from marts.dim_place where place_id = ?",
        [DEIR_EZ_ZOR],
    ).fetchone()
    assert place == ("Deir ez-Zor", 170794, "SY-DY", "SYR", 35.34, 40.14)


def test_sdf_spellings_resolve_to_one_actor(seed_db):
    rows = seed_db.execute(
        """
        select distinct text, actor_id from (
            select actor1_text as text, actor1_id as actor_id from marts.fact_event_mentions
            union all
            select actor2_text, actor2_id from marts.fact_event_mentions
        )
        where text in ('SDF', 'Syrian Democratic Forces', 'U.S.-backed Syrian rebel forces', 'Kurdish forces')
        """
    ).fetchall()
    assert len(rows) == 4 and {actor for _, actor in rows} == {"sdf"}


def test_government_forces_before_8_december_2024_are_the_assad_era_actor(seed_db):
    rows = seed_db.execute(
        "select distinct actor1_id from marts.fact_event_mentions where actor1_text = 'Syrian government forces'"
    ).fetchall()
    assert rows == [("syria_military_assad",)]


def test_every_quote_slices_back_out_of_its_article(seed_db):
    (mismatches,) = seed_db.execute(
        """
        select count(*) from marts.fact_event_mentions m join marts.dim_article a using (article_id)
        where substring(a.raw_text, m.quote_start + 1, m.quote_end - m.quote_start) <> m.quote
        """
    ).fetchone()
    assert mismatches == 0


def test_unknown_fatalities_stay_unknown_and_reported_ones_are_kept(seed_db):
    sweida = seed_db.execute(
        """
        select e.fatalities, e.fatalities_low, e.fatalities_high, e.num_articles
        from marts.fact_events e
        where e.place_id = 'geonames:172408' and e.cameo_code = '190'
        """
    ).fetchall()
    assert sweida == [(3, 3, 3, 2)]
    (unknown,) = seed_db.execute("select count(*) from marts.fact_events where fatalities is null").fetchone()
    (zero,) = seed_db.execute("select count(*) from marts.fact_events where fatalities = 0").fetchone()
    assert unknown > zero


def test_every_event_has_a_mention_and_its_keys_in_the_dimensions(seed_db):
    orphans = seed_db.execute(
        """
        select
            (select count(*) from marts.fact_events e
             where not exists (select 1 from marts.fact_event_mentions m where m.event_id = e.event_id)),
            (select count(*) from marts.fact_events e
             where e.place_id not in (select place_id from marts.dim_place)),
            (select count(*) from marts.fact_events e
             where e.actor1_id not in (select actor_id from marts.dim_actor))
        """
    ).fetchone()
    assert orphans == (0, 0, 0)


def test_exports_hold_the_marts_with_a_manifest(seed_run, seed_db):
    exports = seed_run.exports_dir
    manifest = json.loads((exports / "manifest.json").read_text())
    for table in MART_TABLES:
        (rows,) = seed_db.execute(f"select count(*) from marts.{table}").fetchone()
        assert manifest["tables"][table] == rows
    assert (
        sum(f["rows"] for f in manifest["files"] if f["path"].startswith("fact_events/"))
        == manifest["tables"]["fact_events"]
    )
    assert (exports / "fact_events" / "year=2024" / "month=12").is_dir()
    assert (exports / "fact_events" / "year=2014" / "month=07").is_dir()
    events = ds.dataset(exports / "fact_events", format="parquet", partitioning="hive").to_table()
    assert sorted(events.column("event_id").to_pylist()) == sorted(
        e for (e,) in seed_db.execute("select event_id from marts.fact_events").fetchall()
    )
    assert ds.dataset(exports / "dim_place.parquet").count_rows() == manifest["tables"]["dim_place"]


def test_quality_gate_results_are_kept_in_the_warehouse_and_the_data_docs(seed_run, seed_db):
    rows = seed_db.execute(
        "select suite, severity, success from quality.validation_results where run_id = ?", [seed_run.run_id]
    ).fetchall()
    from expectations import all_checks

    assert (
        {suite for suite, _, _ in rows}
        == {check.name for check in all_checks()}
        == {
            "raw.rejected_rows",
            "marts.fact_events",
            "marts.fact_event_mentions",
            "marts.mention_places",
            "marts.dim_place",
            "marts.dim_article",
        }
    )
    assert all(success for _, severity, success in rows if severity == "error")
    report = seed_run.data_docs.read_text()
    assert seed_run.data_docs.name == "index.html"  # the report is the folder's index
    assert "<script" not in report and "https://" not in report and "http://" not in report
    assert report.count("<h2>") == len({suite for suite, _, _ in rows})
    assert "Every expectation was met." in report
    assert "coded rows with a quote outside the article&#x27;s body" in report  # what a failure would mean
    # Great Expectations' site (its CDN-fed index, scripts and images) is not written any more; beside the
    # index, the inter-coder agreement page, which says the seeds have one coder.
    assert sorted(path.name for path in seed_run.data_docs.parent.iterdir()) == ["agreement.html", "index.html"]
    agreement = (seed_run.data_docs.parent / "agreement.html").read_text()
    assert "No article is coded by two or more coders" in agreement and "http" not in agreement


def test_running_twice_on_the_same_input_leaves_the_same_marts_and_identical_exports(seed_run, tmp_path):
    from eventdw.flow import eventdw_pipeline

    def export_hashes(exports):
        manifest = json.loads((exports / "manifest.json").read_text())
        return {file["path"]: file["sha256"] for file in manifest["files"]}

    warehouse = tmp_path / "w.duckdb"
    first = eventdw_pipeline(SEEDS, warehouse, tmp_path / "exports", tmp_path / "docs")
    before, first_exports = marts_snapshot(warehouse), export_hashes(tmp_path / "exports")
    # A run on unchanged inputs stops after its scan with the last run's summary; a full check runs all the same.
    unchanged = eventdw_pipeline(SEEDS, warehouse, tmp_path / "exports", tmp_path / "docs")
    assert (unchanged.run_id, unchanged.events) == (first.run_id, first.events) and unchanged.unchanged_since
    second = eventdw_pipeline(SEEDS, warehouse, tmp_path / "exports", tmp_path / "docs", full_check=True)
    assert second.build == "incremental: nothing changed; every row tested"
    assert marts_snapshot(warehouse) == before
    assert second.events == first.events == seed_run.events
    # Byte-identical files, run after run, and from another warehouse built from the same inputs.
    assert export_hashes(tmp_path / "exports") == first_exports == export_hashes(seed_run.exports_dir)
    assert second.run_id != first.run_id
    # One build: the manifests carry the same build record (versions, reference, code and input hashes) and
    # build id, whichever run and warehouse wrote them, and each run recorded it in the warehouse.
    builds = [json.loads((exports / "manifest.json").read_text())["build"] for exports in
              (tmp_path / "exports", seed_run.exports_dir)]  # fmt: skip
    assert builds[0] == builds[1] and len(builds[0]["build_id"]) == 16
    assert builds[0]["software"]["duckdb"] == duckdb.__version__
    with duckdb.connect(str(warehouse)) as con:
        recorded = con.execute("select run_id, build_id from eventdw_state.builds order by built_at").fetchall()
    assert recorded == [(first.run_id, builds[0]["build_id"]), (second.run_id, builds[0]["build_id"])]


def test_versions_prints_the_last_build_beside_what_is_installed(seed_run):
    from click.testing import CliRunner

    from eventdw.cli import main

    build_id = json.loads((seed_run.exports_dir / "manifest.json").read_text())["build"]["build_id"]
    result = CliRunner().invoke(main, ["versions", "--warehouse", str(seed_run.warehouse)])
    assert result.exit_code == 0, result.output
    assert f"Last build of {seed_run.warehouse}: build {build_id}, run {seed_run.run_id}," in result.output
    assert f"{'duckdb':<22}{duckdb.__version__:<22}{duckdb.__version__}" in result.output.splitlines()
    assert "differs" not in result.output and "GDELT's CAMEO 1.1b3" in result.output


def test_the_build_id_follows_the_reference_data_and_the_inputs(tmp_path):
    from eventdw.ingest import load_inputs
    from eventdw.versions import build_record

    def record(name: str, edit=None) -> dict:
        root = tmp_path / name
        seeds = root / "seeds"
        shutil.copytree(SEEDS, seeds)
        if edit:
            edit(seeds)
        with duckdb.connect(str(root / "w.duckdb")) as con:
            load_inputs(con, seeds, name)
            return build_record(con)

    def alias(seeds: Path) -> None:
        with (seeds / "reference" / "actor_aliases.csv").open("a", encoding="utf-8") as aliases:
            aliases.write("Kurdish-led SDF,sdf,,,\n")

    def row_dropped(seeds: Path) -> None:
        path = next((seeds / "extractions").glob("*.csv"))
        path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")

    same, again, aliased, fewer = record("a"), record("b"), record("c", alias), record("d", row_dropped)
    assert same == again
    assert aliased["build_id"] != same["build_id"]
    changed = {table for table in same["reference"] if aliased["reference"][table] != same["reference"][table]}
    assert changed == {"ref_actor_aliases"} and aliased["inputs"] == same["inputs"]
    assert fewer["build_id"] != same["build_id"] and fewer["reference"] == same["reference"]
    assert fewer["inputs"]["coded_rows"] != same["inputs"]["coded_rows"]


def test_the_rule_matches_a_report_to_a_day_on_its_key_and_the_date_together(seed_run, seed_db):
    """Planned as a join on the key alone with the dates filtered after, the rule paired each week or month
    report with every day event of its key: at L, twelve minutes instead of seconds. Whatever the data, each
    join on the rule's key must also match the date (the plan is DuckDB's for the SQL dbt compiled)."""
    artifacts = seed_run.warehouse.parent / f"{seed_run.warehouse.stem}.dbt"
    compiled = artifacts / "target/compiled/eventdw/models/intermediate/int_mentions_anchored_to_events.sql"
    (plan,) = seed_db.execute("explain (format json) " + compiled.read_text()).fetchone()[1:]
    key_joins = []

    def walk(node: dict) -> None:
        conditions = node.get("extra_info", {}).get("Conditions", [])
        conditions = [conditions] if isinstance(conditions, str) else conditions
        if any(condition.startswith("actor_pair_first = ") for condition in conditions):
            key_joins.append(conditions)
        for child in node.get("children", []):
            walk(child)

    for root in json.loads(plan):
        walk(root)
    assert len(key_joins) == 2  # the week reports' choice of a day, the month reports' of a day or week
    for conditions in key_joins:
        assert "candidate_date = anchor_date" in conditions or "anchor_date = candidate_date" in conditions


@pytest.mark.parametrize("missing", ["articles", "extractions"])
def test_cli_reports_a_missing_input_folder_in_one_line_before_prefect_starts(tmp_path, missing):
    """The inputs are checked before Prefect is even imported: with Prefect's API pointed at a closed
    port, the run still says what is wrong with the inputs, not that it cannot reach Prefect."""
    seeds = tmp_path / "seeds"
    for folder in {"articles", "extractions", "reference"} - {missing}:
        (seeds / folder).mkdir(parents=True)
    done = _eventdw_run(tmp_path, seeds)
    assert done.returncode == 1
    expected = f"Error: {seeds / missing} is not a folder (expected seeds/articles, extractions, reference)\n"
    assert done.stderr == expected


def test_cli_reports_contradicting_reference_data_in_one_line_before_prefect_starts(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    actors = seeds / "reference" / "actors.csv"
    text = actors.read_text(encoding="utf-8")
    row = len(text.splitlines()) + 1  # the line added (the header is row 1)
    actors.write_text(text + "sdf,SDF again,SYRREB,2,SYR,,,,,\n", encoding="utf-8")
    done = _eventdw_run(tmp_path, seeds)
    assert done.returncode == 1
    actors_file = seeds / "reference" / "actors.csv"
    assert done.stderr == f"Error: reference file {actors_file} row {row}: actor_id 'sdf' repeats row 2\n"


def _eventdw_run(tmp_path, seeds):
    import os
    import subprocess
    import sys

    environment = os.environ | {"PREFECT_API_URL": "http://127.0.0.1:9/api"}  # nothing listens there
    command = [str(Path(sys.executable).with_name("eventdw")), "run", "--seeds-dir", str(seeds)]
    return subprocess.run(
        [*command, "--warehouse", str(tmp_path / "w.duckdb")], capture_output=True, text=True, env=environment
    )


def test_a_run_waits_minutes_not_seconds_for_prefects_temporary_server():
    """Prefect gives its temporary server 20 s to start by default, too little on a loaded machine; the CLI
    sets its own default before Prefect is imported (Prefect reads its settings once, then)."""
    import os
    import subprocess
    import sys

    script = (
        "from eventdw.cli import _quiet; _quiet(False); "
        "from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as timeout; "
        "print(timeout.value())"
    )
    environment = {k: v for k, v in os.environ.items() if k != "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True)
    assert int(done.stdout) >= 120


def test_cli_reports_a_memory_limit_duckdb_cannot_use_in_one_line(tmp_path, monkeypatch, prefect_harness):
    from click.testing import CliRunner

    from eventdw.cli import main

    monkeypatch.setenv("EVENTDW_MEMORY_LIMIT", "lots")
    result = CliRunner().invoke(main, ["run", "--seeds-dir", "seeds", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: EVENTDW_MEMORY_LIMIT='lots' is not a memory size DuckDB accepts, such as 4GB or 512MB ("
    )
    assert result.output.count("\n") == 1


def test_cli_reports_a_run_out_of_its_memory_cap_in_one_line_naming_the_setting(tmp_path, monkeypatch, prefect_harness):
    """DuckDB's own advice ("SET memory_limit") is not how a user of eventdw raises the cap."""
    from click.testing import CliRunner

    from eventdw.cli import main

    monkeypatch.setenv("EVENTDW_MEMORY_LIMIT", "8MB")
    result = CliRunner().invoke(main, ["run", "--seeds-dir", "seeds", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    cap = "Error: the warehouse ran out of its memory cap, EVENTDW_MEMORY_LIMIT=8MB (DuckDB: "
    assert result.output.startswith(cap), result.output
    assert result.output.endswith("): run again with a higher cap\n")
    assert result.output.count("\n") == 1


def test_cli_reports_a_failed_dbt_test_in_one_line(tmp_path, prefect_harness):
    import shutil

    from click.testing import CliRunner

    from eventdw.cli import main

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    with (seeds / "reference" / "place_aliases.csv").open("a", encoding="utf-8") as aliases:
        aliases.write("Ghost Town,geonames:999999999,a GeoNames id that does not exist\n")
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--seeds-dir",
            str(seeds),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--exports-dir",
            str(tmp_path / "x"),
        ],
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    *progress, error = result.stderr.splitlines()
    assert error == (
        "Error: dbt build failed: test relationships on stg_reference__place_aliases.place_id: 1 failing row(s): "
        "(from_field=geonames:999999999)"
    )
    assert all(PROGRESS_LINE.match(line) for line in progress)
    assert not (tmp_path / "x").exists()


def test_scheduled_deployment_registers_with_its_cron_on_a_prefect_server(prefect_harness, tmp_path):
    import asyncio

    from prefect.client.orchestration import get_client

    from eventdw.schedule import DEPLOYMENT_NAME, scheduled_deployment

    deployment = scheduled_deployment(
        "0 6 * * *", SEEDS, tmp_path / "w.duckdb", tmp_path / "exports", tmp_path / "docs", "Asia/Damascus"
    )
    deployment_id = deployment.apply()

    async def read():
        async with get_client() as client:
            return await client.read_deployment_by_name(f"eventdw/{DEPLOYMENT_NAME}")

    async def filtered_runs():
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        async with get_client() as client:
            return await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
            )

    registered = asyncio.run(read())
    assert registered.id == deployment_id
    # The filter endpoint answers (with FastAPI 0.154 it refused every filter query with a 422).
    assert asyncio.run(filtered_runs()) == []
    ((schedule),) = [s.schedule for s in registered.schedules]
    assert (schedule.cron, schedule.timezone) == ("0 6 * * *", "Asia/Damascus")
    assert registered.parameters["warehouse"] == str((tmp_path / "w.duckdb").resolve())
    assert registered.parameters["seeds_dir"] == str(SEEDS.resolve())


def test_serve_refuses_a_bad_cron_in_one_line():
    from click.testing import CliRunner

    from eventdw.cli import main

    result = CliRunner().invoke(main, ["serve", "--cron", "61 * * * *"])
    assert result.exit_code == 1
    assert result.output == "Error: '61 * * * *' is not a cron expression (Invalid cron string: \"61 * * * *\")\n"


def test_a_standalone_prefect_server_creates_the_scheduled_runs(tmp_path):
    """`prefect server start`, as README says, with its scheduler: the cron's runs appear on the server."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = f"http://127.0.0.1:{port}/api"
    env = os.environ | {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
    }
    prefect = Path(sys.executable).with_name("prefect")
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        register = (
            "from pathlib import Path; from eventdw.schedule import scheduled_deployment; "
            f"print(scheduled_deployment('*/5 * * * *', Path('seeds'), Path({str(tmp_path / 'w.duckdb')!r}), "
            f"Path({str(tmp_path / 'x')!r}), Path({str(tmp_path / 'd')!r})).apply())"
        )
        deployment_id = subprocess.run(
            [sys.executable, "-c", register], env=env, cwd=REPO, check=True, capture_output=True, text=True
        ).stdout.strip()
        runs: list[dict] = []
        deadline = time.monotonic() + 90
        while not runs and time.monotonic() < deadline:
            time.sleep(2)
            response = httpx.post(
                f"{api}/flow_runs/filter", json={"deployments": {"id": {"any_": [deployment_id]}}}, timeout=10
            )
            response.raise_for_status()
            runs = response.json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert runs, "the server's scheduler created no runs for the deployment"
    assert {run["state"]["type"] for run in runs} == {"SCHEDULED"}
    assert all(run["expected_start_time"][14:16] in {f"{m:02d}" for m in range(0, 60, 5)} for run in runs)


def test_every_mart_row_names_its_run_and_build_and_the_exports_keep_the_build(seed_run):
    manifest = json.loads((seed_run.exports_dir / "manifest.json").read_text())
    build_id = manifest["build"]["build_id"]
    assert manifest["run_id"] == seed_run.run_id
    with duckdb.connect(str(seed_run.warehouse)) as con:
        for table in [*MART_TABLES, *UNEXPORTED_MART_TABLES, "events_described"]:
            ids = con.execute(f"select distinct run_id, build_id from marts.{table}").fetchall()
            assert ids in ([(seed_run.run_id, build_id)], []), table
        assert con.execute("select run_id, build_id from eventdw_state.builds").fetchall() == [
            (seed_run.run_id, build_id)
        ]
        # The exports keep each row's build, not the run (which differs from run to run).
        exported = con.execute(
            f"select distinct build_id from read_parquet('{seed_run.exports_dir}/fact_events/*/*/*.parquet')"
        ).fetchall()
        columns = [
            row[0]
            for row in con.execute(f"describe select * from '{seed_run.exports_dir}/dim_actor.parquet'").fetchall()
        ]
    assert exported == [(build_id,)]
    assert columns[-1] == "build_id" and "run_id" not in columns
