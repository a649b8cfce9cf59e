"""Error-budget burns injected into generated traffic, for the SLO tests (test/sql/test_slo.py).

A fast burn is a burst of mostly failing turns (``incidents.error_burst``); a slow burn fails
every ``every``-th turn of an agent for hours, evenly, so the failure share is the same in every
window that holds enough turns: high enough to burn a budget several times faster than it
lasts, never high enough in any hour to look like a fast burn. ``turns_only`` keeps the rows the
SLO figures read, for traffic that must be cheap to load (a month).
"""

from __future__ import annotations

import copy
from datetime import datetime

from traffic.generator import ERROR, ROOT_SPAN, STATUS, STATUS_CODE, STATUS_DESCRIPTION, AgentRef, is_evaluation_event
from traffic.incidents import error_burst, of_agent

__all__ = ["fast_burn", "slow_burn", "turns_only", "is_turn"]

# How a failed turn's root span reads when only the orchestration failed (no failing child span).
SLOW_BURN_FAILURE = ("504", "Agent request timed out")


def is_turn(event: dict) -> bool:
    """A turn's root span (AgentV2RequestResponseInfo): the row that says whether it failed and how long it took."""
    return event["RECORD_TYPE"] == "SPAN" and event["RECORD"].get("name") == ROOT_SPAN


def fast_burn(*, seed: int, agent: AgentRef, start: datetime, end: datetime, turns_per_hour: float = 40.0,
              error_rate: float = 0.8) -> list[dict]:
    """Extra turns for ``agent`` in ``[start, end)``, ``error_rate`` of them failing."""
    return error_burst(seed=seed, agent=agent, start=start, end=end, turns_per_hour=turns_per_hour, error_rate=error_rate)


def slow_burn(events: list[dict], agent: AgentRef, start: datetime, end: datetime, every: int) -> list[dict]:
    """``events`` with every ``every``-th turn of ``agent`` ending in ``[start, end)`` failed:
    its root span's status, as when the request as a whole times out."""
    changed, seen = [], 0
    for event in events:
        if is_turn(event) and of_agent(event, agent) and start <= event["TIMESTAMP"] < end:
            seen += 1
            if seen % every == 0:
                event = copy.deepcopy(event)
                event["RECORD"]["status"] = {"code": ERROR}
                event["RECORD_ATTRIBUTES"][STATUS] = "ERROR"
                event["RECORD_ATTRIBUTES"][STATUS_CODE], event["RECORD_ATTRIBUTES"][STATUS_DESCRIPTION] = SLOW_BURN_FAILURE
        changed.append(event)
    return changed


def turns_only(events: list[dict]) -> list[dict]:
    """The turns' root spans and every row of the evaluation runs (which mark their traces): all
    an SLO reads, about a tenth of the rows."""
    evaluation_traces = {event["TRACE"]["trace_id"] for event in events
                         if is_evaluation_event(event) and event.get("TRACE")}
    return [event for event in events
            if is_turn(event) or (event.get("TRACE") and event["TRACE"]["trace_id"] in evaluation_traces)]
