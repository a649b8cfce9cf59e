"""What leaves the account when an alert fires, and how often (issue 15, items 1, 8 and 10).

The review's reproductions, kept: an agent named SNOWFLAKE_WEBHOOK_SECRET posted the Slack path,
the Teams signature or the PagerDuty routing key into the channel; `<!channel>`, links and
control characters went through; a body built by plain substitution failed json.loads; a failure
between sending and writing history re-sent the alert; NOTIFIED_VIA called a merely queued
message a success. Bodies are checked exactly as the integrations would POST them: the message
put into provider/webhookIntegration.ts's body template, then the secret filled in wherever
Snowflake fills it (emulator.webhook_request_body), then json.loads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from datetime import timedelta

import pytest

from emulator import ROOT, Coverage, NotificationService, embedded_statements, standalone_emulator, utc_now
from traffic import AgentRef

import alerting
import ingestion
from sql_binds import Statements

SECRETS = {
    "SLACK_HOOK": "T0CANARY1/B0CANARY2/SlackCanarySecret0123456",
    "TEAMS_HOOK": "wf0canary/triggers/manual/paths/invoke?api-version=1&sig=TeamsCanarySignature0123",
    "PAGER_HOOK": "0123456789abcdefCANARYCANARY9876",
}
KINDS = {"SLACK_HOOK": "slack", "TEAMS_HOOK": "teams", "PAGER_HOOK": "pagerduty"}
EMAIL = {"integration": "ONCALL_EMAIL", "kind": "email", "minLevel": "WARNING", "recipients": ["oncall@acme.com"]}
# Names an agent owner can choose (quoted identifiers take any character) and an error text
# anyone who can make a refresh fail partly controls.
HOSTILE_AGENTS = [
    AgentRef("SNOWFLAKE_WEBHOOK_MESSAGE", "<!channel> @everyone", "SNOWFLAKE_WEBHOOK_SECRET"),
    AgentRef("SALES_DB", 'x"y\\z\n<!here>', "snowflake_webhook_\u200bsecret"),
]
HOSTILE_ERROR = ('Agent said "hi"\\ back\n\t<!here> <@U0BOSS|boss> @channel @everyone SNOWFLAKE_WEBHOOK_SECRET '
                 'Snowflake_Webhook_Message \x1b[2J \u202egnp.exe\u2028 <https://evil.example/login|Click here> '
                 '[log in](https://evil.example) www.evil.example ' + "x" * 1500)


def _coverage() -> Coverage:
    return getattr(sys.modules.get("conftest"), "_coverage", None) or Coverage()


@pytest.fixture(scope="module")
def templates() -> dict:
    """provider/webhookIntegration.ts's WEBHOOK_BODY_TEMPLATES, as the integrations are created with them."""
    script = 'console.log(JSON.stringify(require("./provider/webhookIntegration").WEBHOOK_BODY_TEMPLATES))'
    out = subprocess.run([str(ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "-e", script], cwd=ROOT,
                         check=True, capture_output=True, text=True, env={**os.environ, "TS_NODE_PROJECT": str(ROOT / "tsconfig.json")})
    return json.loads(out.stdout)


def _statements(catalog) -> Statements:
    alerts = catalog["alerts"]
    _coverage().add([file for entry in alerts["statements"].values() for file in entry["files"]])
    return embedded_statements(alerts["embedding"])


def _settings(catalog, channels) -> dict:
    return {**json.loads(json.dumps(catalog["alerts"]["settings"])), "channels": channels}


def _webhook_channels(min_level="WARNING") -> list:
    return [{"integration": name, "kind": kind, "minLevel": min_level} for name, kind in KINDS.items()]


def _failing(emulator, agents, refreshes=2) -> None:
    """`agents` registered and failing `refreshes` refreshes in a row: ingest_failing fires WARNING at 2."""
    names = [(a.database, a.schema, a.name) for a in agents]
    emulator.set_agents(names, failing={a.name for a in agents})
    ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)
    for _ in range(refreshes):
        ingestion.run_refresh(emulator.session, emulator.handler_statements(), 1, 60, "per_agent")


