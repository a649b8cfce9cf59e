"""Fixtures for the dashboard's AppTest tests: one emulator world for the run, and a way to run
any page of streamlit/ against an emulator.

Not a conftest.py: test/sql/test_views.py imports its own directory's conftest by module name,
which a second conftest.py in the same pytest run would shadow. The test modules import these
fixtures instead; the world is built once per process whichever module asks first.
"""

from __future__ import annotations

import atexit
import functools

import fakesnow
import pytest
from streamlit.testing.v1 import AppTest

from world import AGENTS, HOUR, MARGIN, ROOT, World, ingest

import oracle
from emulator import Coverage, Emulator, away_from, render_catalog, standalone_emulator, utc_now
from traffic import generate, with_delivery_faults
from traffic.versions import CanaryRollout, agent_key

from dashboard import session

APP = ROOT / "streamlit"
PAGES = {
    "Overview": "streamlit_app.py",
    "Threads": "pages/1_Threads.py",
    "Agents": "pages/2_Agents.py",
    "Users": "pages/3_Users.py",
    "Errors": "pages/4_Errors.py",
    "Feedback": "pages/5_Feedback.py",
    "Pipeline health": "pages/6_Pipeline_health.py",
    "Cost": "pages/8_Cost.py",
    "Alerts": "pages/7_Alerts.py",
    "Versions": "pages/10_Versions.py",
    "SLOs": "pages/11_SLOs.py",
}
# The world's service level objectives (wallmonitor:slos): both SALES_DB agents, not HR_HELPDESK.
WORLD_SLOS = ('[{"agent":"SALES_DB.%","availability":{"target":95,"windowDays":28},'
              '"latency":{"thresholdMs":30000,"target":90,"windowDays":7}}]')
SEED = 20260405
# The first agent's turns are split between two identical versions, so the Versions page has a
# canary to compare (test/streamlit/test_versions_page.py); the others name no version.
ROLLOUTS = {agent_key(AGENTS[0].database, AGENTS[0].schema, AGENTS[0].name): CanaryRollout()}
# A user name no query may mistake for SQL: quotes, a statement, LIKE wildcards, a backslash,
# text outside ASCII, and 10 kB in all.
HOSTILE_USER = "O'Brien\"; DROP TABLE AGENT_EVENTS_HISTORY; -- 100% _x_ \\ Zoë 用户 🚀 " + "ж" * 10_000
RENAMED_USER = "ELENA"


@functools.lru_cache(maxsize=None)
def _catalog() -> dict:
    # The first refresh reads the whole generated backlog (the dev stack would read 24 hours).
    # The dev stack reads per agent; feedback comments reach the history that way only when the
    # owner may read GET_AI_OBSERVABILITY_EVENTS unredacted, which needs storeConversationText.
    return render_catalog("dev", initialLookbackHours=72, storeConversationText="true", readUnredactedEvents="true",
                          slos=WORLD_SLOS)


@pytest.fixture(scope="session")
def catalog():
    return _catalog()


def with_hostile_user(events: list[dict]) -> list[dict]:
    """The traffic with one of its users renamed to HOSTILE_USER."""
    for event in events:
        resource = event["RESOURCE_ATTRIBUTES"] or {}
        if resource.get("snow.user.name") == RENAMED_USER:
            event["RESOURCE_ATTRIBUTES"] = {**resource, "snow.user.name": HOSTILE_USER}
    return events


@functools.lru_cache(maxsize=None)
def _world() -> World:
    """Three agents, 50 hours of traffic with failures, feedback, noise rows and duplicate
    deliveries, ingested by the real task bodies. No turn lies within MARGIN of a window
    boundary of the 1 h and 24 h windows or of the periods before them."""
    now = utc_now()
    traffic = generate(seed=SEED, agents=AGENTS, start=now - 50 * HOUR, end=now - MARGIN, turns_per_agent_per_hour=8,
                       error_rate=0.08, tool_error_rate=0.08, feedback_rate=0.3, rollouts=ROLLOUTS)
    traffic = away_from(traffic, [now - HOUR, now - 2 * HOUR, now - 24 * HOUR, now - 48 * HOUR], MARGIN)
    delivered = with_delivery_faults(with_hostile_user(traffic), seed=SEED, duplicate_rate=0.03)
    context = standalone_emulator(_catalog(), Coverage())
    emulator = context.__enter__()
    atexit.register(context.__exit__, None, None, None)
    summaries = ingest(emulator, AGENTS, delivered)
    assert summaries and "3 OK, 0 failed" in summaries[0]
    # The dashboard shows production traffic: evaluation runs are left out of every view it reads.
    return World(emulator, now, oracle.production(oracle.ingest(
        delivered, [(a.database, a.schema, a.name) for a in AGENTS], without_free_text=oracle.stores_no_free_text(emulator.config))))


@pytest.fixture(scope="session")
def world():
    return _world()


@pytest.fixture
def empty_emulator(catalog):
    """A freshly deployed schema: no agent registered, no event."""
    with fakesnow.patch():
        emulator = Emulator(catalog, Coverage())
        yield emulator
        emulator.close()


def run_page(emulator, page: str, *, session_object=None, prepare=None) -> AppTest:
    """Runs one page of the app against ``emulator`` (a fresh cache key each time, so no result
    of an earlier test is reused)."""
    session.use_local(session_object or emulator.session, emulator.database, emulator.schema)
    app = AppTest.from_file(str(APP / PAGES[page]), default_timeout=60)
    if prepare:
        prepare(app)
    return app.run()


@pytest.fixture(autouse=True)
def no_injected_session_left():
    yield
    session.clear_local()


# --- what the page tests check ------------------------------------------------------------------
def choose(window="Last 24 hours", agents=(), users=(), models=()):
    """A ``prepare`` for run_page: the sidebar's window and filters."""
    def prepare(app):
        app.session_state["wm_window"] = window
        app.session_state["wm_agents"] = list(agents)
        app.session_state["wm_users"] = list(users)
        app.session_state["wm_models"] = list(models)
    return prepare


def metrics(app) -> dict[str, tuple[str, str | None]]:
    """The page's first metric of each label: (value, delta)."""
    shown = {}
    for metric in app.metric:
        shown.setdefault(metric.label, (metric.value, metric.delta or None))
    return shown


def no_exception(app) -> None:
    assert not app.exception, [e.value for e in app.exception]
