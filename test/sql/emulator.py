"""Runs Wallmonitor's SQL on the fakesnow emulator.

Everything executed here is the text Pulumi deploys: scripts/render-sql.ts renders sql/ for a
stack and this module executes it. The emulator cannot run a few Snowflake built-ins; each gap
is bridged here, in one place, and nowhere else:

* TABLE(SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS(db, schema, agent, type)) - a Snowflake
  table function. The emulator gets a DuckDB table macro of the same name over the emulated
  event table SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS, filtering on the agent identity
  attributes the way the real function does; the TABLE(...) wrapper, which the emulator's
  parser rejects for anything but FLATTEN, is removed before execution.
* SHOW AGENTS IN ACCOUNT - answered from the emulated list of agents (EMULATED_AGENTS).
* SHOW VERSIONS IN AGENT / DESCRIBE AGENT (through IDENTIFIER(?)) - answered from the emulated
  versions and specs (`set_agent_versions()`): columns name, aliases (a JSON array), is_default
  and created_on, and DESCRIBE's agent_spec. An agent given none has what CREATE AGENT makes: a
  default VERSION$1 and LIVE (listed without a name); a failing agent, or one SHOW AGENTS does not
  list, is refused as Snowflake refuses a role without a privilege on it.
* Dynamic tables - created as plain tables from their query; `refresh_dynamic_tables()`
  recomputes them, standing in for Snowflake's scheduled refresh.
* Stored procedures and tasks - the procedures' Python handlers (procedures/ingestion.py) are
  called directly with a session adapter and the statements the procedure body embeds
  (`embedded_statements()`: texts, bind names and statement-name groups, as lib/sql generates
  them); `call()` runs a task body (a CALL of constants) through the handler it names.
* TO_VARCHAR(timestamp, 'YYYY-MM-DD HH24:MI:SS.FF9') in the event key - the emulator ignores
  the format, so keys are unique here but their text differs from Snowflake's; nothing reads
  the text of a key.
* Secure data sharing (one emulator instance plays several accounts, each with its own database)
  - `mount_share()` stands in for `CREATE DATABASE ... FROM SHARE`: the consumer's database gets
  one view per shared object, reading the provider's object of the same name.
* HyperLogLog (HLL_ACCUMULATE, HLL_COMBINE, HLL_ESTIMATE, HLL_EXPORT, HLL_IMPORT) - the emulator
  has none; `install_hll()` registers them, with Snowflake's names and arity, as a real
  HyperLogLog at Snowflake's documented precision 12 (4096 registers): each value hashed to 64
  bits (BLAKE2b of its text), the upper 12 bits pick the register, which keeps the largest
  leading-zero count + 1 of the other 52 bits (1 to 53); the estimate is the harmonic mean with
  the small-range (linear counting) and large-range corrections of Flajolet et al., rounded to an
  integer; COMBINE is the register-wise maximum. The two aggregates are macros over DuckDB's
  list() handing the group to a Python function; EXPORT/IMPORT read and write the documented
  OBJECT form (sparse while fewer than 1365 registers are set, dense after, as the BINARY state
  here is). The hash differs from Snowflake's, so the registers of a state differ too: tests
  compare estimates with exact counts, never state bytes with Snowflake's.
  https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality
* Arithmetic on counts - percentages come back as floats here and as fixed-scale decimals
  in Snowflake; the tests compare them approximately.
* Events arriving (`write_arriving_events`) - Snowflake writes its event table itself; the
  emulator writes the generated rows straight into DuckDB, the same rows `traffic.load` stores
  through SQL, without translating their text as SQL.
* Time passing between cycles (`last_refresh_started`) - SYSDATE() is the machine's clock, so
  events delivered after a refresh are stamped before it started; a refresh reads from its
  predecessor's start less the overlap (sql/ingestion/read_from.sql), so a test that delivers
  later traffic ages that start to when the refresh would have run.
* Notifications (`NotificationService`, an emulator stand-in in the bridge section below) -
  SNOWFLAKE.NOTIFICATION.SANITIZE_WEBHOOK_CONTENT is a DuckDB macro replacing the documented
  placeholders with REDACTED; SYSTEM$SEND_SNOWFLAKE_NOTIFICATION queues a request (refused for
  an integration the test marks so) and builds the webhook body Snowflake would POST;
  INFORMATION_SCHEMA.NOTIFICATION_HISTORY is answered from those requests, one row per attempt,
  as documented, once the test lets the queue be processed (`deliver()`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import numpy
import snowflake.connector

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "procedures"))
from sql_binds import Statements, run  # noqa: E402  (procedures/, on the path just above)

EVENT_TABLE = "SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS"
# ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY as documented (docs snowflake-domain.md section 2).
USAGE_HISTORY_DDL = """CREATE TABLE IF NOT EXISTS SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY (
    START_TIME TIMESTAMP_LTZ, END_TIME TIMESTAMP_LTZ, USER_NAME VARCHAR, USER_TAGS VARIANT,
    REQUEST_ID VARCHAR, PARENT_REQUEST_ID VARCHAR, AGENT_DATABASE_NAME VARCHAR, AGENT_SCHEMA_NAME VARCHAR,
    AGENT_NAME VARCHAR, AGENT_TAGS VARIANT, TOKENS NUMBER, TOKEN_CREDITS NUMBER(38, 9),
    TOKENS_GRANULAR VARIANT, CREDITS_GRANULAR VARIANT, METADATA VARIANT)"""
# The CoWork usage view as documented under its former name SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY
# (https://docs.snowflake.com/en/sql-reference/account-usage/snowflake_intelligence_usage_history_view),
# created under both names, which accounts that had the old one keep side by side. The CoWork
# instance's own ID, NAME and TAGS columns are left out (their names under CoWork are not
# documented), and so is AGENT_TAGS (not among the documented columns), so no cost view can
# depend on them.
COWORK_USAGE_VIEWS = ("SNOWFLAKE_COWORK_USAGE_HISTORY", "SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY")
COWORK_USAGE_HISTORY_DDL = """CREATE TABLE IF NOT EXISTS SNOWFLAKE.ACCOUNT_USAGE.{view} (
    START_TIME TIMESTAMP_LTZ, END_TIME TIMESTAMP_LTZ, USER_ID NUMBER, USER_NAME VARCHAR, USER_TAGS VARIANT,
    REQUEST_ID VARCHAR, PARENT_REQUEST_ID VARCHAR, AGENT_DATABASE_ID NUMBER, AGENT_DATABASE_NAME VARCHAR,
    AGENT_SCHEMA_ID NUMBER, AGENT_SCHEMA_NAME VARCHAR, AGENT_ID NUMBER, AGENT_NAME VARCHAR, TOKENS NUMBER,
    TOKEN_CREDITS NUMBER(38, 9), TOKENS_GRANULAR VARIANT, CREDITS_GRANULAR VARIANT, METADATA VARIANT)"""
# The ACCOUNT_USAGE views WALLMONITOR_OWN_COST reads (sql/cost/own_cost.sql), with their
# documented columns only:
# SERVERLESS_TASK_HISTORY https://docs.snowflake.com/en/sql-reference/account-usage/serverless_task_history
#   (CREDITS_USED is documented as text);
# WAREHOUSE_METERING_HISTORY https://docs.snowflake.com/en/sql-reference/account-usage/warehouse_metering_history;
# DYNAMIC_TABLE_REFRESH_HISTORY https://docs.snowflake.com/en/sql-reference/account-usage/dynamic_table_refresh_history
#   (the columns up to REFRESH_ACTION; it has no credits column).
OWN_COST_USAGE_DDLS = (
    """CREATE TABLE IF NOT EXISTS SNOWFLAKE.ACCOUNT_USAGE.SERVERLESS_TASK_HISTORY (
    START_TIME TIMESTAMP_LTZ, END_TIME TIMESTAMP_LTZ, CREDITS_USED VARCHAR, TASK_ID NUMBER, TASK_NAME VARCHAR,
    SCHEMA_ID NUMBER, SCHEMA_NAME VARCHAR, DATABASE_ID NUMBER, DATABASE_NAME VARCHAR, INSTANCE_ID NUMBER)""",
    """CREATE TABLE IF NOT EXISTS SNOWFLAKE.ACCOUNT_USAGE.WAREHOUSE_METERING_HISTORY (
    START_TIME TIMESTAMP_LTZ, END_TIME TIMESTAMP_LTZ, WAREHOUSE_ID NUMBER, WAREHOUSE_NAME VARCHAR,
    CREDITS_USED NUMBER(38, 9), CREDITS_USED_COMPUTE NUMBER(38, 9), CREDITS_USED_CLOUD_SERVICES NUMBER(38, 9),
    CREDITS_ATTRIBUTED_COMPUTE_QUERIES NUMBER(38, 9))""",
    """CREATE TABLE IF NOT EXISTS SNOWFLAKE.ACCOUNT_USAGE.DYNAMIC_TABLE_REFRESH_HISTORY (
    NAME VARCHAR, SCHEMA_NAME VARCHAR, DATABASE_NAME VARCHAR, ID NUMBER, SCHEMA_ID NUMBER, DATABASE_ID NUMBER,
    STATE VARCHAR, STATE_CODE VARCHAR, STATE_MESSAGE VARCHAR, QUERY_ID VARCHAR, DATA_TIMESTAMP TIMESTAMP_LTZ,
    REFRESH_START_TIME TIMESTAMP_LTZ, REFRESH_END_TIME TIMESTAMP_LTZ, COMPLETION_TARGET TIMESTAMP_LTZ,
    QUALIFIED_NAME VARCHAR, LAST_COMPLETED_DEPENDENCY OBJECT, STATISTICS OBJECT, REFRESH_ACTION VARCHAR)""",
)

# What CREATE AGENT leaves (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-versioning).
CREATED_AGENT_VERSIONS = ({"name": "VERSION$1", "aliases": [], "is_default": True}, {"name": None, "aliases": []})
_SHOW_VERSIONS = re.compile(r"^\s*SHOW VERSIONS IN AGENT IDENTIFIER\(\?\)\s*$", re.M)
_DESCRIBE_AGENT = re.compile(r"^\s*DESCRIBE AGENT IDENTIFIER\(\?\)\s*$", re.M)
_TABLE_FUNCTION = re.compile(r"TABLE\((SNOWFLAKE\.LOCAL\.GET_AI_OBSERVABILITY_EVENTS\([^()]*\))\)")


def render_catalog(stack: str = "dev", **overrides) -> dict:
    """The stack's rendered SQL, produced by the same TypeScript code Pulumi runs; keyword
    arguments override the stack's wallmonitor: config."""
    suffix = "".join(f"-{key}-{value}" for key, value in sorted(overrides.items()))
    if not re.fullmatch(r"[-A-Za-z0-9_.]{0,120}", suffix):  # JSON values: a short, file-safe name instead
        suffix = "-" + hashlib.sha256(suffix.encode()).hexdigest()[:16]
    out = ROOT / "build" / f"sql-{stack}{suffix}.json"
    out.parent.mkdir(exist_ok=True)
    # Rendered to a file of this process, then moved into place: parallel test workers never read
    # a file another one is still writing.
    written = out.with_name(f"{out.stem}.{os.getpid()}.json")
    pairs = [f"{key}={value}" for key, value in sorted(overrides.items())]
    subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "scripts/render-sql.ts", stack,
         str(written), *pairs],
        cwd=ROOT, check=True, env={**os.environ, "TS_NODE_PROJECT": str(ROOT / "tsconfig.json")})
    catalog = json.loads(written.read_text())
    os.replace(written, out)
    return catalog


