"""What the dashboard views should answer, computed in plain Python from generated events.

The oracle reads the raw event dicts that ``traffic.generate`` produces (the event-table layout
of /work/shared/docs/snowflake-domain.md section 1) and implements the views' documented
semantics directly, without the history table and without SQL:

* only Cortex Agent rows count (``traffic.is_cortex_agent_event``: either spelling of the type),
  and a row delivered twice with identical content counts once;
* a turn is a root span ``AgentV2RequestResponseInfo`` (category AGENT_RUN); LLM calls are
  ``ReasoningAgentStep*`` spans (planning, response generation) and ``ResponseGeneration``;
  retrieval is a ``CortexSearchService*`` span; tool executions are the other tool spans; the
  wrappers ``Agent`` and ``SystemExecuteSQLTool_*`` are WRAPPER (never a tool call, so their
  time is never added to tool time, and no status, so their failure is never counted again),
  ``Guardrails`` GUARDRAIL, ``CORTEX_AGENT_REQUEST`` rows
  REQUEST, unnamed evaluation spans EVALUATION;
* a trace is evaluation when any of its rows has an evaluation span type or a run name; rows
  without a trace go by their own mark. Every production view leaves evaluation rows out
  (``production``); ``evaluation_runs`` counts them;
* tokens (cache reads and writes too) come from LLM-call spans only, the model from the
  planning-span attributes; a span's duration is
  TIMESTAMP - START_TIMESTAMP in milliseconds; a span's status is ERROR when its OpenTelemetry
  status code or its status attribute says so, else OK (rows that are not spans have none);
* the user is ``RESOURCE_ATTRIBUTES["snow.user.name"]``; thread ids are strings;
* percentiles are PERCENTILE_CONT (linear interpolation between the closest ranks);
* DATEDIFF counts unit boundaries crossed, as Snowflake does.

Where SQL has an inherent tie (MODE, MAX_BY on equal timestamps) the oracle answers ``AnyOf``
the tied values.
"""

from __future__ import annotations

import dataclasses

import json
import math
import numbers
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from traffic import is_cortex_agent_event

OBS = "snow.ai.observability."
AGENT = OBS + "agent."
TOKENS = AGENT + "planning.token_count."
TOOL_KINDS = ("cortex_analyst", "cortex_search", "sql_execution", "custom_tool", "web_search", "chart_generation")
# The attributes that carry a span's status word, in the order the turn, planning and tools use them.
STATUS_KEYS = (AGENT + "status", AGENT + "planning.status", *(f"{AGENT}tool.{kind}.status" for kind in TOOL_KINDS))
ERROR_WORDS = {"ERROR", "FAILED", "FAILURE"}
TOOL_SPAN_PREFIXES = ("CortexAnalystTool", "SemanticContextTool", "SqlExecution", "ToolCall-", "CortexChartToolImpl",
                      "ServerSkillTool", "CodeExecutionTool", "ServerMCPTool", "AgentRouterTool")
EVALUATION_SPAN_TYPES = {"record_root", "eval_root", "eval", "cortex_agent_ground_truth"}
# Where a span names its tool: an attribute first, else the span name (CortexSearchService_<name>).
TOOL_NAME_KEYS = tuple(f"{AGENT}tool.{kind}.name" for kind in ("cortex_analyst", "cortex_search", "custom_tool", "web_search"))
TOOL_NAME_IN_SPAN = re.compile(r"^(CortexAnalystTool|SemanticContextTool|CortexSearchService|ToolCall|ServerSkillTool"
                               r"|CodeExecutionTool|ServerMCPTool|AgentRouterTool)[_-](.+)$")
# Where a failed span says why, and its status code, in the order they are consulted.
_STATUS_TOOL_KINDS = ("cortex_analyst", "cortex_search", "sql_execution", "custom_tool", "web_search", "chart_generation")
DESCRIPTION_KEYS = (AGENT + "status.description", *(f"{AGENT}tool.{kind}.status.description" for kind in _STATUS_TOOL_KINDS))
CODE_KEYS = (AGENT + "status.code", AGENT + "planning.status.code",
             *(f"{AGENT}tool.{kind}.status.code" for kind in _STATUS_TOOL_KINDS))


