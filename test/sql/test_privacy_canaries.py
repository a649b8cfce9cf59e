"""No text a user typed reaches anyone but the owner unless the stack stores text on purpose.

The generated traffic plants a canary (traffic.CANARY) in every Cortex Search query, Analyst SQL,
feedback comment and error text. The scan greps every text-capable column of every object
someone other than the owner role can read, taking the columns from information_schema, so a
column added later is scanned without editing this file.

What counts as readable comes from the grants the stack itself declares (``readable_objects``,
the offline plan's Grants table), not from a list kept here:
- the viewer role's SELECT grants (views, dynamic tables, every dynamic table in the schema);
- an organisation share's SELECT grants (a member stack's shared views).

Decisions the tests pin down:
- search queries, Analyst SQL and feedback comments (user-typed free text, or derived from it)
  follow storeConversationText: with it off nothing anywhere holds them; with it on the viewer
  sees them where the dashboards show them (the timeline, the feedback view);
- error texts are operational (written by Snowflake or a tool, shown on the Errors page and in
  alerts) and stay viewer-visible whatever the text setting; they never leave the account
  through a share (the share's history carries no error text under the default
  orgUserIdentity, pseudonymous).
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import fakesnow
import pytest

from conftest import _coverage
from emulator import Emulator, render_catalog, utc_now
from test_org import SHARED_SCHEMA, Account
from test_privacy import evaluate_alerts
from traffic import CANARY, ERROR_CANARY_KIND, FREE_TEXT_CANARY_KINDS, AgentRef, canaries, generate, is_cortex_agent_event

ROOT = Path(__file__).resolve().parents[2]
AGENTS = [AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT"), AgentRef("HR_DB", "BOTS", "HR_HELPDESK")]
# information_schema.columns DATA_TYPE values that can hold text (TEXT is VARCHAR).
TEXT_TYPES = {"TEXT", "VARCHAR", "STRING", "VARIANT", "OBJECT", "ARRAY"}
_SECURABLE = re.compile(r'(?:VIEW|TABLE|DYNAMIC TABLE) (?:"?[A-Z0-9_$]+"?\.){2}"?([A-Z0-9_$]+)"?')
_EVERY_DYNAMIC_TABLE = re.compile(r'(?:ALL|FUTURE) DYNAMIC TABLES IN (?:"?[A-Z0-9_$]+"?)\.(?:"?[A-Z0-9_$]+"?)')


@functools.lru_cache(maxsize=None)
def readable_objects(stack: str) -> dict[str, frozenset[str]]:
    """The objects a stack lets someone other than its owner read, by reader: ``viewer`` (the
    viewer role's SELECT grants) and ``share`` (SELECT granted to an organisation share), as
    object names. Read from the grants the stack declares, as the offline plan lists them; the
    one place that says what is readable, to be pointed at the column-classification registry
    once it exists."""
    result = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "scripts/plan.ts", "--stack", stack, "--json"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "TS_NODE_PROJECT": str(ROOT / "tsconfig.json")})
    plan = json.loads(result.stdout)  # exit 1 means a policy violation; the grants are printed all the same
    dynamic_tables = {obj["name"].split(".")[-1] for obj in plan["objects"].values() if obj["kind"] == "DynamicTable"}
    readers: dict[str, set[str]] = {"viewer": set(), "share": set()}
    for grant in plan["grants"]:
        if grant["privilege"] != "SELECT":
            continue
        reader = "viewer" if grant["role"] in plan["viewerRoles"] else "share" if grant["role"].startswith("SHARE ") else None
        if reader is None:
            continue
        if _EVERY_DYNAMIC_TABLE.fullmatch(grant["on"]):
            readers[reader] |= dynamic_tables
            continue
        match = _SECURABLE.fullmatch(grant["on"])
        assert match, f"a SELECT grant on something this scan cannot name: {grant}"
        readers[reader].add(match.group(1))
    return {reader: frozenset(names) for reader, names in readers.items()}


def text_columns(emulator, schema: str) -> dict[str, list[str]]:
    """Every text-capable column of every table and view in ``schema``."""
    rows = emulator.query("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS "
                          "WHERE TABLE_CATALOG = ? AND TABLE_SCHEMA = ?", [emulator.database, schema])
    columns: dict[str, list[str]] = {}
    for row in rows:
        if row["DATA_TYPE"].upper() in TEXT_TYPES:
            columns.setdefault(row["TABLE_NAME"], []).append(row["COLUMN_NAME"])
    return columns


def scan(emulator, schema: str, objects) -> set[tuple[str, str, str]]:
    """(object, column, canary) for every canary in any text column of ``objects`` in ``schema``."""
    columns = text_columns(emulator, schema)
    missing = set(objects) - set(columns)
    assert not missing, f"granted but not found in the emulator (or without a text column): {sorted(missing)}"
    found = set()
    for table in objects:
        select = ", ".join(f'TO_VARCHAR("{name}") AS "{name}"' for name in columns[table])
        for row in emulator.query(f'SELECT {select} FROM {emulator.database}.{schema}."{table}"'):
            for name, value in row.items():
                for match in CANARY.finditer(value or ""):
                    found.add((table, name, match.group(0)))
    return found


def kind(canary: str) -> str:
    return CANARY.fullmatch(canary).group(1)


def free_text(hits) -> set[str]:
    return {canary for _, _, canary in hits if kind(canary) in FREE_TEXT_CANARY_KINDS}


def errors(hits) -> set[str]:
    return {canary for _, _, canary in hits if kind(canary) == ERROR_CANARY_KIND}


def ingest(emulator) -> dict[str, set[str]]:
    """A day of traffic through the tasks, the dynamic tables refreshed and one alert evaluation;
    returns the canaries the agents' events carried, by kind."""
    now = utc_now()
    events = generate(seed=99, agents=AGENTS, start=now - timedelta(hours=20), end=now, feedback_rate=0.3,
                      tool_error_rate=0.15)
    planted = canaries([e for e in events if is_cortex_agent_event(e)])
    assert set(planted) == FREE_TEXT_CANARY_KINDS | {ERROR_CANARY_KIND}, "precondition: every kind of canary is planted"
    emulator.deliver(events)
    emulator.set_agents([(a.database, a.schema, a.name) for a in AGENTS])
    for task in ("discover", "refresh", "rollup"):
        emulator.call(emulator.catalog["tasks"][task]["text"])
    emulator.refresh_dynamic_tables()
    evaluate_alerts(emulator)
    return planted


@pytest.fixture(params=["per_agent", "event_table"])
def dev_emulator(request):
    """The dev stack (storeConversationText false) on each ingest path."""
    with fakesnow.patch():
        emu = Emulator(render_catalog("dev", ingestPath=request.param), _coverage)
        yield emu
        emu.close()


@pytest.fixture(params=["per_agent", "event_table"])
def text_emulator(request):
    """A stack that stores text and reads it unredacted, on each ingest path."""
    catalog = render_catalog("dev", storeConversationText="true", readUnredactedEvents="true", ingestPath=request.param)
    with fakesnow.patch():
        emu = Emulator(catalog, _coverage)
        yield emu
        emu.close()


def test_readable_objects_come_from_the_stack_grants():
    """The helper sees the viewer's views and dynamic tables, and a member's shared views."""
    dev = readable_objects("dev")
    assert {"THREAD_TIMELINE", "AGENT_FEEDBACK", "DT_THREAD_ACTIVITY_RECENT"} <= dev["viewer"]
    assert not dev["viewer"] & {"AGENT_EVENTS_HISTORY", "AGENT_EVENTS", "AGENT_EVENTS_RECENT"}
    assert dev["share"] == frozenset()
    assert "AGENT_EVENTS_HISTORY" in readable_objects("member-apps")["share"]


def test_with_text_off_no_free_text_is_stored_and_viewers_see_only_error_text(dev_emulator):
    emulator = dev_emulator
    assert emulator.config["storeConversationText"] is False
    planted = ingest(emulator)

    everything = scan(emulator, emulator.schema, text_columns(emulator, emulator.schema))
    assert free_text(everything) == set(), "nothing the owner holds either"
    viewer = scan(emulator, emulator.schema, readable_objects("dev")["viewer"])
    assert free_text(viewer) == set()
    # Error text is kept for the Errors page and the alerts: the viewer sees it, which also shows
    # the scan reads the very columns and rows a free-text canary would be in.
    assert errors(viewer) and errors(viewer) <= planted[ERROR_CANARY_KIND]


def test_with_text_on_the_viewer_sees_free_text_where_the_dashboards_show_it(text_emulator):
    emulator = text_emulator
    assert (emulator.config["storeConversationText"], emulator.config["readUnredactedEvents"]) == (True, True)
    planted = ingest(emulator)

    history = {canary for table, _, canary in scan(emulator, emulator.schema, ["AGENT_EVENTS_HISTORY"])}
    assert planted["SEARCH"] | planted["SQL"] | planted["FEEDBACK"] <= history
    viewer = scan(emulator, emulator.schema, readable_objects("dev")["viewer"])
    assert {kind(canary) for canary in free_text(viewer)} == FREE_TEXT_CANARY_KINDS
    assert {table for table, _, canary in viewer if kind(canary) in ("SEARCH", "SQL")} >= {"THREAD_TIMELINE"}
    assert {table for table, _, canary in viewer if kind(canary) == "FEEDBACK"} >= {"AGENT_FEEDBACK"}


class _MemberStoringText(Account):
    """member-apps (it shares its recent history) storing text, read unredacted."""

    def render(self, stack: str, **overrides) -> dict:
        return super().render(stack, storeConversationText="true", readUnredactedEvents="true", **overrides)


@pytest.mark.parametrize("account_class", [Account, _MemberStoringText], ids=["text_off", "text_on"])
def test_nothing_a_member_shares_holds_free_text_or_error_text(account_class):
    with fakesnow.patch():
        member = account_class("member-apps")
        try:
            member.run_cycle()
            member.create_org_views("memberShare")
            shared = readable_objects("member-apps")["share"]
            assert shared, "precondition: the stack shares objects"
            stores_text = member.emulator.config["storeConversationText"]
            owned = scan(member.emulator, member.emulator.schema, ["AGENT_EVENTS_HISTORY"])
            # Text at home when stored (and error text always): the share could have carried it.
            assert errors(owned) and bool(free_text(owned)) == stores_text

            assert scan(member.emulator, SHARED_SCHEMA, shared) == set()
        finally:
            member.emulator.close()


def test_turning_text_off_hides_stored_text_from_viewers_and_keeps_every_row():
    """Text stored, then the stack redeployed with storeConversationText off: the next up replaces
    the views whose statement changed (here, on the emulator, exactly those), after which the
    viewer sees no free text, while the history keeps every row and every text it held."""
    stored = render_catalog("dev", storeConversationText="true", readUnredactedEvents="true", ingestPath="event_table")
    redeployed = render_catalog("dev", ingestPath="event_table")
    with fakesnow.patch():
        emulator = Emulator(stored, _coverage)
        try:
            ingest(emulator)
            history = scan(emulator, emulator.schema, ["AGENT_EVENTS_HISTORY"])
            assert free_text(scan(emulator, emulator.schema, readable_objects("dev")["viewer"])), "precondition"

            changed = [name for name, view in redeployed["views"].items() if view["text"] != stored["views"][name]["text"]]
            assert changed and not [name for name, table in redeployed["dynamicTables"].items()
                                    if table["text"] != stored["dynamicTables"][name]["text"]]
            emulator.catalog = redeployed
            for name in changed:
                emulator.create_view(name)

            viewer = scan(emulator, emulator.schema, readable_objects("dev")["viewer"])
            assert free_text(viewer) == set() and errors(viewer)
            assert scan(emulator, emulator.schema, ["AGENT_EVENTS_HISTORY"]) == history
        finally:
            emulator.close()
