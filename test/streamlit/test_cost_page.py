"""The Cost page under AppTest against the emulator: the numbers it shows are the ledger's
(COST_LEDGER, which the page does not read) for the window's days and the filters, and the share
it calls estimated falls as usage rows arrive."""

from __future__ import annotations

from datetime import timedelta

import fakesnow
import pytest

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import catalog, choose, no_exception, no_injected_session_left, run_page, world  # noqa: F401 (fixtures)
from emulator import Coverage, Emulator, utc_now
import oracle
from traffic import generate
from world import AGENTS, ingest

USAGE = "SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY"


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def ledger_totals(emulator, since, agent=None) -> dict:
    """Credits, money and estimated credits from the per-request ledger for days since ``since``."""
    where, params = "DAY >= CAST(? AS DATE)", [since.date().isoformat()]
    if agent is not None:
        where += " AND AGENT_DATABASE || '.' || AGENT_SCHEMA || '.' || AGENT_NAME = ?"
        params.append(agent)
    row = emulator.query(f"""
        SELECT SUM(CREDITS) AS CREDITS, SUM(AMOUNT) AS AMOUNT,
               SUM(IFF(COST_SOURCE = 'ESTIMATED', CREDITS, 0)) AS ESTIMATED, MAX(CURRENCY) AS CURRENCY
        FROM {emulator.database}.{emulator.schema}.COST_LEDGER WHERE {where}""", params)[0]
    return row


@pytest.mark.parametrize("window,hours", [("Last 24 hours", 24), ("Last 7 days", 24 * 7)])
def test_spend_is_the_ledger_of_the_windows_days(world, window, hours):
    app = run_page(world.emulator, "Cost", prepare=choose(window))
    no_exception(app)
    expected = ledger_totals(world.emulator, world.now - timedelta(hours=hours))
    shown = metrics(app)
    assert shown["Spend"] == f"{float(expected['AMOUNT']):,.2f} {expected['CURRENCY']}"
    assert shown["Credits"] == f"{float(expected['CREDITS']):,.4f}"
    # The world has no usage rows: all of it is estimated, nothing matched.
    assert shown["Estimated"] == "100.0%"
    assert shown["Requests matched to usage"] == "0.0%"
    assert shown["Unassigned"] == "100.0%"
    assert len(app.dataframe) == 3  # threads, reconciliation, rates


def test_the_agent_filter_narrows_the_spend(world):
    agent = f"{AGENTS[2].database}.{AGENTS[2].schema}.{AGENTS[2].name}"
    app = run_page(world.emulator, "Cost", prepare=choose(agents=[agent]))
    no_exception(app)
    expected = ledger_totals(world.emulator, world.now - timedelta(hours=24), agent)
    assert metrics(app)["Spend"] == f"{float(expected['AMOUNT']):,.2f} {expected['CURRENCY']}"
    threads = app.dataframe[0].value
    assert set(threads["AGENT"]) == {agent}


def test_an_empty_schema_says_what_to_check(catalog):
    with fakesnow.patch():
        emulator = Emulator(catalog, Coverage())
        app = run_page(emulator, "Cost")
        emulator.close()
    no_exception(app)
    assert "No agents registered yet" in app.info[0].value


