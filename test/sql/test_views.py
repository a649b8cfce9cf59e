"""The dashboard views on the emulator, against answers computed independently (oracle.py).

One module-wide world: three agents and ~30 hours of seeded traffic, with noise rows of other
object types, duplicated deliveries, dropped attributes, shuffled order and late traces,
ingested through the real DISCOVER_AGENTS and REFRESH_AGENT_EVENTS task bodies (two cycles, the
late traces arriving in the second) and the dynamic tables refreshed. Every view is then
compared, row by row, with what oracle.py computes from the generated events.

The views use SYSDATE() as "now", which keeps moving while the tests run; the traffic is
therefore cut so that no row lies within MARGIN of a boundary that decides an answer (see
``away_from``). The world's stack reads 48 hours back on its first cycle (the dev stack reads
24, as long as its realtime window) so that the history also holds events older than the
realtime window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

import oracle
from conftest import _coverage
from emulator import Emulator, away_from, render_catalog, standalone_emulator, utc_now
from traffic import AgentRef, generate, is_cortex_agent_event, split_late, with_delivery_faults

SEED = 20260301
AGENTS = [
    AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"),
    AgentRef("SALES_DB", "AGENTS", "SUPPORT_COPILOT"),
    AgentRef("HR_DB", "BOTS", "HR_HELPDESK"),
]
AGENT_TRIPLES = [(a.database, a.schema, a.name) for a in AGENTS]
HOUR = timedelta(hours=1)
REALTIME_WINDOW = 24 * HOUR
# No row lies closer than this to a window boundary (now - 1 h, now - 2 h, now - 24 h) or to
# now itself: the suite must run in less time than this for the answers to stay fixed.
MARGIN = timedelta(minutes=10)

# The reference's columns per view (/work/shared/docs/reference-interface.md), upper case.
_EVENT_COLUMNS = (
    "AGENT_DATABASE AGENT_SCHEMA AGENT_NAME EVENT_TIMESTAMP EVENT_NAME SPAN_NAME SPAN_ID TRACE_ID AGENT_ID "
    "THREAD_ID USER_ID MODEL_NAME PROMPT_TOKENS COMPLETION_TOKENS TOTAL_TOKENS SPAN_DURATION_MS TOOL_NAME "
    "RETRIEVAL_QUERY STATUS ERROR_MESSAGE RAW_ATTRIBUTES LOADED_AT AGENT_FULL_NAME EVENT_HOUR EVENT_DATE SPAN_CATEGORY"
)
_THREAD_ACTIVITY = (
    "AGENT_FULL_NAME THREAD_ID USER_ID THREAD_START_TIME THREAD_LAST_ACTIVITY THREAD_DURATION_SECONDS TOTAL_EVENTS "
    "TOTAL_SPANS LLM_CALLS TOOL_CALLS RETRIEVAL_CALLS TOTAL_PROMPT_TOKENS TOTAL_COMPLETION_TOKENS TOTAL_TOKENS "
    "TOTAL_DURATION_MS AVG_LLM_LATENCY_MS AVG_TOOL_LATENCY_MS ERROR_COUNT SUCCESS_COUNT LATEST_STATUS LATEST_MODEL"
)
_AGENT_METRICS = (
    "AGENT_FULL_NAME AGENT_DATABASE AGENT_SCHEMA AGENT_NAME UNIQUE_THREADS UNIQUE_USERS TOTAL_EVENTS TOTAL_SPANS "
    "LLM_CALLS TOOL_CALLS RETRIEVAL_CALLS AGENT_RUNS TOTAL_TOKENS TOTAL_PROMPT_TOKENS TOTAL_COMPLETION_TOKENS "
    "AVG_TOKENS_PER_EVENT AVG_SPAN_DURATION_MS P50_SPAN_DURATION_MS P95_SPAN_DURATION_MS P99_SPAN_DURATION_MS "
    "MODELS_USED MOST_USED_MODEL ERROR_COUNT SUCCESS_COUNT ERROR_RATE_PCT FIRST_EVENT LAST_EVENT ACTIVE_DAYS"
)
_HOURLY = (
    "EVENT_HOUR AGENT_FULL_NAME UNIQUE_THREADS UNIQUE_USERS TOTAL_EVENTS LLM_CALLS TOOL_CALLS TOTAL_TOKENS "
    "TOTAL_PROMPT_TOKENS TOTAL_COMPLETION_TOKENS AVG_SPAN_DURATION_MS P95_SPAN_DURATION_MS ERROR_COUNT"
)
_TIMELINE = (
    "THREAD_ID AGENT_FULL_NAME EVENT_TIMESTAMP SPAN_NAME SPAN_CATEGORY SPAN_ID TRACE_ID MODEL_NAME TOTAL_TOKENS "
    "PROMPT_TOKENS COMPLETION_TOKENS SPAN_DURATION_MS TOOL_NAME RETRIEVAL_QUERY STATUS ERROR_MESSAGE EVENT_SEQUENCE "
    "SECONDS_SINCE_THREAD_START"
)
REFERENCE_COLUMNS = {
    "AGENT_EVENTS": _EVENT_COLUMNS,
    "AGENT_EVENTS_RECENT": _EVENT_COLUMNS,
    "THREAD_ACTIVITY": _THREAD_ACTIVITY,
    "THREAD_ACTIVITY_RECENT": _THREAD_ACTIVITY,
    "AGENT_METRICS": _AGENT_METRICS,
    "AGENT_METRICS_RECENT": _AGENT_METRICS,
    "REALTIME_KPI": (
        "PERIOD ACTIVE_THREADS ACTIVE_USERS ACTIVE_AGENTS TOTAL_EVENTS LLM_CALLS TOTAL_TOKENS AVG_SPAN_DURATION_MS "
        "ERRORS ERROR_RATE_PCT THREADS_CHANGE_PCT LLM_CALLS_CHANGE_PCT TOKENS_CHANGE_PCT LATENCY_CHANGE_PCT"
    ),
    "HOURLY_THREAD_ACTIVITY": _HOURLY,
    "HOURLY_THREAD_ACTIVITY_RECENT": _HOURLY,
    "THREAD_TIMELINE": _TIMELINE,
    "THREAD_TIMELINE_RECENT": _TIMELINE,
}


# --- helpers ---------------------------------------------------------------------------------------
def normalised(value):
    """The connector's NUMBER results as int (integral) or float, so they compare with Python's."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def expected(row: dict) -> dict:
    """An oracle row with floats compared to relative 1e-9; integers, strings and times exactly."""
    return {key: pytest.approx(value, rel=1e-9) if isinstance(value, float) else value for key, value in row.items()}