def embedded_statements(embedding: dict) -> Statements:
    """A handler's statements from what its procedure body embeds (lib/sql/embedding.ts)."""
    return Statements(embedding["statements"], embedding["binds"], embedding["names"])


def _constant(text: str):
    if text.upper() == "NULL":
        return None
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    return float(text) if "." in text else int(text)


class Coverage:
    """Which sql/ files the tests executed, to report any that no test runs."""

    def __init__(self) -> None:
        self.executed: set[str] = set()

    def add(self, files) -> None:
        self.executed.update(files)


@dataclass
class Row:
    """The part of Snowpark's Row the handlers use."""
    values: tuple
    names: tuple

    def __getitem__(self, index):
        return self.values[index]

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)

    def as_dict(self) -> dict:
        return dict(zip(self.names, self.values))


class _Result:
    def __init__(self, rows):
        self._rows = rows

    def collect(self):
        return self._rows


class SessionAdapter:
    """`session.sql(text, params).collect()` over the emulator, as Snowpark offers in Snowflake."""

    def __init__(self, emulator: "Emulator"):
        self.emulator = emulator

    def sql(self, text: str, params=None) -> _Result:
        return _Result(self.emulator.query_rows(text, params))


class Emulator:
    def __init__(self, catalog: dict, coverage: Coverage):
        self.catalog = catalog
        self.coverage = coverage
        self.config = catalog["config"]
        self.database, self.schema = self.config["database"], self.config["schema"]
        # Snowpark binds with qmark (?); the traffic loader uses the connector's default pyformat.
        self.conn = snowflake.connector.connect(database=self.database, schema=self.schema, paramstyle="qmark")
        self.loader = snowflake.connector.connect(database=self.database, schema=self.schema)
        self.agents: list[tuple[str, str, str]] = []
        self.failing_agents: set[str] = set()
        self.agent_versions: dict[tuple[str, str, str], list[dict]] = {}
        self.agent_specs: dict[tuple[str, str, str], str] = {}
        self.session = SessionAdapter(self)
        self._bootstrap()

    # -- set-up ---------------------------------------------------------------------------
    def _bootstrap(self) -> None:
        from traffic import EVENT_TABLE_DDL

        cur = self.conn.cursor()
        for statement in (f"CREATE DATABASE IF NOT EXISTS {self.database}",
                          f"CREATE SCHEMA IF NOT EXISTS {self.database}.{self.schema}",
                          "CREATE DATABASE IF NOT EXISTS SNOWFLAKE",
                          "CREATE SCHEMA IF NOT EXISTS SNOWFLAKE.LOCAL",
                          EVENT_TABLE_DDL.format(table=EVENT_TABLE),
                          "CREATE SCHEMA IF NOT EXISTS SNOWFLAKE.ACCOUNT_USAGE",
                          USAGE_HISTORY_DDL,
                          *(COWORK_USAGE_HISTORY_DDL.format(view=view) for view in COWORK_USAGE_VIEWS),
                          *OWN_COST_USAGE_DDLS,
                          f"USE SCHEMA {self.database}.{self.schema}"):
            cur.execute(statement)
        install_hll(self.conn)
        for ddl in self.catalog["tables"].values():
            cur.execute(ddl)
        self.point_event_function_at("ai_observability_events")
        for view in self._views_in_dependency_order():
            self.create_view(view)
        # The cost views (lib/costCatalog.ts) are rendered in creation order.
        for name, view in self.catalog.get("costViews", {}).items():
            self.execute(f"CREATE OR REPLACE VIEW {self.database}.{self.schema}.{name} AS\n{view['text']}", files=view["files"])
        self.refresh_dynamic_tables()

    def point_event_function_at(self, table: str) -> None:
        """Emulated GET_AI_OBSERVABILITY_EVENTS: one agent's rows of ``table`` (in SNOWFLAKE.LOCAL),
        filtered on the identity attributes as the real function filters them."""
        if not re.fullmatch(r"[a-z_]+", table):
            raise ValueError(f"not an emulated event table name: {table!r}")
        self.conn._duck_conn.execute(f"""
            CREATE OR REPLACE MACRO snowflake.local.get_ai_observability_events(db, sch, agent, kind) AS TABLE
            SELECT e.* FROM snowflake.local.{table} AS e
            WHERE json_extract_string(e.record_attributes, '$."snow.ai.observability.database.name"') = db
              AND json_extract_string(e.record_attributes, '$."snow.ai.observability.schema.name"') = sch
              AND json_extract_string(e.record_attributes, '$."snow.ai.observability.object.name"') = agent
              AND upper(json_extract_string(e.record_attributes, '$."snow.ai.observability.object.type"')) = upper(kind)
        """)

    def _views_in_dependency_order(self):
        order = ["AGENT_EVENTS_RECENT", "AGENT_EVENTS"]
        return order + [name for name in self.catalog["views"] if name not in order]

    def create_view(self, name: str) -> None:
        view = self.catalog["views"][name]
        for table in [f"DT_{name}", *view.get("refs", ())]:
            if table in self.catalog["dynamicTables"]:
                self.refresh_dynamic_table(table)
        self.execute(f"CREATE OR REPLACE VIEW {self.database}.{self.schema}.{name} AS\n{view['text']}", files=view["files"])

    def refresh_dynamic_table(self, name: str) -> None:
        table = self.catalog["dynamicTables"][name]
        self.execute(f"CREATE OR REPLACE TABLE {self.database}.{self.schema}.{name} AS\n{table['text']}", files=table["files"])

    def refresh_dynamic_tables(self) -> None:
        for name in self.catalog["dynamicTables"]:
            self.refresh_dynamic_table(name)

    # -- what the tests drive -------------------------------------------------------------
    def set_agents(self, agents, failing=()) -> None:
        """The agents SHOW AGENTS reports, and which of them the event function refuses."""
        self.agents = [tuple(agent) for agent in agents]
        self.failing_agents = set(failing)

    def set_agent_versions(self, agent, versions, spec=None) -> None:
        """What SHOW VERSIONS IN AGENT reports for ``agent`` (database, schema, name): dicts with
        name, aliases (a list), is_default and created_on; ``spec`` is DESCRIBE AGENT's agent_spec."""
        self.agent_versions[tuple(agent)] = [dict(version) for version in versions]
        if spec is not None:
            self.agent_specs[tuple(agent)] = spec

    def _agent_named(self, params) -> tuple[str, str, str]:
        parts = re.findall(r'"((?:[^"]|"")*)"', (params or [""])[0])
        agent = tuple(part.replace('""', '"') for part in parts)
        if len(agent) != 3 or agent[2] in self.failing_agents or (
                agent not in self.agent_versions and agent not in [tuple(a) for a in self.agents]):
            raise snowflake.connector.errors.ProgrammingError(
                msg="Agent does not exist or not authorized.", errno=2003, sqlstate="02000")
        return agent

    def deliver(self, events, table: str = EVENT_TABLE) -> int:
        """Events arriving in Snowflake's event table (see `write_arriving_events`)."""
        return write_arriving_events(self.loader, table, events)

    def last_refresh_started(self, at: datetime) -> None:
        """Every agent's last successful refresh started at `at`, before the traffic a test
        delivers next arrived: the next refresh reads from `at` less the overlap."""
        self.execute(f"UPDATE {self.database}.{self.schema}.AGENT_INGEST_STATE SET LAST_READ_STARTED_AT = ? "
                     "WHERE LAST_REFRESH_STATUS = 'OK'", [at])

    def statement(self, name: str) -> str:
        entry = self.catalog["procedureStatements"][name]
        self.coverage.add(entry["files"])
        return entry["text"]

    def handler_statements(self) -> Statements:
        """What the ingestion handlers get in Snowflake: the embedded statements, binds and names."""
        for name in self.catalog["procedureStatements"]:
            self.statement(name)
        return embedded_statements(self.catalog["ingestionEmbedding"])

    def run(self, name: str, values=None) -> list[dict]:
        """One ingestion statement with its values by bind name, as the handlers run it."""
        return [row.as_dict() for row in run(self.session, self.handler_statements(), name, values)]

    def execute(self, text: str, params=None, files=()):
        self.coverage.add(files)
        if _TABLE_FUNCTION.search(text) and self.failing_agents & set(params or ()):
            # What Snowflake answers when the owner lacks USAGE/MONITOR on the agent, or it is gone.
            raise snowflake.connector.errors.ProgrammingError(
                msg="Agent does not exist or not authorized.", errno=2003, sqlstate="02000")
        cur = self.conn.cursor()
        cur.execute(_TABLE_FUNCTION.sub(r"\1", text), list(params) if params is not None else None)
        return cur

    def query_rows(self, text: str, params=None) -> list[Row]:
        if text.strip().upper().endswith("SHOW AGENTS IN ACCOUNT"):
            names = ("created_on", "name", "database_name", "schema_name")
            return [Row((None, name, database, schema), names) for database, schema, name in self.agents]
        if _SHOW_VERSIONS.search(text):
            names = ("created_on", "name", "aliases", "comment", "is_default")
            return [Row((v.get("created_on"), v["name"], json.dumps(v.get("aliases", [])), None,
                         "true" if v.get("is_default") else "false"), names)
                    for v in self.agent_versions.get(self._agent_named(params), CREATED_AGENT_VERSIONS)]
        if _DESCRIBE_AGENT.search(text):
            database, schema, name = agent = self._agent_named(params)
            names = ("name", "database_name", "schema_name", "owner", "comment", "profile", "agent_spec", "created_on")
            return [Row((name, database, schema, None, None, None, self.agent_specs.get(agent), None), names)]
        cur = self.execute(text, params)
        if cur.description is None:
            return []
        names = tuple(column[0] for column in cur.description)
        return [Row(tuple(row), names) for row in cur.fetchall()]

    def query(self, text: str, params=None) -> list[dict]:
        return [row.as_dict() for row in self.query_rows(text, params)]

    def view(self, name: str, order_by: str | None = None) -> list[dict]:
        suffix = f" ORDER BY {order_by}" if order_by else ""
        return self.query(f"SELECT * FROM {self.database}.{self.schema}.{name}{suffix}")

    def call(self, text: str):
        """Runs a task body (`CALL <procedure>(<constants>)`) through the procedure's handler,
        which is what Snowflake does when the task fires."""
        import ingestion

        for task in self.catalog["tasks"].values():
            if task["text"] == text:
                self.coverage.add(task["files"])
        match = re.fullmatch(r"(?:--[^\n]*\n)*\s*CALL\s+([A-Z0-9_.$]+)\((.*)\)\s*", text, re.S)
        if match is None:
            raise ValueError(f"not a CALL of constants: {text!r}")
        procedure = match.group(1).split(".")[-1]
        args = [_constant(arg.strip()) for arg in match.group(2).split(",")]
        handlers = {"REFRESH_AGENT_EVENTS": ingestion.run_refresh, "DISCOVER_AGENTS": ingestion.run_discovery_cycle,
                    "ROLLUP_AGENT_EVENTS": ingestion.run_rollup}
        return handlers[procedure](self.session, self.handler_statements(), *args)

    def close(self) -> None:
        self.loader.close()
        self.conn.close()


