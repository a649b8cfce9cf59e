"""The Alerts page (streamlit/pages/7_Alerts.py) against the emulator world after real alert
evaluations (procedures/alerting.py): open incidents and history show what ALERT_STATE and
ALERT_HISTORY hold; a deployment where nothing has fired says how to evaluate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import catalog, no_injected_session_left, run_page, world  # noqa: F401 (fixtures)
from emulator import embedded_statements
from world import AGENTS

import alerting


def _evaluate(world, catalog, rules):
    settings = json.loads(json.dumps(catalog["alerts"]["settings"]))
    for name, rule in settings["rules"]["defaults"].items():
        rule["enabled"] = name in rules
        rule.update(rules.get(name, {}))
    settings["channels"] = []
    texts = embedded_statements(catalog["alerts"]["embedding"])
    return settings, texts


@pytest.fixture
def fired(world, catalog):
    """Every agent fires runaway_thread_turns (a threshold any thread of the last 6 hours reaches),
    one agent is then recovered after the cooldown; the tables are emptied afterwards for the other tests."""
    emulator = world.emulator
    settings, texts = _evaluate(world, catalog, {"runaway_thread_turns": {"warning": 1, "critical": 1000, "windowMinutes": 360}})
    now = world.now
    alerting.run_evaluation(emulator.session, texts, settings, now - timedelta(minutes=50))
    # The first agent's rule is switched off: clear, then recovered one cooldown later.
    first = ".".join((AGENTS[0].database, AGENTS[0].schema, AGENTS[0].name))
    rule = settings["rules"]["defaults"]["runaway_thread_turns"]
    settings["rules"]["agents"] = {first: {"runaway_thread_turns": {**rule, "enabled": False}}}
    alerting.run_evaluation(emulator.session, texts, settings, now - timedelta(minutes=49))
    alerting.run_evaluation(emulator.session, texts, settings, now - timedelta(minutes=49 - settings["cooldownMinutes"]))
    yield first
    emulator.query(f"DELETE FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY")
    emulator.query(f"DELETE FROM {emulator.database}.{emulator.schema}.ALERT_STATE")


def test_the_page_shows_open_incidents_and_the_history(world, fired):
    app = run_page(world.emulator, "Alerts")
    assert not app.exception, [e.value for e in app.exception]
    history = world.emulator.query("SELECT * FROM ALERT_HISTORY")
    state = world.emulator.query("SELECT * FROM ALERT_STATE WHERE LEVEL <> 'OK'")
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Open incidents"] == str(len(state)) == str(len(AGENTS) - 1)
    assert shown["Fired"] == str(sum(r["EVENT_TYPE"] == "FIRING" for r in history)) == str(len(AGENTS))
    assert shown["Recovered"] == "1"
    opened, events = app.dataframe[0].value, app.dataframe[1].value
    assert sorted(opened["AGENT_FULL_NAME"]) == sorted(f"{a.database}.{a.schema}.{a.name}" for a in AGENTS[1:])
    assert set(opened["RULE"]) == {"Runaway thread (turns)"} and set(opened["STATE"]) == {"firing"}
    assert sorted(events["EVENT_TYPE"]) == sorted(["FIRING"] * len(AGENTS) + ["RECOVERED"])
    recovered = events[events["EVENT_TYPE"] == "RECOVERED"]
    assert list(recovered["AGENT_FULL_NAME"]) == [fired]
    # The values (turns of the busiest thread) as the history holds them, and where each went (no channel here).
    firing = events[events["EVENT_TYPE"] == "FIRING"]
    by_agent = {f"{r['AGENT_DATABASE']}.{r['AGENT_SCHEMA']}.{r['AGENT_NAME']}": r["VALUE"] for r in history if r["EVENT_TYPE"] == "FIRING"}
    assert {a: int(v) for a, v in zip(firing["AGENT_FULL_NAME"], firing["SHOWN_VALUE"])} == {a: int(v) for a, v in by_agent.items()}
    assert set(events["NOTIFIED_VIA"]) == {"NONE"} and set(firing["SHOWN_THRESHOLD"]) == {"1"}


def test_the_agent_filter_applies(world, fired):
    agent = f"{AGENTS[1].database}.{AGENTS[1].schema}.{AGENTS[1].name}"
    app = run_page(world.emulator, "Alerts", prepare=lambda a: a.session_state.__setitem__("wm_agents", [agent]))
    assert not app.exception, [e.value for e in app.exception]
    assert set(app.dataframe[1].value["AGENT_FULL_NAME"]) == {agent}


def test_a_deployment_where_nothing_fired_says_how_to_evaluate(world):
    assert world.emulator.query("SELECT COUNT(*) AS N FROM ALERT_STATE")[0]["N"] == 0
    app = run_page(world.emulator, "Alerts")
    assert not app.exception, [e.value for e in app.exception]
    assert any("No alert has fired yet" in success.value for success in app.success)
    assert any(code.value == "CALL WALLMONITOR_DEV.WALLMONITOR.EVALUATE_ALERTS();" for code in app.code)


@pytest.fixture
def undelivered(world, catalog):
    """Every agent fires runaway_thread_turns; the email is delivered, the Slack hook's delivery
    fails (NOTIFICATION_HISTORY reports FAILURE after retries), and the Teams hook refuses the call."""
    from emulator import NotificationService

    emulator = world.emulator
    settings, texts = _evaluate(world, catalog, {"runaway_thread_turns": {"warning": 1, "critical": 1000, "windowMinutes": 360}})
    settings["channels"] = [
        {"integration": "ONCALL_EMAIL", "kind": "email", "minLevel": "WARNING", "recipients": ["oncall@acme.com"]},
        {"integration": "SLACK_HOOK", "kind": "slack", "minLevel": "WARNING"},
        {"integration": "TEAMS_HOOK", "kind": "teams", "minLevel": "WARNING"},
    ]
    service = NotificationService(emulator, refused={"TEAMS_HOOK"}, outcomes={"SLACK_HOOK": ("FAILURE", "no_service")})
    alerting.run_evaluation(service, texts, settings, world.now - timedelta(minutes=50))
    service.deliver()
    alerting.run_evaluation(service, texts, settings, world.now - timedelta(minutes=49))
    yield
    emulator.query(f"DELETE FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY")
    emulator.query(f"DELETE FROM {emulator.database}.{emulator.schema}.ALERT_STATE")


def test_the_page_shows_failed_deliveries_with_their_errors(world, undelivered):
    app = run_page(world.emulator, "Alerts")
    assert not app.exception, [e.value for e in app.exception]
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Failed deliveries"] == str(len(AGENTS))
    assert any("did not reach every channel" in warning.value for warning in app.warning)
    failed = next(frame.value for frame in app.dataframe if "DELIVERY_ERROR" in frame.value.columns)
    assert sorted(failed["AGENT_FULL_NAME"]) == sorted(f"{a.database}.{a.schema}.{a.name}" for a in AGENTS)
    assert set(failed["DELIVERY_STATUS"]) == {"FAILED"}
    assert set(failed["NOTIFIED_VIA"]) == {"ONCALL_EMAIL (delivered), SLACK_HOOK (failed), TEAMS_HOOK (send failed)"}
    for error in failed["DELIVERY_ERROR"]:
        assert error.startswith("SLACK_HOOK: no_service; TEAMS_HOOK: ") and "not authorized" in error
    history = next(frame.value for frame in app.dataframe if "MESSAGE" in frame.value.columns)
    assert set(history["DELIVERY_STATUS"]) == {"FAILED"}


def test_the_page_shows_no_failed_delivery_when_every_channel_got_it(world, fired):
    app = run_page(world.emulator, "Alerts")
    assert not app.exception, [e.value for e in app.exception]
    assert {metric.label: metric.value for metric in app.metric}["Failed deliveries"] == "0"
    assert not any("did not reach every channel" in warning.value for warning in app.warning)