def _table(emulator, name) -> list[dict]:
    return emulator.query(f"SELECT * FROM {emulator.database}.{emulator.schema}.{name} ORDER BY 1, 2")


def _text_of(kind: str, body: dict) -> str:
    if kind == "slack":
        return body["text"]
    if kind == "teams":
        return body["attachments"][0]["content"]["body"][0]["text"]
    return body["payload"]["summary"]


# --- item 1: nothing but inert text reaches a channel ----------------------------------------------
def test_hostile_names_and_errors_reach_no_channel_as_anything_but_text(catalog, templates):
    with standalone_emulator(catalog, _coverage()) as emulator:
        _failing(emulator, HOSTILE_AGENTS)
        for agent in HOSTILE_AGENTS:
            emulator.execute(f"UPDATE {emulator.database}.{emulator.schema}.AGENT_INGEST_STATE SET LAST_ERROR_MESSAGE = ? "
                             "WHERE AGENT_NAME = ?", [HOSTILE_ERROR, agent.name])
        webhooks = {name: (templates[kind], SECRETS[name]) for name, kind in KINDS.items()}
        session = NotificationService(emulator, webhooks=webhooks)
        alerting.run_evaluation(session, _statements(catalog), _settings(catalog, [EMAIL, *_webhook_channels()]))

        history = _table(emulator, "ALERT_HISTORY")
        assert {(r["AGENT_NAME"], r["RULE_NAME"], r["EVENT_TYPE"]) for r in history} == {
            (a.name, "ingest_failing", "FIRING") for a in HOSTILE_AGENTS}
        assert len(session.bodies) == 3 * len(HOSTILE_AGENTS)
        for integration, raw in session.bodies:
            body = json.loads(raw)  # valid JSON, however the message is substituted
            kind, secret = KINDS[integration], SECRETS[integration]
            if kind == "pagerduty":
                assert body["routing_key"] == secret and raw.count(secret) == 1
            else:
                assert secret not in raw
            text = _text_of(kind, body)
            assert not re.search("snowflake_webhook", text, re.IGNORECASE), text
            assert not any(char in text for char in '<>@"\\'), text
            assert "://" not in text and "www." not in text.lower() and "](" not in text, text
            assert all(unicodedata.category(char)[0] != "C" and char not in "\u2028\u2029" for char in text), text
            assert len(text) <= 1024 and text == " ".join(text.split())
            # Still readable: the rule, the (redacted) names and the neutralised mention are there.
            assert "ingest_failing on " in text and "REDACTED" in text, text
            assert "\u2039!channel\u203a" in text or "\u2039!here\u203a" in text, text
        for _integration, text, options in session.sent:
            assert not re.search("snowflake_webhook", text + json.dumps(options), re.IGNORECASE)
        # ALERT_HISTORY keeps the message exactly as it was sent.
        assert {r["MESSAGE"] for r in history} == {text for _i, text, _o in session.sent}


def test_the_emulated_sanitiser_redacts_the_documented_placeholders_only(catalog):
    with standalone_emulator(catalog, _coverage()) as emulator:
        NotificationService(emulator)
        text = _statements(catalog)["sanitize_message"]
        [row] = emulator.query(text, ["a SNOWFLAKE_WEBHOOK_SECRET b SNOWFLAKE_WEBHOOK_MESSAGE c snowflake_webhook_secret"])
        assert row["MESSAGE"] == "a REDACTED b REDACTED c snowflake_webhook_secret"


def test_plain_substitution_of_an_unsanitised_message_leaks_the_secret_and_breaks_json(templates):
    """The review's reproduction, kept so that the stand-in keeps modelling the leak."""
    from emulator import webhook_request_body

    raw = webhook_request_body(templates["slack"], 'agent SNOWFLAKE_WEBHOOK_SECRET said "hi"', SECRETS["SLACK_HOOK"])
    assert SECRETS["SLACK_HOOK"] in raw
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    assert json.loads(webhook_request_body(templates["slack"], alerting.inert(
        'agent SNOWFLAKE_WEBHOOK_SECRET said "hi"'), SECRETS["SLACK_HOOK"])) == {"text": "agent REDACTED said 'hi'"}


