"""The monthly latency histograms (DT_AGENT_MONTHLY_LATENCY and AGENT_MONTHLY_LATENCY_HISTOGRAM)
behind the 12-month window's percentiles: each month's row is its days' rows summed, the
dashboard's answers with them are exactly the answers from the daily histograms alone, only the
calendar months wholly inside the window are read from them, and the current month is never
behind the daily rollups while a closed month is as of the dynamic table's last refresh.

The world is test_long_windows' (100 days of traffic rolled up, raw history cut to 7 days)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import no_exception
from dashboard import queries, session
from test_long_windows import _long_world, run_on_one_day

MONTHLY_DT = "DT_AGENT_MONTHLY_LATENCY"


@pytest.fixture(scope="module")
def world():
    return _long_world()


def connection(world):
    return session.use_local(world.emulator.session, world.emulator.database, world.emulator.schema)


def twelve_months(conn, month_periods: bool = True, agents=()) -> queries.Filters:
    window = next(w for w in queries.WINDOWS if w.label == "Last 12 months")
    return queries.Filters(window=dataclasses.replace(window, month_periods=month_periods), now=queries.utc_now(),
                           settings=queries.settings(conn), agents=tuple(agents))


def test_each_month_is_its_days_summed(world):
    world.emulator.refresh_dynamic_table(MONTHLY_DT)
    daily = Counter()
    for row in world.emulator.query("SELECT DAY, AGENT_NAME, BUCKET, TURNS FROM AGENT_DAILY_LATENCY"):
        daily[(row["DAY"].replace(day=1), row["AGENT_NAME"], row["BUCKET"])] += row["TURNS"]
    monthly = {(row["MONTH"], row["AGENT_NAME"], row["BUCKET"]): row["TURNS"]
               for row in world.emulator.query(f"SELECT MONTH, AGENT_NAME, BUCKET, TURNS FROM {MONTHLY_DT}")}
    assert len({month for month, _, _ in daily}) >= 4, "precondition: the rollups span several months"
    assert monthly == dict(daily)


def test_twelve_month_answers_are_the_daily_histograms_answers(world):
    conn = connection(world)
    world.emulator.refresh_dynamic_table(MONTHLY_DT)
    agent = sorted(r["AGENT_FULL_NAME"] for r in world.emulator.query("SELECT DISTINCT AGENT_FULL_NAME FROM AGENT_DAILY_ACTIVITY"))[0]
    for agents in ((), (agent,)):
        with_months, days_only = twelve_months(conn, True, agents), twelve_months(conn, False, agents)
        assert with_months.from_rollups
        for query in (queries.kpis, queries.agents, queries.latency_trend):
            got, want = query(conn, with_months), query(conn, days_only)
            assert got == want, (query.__name__, agents)
        trend = queries.latency_trend(conn, with_months)
        assert len(trend) >= 4 and all(row["P95_TURN_LATENCY_MS"] is not None for row in trend)
    note = queries.monthly_latency_note(with_months)
    assert note and f"{with_months.settings.dynamic_table_target_lag_minutes} minutes" in note
    assert queries.monthly_latency_note(twelve_months(conn, False)) is None


def parts_of(f: queries.Filters, first: date, last: date) -> list[tuple[str, str, str]]:
    text, params = queries._latency_rows(f, ((first, last),), by_month=True)
    views = ["MONTHLY" if "MONTHLY" in part else "DAILY" for part in text.split("UNION ALL")]
    return [(view, params[2 * i], params[2 * i + 1]) for i, view in enumerate(views)]


@pytest.mark.parametrize("first, last, want", [
    (date(2025, 12, 2), date(2026, 12, 1), [("DAILY", "2025-12-02", "2025-12-31"), ("MONTHLY", "2026-01-01", "2026-11-30"),
                                            ("DAILY", "2026-12-01", "2026-12-01")]),
    (date(2026, 1, 1), date(2026, 3, 31), [("MONTHLY", "2026-01-01", "2026-03-31")]),
    (date(2026, 1, 15), date(2026, 2, 10), [("DAILY", "2026-01-15", "2026-02-10")]),
    (date(2024, 2, 1), date(2024, 2, 28), [("DAILY", "2024-02-01", "2024-02-28")]),
    (date(2024, 1, 31), date(2024, 2, 29), [("DAILY", "2024-01-31", "2024-01-31"), ("MONTHLY", "2024-02-01", "2024-02-29")]),
])
def test_only_calendar_months_wholly_inside_are_read_monthly(world, first, last, want):
    assert parts_of(twelve_months(connection(world)), first, last) == want


def test_the_current_month_is_never_behind_and_closed_months_follow_the_refresh(world):
    emulator = world.emulator
    emulator.refresh_dynamic_table(MONTHLY_DT)
    today = datetime.utcnow().date()
    closed = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    agent = emulator.query("SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME FROM AGENT_DAILY_LATENCY LIMIT 1")[0]
    bucket = 999  # a bucket no generated turn reaches

    def shown(month: date) -> int:
        return emulator.query(f"SELECT COALESCE(SUM(TURNS), 0) AS N FROM AGENT_MONTHLY_LATENCY_HISTOGRAM "
                              f"WHERE MONTH = '{month.isoformat()}' AND BUCKET = {bucket}")[0]["N"]

    insert = ("INSERT INTO AGENT_DAILY_LATENCY (DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, BUCKET, TURNS) "
              "VALUES ('{day}', '{AGENT_DATABASE}', '{AGENT_SCHEMA}', '{AGENT_NAME}', {bucket}, 3)")
    try:
        for day in (today, closed):
            emulator.execute(insert.format(day=day.isoformat(), bucket=bucket, **agent))
        assert shown(today.replace(day=1)) == 3, "the current month is summed from the daily rows"
        assert shown(closed) == 0, "a closed month is as of the dynamic table's last refresh"
        emulator.refresh_dynamic_table(MONTHLY_DT)
        assert shown(closed) == 3
    finally:
        emulator.execute(f"DELETE FROM AGENT_DAILY_LATENCY WHERE BUCKET = {bucket}")
        emulator.refresh_dynamic_table(MONTHLY_DT)


@pytest.mark.parametrize("page", ["Overview", "Agents"])
def test_pages_state_how_far_behind_the_monthly_histograms_may_be(world, page):
    app, _ = run_on_one_day(world, page, "Last 12 months")
    no_exception(app)
    lag = queries.settings(connection(world)).dynamic_table_target_lag_minutes
    assert any("monthly histograms" in caption.value and f"{lag} minutes" in caption.value for caption in app.caption)
