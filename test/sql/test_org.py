"""Organisation-wide monitoring on the emulator: two member accounts and the central one, each
running its own Wallmonitor (the member-eu, member-apps and central stacks' SQL) on its own
agent traffic. The members expose their secure share views, the central account mounts each
share as a database (emulator.mount_share) and its unified ORG_* views must return every
account's figures, per account and in total, as computed independently from the generated
events (oracle.ingest), never from the rollup tables.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import fakesnow
import pytest

import oracle
from conftest import _coverage
from emulator import Emulator, mount_share, render_catalog, utc_now
from emulator import hll_export_of
from test_ingestion import run_task
from traffic import EVENT_TABLE_DDL, AgentRef, generate

SHARED_SCHEMA = "WALLMONITOR_SHARED"  # lib/orgConfig.ts ORG_SHARE_SCHEMA
# The organisation's identity key (wallmonitor:orgIdentityKey), the same in every member.
IDENTITY_KEY = "test-organisation-key-0123456789abcdefABCDEF"


def pseudonym(user) -> str:
    """sql/org/source_rows_user_name.sql's keyed hash, computed independently."""
    return hashlib.sha256(f"{IDENTITY_KEY}|{user}".encode()).hexdigest()


def day_pseudonym(day, user) -> str:
    """sql/org/source_rows_agent_users.sql's hash for orgUserIdentity none: salted with the day."""
    return hashlib.sha256(f"{IDENTITY_KEY}|{as_date(day).isoformat()}|{user}".encode()).hexdigest()

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
        self.stack, self.database = stack, database
        self.catalog = self.render(stack)
        self.emulator = Emulator(self.catalog, _coverage)
        self.event_table = f"{stack.replace('-', '_')}_events"
        now = utc_now()
        self.delivered = generate(seed=seed, agents=self.agents, start=now - timedelta(days=3), end=now,
                                  turns_per_agent_per_hour=0.5, feedback_rate=0.3)
        # Every ingested event (the shared history holds them all, evaluation runs marked) and the
        # production ones the rollups count.
        self.history = oracle.ingest(self.delivered, [(a.database, a.schema, a.name) for a in self.agents])
        self.expected = oracle.production(self.history)

    def render(self, stack: str, **overrides) -> dict:
        key = {"orgIdentityKey": IDENTITY_KEY} if stack.startswith("member") else {}
        # The per-agent path reads the agents the owner holds MONITOR on: those in agentLocations.
        locations = json.dumps(sorted({f"{agent.database}.{agent.schema}" for agent in self.agents}))
        return render_catalog(stack, database=self.database, ingestPath="per_agent", agentLocations=locations,
                              initialLookbackHours="96", **key, **overrides)

    def run_cycle(self) -> None:
        """Its own event table (accounts do not see each other's events), one ingestion cycle, one rollup."""
        cur = self.emulator.conn.cursor()
        cur.execute(EVENT_TABLE_DDL.format(table=f"SNOWFLAKE.LOCAL.{self.event_table.upper()}"))
        self.emulator.deliver(self.delivered, table=f"SNOWFLAKE.LOCAL.{self.event_table.upper()}")
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
        if kind == "memberShare":  # the key view the shared views read, in Wallmonitor's own schema
            key = self.catalog["org"]["identityKeyView"]
            self.emulator.execute(f"CREATE OR REPLACE SECURE VIEW {database}.{self.emulator.schema}.{key['name']} AS\n"
                                  f"{key['text']}", files=key["files"])
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
                "UNIQUE_USERS": oracle.distinct_estimate(e.user for e in rows),
                "UNIQUE_THREADS": oracle.distinct_estimate(e.thread_id for e in rows),
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


def own_schema(account) -> str:
    """The account's Wallmonitor schema, qualified: creating the shared schema made that one current."""
    return f"{account.emulator.database}.{account.emulator.schema}"


@contextmanager
def an_error_message(account):
    """One history row with error text (the generated traffic may have none), put back afterwards."""
    own = own_schema(account)
    key = account.emulator.query(f"SELECT MIN(EVENT_KEY) AS K FROM {own}.AGENT_EVENTS_HISTORY WHERE ERROR_MESSAGE IS NULL")[0]["K"]
    account.emulator.execute(f"UPDATE {own}.AGENT_EVENTS_HISTORY SET ERROR_MESSAGE = 'canary error of user ALICE' WHERE EVENT_KEY = ?", [key])
    try:
        yield key
    finally:
        account.emulator.execute(f"UPDATE {own}.AGENT_EVENTS_HISTORY SET ERROR_MESSAGE = NULL WHERE EVENT_KEY = ?", [key])


