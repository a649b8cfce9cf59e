"""Windows longer than the raw history. The dev stack keeps 7 days of raw events; its Overview
and Agents pages answer the last 30 days and 90 days from the daily rollups (whole UTC days),
with the numbers the raw events give: counts, tokens and distinct agents exactly, distinct
threads and users within the tolerance of HLL estimates (oracle.DistinctEstimate), turn-latency
percentiles within the histogram's documented factor sqrt(1.05). Pages of
thread-level detail say they keep the history's days instead of showing a shorter window.

The world: 100 days of traffic loaded and rolled up while history still held it (as 80 days of
ingestion cycles would have), then one cycle of the real tasks, whose retention cut the raw
history back to 7 days. The expected numbers come from the generated events (the oracle).
"""

from __future__ import annotations

import atexit
import functools
import math
from datetime import date, timedelta

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import _catalog, choose, metrics, no_exception, no_injected_session_left, run_page  # noqa: F401 (fixture)
import expected
import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
import oracle
from dashboard import fmt, queries, session
from emulator import Coverage, standalone_emulator, utc_now
from traffic import generate
from world import AGENTS, MARGIN, World

DAYS_OF_TRAFFIC = 100
# Longer than the stack's limit of 90 days: these runs pass the handler their own history length.
LOADED_DAYS = 120
ERROR = math.sqrt(1.05)  # lib/catalog.ts LATENCY_BUCKET_RATIO: a percentile is within this factor
LONG_WINDOWS = {"Last 30 days": 30, "Last 90 days": 90}


@functools.lru_cache(maxsize=None)
def _long_world() -> World:
    now = utc_now()
    traffic = generate(seed=41, agents=AGENTS, start=now - timedelta(days=DAYS_OF_TRAFFIC), end=now - MARGIN,
                       turns_per_agent_per_hour=0.5, error_rate=0.1, tool_error_rate=0.05, feedback_rate=0.2)
    context = standalone_emulator(_catalog(), Coverage())
    emulator = context.__enter__()
    atexit.register(context.__exit__, None, None, None)
    statements, config = emulator.handler_statements(), emulator.config
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
    emulator.call(emulator.catalog["tasks"]["discover"]["text"])
    emulator.deliver(traffic)
    # The days as the cycles of the last 100 days rolled them up, each while history held it ...
    ingestion.run_refresh(emulator.session, statements, DAYS_OF_TRAFFIC * 24 + 24, LOADED_DAYS, config["ingestPath"])
    ingestion.run_rollup(emulator.session, statements, LOADED_DAYS, config["rollupRetentionDays"])
    # ... then today's cycle of the real tasks: retention keeps historyDays of raw events.
    emulator.call(emulator.catalog["tasks"]["refresh"]["text"])
    emulator.call(emulator.catalog["tasks"]["rollup"]["text"])
    emulator.refresh_dynamic_tables()
    # The dashboard shows production traffic: evaluation runs are left out of every view it reads.
    return World(emulator, now, oracle.production(oracle.ingest(traffic, [(a.database, a.schema, a.name) for a in AGENTS])))


@pytest.fixture(scope="module")
def long_world():
    return _long_world()


def on_days(history, first: date, last: date, agents=()):
    return [e for e in history if e.thread_id is not None and first <= e.timestamp.date() <= last
            and (not agents or e.agent in agents)]


def estimates_shown(now: int, before: int) -> set:
    """Every (value, change) a metric can show for distinct counts estimated within
    oracle.DistinctEstimate of ``now`` and ``before``."""
    def around(exact):
        allowed = oracle.DistinctEstimate(exact).allowed
        return range(exact - allowed, exact + allowed + 1)
    return {(fmt.number(n), fmt.change(n, b)) for n in around(now) for b in around(before)}


def check_percentile(estimate, durations, q: float, where: str) -> None:
    """Within the histogram's factor of the nearest-rank q-th turn duration."""
    durations = sorted(durations)
    nearest = durations[max(math.ceil(q * len(durations)), 1) - 1]
    if nearest < 1:
        assert estimate == 0, where
    else:
        assert nearest / ERROR * (1 - 1e-9) <= estimate <= nearest * ERROR * (1 + 1e-9), (where, estimate, nearest)


def run_on_one_day(long_world, page: str, window: str, agents=()):
    """The page, run within one UTC day (a run across midnight is repeated), and that day."""
    for _ in range(2):
        today = utc_now().date()
        app = run_page(long_world.emulator, page, prepare=choose(window, agents))
        if utc_now().date() == today:
            return app, today
    raise AssertionError("the clock crossed midnight twice")


def test_the_raw_history_no_longer_holds_the_long_windows(long_world):
    oldest = long_world.emulator.query("SELECT MIN(EVENT_TIMESTAMP) AS T FROM AGENT_EVENTS_HISTORY")[0]["T"]
    assert oldest >= long_world.now - timedelta(days=7, minutes=5)
    days = long_world.emulator.query("SELECT COUNT(DISTINCT DAY) AS N FROM AGENT_DAILY_ACTIVITY")[0]["N"]
    assert days >= DAYS_OF_TRAFFIC - 1


