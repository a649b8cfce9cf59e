"""Agent versions and canary comparisons (sql/versions/, the canary_worse rule) on the emulator.

One world holds every case, so it is ingested once and each view is queried once: 40 agents whose
canary is identical to production (an A/A split of one agent's traffic, each agent its own seed), a
canary with +20 points of error rate and 30 % slower Cortex Analyst calls, a canary with too little
traffic, and an agent whose events name no version (the discovery snapshot path). The statistics
themselves are checked on a tiny hand-computed example.
"""

from __future__ import annotations

import math
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from emulator import Coverage, NotificationService, embedded_statements, standalone_emulator, utc_now
from traffic import AgentRef, generate
from traffic.versions import CanaryRollout, agent_key

import alerting
import ingestion

ROOT = Path(__file__).resolve().parents[2]
DB, SCHEMA = "SALES_DB", "AGENTS"
IDENTICAL = [AgentRef(DB, SCHEMA, f"TWIN_{number:02d}") for number in range(40)]
WORSE = AgentRef(DB, SCHEMA, "WORSE_BOT")
SPARSE = AgentRef(DB, SCHEMA, "SPARSE_BOT")
SNAPSHOT_ONLY = AgentRef(DB, SCHEMA, "SNAPSHOT_BOT")
HOURS = 20
RATE = 12.0  # turns per agent per hour: about 120 turns per version, over twice the 50-turn minimum
# Failing turns: 10 % gives ~10 failures a version, above the 5 expected events a z-test needs.
ERROR_RATE = 0.1
WORSE_RATE = 24.0  # the degraded canary: enough turns that +20 points of errors clear the critical z
SPEC_V1 = "models:\n  orchestration: claude-4-sonnet\ninstructions:\n  response: Be brief.\ntools:\n  - name: sales\n"
SPEC_V2 = "models:\n  orchestration: claude-4-sonnet\ninstructions:\n  response: Be thorough.\ntools:\n  - name: sales\n"


def _coverage() -> Coverage:
    return getattr(sys.modules.get("conftest"), "_coverage", None) or Coverage()


def _key(agent: AgentRef) -> str:
    return agent_key(agent.database, agent.schema, agent.name)


def _versions(production: str, canary: str, default: str) -> list[dict]:
    return [
        {"name": production, "aliases": ["PRODUCTION"], "is_default": default == production, "created_on": "2026-01-01 00:00:00"},
        {"name": canary, "aliases": ["canary"], "is_default": default == canary, "created_on": "2026-02-01 00:00:00"},
    ]


@pytest.fixture(scope="module")
def world(catalog):
    now = utc_now().replace(microsecond=0)
    start = now - timedelta(hours=HOURS)
    rollouts = {_key(agent): CanaryRollout() for agent in IDENTICAL}
    rollouts[_key(WORSE)] = CanaryRollout(extra_error_rate=0.2, slow_tool_kind="cortex_analyst", tool_latency_factor=4.0)
    rollouts[_key(SPARSE)] = CanaryRollout()
    events = []
    # Each twin its own seed, so the 40 comparisons are 40 independent A/A experiments.
    for number, agent in enumerate(IDENTICAL):
        events += generate(seed=1000 + number, agents=[agent], start=start, end=now, turns_per_agent_per_hour=RATE,
                           error_rate=ERROR_RATE, include_noise=False, rollouts=rollouts)
    events += generate(seed=7, agents=[WORSE, SNAPSHOT_ONLY], start=start, end=now, turns_per_agent_per_hour=WORSE_RATE,
                       include_noise=False, rollouts=rollouts)
    events += generate(seed=8, agents=[SPARSE], start=start, end=now, turns_per_agent_per_hour=1.5,
                       include_noise=False, rollouts=rollouts)
    events.sort(key=lambda event: event["TIMESTAMP"])
    agents = [*IDENTICAL, WORSE, SPARSE, SNAPSHOT_ONLY]
    with standalone_emulator(catalog, _coverage()) as emulator:
        emulator.set_agents([(a.database, a.schema, a.name) for a in agents])
        for agent in agents:
            emulator.set_agent_versions((agent.database, agent.schema, agent.name), [])
        emulator.set_agent_versions((DB, SCHEMA, WORSE.name), _versions("VERSION$1", "VERSION$2", "VERSION$1"), SPEC_V1)
        emulator.set_agent_versions((DB, SCHEMA, SNAPSHOT_ONLY.name), _versions("VERSION$3", "VERSION$4", "VERSION$3"), SPEC_V1)
        emulator.deliver(events)
        discovered = ingestion.run_discovery_cycle(emulator.session, emulator.handler_statements(), "%", None, True)
        ingestion.run_refresh(emulator.session, emulator.handler_statements(), HOURS + 2, 60, "event_table")
        snapshots = emulator.view("AGENT_VERSION_SNAPSHOTS", order_by="AGENT_NAME, VERSION_NAME, SNAPSHOT_AT")
        # The snapshot path attributes a turn to the version that was the default when it ended: the
        # snapshot was taken after this traffic, so date it to before the traffic began.
        emulator.execute(f"UPDATE {emulator.database}.{emulator.schema}.AGENT_VERSION_SNAPSHOTS "
                         "SET SNAPSHOT_AT = DATEADD('hour', -48, SNAPSHOT_AT)")
        comparison = emulator.view("VERSION_COMPARISON", order_by="AGENT_NAME, BASELINE_VERSION, CANDIDATE_VERSION, METRIC_ORDER")
        history = emulator.view("VERSION_HISTORY", order_by="AGENT_NAME, VERSION_NAME")
        daily = emulator.view("VERSION_DAILY_TRAFFIC", order_by="AGENT_NAME, DAY, VERSION_NAME")
        tool_mix = emulator.view("VERSION_TOOL_MIX", order_by="AGENT_NAME, VERSION_NAME, TOOL_KIND")
        yield {"emulator": emulator, "now": now, "discovered": discovered, "snapshots": snapshots,
               "comparison": comparison, "history": history, "daily": daily, "tool_mix": tool_mix}