def test_the_estimated_share_falls_as_usage_arrives(catalog):
    now = utc_now()
    # Production traffic only: every root below is a request of the ledger (evaluation runs are not).
    traffic = generate(seed=77, agents=AGENTS[:1], start=now - timedelta(hours=6), end=now - timedelta(minutes=15),
                       turns_per_agent_per_hour=3, feedback_rate=0.0, evaluation_runs_per_agent=0)
    with fakesnow.patch():
        emulator = Emulator(catalog, Coverage())
        ingest(emulator, AGENTS[:1], traffic)
        before = metrics(run_page(emulator, "Cost"))
        # The ledger's requests are production turns: evaluation traces are counted apart (EVALUATION_RUNS).
        production_traces = {e.trace_id for e in oracle.production(oracle.ingest(
            traffic, [(a.database, a.schema, a.name) for a in AGENTS[:1]]))}
        roots = [e for e in traffic if e["RECORD"].get("name") == "AgentV2RequestResponseInfo"
                 and e["TRACE"]["trace_id"] in production_traces]
        assert len(roots) > 6, "precondition: more production requests than usage rows"
        cur = emulator.loader.cursor()
        for root in roots[: len(roots) // 2]:
            cur.execute(f"INSERT INTO {USAGE} (START_TIME, END_TIME, USER_NAME, REQUEST_ID, AGENT_DATABASE_NAME, "
                        "AGENT_SCHEMA_NAME, AGENT_NAME, TOKENS, TOKEN_CREDITS) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        (root["START_TIMESTAMP"], root["TIMESTAMP"], root["RESOURCE_ATTRIBUTES"]["snow.user.name"],
                         root["RECORD_ATTRIBUTES"]["ai.observability.record_id"], AGENTS[0].database, AGENTS[0].schema,
                         AGENTS[0].name, 1000, "0.5"))
        app = run_page(emulator, "Cost")
        expected = ledger_totals(emulator, now - timedelta(hours=24))
        emulator.close()
    no_exception(app)
    after = metrics(app)
    assert before["Estimated"] == "100.0%"
    assert after["Estimated"] == f"{100 * float(expected['ESTIMATED']) / float(expected['CREDITS']):.1f}%"
    assert after["Estimated"] != "100.0%"
    assert after["Requests matched to usage"] == f"{100 * (len(roots) // 2) / len(roots):.1f}%"
    assert after["Spend"] == f"{float(expected['AMOUNT']):,.2f} {expected['CURRENCY']}"


COWORK = "SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_COWORK_USAGE_HISTORY"


def test_cowork_requests_count_as_actual_and_the_page_names_their_view(catalog):
    """Requests made in Snowflake CoWork are reported in their own usage view, not in
    CORTEX_AGENT_USAGE_HISTORY: the page counts them as actual and shows, per usage view, the
    actual credits the ledger holds."""
    now = utc_now()
    traffic = generate(seed=78, agents=AGENTS[:1], start=now - timedelta(hours=6), end=now - timedelta(minutes=15),
                       turns_per_agent_per_hour=5, feedback_rate=0.0)
    with fakesnow.patch():
        emulator = Emulator(catalog, Coverage())
        ingest(emulator, AGENTS[:1], traffic)
        # The ledger's requests are production turns: evaluation traces are counted apart (EVALUATION_RUNS).
        production_traces = {e.trace_id for e in oracle.production(oracle.ingest(
            traffic, [(a.database, a.schema, a.name) for a in AGENTS[:1]]))}
        roots = [e for e in traffic if e["RECORD"].get("name") == "AgentV2RequestResponseInfo"
                 and e["TRACE"]["trace_id"] in production_traces]
        assert len(roots) > 6, "precondition: more production requests than usage rows"
        cur = emulator.loader.cursor()
        for i, root in enumerate(roots[:6]):
            cur.execute(f"INSERT INTO {USAGE if i % 2 else COWORK} (START_TIME, END_TIME, USER_NAME, REQUEST_ID, "
                        "AGENT_DATABASE_NAME, AGENT_SCHEMA_NAME, AGENT_NAME, TOKENS, TOKEN_CREDITS) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        (root["START_TIMESTAMP"], root["TIMESTAMP"], root["RESOURCE_ATTRIBUTES"]["snow.user.name"],
                         root["RECORD_ATTRIBUTES"]["ai.observability.record_id"], AGENTS[0].database, AGENTS[0].schema,
                         AGENTS[0].name, 1000, "0.25" if i % 2 else "0.5"))
        app = run_page(emulator, "Cost")
        by_view = {r["USAGE_VIEW"]: r["CREDITS"] for r in emulator.query(f"""
            SELECT USAGE_VIEW, SUM(CREDITS) AS CREDITS FROM {emulator.database}.{emulator.schema}.COST_LEDGER
            WHERE COST_SOURCE = 'ACTUAL' GROUP BY USAGE_VIEW""")}
        emulator.close()
    no_exception(app)
    assert {view: round(float(value), 4) for view, value in by_view.items()} == {
        "CORTEX_AGENT_USAGE_HISTORY": 0.75, "SNOWFLAKE_COWORK_USAGE_HISTORY": 1.5}
    captions = [caption.value for caption in app.caption]
    assert "Actual credits by usage view: CORTEX_AGENT_USAGE_HISTORY 0.7500 · SNOWFLAKE_COWORK_USAGE_HISTORY 1.5000." \
        in captions
    assert metrics(app)["Requests matched to usage"] == f"{100 * 6 / len(roots):.1f}%"
    reconciliation = app.dataframe[1].value
    assert reconciliation["MATCHED_COWORK_REQUESTS"].sum() == 3
