"""What Wallmonitor itself costs, on the emulator: WALLMONITOR_OWN_COST_ESTIMATE (the estimate the
stack renders) and WALLMONITOR_OWN_COST (the actual consumption from emulated
SNOWFLAKE.ACCOUNT_USAGE views, emulator.OWN_COST_USAGE_DDLS, beside the estimate).

Known answers: usage rows of Wallmonitor's own tasks, dynamic tables and warehouse are counted;
rows of the same names in another database or schema, of other tasks and of other warehouses are
not; hourly rows are summed into UTC days, including a row whose local time falls on the day
before; dynamic-table refreshes count only when they ran on the warehouse (not NO_DATA).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import fakesnow
import pytest

from conftest import _coverage
from emulator import Emulator

ACCOUNT_USAGE = "SNOWFLAKE.ACCOUNT_USAGE"
NINE = Decimal("0.000000001")


@pytest.fixture(scope="module")
def emu(catalog):
    with fakesnow.patch():
        emulator = Emulator(catalog, _coverage)
        yield emulator
        emulator.close()


def at(local: str, offset_hours: int) -> datetime:
    """A TIMESTAMP_LTZ value: local time at a UTC offset."""
    return datetime.fromisoformat(local).replace(tzinfo=timezone(timedelta(hours=offset_hours)))


def own_cost(emu) -> list[dict]:
    return emu.view("WALLMONITOR_OWN_COST", order_by="DAY, OBJECT_NAME")


def estimate(emu) -> dict[str, dict]:
    return {row["OBJECT_NAME"]: row for row in emu.view("WALLMONITOR_OWN_COST_ESTIMATE")}


def test_estimate_lists_the_stacks_own_objects(emu, catalog):
    rows = estimate(emu)
    config = catalog["config"]
    tasks = catalog["names"]["tasks"]
    assert set(rows) == {*tasks.values(), *catalog["dynamicTables"], config["warehouse"]}
    for name in tasks.values():
        assert rows[name]["USAGE_VIEW"] == "SERVERLESS_TASK_HISTORY"
        assert (rows[name]["OBJECT_DATABASE"], rows[name]["OBJECT_SCHEMA"]) == (config["database"], config["schema"])
        # The discovery and rollup tasks run after each ingestion cycle, so as often as it.
        assert rows[name]["ESTIMATED_DAILY_RUNS"] == 1440 / config["refreshIntervalMinutes"]
        assert rows[name]["ESTIMATED_DAILY_CREDITS"] > 0
    for name in catalog["dynamicTables"]:
        # Billed as warehouse time, never as credits of their own.
        assert rows[name]["ESTIMATED_DAILY_CREDITS"] is None
        assert rows[name]["ESTIMATED_DAILY_RUNS"] == 1440 / max(config["dynamicTableTargetLagMinutes"],
                                                                config["refreshIntervalMinutes"])
    warehouse = rows[config["warehouse"]]
    assert warehouse["USAGE_VIEW"] == "WAREHOUSE_METERING_HISTORY" and warehouse["OBJECT_DATABASE"] is None
    assert warehouse["ESTIMATED_DAILY_CREDITS"] > 0
    assert all(row["BASIS"] for row in rows.values())


def test_actual_consumption_counts_only_wallmonitors_objects_by_utc_day(emu, catalog):
    config = catalog["config"]
    database, schema, warehouse = config["database"], config["schema"], config["warehouse"]
    refresh, rollup = catalog["names"]["tasks"]["refresh"], catalog["names"]["tasks"]["rollup"]
    dynamic_table = "DT_AGENT_METRICS_RECENT"
    assert dynamic_table in catalog["dynamicTables"]

    tasks = [  # start (local time with its offset), credits as the documented text, task, schema, database
        (at("2026-11-10 00:00", 0), "0.250000000", refresh, schema, database),
        (at("2026-11-10 23:00", 0), "0.500000000", refresh, schema, database),
        # 20:30 at -08:00 is 04:30 UTC on the 11th.
        (at("2026-11-10 20:30", -8), "0.125000000", refresh, schema, database),
        (at("2026-11-10 05:00", 0), "0.031250000", rollup, schema, database),
        # Not Wallmonitor's: the same task name in another schema and another database, another task.
        (at("2026-11-10 06:00", 0), "7.000000000", refresh, "OTHER", database),
        (at("2026-11-10 06:00", 0), "9.000000000", refresh, schema, "OTHER_DB"),
        (at("2026-11-10 06:00", 0), "11.000000000", "NIGHTLY_ETL_TASK", schema, database),
    ]
    for start, credits, task, task_schema, task_database in tasks:
        emu.query(f"INSERT INTO {ACCOUNT_USAGE}.SERVERLESS_TASK_HISTORY (START_TIME, END_TIME, CREDITS_USED, TASK_ID, "
                  "TASK_NAME, SCHEMA_ID, SCHEMA_NAME, DATABASE_ID, DATABASE_NAME, INSTANCE_ID) "
                  "VALUES (?, ?, ?, 1, ?, 2, ?, 3, ?, NULL)",
                  [start, start, credits, task, task_schema, task_database])
    metering = [
        (at("2026-11-10 08:00", 0), "0.4", warehouse),
        (at("2026-11-10 09:00", 0), "0.6", warehouse),
        (at("2026-11-11 00:00", 0), "0.2", warehouse),
        (at("2026-11-10 08:00", 0), "5.0", "ANALYTICS_WH"),
    ]
    for start, credits, name in metering:
        emu.query(f"INSERT INTO {ACCOUNT_USAGE}.WAREHOUSE_METERING_HISTORY (START_TIME, END_TIME, WAREHOUSE_ID, "
                  "WAREHOUSE_NAME, CREDITS_USED, CREDITS_USED_COMPUTE, CREDITS_USED_CLOUD_SERVICES, "
                  "CREDITS_ATTRIBUTED_COMPUTE_QUERIES) VALUES (?, ?, 7, ?, ?, ?, 0, ?)",
                  [start, start, name, credits, credits, credits])
    refreshes = [
        (at("2026-11-10 08:00", 0), "FULL", schema),
        (at("2026-11-10 09:00", 0), "NO_DATA", schema),
        (at("2026-11-10 10:00", 0), "INCREMENTAL", schema),
        (at("2026-11-10 11:00", 0), "FULL", "OTHER"),
    ]
    for start, action, dt_schema in refreshes:
        emu.query(f"INSERT INTO {ACCOUNT_USAGE}.DYNAMIC_TABLE_REFRESH_HISTORY (NAME, SCHEMA_NAME, DATABASE_NAME, "
                  "STATE, REFRESH_START_TIME, REFRESH_END_TIME, QUALIFIED_NAME, REFRESH_ACTION) "
                  "VALUES (?, ?, ?, 'SUCCEEDED', ?, ?, ?, ?)",
                  [dynamic_table, dt_schema, database, start, start, f"{database}.{dt_schema}.{dynamic_table}", action])

    expected_credits = defaultdict(Decimal)
    expected_credits[("2026-11-10", refresh)] = Decimal("0.75")
    expected_credits[("2026-11-11", refresh)] = Decimal("0.125")
    expected_credits[("2026-11-10", rollup)] = Decimal("0.03125")
    expected_credits[("2026-11-10", warehouse)] = Decimal("1.0")
    expected_credits[("2026-11-11", warehouse)] = Decimal("0.2")
    plan = estimate(emu)
    # Days are UTC whatever the session's time zone (TIMESTAMP_LTZ is shown in the session's).
    # fakesnow has no ALTER SESSION SET TIMEZONE: the emulator's DuckDB session is set instead.
    duck = emu.conn._duck_conn
    zone = duck.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    duck.execute("SET TimeZone = 'America/Los_Angeles'")
    try:
        rows = own_cost(emu)
    finally:
        duck.execute(f"SET TimeZone = '{zone}'")
    got = {(str(row["DAY"]), row["OBJECT_NAME"]): row for row in rows}
    assert set(got) == {*expected_credits, ("2026-11-10", dynamic_table)}
    for key, credits in expected_credits.items():
        row = got[key]
        assert Decimal(str(row["CREDITS"])).quantize(NINE) == credits.quantize(NINE), key
        assert row["RUNS"] is None
        assert row["ESTIMATED_CREDITS"] == plan[key[1]]["ESTIMATED_DAILY_CREDITS"]
    assert got[("2026-11-10", refresh)]["COMPONENT"] == "ingestion"
    assert got[("2026-11-10", warehouse)]["COMPONENT"] == "warehouse"
    refreshed = got[("2026-11-10", dynamic_table)]
    assert (refreshed["COMPONENT"], refreshed["CREDITS"], refreshed["RUNS"]) == ("dynamic_tables", None, 2)
    assert refreshed["ESTIMATED_RUNS"] == plan[dynamic_table]["ESTIMATED_DAILY_RUNS"]


def test_the_viewer_reads_both_views(catalog):
    assert {"WALLMONITOR_OWN_COST", "WALLMONITOR_OWN_COST_ESTIMATE"} <= set(catalog["viewerCostViews"])
    assert {"WALLMONITOR_OWN_COST", "WALLMONITOR_OWN_COST_ESTIMATE"} <= set(catalog["registry"]["dashboardViews"])