class AnyOf:
    """An expected value where SQL may pick any of several tied candidates."""

    def __init__(self, values):
        self.values = frozenset(values)

    def __eq__(self, other):
        return other in self.values

    def __hash__(self):
        return hash(self.values)

    def __repr__(self):
        return f"AnyOf({sorted(self.values, key=str)})"


@dataclass(frozen=True)
class Event:
    """One ingested row, with the columns the dashboards group and aggregate."""

    agent: str  # DB.SCHEMA.NAME
    database: str
    schema: str
    name: str
    timestamp: datetime
    start: datetime | None
    record_type: str
    event_name: str | None
    category: str
    span_id: str | None
    trace_id: str | None
    thread_id: str | None
    user: str | None
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    duration_ms: int | None
    status: str | None
    request_id: str | None = None
    tool_name: str | None = None
    error_message: str | None = None
    feedback_positive: bool | None = None
    feedback_message: str | None = None
    feedback_request_id: str | None = None
    feedback_categories: tuple | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    evaluation_mark: bool = False  # the row itself says it is evaluation
    run_name: str | None = None
    is_evaluation: bool = False  # the row or any row of its trace says so (set by ``ingest``)
    evaluation_run_name: str | None = None

    @property
    def is_span(self) -> bool:
        return self.record_type == "SPAN"

    @property
    def span_name(self) -> str | None:
        return self.event_name if self.is_span else None


def _category(record_type: str, name: str, attributes: dict) -> str:
    if name == "CORTEX_AGENT_FEEDBACK":
        return "FEEDBACK"
    if name == "CORTEX_AGENT_REQUEST":
        return "REQUEST"
    if record_type != "SPAN":
        return "OTHER"
    if name == "AgentV2RequestResponseInfo":
        return "AGENT_RUN"
    if name.startswith("ReasoningAgentStep") or name == "ResponseGeneration":
        return "LLM_CALL"
    if name == "Agent" or name.startswith("SystemExecuteSQLTool"):
        return "WRAPPER"
    if name == "Guardrails":
        return "GUARDRAIL"
    if name.startswith("CortexSearchService") or AGENT + "tool.cortex_search.duration" in attributes:
        return "RETRIEVAL"
    if (name.startswith(TOOL_SPAN_PREFIXES)
            or AGENT + "tool.web_search.duration" in attributes or AGENT + "tool.custom_tool.duration" in attributes):
        return "TOOL_EXECUTION"
    if str(attributes.get("ai.observability.span_type") or "").lower() in EVALUATION_SPAN_TYPES:
        return "EVALUATION"
    return "OTHER"


def _status(raw: dict) -> str | None:
    """ERROR or OK for a span; None for other rows and for wrappers, whose outcome is their inner span's."""
    name = raw["RECORD"].get("name") or ""
    if raw["RECORD_TYPE"] != "SPAN" or name == "Agent" or name.startswith("SystemExecuteSQLTool"):
        return None
    attributes = raw["RECORD_ATTRIBUTES"]
    word = next((attributes[key] for key in STATUS_KEYS if attributes.get(key) is not None), None)
    failed = (raw["RECORD"].get("status") or {}).get("code") == "STATUS_CODE_ERROR"
    return "ERROR" if failed or str(word or "").upper() in ERROR_WORDS else "OK"


def _first(attributes: dict, keys) -> str | None:
    """COALESCE over attributes."""
    return next((attributes[key] for key in keys if attributes.get(key) is not None), None)


def _tool_name(name: str, attributes: dict) -> str | None:
    named = _first(attributes, TOOL_NAME_KEYS)
    if named is not None:
        return named
    match = TOOL_NAME_IN_SPAN.match(name)
    if match:
        return match.group(2)
    return name if name.startswith(("SqlExecution", "CortexChartToolImpl")) else None


def _error_message(raw: dict, status: str | None) -> str | None:
    """Why a failed span failed: its description, else its status code, else 'error'."""
    if status != "ERROR":
        return None
    record_status = raw["RECORD"].get("status") or {}
    attributes = raw["RECORD_ATTRIBUTES"]
    description = record_status.get("message")
    if description is None:
        description = _first(attributes, DESCRIPTION_KEYS)
    code = _first(attributes, CODE_KEYS)
    if code is None:
        code = record_status.get("code")
    return next((str(v) for v in (description, code) if v is not None), "error")