def actual(row: dict, columns) -> dict:
    return {column: normalised(row[column]) for column in columns}


def assert_rows(view_rows: list[dict], oracle_rows: dict, key) -> None:
    """The view holds exactly the oracle's rows (by ``key``), each with the oracle's values."""
    by_key = {key(row): row for row in view_rows}
    assert len(by_key) == len(view_rows), "the view repeats a key"
    assert sorted(by_key, key=str) == sorted(oracle_rows, key=str)
    for k, want in oracle_rows.items():
        assert actual(by_key[k], want) == expected(want), k


def ingest(emulator: Emulator, *deliveries: list[dict]) -> None:
    """Registers AGENTS, then per delivery: events arrive, one ingestion cycle runs. Ends with
    the dynamic tables refreshed."""
    tasks = emulator.catalog["tasks"]
    emulator.coverage.add(tasks["discover"]["files"] + tasks["refresh"]["files"])
    emulator.set_agents(AGENT_TRIPLES)
    emulator.call(tasks["discover"]["text"])
    stamps = []
    for delivery in deliveries:
        if stamps:  # the last cycle ran as the newest event delivered so far was stamped
            emulator.last_refresh_started(max(stamps))
        emulator.deliver(delivery)
        stamps += [e["TIMESTAMP"] for e in delivery]
        summary = emulator.call(tasks["refresh"]["text"])
        assert f"{len(AGENTS)} OK, 0 failed" in summary
    emulator.refresh_dynamic_tables()