def _default(world, agent: AgentRef) -> list[dict]:
    return [row for row in world["comparison"] if row["AGENT_NAME"] == agent.name and row["IS_DEFAULT_PAIR"]]


def test_a_worse_canary_is_called_worse(world):
    rows = {row["METRIC"]: row for row in _default(world, WORSE)}
    some = rows["error_rate"]
    assert (some["BASELINE_VERSION"], some["CANDIDATE_VERSION"], some["PAIR_BASIS"]) == ("VERSION$1", "VERSION$2", "CANARY_VS_PRODUCTION")
    assert rows["error_rate"]["VERDICT"] == "worse", rows["error_rate"]
    assert rows["latency_p95_ms"]["VERDICT"] == "worse", rows["latency_p95_ms"]
    assert rows["latency_p95_ms"]["CANDIDATE_VALUE"] > rows["latency_p95_ms"]["BASELINE_VALUE"]
    assert some["OVERALL_VERDICT"] == "worse"
    # The reverse order of the same pair calls the production version better on the same evidence.
    reverse = [row for row in world["comparison"] if row["AGENT_NAME"] == WORSE.name
               and row["BASELINE_VERSION"] == "VERSION$2" and row["METRIC"] == "error_rate"]
    assert reverse[0]["VERDICT"] == "better" and math.isclose(reverse[0]["Z_SCORE"], -some["Z_SCORE"], rel_tol=1e-9)


def test_an_identical_canary_is_no_difference_in_at_least_95_percent_of_seeds(world, capsys):
    overall = {}
    for agent in IDENTICAL:
        rows = _default(world, agent)
        assert len(rows) == 6 and all(row["CANDIDATE_TURNS"] >= 50 and row["BASELINE_TURNS"] >= 50 for row in rows), agent
        overall[agent.name] = rows[0]["OVERALL_VERDICT"]
    rate = sum(verdict == "no difference" for verdict in overall.values()) / len(overall)
    with capsys.disabled():
        print(f"\nidentical canary called 'no difference' in {rate:.1%} of {len(overall)} seeds; "
              f"others: {sorted((name, v) for name, v in overall.items() if v != 'no difference')}")
    assert rate >= 0.95


def test_too_little_traffic_is_not_enough_data(world):
    rows = _default(world, SPARSE)
    assert rows and all(row["CANDIDATE_TURNS"] < 50 for row in rows)
    assert {row["VERDICT"] for row in rows} == {"not enough data"}
    assert rows[0]["OVERALL_VERDICT"] == "not enough data"


def test_versions_from_events_have_history_share_and_tool_mix(world):
    history = {(row["AGENT_NAME"], row["VERSION_NAME"]): row for row in world["history"]}
    worse_v2 = history[(WORSE.name, "VERSION$2")]
    assert worse_v2["SOURCE"] == "EVENTS" and worse_v2["TURNS"] > 100 and worse_v2["FIRST_SEEN"] < worse_v2["LAST_SEEN"]
    assert worse_v2["MODELS"] and "cortex_analyst" not in worse_v2["MODELS"] and worse_v2["TOOLS"]
    assert worse_v2["ALIASES"] == "CANARY" and worse_v2["PREVIOUS_VERSION"] == "VERSION$1"
    shares = [row["TRAFFIC_SHARE"] for row in world["daily"] if row["AGENT_NAME"] == WORSE.name]
    days = {row["DAY"] for row in world["daily"] if row["AGENT_NAME"] == WORSE.name}
    assert math.isclose(sum(shares), len(days))
    # The canary takes about half of each day's turns; the current UTC day may hold only a few
    # turns so far (just after midnight, of one version alone), so the split is checked on the days before it.
    today = datetime.now(timezone.utc).date()
    earlier = [row["TRAFFIC_SHARE"] for row in world["daily"] if row["AGENT_NAME"] == WORSE.name and row["DAY"] < today]
    assert earlier and all(0.3 < share < 0.7 for share in earlier if share)
    mix = {(row["VERSION_NAME"], row["TOOL_KIND"]): row for row in world["tool_mix"] if row["AGENT_NAME"] == WORSE.name}
    assert mix[("VERSION$1", "cortex_analyst")]["CALLS"] > 0 and 0 <= mix[("VERSION$2", "cortex_analyst")]["ERROR_RATE"] <= 1


