"""The demo's Snowflake: the emulator with the stack's SQL deployed, and a feed of agent traffic
that the refresh task's body ingests on a compressed schedule."""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "test" / "sql", ROOT / "streamlit"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from fakesnow.instance import FakeSnow  # noqa: E402

from demo.usage import UsageFeed  # noqa: E402
from emulator import Coverage, Emulator, embedded_statements, render_catalog  # noqa: E402
import translation_cache  # noqa: E402
from traffic import AgentRef, generate, with_delivery_faults  # noqa: E402
from traffic.versions import CanaryRollout, agent_key  # noqa: E402
from traffic.__main__ import demo_agents  # noqa: E402

translation_cache.install()  # the same statements again and again: translate each once

# An agent that is registered but whose events the owner role may not read: the Pipeline
# health page shows how a failing agent looks.
FAILING_AGENT = AgentRef("DEMO_DB", "AGENTS", "LEGACY_ROUTER")
CHUNK = timedelta(hours=6)
# The demo's service level objectives (wallmonitor:slos), so the SLOs page shows something: every
# demo agent, against targets its traffic (6 % failed turns) meets with budget to spare.
DEMO_SLOS = ('[{"agent":"DEMO_DB.%","availability":{"target":90,"windowDays":28},'
             '"latency":{"thresholdMs":30000,"target":90,"windowDays":7}}]')

# The first agent runs a canary: a third of its turns reach VERSION$2 (alias CANARY), which fails 15 points
# more often and calls Cortex Analyst three times as slowly; the rest reach VERSION$1 (PRODUCTION, the
# default). The Versions page and the canary_worse rule have something to show.
CANARY = CanaryRollout(share=1 / 3, extra_error_rate=0.15, slow_tool_kind="cortex_analyst", tool_latency_factor=3.0)
CANARY_VERSIONS = [
    {"name": "VERSION$1", "aliases": ["PRODUCTION"], "is_default": True, "created_on": "2026-11-02 09:00:00"},
    {"name": "VERSION$2", "aliases": ["CANARY"], "is_default": False, "created_on": "2026-11-28 15:30:00"},
]

# The crowded world (`--world crowded`): what a large account looks like, for the browser checks
# that every chart stays readable. Long names sharing long prefixes, and one name in two schemas,
# so the dashboard must show (and shorten) full DATABASE.SCHEMA.NAME names too.
CROWDED_AGENT_NAMES = (
    "CUSTOMER_SUPPORT_ESCALATION_TRIAGE_ASSISTANT_EMEA", "CUSTOMER_SUPPORT_ESCALATION_TRIAGE_ASSISTANT_AMER",
    "CUSTOMER_SUPPORT_ESCALATION_TRIAGE_ASSISTANT_APAC", "QUARTERLY_FINANCIAL_REPORTING_AND_FORECASTING_ANALYST",
    "SUPPLY_CHAIN_INVENTORY_REPLENISHMENT_PLANNER", "HUMAN_RESOURCES_BENEFITS_AND_POLICY_HELPDESK",
    "MARKETING_CAMPAIGN_PERFORMANCE_INSIGHTS_COPILOT", "SALES_PIPELINE_OPPORTUNITY_SCORING_ADVISOR",
    "IT_SERVICE_DESK_INCIDENT_RESOLUTION_ASSISTANT", "LEGAL_CONTRACT_CLAUSE_REVIEW_AND_RISK_ANALYST",
    "DATA_PLATFORM_COST_AND_WAREHOUSE_OPTIMISATION_ADVISOR", "PRODUCT_FEEDBACK_SENTIMENT_SUMMARISER",
)
CROWDED_SCHEMAS = ("CUSTOMER_FACING_AGENTS_PRODUCTION", "INTERNAL_OPERATIONS_AGENTS_PRODUCTION")


def crowded_agents(database: str) -> list[AgentRef]:
    """Twelve agents with long names in two schemas, and a thirteenth whose name the second
    schema repeats."""
    agents = [AgentRef(database, CROWDED_SCHEMAS[i % 2], name) for i, name in enumerate(CROWDED_AGENT_NAMES)]
    return [*agents, AgentRef(database, CROWDED_SCHEMAS[1], CROWDED_AGENT_NAMES[0])]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class LockedSession:
    """The emulator's session adapter for Streamlit's script threads: one DuckDB connection
    serves every page and the ingestion thread, one statement at a time."""

    def __init__(self, session, lock: threading.Lock):
        self._session, self._lock = session, lock

    def sql(self, text: str, params=None):
        with self._lock:
            return self._session.sql(text, params=params)