# -- notifications: emulator stand-ins for Snowflake's notification service -----------------------
WEBHOOK_PLACEHOLDERS = ("SNOWFLAKE_WEBHOOK_SECRET", "SNOWFLAKE_WEBHOOK_MESSAGE")
# A FAILURE row follows the retriable ones; the docs give no number of retries, two is an example.
EMULATED_RETRIES = 2


def install_sanitize_webhook_content(conn) -> None:
    """SNOWFLAKE.NOTIFICATION.SANITIZE_WEBHOOK_CONTENT(message) as documented: the message with its
    placeholders replaced by REDACTED. Only the documented placeholders, spelled as documented: the
    real function may do more, never less, so the tests cannot lean on anything it may not do.
    https://docs.snowflake.com/en/sql-reference/functions/sanitize_webhook_content"""
    # Straight to DuckDB: the emulator's CREATE SCHEMA would make it the session's current schema, as Snowflake's does.
    conn._duck_conn.execute("CREATE SCHEMA IF NOT EXISTS snowflake.notification")
    body = "message"
    for placeholder in WEBHOOK_PLACEHOLDERS:
        body = f"replace({body}, '{placeholder}', 'REDACTED')"
    conn._duck_conn.execute(f"CREATE OR REPLACE MACRO snowflake.notification.sanitize_webhook_content(message) AS {body}")