def test_the_snapshot_path_records_versions_aliases_and_spec_parts(world):
    snapshots = [row for row in world["snapshots"] if row["AGENT_NAME"] == SNAPSHOT_ONLY.name]
    assert [(row["VERSION_NAME"], row["ALIASES"], row["IS_DEFAULT"]) for row in snapshots] == [
        ("VERSION$3", "PRODUCTION", True), ("VERSION$4", "CANARY", False)]
    assert snapshots[0]["SPEC_HASH"] == ingestion.spec_hashes(SPEC_V1)["spec_hash"] and snapshots[1]["SPEC_HASH"] is None
    assert "snapshot 4 versions of 43 agents, 4 changed" in world["discovered"]
    # Turns whose events name no version belong to the default version of their time, marked SNAPSHOT.
    history = {(row["AGENT_NAME"], row["VERSION_NAME"]): row for row in world["history"]}
    assert history[(SNAPSHOT_ONLY.name, "VERSION$3")]["SOURCE"] == "SNAPSHOT" and history[(SNAPSHOT_ONLY.name, "VERSION$3")]["TURNS"] > 100
    assert history[(SNAPSHOT_ONLY.name, "VERSION$4")]["TURNS"] == 0
    # CANARY against PRODUCTION, although the canary has no turns yet: not enough data.
    rows = _default(world, SNAPSHOT_ONLY)
    assert (rows[0]["CANDIDATE_VERSION"], rows[0]["PAIR_BASIS"], rows[0]["OVERALL_VERDICT"]) == (
        "VERSION$4", "CANARY_VS_PRODUCTION", "not enough data")


def test_a_second_cycle_stores_only_what_changed(world):
    emulator = world["emulator"]
    table = f"{emulator.database}.{emulator.schema}.AGENT_VERSION_SNAPSHOTS"
    assert "0 changed" in ingestion.run_discovery_cycle(emulator.session, emulator.handler_statements(), "%", None, True)
    # Promotion: the canary becomes the default, with the new spec; the old version keeps its hashes.
    emulator.set_agent_versions((DB, SCHEMA, SNAPSHOT_ONLY.name), _versions("VERSION$3", "VERSION$4", "VERSION$4"), SPEC_V2)
    assert "2 changed" in ingestion.run_discovery_cycle(emulator.session, emulator.handler_statements(), "%", None, True)
    rows = emulator.query(f"SELECT * FROM {table} WHERE AGENT_NAME = '{SNAPSHOT_ONLY.name}' ORDER BY SNAPSHOT_AT, VERSION_NAME")
    assert [(row["VERSION_NAME"], row["IS_DEFAULT"]) for row in rows] == [
        ("VERSION$3", True), ("VERSION$4", False), ("VERSION$3", False), ("VERSION$4", True)]
    newest = {row["VERSION_NAME"]: row for row in rows}
    assert newest["VERSION$4"]["IS_DEFAULT"] and newest["VERSION$3"]["SPEC_HASH"] == ingestion.spec_hashes(SPEC_V1)["spec_hash"]
    v3, v4 = ingestion.spec_hashes(SPEC_V1), ingestion.spec_hashes(SPEC_V2)
    assert newest["VERSION$4"]["INSTRUCTIONS_HASH"] == v4["instructions_hash"] != v3["instructions_hash"]
    assert (v4["tools_hash"], v4["models_hash"], v4["budget_hash"]) == (v3["tools_hash"], v3["models_hash"], v3["budget_hash"])


def test_an_agent_whose_versions_cannot_be_listed_does_not_stop_discovery(world):
    emulator = world["emulator"]
    emulator.failing_agents = {SPARSE.name}
    try:
        summary = ingestion.run_discovery_cycle(emulator.session, emulator.handler_statements(), "%", None, True)
    finally:
        emulator.failing_agents = set()
    assert summary.startswith("Found 43 agents; added 0; updated 43; ") and "versions not listed for 1 agents" in summary


