"""The dashboard's empty states, and filter values that must change nothing but the filter.

Values reach the app two ways: typed into a search box, or chosen from data in a multiselect
(a user name is whatever the account calls its user). Both are tried with quotes, a statement,
LIKE wildcards, a backslash, text outside ASCII and 10 kB strings: no page may fail, the answer
must be the one the filter means, no value may appear in any SQL text, and the emulator's
tables must be exactly as before.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import (  # noqa: F401 (fixtures)
    HOSTILE_USER, PAGES, catalog, empty_emulator, no_exception, no_injected_session_left, run_page, world,
)
import expected
import oracle
from dashboard import fmt, queries
from world import AGENTS, ingest

SEARCHES = ["'", "''", "\"", ";", "'; DROP TABLE AGENT_EVENTS_HISTORY; --", "%", "_", "%'%", "\\", "\\'", "{}",
            "{THREAD_TIMELINE}", "?", "Zoë 用户 🚀", "ж" * 10_000, "'" * 10_000, HOSTILE_USER]


class RecordingSession:
    """The emulator's session, keeping every statement and its binds."""

    def __init__(self, session):
        self.session, self.statements = session, []

    def sql(self, text, params=None):
        self.statements.append((text, list(params or [])))
        return self.session.sql(text, params=params)


def snapshot(emulator) -> dict:
    """Every table of the schema with its rows, to prove nothing was changed."""
    schema = f"{emulator.database}.{emulator.schema}"
    tables = sorted(row["TABLE_NAME"] for row in emulator.query(
        "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ?", [emulator.schema]))
    return {table: sorted(map(repr, emulator.query(f'SELECT * FROM {schema}."{table}"'))) for table in tables}


def user_of(thread: dict) -> str:
    """A thread's user (the oracle answers a MAX_BY as any of its tied values; a thread has one)."""
    user = thread["USER_ID"]
    return next(iter(user.values)) if isinstance(user, oracle.AnyOf) else user or ""


# --- empty states ------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_fresh_deployment_says_to_register_agents(empty_emulator, page):
    app = run_page(empty_emulator, page)
    no_exception(app)
    assert any("No agents registered yet" in info.value for info in app.info)
    assert any("DISCOVER_AGENTS()" in code.value for code in app.code)


@pytest.mark.parametrize("page", sorted(set(PAGES) - {"Pipeline health"}))
def test_registered_agents_without_events_ask_whether_the_task_runs(empty_emulator, page):
    ingest(empty_emulator, AGENTS, [])
    app = run_page(empty_emulator, page)
    no_exception(app)
    assert any("No events yet: is the task running?" in info.value for info in app.info)
    schema = f"{empty_emulator.database}.{empty_emulator.schema}"
    assert any(code.value == f"SHOW TASKS LIKE 'REFRESH_AGENT_EVENTS_TASK' IN SCHEMA {schema};" for code in app.code)


def test_pipeline_health_of_agents_without_events(empty_emulator):
    ingest(empty_emulator, AGENTS, [])
    app = run_page(empty_emulator, "Pipeline health")
    no_exception(app)
    table = app.dataframe[0].value
    assert set(table["HEALTH"]) == {"HEALTHY"} and table["LAST_EVENT_TIMESTAMP"].isna().all()


def test_an_empty_window_says_so(world):
    """The hour before the window's last turn is quiet only for a filter on a user who was away."""
    idle = next(user for user in {e.user for e in world.history}
                if not expected.in_window(world.history, world.now - timedelta(hours=1), world.now, users=[user]))
    app = run_page(world.emulator, "Overview", prepare=lambda a: (a.session_state.__setitem__("wm_window", "Last hour"),
                                                                   a.session_state.__setitem__("wm_users", [idle])))
    no_exception(app)
    assert any("No agent activity in the last hour for these filters" in info.value for info in app.info)


# --- hostile values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("page,key,columns", [("Threads", "wm_thread_search", ("THREAD_ID", "USER_ID")),
                                               ("Users", "wm_user_search", ("USER_ID",))])