# --- item 10: sent once, and what became of it --------------------------------------------------------
class FailingOnce:
    """A session that fails once on one statement, as a lost connection or a timeout would."""

    def __init__(self, session, text):
        self.session, self.text, self.armed = session, text, True

    def sql(self, text, params=None):
        if self.armed and text == self.text:
            self.armed = False
            raise RuntimeError("connection lost")
        return self.session.sql(text, params)


AGENT = AgentRef("SALES_DB", "AGENTS", "FLAKY_BOT")


@pytest.mark.parametrize("failing_statement", ["insert_state", "insert_history", "commit_transaction"])
def test_a_failure_while_recording_sends_nothing_and_the_next_evaluation_sends_once(catalog, failing_statement):
    texts = _statements(catalog)
    with standalone_emulator(catalog, _coverage()) as emulator:
        _failing(emulator, [AGENT])
        service = NotificationService(emulator)
        settings = _settings(catalog, [EMAIL])
        with pytest.raises(RuntimeError, match="connection lost"):
            alerting.run_evaluation(FailingOnce(service, texts[failing_statement]), texts, settings)
        assert _table(emulator, "ALERT_HISTORY") == [] and _table(emulator, "ALERT_STATE") == [] and service.sent == []
        alerting.run_evaluation(service, texts, settings)
        alerting.run_evaluation(service, texts, settings)
        [row] = _table(emulator, "ALERT_HISTORY")
        assert row["EVENT_TYPE"] == "FIRING" and row["NOTIFIED_VIA"] == "ONCALL_EMAIL (queued)"
        assert [integration for integration, _text, _options in service.sent] == ["ONCALL_EMAIL"]


def test_a_failure_after_sending_never_sends_the_same_transition_again(catalog):
    texts = _statements(catalog)
    with standalone_emulator(catalog, _coverage()) as emulator:
        _failing(emulator, [AGENT])
        service = NotificationService(emulator)
        settings = _settings(catalog, [EMAIL, *_webhook_channels()])
        with pytest.raises(RuntimeError, match="connection lost"):
            alerting.run_evaluation(FailingOnce(service, texts["record_delivery"]), texts, settings)
        assert len(service.sent) == 4
        [row] = _table(emulator, "ALERT_HISTORY")
        assert row["DELIVERY_STATUS"] == "SENDING"  # claimed before sending: never picked up again
        for _ in range(2):
            alerting.run_evaluation(service, texts, settings)
        assert len(service.sent) == 4 and len(_table(emulator, "ALERT_HISTORY")) == 1


def test_a_pending_transition_left_by_a_failed_run_is_sent_by_the_next_one(catalog):
    texts = _statements(catalog)
    with standalone_emulator(catalog, _coverage()) as emulator:
        _failing(emulator, [AGENT])
        service = NotificationService(emulator)
        settings = _settings(catalog, [EMAIL])
        with pytest.raises(RuntimeError, match="connection lost"):
            alerting.run_evaluation(FailingOnce(service, texts["claim_delivery"]), texts, settings)
        assert service.sent == [] and _table(emulator, "ALERT_HISTORY")[0]["DELIVERY_STATUS"] == "PENDING"
        alerting.run_evaluation(service, texts, settings)
        assert len(service.sent) == 1 and _table(emulator, "ALERT_HISTORY")[0]["DELIVERY_STATUS"] == "QUEUED"