def webhook_request_body(template: str, message: str, secret: str) -> str:
    """The body a webhook integration POSTs: the message where the template says
    SNOWFLAKE_WEBHOOK_MESSAGE, then the secret wherever SNOWFLAKE_WEBHOOK_SECRET appears, in the
    template or in the message (webhook-notifications docs). Whether Snowflake JSON-escapes the
    message is not documented, so it goes in as it is: the stricter case for the message."""
    return template.replace("SNOWFLAKE_WEBHOOK_MESSAGE", message).replace("SNOWFLAKE_WEBHOOK_SECRET", secret)


class NotificationService:
    """The Snowpark session a handler gets when notifications are involved: every statement goes to
    the emulator, except SYSTEM$SEND_SNOWFLAKE_NOTIFICATION and NOTIFICATION_HISTORY, which this
    class answers as Snowflake's notification service would (see the module docstring).

    ``webhooks``: integration -> (body template, secret) for the webhook integrations;
    ``refused``: integrations whose CALL fails (disabled, or no USAGE);
    ``outcomes``: integration -> (final STATUS, ERROR_MESSAGE) once processed (default SUCCESS).
    """

    def __init__(self, emulator: "Emulator", webhooks=None, refused=(), outcomes=None):
        self.emulator = emulator
        self.webhooks = dict(webhooks or {})
        self.refused = set(refused)
        self.outcomes = dict(outcomes or {})
        self.requests: list[dict] = []
        install_sanitize_webhook_content(emulator.conn)

    @property
    def sent(self) -> list[tuple[str, str, dict]]:
        """(integration, text, options) of every queued request, in order."""
        return [(r["integration"], r["text"], r["options"]) for r in self.requests]

    @property
    def bodies(self) -> list[tuple[str, str]]:
        """(integration, request body) of every webhook request, as it would be POSTed."""
        return [(r["integration"], r["body"]) for r in self.requests if r["body"] is not None]

    def sql(self, text: str, params=None) -> _Result:
        statement = re.sub(r"--[^\n]*", "", text).strip()
        if statement.startswith("CALL SYSTEM$SEND_SNOWFLAKE_NOTIFICATION("):
            return _Result(self._send(*params))
        if "INFORMATION_SCHEMA.NOTIFICATION_HISTORY(" in statement:
            names = ("INTEGRATION_NAME", "ID", "ATTEMPT", "STATUS", "ERROR_MESSAGE", "CREATED_UTC")
            return _Result([Row(tuple(attempt[n] for n in names), names) for r in self.requests for attempt in r["attempts"]])
        return self.emulator.session.sql(text, params)

    def _send(self, message: str, configuration: str) -> list:
        content = json.loads(message)
        (integration, options), = json.loads(configuration).items()
        (content_type, text), = content.items()
        if content_type != "text/plain":
            raise ValueError(f"unexpected content type {content_type}")
        if integration in self.refused:
            raise snowflake.connector.errors.ProgrammingError(
                msg=f"Integration '{integration}' does not exist or not authorized.", errno=2003, sqlstate="02000")
        template, secret = self.webhooks.get(integration, (None, None))
        request = {"id": str(uuid.uuid4()), "integration": integration, "text": text, "options": options,
                   "created": utc_now(), "body": None if template is None else webhook_request_body(template, text, secret)}
        request["attempts"] = [self._attempt(request, 1, "QUEUED", None)]
        self.requests.append(request)
        return []

    @staticmethod
    def _attempt(request: dict, number: int, status: str, error) -> dict:
        return {"INTEGRATION_NAME": request["integration"], "ID": request["id"], "ATTEMPT": number, "STATUS": status,
                "ERROR_MESSAGE": error, "CREATED_UTC": request["created"]}

    def deliver(self) -> None:
        """Processes the queue: every QUEUED request gets its attempts (retriable failures, then the
        final FAILURE; or one SUCCESS)."""
        for request in self.requests:
            if [a["STATUS"] for a in request["attempts"]] != ["QUEUED"]:
                continue
            status, error = self.outcomes.get(request["integration"], ("SUCCESS", None))
            if status == "SUCCESS":
                request["attempts"] = [self._attempt(request, 1, "SUCCESS", None)]
            else:
                request["attempts"] = [self._attempt(request, n, "RETRIABLE_FAILURE", error) for n in range(1, EMULATED_RETRIES + 1)]
                if status == "FAILURE":
                    request["attempts"].append(self._attempt(request, EMULATED_RETRIES + 1, "FAILURE", error))


