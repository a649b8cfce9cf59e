"""Daily rollups on the emulator: ROLLUP_AGENT_EVENTS (chained after each ingestion cycle)
recomputes exactly the days new or late events touched, a re-run changes nothing, raw-history
retention never touches the rollups, and weeks/months/years combined from the daily mergeable
states answer what the raw events answer: counts exactly, distinct users and threads (merged
HyperLogLog states) within three times HLL's documented average relative error of 1.62338 %
(oracle.DistinctEstimate), turn-latency percentiles within the histogram's documented error (a
factor sqrt(1.05), 2.47 %).

The expected values come from the generated events themselves (oracle.ingest / oracle.parse),
never from the history table.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import fakesnow
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
import oracle  # noqa: E402
from emulator import Emulator, render_catalog, utc_now  # noqa: E402
from sessions import FailingSession  # noqa: E402
from test_ingestion import run_task  # noqa: E402
from traffic import AgentRef, generate  # noqa: E402

AGENTS = [AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"), AgentRef("HR_DB", "BOTS", "HR_HELPDESK")]
RATIO = 1.05  # lib/catalog.ts LATENCY_BUCKET_RATIO
ERROR = math.sqrt(RATIO)  # a bucket's representative is within this factor of every value in it
ROLLUP_TABLES = ("AGENT_DAILY_ROLLUP", "USER_DAILY_ROLLUP", "MODEL_DAILY_ROLLUP", "TOOL_DAILY_ROLLUP",
                 "AGENT_DAILY_LATENCY", "ROLLUP_DAY_STATE")
ARRAY_COLUMNS = ("USERS", "THREADS")


@pytest.fixture(scope="module")
def long_catalog():
    """The dev stack keeping 90 days of raw history and reading 90 days back on first sight."""
    return render_catalog("dev", historyDays="90", initialLookbackHours="2160")


@pytest.fixture
def emu(long_catalog, request):
    from conftest import _coverage

    with fakesnow.patch():
        emulator = Emulator(long_catalog, _coverage)
        yield emulator
        emulator.close()


# --- helpers ------------------------------------------------------------------------------------
def load(emulator, events) -> None:
    """Delivers events, registers the agents and runs one ingestion cycle and one rollup run."""
    emulator.deliver(events)
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
    run_task(emulator, "discover")
    run_task(emulator, "refresh")


def rollup(emulator, history_days=None, retention_days=None) -> str:
    if history_days is None and retention_days is None:
        return run_task(emulator, "rollup")
    config = emulator.config
    return ingestion.run_rollup(emulator.session, emulator.handler_statements(),
                                config["historyDays"] if history_days is None else history_days,
                                config["rollupRetentionDays"] if retention_days is None else retention_days)


def traffic(days: float, seed: int = 11, rate: float = 0.5):
    now = utc_now()
    return generate(seed=seed, agents=AGENTS, start=now - timedelta(days=days), end=now,
                    turns_per_agent_per_hour=rate, feedback_rate=0.3)


def expected_events(delivered):
    """The production events the rollups count: evaluation runs are left out of every rollup."""
    return oracle.production(oracle.ingest(delivered, [(a.database, a.schema, a.name) for a in AGENTS]))


def snapshot(emulator, tables=ROLLUP_TABLES) -> dict:
    """Every rollup row, arrays as sets (ARRAY_AGG's order is not defined)."""
    out = {}
    for table in tables:
        rows = []
        for row in emulator.query(f"SELECT * FROM {table}"):
            for column in ARRAY_COLUMNS:
                if row.get(column) is not None:
                    row[column] = frozenset(oracle_array(row[column]))
            rows.append(tuple(sorted(row.items())))
        out[table] = sorted(rows, key=repr)
    return out


def oracle_array(value) -> list:
    import json
    return json.loads(value) if isinstance(value, str) else list(value)


def period_start(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def bucket_representative(value: float) -> float:
    if value < 1:
        return 0.0
    bucket = 1 + math.floor(math.log(value) / math.log(RATIO))
    return RATIO ** (bucket - 0.5)


def expected_periods(events, grain: str) -> dict:
    groups = defaultdict(list)
    for event in events:
        groups[(period_start(event.timestamp.date(), grain), event.agent)].append(event)
    expected = {}
    for key, rows in groups.items():
        turns = [e for e in rows if e.category == "AGENT_RUN"]
        expected[key] = {
            "TOTAL_EVENTS": len(rows),
            "TOTAL_TURNS": len(turns),
            "FAILED_TURNS": sum(e.status == "ERROR" for e in turns),
            "LLM_CALLS": sum(e.category == "LLM_CALL" for e in rows),
            "TOOL_CALLS": sum(e.category == "TOOL_EXECUTION" for e in rows),
            "RETRIEVAL_CALLS": sum(e.category == "RETRIEVAL" for e in rows),
            "ERROR_COUNT": sum(e.status == "ERROR" for e in rows),
            "TOTAL_TOKENS": oracle.total(e.total_tokens for e in rows),
            "UNIQUE_USERS": oracle.distinct_estimate(e.user for e in rows),
            "UNIQUE_THREADS": oracle.distinct_estimate(e.thread_id for e in rows),
            "ACTIVE_DAYS": len({e.timestamp.date() for e in rows}),
            "FIRST_EVENT": min(e.timestamp for e in rows),
            "LAST_EVENT": max(e.timestamp for e in rows),
            "durations": sorted(e.duration_ms for e in turns if e.duration_ms is not None),
        }
    return expected


def check_percentile(estimate: float, durations: list, q: float, where: str) -> None:
    """The estimate is within the documented factor of the nearest-rank q-th duration, which lies
    between the two ranks PERCENTILE_CONT interpolates."""
    n = len(durations)
    nearest = durations[max(math.ceil(q * n), 1) - 1]
    if nearest < 1:
        assert estimate == 0, where
    else:
        assert nearest / ERROR * (1 - 1e-9) <= estimate <= nearest * ERROR * (1 + 1e-9), (where, estimate, nearest)
    k = math.floor(q * (n - 1))
    low, high = durations[k], durations[min(k + 1, n - 1)]
    assert low / ERROR * (1 - 1e-9) <= estimate <= high * ERROR * (1 + 1e-9), (where, estimate, low, high)
    exact = oracle.percentile_cont(durations, q)
    assert abs(estimate - exact) <= (ERROR - 1) * max(high, 1) + (high - low), (where, estimate, exact)


def check_view_against_events(emulator, events, grain: str, view: str) -> int:
    expected = expected_periods(events, grain)
    rows = emulator.view(view)
    got = {(row["PERIOD_START"], row["AGENT_FULL_NAME"]): row for row in rows}
    assert set(got) == set(expected), (view, sorted(set(got) ^ set(expected))[:5])
    for key, want in expected.items():
        row = got[key]
        assert row["GRAIN"] == grain
        for column, value in want.items():
            if column == "durations":
                continue
            assert row[column] == value, (view, key, column, row[column], value)
        durations = want["durations"]
        if not durations:
            # A period at the window's edge can hold a turn's spans but not its root: no latency.
            assert [row[c] for c in ("AVG_TURN_LATENCY_MS", "P50_TURN_LATENCY_MS", "P95_TURN_LATENCY_MS",
                                     "P99_TURN_LATENCY_MS")] == [None] * 4, (view, key)
            continue
        assert row["AVG_TURN_LATENCY_MS"] == pytest.approx(sum(durations) / len(durations))
        for q, column in ((0.50, "P50_TURN_LATENCY_MS"), (0.95, "P95_TURN_LATENCY_MS"), (0.99, "P99_TURN_LATENCY_MS")):
            check_percentile(row[column], durations, q, f"{view} {key} {column}")
    return len(expected)


# --- tests --------------------------------------------------------------------------------------
def test_weeks_months_and_years_combined_from_days_match_the_raw_events(emu):
    delivered = traffic(days=80)
    load(emu, delivered)
    summary = rollup(emu)
    events = expected_events(delivered)
    days = {e.timestamp.date() for e in events}
    assert summary.startswith(f"Rolled up {len(days)} days"), summary
    # More than two months and a year, so months and the year really combine many days. Their
    # closed months' latency comes from the monthly histograms: refreshed as their target lag would.
    emu.refresh_dynamic_tables()
    assert check_view_against_events(emu, events, "month", "AGENT_ROLLUP_MONTHLY") >= 2 * len(AGENTS) + 2
    assert check_view_against_events(emu, events, "year", "AGENT_ROLLUP_YEARLY") >= len(AGENTS)
    check_view_against_events(emu, events, "week", "AGENT_ROLLUP_WEEKLY")
    check_view_against_events(emu, events, "day", "AGENT_ROLLUP_DAILY")

    # Per model and per tool: each day's calls add up to the agent's.
    per_model = emu.query("SELECT DAY, AGENT_NAME, SUM(LLM_CALLS) AS N FROM MODEL_DAILY_ROLLUP GROUP BY 1, 2")
    want_model = defaultdict(int)
    for e in events:
        if e.category == "LLM_CALL" and e.model is not None:
            want_model[(e.timestamp.date(), e.name)] += 1
    assert {(r["DAY"], r["AGENT_NAME"]): r["N"] for r in per_model} == dict(want_model)
    per_tool = emu.query("SELECT DAY, AGENT_NAME, SUM(CALLS) AS N FROM TOOL_DAILY_ROLLUP GROUP BY 1, 2")
    want_tool = defaultdict(int)
    for e in events:
        if e.category in ("TOOL_EXECUTION", "RETRIEVAL"):
            want_tool[(e.timestamp.date(), e.name)] += 1
    assert {(r["DAY"], r["AGENT_NAME"]): r["N"] for r in per_tool} == dict(want_tool)


def test_usage_views_keep_the_references_columns_and_match_the_raw_events(emu):
    delivered = traffic(days=40, seed=5)
    load(emu, delivered)
    rollup(emu)
    events = [e for e in expected_events(delivered) if e.user is not None]

    by_user = defaultdict(list)
    for e in events:
        by_user[(e.database, e.schema, e.name, e.user)].append(e)
    rows = emu.view("AGENT_USAGE_BY_USER")
    assert list(rows[0]) == ["AGENT_NAME", "AGENT_DATABASE", "AGENT_SCHEMA", "USER_NAME", "TOTAL_REQUESTS",
                             "FIRST_ACCESS_TIME", "LAST_ACCESS_TIME", "AVG_RESPONSE_DURATION_MS", "UNIQUE_THREADS"]
    expected = {}
    for key, rows_of_user in by_user.items():
        turns = [e for e in rows_of_user if e.category == "AGENT_RUN"]
        if not turns:
            continue
        expected[key] = {
            "TOTAL_REQUESTS": len(turns),
            "FIRST_ACCESS_TIME": min(e.timestamp for e in rows_of_user),
            "LAST_ACCESS_TIME": max(e.timestamp for e in rows_of_user),
            "AVG_RESPONSE_DURATION_MS": pytest.approx(oracle.avg(e.duration_ms for e in turns)),
            "UNIQUE_THREADS": oracle.distinct_estimate(e.thread_id for e in rows_of_user),
        }
    got = {(r["AGENT_DATABASE"], r["AGENT_SCHEMA"], r["AGENT_NAME"], r["USER_NAME"]): r for r in rows}
    assert set(got) == set(expected)
    for key, want in expected.items():
        assert {column: got[key][column] for column in want} == want, key

    rows = emu.view("AGENT_USAGE_BY_AGENT")
    assert list(rows[0]) == ["AGENT_FULL_NAME", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME", "TOTAL_REQUESTS",
                             "UNIQUE_USERS", "UNIQUE_THREADS", "FIRST_ACCESS_TIME", "LAST_ACCESS_TIME",
                             "AVG_RESPONSE_DURATION_MS"]
    by_agent = defaultdict(list)
    for e in events:
        by_agent[e.agent].append(e)
    got = {r["AGENT_FULL_NAME"]: r for r in rows}
    assert set(got) == set(by_agent)
    for agent, rows_of_agent in by_agent.items():
        turns = [e for e in rows_of_agent if e.category == "AGENT_RUN"]
        want = {
            "TOTAL_REQUESTS": len(turns),
            "UNIQUE_USERS": oracle.distinct(e.user for e in turns),
            "UNIQUE_THREADS": oracle.distinct_estimate(e.thread_id for e in rows_of_agent),
            "FIRST_ACCESS_TIME": min(e.timestamp for e in rows_of_agent),
            "LAST_ACCESS_TIME": max(e.timestamp for e in rows_of_agent),
            "AVG_RESPONSE_DURATION_MS": pytest.approx(oracle.avg(e.duration_ms for e in turns)),
        }
        assert {column: got[agent][column] for column in want} == want, agent


def test_a_rerun_changes_nothing(emu):
    load(emu, traffic(days=12))
    assert not rollup(emu).startswith("Rolled up 0 days")
    before = snapshot(emu)
    assert rollup(emu).startswith("Rolled up 0 days")
    assert snapshot(emu) == before
    # Another ingestion cycle that finds nothing new does not make any day stale either.
    run_task(emu, "refresh")
    assert rollup(emu).startswith("Rolled up 0 days")
    assert snapshot(emu) == before
    # A day rolled up by an older rollup definition is recomputed (while history holds it).
    day = emu.query("SELECT MIN(DAY) AS D FROM ROLLUP_DAY_STATE")[0]["D"]
    emu.execute("UPDATE ROLLUP_DAY_STATE SET ROLLUP_VERSION = '0' WHERE DAY = ?", [day])
    assert rollup(emu) == f"Rolled up 1 days ({day}); removed 0 expired rollup rows"
    assert {t: rows for t, rows in snapshot(emu).items() if t != "ROLLUP_DAY_STATE"} == \
           {t: rows for t, rows in before.items() if t != "ROLLUP_DAY_STATE"}


def test_late_events_reaggregate_exactly_the_days_they_fall_on(emu):
    delivered = traffic(days=10, seed=23, rate=1.0)
    today = utc_now().date()

    def in_late_hours(event, days):
        return event["TIMESTAMP"].date() in days and 9 <= event["TIMESTAMP"].hour < 15

    # Two days apart, an older and a recent one, whose late hours hold Cortex Agent events: the
    # generated traffic is sparse, and which hours of a given day it fills depends on when the test
    # runs (its days end now), so the days are picked from it rather than fixed.
    def with_late_events(candidates):
        return next(day for day in candidates
                    if len(expected_events([e for e in delivered if in_late_hours(e, {day})])) >= 5)

    late_days = {with_late_events([today - timedelta(days=n) for n in (6, 7, 5)]),
                 with_late_events([today - timedelta(days=n) for n in (2, 3)])}

    def is_late(event):
        return in_late_hours(event, late_days)

    on_time = [e for e in delivered if not is_late(e)]
    late = [e for e in delivered if is_late(e)]
    assert len(expected_events(late)) > 10, "precondition: some Cortex Agent events arrive late"
    load(emu, on_time)
    rollup(emu)
    before = snapshot(emu)
    state_before = {r["DAY"]: r["ROLLED_UP_AT"] for r in emu.query("SELECT * FROM ROLLUP_DAY_STATE")}

    # The late rows arrive; the next cycle re-reads far enough back to load them (as after an
    # outage, or with a wide overlap), and loads nothing else: everything else is already there.
    emu.deliver(late)
    emu.execute("UPDATE AGENT_INGEST_STATE SET LAST_EVENT_TIMESTAMP = DATEADD('day', -8, SYSDATE()), "
                "LAST_READ_STARTED_AT = DATEADD('day', -8, SYSDATE())")
    run_task(emu, "refresh")
    summary = rollup(emu)
    assert summary.startswith("Rolled up 2 days"), summary
    state_after = {r["DAY"]: r["ROLLED_UP_AT"] for r in emu.query("SELECT * FROM ROLLUP_DAY_STATE")}
    assert {day for day in state_after if state_after[day] != state_before.get(day)} == late_days

    after = snapshot(emu)
    for table in ROLLUP_TABLES[:-1]:
        untouched = [row for row in before[table] if dict(row)["DAY"] not in late_days]
        assert [row for row in after[table] if dict(row)["DAY"] not in late_days] == untouched, table
        assert after[table] != before[table], f"{table}: the late days were recomputed"
    check_view_against_events(emu, expected_events(delivered), "day", "AGENT_ROLLUP_DAILY")
    emu.refresh_dynamic_tables()  # the monthly histograms' target lag passes
    check_view_against_events(emu, expected_events(delivered), "month", "AGENT_ROLLUP_MONTHLY")


def test_raw_history_retention_never_touches_the_rollups(emu):
    delivered = traffic(days=20, seed=31)
    load(emu, delivered)
    rollup(emu)
    before = snapshot(emu)
    history_before = emu.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY")[0]["N"]

    # Raw history shrinks to 7 days; the rollups keep all 20.
    summary = ingestion.run_refresh(emu.session, emu.handler_statements(), 24, 7, emu.config["ingestPath"])
    assert "removed 0 expired" not in summary
    assert emu.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY")[0]["N"] < history_before
    oldest_trace_day = "SELECT MIN(DAY) AS D FROM ROLLUP_MERGED_TRACES"
    kept_from = emu.query("SELECT CAST(DATEADD('day', -8, TO_DATE(SYSDATE())) AS DATE) AS D")[0]["D"]
    assert emu.query(oldest_trace_day)[0]["D"] < kept_from, "precondition: merged traces of older days"
    assert rollup(emu, history_days=7).startswith("Rolled up 0 days")
    assert snapshot(emu) == before
    # The merged traces a late mark is looked up in are kept a day longer than the history.
    assert emu.query(oldest_trace_day)[0]["D"] == kept_from

    # A row landing now on the day retention has cut into (kept only from SYSDATE() - 7 days on)
    # must not make that day be recomputed from what is left of it: the row is merged into what
    # the day had (one more event and turn), and the expired part still counts.
    cut_day = emu.query("SELECT TO_DATE(DATEADD('day', -7, SYSDATE())) AS D")[0]["D"]
    emu.execute("""
        INSERT INTO AGENT_EVENTS_HISTORY (EVENT_KEY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, EVENT_TIMESTAMP,
                                          RECORD_TYPE, SPAN_CATEGORY, SPAN_DURATION_MS, LOADED_AT)
        VALUES ('late-on-a-cut-day', 'SALES_DB', 'AGENTS', 'SALES_ASSISTANT', DATEADD('second', 1, DATEADD('day', -7, SYSDATE())),
                'SPAN', 'AGENT_RUN', 5, SYSDATE())""")
    summary = rollup(emu, history_days=7)
    assert summary.startswith(f"Rolled up 1 days ({cut_day})"), summary
    after = snapshot(emu)

    def cut_day_rows(rows):
        return [dict(r) for r in rows if dict(r)["DAY"] == cut_day]

    def total(rows, column):
        return sum(row[column] for row in cut_day_rows(rows))

    for table in ("USER_DAILY_ROLLUP", "MODEL_DAILY_ROLLUP", "TOOL_DAILY_ROLLUP"):
        assert cut_day_rows(after[table]) == cut_day_rows(before[table]), table
    assert total(after["AGENT_DAILY_ROLLUP"], "EVENTS") == total(before["AGENT_DAILY_ROLLUP"], "EVENTS") + 1
    assert total(after["AGENT_DAILY_ROLLUP"], "TURNS") == total(before["AGENT_DAILY_ROLLUP"], "TURNS") + 1
    assert total(after["AGENT_DAILY_LATENCY"], "TURNS") == total(before["AGENT_DAILY_LATENCY"], "TURNS") + 1


def test_rollup_days_older_than_the_rollup_retention_expire(emu):
    load(emu, traffic(days=50, seed=41))
    rollup(emu)
    oldest = emu.query("SELECT MIN(DAY) AS D FROM AGENT_DAILY_ROLLUP")[0]["D"]
    assert oldest < utc_now().date() - timedelta(days=40)
    summary = rollup(emu, retention_days=30)
    assert "removed 0 expired" not in summary
    cutoff = emu.query("SELECT DATEADD('day', -30, TO_DATE(SYSDATE())) AS D")[0]["D"]
    cutoff = cutoff.date() if isinstance(cutoff, datetime) else cutoff
    for table in ROLLUP_TABLES:
        assert emu.query(f"SELECT MIN(DAY) AS D FROM {table}")[0]["D"] >= cutoff, table


def test_a_failed_run_leaves_every_day_as_it_was_and_the_next_run_redoes_it(emu):
    load(emu, traffic(days=5, seed=43))
    rollup(emu)
    before = snapshot(emu)
    # The newest day is stale again (not "today": just after midnight UTC today has no events yet):
    # rolled up by another rollup definition, it is recomputed in full.
    emu.execute("UPDATE ROLLUP_DAY_STATE SET ROLLUP_VERSION = '0' WHERE DAY = (SELECT MAX(DAY) FROM ROLLUP_DAY_STATE)")
    statements = emu.handler_statements()
    failing = FailingSession(emu.session, statements["rollup_insert_latency"])
    with pytest.raises(RuntimeError):
        ingestion.run_rollup(failing, statements, emu.config["historyDays"], emu.config["rollupRetentionDays"])
    after_failure = snapshot(emu)
    assert {t: rows for t, rows in after_failure.items() if t != "ROLLUP_DAY_STATE"} == \
           {t: rows for t, rows in before.items() if t != "ROLLUP_DAY_STATE"}
    assert rollup(emu).startswith("Rolled up 1 days")
    assert {t: rows for t, rows in snapshot(emu).items() if t != "ROLLUP_DAY_STATE"} == \
           {t: rows for t, rows in before.items() if t != "ROLLUP_DAY_STATE"}