def test_shared_history_leaves_conversation_text_at_home(org):
    apps = org["member-apps"]
    assert "AGENT_EVENTS_HISTORY" in apps.catalog["org"]["memberShare"]
    assert "AGENT_EVENTS_HISTORY" not in org["member-eu"].catalog["org"]["memberShare"]
    cur = apps.emulator.execute(f"SELECT * FROM {apps.emulator.database}.{SHARED_SCHEMA}.AGENT_EVENTS_HISTORY")
    columns = [column[0] for column in cur.description]
    rows = [dict(zip(columns, row)) for row in cur.fetchall()]
    assert "SOURCE_ACCOUNT" in columns and not set(columns) & PRIVATE_COLUMNS
    assert len(rows) == len(apps.history) > len(apps.expected)
    # Pseudonymous by default: keyed hashes of the user, and no error text.
    with an_error_message(apps):
        own = apps.emulator.query(f"SELECT EVENT_KEY, USER_ID, USER_NAME, ERROR_MESSAGE FROM {own_schema(apps)}.AGENT_EVENTS_HISTORY")
        cur = apps.emulator.execute(f"SELECT * FROM {apps.emulator.database}.{SHARED_SCHEMA}.AGENT_EVENTS_HISTORY")
        columns = [column[0] for column in cur.description]
        shared = {record["EVENT_KEY"]: record for record in (dict(zip(columns, row)) for row in cur.fetchall())}
    assert any(row["USER_NAME"] for row in own) and any(row["ERROR_MESSAGE"] for row in own)
    for row in own:
        assert shared[row["EVENT_KEY"]]["USER_NAME"] == (None if row["USER_NAME"] is None else pseudonym(row["USER_NAME"]))
        assert shared[row["EVENT_KEY"]]["USER_ID"] == (None if row["USER_ID"] is None else pseudonym(row["USER_ID"]))
        assert shared[row["EVENT_KEY"]]["ERROR_MESSAGE"] is None


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
        if account.member_name is not None and "USER_NAME" in own[0]:  # a member shares pseudonyms
            own = [{**row, "USER_NAME": pseudonym(row["USER_NAME"])} for row in own]
        assert rows_as_set(mine, drop=("SOURCE_ACCOUNT",)) == rows_as_set(own), (view, account.source)
    assert len(unified) == sum(len(account.emulator.query(f"SELECT * FROM {account.emulator.database}."
                                                          f"{account.emulator.schema}.{view}")) for account in org.values())


# --- user identity in the shares (wallmonitor:orgUserIdentity) ---------------------------------------


def sketch(value) -> dict | None:
    """A stored or shared HyperLogLog state (HLL_EXPORT's OBJECT) as a dict."""
    return json.loads(value) if isinstance(value, str) else value


def sketch_of(values) -> dict:
    """The state HLL_EXPORT(HLL_ACCUMULATE(..)) gives for ``values`` on the emulator."""
    return json.loads(hll_export_of(values))


def users_by_agent_day(rows) -> dict:
    """(day, agent name) -> the set of USER_NAMEs of USER_DAILY_ROLLUP ``rows``."""
    users = defaultdict(set)
    for row in rows:
        users[(as_date(row["DAY"]), row["AGENT_NAME"])].add(row["USER_NAME"])
    return users


def test_central_sees_one_pseudonym_per_user_on_every_day_and_in_every_member_and_no_name(org):
    central = org["central"]
    rows = central.emulator.query("SELECT SOURCE_ACCOUNT, DAY, AGENT_NAME, USER_NAME, TURNS FROM ORG_USER_DAILY_ROLLUP")
    names = {e.user for account in org.values() for e in account.expected if e.user}
    hashes_by_member = defaultdict(set)
    pseudonym_days = defaultdict(set)
    for member in ("member-eu", "member-apps"):
        account = org[member]
        own = account.emulator.query(f"SELECT DAY, AGENT_NAME, USER_NAME, TURNS FROM {own_schema(account)}.USER_DAILY_ROLLUP")
        mine = [row for row in rows if row["SOURCE_ACCOUNT"] == account.source]
        assert sorted((as_date(r["DAY"]), r["AGENT_NAME"], pseudonym(r["USER_NAME"]), r["TURNS"]) for r in own) == \
            sorted((as_date(r["DAY"]), r["AGENT_NAME"], r["USER_NAME"], r["TURNS"]) for r in mine)
        assert not {row["USER_NAME"] for row in mine} & names, "no user name leaves a member"
        # Totals unchanged.
        assert sum(r["TURNS"] for r in mine) == sum(r["TURNS"] for r in own) > 0
        hashes_by_member[member] = {row["USER_NAME"] for row in mine}
        for row in mine:
            pseudonym_days[(member, row["USER_NAME"])].add(as_date(row["DAY"]))
    # Stable across days (the rows above map one to one): some user is active on several days,
    # always under one pseudonym.
    assert any(len(days) > 1 for days in pseudonym_days.values())
    # Stable across members: the same user in both members gives the same pseudonym.
    both = {e.user for e in org["member-eu"].expected} & {e.user for e in org["member-apps"].expected} - {None}
    assert both and {pseudonym(user) for user in both} <= hashes_by_member["member-eu"] & hashes_by_member["member-apps"]
    # The daily distinct-user states are states of the same pseudonyms, not of the names (a state
    # of names would let the central account test candidate names), and the exact sets are not
    # kept for days rolled up with states.
    agent_rows = central.emulator.query("SELECT SOURCE_ACCOUNT, DAY, AGENT_NAME, USERS, USERS_HLL FROM ORG_AGENT_DAILY_ROLLUP")
    for member in ("member-eu", "member-apps"):
        account = org[member]
        own_users = users_by_agent_day(account.emulator.query(
            f"SELECT DAY, AGENT_NAME, USER_NAME FROM {own_schema(account)}.USER_DAILY_ROLLUP"))
        mine = [row for row in agent_rows if row["SOURCE_ACCOUNT"] == account.source]
        assert mine and all(row["USERS"] is None for row in mine)
        for row in mine:
            users = own_users[(as_date(row["DAY"]), row["AGENT_NAME"])]
            assert sketch(row["USERS_HLL"]) == sketch_of({pseudonym(user) for user in users}) != sketch_of(users)