def test_delivery_results_come_from_notification_history(catalog):
    texts = _statements(catalog)
    with standalone_emulator(catalog, _coverage()) as emulator:
        _failing(emulator, [AGENT, AgentRef("SALES_DB", "AGENTS", "OTHER_BOT")])
        slack_error = "no_service"
        service = NotificationService(emulator, refused={"TEAMS_HOOK"}, outcomes={
            "SLACK_HOOK": ("FAILURE", slack_error), "PAGER_HOOK": ("RETRIABLE_FAILURE", "502 Bad Gateway <html>")})
        settings = _settings(catalog, [EMAIL, *_webhook_channels()])
        alerting.run_evaluation(service, texts, settings)
        rows = _table(emulator, "ALERT_HISTORY")
        # Only queued so far: nothing is called delivered before NOTIFICATION_HISTORY says so.
        assert {r["DELIVERY_STATUS"] for r in rows} == {"QUEUED"}
        assert {r["NOTIFIED_VIA"] for r in rows} == {
            "ONCALL_EMAIL (queued), SLACK_HOOK (queued), TEAMS_HOOK (send failed), PAGER_HOOK (queued)"}
        service.deliver()
        alerting.run_evaluation(service, texts, settings)
        rows = _table(emulator, "ALERT_HISTORY")
        assert {r["NOTIFIED_VIA"] for r in rows} == {
            "ONCALL_EMAIL (delivered), SLACK_HOOK (failed), TEAMS_HOOK (send failed), PAGER_HOOK (retrying)"}
        assert {r["DELIVERY_STATUS"] for r in rows} == {"RETRYING"}
        service.outcomes["PAGER_HOOK"] = ("SUCCESS", None)
        for request in service.requests:
            if request["integration"] == "PAGER_HOOK":
                request["attempts"].append(service._attempt(request, 3, "SUCCESS", None))
        alerting.run_evaluation(service, texts, settings)
        rows = emulator.view("ALERT_HISTORY_VIEW")
        assert {r["NOTIFIED_VIA"] for r in rows} == {
            "ONCALL_EMAIL (delivered), SLACK_HOOK (failed), TEAMS_HOOK (send failed), PAGER_HOOK (delivered)"}
        assert {r["DELIVERY_STATUS"] for r in rows} == {"FAILED"}
        for row in rows:
            assert f"SLACK_HOOK: {slack_error}" in row["DELIVERY_ERROR"] and "TEAMS_HOOK: " in row["DELIVERY_ERROR"]
            assert "<" not in row["DELIVERY_ERROR"]
        # Each of the two transitions got its own request per integration.
        requests = [json.loads(r["DELIVERIES"])
                    for r in emulator.query(f"SELECT DELIVERIES FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY")]
        matched = [d["request"] for deliveries in requests for d in deliveries if d["request"]]
        assert len(matched) == len(set(matched)) == 2 * 3


# --- item 8: AS_OF is checked before anything is touched -----------------------------------------------
def test_evaluate_alerts_refuses_a_bad_as_of_before_touching_data(catalog):
    texts = _statements(catalog)
    with standalone_emulator(catalog, _coverage()) as emulator:
        _failing(emulator, [AGENT])
        service = NotificationService(emulator)
        settings = _settings(catalog, [EMAIL])
        now = utc_now()
        with pytest.raises(ValueError, match=r"EVALUATE_ALERTS: AS_OF .* is in the future .*Pass NULL to evaluate as of now"):
            alerting.run_evaluation(service, texts, settings, now + timedelta(hours=1))
        with pytest.raises(ValueError, match=r"EVALUATE_ALERTS: AS_OF 'yesterday' is not a timestamp"):
            alerting.run_evaluation(service, texts, settings, "yesterday")
        assert _table(emulator, "ALERT_HISTORY") == [] and _table(emulator, "ALERT_STATE") == [] and service.sent == []
        alerting.run_evaluation(service, texts, settings, now)
        before = (_table(emulator, "ALERT_HISTORY"), _table(emulator, "ALERT_STATE"), len(service.sent))
        with pytest.raises(ValueError, match=r"AS_OF .* is before the last evaluation .*only moves forward"):
            alerting.run_evaluation(service, texts, settings, now - timedelta(hours=1))
        assert (_table(emulator, "ALERT_HISTORY"), _table(emulator, "ALERT_STATE"), len(service.sent)) == before