# --- the shared world ------------------------------------------------------------------------------
@dataclass
class World:
    emulator: Emulator
    now: datetime
    delivered: list[dict]
    late: list[dict]  # the part of ``delivered`` that arrived after the first ingestion cycle
    history: list[oracle.Event]  # what the history should hold

    @property
    def window(self) -> list[oracle.Event]:
        return oracle.realtime(self.history, self.now)

    def events(self, view: str) -> list[oracle.Event]:
        """The events a view reads: the realtime window, or the whole history for *_RECENT."""
        return self.history if view.endswith("_RECENT") else self.window


@pytest.fixture(scope="module")
def world():
    catalog = render_catalog("dev", initialLookbackHours=48)
    assert "(48, 7, " in catalog["tasks"]["refresh"]["text"]  # lookback, history days, ingest path
    now = utc_now()
    traffic = generate(seed=SEED, agents=AGENTS, start=now - 30 * HOUR, end=now - MARGIN,
                       turns_per_agent_per_hour=8, error_rate=0.08, tool_error_rate=0.08)
    traffic = away_from(traffic, [now - HOUR, now - 2 * HOUR, now - REALTIME_WINDOW], MARGIN)
    delivered = with_delivery_faults(traffic, seed=SEED, duplicate_rate=0.05, drop_attribute_rate=0.1)
    on_time, late = split_late(delivered, seed=SEED, late_fraction=0.5, max_delay=timedelta(minutes=4))
    with standalone_emulator(catalog, _coverage) as emulator:
        ingest(emulator, on_time, late)
        yield World(emulator, now, delivered, late,
                    oracle.ingest(delivered, AGENT_TRIPLES, without_free_text=oracle.stores_no_free_text(catalog["config"])))


@pytest.fixture(scope="module")
def views(world):
    """Every view's rows, read once."""
    return {name: world.emulator.view(name) for name in REFERENCE_COLUMNS}


# --- the world is worth testing on -------------------------------------------------------------------
def test_world_has_the_awkward_cases(world):
    """Guards the fixture: without these the comparisons below would prove less."""
    delivered = world.delivered
    contents = [repr(sorted(e.items(), key=str)) for e in delivered]
    assert len(set(contents)) < len(contents), "no duplicate deliveries"
    assert any(not is_cortex_agent_event(e) for e in delivered), "no noise rows"
    assert any(is_cortex_agent_event(e) for e in world.late), "no late Cortex Agent rows"
    planning = [e for e in delivered if e["RECORD"].get("name", "").startswith("ReasoningAgentStepPlanning")]
    assert any(oracle.TOKENS + "total" not in e["RECORD_ATTRIBUTES"] for e in planning), "no dropped token total"
    assert any(oracle.TOKENS + "input" not in e["RECORD_ATTRIBUTES"] for e in planning), "no dropped input tokens"
    assert any(oracle.AGENT + "planning.model" not in e["RECORD_ATTRIBUTES"] for e in planning), "no dropped model"
    history = world.history
    assert {e.agent for e in world.window} == {f"{a.database}.{a.schema}.{a.name}" for a in AGENTS}
    assert any(e.timestamp < world.now - REALTIME_WINDOW for e in history), "nothing outside the realtime window"
    assert any(e.category == "AGENT_RUN" and e.status == "ERROR" for e in history), "no failed turn"
    assert any(e.category == "RETRIEVAL" and e.status == "ERROR" for e in history), "no failed retrieval"
    assert any(e.category == "FEEDBACK" for e in history), "no feedback rows"
    # The live shapes (snowflake-access.md, "Live event shapes").
    spellings = {(e["RECORD_ATTRIBUTES"] or {}).get("snow.ai.observability.object.type") for e in delivered}
    assert {"Cortex Agent", "CORTEX AGENT"} <= spellings, "not both object.type spellings"
    assert {"WRAPPER", "GUARDRAIL", "REQUEST", "EVALUATION"} <= {e.category for e in history}
    assert any(e.is_evaluation for e in world.window) and any(e.cache_read_tokens for e in history)
    kpi_hours = [e for e in world.window if e.timestamp >= world.now - 2 * HOUR]
    assert {e.timestamp >= world.now - HOUR for e in kpi_hours} == {True, False}, "KPI hours not both busy"


