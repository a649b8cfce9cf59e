"""The Versions page (streamlit/pages/10_Versions.py) against the shared emulator world, whose first
agent splits its turns between two identical versions (apptest.ROLLOUTS): the timeline, the versions
and the comparison with its verdicts show what VERSION_HISTORY and VERSION_COMPARISON hold; the
version pickers go through binds; a deployment without versions says where they come from."""

from __future__ import annotations

# apptest first: it puts test/sql and streamlit/ on sys.path.
from apptest import catalog, empty_emulator, no_injected_session_left, run_page, world  # noqa: F401 (fixtures)
from world import AGENTS

CANARY_AGENT = f"{AGENTS[0].database}.{AGENTS[0].schema}.{AGENTS[0].name}"


def test_the_page_shows_versions_and_the_default_comparison(world):
    app = run_page(world.emulator, "Versions")
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="wm_version_agent").value == CANARY_AGENT
    versions, comparison = app.dataframe[0].value, app.dataframe[1].value
    expected = world.emulator.query(
        "SELECT VERSION_NAME, TURNS FROM VERSION_HISTORY WHERE AGENT_FULL_NAME = ? ORDER BY VERSION_NAME", [CANARY_AGENT])
    assert sorted(zip(versions["VERSION_NAME"], versions["TURNS"])) == [(r["VERSION_NAME"], r["TURNS"]) for r in expected]
    # The turns name both versions; the discovery snapshot adds LIVE, which served no turn.
    sources = dict(zip(versions["VERSION_NAME"], versions["SOURCE"]))
    assert (sources["VERSION$1"], sources["VERSION$2"]) == ("EVENTS", "EVENTS")
    # No aliases are known: the newest version against the previous one, six metrics, each with a verdict.
    assert (app.selectbox(key="wm_version_baseline").value, app.selectbox(key="wm_version_candidate").value) in (
        ("VERSION$1", "VERSION$2"), ("VERSION$2", "VERSION$1"))
    assert list(comparison["MEASURE"]) == ["Error rate", "Latency p50", "Latency p95", "Tokens per turn",
                                           "Tool error rate", "Negative feedback rate"]
    assert set(comparison["VERDICT_TEXT"]) <= {"no difference", "not enough data yet"}
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Confidence"] == "99.0%" and shown["Overall verdict"] in ("no difference", "not enough data yet")


def test_the_pickers_choose_the_pair(world):
    app = run_page(world.emulator, "Versions")
    baseline = app.selectbox(key="wm_version_baseline").value
    candidate = app.selectbox(key="wm_version_candidate").value
    app.selectbox(key="wm_version_candidate").set_value(baseline).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="wm_version_baseline").value == candidate
    expected = world.emulator.query(
        "SELECT Z_SCORE FROM VERSION_COMPARISON WHERE AGENT_FULL_NAME = ? AND BASELINE_VERSION = ? AND CANDIDATE_VERSION = ? "
        "ORDER BY METRIC_ORDER", [CANARY_AGENT, candidate, baseline])
    assert [round(z, 6) for z in app.dataframe[1].value["Z"]] == [round(r["Z_SCORE"], 6) for r in expected]


def test_a_deployment_without_versions_says_where_they_come_from(empty_emulator):
    app = run_page(empty_emulator, "Versions")
    assert not app.exception, [e.value for e in app.exception]
    assert not app.dataframe
