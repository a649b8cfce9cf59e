"""Every page of the dashboard, run by AppTest against the emulator world, shows the numbers
computed independently from the generated events (expected.py over test/sql/oracle.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import (  # noqa: F401 (fixtures)
    HOSTILE_USER, PAGES, choose, metrics, no_exception, no_injected_session_left, run_page, world,
)
import expected
import oracle
from dashboard import fmt
from world import AGENTS

WINDOWS = {"Last hour": 1, "Last 24 hours": 24}


def frame(app, index=0):
    return app.dataframe[index].value


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-9) if value is not None else None


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_runs_without_an_exception(world, page):
    app = run_page(world.emulator, page)
    no_exception(app)
    assert app.title[0].value == page
    assert not app.info, [i.value for i in app.info]


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_overview_kpis_and_their_change(world, window):
    app = run_page(world.emulator, "Overview", prepare=choose(window))
    no_exception(app)
    now, before = expected.kpis(world.history, world.now, WINDOWS[window])
    assert now["TURNS"] and before["TURNS"], "precondition: both periods have turns"
    rate, rate_before = fmt.rate(now["FAILED_TURNS"], now["TURNS"]), fmt.rate(before["FAILED_TURNS"], before["TURNS"])
    assert metrics(app) == {
        "Active threads": (fmt.number(now["ACTIVE_THREADS"]), fmt.change(now["ACTIVE_THREADS"], before["ACTIVE_THREADS"])),
        "Users": (fmt.number(now["ACTIVE_USERS"]), fmt.change(now["ACTIVE_USERS"], before["ACTIVE_USERS"])),
        "Agents": (fmt.number(now["ACTIVE_AGENTS"]), fmt.change(now["ACTIVE_AGENTS"], before["ACTIVE_AGENTS"])),
        "Turns": (fmt.number(now["TURNS"]), fmt.change(now["TURNS"], before["TURNS"])),
        "Tokens": (fmt.number(now["TOKENS"]), fmt.change(now["TOKENS"], before["TOKENS"])),
        "p95 latency": (fmt.duration_ms(now["P95_TURN_LATENCY_MS"]),
                        fmt.change(now["P95_TURN_LATENCY_MS"], before["P95_TURN_LATENCY_MS"])),
        "Error rate": (fmt.percent(rate), fmt.points(rate, rate_before)),
    }


def test_overview_follows_agent_user_and_model_filters(world):
    agent = f"{AGENTS[1].database}.{AGENTS[1].schema}.{AGENTS[1].name}"
    model = next(e.model for e in world.history if e.agent == agent and e.model)
    user = next(e.user for e in world.history if e.agent == agent and e.timestamp >= world.now - timedelta(hours=24))
    for filters in ({"agents": [agent]}, {"users": [user]}, {"models": [model]}, {"agents": [agent], "users": [user]}):
        app = run_page(world.emulator, "Overview", prepare=choose(**filters))
        no_exception(app)
        now, _ = expected.kpis(world.history, world.now, 24, **filters)
        assert 0 < now["TURNS"] < expected.kpis(world.history, world.now, 24)[0]["TURNS"], filters
        shown = metrics(app)
        assert shown["Turns"][0] == fmt.number(now["TURNS"]), filters
        assert shown["Active threads"][0] == fmt.number(now["ACTIVE_THREADS"]), filters
        assert shown["Tokens"][0] == fmt.number(now["TOKENS"]), filters


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_agents_compares_every_agent(world, window):
    app = run_page(world.emulator, "Agents", prepare=choose(window))
    no_exception(app)
    events = expected.in_window(world.history, world.now - timedelta(hours=WINDOWS[window]), world.now)
    want = expected.agents(events)
    table = frame(app).set_index("AGENT_FULL_NAME")
    assert sorted(table.index) == sorted(want)
    for agent, row in want.items():
        shown = table.loc[agent]
        for column in ("TURNS", "ACTIVE_THREADS", "ACTIVE_USERS", "TOKENS", "TOOL_CALLS", "RETRIEVAL_CALLS", "MODELS_USED"):
            assert shown[column] == row[column], (agent, column)
        for column in ("P50_TURN_LATENCY_MS", "P95_TURN_LATENCY_MS", "P99_TURN_LATENCY_MS"):
            assert shown[column] == approx(row[column]), (agent, column)
        assert shown["ERROR_RATE_PCT"] == approx(fmt.rate(row["FAILED_TURNS"], row["TURNS"])), agent
        assert shown["TOKENS_PER_TURN"] == approx(row["TOKENS"] / row["TURNS"]), agent
    assert metrics(app)["Turns"][0] == fmt.number(sum(row["TURNS"] for row in want.values()))


def test_users_lists_each_user_with_their_turns(world):
    app = run_page(world.emulator, "Users")
    no_exception(app)
    want = expected.users(expected.in_window(world.history, world.now - timedelta(hours=24), world.now))
    assert HOSTILE_USER in want, "precondition: the hostile user is active"
    table = frame(app).set_index("USER_ID")
    assert sorted(table.index) == sorted(want)
    for user, row in want.items():
        for column in ("TURNS", "ACTIVE_THREADS", "ACTIVE_AGENTS", "FAILED_TURNS", "TOKENS"):
            assert table.loc[user][column] == row[column], (user[:20], column)
    assert metrics(app)["Users"][0] == fmt.number(len(want))


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_threads_lists_the_windows_threads(world, window):
    app = run_page(world.emulator, "Threads", prepare=choose(window))
    no_exception(app)
    want = expected.threads(world.history, world.now, WINDOWS[window])
    table = frame(app)
    assert len(want) == len(table)
    for row in table.to_dict("records"):
        truth = want[(row["AGENT_FULL_NAME"], row["THREAD_ID"])]
        for column in ("USER_ID", "TURNS", "FAILED_TURNS", "TOOL_CALLS", "RETRIEVAL_CALLS", "TOTAL_TOKENS"):
            assert row[column] == truth[column], column
    assert list(table["THREAD_LAST_ACTIVITY"]) == sorted(table["THREAD_LAST_ACTIVITY"], reverse=True)
    assert metrics(app)["Turns"][0] == fmt.number(sum(row["TURNS"] for row in want.values()))


def test_thread_drill_down_shows_every_span_of_the_chosen_thread(world):
    app = run_page(world.emulator, "Threads")
    listed = frame(app).to_dict("records")
    # The busiest thread with a failed turn, chosen in the selectbox as a person would.
    index = max((i for i, row in enumerate(listed) if row["FAILED_TURNS"]), key=lambda i: listed[i]["TURNS"])
    app.selectbox(key="wm_thread").set_value(index).run()
    no_exception(app)
    chosen = listed[index]
    timeline = oracle.thread_timeline(world.history)[(chosen["AGENT_FULL_NAME"], chosen["THREAD_ID"])]
    spans = frame(app, 1)
    assert list(spans["EVENT_SEQUENCE"]) == [row["EVENT_SEQUENCE"] for row in timeline]
    for column in ("SPAN_CATEGORY", "STATUS", "TOOL_NAME", "ERROR_MESSAGE", "MODEL_NAME"):
        assert [None if v != v else v for v in spans[column]] == [row[column] for row in timeline], column
    turns = [row for row in timeline if row["SPAN_CATEGORY"] == "AGENT_RUN"]
    shown = [(m.label, m.value) for m in app.metric][-5:]
    assert shown == [
        ("Turns", fmt.number(len(turns))),
        ("Failed turns", fmt.number(sum(row["STATUS"] == "ERROR" for row in turns))),
        ("Tool calls", fmt.number(sum(row["SPAN_CATEGORY"] in ("TOOL_EXECUTION", "RETRIEVAL") for row in timeline))),
        ("Tokens", fmt.number(sum(row["TOTAL_TOKENS"] or 0 for row in timeline))),
        ("Failed spans", fmt.number(sum(row["STATUS"] == "ERROR" for row in timeline))),
    ]
    assert any(chart.proto.spec for chart in app.get("arrow_vega_lite_chart")), "no timeline chart"


def test_errors_groups_failures_by_agent_tool_and_description(world):
    app = run_page(world.emulator, "Errors")
    no_exception(app)
    want = expected.error_groups(expected.in_window(world.history, world.now - timedelta(hours=24), world.now))
    groups = frame(app)
    where = {"turn": "AGENT_RUN", "model call": "LLM_CALL", "tool": "TOOL_EXECUTION", "search": "RETRIEVAL"}
    shown = {(r["AGENT_FULL_NAME"], where[r["WHERE"]], None if r["TOOL_NAME"] != r["TOOL_NAME"] else r["TOOL_NAME"],
              r["ERROR_MESSAGE"]): r["ERRORS"] for r in groups.to_dict("records")}
    assert shown == want
    assert {key[1] for key in want} >= {"AGENT_RUN", "TOOL_EXECUTION", "RETRIEVAL"}, "precondition: varied failures"
    failed_turns = sum(n for key, n in want.items() if key[1] == "AGENT_RUN")
    assert metrics(app)["Failed turns"][0] == fmt.number(failed_turns)
    assert len(frame(app, 1)) == min(100, sum(want.values()))


def test_feedback_rates_and_comments(world):
    app = run_page(world.emulator, "Feedback")
    no_exception(app)
    rows = expected.feedback(world.history, world.now, 24)
    positive = sum(r["FEEDBACK_POSITIVE"] for r in rows)
    negative = sum(r["FEEDBACK_POSITIVE"] is False for r in rows)
    comments = [r for r in rows if r["FEEDBACK_MESSAGE"]]
    assert positive and negative and comments, "precondition: both ratings and comments"
    assert {label: value for label, (value, _) in metrics(app).items()} == {
        "Ratings": fmt.number(positive + negative),
        "Positive": fmt.percent(fmt.rate(positive, positive + negative)),
        "Negative": fmt.percent(fmt.rate(negative, positive + negative)),
        "Negative on failed turns": fmt.number(sum(r["FEEDBACK_POSITIVE"] is False and r["TURN_STATUS"] == "ERROR"
                                                   for r in rows)),
        "Comments": fmt.number(len(comments)),
    }
    table = frame(app)
    assert sorted(table["FEEDBACK_MESSAGE"]) == sorted(r["FEEDBACK_MESSAGE"] for r in comments)


def test_pipeline_health_shows_each_agent_healthy(world):
    app = run_page(world.emulator, "Pipeline health")
    no_exception(app)
    table = frame(app)
    assert sorted(table["AGENT_FULL_NAME"]) == sorted(f"{a.database}.{a.schema}.{a.name}" for a in AGENTS)
    assert set(table["HEALTH"]) == {"HEALTHY"} and set(table["INGEST_PATH"]) == {"PER_AGENT"}
    shown = {label: value for label, (value, _) in metrics(app).items()}
    assert (shown["Active agents"], shown["Healthy"], shown["Failing"], shown["Ingest path"]) == ("3", "3", "0", "PER_AGENT")