class DemoWorld:
    def __init__(self, *, stack: str, agents: int, backlog_hours: float, turns_per_hour: float, seed: int,
                 speed: float, crowded: bool = False, log=print):
        self.log = log
        self.seed, self.turns_per_hour = seed, turns_per_hour
        self.catalog = render_catalog(stack, initialLookbackHours=int(backlog_hours) + 1, slos=DEMO_SLOS)
        config = self.catalog["config"]
        self.refresh_seconds = config["refreshIntervalMinutes"] * 60 / speed
        self.dynamic_table_seconds = config["dynamicTableTargetLagMinutes"] * 60 / speed
        self.agents = (crowded_agents(FAILING_AGENT.database) if crowded
                       else demo_agents(agents, FAILING_AGENT.database, FAILING_AGENT.schema))
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._fake = FakeSnow()
        with mock.patch("snowflake.connector.connect", side_effect=self._fake.connect):
            self.emulator = Emulator(self.catalog, Coverage())
        self.session = LockedSession(self.emulator.session, self.lock)
        self._pending: list[dict] = []
        canary = self.agents[0]
        self.rollouts = {agent_key(canary.database, canary.schema, canary.name): CANARY}
        self.usage = UsageFeed()
        self._generated_until = utc_now() - timedelta(hours=backlog_hours)
        self._chunks = 0
        self._thread = threading.Thread(target=self._run, name="wallmonitor-ingestion", daemon=True)

    # -- traffic ----------------------------------------------------------------------------------
    def _generate_until(self, end: datetime) -> None:
        """Generates traffic up to ``end`` (into the future: rows are delivered when they are due)."""
        while self._generated_until < end:
            start, stop = self._generated_until, self._generated_until + CHUNK
            events = generate(seed=self.seed + self._chunks, agents=self.agents, start=start, end=stop,
                              turns_per_agent_per_hour=self.turns_per_hour, error_rate=0.06, tool_error_rate=0.06,
                              feedback_rate=0.25, rollouts=self.rollouts)
            events = with_delivery_faults(events, seed=self.seed + self._chunks, duplicate_rate=0.02, shuffle=False)
            self._pending += events
            self._pending.sort(key=lambda event: event["TIMESTAMP"])
            self._generated_until, self._chunks = stop, self._chunks + 1

    def _due(self, now: datetime) -> list[dict]:
        count = next((i for i, event in enumerate(self._pending) if event["TIMESTAMP"] > now), len(self._pending))
        due, self._pending = self._pending[:count], self._pending[count:]
        return due

    # -- the schedule -----------------------------------------------------------------------------
    def start(self) -> str:
        """Registers the agents, loads the backlog and starts the ingestion thread."""
        tasks = self.catalog["tasks"]
        now = utc_now()
        self._generate_until(now + CHUNK)
        with self.lock:
            self.emulator.set_agents([(a.database, a.schema, a.name) for a in [*self.agents, FAILING_AGENT]],
                                     failing={FAILING_AGENT.name})
            for agent in [*self.agents, FAILING_AGENT]:
                self.emulator.set_agent_versions((agent.database, agent.schema, agent.name),
                                                 CANARY_VERSIONS if agent == self.agents[0] else [])
            self.emulator.call(tasks["discover"]["text"])
            backlog = self._due(now)
            self.emulator.deliver(backlog)
            self.usage.observe(backlog)
            self.usage.report(self.emulator.conn.cursor(), now)
            summary = self.emulator.call(tasks["refresh"]["text"])
            self._after_refresh()
            self.emulator.refresh_dynamic_tables()
        self._thread.start()
        return summary

    def _run(self) -> None:
        tasks = self.catalog["tasks"]
        next_dynamic_refresh = self.dynamic_table_seconds
        waited = 0.0
        while not self._stop.wait(self.refresh_seconds):
            waited += self.refresh_seconds
            now = utc_now()
            self._generate_until(now + CHUNK)
            due = self._due(now)
            try:
                with self.lock:
                    self.emulator.deliver(due)
                    self.usage.observe(due)
                    self.usage.report(self.emulator.conn.cursor(), now)
                    summary = self.emulator.call(tasks["refresh"]["text"])
                    self._after_refresh()
                    if waited >= next_dynamic_refresh:
                        self.emulator.refresh_dynamic_tables()
                        next_dynamic_refresh += self.dynamic_table_seconds
                self.log(f"refresh task: {len(due)} rows arrived; {summary}")
            except Exception as error:  # keep the demo serving; show what went wrong
                self.log(f"refresh task failed: {type(error).__name__}: {error}")

    def _after_refresh(self) -> None:
        """What follows each refresh in Snowflake: the chained rollup task, and (on its own
        schedule there, after each refresh here) one alert evaluation with the stack's rules.
        The demo configures no notification channel, so nothing is sent."""
        import alerting  # procedures/, put on sys.path by emulator.py

        self.emulator.call(self.catalog["tasks"]["rollup"]["text"])
        alerts = self.catalog["alerts"]
        alerting.run_evaluation(self.emulator.session, embedded_statements(alerts["embedding"]), alerts["settings"])

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        with self.lock:
            self.emulator.close()
            self._fake.duck_conn.close()