@pytest.mark.parametrize("window", sorted(LONG_WINDOWS))
def test_overview_answers_long_windows_from_the_rollups(long_world, window):
    app, today = run_on_one_day(long_world, "Overview", window)
    no_exception(app)
    days = LONG_WINDOWS[window]
    first, previous_first = today - timedelta(days=days - 1), today - timedelta(days=2 * days - 1)
    now = expected.measures(on_days(long_world.history, first, today))
    before = expected.measures(on_days(long_world.history, previous_first, first - timedelta(days=1)))
    assert now["TURNS"] > 100 and before["TURNS"] > 0, "precondition: both periods have turns"
    rate, rate_before = fmt.rate(now["FAILED_TURNS"], now["TURNS"]), fmt.rate(before["FAILED_TURNS"], before["TURNS"])
    shown = metrics(app)
    for label, key in (("Agents", "ACTIVE_AGENTS"), ("Turns", "TURNS"), ("Tokens", "TOKENS")):
        assert shown[label] == (fmt.number(now[key]), fmt.change(now[key], before[key])), label
    for label, key in (("Active threads", "ACTIVE_THREADS"), ("Users", "ACTIVE_USERS")):
        assert shown[label] in estimates_shown(now[key], before[key]), label
    assert shown["Error rate"] == (fmt.percent(rate), fmt.points(rate, rate_before))
    assert any("daily rollups" in caption.value for caption in app.caption)


def test_long_window_percentiles_come_from_the_merged_histograms(long_world):
    conn = session.use_local(long_world.emulator.session, long_world.emulator.database, long_world.emulator.schema)
    settings = queries.settings(conn)
    assert settings.history_days == 7
    window = next(w for w in queries.WINDOWS if w.label == "Last 90 days")
    f = queries.Filters(window=window, now=queries.utc_now(), settings=settings)
    assert f.from_rollups
    got = queries.kpis(conn, f)["current"]
    durations = [e.duration_ms for e in on_days(long_world.history, f.first_day, f.now.date()) if e.category == "AGENT_RUN"]
    for q, column in ((0.50, "P50_TURN_LATENCY_MS"), (0.95, "P95_TURN_LATENCY_MS"), (0.99, "P99_TURN_LATENCY_MS")):
        check_percentile(got[column], durations, q, column)
    trend = queries.trend(conn, f)
    assert sum(row["TURNS"] for row in trend) == got["TURNS"]
    assert {row["BUCKET"].weekday() for row in trend} == {0}, "weekly buckets start on Monday"


def test_agents_compares_every_agent_over_a_long_window(long_world):
    agent = f"{AGENTS[0].database}.{AGENTS[0].schema}.{AGENTS[0].name}"
    for agents in ((), (agent,)):
        app, today = run_on_one_day(long_world, "Agents", "Last 90 days", agents)
        no_exception(app)
        want = expected.agents(on_days(long_world.history, today - timedelta(days=89), today, agents))
        table = app.dataframe[0].value.set_index("AGENT_FULL_NAME")
        assert sorted(table.index) == sorted(want)
        assert "MODELS_USED" not in table.columns
        for name, row in want.items():
            for column in ("TURNS", "TOKENS", "TOOL_CALLS", "RETRIEVAL_CALLS"):
                assert table.loc[name][column] == row[column], (name, column)
            for column in ("ACTIVE_THREADS", "ACTIVE_USERS"):
                assert table.loc[name][column] == oracle.DistinctEstimate(row[column]), (name, column)
            durations = [e.duration_ms for e in on_days(long_world.history, today - timedelta(days=89), today, (name,))
                         if e.category == "AGENT_RUN"]
            check_percentile(table.loc[name]["P95_TURN_LATENCY_MS"], durations, 0.95, name)


@pytest.mark.parametrize("page", ["Threads", "Users", "Errors", "Feedback"])
def test_detail_pages_say_they_keep_the_historys_days(long_world, page):
    app, _ = run_on_one_day(long_world, page, "Last 90 days")
    no_exception(app)
    assert [i.value for i in app.info] and "7 days" in app.info[0].value
    assert not app.dataframe


def test_the_latency_trend_merges_each_periods_histograms(long_world):
    conn = session.use_local(long_world.emulator.session, long_world.emulator.database, long_world.emulator.schema)
    window = next(w for w in queries.WINDOWS if w.label == "Last 90 days")
    f = queries.Filters(window=window, now=queries.utc_now(), settings=queries.settings(conn))
    rows = queries.latency_trend(conn, f)
    assert len(rows) >= 12
    for row in rows:
        week = row["BUCKET"]
        week = week.date() if hasattr(week, "date") else week  # DATE_TRUNC of a DATE: a date (a timestamp on the emulator)
        durations = [e.duration_ms for e in on_days(long_world.history, max(week, f.first_day),
                                                     min(week + timedelta(days=6), f.now.date()))
                     if e.category == "AGENT_RUN"]
        check_percentile(row["P50_TURN_LATENCY_MS"], durations, 0.50, f"p50 {week}")
        check_percentile(row["P95_TURN_LATENCY_MS"], durations, 0.95, f"p95 {week}")
