"""Agent versions in generated traffic: a canary rollout with a chosen degradation.

Snowflake routes each request to a named version (by name, alias or shortcut) and the turn's spans
name the version that served it (``snow.ai.observability.object.version.name``, as the ingestion
reads it in sql/ingestion/parsed_events.sql). ``with_rollouts`` takes the events ``generate`` made
and, for each agent given a ``CanaryRollout``, sends a share of its turns to the candidate version
and the rest to the baseline, stamping the version on every span of the turn. Turns are assigned by
a generator seeded from the seed and the trace id, so an identical canary is an A/A split of one
agent's traffic: the same distribution on both sides, which is what the comparison's false-positive
rate is measured on. A degradation then changes only the candidate's turns:

* ``extra_error_rate``: each successful candidate turn fails with this probability, which raises the
  candidate's error rate by ``extra_error_rate * (1 - its error rate)`` (2 points at a 5% rate: 1.9);
* ``tool_latency_factor`` on ``slow_tool_kind``: each span of that tool kind lasts this many times
  longer, and the turn (root span and the Agent wrapper) grows by the added time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from traffic.generator import (
    AGENT_WRAPPER_SPAN,
    DATABASE_NAME,
    DURATION,
    ERROR,
    OBJECT_NAME,
    OBJECT_VERSION_NAME,
    RESPONSE,
    ROOT_SPAN,
    SCHEMA_NAME,
    STATUS,
    STATUS_CODE,
    STATUS_DESCRIPTION,
    TOOL,
    TURN_FAILURES,
)


@dataclass(frozen=True)
class CanaryRollout:
    """One agent's two versions: ``share`` of its turns reach ``candidate``, the rest ``baseline``."""

    baseline: str = "VERSION$1"
    candidate: str = "VERSION$2"
    share: float = 0.5
    extra_error_rate: float = 0.0
    slow_tool_kind: str | None = None
    tool_latency_factor: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.share < 1:
            raise ValueError(f"share must be between 0 and 1 (exclusive), got {self.share}")
        if not 0 <= self.extra_error_rate <= 1:
            raise ValueError(f"extra_error_rate must be between 0 and 1, got {self.extra_error_rate}")
        if self.tool_latency_factor < 1 or (self.tool_latency_factor != 1 and self.slow_tool_kind is None):
            raise ValueError("tool_latency_factor must be at least 1 and needs slow_tool_kind")


def agent_key(database: str, schema: str, name: str) -> str:
    return f"{database}.{schema}.{name}"


def _agent_of(event: dict) -> str | None:
    attributes = event.get("RECORD_ATTRIBUTES") or {}
    if OBJECT_NAME not in attributes:
        return None
    return agent_key(attributes.get(DATABASE_NAME), attributes.get(SCHEMA_NAME), attributes.get(OBJECT_NAME))


def _fail(root: dict) -> None:
    """The root span of a turn that failed in its last planning step (the generator's own failure)."""
    code, description = TURN_FAILURES["planning"]
    root["RECORD"] = {**root["RECORD"], "status": {"code": ERROR}}
    root["RECORD_ATTRIBUTES"].update({STATUS: "ERROR", STATUS_CODE: code, STATUS_DESCRIPTION: description, RESPONSE: ""})


def _slow_down(spans: list[dict], kind: str, factor: float) -> None:
    """Lengthens the spans of tool ``kind`` by ``factor`` (each starts earlier), and the turn's root
    span and Agent wrapper by the time added, so the turn's latency grows by exactly that time."""
    duration_key = f"{TOOL}{kind}.duration"
    added = timedelta(0)
    for span in spans:
        attributes = span["RECORD_ATTRIBUTES"]
        if duration_key in attributes and span["START_TIMESTAMP"] is not None:
            extra = (span["TIMESTAMP"] - span["START_TIMESTAMP"]) * (factor - 1)
            extra = timedelta(milliseconds=round(extra / timedelta(milliseconds=1)))
            span["START_TIMESTAMP"] -= extra
            attributes[duration_key] = attributes[duration_key] + round(extra / timedelta(milliseconds=1))
            added += extra
    for span in spans:
        if span["RECORD"]["name"] in (ROOT_SPAN, AGENT_WRAPPER_SPAN):
            span["START_TIMESTAMP"] -= added
            if DURATION in span["RECORD_ATTRIBUTES"]:
                span["RECORD_ATTRIBUTES"][DURATION] += round(added / timedelta(milliseconds=1))


def with_rollouts(events: list[dict], rollouts: dict[str, CanaryRollout], seed: int) -> list[dict]:
    """``events`` with the agents in ``rollouts`` (keyed by ``agent_key``) split between two versions.
    Events are copied where changed; rows without a trace (feedback, requests) carry no version, as
    in Snowflake's feedback rows, and join their turn by request id."""
    traces: dict[str, list[dict]] = {}
    copied: list[dict] = []
    for event in events:
        agent = _agent_of(event)
        if agent in rollouts and event.get("TRACE") and event["RECORD_TYPE"] == "SPAN":
            event = {**event, "RECORD_ATTRIBUTES": dict(event["RECORD_ATTRIBUTES"]), "RECORD": dict(event["RECORD"])}
            traces.setdefault(event["TRACE"]["trace_id"], []).append(event)
        copied.append(event)
    for trace_id, spans in traces.items():
        root = next((span for span in spans if span["RECORD"]["name"] == ROOT_SPAN), None)
        if root is None:
            continue
        rollout = rollouts[_agent_of(root)]
        rng = random.Random(f"{seed}:rollout:{trace_id}")
        candidate = rng.random() < rollout.share
        version = rollout.candidate if candidate else rollout.baseline
        for span in spans:
            span["RECORD_ATTRIBUTES"][OBJECT_VERSION_NAME] = version
        if not candidate:
            continue
        if root["RECORD_ATTRIBUTES"].get(STATUS) != "ERROR" and rng.random() < rollout.extra_error_rate:
            _fail(root)
        if rollout.slow_tool_kind is not None:
            _slow_down(spans, rollout.slow_tool_kind, rollout.tool_latency_factor)
    return copied
