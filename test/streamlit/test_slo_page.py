"""The SLOs page (streamlit/pages/11_SLOs.py) against the emulator world, whose stack gives both
SALES_DB agents an availability and a latency objective (apptest.WORLD_SLOS): the headline, the
table and the budget chart show what SLO_STATUS and SLO_BUDGET_DAILY hold; an agent without an
objective, and a deployment without any, say so."""

from __future__ import annotations

import json

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import WORLD_SLOS, catalog, no_exception, no_injected_session_left, run_page, world  # noqa: F401 (fixtures)
from dashboard.fmt import MISSING
from world import AGENTS


def _name(agent) -> str:
    return f"{agent.database}.{agent.schema}.{agent.name}"


def test_the_page_shows_each_objective_its_budget_and_the_burn_down(world):
    app = run_page(world.emulator, "SLOs")
    no_exception(app)
    status = world.emulator.view("SLO_STATUS", "AGENT_FULL_NAME, OBJECTIVE")
    objectives = json.loads(WORLD_SLOS)[0]
    assert {(r["AGENT_FULL_NAME"], r["OBJECTIVE"]) for r in status} == {
        (_name(a), o) for a in AGENTS if a.database == "SALES_DB" for o in ("availability", "latency")}
    shown = {metric.label: metric.value for metric in app.metric}
    # A window without turns (the world rolls nothing up: early in a UTC day, today's raw turns
    # are the window's only ones) has no attainment and no budget: neither met nor spent.
    met = sum(1 for r in status if r["ATTAINMENT"] is not None and float(r["ATTAINMENT"]) >= float(r["TARGET"]))
    spent = sum(1 for r in status if r["BUDGET_REMAINING"] is not None and float(r["BUDGET_REMAINING"]) <= 0)
    assert shown == {"Objectives": "4", "Meeting target": str(met), "Out of budget": str(spent)}
    table = app.dataframe[0].value
    assert list(zip(table["AGENT_FULL_NAME"], table["SHOWN_TARGET"])) == [
        (r["AGENT_FULL_NAME"], f"{100 * float(r['TARGET']):.1f}%") for r in status]
    latency = table[table["SHOWN_OBJECTIVE"].str.startswith("latency")]
    assert set(latency["SHOWN_OBJECTIVE"]) == {"latency under 30.0 s"} and objectives["latency"]["thresholdMs"] == 30000
    assert list(table["SHOWN_ATTAINMENT"]) == [MISSING if r["ATTAINMENT"] is None else f"{100 * float(r['ATTAINMENT']):.2f}%"
                                               for r in status]
    assert list(table["WINDOW_TURNS"]) == [r["WINDOW_TURNS"] for r in status]
    if not any(float(r["WINDOW_TURNS"]) for r in status):
        # Early in a UTC day the world, which rolls nothing up, has no turn in any window yet.
        assert any("No turn of these agents in their objectives' windows yet." in c.value for c in app.caption)
        assert not app.get("arrow_vega_lite_chart")
        return
    # One line per agent objective in the budget chart, drawn through dashboard.charts.
    spec = json.loads(app.get("arrow_vega_lite_chart")[0].proto.spec)
    assert spec["title"] == "Error budget left over the window"
    assert spec["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_an_agent_without_an_objective_says_so(world):
    hr = _name(next(a for a in AGENTS if a.database == "HR_DB"))
    app = run_page(world.emulator, "SLOs", prepare=lambda a: a.session_state.__setitem__("wm_agents", [hr]))
    no_exception(app)
    assert any("None of the chosen agents has a service level objective" in info.value for info in app.info)
    assert not app.metric


def test_a_deployment_without_objectives_says_how_to_set_one(world):
    emulator = world.emulator
    view = f"{emulator.database}.{emulator.schema}.SLO_STATUS"
    original = emulator.catalog["views"]["SLO_STATUS"]["text"]
    # What SLO_STATUS answers on a stack without wallmonitor:slos: no row (its objective list is empty).
    emulator.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM ({original}) AS s WHERE FALSE")
    try:
        app = run_page(emulator, "SLOs")
    finally:
        emulator.execute(f"CREATE OR REPLACE VIEW {view} AS\n{original}")
    no_exception(app)
    assert any("No service level objective is set" in info.value for info in app.info)
    assert any(code.value.startswith("pulumi config set wallmonitor:slos '[") for code in app.code)
    assert not app.metric