def test_history_holds_each_delivered_event_once(world):
    """Deduplication and the Cortex Agent filter, which every view below relies on."""
    count = world.emulator.query(f"SELECT COUNT(*) AS N FROM {world.emulator.database}.{world.emulator.schema}"
                                 ".AGENT_EVENTS_RECENT")[0]["N"]
    assert count == len(world.history)


# --- columns -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("view", sorted(REFERENCE_COLUMNS))
def test_view_has_the_reference_columns(world, view):
    emulator = world.emulator
    cursor = emulator.execute(f"SELECT * FROM {emulator.database}.{emulator.schema}.{view} LIMIT 0")
    columns = {column[0] for column in cursor.description}
    assert set(REFERENCE_COLUMNS[view].split()) <= columns


# --- each view against the oracle ------------------------------------------------------------------------
def test_realtime_kpi_compares_last_hour_with_the_hour_before(world, views):
    rows = views["REALTIME_KPI"]
    want = oracle.realtime_kpi(world.window, world.now)
    assert len(rows) == 1
    assert actual(rows[0], want) == expected(want)
    assert want["THREADS_CHANGE_PCT"] is not None and want["LATENCY_CHANGE_PCT"] is not None


@pytest.mark.parametrize("view", ["THREAD_ACTIVITY", "THREAD_ACTIVITY_RECENT"])
def test_thread_activity_matches_oracle(world, views, view):
    """Per thread: counts by span category, tokens, turn latency, errors; LATEST_MODEL is a
    MAX_BY, so any model of the newest planning spans is accepted on a timestamp tie."""
    assert_rows(views[view], oracle.thread_activity(world.events(view)),
                key=lambda r: (r["AGENT_FULL_NAME"], r["THREAD_ID"]))


@pytest.mark.parametrize("view", ["AGENT_METRICS", "AGENT_METRICS_RECENT"])
def test_agent_metrics_matches_oracle(world, views, view):
    """Per agent: span and turn latency percentiles, error rates, tokens per turn, models;
    MOST_USED_MODEL is a MODE, so any of equally frequent models is accepted."""
    assert_rows(views[view], oracle.agent_metrics(world.events(view)), key=lambda r: r["AGENT_FULL_NAME"])


@pytest.mark.parametrize("view", ["HOURLY_THREAD_ACTIVITY", "HOURLY_THREAD_ACTIVITY_RECENT"])
def test_hourly_thread_activity_matches_oracle(world, views, view):
    """The realtime view exactly; over the history, the incremental dynamic table's distinct
    counts and p95 within their estimates' tolerance (oracle.DistinctEstimate,
    oracle.PercentileEstimate), every other column exactly."""
    assert_rows(views[view], oracle.hourly_thread_activity(world.events(view), estimated=view.endswith("_RECENT")),
                key=lambda r: (r["EVENT_HOUR"], r["AGENT_FULL_NAME"]))


@pytest.mark.parametrize("view", ["THREAD_TIMELINE", "THREAD_TIMELINE_RECENT"])
def test_thread_timeline_orders_each_thread(world, views, view):
    """Every row of every thread, numbered in order from 1, with seconds since the thread's start."""
    timelines: dict = {}
    for row in views[view]:
        timelines.setdefault((row["AGENT_FULL_NAME"], row["THREAD_ID"]), []).append(row)
    want = oracle.thread_timeline(world.events(view))
    assert sorted(timelines) == sorted(want)
    for key, rows in timelines.items():
        rows.sort(key=lambda r: r["EVENT_SEQUENCE"])
        assert [actual(r, want[key][0]) for r in rows] == [expected(w) for w in want[key]], key


