"""Alert evaluation (procedures/alerting.py over sql/alerts/) on the emulator.

Generated traffic with injected incidents (traffic/incidents.py) goes through the real
ingestion and rollups; EVALUATE_ALERTS's handler then runs every 20 simulated minutes, as
its task would. Exactly the expected alerts fire, once per incident, at the right level, and
recover after the cooldown once traffic is normal again; a month of ordinary traffic fires
nothing (the count of false positives is printed). Notifications go through the emulator's
stand-in for Snowflake's notification service (emulator.NotificationService): the tests see
every message, where it went and what became of it.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import timedelta

import pytest

from emulator import Coverage, NotificationService, embedded_statements, standalone_emulator, utc_now
from traffic import AgentRef, generate
from traffic import incidents

import alerting
import ingestion
from sql_binds import Statements

DB, SCHEMA = "SALES_DB", "AGENTS"
ERR, LAT, TOK, RUN, SIL, CTL = (AgentRef(DB, SCHEMA, name) for name in (
    "ERROR_BOT", "SLOW_BOT", "TOKEN_BOT", "LOOP_BOT", "QUIET_BOT", "STEADY_BOT"))
RATE = 16.0  # turns per agent per hour: 60-minute windows reach the rules' minimum volume (10 turns)
STEP = timedelta(minutes=20)


def _coverage() -> Coverage:
    """The session's coverage (conftest), so the sql/ files run here count as executed."""
    return getattr(sys.modules.get("conftest"), "_coverage", None) or Coverage()


def statements(catalog) -> Statements:
    alerts = catalog["alerts"]
    _coverage().add([file for entry in alerts["statements"].values() for file in entry["files"]])
    return embedded_statements(alerts["embedding"])


def settings(catalog, **changes) -> dict:
    return {**json.loads(json.dumps(catalog["alerts"]["settings"])), **changes}


def load(emulator, events, *, agents, rollup=True) -> None:
    emulator.set_agents([(a.database, a.schema, a.name) for a in agents])
    emulator.deliver(events)
    ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)
    ingestion.run_refresh(emulator.session, emulator.handler_statements(), 24 * 40, 60, "per_agent")
    if rollup:
        ingestion.run_rollup(emulator.session, emulator.handler_statements(), 60, 400)


def history(emulator) -> list[dict]:
    return emulator.query(f"SELECT * FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY ORDER BY EVALUATED_AT, RULE_NAME, AGENT_NAME")


def by_incident(rows) -> dict:
    incidents_ = defaultdict(list)
    for row in rows:
        incidents_[(row["RULE_NAME"], row["AGENT_NAME"], row["INCIDENT_ID"])].append(row)
    return incidents_


# --- a day with six injected incidents ------------------------------------------------------------
@pytest.fixture(scope="module")
def incident_day(catalog):
    now = utc_now().replace(second=0, microsecond=0)
    long_history = generate(seed=11, agents=[TOK, SIL, CTL], start=now - timedelta(days=8), end=now,
                            turns_per_agent_per_hour=RATE)
    short_history = generate(seed=12, agents=[ERR, LAT, RUN], start=now - timedelta(hours=36), end=now,
                             turns_per_agent_per_hour=RATE)
    events = long_history + short_history
    windows = {
        "error": (now - timedelta(hours=18), now - timedelta(hours=17)),
        "latency": (now - timedelta(hours=15), now - timedelta(hours=14)),
        "tokens": (now - timedelta(hours=12), now - timedelta(hours=11)),
        "silence": (now - timedelta(hours=10), now - timedelta(hours=5)),
        "runaway": (now - timedelta(hours=7), None),
    }
    events += incidents.error_burst(seed=13, agent=ERR, start=windows["error"][0], end=windows["error"][1])
    events = incidents.slower_turns(events, LAT, *windows["latency"], factor=8)
    events = incidents.more_tokens(events, TOK, *windows["tokens"], factor=4)
    events = incidents.silence(events, SIL, *windows["silence"])
    runaway = incidents.runaway_thread(seed=14, agent=RUN, start=windows["runaway"][0], turns=40)
    events += runaway
    events.sort(key=lambda event: event["TIMESTAMP"])

    with standalone_emulator(catalog, _coverage()) as emulator:
        load(emulator, events, agents=[ERR, LAT, TOK, RUN, SIL, CTL])
        session = NotificationService(emulator, refused={"BROKEN_HOOK"})
        config = settings(catalog, channels=[
            {"integration": "ONCALL_EMAIL", "kind": "email", "minLevel": "WARNING", "recipients": ["oncall@acme.com"]},
            {"integration": "PAGER_HOOK", "kind": "pagerduty", "minLevel": "CRITICAL"},
            {"integration": "BROKEN_HOOK", "kind": "slack", "minLevel": "CRITICAL"},
        ])
        # A per-agent override: the quiet agent's silence is critical from 20 expected turns (default 40).
        config["rules"]["agents"] = {f"{DB}.{SCHEMA}.QUIET_BOT": {
            "silent_agent": {**config["rules"]["defaults"]["silent_agent"], "warning": 10, "critical": 20}}}
        texts = statements(catalog)
        summaries = []
        at = now - timedelta(hours=19)
        while at <= now:
            summaries.append(alerting.run_evaluation(session, texts, config, at))
            session.deliver()
            at += STEP
        # One more evaluation at the same time reads the last deliveries' results and changes nothing else.
        alerting.run_evaluation(session, texts, config, at - STEP)
        yield {"emulator": emulator, "session": session, "config": config, "texts": texts, "now": now,
               "windows": windows, "runaway": runaway, "rows": history(emulator), "summaries": summaries}


