"""Agent discovery on the emulator: DISCOVER_AGENTS adds what SHOW AGENTS reports and matches
the patterns, keeps every existing registration as it is, and reports what it did; only
active agents are ingested."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from traffic import AgentRef, generate, is_cortex_agent_event  # noqa: E402

SALES = ("SALES_DB", "AGENTS", "SALES_ASSISTANT")
SUPPORT = ("SALES_DB", "AGENTS", "SUPPORT_COPILOT")
HR = ("HR_DB", "BOTS", "HR_HELPDESK")
SCRATCH = ("SALES_DB", "SCRATCH", "PROTOTYPE")


def discover_task(emulator) -> str:
    """The DISCOVER_AGENTS task (dev stack: include '%', exclude '%.SCRATCH.%', activate): what it says
    about registering agents (the version snapshot's part is test/sql/test_versions.py's)."""
    task = emulator.catalog["tasks"]["discover"]
    emulator.coverage.add(task["files"])
    summary = emulator.call(task["text"])
    assert "; snapshot " in summary
    return summary.split("; snapshot ")[0]


def discover(emulator, include, exclude, auto_activate=True) -> str:
    return ingestion.run_discovery(emulator.session, emulator.handler_statements(), include, exclude, auto_activate)


def registry(emulator) -> dict[tuple, dict]:
    rows = emulator.query("SELECT * FROM AGENT_REGISTRY")
    return {(r["AGENT_DATABASE"], r["AGENT_SCHEMA"], r["AGENT_NAME"]): r for r in rows}


def register_by_hand(emulator, agent, notes="added by hand") -> None:
    """What a user does: INSERT with the key, REGISTERED_BY 'MANUAL'."""
    emulator.execute("INSERT INTO AGENT_REGISTRY (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, NOTES, REGISTERED_BY) "
                     "VALUES (?, ?, ?, ?, 'MANUAL')", [*agent, notes])


def test_new_agents_are_added_as_discovered_and_active(emulator):
    emulator.set_agents([SALES, SUPPORT, HR])

    summary = discover_task(emulator)

    assert summary == "Found 3 agents; added 3; updated 0"
    rows = registry(emulator)
    assert set(rows) == {SALES, SUPPORT, HR}
    for row in rows.values():
        assert row["REGISTERED_BY"] == "DISCOVERY"
        assert row["IS_ACTIVE"] is True
        assert row["ADDED_AT"] is not None and row["LAST_DISCOVERED"] is not None


def test_rediscovery_updates_existing_agents_and_adds_only_new_ones(emulator):
    emulator.set_agents([SALES, SUPPORT])
    discover_task(emulator)
    added_at = {key: row["ADDED_AT"] for key, row in registry(emulator).items()}
    discovered_at = {key: row["LAST_DISCOVERED"] for key, row in registry(emulator).items()}

    emulator.set_agents([SALES, SUPPORT, HR])
    summary = discover_task(emulator)

    assert summary == "Found 3 agents; added 1; updated 2"
    rows = registry(emulator)
    assert set(rows) == {SALES, SUPPORT, HR}
    for key in (SALES, SUPPORT):
        assert rows[key]["ADDED_AT"] == added_at[key]
        assert rows[key]["LAST_DISCOVERED"] >= discovered_at[key]
        assert rows[key]["REGISTERED_BY"] == "DISCOVERY"


def test_agent_no_longer_reported_keeps_its_registration(emulator):
    emulator.set_agents([SALES, SUPPORT])
    discover_task(emulator)

    emulator.set_agents([SALES])
    summary = discover_task(emulator)

    assert summary == "Found 1 agents; added 0; updated 1"
    rows = registry(emulator)
    assert set(rows) == {SALES, SUPPORT}
    assert rows[SUPPORT]["IS_ACTIVE"] is True and rows[SUPPORT]["REGISTERED_BY"] == "DISCOVERY"


def test_manual_registrations_survive_discovery(emulator):
    register_by_hand(emulator, SALES, notes="owned by sales ops")  # SHOW AGENTS reports it too
    register_by_hand(emulator, ("OTHER_DB", "PRIVATE", "HIDDEN_AGENT"))  # SHOW AGENTS does not
    manual = registry(emulator)
    emulator.set_agents([SALES, HR])

    summary = discover_task(emulator)

    assert summary == "Found 2 agents; added 1; updated 1"
    rows = registry(emulator)
    assert set(rows) == {SALES, HR, ("OTHER_DB", "PRIVATE", "HIDDEN_AGENT")}
    sales = rows[SALES]
    assert (sales["REGISTERED_BY"], sales["NOTES"], sales["IS_ACTIVE"]) == ("MANUAL", "owned by sales ops", True)
    assert sales["ADDED_AT"] == manual[SALES]["ADDED_AT"]
    assert sales["LAST_DISCOVERED"] is not None  # stamped: discovery saw it
    assert rows[("OTHER_DB", "PRIVATE", "HIDDEN_AGENT")] == manual[("OTHER_DB", "PRIVATE", "HIDDEN_AGENT")]
    assert rows[HR]["REGISTERED_BY"] == "DISCOVERY"


def test_manually_deactivated_agent_stays_inactive_after_discovery(emulator):
    emulator.set_agents([SALES, SUPPORT])
    discover_task(emulator)
    emulator.execute("UPDATE AGENT_REGISTRY SET IS_ACTIVE = FALSE WHERE AGENT_NAME = ?", [SUPPORT[2]])
    register_by_hand(emulator, HR)
    emulator.execute("UPDATE AGENT_REGISTRY SET IS_ACTIVE = FALSE WHERE AGENT_NAME = ?", [HR[2]])
    emulator.set_agents([SALES, SUPPORT, HR])

    summary = discover_task(emulator)

    assert summary == "Found 3 agents; added 0; updated 3"
    active = {key: row["IS_ACTIVE"] for key, row in registry(emulator).items()}
    assert active == {SALES: True, SUPPORT: False, HR: False}


def test_include_and_exclude_patterns_match_case_insensitively_over_the_full_name(emulator):
    mixed_case = ("Sales_Db", "Bots", "Quarterly")
    lower_scratch = ("sales_db", "scratch", "tmp_agent")
    emulator.set_agents([SALES, SUPPORT, HR, SCRATCH, mixed_case, lower_scratch])

    summary = discover(emulator, include="sales_db.%", exclude="%.Scratch.%")

    assert summary == "Found 6 agents; added 3; updated 0"
    assert set(registry(emulator)) == {SALES, SUPPORT, mixed_case}


def test_patterns_see_database_schema_and_name_joined_with_dots(emulator):
    emulator.set_agents([SALES, SUPPORT, HR])

    # The schema and the name, joined by dots: a pattern on the name alone, or on a string
    # without the dots, would not give exactly this.
    assert discover(emulator, include="%.bots.%_helpdesk", exclude=None) == "Found 3 agents; added 1; updated 0"
    assert set(registry(emulator)) == {HR}
    assert discover(emulator, include="%", exclude="sales_db.agents.support%") == "Found 3 agents; added 1; updated 1"
    assert set(registry(emulator)) == {SALES, HR}


def test_discovery_task_uses_the_stack_patterns(emulator):
    assert emulator.config["agentExcludePattern"] == "%.SCRATCH.%"
    emulator.set_agents([SALES, SCRATCH, ("hr_db", "scratch", "lower_case")])

    summary = discover_task(emulator)

    assert summary == "Found 3 agents; added 1; updated 0"
    assert set(registry(emulator)) == {SALES}


def test_excluded_agents_already_registered_are_kept_but_not_updated(emulator):
    register_by_hand(emulator, SCRATCH)
    before = registry(emulator)[SCRATCH]
    emulator.set_agents([SCRATCH])

    assert discover_task(emulator) == "Found 1 agents; added 0; updated 0"
    assert registry(emulator)[SCRATCH] == before


def test_auto_activate_false_registers_new_agents_inactive(emulator):
    emulator.set_agents([SALES, SUPPORT])

    assert discover(emulator, include="%", exclude=None, auto_activate=False) == "Found 2 agents; added 2; updated 0"

    assert {key: row["IS_ACTIVE"] for key, row in registry(emulator).items()} == {SALES: False, SUPPORT: False}


def test_inactive_agents_are_not_ingested(emulator):
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    refs = [AgentRef(*agent) for agent in (SALES, SUPPORT, HR)]
    events = [e for e in generate(seed=5, agents=refs, start=now - timedelta(hours=4), end=now)
              if is_cortex_agent_event(e)]
    emulator.deliver(events)
    emulator.set_agents([SALES, SUPPORT, HR])
    discover_task(emulator)
    emulator.execute("UPDATE AGENT_REGISTRY SET IS_ACTIVE = FALSE WHERE AGENT_NAME = ?", [SUPPORT[2]])

    task = emulator.catalog["tasks"]["refresh"]
    emulator.coverage.add(task["files"])
    summary = emulator.call(task["text"])

    assert summary.startswith("Refreshed 2 agents: 2 OK")
    loaded = {r["AGENT_NAME"]: r["N"] for r in emulator.query(
        "SELECT AGENT_NAME, COUNT(*) AS N FROM AGENT_EVENTS_HISTORY GROUP BY AGENT_NAME")}
    per_agent = {name: sum(1 for e in events if e["RECORD_ATTRIBUTES"]["snow.ai.observability.object.name"] == name)
                 for name in (SALES[2], SUPPORT[2], HR[2])}
    assert per_agent[SUPPORT[2]] > 0, "precondition: the inactive agent has traffic"
    assert loaded == {SALES[2]: per_agent[SALES[2]], HR[2]: per_agent[HR[2]]}
    assert {r["AGENT_NAME"] for r in emulator.query("SELECT AGENT_NAME FROM AGENT_INGEST_STATE")} == {SALES[2], HR[2]}
