"""traffic/versions.py: a canary rollout splits an agent's turns between two versions, and changes
only the candidate's turns, by exactly the degradation asked for."""

from __future__ import annotations

from datetime import datetime

from traffic import AgentRef, generate
from traffic.generator import DURATION, OBJECT_VERSION_NAME, ROOT_SPAN, STATUS
from traffic.versions import CanaryRollout, agent_key

AGENT, OTHER = AgentRef("DB", "S", "CANARY_BOT"), AgentRef("DB", "S", "PLAIN_BOT")
START, END = datetime(2026, 11, 30), datetime(2026, 12, 1)


def _roots(events, agent=AGENT):
    return {e["TRACE"]["trace_id"]: e for e in events if e["RECORD"].get("name") == ROOT_SPAN
            and e["RECORD_ATTRIBUTES"].get("snow.ai.observability.object.name") == agent.name}


def _traffic(rollout=None):
    rollouts = {agent_key(AGENT.database, AGENT.schema, AGENT.name): rollout} if rollout else None
    return generate(seed=3, agents=[AGENT, OTHER], start=START, end=END, turns_per_agent_per_hour=20,
                    include_noise=False, rollouts=rollouts)


def test_an_identical_rollout_only_names_the_version():
    plain, split = _traffic(), _traffic(CanaryRollout(share=0.25))
    assert len(plain) == len(split)
    versions = [root["RECORD_ATTRIBUTES"][OBJECT_VERSION_NAME] for root in _roots(split).values()]
    share = versions.count("VERSION$2") / len(versions)
    assert set(versions) == {"VERSION$1", "VERSION$2"} and 0.18 < share < 0.32
    for before, after in zip(plain, split):
        stripped = {k: v for k, v in (after["RECORD_ATTRIBUTES"] or {}).items() if k != OBJECT_VERSION_NAME}
        assert (before["RECORD_ATTRIBUTES"] or {}) == stripped and before["START_TIMESTAMP"] == after["START_TIMESTAMP"]
    assert not any(OBJECT_VERSION_NAME in (root["RECORD_ATTRIBUTES"] or {}) for root in _roots(split, OTHER).values())


def test_the_degradation_touches_candidate_turns_only():
    plain = _roots(_traffic())
    worse = _roots(_traffic(CanaryRollout(extra_error_rate=0.5, slow_tool_kind="cortex_search", tool_latency_factor=2.0)))
    flipped = slowed = 0
    for trace, root in worse.items():
        before = plain[trace]
        if root["RECORD_ATTRIBUTES"][OBJECT_VERSION_NAME] == "VERSION$1":
            assert root == {**before, "RECORD_ATTRIBUTES": {**before["RECORD_ATTRIBUTES"], OBJECT_VERSION_NAME: "VERSION$1"}}
            continue
        flipped += before["RECORD_ATTRIBUTES"][STATUS] != "ERROR" and root["RECORD_ATTRIBUTES"][STATUS] == "ERROR"
        added = before["START_TIMESTAMP"] - root["START_TIMESTAMP"]
        assert root["RECORD_ATTRIBUTES"][DURATION] - before["RECORD_ATTRIBUTES"][DURATION] == round(added.total_seconds() * 1000)
        slowed += added.total_seconds() > 0
    assert flipped > 20 and slowed > 20
