"""Discovery, both ingest paths and the rollup on the emulator, as the owner role holding exactly
the grants the dev stack's plan declares (test/sql/privileges.py), not as an all-powerful user.

The dev stack names its agent locations (wallmonitor:agentLocations): the admin role grants the
owner MONITOR on all and future agents there, so SHOW AGENTS lists them and the per-agent path
reads them; an agent elsewhere stays invisible and refused.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
import snowflake.connector

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ingestion  # noqa: E402  (procedures/, put on sys.path by emulator.py)
from emulator import utc_now  # noqa: E402
from privileges import PrivilegedSession, export_privileges, normalize, owner_role  # noqa: E402
from traffic import AgentRef, generate  # noqa: E402


@pytest.fixture(scope="module")
def export():
    return export_privileges("dev")


def agent_locations(export) -> list[str]:
    """The schemas or databases the owner holds agent privileges in."""
    grants = export["roles"][owner_role(export)]["agentGrants"]
    return [grant["on"]["in"]["name"] if grant["on"]["kind"] != "object" else grant["on"]["object"]["name"].rsplit(".", 1)[0]
            for grant in grants]


def agents_for(export) -> list[AgentRef]:
    """Two agents where the declared grants reach (the first schema or database they name)."""
    locations = agent_locations(export)
    assert locations, "the dev stack's plan declares no privilege on any agent (wallmonitor:agentLocations)"
    database, schema = (locations[0].split(".") + ["AGENTS"])[:2]
    return [AgentRef(database, schema, "SALES_ASSISTANT"), AgentRef(database, schema, "SUPPORT_COPILOT")]


def owner_session(emulator, export) -> PrivilegedSession:
    return PrivilegedSession(emulator.session, export, owner_role(export))


def traffic(emulator, agents) -> None:
    now = utc_now()
    emulator.deliver(generate(seed=141, agents=agents, start=now - timedelta(hours=3), end=now - timedelta(minutes=5),
                              turns_per_agent_per_hour=6))


def register(emulator, agents) -> None:
    """The registry as an administrator would fill it by hand (unchecked), for the ingest tests."""
    emulator.set_agents([(a.database, a.schema, a.name) for a in agents])
    ingestion.run_discovery(emulator.session, emulator.handler_statements(), "%", None, True)


def refresh(emulator, session, path: str) -> str:
    return ingestion.run_refresh(session, emulator.handler_statements(), emulator.config["initialLookbackHours"],
                                 emulator.config["historyDays"], path)


def history_count(emulator) -> int:
    return emulator.query("SELECT COUNT(*) AS N FROM AGENT_EVENTS_HISTORY")[0]["N"]


def test_every_statement_the_handlers_run_is_in_the_export(emulator, export):
    """Each procedure statement is classified by the model; one it does not know is refused."""
    known = {entry["code"] for entry in export["statements"]}
    assert {normalize(text) for text in emulator.handler_statements().values()} <= known
    session = owner_session(emulator, export)
    with pytest.raises(snowflake.connector.errors.ProgrammingError, match="not in the privilege export"):
        session.sql("SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY").collect()


def test_event_table_path_and_rollup_run_with_the_declared_grants(emulator, export):
    agents = agents_for(export)
    register(emulator, agents)
    traffic(emulator, agents)
    session = owner_session(emulator, export)
    summary = refresh(emulator, session, "event_table")
    assert session.refusals == [], session.refusals
    assert "path EVENT_TABLE" in summary and history_count(emulator) > 0
    ingestion.run_rollup(session, emulator.handler_statements(), emulator.config["historyDays"],
                         emulator.config["rollupRetentionDays"])
    assert session.refusals == []
    assert emulator.query("SELECT COUNT(*) AS N FROM AGENT_DAILY_ROLLUP")[0]["N"] > 0


def test_discovery_registers_the_agents_the_owner_may_monitor(emulator, export):
    agents = agents_for(export)
    emulator.set_agents([(a.database, a.schema, a.name) for a in agents])
    session = owner_session(emulator, export)
    ingestion.run_discovery(session, emulator.handler_statements(), "%", None, True)
    registered = emulator.query("SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME FROM AGENT_REGISTRY ORDER BY AGENT_NAME")
    assert [(r["AGENT_DATABASE"], r["AGENT_SCHEMA"], r["AGENT_NAME"]) for r in registered] == \
        sorted([(a.database, a.schema, a.name) for a in agents], key=lambda agent: agent[2])


def test_per_agent_path_reads_every_registered_agent(emulator, export):
    agents = agents_for(export)
    register(emulator, agents)
    traffic(emulator, agents)
    session = owner_session(emulator, export)
    summary = refresh(emulator, session, "per_agent")
    assert session.refusals == [], [refusal.message for refusal in session.refusals]
    assert "path PER_AGENT" in summary and history_count(emulator) > 0


def test_the_per_agent_path_is_refused_for_an_agent_outside_the_granted_locations(emulator, export):
    outsider = AgentRef("UNGRANTED_DB", "ELSEWHERE", "SHADOW_AGENT")
    register(emulator, [outsider])
    traffic(emulator, [outsider])
    session = owner_session(emulator, export)
    refresh(emulator, session, "per_agent")
    assert history_count(emulator) == 0
    assert [refusal.code for refusal in session.refusals] == ["002003"]
    assert "UNGRANTED_DB.ELSEWHERE.SHADOW_AGENT" in session.refusals[0].message


def test_without_the_reader_role_the_event_table_path_is_refused_naming_statement_and_privilege(emulator, export):
    reader = next(grant["id"] for grant in export["grants"] if "AI_OBSERVABILITY_READER" in grant["statement"])
    mutated = export_privileges("dev", without=reader)
    agents = agents_for(export)
    register(emulator, agents)
    traffic(emulator, agents)
    session = owner_session(emulator, mutated)
    refresh(emulator, session, "event_table")
    assert history_count(emulator) == 0
    assert session.refusals, "the event table was read without the reader role"
    refusal = session.refusals[0]
    assert refusal.code == "003001"
    # The first read of the event table is the cycle's scan for new agents, then the event-table pass.
    assert any(statement in refusal.message for statement in
               ("merge_agents_from_events", "insert_events_from_event_table", "probe_event_table")), refusal.message
    assert "SNOWFLAKE.AI_OBSERVABILITY_READER" in refusal.message
