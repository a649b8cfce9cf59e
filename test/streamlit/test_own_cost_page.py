"""Pipeline health's own-cost section: the estimate the stack renders beside the actual daily
average that WALLMONITOR_OWN_COST reads from (emulated) ACCOUNT_USAGE, per component."""

from __future__ import annotations

from datetime import datetime, timedelta

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import catalog, empty_emulator, metrics, no_exception, no_injected_session_left, run_page  # noqa: F401 (fixtures)
from emulator import utc_now

ACCOUNT_USAGE = "SNOWFLAKE.ACCOUNT_USAGE"


def _estimate(emulator) -> dict[str, dict]:
    rows = emulator.query(f"SELECT COMPONENT, SUM(ESTIMATED_DAILY_CREDITS) AS CREDITS, SUM(ESTIMATED_DAILY_RUNS) AS RUNS "
                          f"FROM {emulator.database}.{emulator.schema}.WALLMONITOR_OWN_COST_ESTIMATE GROUP BY COMPONENT")
    return {row["COMPONENT"]: row for row in rows}


def test_without_usage_the_estimate_stands_alone(empty_emulator):
    app = run_page(empty_emulator, "Pipeline health")
    no_exception(app)
    estimate = _estimate(empty_emulator)
    shown = metrics(app)
    assert shown["Estimated credits/day"][0] == f"{sum(float(row['CREDITS'] or 0) for row in estimate.values()):.3f}"
    assert shown["Actual credits/day"][0] == "-"
    assert any("reports no consumption of Wallmonitor's" in caption.value for caption in app.caption)


def test_estimated_beside_actual_per_component(empty_emulator):
    emulator = empty_emulator
    config = emulator.config
    today = utc_now().date()
    day = lambda ago, hour: datetime.combine(today - timedelta(days=ago), datetime.min.time()) + timedelta(hours=hour)
    refresh_task = emulator.catalog["names"]["tasks"]["refresh"]
    # Two complete days with consumption (2 and 1 days ago), one row of today (left out: incomplete).
    for start, credits in [(day(2, 3), "0.4"), (day(2, 4), "0.2"), (day(1, 5), "0.6"), (day(0, 1), "5.0")]:
        emulator.query(f"INSERT INTO {ACCOUNT_USAGE}.SERVERLESS_TASK_HISTORY (START_TIME, END_TIME, CREDITS_USED, "
                       "TASK_NAME, SCHEMA_NAME, DATABASE_NAME) VALUES (?, ?, ?, ?, ?, ?)",
                       [start, start, credits, refresh_task, config["schema"], config["database"]])
    emulator.query(f"INSERT INTO {ACCOUNT_USAGE}.WAREHOUSE_METERING_HISTORY (START_TIME, END_TIME, WAREHOUSE_NAME, "
                   "CREDITS_USED) VALUES (?, ?, ?, 1.5)", [day(1, 8), day(1, 8), config["warehouse"]])

    app = run_page(emulator, "Pipeline health")
    no_exception(app)
    table = app.dataframe[-1].value.set_index("COMPONENT")
    estimate = _estimate(emulator)
    assert set(table.index) == set(estimate)
    # Averages over the 2 days with consumption.
    assert abs(table.loc["ingestion", "ACTUAL_CREDITS"] - 0.6) < 1e-9
    assert abs(table.loc["warehouse", "ACTUAL_CREDITS"] - 0.75) < 1e-9
    assert table["ACTUAL_CREDITS"].isna()["rollup"]
    assert abs(table.loc["ingestion", "ESTIMATED_CREDITS"] - float(estimate["ingestion"]["CREDITS"])) < 1e-9
    assert metrics(app)["Actual credits/day"][0] == "1.350"
