"""Organisation-wide monitoring on the emulator: two member accounts and the central one, each
running its own Wallmonitor (the member-eu, member-apps and central stacks' SQL) on its own
agent traffic. The members expose their secure share views, the central account mounts each
share as a database (emulator.mount_share) and its unified ORG_* views must return every
account's figures, per account and in total, as computed independently from the generated
events (oracle.ingest), never from the rollup tables.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import fakesnow
import pytest

import oracle
from conftest import _coverage
from emulator import Emulator, mount_share, render_catalog, utc_now
from test_ingestion import run_task
from traffic import EVENT_TABLE_DDL, AgentRef, generate, load

SHARED_SCHEMA = "WALLMONITOR_SHARED"  # lib/orgConfig.ts ORG_SHARE_SCHEMA
PRIVATE_COLUMNS = {"QUESTION_TEXT", "ANSWER_TEXT", "RAW_ATTRIBUTES", "RETRIEVAL_QUERY", "FEEDBACK_MESSAGE"}
# The same agent name runs in ANALYTICS_EU and CENTRAL: SOURCE_ACCOUNT must keep them apart.
SALES = AgentRef("SALES_DB", "AGENTS", "SALES_ASSISTANT")
ACCOUNTS = {
    # stack: (SOURCE_ACCOUNT, database in the emulator, its agents, seed, central's name for the member)
    "member-eu": ("ACME.ANALYTICS_EU", "EU_WM", [SALES], 21, "EU"),
    "member-apps": ("ACME.APPS_EU", "APPS_WM", [AgentRef("APP_DB", "BOTS", "APP_HELPER"),
                                                  AgentRef("APP_DB", "BOTS", "ONBOARDING")], 22, "APPS"),
    "central": ("ACME.CENTRAL", "CENTRAL_WM", [SALES], 23, None),
}


class Account:
    """One account: its emulator (its own database), its event table and what it was sent."""

    def __init__(self, stack: str):
        self.source, database, self.agents, seed, self.member_name = ACCOUNTS[stack]
        self.catalog = render_catalog(stack, database=database, ingestPath="per_agent", initialLookbackHours="96")
        self.emulator = Emulator(self.catalog, _coverage)
        self.event_table = f"{stack.replace('-', '_')}_events"
        now = utc_now()
        self.delivered = generate(seed=seed, agents=self.agents, start=now - timedelta(days=3), end=now,
                                  turns_per_agent_per_hour=0.5, feedback_rate=0.3)
        # Every ingested event (the shared history holds them all, evaluation runs marked) and the
        # production ones the rollups count.
        self.history = oracle.ingest(self.delivered, [(a.database, a.schema, a.name) for a in self.agents])
        self.expected = oracle.production(self.history)

    def run_cycle(self) -> None:
        """Its own event table (accounts do not see each other's events), one ingestion cycle, one rollup."""
        cur = self.emulator.conn.cursor()
        cur.execute(EVENT_TABLE_DDL.format(table=f"SNOWFLAKE.LOCAL.{self.event_table.upper()}"))
        load(self.emulator.loader.cursor(), f"SNOWFLAKE.LOCAL.{self.event_table.upper()}", self.delivered)
        self.emulator.point_event_function_at(self.event_table)
        self.emulator.set_agents([(a.database, a.schema, a.name) for a in self.agents])
        run_task(self.emulator, "discover")
        run_task(self.emulator, "refresh")
        run_task(self.emulator, "rollup")

    def create_org_views(self, kind: str) -> dict:
        org = self.catalog["org"][kind]
        views = org["views"] if kind == "central" else org
        schema = self.emulator.schema if kind == "central" else SHARED_SCHEMA
        database = self.emulator.database
        self.emulator.execute(f"CREATE SCHEMA IF NOT EXISTS {database}.{schema}")
        for name, view in views.items():  # in dependency order: ORG_ACCOUNT_DAILY last
            secure = "SECURE " if kind == "memberShare" else ""
            self.emulator.execute(f"CREATE OR REPLACE {secure}VIEW {database}.{schema}.{name} AS\n{view['text']}",
                                  files=view["files"])
        return views


@contextmanager
def organisation():
    """The three accounts, each after one ingestion cycle and rollup, with both members' shares
    mounted on the central account and its unified views created."""
    with fakesnow.patch():
        accounts = {stack: Account(stack) for stack in ACCOUNTS}
        try:
            for account in accounts.values():
                account.run_cycle()
            central = accounts["central"]
            prefix = central.catalog["config"]["orgDatabasePrefix"]
            for stack in ("member-eu", "member-apps"):
                member = accounts[stack]
                shared = member.create_org_views("memberShare")
                mount_share(central.emulator.conn, member.emulator.database, SHARED_SCHEMA, shared,
                            f"{prefix}_{member.member_name}")
            central.create_org_views("central")
            yield accounts
        finally:
            for account in accounts.values():
                account.emulator.close()


@pytest.fixture(scope="module")
def org(catalog):  # noqa: ARG001  (the dev catalog: the coverage summary lists its sql/ files)
    with organisation() as accounts:
        yield accounts


def expected_account_days(accounts) -> dict:
    out = {}
    for account in accounts.values():
        days = defaultdict(list)
        for event in account.expected:
            days[event.timestamp.date()].append(event)
        for day, rows in days.items():
            turns = [e for e in rows if e.category == "AGENT_RUN"]
            out[(account.source, day)] = {
                "ACTIVE_AGENTS": len({e.agent for e in rows}),
                "TOTAL_EVENTS": len(rows),
                "TOTAL_TURNS": len(turns),
                "FAILED_TURNS": sum(e.status == "ERROR" for e in turns),
                "TOTAL_TOKENS": oracle.total(e.total_tokens for e in rows),
                "UNIQUE_USERS": oracle.distinct(e.user for e in rows),
                "UNIQUE_THREADS": oracle.distinct(e.thread_id for e in rows),
            }
    return out


def as_date(value):
    return value.date() if hasattr(value, "date") else value


def test_the_member_shares_tag_each_row_with_its_account(org):
    for stack in ("member-eu", "member-apps"):
        member = org[stack]
        rows = member.emulator.query(f"SELECT SOURCE_ACCOUNT, COUNT(*) AS N FROM {member.emulator.database}."
                                     f"{SHARED_SCHEMA}.AGENT_DAILY_ROLLUP GROUP BY SOURCE_ACCOUNT")
        own = member.emulator.query("SELECT COUNT(*) AS N FROM AGENT_DAILY_ROLLUP")[0]["N"]
        assert rows == [{"SOURCE_ACCOUNT": member.source, "N": own}] and own > 0


def test_shared_history_leaves_conversation_text_at_home(org):
    apps = org["member-apps"]
    assert "AGENT_EVENTS_HISTORY" in apps.catalog["org"]["memberShare"]
    assert "AGENT_EVENTS_HISTORY" not in org["member-eu"].catalog["org"]["memberShare"]
    cur = apps.emulator.execute(f"SELECT * FROM {apps.emulator.database}.{SHARED_SCHEMA}.AGENT_EVENTS_HISTORY")
    columns = {column[0] for column in cur.description}
    rows = cur.fetchall()
    assert "SOURCE_ACCOUNT" in columns and not columns & PRIVATE_COLUMNS
    assert len(rows) == len(apps.history) > len(apps.expected)


def test_unified_agent_rollup_holds_every_account_and_keeps_same_named_agents_apart(org):
    central = org["central"]
    rows = central.emulator.query("SELECT SOURCE_ACCOUNT, DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TURNS "
                                  "FROM ORG_AGENT_DAILY_ROLLUP")
    actual = {(r["SOURCE_ACCOUNT"], as_date(r["DAY"]), f"{r['AGENT_DATABASE']}.{r['AGENT_SCHEMA']}.{r['AGENT_NAME']}"): r["TURNS"]
              for r in rows}
    assert len(actual) == len(rows), "one row per account, day and agent"
    expected = defaultdict(int)
    for account in org.values():
        for event in account.expected:
            key = (account.source, event.timestamp.date(), event.agent)
            expected[key] += event.category == "AGENT_RUN"
    assert actual == dict(expected)
    sales = "SALES_DB.AGENTS.SALES_ASSISTANT"
    assert {source for source, _, agent in actual if agent == sales} == {"ACME.ANALYTICS_EU", "ACME.CENTRAL"}


def test_account_daily_gives_each_account_and_the_organisation_its_figures(org):
    central = org["central"]
    rows = central.emulator.view("ORG_ACCOUNT_DAILY")
    actual = {(r["SOURCE_ACCOUNT"], as_date(r["DAY"])): {key: r[key] for key in (
        "ACTIVE_AGENTS", "TOTAL_EVENTS", "TOTAL_TURNS", "FAILED_TURNS", "TOTAL_TOKENS", "UNIQUE_USERS", "UNIQUE_THREADS")}
        for r in rows}
    expected = expected_account_days(org)
    assert actual == expected
    assert {source for source, _ in actual} == {"ACME.ANALYTICS_EU", "ACME.APPS_EU", "ACME.CENTRAL"}
    # The organisation's totals are the sums over accounts.
    totals = central.emulator.query("SELECT SUM(TOTAL_TURNS) AS TURNS, SUM(TOTAL_EVENTS) AS EVENTS FROM ORG_ACCOUNT_DAILY")[0]
    assert totals["TURNS"] == sum(e.category == "AGENT_RUN" for a in org.values() for e in a.expected)
    assert totals["EVENTS"] == sum(len(a.expected) for a in org.values())


def test_every_unified_rollup_is_the_union_of_the_accounts_rollups(org):
    central = org["central"]
    for table in ("AGENT_DAILY_ROLLUP", "USER_DAILY_ROLLUP", "MODEL_DAILY_ROLLUP", "TOOL_DAILY_ROLLUP", "AGENT_DAILY_LATENCY"):
        unified = {r["SOURCE_ACCOUNT"]: r["N"] for r in central.emulator.query(
            f"SELECT SOURCE_ACCOUNT, COUNT(*) AS N FROM ORG_{table} GROUP BY SOURCE_ACCOUNT")}
        own = {account.source: account.emulator.query(f"SELECT COUNT(*) AS N FROM {table}")[0]["N"] for account in org.values()}
        assert unified == own, table


ROLLUP_VIEWS = ("AGENT_ROLLUP_DAILY", "AGENT_ROLLUP_WEEKLY", "AGENT_ROLLUP_MONTHLY", "AGENT_ROLLUP_YEARLY",
                "AGENT_USAGE_BY_USER", "AGENT_USAGE_BY_AGENT")


def rows_as_set(rows, drop=()):
    return sorted(repr(sorted((key, value) for key, value in row.items() if key not in drop)) for row in rows)


@pytest.mark.parametrize("view", ROLLUP_VIEWS)
def test_unified_rollup_views_are_every_accounts_own_view_with_its_account(org, view):
    """Every column of each account's own view, and nothing else but SOURCE_ACCOUNT."""
    central = org["central"]
    unified = central.emulator.query(f"SELECT * FROM ORG_{view}")
    for account in org.values():
        own = account.emulator.query(f"SELECT * FROM {account.emulator.database}.{account.emulator.schema}.{view}")
        mine = [row for row in unified if row["SOURCE_ACCOUNT"] == account.source]
        assert own, f"{account.source} has no {view} rows"
        assert rows_as_set(mine, drop=("SOURCE_ACCOUNT",)) == rows_as_set(own), (view, account.source)
    assert len(unified) == sum(len(account.emulator.query(f"SELECT * FROM {account.emulator.database}."
                                                          f"{account.emulator.schema}.{view}")) for account in org.values())