def _total_tokens(attributes: dict) -> int | None:
    """The planning span's total, or input + output when the total was not recorded."""
    if TOKENS + "total" in attributes:
        return attributes[TOKENS + "total"]
    if TOKENS + "input" in attributes and TOKENS + "output" in attributes:
        return attributes[TOKENS + "input"] + attributes[TOKENS + "output"]
    return None


def _ms(delta: timedelta) -> int:
    return delta // timedelta(milliseconds=1)


def parse(raw: dict) -> Event:
    attributes = raw["RECORD_ATTRIBUTES"]
    resource = raw["RESOURCE_ATTRIBUTES"] or {}
    trace = raw["TRACE"] or {}
    name = raw["RECORD"].get("name")
    database, schema, agent = attributes[OBS + "database.name"], attributes[OBS + "schema.name"], attributes[OBS + "object.name"]
    thread = attributes.get(AGENT + "thread_id")
    user = resource.get("snow.user.name", resource.get("snow.user.id"))
    is_span = raw["RECORD_TYPE"] == "SPAN"
    status = _status(raw)
    value = raw["VALUE"] if isinstance(raw["VALUE"], dict) else {}
    category = _category(raw["RECORD_TYPE"], name or "", attributes)
    llm = category == "LLM_CALL"
    run_name = attributes.get(OBS + "run.name")
    span_type = str(attributes.get("ai.observability.span_type") or "").lower()
    return Event(
        agent=f"{database}.{schema}.{agent}", database=database, schema=schema, name=agent,
        timestamp=raw["TIMESTAMP"], start=raw["START_TIMESTAMP"], record_type=raw["RECORD_TYPE"],
        event_name=name, category=category,
        span_id=trace.get("span_id"), trace_id=trace.get("trace_id"),
        thread_id=None if thread is None else str(thread),
        user=None if user is None else str(user),
        model=attributes.get(AGENT + "planning.model"),
        prompt_tokens=attributes.get(TOKENS + "input") if llm else None,
        completion_tokens=attributes.get(TOKENS + "output") if llm else None,
        total_tokens=_total_tokens(attributes) if llm else None,
        duration_ms=_ms(raw["TIMESTAMP"] - raw["START_TIMESTAMP"]) if is_span else None,
        status=status,
        request_id=attributes.get(AGENT + "request_id"),
        tool_name=_tool_name(name or "", attributes),
        error_message=_error_message(raw, status),
        feedback_positive=value.get("positive"),
        feedback_message=value.get("feedback_message"),
        feedback_request_id=value.get("orig_request_id"),
        feedback_categories=None if value.get("categories") is None else tuple(value["categories"]),
        cache_read_tokens=attributes.get(TOKENS + "cache_read_input") if llm else None,
        cache_write_tokens=attributes.get(TOKENS + "cache_write_input") if llm else None,
        evaluation_mark=span_type in EVALUATION_SPAN_TYPES or run_name is not None,
        run_name=run_name,
    )


def stores_no_free_text(config: dict) -> bool:
    """Whether a stack stores no feedback text (nor any other text a user typed): when it does not
    store conversation text, or when its refresh task reads through GET_AI_OBSERVABILITY_EVENTS
    without READ UNREDACTED AI OBSERVABILITY EVENTS TABLE, which hands the text over redacted. On
    the emulator `auto` reads the event table, which is never redacted."""
    return (not config["storeConversationText"]
            or (config["ingestPath"] == "per_agent" and not config["readUnredactedEvents"]))


def ingest(delivered: list[dict], agents, without_free_text: bool = False) -> list[Event]:
    """The rows the history should hold: Cortex Agent rows of the monitored ``agents``
    ((database, schema, name) triples), each exact duplicate delivery counted once; without
    feedback text when ``without_free_text`` (see stores_no_free_text)."""
    monitored = {tuple(agent) for agent in agents}
    seen: set[str] = set()
    events = []
    for raw in delivered:
        if not is_cortex_agent_event(raw):
            continue
        content = json.dumps(raw, sort_keys=True, default=str)
        if content in seen:
            continue
        seen.add(content)
        event = parse(raw)
        if without_free_text:
            event = dataclasses.replace(event, feedback_message=None)
        if (event.database, event.schema, event.name) in monitored:
            events.append(event)
    return mark_evaluation(events)