EXPECTED = {
    # (rule, agent): the highest level its one incident must reach
    ("error_rate", "ERROR_BOT"): "CRITICAL",
    ("latency_p95", "SLOW_BOT"): "CRITICAL",
    ("latency_p99", "SLOW_BOT"): "CRITICAL",
    ("token_spike", "TOKEN_BOT"): "CRITICAL",
    ("runaway_thread_turns", "LOOP_BOT"): "CRITICAL",
    ("silent_agent", "QUIET_BOT"): "CRITICAL",
    # The failed turns of the error burst draw negative feedback (90 % of rated failures): a real second symptom.
    ("negative_feedback_rate", "ERROR_BOT"): "WARNING",
}


def _compact(rows) -> list:
    return [(str(r["EVALUATED_AT"])[5:16], r["EVENT_TYPE"], r["RULE_NAME"], r["AGENT_NAME"], r["LEVEL"], r["VALUE"], r["VOLUME"])
            for r in rows]


def _runaway_steps(events) -> int:
    """The thread's LLM steps, as the rule counts them (LLM_CALL: planning and response generation)."""
    return sum(1 for e in events if e["RECORD_TYPE"] == "SPAN" and e["RECORD"]["name"].startswith("ReasoningAgentStep"))


def test_exactly_the_injected_incidents_fire_once_each(incident_day):
    expected = dict(EXPECTED)
    # A thread stuck in a loop also runs up LLM steps: 40 turns of 2-6 steps each.
    steps = _runaway_steps(incident_day["runaway"])
    expected[("runaway_thread_steps", "LOOP_BOT")] = "CRITICAL" if steps >= 120 else "WARNING"
    incidents_ = by_incident(incident_day["rows"])
    fired = {(rule, agent): [r for r in rows] for (rule, agent, _id), rows in incidents_.items()}
    assert sorted(fired) == sorted(expected), _compact(incident_day["rows"])
    for key, rows in fired.items():
        events = [row["EVENT_TYPE"] for row in rows]
        # One incident per (rule, agent): it fires once, may escalate once, and recovers once.
        assert events[0] == "FIRING" and events[-1] == "RECOVERED", (key, events)
        assert events.count("FIRING") == 1 and events.count("RECOVERED") == 1 and events.count("ESCALATED") <= 1, (key, events)
        peak = rows[-2]["LEVEL"]
        assert peak == expected[key], (key, [(r["EVENT_TYPE"], r["LEVEL"], r["VALUE"]) for r in rows])
        assert rows[-1]["LEVEL"] == peak
    assert not any(agent == "STEADY_BOT" for (_rule, agent) in fired)


def test_each_alert_fires_inside_its_incident_and_recovers_after_the_cooldown(incident_day):
    windows, cooldown = incident_day["windows"], timedelta(minutes=incident_day["config"]["cooldownMinutes"])
    rule_windows = {name: timedelta(minutes=rule["windowMinutes"]) for name, rule in incident_day["config"]["rules"]["defaults"].items()}
    incident_of = {"ERROR_BOT": "error", "SLOW_BOT": "latency", "TOKEN_BOT": "tokens", "QUIET_BOT": "silence", "LOOP_BOT": "runaway"}
    runaway_end = max(e["TIMESTAMP"] for e in incident_day["runaway"])
    for (rule, agent, _id), rows in by_incident(incident_day["rows"]).items():
        start, end = windows[incident_of[agent]]
        end = end or runaway_end
        fired_at, recovered_at = rows[0]["EVALUATED_AT"], rows[-1]["EVALUATED_AT"]
        assert start < fired_at <= end + rule_windows[rule], (rule, agent, fired_at)
        # Clear once the incident leaves the rule's window; recovered one cooldown later (plus one step).
        assert end + cooldown <= recovered_at <= end + rule_windows[rule] + cooldown + STEP, (rule, agent, recovered_at)
        assert rows[-1]["LAST_SEEN"] < recovered_at - cooldown + STEP
        assert rows[0]["FIRST_SEEN"] == fired_at
        assert rows[0]["WINDOW_MINUTES"] == rule_windows[rule].total_seconds() / 60


