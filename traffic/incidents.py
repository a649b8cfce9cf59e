"""Incidents injected into generated traffic, for the alerting tests (test/sql/test_alerts.py).

Each function either returns extra events for one agent (an error burst, a runaway thread) or
returns a changed copy of ``events`` in which one agent's rows inside ``[start, end)`` are
altered (slower turns, more tokens) or removed (silence). Everything is seeded and stays in the
event-table layout of ``traffic.generator``; an ingestion failure is not traffic (the tests
make the emulated event function refuse the agent).
"""

from __future__ import annotations

import copy
import random
from datetime import datetime

from traffic.generator import (
    DURATION,
    OBJECT_NAME,
    ROOT_SPAN,
    SCHEMA_NAME,
    DATABASE_NAME,
    TOKEN_COUNT,
    AgentRef,
    _ceil_ms,
    _make_profile,
    _make_users,
    _Thread,
    _turn,
    generate,
)

__all__ = ["error_burst", "slower_turns", "more_tokens", "runaway_thread", "silence", "of_agent"]


def of_agent(event: dict, agent: AgentRef) -> bool:
    attributes = event.get("RECORD_ATTRIBUTES") or {}
    return (attributes.get(OBJECT_NAME), attributes.get(SCHEMA_NAME), attributes.get(DATABASE_NAME)) == (
        agent.name, agent.schema, agent.database)


def _inside(event: dict, start: datetime, end: datetime) -> bool:
    return start <= event["TIMESTAMP"] < end


def error_burst(*, seed: int, agent: AgentRef, start: datetime, end: datetime, turns_per_hour: float = 40.0,
                error_rate: float = 0.8, feedback_rate: float = 0.5) -> list[dict]:
    """Extra turns for ``agent`` in ``[start, end)``, most of which fail; users rate a failing
    agent more often than a working one (``feedback_rate``). Production traffic only: no
    evaluation run."""
    return generate(seed=seed, agents=[agent], start=start, end=end, turns_per_agent_per_hour=turns_per_hour,
                    error_rate=error_rate, feedback_rate=feedback_rate, include_noise=False,
                    evaluation_runs_per_agent=0)


def slower_turns(events: list[dict], agent: AgentRef, start: datetime, end: datetime, factor: float) -> list[dict]:
    """``events`` with the agent's turns ending in ``[start, end)`` lasting ``factor`` times as long."""
    changed = []
    for event in events:
        if (event["RECORD_TYPE"] == "SPAN" and event["RECORD"].get("name") == ROOT_SPAN and of_agent(event, agent)
                and _inside(event, start, end) and event["START_TIMESTAMP"] is not None):
            event = copy.deepcopy(event)
            duration = event["TIMESTAMP"] - event["START_TIMESTAMP"]
            event["START_TIMESTAMP"] = event["TIMESTAMP"] - duration * factor
            event["RECORD_ATTRIBUTES"][DURATION] = int(event["RECORD_ATTRIBUTES"].get(DURATION, 0) * factor)
        changed.append(event)
    return changed


def more_tokens(events: list[dict], agent: AgentRef, start: datetime, end: datetime, factor: float) -> list[dict]:
    """``events`` with the agent's planning steps in ``[start, end)`` using ``factor`` times the tokens."""
    keys = [TOKEN_COUNT + part for part in ("input", "output", "total", "plan", "cache_read_input", "cache_write_input")]
    changed = []
    for event in events:
        attributes = event.get("RECORD_ATTRIBUTES") or {}
        if of_agent(event, agent) and _inside(event, start, end) and TOKEN_COUNT + "total" in attributes:
            event = copy.deepcopy(event)
            for key in keys:
                if key in event["RECORD_ATTRIBUTES"]:
                    event["RECORD_ATTRIBUTES"][key] = int(event["RECORD_ATTRIBUTES"][key] * factor)
        changed.append(event)
    return changed


def silence(events: list[dict], agent: AgentRef, start: datetime, end: datetime) -> list[dict]:
    """``events`` without the agent's rows in ``[start, end)``: the agent went quiet."""
    return [event for event in events if not (of_agent(event, agent) and _inside(event, start, end))]


def runaway_thread(*, seed: int, agent: AgentRef, start: datetime, turns: int, gap_seconds: int = 60) -> list[dict]:
    """One thread of ``turns`` turns from ``start``, a turn every ``gap_seconds`` or so (an agent stuck in a loop)."""
    rng = random.Random(f"{seed}:runaway:{agent.database}.{agent.schema}.{agent.name}")
    profile = _make_profile(rng, agent)
    user = _make_users(seed, 1)[0]
    resource = {
        "snow.user.name": user.name,
        "snow.user.id": user.id,
        "snow.session.id": rng.randrange(10**14, 10**15),
        "snow.session.role.primary.name": user.role,
        "snow.database.name": agent.database,
        "snow.schema.name": agent.schema,
    }
    thread = _Thread(thread_id=rng.randrange(10**12, 10**13), resource=resource)
    events: list[dict] = []
    at = _ceil_ms(start)
    for _ in range(turns):
        spans = _turn(rng, profile, thread, at, 0.0, 0.0)
        events += spans
        thread.parent_message_id = rng.randrange(10**12, 10**13)
        at = _ceil_ms(spans[-1]["TIMESTAMP"]) + gap_seconds * 1000
    return events