def mark_evaluation(events: list[Event]) -> list[Event]:
    """Each event with its trace's verdict: evaluation when it or any event of its trace is marked,
    with the trace's run name (the greatest, as MAX picks)."""
    runs: dict = {}
    for e in events:
        if e.evaluation_mark and e.trace_id is not None:
            names = runs.setdefault((e.agent, e.trace_id), set())
            if e.run_name is not None:
                names.add(e.run_name)
    marked = []
    for e in events:
        trace = runs.get((e.agent, e.trace_id)) if e.trace_id is not None else None
        run_name = e.run_name if e.run_name is not None else (max(trace) if trace else None)
        marked.append(replace(e, is_evaluation=e.evaluation_mark or trace is not None, evaluation_run_name=run_name))
    return marked


def production(events: list[Event]) -> list[Event]:
    """The events every production view reads: no row of an evaluation run."""
    return [e for e in events if not e.is_evaluation]


def realtime(events: list[Event], now: datetime, hours: int = 24) -> list[Event]:
    """The realtime window: events of the last ``hours`` hours."""
    return [e for e in events if e.timestamp >= now - timedelta(hours=hours)]


# --- aggregates, each with SQL's NULL behaviour --------------------------------------------------
def percentile_cont(values, q: float) -> float | None:
    """PERCENTILE_CONT(q): linear interpolation between the two closest ranks; NULLs ignored."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


def avg(values) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def total(values) -> int:
    """COALESCE(SUM(x), 0)."""
    return sum(v for v in values if v is not None)


def ratio(numerator, denominator) -> float | None:
    """numerator / NULLIF(denominator, 0), NULL in, NULL out."""
    return None if numerator is None or not denominator else numerator / denominator


def distinct(values) -> int:
    return len({v for v in values if v is not None})


# The average relative error of Snowflake's HLL_ESTIMATE (precision 12), as documented:
# https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality
HLL_RELATIVE_ERROR = 0.0162338
# An estimate may miss by more than the average error: the tests allow three times it (over 99 % of
# estimates fall within), and at least 1 for the rounding of a small count.
HLL_ALLOWED_ERRORS = 3


class DistinctEstimate:
    """An expected distinct count that the views estimate from merged HyperLogLog states: equal to
    every estimate within HLL_ALLOWED_ERRORS x HLL_RELATIVE_ERROR of the exact count (0 only for 0)."""

    def __init__(self, exact: int):
        self.exact = exact
        self.allowed = 0 if exact == 0 else max(1, math.ceil(HLL_ALLOWED_ERRORS * HLL_RELATIVE_ERROR * exact))

    def __eq__(self, other):
        return isinstance(other, numbers.Real) and abs(other - self.exact) <= self.allowed

    def __hash__(self):
        return hash(self.exact)

    def __repr__(self):
        return f"DistinctEstimate({self.exact} +/- {self.allowed})"


def distinct_estimate(values) -> DistinctEstimate:
    """What a view estimating distinct values with HLL answers for ``values``."""
    return DistinctEstimate(distinct(values))


# Snowflake's APPROX_PERCENTILE is a t-Digest documented only as having "a constant relative
# error", with "no rigorous proof of any accuracy guarantees"
# (https://docs.snowflake.com/en/user-guide/querying-approximate-percentile-values): no bound to
# derive a tolerance from. A t-Digest's error is in rank, smallest towards the tails, so the tests
# bound the rank: the estimate of q lies between the values ranked q - PERCENTILE_RANK_ERROR and
# q + PERCENTILE_RANK_ERROR of the same group (for the p95, between the p91 and the p99), rounded
# outwards to values of the group, since a digest of a few values returns one of them (DuckDB's
# approx_quantile, behind the emulator, gives the maximum of five). A p50 or a mean of any but the
# smallest groups falls outside it; the maximum does only from 101 values on.
PERCENTILE_RANK_ERROR = 0.04


class PercentileEstimate:
    """An expected APPROX_PERCENTILE(value, q): equal to any number between the group's values ranked
    q - PERCENTILE_RANK_ERROR and q + PERCENTILE_RANK_ERROR (rounded outwards); NULL for no values."""

    def __init__(self, values, q: float):
        self.ordered = sorted(v for v in values if v is not None)
        last = len(self.ordered) - 1
        self.low = self.ordered[max(0, math.floor((q - PERCENTILE_RANK_ERROR) * last))] if self.ordered else None
        self.high = self.ordered[min(last, math.ceil((q + PERCENTILE_RANK_ERROR) * last))] if self.ordered else None

    def __eq__(self, other):
        if self.low is None:
            return other is None
        return isinstance(other, numbers.Real) and self.low <= other <= self.high

    def __hash__(self):
        return hash((self.low, self.high))

    def __repr__(self):
        return f"PercentileEstimate({self.low} to {self.high} of {len(self.ordered)} values)"


def mode(values) -> AnyOf | None:
    counts: dict = defaultdict(int)
    for v in values:
        if v is not None:
            counts[v] += 1
    if not counts:
        return None
    most = max(counts.values())
    return AnyOf(v for v, n in counts.items() if n == most)


def latest(pairs) -> AnyOf | None:
    """MAX_BY(value, key) over (value, key) pairs whose key is not NULL."""
    keyed = [(key, value) for value, key in pairs if key is not None]
    if not keyed:
        return None
    newest = max(key for key, _ in keyed)
    return AnyOf(value for key, value in keyed if key == newest)


def seconds_between(start: datetime, end: datetime) -> int:
    """DATEDIFF('second', start, end): whole-second boundaries crossed."""
    return math.floor((end - datetime(1970, 1, 1)).total_seconds()) - math.floor((start - datetime(1970, 1, 1)).total_seconds())


def _count(events, category) -> int:
    return sum(e.category == category for e in events)


def _errors(events) -> int:
    return sum(e.status == "ERROR" for e in events)


def _group(events, key) -> dict:
    groups = defaultdict(list)
    for e in events:
        groups[key(e)].append(e)
    return groups


def _began(e: Event) -> datetime:
    return e.start or e.timestamp


# --- the views -----------------------------------------------------------------------------------
def thread_activity(events: list[Event]) -> dict[tuple[str, str], dict]:
    """THREAD_ACTIVITY(_RECENT), keyed by (agent, thread id)."""
    events = production(events)
    rows = {}
    for (agent, thread), rows_of in _group([e for e in events if e.thread_id], lambda e: (e.agent, e.thread_id)).items():
        start, last = min(map(_began, rows_of)), max(e.timestamp for e in rows_of)
        turns = [e for e in rows_of if e.category == "AGENT_RUN"]
        rows[(agent, thread)] = {
            "AGENT_FULL_NAME": agent,
            "THREAD_ID": thread,
            "USER_ID": latest((e.user, e.timestamp) for e in rows_of),
            "THREAD_START_TIME": start,
            "THREAD_LAST_ACTIVITY": last,
            "THREAD_DURATION_SECONDS": seconds_between(start, last),
            "TOTAL_EVENTS": len(rows_of),
            "TOTAL_SPANS": sum(e.is_span for e in rows_of),
            "LLM_CALLS": _count(rows_of, "LLM_CALL"),
            "TOOL_CALLS": _count(rows_of, "TOOL_EXECUTION"),
            "RETRIEVAL_CALLS": _count(rows_of, "RETRIEVAL"),
            "TOTAL_PROMPT_TOKENS": total(e.prompt_tokens for e in rows_of),
            "TOTAL_COMPLETION_TOKENS": total(e.completion_tokens for e in rows_of),
            "TOTAL_TOKENS": total(e.total_tokens for e in rows_of),
            "TOTAL_DURATION_MS": total(e.duration_ms for e in turns),
            "AVG_LLM_LATENCY_MS": avg(e.duration_ms for e in rows_of if e.category == "LLM_CALL"),
            "AVG_TOOL_LATENCY_MS": avg(e.duration_ms for e in rows_of if e.category == "TOOL_EXECUTION"),
            "AVG_RETRIEVAL_LATENCY_MS": avg(e.duration_ms for e in rows_of if e.category == "RETRIEVAL"),
            "ERROR_COUNT": _errors(rows_of),
            "SUCCESS_COUNT": sum(e.status == "OK" for e in rows_of),
            "LATEST_STATUS": latest((e.status, e.timestamp) for e in turns),
            "LATEST_MODEL": latest((e.model, e.timestamp) for e in rows_of if e.model is not None),
            "TURNS": len(turns),
            "FAILED_TURNS": _errors(turns),
        }
    return rows


def agent_metrics(events: list[Event]) -> dict[str, dict]:
    """AGENT_METRICS(_RECENT), keyed by agent full name."""
    events = production(events)
    rows = {}
    for agent, rows_of in _group(events, lambda e: e.agent).items():
        first = rows_of[0]
        spans = [e.duration_ms for e in rows_of if e.is_span]
        turns = [e for e in rows_of if e.category == "AGENT_RUN"]
        turn_latency = [e.duration_ms for e in turns]
        tokens = total(e.total_tokens for e in rows_of)
        with_status = sum(e.status is not None for e in rows_of)
        rows[agent] = {
            "AGENT_FULL_NAME": agent,
            "AGENT_DATABASE": first.database,
            "AGENT_SCHEMA": first.schema,
            "AGENT_NAME": first.name,
            "UNIQUE_THREADS": distinct(e.thread_id for e in rows_of),
            "UNIQUE_USERS": distinct(e.user for e in rows_of),
            "TOTAL_EVENTS": len(rows_of),
            "TOTAL_SPANS": len(spans),
            "LLM_CALLS": _count(rows_of, "LLM_CALL"),
            "TOOL_CALLS": _count(rows_of, "TOOL_EXECUTION"),
            "RETRIEVAL_CALLS": _count(rows_of, "RETRIEVAL"),
            "AGENT_RUNS": len(turns),
            "TOTAL_TOKENS": tokens,
            "TOTAL_PROMPT_TOKENS": total(e.prompt_tokens for e in rows_of),
            "TOTAL_COMPLETION_TOKENS": total(e.completion_tokens for e in rows_of),
            "AVG_TOKENS_PER_EVENT": ratio(tokens, len(rows_of)),
            "AVG_SPAN_DURATION_MS": avg(spans),
            "P50_SPAN_DURATION_MS": percentile_cont(spans, 0.50),
            "P95_SPAN_DURATION_MS": percentile_cont(spans, 0.95),
            "P99_SPAN_DURATION_MS": percentile_cont(spans, 0.99),
            "MODELS_USED": distinct(e.model for e in rows_of),
            "MOST_USED_MODEL": mode(e.model for e in rows_of),
            "ERROR_COUNT": _errors(rows_of),
            "SUCCESS_COUNT": sum(e.status == "OK" for e in rows_of),
            "ERROR_RATE_PCT": ratio(100 * _errors(rows_of), with_status),
            "FIRST_EVENT": min(e.timestamp for e in rows_of),
            "LAST_EVENT": max(e.timestamp for e in rows_of),
            "ACTIVE_DAYS": distinct(e.timestamp.date() for e in rows_of),
            "AVG_TOKENS_PER_TURN": ratio(tokens, len(turns)),
            "AVG_TURN_LATENCY_MS": avg(turn_latency),
            "P50_TURN_LATENCY_MS": percentile_cont(turn_latency, 0.50),
            "P95_TURN_LATENCY_MS": percentile_cont(turn_latency, 0.95),
            "P99_TURN_LATENCY_MS": percentile_cont(turn_latency, 0.99),
            "FAILED_TURNS": _errors(turns),
            "TURN_ERROR_RATE_PCT": ratio(100 * _errors(turns), len(turns)),
            "TOTAL_CACHE_READ_TOKENS": total(e.cache_read_tokens for e in rows_of),
            "TOTAL_CACHE_WRITE_TOKENS": total(e.cache_write_tokens for e in rows_of),
        }
    return rows


def hourly_thread_activity(events: list[Event], estimated: bool = False) -> dict[tuple[datetime, str], dict]:
    """HOURLY_THREAD_ACTIVITY(_RECENT), keyed by (UTC hour, agent). ``estimated``: the dynamic
    table behind HOURLY_THREAD_ACTIVITY_RECENT, whose distinct counts are APPROX_COUNT_DISTINCT and
    whose p95 is APPROX_PERCENTILE (sql/dashboards/hourly_thread_activity_dt.sql); every other
    column is exact in both."""
    count_distinct = distinct_estimate if estimated else distinct
    p95 = (lambda values: PercentileEstimate(values, 0.95)) if estimated else (lambda values: percentile_cont(values, 0.95))
    events = production(events)
    rows = {}
    hour_of = lambda e: e.timestamp.replace(minute=0, second=0, microsecond=0)  # noqa: E731
    for (hour, agent), rows_of in _group(events, lambda e: (hour_of(e), e.agent)).items():
        spans = [e.duration_ms for e in rows_of if e.is_span]
        rows[(hour, agent)] = {
            "EVENT_HOUR": hour,
            "AGENT_FULL_NAME": agent,
            "UNIQUE_THREADS": count_distinct(e.thread_id for e in rows_of),
            "UNIQUE_USERS": count_distinct(e.user for e in rows_of),
            "TOTAL_EVENTS": len(rows_of),
            "LLM_CALLS": _count(rows_of, "LLM_CALL"),
            "TOOL_CALLS": _count(rows_of, "TOOL_EXECUTION"),
            "RETRIEVAL_CALLS": _count(rows_of, "RETRIEVAL"),
            "TOTAL_TOKENS": total(e.total_tokens for e in rows_of),
            "TOTAL_PROMPT_TOKENS": total(e.prompt_tokens for e in rows_of),
            "TOTAL_COMPLETION_TOKENS": total(e.completion_tokens for e in rows_of),
            "AVG_SPAN_DURATION_MS": avg(spans),
            "P95_SPAN_DURATION_MS": p95(spans),
            "ERROR_COUNT": _errors(rows_of),
            "TURNS": _count(rows_of, "AGENT_RUN"),
        }
    return rows


def thread_timeline(events: list[Event]) -> dict[tuple[str, str], list[dict]]:
    """THREAD_TIMELINE(_RECENT): each thread's rows in order (by start, end, span id - rows
    without one last - and name), keyed by (agent, thread id); production threads only."""
    events = production(events)
    timelines = {}
    for (agent, thread), rows_of in _group([e for e in events if e.thread_id], lambda e: (e.agent, e.thread_id)).items():
        ordered = sorted(rows_of, key=lambda e: (_began(e), e.timestamp, e.span_id is None, e.span_id or "",
                                                  e.event_name is None, e.event_name or ""))
        thread_start = _began(ordered[0])
        timelines[(agent, thread)] = [{
            "THREAD_ID": thread,
            "AGENT_FULL_NAME": agent,
            "EVENT_TIMESTAMP": e.timestamp,
            "SPAN_NAME": e.span_name,
            "SPAN_CATEGORY": e.category,
            "SPAN_ID": e.span_id,
            "TRACE_ID": e.trace_id,
            "MODEL_NAME": e.model,
            "TOTAL_TOKENS": e.total_tokens,
            "PROMPT_TOKENS": e.prompt_tokens,
            "COMPLETION_TOKENS": e.completion_tokens,
            "SPAN_DURATION_MS": e.duration_ms,
            "TOOL_NAME": e.tool_name,
            "STATUS": e.status,
            "ERROR_MESSAGE": e.error_message,
            "EVENT_SEQUENCE": sequence,
            "SECONDS_SINCE_THREAD_START": _ms(_began(e) - thread_start) / 1000,
            "START_TIMESTAMP": e.start,
            "USER_ID": e.user,
        } for sequence, e in enumerate(ordered, start=1)]
    return timelines


def _kpi_totals(events: list[Event]) -> dict:
    with_status = sum(e.status is not None for e in events)
    return {
        "ACTIVE_THREADS": distinct(e.thread_id for e in events),
        "ACTIVE_USERS": distinct(e.user for e in events),
        "ACTIVE_AGENTS": distinct(e.agent for e in events),
        "TOTAL_EVENTS": len(events),
        "LLM_CALLS": _count(events, "LLM_CALL"),
        "TOTAL_TOKENS": total(e.total_tokens for e in events),
        "AVG_SPAN_DURATION_MS": avg(e.duration_ms for e in events),
        "ERRORS": _errors(events),
        "ERROR_RATE_PCT": ratio(100 * _errors(events), with_status),
    }


def _change_pct(current, previous) -> float | None:
    """Change in percent; NULL when there is no previous value to compare with."""
    return None if current is None or not previous else 100 * (current - previous) / previous


def realtime_kpi(events: list[Event], now: datetime) -> dict:
    """REALTIME_KPI: the last hour [now - 1 h, now] against the hour before it."""
    events = production(events)
    hour = timedelta(hours=1)
    current = _kpi_totals([e for e in events if now - hour <= e.timestamp <= now])
    before = [e for e in events if now - 2 * hour <= e.timestamp < now - hour]
    previous = _kpi_totals(before) if before else dict.fromkeys(current)
    return {
        "PERIOD": "LAST_HOUR",
        **current,
        "THREADS_CHANGE_PCT": _change_pct(current["ACTIVE_THREADS"], previous["ACTIVE_THREADS"]),
        "LLM_CALLS_CHANGE_PCT": _change_pct(current["LLM_CALLS"], previous["LLM_CALLS"]),
        "TOKENS_CHANGE_PCT": _change_pct(current["TOTAL_TOKENS"], previous["TOTAL_TOKENS"]),
        "LATENCY_CHANGE_PCT": _change_pct(current["AVG_SPAN_DURATION_MS"], previous["AVG_SPAN_DURATION_MS"]),
    }


def agent_feedback(events: list[Event]) -> dict[tuple[str, str, datetime], dict]:
    """AGENT_FEEDBACK(_RECENT): each feedback row with the status and latency of the turn it
    rates, when that turn is among ``events``; keyed by (agent, request id, timestamp)."""
    turns = {(e.agent, e.request_id): e for e in events if e.category == "AGENT_RUN"}
    rows = {}
    for e in events:
        if e.category != "FEEDBACK" or e.is_evaluation:
            continue
        turn = turns.get((e.agent, e.feedback_request_id))
        if turn is not None and turn.is_evaluation:
            continue
        rows[(e.agent, e.feedback_request_id, e.timestamp)] = {
            "AGENT_FULL_NAME": e.agent,
            "THREAD_ID": e.thread_id,
            "USER_ID": e.user,
            "EVENT_TIMESTAMP": e.timestamp,
            "EVENT_HOUR": e.timestamp.replace(minute=0, second=0, microsecond=0),
            "REQUEST_ID": e.feedback_request_id,
            "FEEDBACK_POSITIVE": e.feedback_positive,
            "FEEDBACK_MESSAGE": e.feedback_message,
            "TURN_STATUS": None if turn is None else turn.status,
            "TURN_LATENCY_MS": None if turn is None else turn.duration_ms,
        }
    return rows


def evaluation_runs(events: list[Event]) -> dict[tuple[str, str | None], dict]:
    """EVALUATION_RUNS: the evaluation traffic per agent and run name, keyed by (agent, run name)."""
    rows = {}
    for (agent, run), rows_of in _group([e for e in events if e.is_evaluation],
                                        lambda e: (e.agent, e.evaluation_run_name)).items():
        turns = [e for e in rows_of if e.category == "AGENT_RUN"]
        rows[(agent, run)] = {
            "AGENT_FULL_NAME": agent,
            "RUN_NAME": run,
            "TRACES": distinct(e.trace_id for e in rows_of),
            "TURNS": len(turns),
            "FAILED_TURNS": _errors(turns),
            "SPANS": sum(e.is_span for e in rows_of),
            "EVALUATION_SPANS": _count(rows_of, "EVALUATION"),
            "LLM_CALLS": _count(rows_of, "LLM_CALL"),
            "TOTAL_PROMPT_TOKENS": total(e.prompt_tokens for e in rows_of),
            "TOTAL_COMPLETION_TOKENS": total(e.completion_tokens for e in rows_of),
            "TOTAL_TOKENS": total(e.total_tokens for e in rows_of),
            "TOTAL_CACHE_READ_TOKENS": total(e.cache_read_tokens for e in rows_of),
            "TOTAL_CACHE_WRITE_TOKENS": total(e.cache_write_tokens for e in rows_of),
            "ERROR_COUNT": _errors(rows_of),
            "AVG_TURN_LATENCY_MS": avg(e.duration_ms for e in turns),
            "FIRST_EVENT": min(e.timestamp for e in rows_of),
            "LAST_EVENT": max(e.timestamp for e in rows_of),
        }
    return rows