def test_values_thresholds_and_details_are_recorded(incident_day):
    rows = incident_day["rows"]
    defaults = incident_day["config"]["rules"]["defaults"]
    for row in rows:
        if row["EVENT_TYPE"] == "RECOVERED":
            continue
        rule = defaults[row["RULE_NAME"]]
        threshold = rule["critical"] if row["LEVEL"] == "CRITICAL" else rule["warning"]
        if row["RULE_NAME"] == "silent_agent":
            threshold = 20 if row["LEVEL"] == "CRITICAL" else 10  # QUIET_BOT's override
        assert row["THRESHOLD"] == threshold and row["VALUE"] >= threshold, row
    silent = next(r for r in rows if r["RULE_NAME"] == "silent_agent")
    assert silent["VOLUME"] == 0 and silent["BASELINE"] == silent["VALUE"] and silent["VALUE"] == pytest.approx(2 * RATE, rel=0.35)
    spike = next(r for r in rows if r["RULE_NAME"] == "token_spike")
    assert spike["BASELINE"] > 0 and spike["VALUE"] == pytest.approx(4, rel=0.35)
    loop = next(r for r in rows if r["RULE_NAME"] == "runaway_thread_turns" and r["EVENT_TYPE"] != "RECOVERED")
    thread_id = incident_day["runaway"][-1]["RECORD_ATTRIBUTES"]["snow.ai.observability.agent.thread_id"]
    assert loop["DETAIL"] == f"thread {thread_id}"
    assert all(r["MESSAGE"].startswith("[Wallmonitor ") and '"' not in r["MESSAGE"] for r in rows)


def test_notifications_go_to_the_channels_whose_level_they_reach(incident_day):
    rows, sent = incident_day["rows"], incident_day["session"].sent
    # Every history row's message went exactly where NOTIFIED_VIA says; the failing hook is recorded, not fatal.
    delivered = defaultdict(list)
    for integration, text, options in sent:
        delivered[text].append(integration)
        if integration == "ONCALL_EMAIL":
            assert options["toAddress"] == ["oncall@acme.com"] and options["subject"].startswith("Wallmonitor ")
        else:
            assert options == {}
    for row in rows:
        level = row["LEVEL"]
        expected = ["ONCALL_EMAIL"] + (["PAGER_HOOK"] if level == "CRITICAL" else [])
        assert delivered[row["MESSAGE"]] == expected, row
        # Queued, then delivered according to NOTIFICATION_HISTORY; the refused hook is recorded, not fatal.
        assert row["NOTIFIED_VIA"] == ", ".join([f"{name} (delivered)" for name in expected]
                                                + (["BROKEN_HOOK (send failed)"] if level == "CRITICAL" else [])), row
        assert row["DELIVERY_STATUS"] == ("FAILED" if level == "CRITICAL" else "DELIVERED"), row
        assert row["DELIVERY_KEY"] == f"{row['INCIDENT_ID']}/{row['EVENT_TYPE']}/{level}"
    assert len(sent) == sum(2 if r["LEVEL"] == "CRITICAL" else 1 for r in rows)


def test_ingestion_failures_fire_escalate_and_recover(incident_day):
    emulator, session, config, texts = (incident_day[k] for k in ("emulator", "session", "config", "texts"))
    before = len(history(emulator))
    agents = [(a.database, a.schema, a.name) for a in (ERR, LAT, TOK, RUN, SIL, CTL)]
    refresh = lambda: ingestion.run_refresh(emulator.session, emulator.handler_statements(), 1, 60, "per_agent")  # noqa: E731
    emulator.set_agents(agents, failing={"STEADY_BOT"})
    # Evaluations follow the last one by seconds (AS_OF never goes back, nor into the future); with no
    # cooldown an incident recovers at the first clear evaluation (the cooldown is tested above).
    config = {**config, "cooldownMinutes": 0}
    last = max(r["LAST_EVALUATED_AT"] for r in emulator.query("SELECT LAST_EVALUATED_AT FROM ALERT_STATE"))
    at = iter(last + timedelta(seconds=n) for n in range(1, 10))
    refresh()
    alerting.run_evaluation(session, texts, config, next(at))
    assert len(history(emulator)) == before  # one failed refresh is not an incident (warning at 2)
    refresh()
    alerting.run_evaluation(session, texts, config, next(at))
    for _ in range(3):
        refresh()
    alerting.run_evaluation(session, texts, config, next(at))
    emulator.set_agents(agents)
    refresh()
    for _ in range(2):
        alerting.run_evaluation(session, texts, config, next(at))
    new = history(emulator)[before:]
    assert [(r["EVENT_TYPE"], r["RULE_NAME"], r["AGENT_NAME"], r["LEVEL"], r["VALUE"]) for r in new] == [
        ("FIRING", "ingest_failing", "STEADY_BOT", "WARNING", 2),
        ("ESCALATED", "ingest_failing", "STEADY_BOT", "CRITICAL", 5),
        ("RECOVERED", "ingest_failing", "STEADY_BOT", "CRITICAL", 0),
    ]
    assert "not authorized" in new[0]["DETAIL"]
    status = emulator.view("ALERT_STATUS")
    assert {r["RULE_NAME"] for r in status if r["IS_OPEN"]} == set()