def test_the_identity_key_stays_with_the_member(org):
    member = org["member-eu"]
    assert member.catalog["org"]["identityKeyView"]["name"] not in member.catalog["org"]["memberShare"]
    assert all(IDENTITY_KEY not in view["text"] for view in member.catalog["org"]["memberShare"].values())
    central = org["central"]
    mounted = central.emulator.query(f"SELECT TABLE_NAME FROM {central.catalog['config']['orgDatabasePrefix']}_EU."
                                     "INFORMATION_SCHEMA.TABLES")
    assert "ORG_IDENTITY_KEY" not in {row["TABLE_NAME"] for row in mounted}


@pytest.mark.parametrize("identity", ["none", "named"])
def test_the_other_identity_settings_share_what_they_say(org, identity):
    """The member's share views rendered for another setting, run on the same member's data."""
    apps = org["member-apps"]
    views = apps.render("member-apps", orgUserIdentity=identity)["org"]["memberShare"]
    run = lambda name: apps.emulator.query(views[name]["text"])  # noqa: E731
    for name in ("USER_DAILY_ROLLUP", "AGENT_DAILY_ROLLUP", "AGENT_EVENTS_HISTORY", "AGENT_USAGE_BY_USER"):
        apps.emulator.coverage.add(views[name]["files"])
    own = own_schema(apps)
    own_users = apps.emulator.query(f"SELECT DAY, USER_NAME, TURNS FROM {own}.USER_DAILY_ROLLUP")
    shared_users = run("USER_DAILY_ROLLUP")
    assert sum(r["TURNS"] for r in shared_users) == sum(r["TURNS"] for r in own_users) > 0
    with an_error_message(apps):
        own_history = apps.emulator.query(f"SELECT EVENT_KEY, USER_ID, USER_NAME, ERROR_MESSAGE FROM {own}.AGENT_EVENTS_HISTORY")
        shared_history = {row["EVENT_KEY"]: row for row in run("AGENT_EVENTS_HISTORY")}
    assert any(row["ERROR_MESSAGE"] for row in own_history)
    own_agents = apps.emulator.query(f"SELECT DAY, AGENT_NAME, USERS_HLL FROM {own}.AGENT_DAILY_ROLLUP")
    shared_agents = {(as_date(r["DAY"]), r["AGENT_NAME"]): sketch(r["USERS_HLL"]) for r in run("AGENT_DAILY_ROLLUP")}
    users_of_day = users_by_agent_day(apps.emulator.query(f"SELECT DAY, AGENT_NAME, USER_NAME FROM {own}.USER_DAILY_ROLLUP"))
    if identity == "named":
        assert sorted(r["USER_NAME"] for r in shared_users) == sorted(r["USER_NAME"] for r in own_users)
        for row in own_history:
            assert {k: shared_history[row["EVENT_KEY"]][k] for k in ("USER_ID", "USER_NAME", "ERROR_MESSAGE")} == \
                {k: row[k] for k in ("USER_ID", "USER_NAME", "ERROR_MESSAGE")}
        # The shared state is the member's own: the same names, hashed the same way.
        for row in own_agents:
            assert shared_agents[(as_date(row["DAY"]), row["AGENT_NAME"])] == sketch(row["USERS_HLL"])
    else:
        assert {r["USER_NAME"] for r in shared_users} == {None}
        assert {r["USER_NAME"] for r in run("AGENT_USAGE_BY_USER")} == {None}
        assert all(row[k] is None for row in shared_history.values() for k in ("USER_ID", "USER_NAME", "ERROR_MESSAGE"))
        # A day's distinct users still count, from a state of hashes salted with the day: no name,
        # and a user active on two days enters the two days' states as two unrelated values.
        for row in own_agents:
            key = (as_date(row["DAY"]), row["AGENT_NAME"])
            users = users_of_day[key]
            assert shared_agents[key] == sketch_of({day_pseudonym(row["DAY"], user) for user in users}) != sketch_of(users)
        assert len({day for day, _agent in shared_agents}) > 1