def mount_share(conn, provider_database: str, schema: str, objects, consumer_database: str) -> None:
    """The consumer's `CREATE DATABASE <consumer_database> FROM SHARE ...`: the shared objects of
    ``provider_database.schema``, under the consumer's database name."""
    cur = conn.cursor()
    for statement in (f"CREATE DATABASE IF NOT EXISTS {consumer_database}",
                      f"CREATE SCHEMA IF NOT EXISTS {consumer_database}.{schema}"):
        cur.execute(statement)
    for name in objects:
        cur.execute(f"CREATE OR REPLACE VIEW {consumer_database}.{schema}.{name} AS "
                    f"SELECT * FROM {provider_database}.{schema}.{name}")


_EVENT_TIMESTAMPS = ("TIMESTAMP", "START_TIMESTAMP", "OBSERVED_TIMESTAMP")


def write_arriving_events(connection, table: str, events) -> int:
    """Writes ``events`` into the emulated event table ``table`` as Snowflake itself would, and
    returns how many. In Snowflake the platform writes its event table and no Wallmonitor
    statement does, so nothing here stands in for Wallmonitor's SQL: the rows go straight into
    DuckDB (JSON lines parsed by DuckDB's JSON reader) instead of through the emulator's SQL
    translation, which spent most of the SQL tests' time parsing the events' text. The rows
    are the ones `traffic.load` stores through SQL, column for column (test_arriving_events.py).
    """
    import pyarrow

    from traffic.generator import COLUMNS, to_json_record

    if not re.fullmatch(r"[A-Z_][A-Z0-9_]*(\.[A-Z_][A-Z0-9_]*){2}", table):
        raise ValueError(f"not a dotted upper-case table name: {table!r}")
    lines = [json.dumps({column: value for column, value in to_json_record(event).items() if value is not None},
                        default=str, ensure_ascii=False, separators=(",", ":")) for event in events]
    if not lines:
        return 0
    # A missing key reads as SQL NULL, as FLATTEN's value:"KEY" does in traffic.load.
    cells = ", ".join(f"CAST(event ->> '{column}' AS TIMESTAMP)" if column in _EVENT_TIMESTAMPS
                      else f"event ->> '{column}'" if column == "RECORD_TYPE"
                      else f"event -> '{column}'" for column in COLUMNS)
    duck = connection._duck_conn
    duck.register("wallmonitor_arriving_events", pyarrow.table({"line": lines}))
    try:
        duck.execute(f"INSERT INTO {table} SELECT {cells} FROM "
                     "(SELECT CAST(line AS JSON) AS event FROM wallmonitor_arriving_events)")
    finally:
        duck.unregister("wallmonitor_arriving_events")
    return len(lines)