def test_a_second_evaluation_at_the_same_time_changes_nothing(incident_day):
    emulator, session, config, texts = (incident_day[k] for k in ("emulator", "session", "config", "texts"))
    state = emulator.query("SELECT * FROM ALERT_STATE ORDER BY RULE_NAME, AGENT_NAME")
    sent = len(session.sent)
    rows = len(history(emulator))
    at = max(r["LAST_EVALUATED_AT"] for r in state)
    alerting.run_evaluation(session, texts, config, at)
    assert len(history(emulator)) == rows and len(session.sent) == sent


# --- pipeline lag -------------------------------------------------------------------------------
def test_data_lag_fires_when_no_refresh_reaches_the_agents(catalog):
    with standalone_emulator(catalog, _coverage()) as emulator:
        load(emulator, [], agents=[CTL, SIL], rollup=False)
        session, texts = NotificationService(emulator), statements(catalog)
        config = settings(catalog, channels=[])
        # The last refresh (and registration) three hours back: AS_OF never lies in the future.
        for table, column in (("AGENT_INGEST_STATE", "LAST_REFRESH_AT"), ("AGENT_REGISTRY", "ADDED_AT")):
            emulator.query(f"UPDATE {emulator.database}.{emulator.schema}.{table} SET {column} = DATEADD('minute', -181, {column})")
        now = utc_now()
        for minutes in (30, 61, 120, 181):
            alerting.run_evaluation(session, texts, config, now + timedelta(minutes=minutes - 181))
        rows = history(emulator)
        assert [(r["EVENT_TYPE"], r["RULE_NAME"], r["AGENT_NAME"], r["LEVEL"], r["NOTIFIED_VIA"]) for r in rows] == [
            ("FIRING", "data_lag", "QUIET_BOT", "WARNING", "NONE"),
            ("FIRING", "data_lag", "STEADY_BOT", "WARNING", "NONE"),
            ("ESCALATED", "data_lag", "QUIET_BOT", "CRITICAL", "NONE"),
            ("ESCALATED", "data_lag", "STEADY_BOT", "CRITICAL", "NONE"),
        ]
        assert session.sent == []


# --- a month of ordinary traffic ---------------------------------------------------------------------
def test_a_month_of_normal_traffic_fires_nothing(catalog, capsys):
    now = utc_now().replace(second=0, microsecond=0)
    busy, sparse = AgentRef(DB, SCHEMA, "BUSY_BOT"), AgentRef(DB, SCHEMA, "SPARSE_BOT")
    start = now - timedelta(days=30)
    events = (generate(seed=21, agents=[busy], start=start, end=now, turns_per_agent_per_hour=20)
              + generate(seed=22, agents=[sparse], start=start, end=now, turns_per_agent_per_hour=3))
    # 20 turns/h puts the busy agent's 2-hour silence baseline (40 turns) at the silent_agent warning threshold.
    events.sort(key=lambda event: event["TIMESTAMP"])
    with standalone_emulator(catalog, _coverage()) as emulator:
        load(emulator, events, agents=[busy, sparse])
        session, texts = NotificationService(emulator), statements(catalog)
        config = settings(catalog, channels=[{"integration": "ONCALL_EMAIL", "kind": "email", "minLevel": "WARNING",
                                              "recipients": ["oncall@acme.com"]}])
        evaluations, at = 0, start + timedelta(hours=1, minutes=7)
        while at <= now:
            alerting.run_evaluation(session, texts, config, at)
            evaluations += 1
            # Every 8 h: three times of day, one evaluation costing about 1.5 s on the emulator
            # (translating the rules' SQL), so 90 of them rather than 120 keep CI in budget.
            at += timedelta(hours=8)
        fired = [r for r in history(emulator) if r["EVENT_TYPE"] != "RECOVERED"]
        with capsys.disabled():
            print(f"\nalerting: a month of normal traffic ({len(events)} events, 2 agents at 20 and 3 turns/h), "
                  f"{evaluations} evaluations every 8 h: {len(fired)} false positives"
                  + "".join(f"\n  {r['EVALUATED_AT']} {r['RULE_NAME']} {r['AGENT_NAME']} {r['LEVEL']} value={r['VALUE']}"
                            for r in fired))
        assert fired == [] and session.sent == []