@pytest.mark.parametrize("suffix", ["", "_RECENT"])
def test_a_column_name_means_the_same_in_every_view(views, suffix):
    """Per agent, the hourly rows and the thread rows add up to the agent's row: a dashboard
    that sums TOOL_CALLS over hours or threads must get the agent's TOOL_CALLS. (Every
    generated Cortex Agent row, feedback included, belongs to a thread.)"""
    metrics = {r["AGENT_FULL_NAME"]: r for r in views["AGENT_METRICS" + suffix]}
    shared = {"HOURLY_THREAD_ACTIVITY": ["TOTAL_EVENTS", "LLM_CALLS", "TOOL_CALLS", "RETRIEVAL_CALLS", "TOTAL_TOKENS",
                                         "TOTAL_PROMPT_TOKENS", "TOTAL_COMPLETION_TOKENS", "ERROR_COUNT"],
              "THREAD_ACTIVITY": ["TOTAL_EVENTS", "TOTAL_SPANS", "LLM_CALLS", "TOOL_CALLS", "RETRIEVAL_CALLS",
                                  "TOTAL_TOKENS", "TOTAL_PROMPT_TOKENS", "TOTAL_COMPLETION_TOKENS", "ERROR_COUNT",
                                  "SUCCESS_COUNT", "FAILED_TURNS"]}
    for view, columns in shared.items():
        sums: dict = {}
        for row in views[view + suffix]:
            agent = sums.setdefault(row["AGENT_FULL_NAME"], dict.fromkeys(columns, 0))
            for column in columns:
                agent[column] += normalised(row[column])
        assert sums == {agent: actual(row, columns) for agent, row in metrics.items()}, view


# --- windows -----------------------------------------------------------------------------------------------
def test_events_outside_the_realtime_window_are_only_in_recent_views(world, views):
    cutoff = world.now - REALTIME_WINDOW
    old_threads = {(e.agent, e.thread_id) for e in world.history if e.thread_id and e.timestamp < cutoff}
    new_threads = {(e.agent, e.thread_id) for e in world.window if e.thread_id}
    only_old = old_threads - new_threads
    assert only_old, "no thread lies wholly before the realtime window"

    def threads(view):
        return {(r["AGENT_FULL_NAME"], r["THREAD_ID"]) for r in views[view]}

    assert only_old <= threads("THREAD_ACTIVITY_RECENT") and only_old <= threads("THREAD_TIMELINE_RECENT")
    assert not only_old & threads("THREAD_ACTIVITY") and not only_old & threads("THREAD_TIMELINE")
    assert min(r["EVENT_HOUR"] for r in views["HOURLY_THREAD_ACTIVITY_RECENT"]) < cutoff - HOUR
    assert min(r["EVENT_HOUR"] for r in views["HOURLY_THREAD_ACTIVITY"]) >= cutoff - HOUR
    assert min(r["FIRST_EVENT"] for r in views["AGENT_METRICS_RECENT"]) < cutoff
    assert min(r["FIRST_EVENT"] for r in views["AGENT_METRICS"]) >= cutoff
    assert min(r["EVENT_TIMESTAMP"] for r in views["AGENT_EVENTS"]) >= cutoff
    assert len(views["AGENT_EVENTS"]) == len(world.window) < len(views["AGENT_EVENTS_RECENT"]) == len(world.history)