def utc_now() -> datetime:
    """Now as the emulator's SYSDATE() sees it: naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def away_from(events: list[dict], boundaries: list[datetime], margin: timedelta) -> list[dict]:
    """``events`` without every trace that has a row within ``margin`` of a boundary, so a clock
    tick between generating and querying cannot move a row across a window's edge.

    Whole traces go (a turn is never cut in half), and so does the feedback on a dropped
    turn, which has no trace of its own but names its turn's request id; other rows without a
    trace (noise logs) go alone.
    """
    trace_of_request = {
        e["RECORD_ATTRIBUTES"]["snow.ai.observability.agent.request_id"]: e["TRACE"]["trace_id"]
        for e in events if e["TRACE"] and "snow.ai.observability.agent.request_id" in e["RECORD_ATTRIBUTES"]
    }

    def group(event: dict):
        if event["TRACE"]:
            return event["TRACE"]["trace_id"]
        return trace_of_request.get((event["VALUE"] or {}).get("orig_request_id"), id(event))

    near = {group(e) for e in events if any(abs(e["TIMESTAMP"] - b) < margin for b in boundaries)}
    return [e for e in events if group(e) not in near]


@contextmanager
def standalone_emulator(catalog: dict, coverage: Coverage):
    """An emulator that lives outside fakesnow.patch(), so a module or session can keep one
    while the per-test ``emulator`` fixture patches the connector for its own."""
    from fakesnow.instance import FakeSnow

    fake = FakeSnow()
    with mock.patch("snowflake.connector.connect", side_effect=fake.connect):
        emulator = Emulator(catalog, coverage)
    try:
        yield emulator
    finally:
        emulator.close()
        fake.duck_conn.close()


# -- HyperLogLog: the emulator's HLL_* functions (see the module docstring) -----------------------
# https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality ("Implementation
# Details" and "Exported State Format"): precision 12, a 64-bit hash, registers holding the maximum
# leading-zero count + 1 (0 = never hit, at most 53), OBJECT states {"version", "precision",
# "sparse": {"indices", "maxLzCounts"}} or {"version", "precision", "dense"}.
HLL_PRECISION = 12
HLL_REGISTERS = 1 << HLL_PRECISION
HLL_RANK_BITS = 64 - HLL_PRECISION
# The version HLL_EXPORT writes; the documentation's examples show 3, accounts export 4 today, and
# HLL_IMPORT here reads either (the documented checks are on precision, indices and counts).
HLL_EXPORT_VERSION = 4
# Snowflake switches to the dense form "whenever beneficial" without saying when; here a state is
# sparse while its (index, count) pairs, 3 bytes each, would take less than the dense 4096 bytes.
HLL_SPARSE_LIMIT = HLL_REGISTERS // 3
# Names of the Python functions behind the macros. Snowflake has none of them: no sql/ file may
# call one (test/sql/test_hll.py checks the rendered catalog), so the emulator accepts no HLL
# statement Snowflake would refuse.
HLL_HELPER_PREFIX = "wm_emulator_hll_"
_SPARSE, _DENSE = 0, 1


def hll_hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big")


def hll_registers_of(values) -> "numpy.ndarray":
    registers = bytearray(HLL_REGISTERS)  # per-value updates: a bytearray is faster than an array here
    low_mask = (1 << HLL_RANK_BITS) - 1
    for value in values or ():
        if value is None:
            continue
        hashed = hll_hash(value)
        index, rest = hashed >> HLL_RANK_BITS, hashed & low_mask
        rank = HLL_RANK_BITS - rest.bit_length() + 1
        if rank > registers[index]:
            registers[index] = rank
    return numpy.frombuffer(registers, dtype=numpy.uint8).copy()


# A sparse state's entries: the register's index (2 bytes) and its count (1 byte).
_SPARSE_ENTRY = numpy.dtype([("index", ">u2"), ("count", "u1")])


def hll_state(registers) -> bytes:
    """The BINARY state: a tag, then the set registers as sparse entries, or every register (dense)."""
    hit = numpy.flatnonzero(registers)
    if len(hit) < HLL_SPARSE_LIMIT:
        entries = numpy.empty(len(hit), dtype=_SPARSE_ENTRY)
        entries["index"], entries["count"] = hit, registers[hit]
        return bytes([_SPARSE]) + entries.tobytes()
    return bytes([_DENSE]) + registers.astype(numpy.uint8).tobytes()


def hll_registers_from_state(state: bytes) -> "numpy.ndarray":
    if not state or state[0] not in (_SPARSE, _DENSE):
        raise ValueError("HLL state is not a state HLL_ACCUMULATE, HLL_COMBINE or HLL_IMPORT produced")
    if state[0] == _DENSE:
        if len(state) != HLL_REGISTERS + 1:
            raise ValueError("HLL dense state has the wrong length")
        return numpy.frombuffer(state, dtype=numpy.uint8, offset=1).copy()
    if (len(state) - 1) % _SPARSE_ENTRY.itemsize:
        raise ValueError("HLL sparse state has the wrong length")
    entries = numpy.frombuffer(state, dtype=_SPARSE_ENTRY, offset=1)
    registers = numpy.zeros(HLL_REGISTERS, dtype=numpy.uint8)
    registers[entries["index"]] = entries["count"]
    return registers


def hll_estimate_of(registers) -> int:
    """Flajolet et al.'s estimate: alpha_m m^2 / sum 2^-M[j], linear counting m ln(m/V) while it
    is at most 5m/2 and V registers are empty, and the large-range correction for a 64-bit hash."""
    m = HLL_REGISTERS
    alpha = 0.7213 / (1 + 1.079 / m)
    raw = alpha * m * m / float(numpy.sum(numpy.exp2(-registers.astype(numpy.float64))))
    empty = int(numpy.count_nonzero(registers == 0))
    if raw <= 2.5 * m and empty:
        return round(m * math.log(m / empty))
    two_64 = 2.0 ** 64
    if raw > two_64 / 30:
        return round(-two_64 * math.log(1 - raw / two_64))
    return round(raw)


def _hll_accumulate(values):
    return hll_state(hll_registers_of(values))


def _hll_combine(states):
    states = [state for state in states or () if state is not None]
    if not states:
        return None
    merged = numpy.zeros(HLL_REGISTERS, dtype=numpy.uint8)
    sparse = []
    for state in states:
        if state[:1] == bytes([_SPARSE]) and (len(state) - 1) % _SPARSE_ENTRY.itemsize == 0:
            sparse.append(numpy.frombuffer(state, dtype=_SPARSE_ENTRY, offset=1))
        else:
            numpy.maximum(merged, hll_registers_from_state(state), out=merged)
    if sparse:
        entries = numpy.concatenate(sparse)
        numpy.maximum.at(merged, entries["index"].astype(numpy.int64), entries["count"])
    return hll_state(merged)


def _hll_estimate(state):
    return None if state is None else hll_estimate_of(hll_registers_from_state(state))


def _hll_export(state):
    if state is None:
        return None
    registers = hll_registers_from_state(state)
    if state[0] == _DENSE:
        return json.dumps({"version": HLL_EXPORT_VERSION, "precision": HLL_PRECISION, "dense": registers.tolist()})
    hit = numpy.flatnonzero(registers)
    return json.dumps({"version": HLL_EXPORT_VERSION, "precision": HLL_PRECISION,
                       "sparse": {"indices": hit.tolist(), "maxLzCounts": registers[hit].tolist()}})


def _hll_import(exported):
    """The documented checks: precision 12, dense of 4096 counts, or sparse indices and counts of
    one length with every index in range and none twice. Counts are not validated (documented)."""
    if exported is None:
        return None
    state = json.loads(exported)
    if not isinstance(state, dict) or state.get("precision") != HLL_PRECISION or "version" not in state:
        raise ValueError("HLL_IMPORT: not an exported HyperLogLog state of precision 12")
    if "dense" in state:
        dense = state["dense"]
        if not isinstance(dense, list) or len(dense) != HLL_REGISTERS:
            raise ValueError("HLL_IMPORT: a dense state holds one count per sub-stream")
        return hll_state(numpy.array(dense, dtype=numpy.int64).astype(numpy.uint8))
    sparse = state.get("sparse")
    if not isinstance(sparse, dict):
        raise ValueError("HLL_IMPORT: the state is neither dense nor sparse")
    indices, counts = sparse.get("indices"), sparse.get("maxLzCounts")
    if not isinstance(indices, list) or not isinstance(counts, list) or len(indices) != len(counts):
        raise ValueError("HLL_IMPORT: indices and maxLzCounts must have the same length")
    if indices and (len(set(indices)) != len(indices) or min(indices) < 0 or max(indices) >= HLL_REGISTERS):
        raise ValueError("HLL_IMPORT: sub-stream indices must be distinct and within 0 to 4095")
    if len(indices) >= HLL_SPARSE_LIMIT:
        registers = numpy.zeros(HLL_REGISTERS, dtype=numpy.uint8)
        registers[numpy.array(indices, dtype=numpy.int64)] = numpy.array(counts, dtype=numpy.int64) & 0xFF
        return hll_state(registers)
    # Sparse stays sparse: its set registers in index order, as hll_state() writes them.
    return bytes([_SPARSE]) + b"".join(index.to_bytes(2, "big") + bytes([count & 0xFF])
                                       for index, count in sorted(zip(indices, counts)) if count & 0xFF)


def hll_export_of(values) -> str:
    """What HLL_EXPORT(HLL_ACCUMULATE(x)) answers here over the rows whose x are ``values``."""
    return _hll_export(_hll_accumulate([str(value) for value in values]))


def install_hll(conn) -> None:
    """HLL_ACCUMULATE, HLL_COMBINE (aggregates), HLL_ESTIMATE, HLL_EXPORT and HLL_IMPORT on one
    emulator connection. The aggregates are macros: DuckDB expands them in place, so list()
    gathers each group's values (NULLs skipped, as Snowflake's aggregates skip them) for one call."""
    import duckdb

    duck = conn._duck_conn
    # Several emulated accounts can share one DuckDB connection: the functions are installed once.
    installed = {row[0] for row in duck.execute(
        "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE ?", [HLL_HELPER_PREFIX + "%"]).fetchall()}
    blob, text, json_type = duckdb.sqltype("BLOB"), duckdb.sqltype("VARCHAR"), duckdb.sqltype("JSON")
    for name, function, parameters, returns in (
            ("accumulate", _hll_accumulate, [duckdb.list_type(text)], blob),
            ("combine", _hll_combine, [duckdb.list_type(blob)], blob),
            ("estimate", _hll_estimate, [blob], duckdb.sqltype("BIGINT")),
            ("export", _hll_export, [blob], json_type),
            ("import", _hll_import, [json_type], blob)):
        if HLL_HELPER_PREFIX + name in installed:
            continue
        duck.create_function(HLL_HELPER_PREFIX + name, function, parameters, returns, null_handling="special",
                             side_effects=False)
    duck.execute(f"CREATE OR REPLACE TEMP MACRO hll_accumulate(x) AS "
                 f"{HLL_HELPER_PREFIX}accumulate(list(CAST(x AS VARCHAR)) FILTER (WHERE x IS NOT NULL))")
    duck.execute(f"CREATE OR REPLACE TEMP MACRO hll_combine(s) AS "
                 f"{HLL_HELPER_PREFIX}combine(list(s) FILTER (WHERE s IS NOT NULL))")
    for name in ("estimate", "export", "import"):
        duck.execute(f"CREATE OR REPLACE TEMP MACRO hll_{name}(s) AS {HLL_HELPER_PREFIX}{name}(s)")
