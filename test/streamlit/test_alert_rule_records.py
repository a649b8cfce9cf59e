"""A throwaway alert rule added by its record and its SQL alone (test/fixtures/alert_rules/), in a
records root of its own beside the deployed rules: deployed on the emulator world, ALERT_RULES
lists it (with an agent's override), EVALUATE_ALERTS' handler evaluates it from the settings the
catalog embeds, and the Alerts page shows it by its label and value format. No list of rules in
Python or TypeScript is touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import catalog, no_injected_session_left, run_page, world  # noqa: F401 (fixtures)
from world import AGENTS, ROOT

import alerting
from emulator import embedded_statements

RULE = "throwaway_turns"
LABEL = "Throwaway (turns seen)"
QUIET = AGENTS[0]
QUIET_NAME = f"{QUIET.database}.{QUIET.schema}.{QUIET.name}"


def _render(root, out) -> dict:
    """The alert SQL for the records under ``root``, rendered like the world's catalog (apptest._catalog)."""
    overrides = {
        "initialLookbackHours": "72", "storeConversationText": "true", "readUnredactedEvents": "true",
        # The throwaway fires from 2 turns; switched off for one agent.
        "alertRules": json.dumps({"defaults": {RULE: {"warning": 2}}, "agents": {QUIET_NAME: {RULE: {"enabled": False}}}}),
    }
    subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "test/fixtures/renderAlertRules.ts", "dev",
         str(root), str(out), *(f"{key}={value}" for key, value in overrides.items())],
        cwd=ROOT, check=True, env={**os.environ, "TS_NODE_PROJECT": str(ROOT / "tsconfig.json")})
    return json.loads(out.read_text())


@pytest.fixture
def throwaway(world, tmp_path):
    """The world with ALERT_RULES deployed from the records plus the throwaway, and one evaluation
    in which only the throwaway is on; the deployed view and empty alert tables are restored after."""
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "sql" / "alerts" / "rules", root)
    for fixture in (ROOT / "test" / "fixtures" / "alert_rules").iterdir():
        shutil.copy(fixture, root / fixture.name)
    alert_sql = _render(root, tmp_path / "alerts.json")
    emulator = world.emulator
    emulator.execute(f"CREATE OR REPLACE VIEW {emulator.database}.{emulator.schema}.ALERT_RULES AS\n"
                     f"{alert_sql['views']['ALERT_RULES']['text']}")
    settings = alert_sql["settings"]
    for name, rule in settings["rules"]["defaults"].items():
        rule["enabled"] = name == RULE
    settings["channels"] = []
    alerting.run_evaluation(emulator.session, embedded_statements(alert_sql["embedding"]), settings,
                            world.now - timedelta(minutes=50))
    yield settings
    emulator.create_view("ALERT_RULES")
    emulator.query(f"DELETE FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY")
    emulator.query(f"DELETE FROM {emulator.database}.{emulator.schema}.ALERT_STATE")


def test_alert_rules_lists_the_throwaway_with_its_override(world, throwaway):
    rows = world.emulator.query("SELECT * FROM ALERT_RULES WHERE RULE_NAME = ? ORDER BY AGENT_FULL_NAME NULLS FIRST", [RULE])
    assert [(r["AGENT_FULL_NAME"], r["ENABLED"], r["WARNING_THRESHOLD"], r["CRITICAL_THRESHOLD"], r["WINDOW_MINUTES"]) for r in rows] == [
        (None, True, 2, 100000, 360), (QUIET_NAME, False, 2, 100000, 360)]
    assert {(r["LABEL"], r["VALUE_FORMAT"], r["IS_RATIO"], r["IS_WINDOWED"]) for r in rows} == {(LABEL, "multiple", False, True)}
    # The deployed rules are all there too.
    assert len(world.emulator.query("SELECT * FROM ALERT_RULES WHERE AGENT_FULL_NAME IS NULL")) == len(throwaway["ruleInfo"])


def test_the_handler_evaluates_the_throwaway_from_its_embedded_settings(world, throwaway):
    history = world.emulator.query("SELECT * FROM ALERT_HISTORY ORDER BY AGENT_NAME")
    assert {row["RULE_NAME"] for row in history} == {RULE}
    # Every agent but the one whose override switches it off.
    assert sorted(f"{r['AGENT_DATABASE']}.{r['AGENT_SCHEMA']}.{r['AGENT_NAME']}" for r in history) == sorted(
        f"{a.database}.{a.schema}.{a.name}" for a in AGENTS[1:])
    for row in history:
        assert row["EVENT_TYPE"] == "FIRING" and row["LEVEL"] == "WARNING" and row["WINDOW_MINUTES"] == 360
        # Its value format ("multiple") from the record, in the message as in the page.
        assert f"{RULE} on " in row["MESSAGE"] and f": {float(row['VALUE']):.2f}x (threshold 2.00x, last 360 min)" in row["MESSAGE"]


def test_the_alerts_page_shows_the_throwaway_by_its_label(world, throwaway):
    app = run_page(world.emulator, "Alerts")
    assert not app.exception, [e.value for e in app.exception]
    opened = app.dataframe[0].value
    assert set(opened["RULE"]) == {LABEL} and set(opened["SHOWN_THRESHOLD"]) == {"2.00×"}
    rules = next(frame.value for frame in app.dataframe if "MEASURES" in frame.value.columns)
    mine = rules[rules["RULE"] == LABEL]
    assert list(mine["AGENT"]) == ["every agent", QUIET_NAME] and list(mine["STATE"]) == ["on", "off"]
    assert list(mine["SHOWN_WARNING"]) == ["2.00×", "2.00×"] and list(mine["WINDOW"]) == ["360 min", "360 min"]