def test_canary_worse_fires_for_the_worse_canary_only(world, catalog):
    emulator = world["emulator"]
    alerts = catalog["alerts"]
    _coverage().add([file for entry in alerts["statements"].values() for file in entry["files"]])
    texts = embedded_statements(alerts["embedding"])
    settings = dict(alerts["settings"])
    rules = settings["rules"]
    settings["rules"] = {**rules, "defaults": {name: {**rule, "enabled": name == "canary_worse"}
                                               for name, rule in rules["defaults"].items()}}
    alerting.run_evaluation(NotificationService(emulator), texts, settings, world["now"])
    fired = emulator.query(f"SELECT AGENT_NAME, LEVEL, VALUE, DETAIL FROM {emulator.database}.{emulator.schema}.ALERT_HISTORY "
                           "WHERE RULE_NAME = 'canary_worse'")
    assert [(row["AGENT_NAME"], row["LEVEL"]) for row in fired] == [(WORSE.name, "CRITICAL")], fired
    assert "VERSION$2 vs VERSION$1" in fired[0]["DETAIL"]


def test_the_statistics_match_hand_computed_values(world):
    """Baseline latencies 1, 2, 3, 4 and candidate 3, 5, 6: ranks 1, 2, 3.5, 3.5, 5, 6, 7, so R2 = 16.5,
    U2 = 10.5, mean 6, tie-corrected variance 8 - 6/42, z = 4.5 / sqrt(7.857143) = 1.605389. Errors 2 of
    10 against 5 of 10: pooled 0.35, z = 0.3 / sqrt(0.35 * 0.65 * 0.2) = 1.406422. Too few turns for a verdict."""
    emulator = world["emulator"]
    rows = [("A", 1, False), ("A", 2, False), ("A", 3, False), ("A", 4, False),
            ("B", 3, True), ("B", 5, True), ("B", 6, True)]
    turns = " UNION ALL ".join(
        f"SELECT 'D' AS AGENT_DATABASE, 'S' AS AGENT_SCHEMA, 'X' AS AGENT_NAME, '{version}' AS VERSION_NAME, "
        f"{ms} AS LATENCY_MS, {ms} AS TOKENS, {'TRUE' if i < 2 else 'FALSE'} AS FAILED, 0 AS TOOL_CALLS, 0 AS TOOL_ERRORS, "
        "FALSE AS RATED, FALSE AS NEGATIVE" for i, (version, ms, _) in enumerate(rows[:4]))
    turns += " UNION ALL " + " UNION ALL ".join(
        f"SELECT 'D', 'S', 'X', '{version}', {ms}, {ms}, {'TRUE' if ms != 6 else 'FALSE'}, 0, 0, FALSE, FALSE"
        for version, ms, _ in rows[4:])
    # 10 turns per version for the proportion: six more turns each, without latency or tokens.
    turns += " UNION ALL " + " UNION ALL ".join(
        f"SELECT 'D', 'S', 'X', '{version}', NULL, NULL, {'TRUE' if failed else 'FALSE'}, 0, 0, FALSE, FALSE"
        for version, failed in [("A", False)] * 6 + [("B", True)] * 3 + [("B", False)] * 4)
    compare = (ROOT / "sql" / "versions" / "compare.sql").read_text()
    _coverage().add(["sql/versions/compare.sql"])
    result = emulator.query(
        f"WITH turns AS ({turns}), pairs AS (SELECT 'D' AS AGENT_DATABASE, 'S' AS AGENT_SCHEMA, 'X' AS AGENT_NAME, "
        f"'A' AS BASELINE_VERSION, 'B' AS CANDIDATE_VERSION),\n{compare}\nSELECT * FROM comparison ORDER BY METRIC_ORDER")
    by_metric = {row["METRIC"]: row for row in result}
    assert (by_metric["error_rate"]["BASELINE_SAMPLE"], by_metric["error_rate"]["CANDIDATE_SAMPLE"]) == (10, 10)
    assert math.isclose(by_metric["error_rate"]["BASELINE_VALUE"], 0.2) and math.isclose(by_metric["error_rate"]["CANDIDATE_VALUE"], 0.5)
    assert math.isclose(by_metric["error_rate"]["Z_SCORE"], 1.406422, abs_tol=1e-6)
    assert math.isclose(by_metric["latency_p50_ms"]["Z_SCORE"], 1.605389, abs_tol=1e-6)
    assert math.isclose(by_metric["latency_p95_ms"]["Z_SCORE"], 1.605389, abs_tol=1e-6)
    assert (by_metric["latency_p50_ms"]["BASELINE_VALUE"], by_metric["latency_p50_ms"]["CANDIDATE_VALUE"]) == (2.5, 5)
    assert {row["VERDICT"] for row in result} == {"not enough data"} and result[0]["OVERALL_VERDICT"] == "not enough data"
    assert math.isclose(result[0]["CRITICAL_Z"], 3.0902) and math.isclose(result[0]["FAMILY_CONFIDENCE"], 0.99)