# --- edge cases on their own emulator -----------------------------------------------------------------------
def test_realtime_kpi_change_is_null_when_the_previous_hour_is_empty(emulator):
    now = utc_now()
    traffic = generate(seed=SEED + 1, agents=AGENTS[:2], start=now - HOUR + MARGIN, end=now - MARGIN,
                       turns_per_agent_per_hour=12)
    ingest(emulator, traffic)
    rows = emulator.view("REALTIME_KPI")
    want = oracle.realtime_kpi(oracle.ingest(traffic, AGENT_TRIPLES), now)
    assert want["TOTAL_EVENTS"] > 0
    assert len(rows) == 1
    assert actual(rows[0], want) == expected(want)
    for change in ("THREADS_CHANGE_PCT", "LLM_CALLS_CHANGE_PCT", "TOKENS_CHANGE_PCT", "LATENCY_CHANGE_PCT"):
        assert rows[0][change] is None


def test_views_over_an_empty_history_answer_without_rows(emulator):
    ingest(emulator, [])
    for view in REFERENCE_COLUMNS:
        rows = emulator.view(view)
        if view == "REALTIME_KPI":
            want = oracle.realtime_kpi([], utc_now())
            assert len(rows) == 1
            assert actual(rows[0], want) == expected(want)
        else:
            assert rows == [], view


# --- views the dashboard adds ---------------------------------------------------------------------------
@pytest.mark.parametrize("view", ["AGENT_FEEDBACK", "AGENT_FEEDBACK_RECENT"])
def test_agent_feedback_matches_oracle(world, view):
    """Each feedback row once, with the outcome of the turn it rates (joined by request id)."""
    want = oracle.agent_feedback(world.events(view))
    assert {row["FEEDBACK_POSITIVE"] for row in want.values()} == {True, False}, "precondition: both kinds"
    assert any(row["TURN_STATUS"] == "ERROR" for row in want.values()), "precondition: feedback on a failed turn"
    rows = world.emulator.view(view)
    assert_rows(rows, want, key=lambda r: (r["AGENT_FULL_NAME"], r["REQUEST_ID"], r["EVENT_TIMESTAMP"]))
    # The documented VALUE shape: positive, feedback_message, categories (a list), orig_request_id.
    categories = {(e.agent, e.feedback_request_id, e.timestamp): e.feedback_categories
                  for e in world.events(view) if e.category == "FEEDBACK"}
    got = {(r["AGENT_FULL_NAME"], r["REQUEST_ID"], r["EVENT_TIMESTAMP"]): tuple(json.loads(r["FEEDBACK_CATEGORIES"]))
           for r in rows}
    assert got == {key: categories[key] for key in got}
    assert any(got.values()) and any(not c for c in got.values()), "precondition: rated with and without categories"


def test_dashboard_settings_are_the_stacks(world):
    config = world.emulator.catalog["config"]
    rows = world.emulator.view("DASHBOARD_SETTINGS")
    assert [actual(row, row) for row in rows] == [{
        "REALTIME_WINDOW_HOURS": config["realtimeWindowHours"],
        "HISTORY_DAYS": config["historyDays"],
        "REFRESH_INTERVAL_MINUTES": config["refreshIntervalMinutes"],
        "DYNAMIC_TABLE_TARGET_LAG_MINUTES": config["dynamicTableTargetLagMinutes"],
        "REFRESH_TASK": f"{config['database']}.{config['schema']}.REFRESH_AGENT_EVENTS_TASK",
        "STORE_CONVERSATION_TEXT": config["storeConversationText"],
    }]


def minutes_between(start: datetime, end: datetime) -> int:
    """DATEDIFF('minute', start, end): minute boundaries crossed."""
    return (end.replace(second=0, microsecond=0) - start.replace(second=0, microsecond=0)) // timedelta(minutes=1)


