"""The benchmark's model of what an INCREMENTAL dynamic table's refresh reads in Snowflake
(bench INCREMENTAL_REFRESH_READS): the emulator recomputes every dynamic table in full, so the
benchmark counts, beside it, the rows of the groups the new rows fall in, as Snowflake documents an
incremental GROUP BY (https://docs.snowflake.com/en/user-guide/dynamic-tables-performance-incremental-operators).
Here each count is checked against the same rule worked out in Python from the stored rows, on a
history where some groups change and others do not; and every table declared INCREMENTAL must have
a count, so a table whose refresh mode changes cannot be left out of the benchmark's figure."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.__main__ import INCREMENTAL_REFRESH_READS  # noqa: E402
import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from traffic import AgentRef, generate  # noqa: E402

AGENTS = [AgentRef("DB_0", "AGENTS", "ALPHA"), AgentRef("DB_1", "AGENTS", "BETA")]


def test_every_incremental_dynamic_table_has_a_count_and_no_other(catalog):
    incremental = {name for name, table in catalog["dynamicTables"].items() if table["refreshMode"] == "INCREMENTAL"}
    assert set(INCREMENTAL_REFRESH_READS) == incremental


def test_each_count_is_the_rows_of_the_groups_the_new_rows_fall_in(emulator):
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    emulator.deliver(generate(seed=11, agents=AGENTS, start=now - timedelta(hours=5), end=now,
                              turns_per_agent_per_hour=12, feedback_rate=0.2))
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
    statements = emulator.handler_statements()
    ingestion.run_discovery(emulator.session, statements, "%", None, True)
    ingestion.run_refresh(emulator.session, statements, 6, emulator.config["historyDays"], "event_table")
    ingestion.run_rollup(emulator.session, statements, emulator.config["historyDays"], emulator.config["rollupRetentionDays"])
    since = emulator.query("SELECT SYSDATE() AS T")[0]["T"]
    # New rows for ALPHA only, in one older hour: half continue its threads, half open new ones.
    emulator.execute(f"""
        INSERT INTO AGENT_EVENTS_HISTORY
        SELECT * REPLACE (EVENT_KEY || '-late' AS EVENT_KEY,
                          IFF(MOD(ABS(HASH(EVENT_KEY)), 2) = 0, THREAD_ID, THREAD_ID || '-late') AS THREAD_ID,
                          SYSDATE() AS LOADED_AT)
        FROM AGENT_EVENTS_HISTORY
        WHERE AGENT_NAME = 'ALPHA' AND EVENT_TIMESTAMP >= DATEADD('hour', -3, '{now}')
          AND EVENT_TIMESTAMP < DATEADD('hour', -2, '{now}')""")
    rows = emulator.query("SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, THREAD_ID, EVENT_TIMESTAMP, LOADED_AT "
                          "FROM AGENT_EVENTS_HISTORY")
    new = [row for row in rows if row["LOADED_AT"] >= since]
    assert 0 < len(new) < len(rows) // 4

    def agent(row):
        return row["AGENT_DATABASE"], row["AGENT_SCHEMA"], row["AGENT_NAME"]

    def hour(row):
        return row["EVENT_TIMESTAMP"].replace(minute=0, second=0, microsecond=0)

    def month(day):
        return day.year, day.month

    threads = {(agent(row), row["THREAD_ID"]) for row in new if row["THREAD_ID"] is not None}
    hours = {(agent(row), hour(row)) for row in new}
    months = {(agent(row), month(row["EVENT_TIMESTAMP"])) for row in new}
    latency = emulator.query("SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, DAY FROM AGENT_DAILY_LATENCY")
    expected = {
        "DT_THREAD_ACTIVITY_RECENT": sum((agent(row), row["THREAD_ID"]) in threads for row in rows),
        "DT_HOURLY_THREAD_ACTIVITY_RECENT": sum((agent(row), hour(row)) in hours for row in rows),
        "DT_AGENT_MONTHLY_LATENCY": sum((agent(row), month(row["DAY"])) in months for row in latency),
    }
    counted = {name: emulator.query(query.format(since=since))[0]["N"] for name, query in INCREMENTAL_REFRESH_READS.items()}
    assert counted == expected
    # Groups did change and others did not: each count lies strictly between the new rows and all of them.
    assert len(new) < counted["DT_HOURLY_THREAD_ACTIVITY_RECENT"] < len(rows)
    assert len([row for row in new if row["THREAD_ID"] is not None]) < counted["DT_THREAD_ACTIVITY_RECENT"] < len(rows)
    assert 0 < counted["DT_AGENT_MONTHLY_LATENCY"] < len(latency)