def test_search_text_is_matched_literally_and_never_becomes_sql(world, page, key, columns):
    before = snapshot(world.emulator)
    recorder = RecordingSession(world.emulator.session)
    app = run_page(world.emulator, page, session_object=recorder)
    for text in SEARCHES:
        recorder.statements.clear()
        app.text_input(key=key).input(text).run()
        no_exception(app)
        if page == "Users":
            users = expected.users(expected.in_window(world.history, world.now - timedelta(hours=24), world.now))
            want = sorted(user for user in users if text in user)
        else:
            threads = expected.threads(world.history, world.now, 24)
            want = sorted(key for key, row in threads.items() if text in row["THREAD_ID"] or text in user_of(row))
        shown = app.dataframe[0].value if app.dataframe else None
        if not want:
            assert shown is None and any("containing that text" in info.value for info in app.info), text[:20]
        elif page == "Users":
            assert sorted(shown["USER_ID"]) == want, text[:20]
        else:
            assert sorted(zip(shown["AGENT_FULL_NAME"], shown["THREAD_ID"])) == want, text[:20]
        assert all(text not in statement for statement, _ in recorder.statements if len(text) > 2), text[:20]
        assert any(text in params for _, params in recorder.statements), text[:20]
    assert snapshot(world.emulator) == before


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_hostile_user_name_filters_like_any_other(world, page):
    """HOSTILE_USER is a user of the traffic: choosing it in the sidebar narrows every page to
    that user's activity, and the SQL text never holds the name."""
    before = snapshot(world.emulator)
    recorder = RecordingSession(world.emulator.session)
    app = run_page(world.emulator, page, session_object=recorder)
    assert HOSTILE_USER in app.sidebar.multiselect(key="wm_users").options
    recorder.statements.clear()
    app.sidebar.multiselect(key="wm_users").set_value([HOSTILE_USER]).run()
    no_exception(app)
    assert all(HOSTILE_USER not in statement for statement, _ in recorder.statements)
    if page not in ("Pipeline health", "Alerts", "Versions", "SLOs"):  # the pages only the agent filter applies to
        assert any(HOSTILE_USER in params for _, params in recorder.statements)
    now, _ = expected.kpis(world.history, world.now, 24, users=[HOSTILE_USER])
    assert now["TURNS"], "precondition: the user has turns in the window"
    shown = {metric.label: metric.value for metric in app.metric}
    if page == "Overview":
        assert (shown["Users"], shown["Turns"], shown["Tokens"]) == (
            "1", fmt.number(now["TURNS"]), fmt.number(now["TOKENS"]))
    elif page == "Users":
        assert list(app.dataframe[0].value["USER_ID"]) == [HOSTILE_USER]
        assert app.dataframe[0].value["TURNS"].iloc[0] == now["TURNS"]
    elif page == "Threads":
        assert set(app.dataframe[0].value["USER_ID"]) == {HOSTILE_USER}
    elif page == "Agents":
        assert app.dataframe[0].value["TURNS"].sum() == now["TURNS"]
    assert snapshot(world.emulator) == before


# --- the query module ---------------------------------------------------------------------------------
def test_the_app_reads_only_views_the_viewer_role_may_read(catalog):
    # The views with conversation text (sql/*/models.yml), which the viewer role never reads.
    raw_event_views = {model["name"] for model in catalog["registry"]["models"] if model["kind"] == "view"
                       and any(column["classification"] == "conversation_text" for column in model["columns"])}
    assert raw_event_views == {"AGENT_EVENTS", "AGENT_EVENTS_RECENT"}
    assert queries.VIEWS <= (set(catalog["views"]) - raw_event_views) | set(catalog["viewerCostViews"])
    assert not queries.VIEWS & (set(catalog["tables"]) | set(catalog["dynamicTables"]))


def test_every_statement_reads_only_allowed_objects(world):
    """Whatever the page and window, the FROM clauses name only VIEWS of the Wallmonitor schema."""
    recorder = RecordingSession(world.emulator.session)
    schema = f"{world.emulator.database}.{world.emulator.schema}"
    for page in PAGES:
        # 90 days: from the daily rollups; 12 months: from the monthly latency histograms too.
        for window in ("Last hour", "Last 7 days", "Last 90 days", "Last 12 months"):
            app = run_page(world.emulator, page, session_object=recorder,
                           prepare=lambda a, w=window: a.session_state.__setitem__("wm_window", w))
            no_exception(app)
    named = set()
    for text, _ in recorder.statements:
        common_tables = set(re.findall(r"(?:\bWITH|,)\s+([A-Z_]+) AS \(", text))  # the statement's own CTEs
        named |= set(re.findall(r"\b(?:FROM|JOIN)\s+([A-Z0-9_$.]+)", text)) - common_tables
    assert named == {f"{schema}.{view}" for view in queries.VIEWS}


@pytest.mark.parametrize("bad", ["wallmonitor", "WALL MONITOR", 'X"; DROP', "A.B", "", "X" * 256])
def test_identifiers_are_refused_unless_plain_uppercase(world, bad):
    from dashboard import session
    with pytest.raises(ValueError):
        session.use_local(world.emulator.session, bad, "WALLMONITOR")


def test_every_page_file_is_in_the_apps_navigation():
    """With st.navigation a page the main file does not list cannot be reached."""
    from apptest import APP
    listed = set(re.findall(r'"(pages/[^"]+\.py)"', (APP / "streamlit_app.py").read_text()))
    assert listed == {f"pages/{path.name}" for path in (APP / "pages").glob("*.py")}