def test_pipeline_health_reports_each_agent_read_and_current(world):
    before = utc_now()
    rows = {r["AGENT_FULL_NAME"]: r for r in world.emulator.view("PIPELINE_HEALTH")}
    after = utc_now()
    newest = {}
    for e in world.history:
        newest[e.agent] = max(newest.get(e.agent, e.timestamp), e.timestamp)
    assert sorted(rows) == sorted(newest)
    for agent, row in rows.items():
        assert (row["HEALTH"], row["IS_ACTIVE"], row["REGISTERED_BY"], row["INGEST_PATH"], row["LAST_REFRESH_STATUS"],
                row["CONSECUTIVE_FAILURES"], row["LAST_ERROR_MESSAGE"]) == (
            "HEALTHY", True, "DISCOVERY", "PER_AGENT", "OK", 0, None), agent
        assert row["LAST_EVENT_TIMESTAMP"] == newest[agent]
        assert minutes_between(newest[agent], before) <= row["EVENT_LAG_MINUTES"] <= minutes_between(newest[agent], after)
        assert 0 <= row["MINUTES_SINCE_REFRESH"] <= minutes_between(world.now, after)


def test_pipeline_health_tells_failing_inactive_unread_and_stale_agents_apart(emulator):
    """FAILING keeps counting failures with the error; INACTIVE and NOT_YET_READ agents have no
    refresh; STALE is an agent no refresh reached for two intervals."""
    now = utc_now()
    healthy, failing, inactive, stale = AGENTS[0], AGENTS[1], AGENTS[2], AgentRef("HR_DB", "BOTS", "PAYROLL_BOT")
    tasks = emulator.catalog["tasks"]
    emulator.set_agents([(a.database, a.schema, a.name) for a in (healthy, failing, inactive, stale)],
                        failing={failing.name})
    emulator.call(tasks["discover"]["text"])
    registry = f"{emulator.database}.{emulator.schema}.AGENT_REGISTRY"
    emulator.execute(f"UPDATE {registry} SET IS_ACTIVE = FALSE WHERE AGENT_NAME = ?", [inactive.name])
    emulator.deliver(generate(seed=SEED + 2, agents=[healthy, stale], start=now - 3 * HOUR, end=now - MARGIN))
    for _ in range(2):
        assert "2 OK, 1 failed" in emulator.call(tasks["refresh"]["text"])
    interval = emulator.catalog["config"]["refreshIntervalMinutes"]
    emulator.execute(f"UPDATE {emulator.database}.{emulator.schema}.AGENT_INGEST_STATE "
                     f"SET LAST_REFRESH_AT = DATEADD('minute', -{2 * interval + 2}, SYSDATE()) WHERE AGENT_NAME = ?",
                     [stale.name])
    emulator.execute(f"INSERT INTO {registry} (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) VALUES ('OPS_DB', 'AGENTS', 'NEW_BOT')")

    rows = {r["AGENT_NAME"]: r for r in emulator.view("PIPELINE_HEALTH")}
    assert {name: row["HEALTH"] for name, row in rows.items()} == {
        healthy.name: "HEALTHY", failing.name: "FAILING", inactive.name: "INACTIVE", stale.name: "STALE",
        "NEW_BOT": "NOT_YET_READ"}
    assert rows[failing.name]["CONSECUTIVE_FAILURES"] == 2
    assert "not authorized" in rows[failing.name]["LAST_ERROR_MESSAGE"]
    assert rows[failing.name]["LAST_EVENT_TIMESTAMP"] is None
    assert rows["NEW_BOT"]["REGISTERED_BY"] == "MANUAL" and rows["NEW_BOT"]["LAST_REFRESH_AT"] is None
    assert rows[healthy.name]["LAST_ROWS_LOADED"] == 0, "the second cycle re-read only known events"


def test_every_view_returns_the_columns_its_model_declares(emulator):
    """The registry's column declarations (sql/*/models.yml, each with its classification) are
    what each view and dynamic table returns, in order: a column added to a view without being
    declared and classified fails here."""
    declared = {model["name"]: [column["name"] for column in model["columns"]]
                for model in emulator.catalog["registry"]["models"]}
    objects = [*emulator.catalog["views"], *emulator.catalog["dynamicTables"], *emulator.catalog["costViews"]]
    assert objects and set(objects) <= set(declared)
    for name in objects:
        cursor = emulator.execute(f"SELECT * FROM {emulator.database}.{emulator.schema}.{name} LIMIT 0")
        assert [column[0] for column in cursor.description] == declared[name], name
