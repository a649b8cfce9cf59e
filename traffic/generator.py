"""Seeded, deterministic Cortex Agent traffic in the real Snowflake event-table layout.

Every event is a dict keyed by the columns of ``SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS``
(see the shared docs: snowflake-domain.md section 1, and snowflake-access.md "Live event
shapes"). Tests and the demo use it to feed Wallmonitor rows shaped like the ones Snowflake
writes, including the awkward parts a consumer has to cope with: failed turns, failed tools
that the agent recovers from, feedback rows without a trace, rows of other object types in
the same table, duplicated and out-of-order delivery, missing attributes and late arrivals.

The live shapes: the object type spelled both ``Cortex Agent`` and ``CORTEX AGENT`` (per
thread); the span names live accounts write, wrappers included (``Agent`` around a turn's
steps, ``SystemExecuteSQLTool_system_execute_sql`` around ``SqlExecution_SystemSQL``), with
``Guardrails`` and ``ReasoningAgentStepResponseGeneration-N``; tokens, cache reads and cache
writes on the ``ReasoningAgentStep*`` spans; ``CORTEX_AGENT_REQUEST`` rows without a trace
carrying ``VALUE:"snow.ai.observability.response_time_ms"``; feedback with ``positive``,
``feedback_message``, ``categories`` and ``orig_request_id``; and evaluation runs in the same
table (``evaluation_runs_per_agent``). Every search query, Analyst SQL, feedback comment and
error text carries a canary (``CANARY``, ``canaries``) for the privacy scans.

Determinism: all randomness comes from ``random.Random`` instances seeded from the caller's
seed (string seeds are hashed with SHA-512 by ``random``, independent of PYTHONHASHSEED).
Each agent gets its own generator, so adding an agent does not change the traffic of the
others, and the noise rows use their own generator, so ``include_noise`` does not change
the agent rows.
"""

from __future__ import annotations

import copy
import json
import math
import random
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

COLUMNS = (
    "TIMESTAMP",
    "START_TIMESTAMP",
    "OBSERVED_TIMESTAMP",
    "TRACE",
    "RESOURCE_ATTRIBUTES",
    "SCOPE",
    "RECORD_TYPE",
    "RECORD",
    "RECORD_ATTRIBUTES",
    "VALUE",
)
EVENT_TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS {table} (TIMESTAMP TIMESTAMP_NTZ, START_TIMESTAMP TIMESTAMP_NTZ, "
    "OBSERVED_TIMESTAMP TIMESTAMP_NTZ, TRACE OBJECT, RESOURCE_ATTRIBUTES OBJECT, SCOPE OBJECT, "
    "RECORD_TYPE STRING, RECORD OBJECT, RECORD_ATTRIBUTES OBJECT, VALUE VARIANT)"
)

# --- attribute keys (spelling per snowflake-domain.md section 1) -------------------------
OBS = "snow.ai.observability."
AGENT = OBS + "agent."
OBJECT_NAME = OBS + "object.name"
OBJECT_TYPE = OBS + "object.type"
OBJECT_VERSION_ID = OBS + "object.version.id"
# The named version that served the turn (VERSION$N or LIVE); set by traffic/versions.py rollouts.
OBJECT_VERSION_NAME = OBS + "object.version.name"
DATABASE_NAME = OBS + "database.name"
SCHEMA_NAME = OBS + "schema.name"
RECORD_ID = "ai.observability.record_id"
REQUEST_ID = AGENT + "request_id"
THREAD_ID = AGENT + "thread_id"
PARENT_MESSAGE_ID = AGENT + "parent_message_id"
FIRST_MESSAGE_IN_THREAD = AGENT + "first_message_in_thread"
DURATION = AGENT + "duration"
STATUS = AGENT + "status"
STATUS_CODE = AGENT + "status.code"
STATUS_DESCRIPTION = AGENT + "status.description"
MESSAGES = AGENT + "messages"
RESPONSE = AGENT + "response"
RESEARCH_MODE = AGENT + "research_mode"
PLANNING = AGENT + "planning."
TOKEN_COUNT = PLANNING + "token_count."
TOOL = AGENT + "tool."

# Live accounts write the object type in both spellings (snowflake-access.md, "Live event shapes").
CORTEX_AGENT = "Cortex Agent"
CORTEX_AGENT_UPPER = "CORTEX AGENT"
AGENT_SCOPE = "snow.cortex.agent"
ROOT_SPAN = "AgentV2RequestResponseInfo"
AGENT_WRAPPER_SPAN = "Agent"
GUARDRAILS_SPAN = "Guardrails"
RESPONSE_SPAN_PREFIX = "ReasoningAgentStepResponseGeneration-"
SQL_WRAPPER_SPAN = "SystemExecuteSQLTool_system_execute_sql"
FEEDBACK = "CORTEX_AGENT_FEEDBACK"
REQUEST = "CORTEX_AGENT_REQUEST"
RESPONSE_TIME_MS = OBS + "response_time_ms"
# Evaluation runs (TruLens semantic conventions, trulens/otel/semconv/trace.py): span types and
# the run name. The span names of the evaluation spans are not documented; these are stand-ins.
SPAN_TYPE = "ai.observability.span_type"
RUN_NAME = OBS + "run.name"
EVALUATION_SPAN_TYPES = frozenset({"record_root", "eval_root", "eval", "cortex_agent_ground_truth"})
EVALUATION_METRICS = ("answer_relevance", "correctness", "groundedness")
EVALUATION_USER = "EVAL_RUNNER"
OK, ERROR = "STATUS_CODE_OK", "STATUS_CODE_ERROR"
SPAN_KIND = "SPAN_KIND_INTERNAL"

# Keys that identify a row's agent, thread or turn; DROPPABLE_ATTRIBUTE matches none of them.
IDENTITY_KEYS = frozenset(
    {OBJECT_NAME, OBJECT_TYPE, OBJECT_VERSION_ID, DATABASE_NAME, SCHEMA_NAME, RECORD_ID, REQUEST_ID, THREAD_ID}
)
# Attributes with_delivery_faults may remove from a planning or tool span.
DROPPABLE_ATTRIBUTE = re.compile(
    re.escape(AGENT)
    + r"(planning\.(model|duration|token_count\.[a-z_]+)|tool\.[a-z_]+\.(duration|status\.description|request_id))"
)
TABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_$]*(\.[A-Z_][A-Z0-9_$]*){0,2}")

EPOCH = datetime(1970, 1, 1)
MS = timedelta(milliseconds=1)
SECOND, MINUTE = 1_000, 60_000

# --- canaries ------------------------------------------------------------------------------
# Every search query, Analyst SQL, feedback comment and error text the generator writes carries a
# canary of its own, so a privacy test can grep any object for text that came from a user (or from
# a tool's failure) without knowing which column should hold it. One canary per distinct text.
CANARY = re.compile(r"CANARY-(SEARCH|SQL|FEEDBACK|ERROR)-[0-9]+")
# The user-typed free text (or what an agent derived from it): stored only with storeConversationText.
FREE_TEXT_CANARY_KINDS = frozenset({"SEARCH", "SQL", "FEEDBACK"})
ERROR_CANARY_KIND = "ERROR"


def _canary(kind: str, number: int) -> str:
    return f"CANARY-{kind}-{number}"


def _with_canaries(kind: str, texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{text} [{_canary(kind, number)}]" for number, text in enumerate(texts, start=1))


def _failures_with_canaries(failures: dict[str, tuple[str, str]], first: int) -> dict[str, tuple[str, str]]:
    return {kind: (code, f"{description} [{_canary(ERROR_CANARY_KIND, number)}]")
            for number, (kind, (code, description)) in enumerate(failures.items(), start=first)}


def canaries(events: Iterable[dict]) -> dict[str, set[str]]:
    """The canaries ``events`` carry, by kind (SEARCH, SQL, FEEDBACK, ERROR): the ones a test
    may expect to find stored."""
    found: dict[str, set[str]] = defaultdict(set)
    for event in events:
        text = json.dumps([event["RECORD"], event["RECORD_ATTRIBUTES"], event["VALUE"]], default=str)
        for match in CANARY.finditer(text):
            found[match.group(1)].add(match.group(0))
    return dict(found)


# --- vocabulary ------------------------------------------------------------------------------
PLANNING_MODELS = ("claude-4-sonnet", "llama3.3-70b", "mistral-large2", "openai-gpt-4.1")
USER_NAMES = ("ALICE", "BOB", "CARMEN", "DMITRI", "ELENA", "FARID", "GRACE", "HIROSHI", "INES", "JONAS")
ROLES = ("ANALYST", "SALES_OPS", "DATA_SCIENTIST", "SUPPORT_LEAD")

# tool kind -> (planning tool_selection.type, candidate tool names)
TOOL_KINDS = {
    "cortex_analyst": ("cortex_analyst_text_to_sql", ("SALES_MODEL", "FINANCE_MODEL", "SUPPORT_METRICS")),
    "cortex_search": ("cortex_search", ("PRODUCT_DOCS", "POLICY_SEARCH", "TICKET_SEARCH")),
    "sql_execution": ("sql_exec", ("SQL_EXEC",)),
    "custom_tool": ("generic", ("LOOKUP_CUSTOMER", "CREATE_TICKET", "SEND_SUMMARY_EMAIL")),
    "chart_generation": ("data_to_chart", ("DATA_TO_CHART",)),
    "server_skill": ("server_skill", ("PDF_REPORT", "SLIDES")),
    "code_execution": ("code_execution", ("python",)),
    "mcp_tool": ("mcp", ("JIRA_SEARCH", "GITHUB_ISSUES")),
    "agent_router": ("agent_router", ("FINANCE_AGENT", "HR_AGENT")),
}
# Span name of each tool kind (cortex_analyst and sql_execution lay out two spans, see _tool_spans).
TOOL_SPAN_NAMES = {
    "cortex_search": "CortexSearchService_{name}",
    "custom_tool": "ToolCall-{name}",
    "chart_generation": "CortexChartToolImpl-data_to_chart",
    "server_skill": "ServerSkillTool_{name}",
    "code_execution": "CodeExecutionTool_{name}",
    "mcp_tool": "ServerMCPTool_{name}",
    "agent_router": "AgentRouterTool_{name}",
}
# Kinds without documented …agent.tool.<kind>.* attributes: only the span's status tells.
UNATTRIBUTED_KINDS = frozenset({"server_skill", "code_execution", "mcp_tool", "agent_router"})
OPTIONAL_KINDS = ("sql_execution", "custom_tool", "chart_generation", "server_skill", "code_execution", "mcp_tool",
                  "agent_router")
# How often a planning step picks each kind, when the agent has it.
TOOL_WEIGHTS = {"cortex_analyst": 5, "cortex_search": 4, "sql_execution": 2, "custom_tool": 2, "chart_generation": 2,
                "server_skill": 1, "code_execution": 1, "mcp_tool": 1, "agent_router": 1}
# A tool failing while the turn still succeeds (the agent recovers): (status.code, description).
TOOL_FAILURES = _failures_with_canaries({
    "cortex_analyst": ("422", "Cortex Analyst could not generate SQL for this question"),
    "cortex_search": ("504", "Cortex Search request timed out"),
    "sql_execution": ("000904", "SQL compilation error: invalid identifier REGION_NAME"),
    "custom_tool": ("500", "Procedure raised an exception"),
    "chart_generation": ("400", "Chart generation failed: no numeric column to plot"),
    "server_skill": ("500", "Skill failed"),
    "code_execution": ("1", "Traceback: ZeroDivisionError"),
    "mcp_tool": ("502", "MCP server unreachable"),
    "agent_router": ("500", "Routed agent failed"),
}, first=1)
# A turn failing because of that kind of tool: (status.code, description).
TURN_FAILURES = _failures_with_canaries({
    "cortex_analyst": ("500", "Cortex Analyst request failed"),
    "cortex_search": ("399504", "Request timed out while waiting for Cortex Search"),
    "sql_execution": ("500", "SQL execution failed"),
    "custom_tool": ("500", "Custom tool execution failed"),
    "chart_generation": ("500", "Chart generation failed"),
    "server_skill": ("500", "Skill execution failed"),
    "code_execution": ("500", "Code execution failed"),
    "mcp_tool": ("500", "MCP tool call failed"),
    "agent_router": ("500", "Agent routing failed"),
    "planning": ("429", "Model rate limit exceeded, retry later"),
}, first=101)
QUESTIONS = {
    "cortex_analyst": (
        "What was total revenue by region last quarter",
        "How many orders did we ship in {month}",
        "Which product line grew fastest in {month}",
        "Show average deal size per sales rep this year",
    ),
    "cortex_search": (
        "What does the refund policy say about damaged goods",
        "How do I configure single sign-on for the portal",
        "Find the runbook for a failed nightly load",
    ),
    "sql_execution": ("List the ten largest open invoices", "Count active customers per country"),
    "custom_tool": ("Open a ticket for the billing outage", "Look up the account owner of ACME"),
    "chart_generation": ("Plot monthly signups for the last year",),
    "server_skill": ("Make a PDF report of last week's incidents",),
    "code_execution": ("Fit a trend line to monthly revenue",),
    "mcp_tool": ("Which Jira issues mention the billing outage",),
    "agent_router": ("Ask the finance agent about my expense claim",),
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September")
ANALYST_SQL = tuple(f"{sql} /* {_canary('SQL', number)} */" for number, sql in enumerate((
    "SELECT region, SUM(amount) AS revenue FROM sales WHERE quarter = 3 GROUP BY region",
    "SELECT COUNT(*) FROM orders WHERE shipped_at >= DATE_TRUNC(month, CURRENT_DATE)",
    "SELECT product_line, SUM(amount) FROM sales GROUP BY product_line ORDER BY 2 DESC",
), start=1))
# What an agent sends Cortex Search, derived from the question; the attribute key
# …agent.tool.cortex_search.query is the one parsed_events.sql reads (unverified live).
SEARCH_QUERIES = _with_canaries("SEARCH", (
    "refund policy damaged goods",
    "configure single sign-on portal",
    "runbook failed nightly load",
    "expense claim approval limits",
))
FEEDBACK_CATEGORIES = ("incorrect_answer", "incomplete_answer", "too_slow", "wrong_data_source")
FEEDBACK_MESSAGES = (*_with_canaries("FEEDBACK", ("Numbers do not match the finance report", "Took too long",
                                                   "Great answer, thanks")), None)


@dataclass(frozen=True)
class AgentRef:
    """A Cortex Agent, identified the way Snowflake does: database, schema, name (upper case)."""

    database: str
    schema: str
    name: str


Tool = tuple[str, str]  # (kind, tool name)
Failure = tuple[str, str]  # (status.code, status.description)


@dataclass(frozen=True)
class _User:
    name: str
    id: int
    role: str


@dataclass(frozen=True)
class _AgentProfile:
    """What stays fixed for one agent across its turns."""

    ref: AgentRef
    version_id: int
    planning_model: str
    tools: tuple[Tool, ...]
    research_mode: bool


@dataclass
class _Thread:
    """A conversation: one user, one session, message ids chaining its turns."""

    thread_id: int
    resource: dict[str, Any]
    parent_message_id: int = 0
    object_type: str = CORTEX_AGENT


@dataclass
class _Turn:
    """Mutable cursor while one turn's spans are laid out in time."""

    trace_id: str
    root_span_id: str
    identity: dict[str, Any]
    resource: dict[str, Any]
    start_ms: int
    now_ms: int
    failure: Failure | None = None
    # The span new child spans hang under: the root, or the Agent wrapper around the steps.
    parent_span_id: str = ""


# --- generic helpers --------------------------------------------------------------------------
def _to_utc_naive(dt: datetime) -> datetime:
    """Event tables hold naive UTC; accept aware datetimes by converting them."""
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


def _ceil_ms(dt: datetime) -> int:
    """Milliseconds since the epoch, rounded up so the result is never before ``dt``."""
    return -((EPOCH - _to_utc_naive(dt)) // MS)


def _dt(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def _uuid(rng: random.Random) -> str:
    """A version-4 style uuid drawn from ``rng`` (uuid4() would break determinism)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _query_id(rng: random.Random) -> str:
    """Shaped like a Snowflake query id: 8-4-4-4-12 hex digits."""
    return f"{_hex(rng, 8)}-0000-{_hex(rng, 4)}-0000-{_hex(rng, 12)}"


# --- set-up of users and agents ---------------------------------------------------------------
def _make_users(seed: int, count: int) -> list[_User]:
    rng = random.Random(f"{seed}:users")
    users = []
    for i in range(count):
        base = USER_NAMES[i % len(USER_NAMES)]
        name = base if i < len(USER_NAMES) else f"{base}_{i // len(USER_NAMES)}"
        users.append(_User(name=name, id=1000 + i, role=rng.choice(ROLES)))
    return users


def _make_profile(rng: random.Random, ref: AgentRef) -> _AgentProfile:
    """Every agent has an analyst and a search tool; the other kinds are optional."""
    kinds = ["cortex_analyst", "cortex_search"]
    kinds += [kind for kind in OPTIONAL_KINDS if rng.random() < 0.6]
    tools = tuple((kind, rng.choice(TOOL_KINDS[kind][1])) for kind in kinds)
    return _AgentProfile(
        ref=ref,
        version_id=rng.randint(1, 9),
        planning_model=rng.choice(PLANNING_MODELS),
        tools=tools,
        research_mode=rng.random() < 0.2,
    )


# --- events --------------------------------------------------------------------------------------
def _event(
    *,
    end_ms: int,
    start_ms: int | None,
    trace: dict | None,
    resource: dict,
    scope: str,
    record_type: str,
    record: dict,
    attributes: dict,
    value: dict | None = None,
) -> dict:
    """One row; logs and events carry OBSERVED_TIMESTAMP, spans do not."""
    return {
        "TIMESTAMP": _dt(end_ms),
        "START_TIMESTAMP": None if start_ms is None else _dt(start_ms),
        "OBSERVED_TIMESTAMP": None if record_type == "SPAN" else _dt(end_ms),
        "TRACE": trace,
        "RESOURCE_ATTRIBUTES": dict(resource),
        "SCOPE": {"name": scope},
        "RECORD_TYPE": record_type,
        "RECORD": record,
        "RECORD_ATTRIBUTES": attributes,
        "VALUE": value,
    }


def _child_span(rng: random.Random, turn: _Turn, name: str, duration_ms: int, failed: bool, attrs: dict) -> dict:
    """A span under the turn's current parent, starting at the turn cursor; advances the cursor past it."""
    start = turn.now_ms
    end = start + duration_ms
    turn.now_ms = end + rng.randint(1, 30)
    record = {
        "name": name,
        "kind": SPAN_KIND,
        "status": {"code": ERROR if failed else OK},
        "parent_span_id": turn.parent_span_id or turn.root_span_id,
    }
    return _event(
        end_ms=end,
        start_ms=start,
        trace={"trace_id": turn.trace_id, "span_id": _hex(rng, 16)},
        resource=turn.resource,
        scope=AGENT_SCOPE,
        record_type="SPAN",
        record=record,
        attributes={**turn.identity, **attrs},
    )


def _step_tokens(rng: random.Random, step: int, tokens_out: int) -> dict:
    """A ReasoningAgentStep* span's token counts; input grows with the conversation, and later
    steps read part of it from the prompt cache."""
    tokens_in = rng.randint(1_500, 4_000) + step * rng.randint(800, 3_000)
    return {
        TOKEN_COUNT + "input": tokens_in,
        TOKEN_COUNT + "output": tokens_out,
        TOKEN_COUNT + "total": tokens_in + tokens_out,
        TOKEN_COUNT + "plan": rng.randint(0, tokens_out),
        TOKEN_COUNT + "cache_read_input": int(tokens_in * rng.uniform(0.3, 0.8)) if step else 0,
        TOKEN_COUNT + "cache_write_input": rng.randint(0, tokens_in // 4),
    }


def _planning_span(
    rng: random.Random, turn: _Turn, profile: _AgentProfile, step: int, tool: Tool, failed: bool
) -> dict:
    """Planning and response-generation spans are the only ones with token counts."""
    kind, tool_name = tool
    duration = rng.randint(600, 4_000)
    model = profile.planning_model if rng.random() < 0.9 else rng.choice(PLANNING_MODELS)
    attrs = {
        PLANNING + "model": model,
        PLANNING + "duration": duration,
        PLANNING + "status": "ERROR" if failed else "SUCCESS",
        PLANNING + "status.code": TURN_FAILURES["planning"][0] if failed else "200",
        PLANNING + "step_number": step,
        PLANNING + "tool_selection.name": tool_name,
        PLANNING + "tool_selection.type": TOOL_KINDS[kind][0],
        PLANNING + "tool_selection.id": "toolu_" + _hex(rng, 24),
        **_step_tokens(rng, step, rng.randint(40, 400)),
    }
    return _child_span(rng, turn, f"ReasoningAgentStepPlanning-{step}", duration, failed, attrs)


def _response_span(rng: random.Random, turn: _Turn, profile: _AgentProfile, step: int) -> dict:
    """The answer: a ReasoningAgentStepResponseGeneration-N step with its own tokens."""
    duration = rng.randint(800, 6_000)
    attrs = {
        PLANNING + "model": profile.planning_model,
        PLANNING + "duration": duration,
        PLANNING + "status": "SUCCESS",
        PLANNING + "step_number": step,
        **_step_tokens(rng, step, rng.randint(100, 900)),
    }
    return _child_span(rng, turn, f"{RESPONSE_SPAN_PREFIX}{step}", duration, False, attrs)


def _tool_attrs(rng: random.Random, kind: str, duration: int, failure: Failure | None, name: str | None) -> dict:
    """The ``…agent.tool.<kind>.*`` attributes common to every tool kind."""
    prefix = f"{TOOL}{kind}."
    code, description = failure or ("200", "OK")
    attrs = {
        prefix + "duration": duration,
        prefix + "status": "ERROR" if failure else "SUCCESS",
        prefix + "status.code": code,
        prefix + "status.description": description,
        prefix + "request_id": _uuid(rng),
    }
    if name is not None:
        attrs[prefix + "name"] = name
    return attrs


def _tool_spans(rng: random.Random, turn: _Turn, tool: Tool, failure: Failure | None) -> list[dict]:
    """The spans of one tool call; Cortex Analyst generates SQL, then a second span runs it.

    ``failure`` fails the call; for Cortex Analyst it is the generation or the execution
    that fails, at random.
    """
    kind, name = tool
    if kind == "cortex_analyst":
        fail_generation = failure is not None and rng.random() < 0.5
        duration = rng.randint(1_500, 8_000)
        attrs = _tool_attrs(rng, kind, duration, failure if fail_generation else None, name)
        attrs[TOOL + "cortex_analyst.sql_query"] = rng.choice(ANALYST_SQL)
        # Over a semantic view the analyst span is SemanticContextTool_<view>; the older name stays.
        span_name = f"SemanticContextTool_{name}" if rng.random() < 0.5 else f"CortexAnalystTool_{name}"
        spans = [_child_span(rng, turn, span_name, duration, fail_generation, attrs)]
        if not fail_generation:
            spans.append(_sql_span(rng, turn, "SqlExecution_CortexAnalyst", failure))
        return spans
    if kind == "sql_execution":
        return _system_sql_spans(rng, turn, failure)
    duration = rng.randint(200, 3_000)
    span_name = TOOL_SPAN_NAMES[kind].format(name=name)
    if kind in UNATTRIBUTED_KINDS:
        attrs = {}
    else:
        attrs = _tool_attrs(rng, kind, duration, failure, None if kind == "chart_generation" else name)
    if kind == "cortex_search":
        attrs[TOOL + "cortex_search.limit"] = 10
        # Picked by the call's request id rather than by another draw from rng, so that the query
        # changes no other row of a seed's traffic.
        request = attrs[TOOL + "cortex_search.request_id"]
        attrs[TOOL + "cortex_search.query"] = SEARCH_QUERIES[int(request.replace("-", ""), 16) % len(SEARCH_QUERIES)]
    return [_child_span(rng, turn, span_name, duration, failure is not None, attrs)]


def _system_sql_spans(rng: random.Random, turn: _Turn, failure: Failure | None) -> list[dict]:
    """The system SQL tool: SystemExecuteSQLTool_system_execute_sql wraps SqlExecution_SystemSQL,
    starting just before it and ending just after, so it repeats the SQL time."""
    wrapper_id = _hex(rng, 16)
    wrapper_start = turn.now_ms
    outer_parent = turn.parent_span_id
    turn.now_ms += rng.randint(1, 10)
    turn.parent_span_id = wrapper_id
    inner = _sql_span(rng, turn, "SqlExecution_SystemSQL", failure)
    turn.parent_span_id = outer_parent
    wrapper_end = _ceil_ms(inner["TIMESTAMP"]) + rng.randint(1, 10)
    turn.now_ms = wrapper_end + rng.randint(1, 30)
    wrapper = _event(
        end_ms=wrapper_end,
        start_ms=wrapper_start,
        trace={"trace_id": turn.trace_id, "span_id": wrapper_id},
        resource=turn.resource,
        scope=AGENT_SCOPE,
        record_type="SPAN",
        record={"name": SQL_WRAPPER_SPAN, "kind": SPAN_KIND, "status": {"code": ERROR if failure else OK},
                "parent_span_id": outer_parent or turn.root_span_id},
        attributes=dict(turn.identity),
    )
    return [inner, wrapper]


def _sql_span(rng: random.Random, turn: _Turn, span_name: str, failure: Failure | None) -> dict:
    duration = rng.randint(150, 5_000)
    attrs = _tool_attrs(rng, "sql_execution", duration, failure, None)
    attrs[TOOL + "sql_execution.query_id"] = _query_id(rng)
    return _child_span(rng, turn, span_name, duration, failure is not None, attrs)


def _plan_tools(rng: random.Random, profile: _AgentProfile) -> list[Tool]:
    """1..4 planning steps, each selecting one tool; the question is about the first."""
    steps = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
    weights = [TOOL_WEIGHTS[kind] for kind, _ in profile.tools]
    return rng.choices(profile.tools, weights=weights, k=steps)


def _question(rng: random.Random, kind: str) -> str:
    return rng.choice(QUESTIONS[kind]).format(month=rng.choice(MONTHS))


def _answer(rng: random.Random, kind: str) -> str:
    if kind == "cortex_search":
        return f"According to the documentation, see section {rng.randint(1, 12)}.{rng.randint(1, 9)}."
    return f"The result is {rng.randint(10, 9_999)}, {rng.uniform(-20, 40):.1f} percent versus the previous period."


def _turn_children(
    rng: random.Random,
    turn: _Turn,
    profile: _AgentProfile,
    tools: list[Tool],
    error_rate: float,
    tool_error_rate: float,
) -> list[dict]:
    """Lay out planning, tool and response spans one after the other inside the turn.

    A failing turn stops at the failing planning step or tool and has no response span;
    a failing tool in a successful turn is followed by further steps as usual.
    """
    fail_at = rng.randrange(len(tools)) if rng.random() < error_rate else None
    spans: list[dict] = []
    if rng.random() < 0.5:
        spans.append(_child_span(rng, turn, GUARDRAILS_SPAN, rng.randint(20, 300), False, {}))
    for step, tool in enumerate(tools):
        fail_planning = step == fail_at and rng.random() < 0.3
        spans.append(_planning_span(rng, turn, profile, step, tool, fail_planning))
        if fail_planning:
            turn.failure = TURN_FAILURES["planning"]
            return spans
        kind = tool[0]
        if step == fail_at:
            spans += _tool_spans(rng, turn, tool, TOOL_FAILURES[kind])
            turn.failure = TURN_FAILURES[kind]
            return spans
        failure = TOOL_FAILURES[kind] if rng.random() < tool_error_rate else None
        spans += _tool_spans(rng, turn, tool, failure)
    spans.append(_response_span(rng, turn, profile, len(tools)))
    return spans


def _root_span(
    rng: random.Random, turn: _Turn, profile: _AgentProfile, thread: _Thread, question: str, answer: str
) -> dict:
    end = turn.now_ms + rng.randint(5, 50)
    code, description = turn.failure or ("200", "OK")
    attrs = {
        **turn.identity,
        OBJECT_VERSION_ID: profile.version_id,
        RECORD_ID: _uuid(rng),
        PARENT_MESSAGE_ID: thread.parent_message_id,
        FIRST_MESSAGE_IN_THREAD: thread.parent_message_id == 0,
        DURATION: end - turn.start_ms,
        STATUS: "ERROR" if turn.failure else "SUCCESS",
        STATUS_CODE: code,
        STATUS_DESCRIPTION: description,
        MESSAGES: question,
        RESPONSE: "" if turn.failure else answer,
        RESEARCH_MODE: profile.research_mode,
    }
    record = {"name": ROOT_SPAN, "kind": SPAN_KIND, "status": {"code": ERROR if turn.failure else OK}}
    return _event(
        end_ms=end,
        start_ms=turn.start_ms,
        trace={"trace_id": turn.trace_id, "span_id": turn.root_span_id},
        resource=turn.resource,
        scope=AGENT_SCOPE,
        record_type="SPAN",
        record=record,
        attributes=attrs,
    )


def _request_row(rng: random.Random, root: dict) -> dict:
    """The CORTEX_AGENT_REQUEST row of a turn: no trace, the response time in VALUE. ASSUMPTION:
    an EVENT row named like the feedback row; its attributes name the agent, thread and request."""
    attrs = root["RECORD_ATTRIBUTES"]
    identity = {key: attrs[key] for key in (OBJECT_NAME, OBJECT_TYPE, DATABASE_NAME, SCHEMA_NAME, THREAD_ID, REQUEST_ID)}
    if RUN_NAME in attrs:
        identity[RUN_NAME] = attrs[RUN_NAME]
    at = _ceil_ms(root["TIMESTAMP"]) + rng.randint(1, 500)
    return _turn_event(root, at, REQUEST, identity, {RESPONSE_TIME_MS: attrs[DURATION] + rng.randint(0, 200)})


def _feedback(rng: random.Random, root: dict, positive: bool) -> dict:
    """Feedback is a separate EVENT row without a trace, tied to its turn by request id."""
    attrs = root["RECORD_ATTRIBUTES"]
    at = _ceil_ms(root["TIMESTAMP"]) + rng.randint(3 * SECOND, 10 * MINUTE)
    identity = {key: attrs[key] for key in (OBJECT_NAME, OBJECT_TYPE, DATABASE_NAME, SCHEMA_NAME, THREAD_ID)}
    value = {
        "positive": positive,
        "feedback_message": rng.choice(FEEDBACK_MESSAGES),
        "categories": [] if positive else rng.sample(FEEDBACK_CATEGORIES, rng.randint(1, 2)),
        "orig_request_id": attrs[REQUEST_ID],
    }
    return _turn_event(root, at, FEEDBACK, identity, value)


def _turn_event(root: dict, at_ms: int, name: str, attributes: dict, value: dict) -> dict:
    """An EVENT row without a trace that belongs to the turn of ``root`` (same user and session)."""
    return _event(
        end_ms=at_ms,
        start_ms=None,
        trace=None,
        resource=root["RESOURCE_ATTRIBUTES"],
        scope=AGENT_SCOPE,
        record_type="EVENT",
        record={"name": name},
        attributes=attributes,
        value=value,
    )


def _turn(
    rng: random.Random,
    profile: _AgentProfile,
    thread: _Thread,
    start_ms: int,
    error_rate: float,
    tool_error_rate: float,
) -> list[dict]:
    """All span rows of one turn (one user message), root span last."""
    ref = profile.ref
    identity = {
        OBJECT_NAME: ref.name,
        OBJECT_TYPE: thread.object_type,
        DATABASE_NAME: ref.database,
        SCHEMA_NAME: ref.schema,
        THREAD_ID: thread.thread_id,
        REQUEST_ID: _uuid(rng),
    }
    turn = _Turn(
        trace_id=_hex(rng, 32),
        root_span_id=_hex(rng, 16),
        identity=identity,
        resource=thread.resource,
        start_ms=start_ms,
        now_ms=start_ms + rng.randint(5, 40),
    )
    tools = _plan_tools(rng, profile)
    question = _question(rng, tools[0][0])
    wrapped = rng.random() < 0.8
    wrapper_id = _hex(rng, 16)
    if wrapped:  # the Agent span wraps the turn's steps, repeating their time
        turn.parent_span_id = wrapper_id
        wrapper_start = turn.now_ms
        turn.now_ms += rng.randint(1, 10)
    children = _turn_children(rng, turn, profile, tools, error_rate, tool_error_rate)
    if wrapped:
        wrapper_end = max(_ceil_ms(span["TIMESTAMP"]) for span in children) + rng.randint(1, 10)
        turn.now_ms = wrapper_end + rng.randint(1, 10)
        children.append(_event(
            end_ms=wrapper_end, start_ms=wrapper_start,
            trace={"trace_id": turn.trace_id, "span_id": wrapper_id}, resource=turn.resource, scope=AGENT_SCOPE,
            record_type="SPAN",
            record={"name": AGENT_WRAPPER_SPAN, "kind": SPAN_KIND, "status": {"code": ERROR if turn.failure else OK},
                    "parent_span_id": turn.root_span_id},
            attributes=dict(identity)))
        turn.parent_span_id = ""
    root = _root_span(rng, turn, profile, thread, question, _answer(rng, tools[0][0]))
    return [*children, root]


def _thread(
    rng: random.Random,
    profile: _AgentProfile,
    user: _User,
    start_ms: int,
    end_ms: int,
    *,
    error_rate: float,
    tool_error_rate: float,
    feedback_rate: float,
) -> list[dict]:
    """1..6 turns spaced seconds to minutes apart; turns that would end after ``end_ms`` are cut.

    Thread and message ids are integers, as in the Cortex Agents threads API.
    """
    resource = {
        "snow.user.name": user.name,
        "snow.user.id": user.id,
        "snow.session.id": rng.randrange(10**14, 10**15),
        "snow.session.role.primary.name": user.role,
        "snow.database.name": profile.ref.database,
        "snow.schema.name": profile.ref.schema,
    }
    thread = _Thread(thread_id=rng.randrange(10**12, 10**13), resource=resource,
                     object_type=CORTEX_AGENT_UPPER if rng.random() < 0.3 else CORTEX_AGENT)
    events: list[dict] = []
    turn_start = start_ms
    for _ in range(rng.randint(1, 6)):
        spans = _turn(rng, profile, thread, turn_start, error_rate, tool_error_rate)
        root = spans[-1]
        root_end = _ceil_ms(root["TIMESTAMP"])
        if root_end >= end_ms:
            break
        events += spans
        if rng.random() < 0.6:
            request = _request_row(rng, root)
            if _ceil_ms(request["TIMESTAMP"]) < end_ms:
                events.append(request)
        if rng.random() < feedback_rate:
            failed = root["RECORD_ATTRIBUTES"][STATUS] == "ERROR"
            feedback = _feedback(rng, root, positive=rng.random() < (0.1 if failed else 0.75))
            if _ceil_ms(feedback["TIMESTAMP"]) < end_ms:
                events.append(feedback)
        thread.parent_message_id = rng.randrange(10**12, 10**13)
        turn_start = root_end + rng.randint(5 * SECOND, 4 * MINUTE)
    return events


def _agent_events(
    seed: int, ref: AgentRef, users: list[_User], start_ms: int, end_ms: int, turns_per_hour: float, **rates: float
) -> list[dict]:
    """Threads arrive as a Poisson process whose rate gives ``turns_per_hour`` turns on average."""
    rng = random.Random(f"{seed}:{ref.database}.{ref.schema}.{ref.name}")
    profile = _make_profile(rng, ref)
    mean_turns_per_thread = 3.5  # uniform 1..6
    threads_per_ms = turns_per_hour / mean_turns_per_thread / 3_600_000
    events: list[dict] = []
    if threads_per_ms <= 0 or not users:
        return events
    t = start_ms + int(rng.expovariate(threads_per_ms))
    while t < end_ms:
        events += _thread(rng, profile, rng.choice(users), t, end_ms, **rates)
        t += 1 + int(rng.expovariate(threads_per_ms))
    return events


# --- evaluation runs: agent turns and judge spans in the same event table ---------------------------
def _evaluation_spans(rng: random.Random, root: dict, end_ms: int) -> list[dict]:
    """The spans an evaluation writes into an evaluated turn's trace after the turn: a ground-truth
    span, and per metric an eval_root span over an eval span. Only their span types mark them."""
    attrs = root["RECORD_ATTRIBUTES"]
    identity = {key: attrs[key] for key in (OBJECT_NAME, OBJECT_TYPE, DATABASE_NAME, SCHEMA_NAME, THREAD_ID, REQUEST_ID)}
    trace_id, root_id = root["TRACE"]["trace_id"], root["TRACE"]["span_id"]
    at = _ceil_ms(root["TIMESTAMP"]) + rng.randint(2 * SECOND, 30 * SECOND)
    spans = []

    def span(name: str, span_type: str, parent: str, duration: int, span_id: str | None = None) -> dict:
        return _event(
            end_ms=at + duration, start_ms=at, trace={"trace_id": trace_id, "span_id": span_id or _hex(rng, 16)},
            resource=root["RESOURCE_ATTRIBUTES"], scope="trulens", record_type="SPAN",
            record={"name": name, "kind": SPAN_KIND, "status": {"code": OK}, "parent_span_id": parent},
            attributes={**identity, SPAN_TYPE: span_type})

    spans.append(span("CortexAgentGroundTruth", "cortex_agent_ground_truth", root_id, rng.randint(5, 50)))
    for metric in EVALUATION_METRICS:
        at += rng.randint(100, 2_000)
        eval_root_id = _hex(rng, 16)
        judged = rng.randint(500, 4_000)
        spans.append(span(f"Eval_{metric}", "eval", eval_root_id, judged))
        spans.append(span(f"EvalRoot_{metric}", "eval_root", root_id, judged + rng.randint(1, 20), eval_root_id))
    return [s for s in spans if _ceil_ms(s["TIMESTAMP"]) < end_ms]


def _evaluation_events(seed: int, ref: AgentRef, start_ms: int, end_ms: int, runs: int) -> list[dict]:
    """``runs`` evaluation runs of one agent, each evaluating 3..6 records: every record is a turn
    in its own thread, by the evaluation's user. About half of the turns carry the run name (and
    span type record_root) on their root; the others are marked only by the evaluation spans that
    arrive after the turn. The run's CORTEX_AGENT_REQUEST rows carry the run name."""
    rng = random.Random(f"{seed}:evaluation:{ref.database}.{ref.schema}.{ref.name}")
    profile = _make_profile(random.Random(f"{seed}:{ref.database}.{ref.schema}.{ref.name}"), ref)
    events: list[dict] = []
    if end_ms - start_ms < 10 * MINUTE:
        return events
    for run in range(runs):
        run_name = f"EVAL_RUN_{run + 1}_{_hex(rng, 6)}"
        at = start_ms + rng.randrange(end_ms - start_ms - 5 * MINUTE)
        for _ in range(rng.randint(3, 6)):
            resource = {"snow.user.name": EVALUATION_USER, "snow.user.id": 999, "snow.session.id": rng.randrange(10**14, 10**15),
                        "snow.session.role.primary.name": "EVALUATION", "snow.database.name": ref.database,
                        "snow.schema.name": ref.schema}
            thread = _Thread(thread_id=rng.randrange(10**12, 10**13), resource=resource,
                             object_type=rng.choice((CORTEX_AGENT, CORTEX_AGENT_UPPER)))
            spans = _turn(rng, profile, thread, at, 0.1, 0.05)
            root = spans[-1]
            if _ceil_ms(root["TIMESTAMP"]) >= end_ms:
                break
            if rng.random() < 0.5:
                root["RECORD_ATTRIBUTES"][RUN_NAME] = run_name
                root["RECORD_ATTRIBUTES"][SPAN_TYPE] = "record_root"
            spans += _evaluation_spans(rng, root, end_ms)
            request = _request_row(rng, root)
            request["RECORD_ATTRIBUTES"][RUN_NAME] = run_name
            if _ceil_ms(request["TIMESTAMP"]) < end_ms:
                spans.append(request)
            events += spans
            at = _ceil_ms(root["TIMESTAMP"]) + rng.randint(1 * SECOND, 20 * SECOND)
    return events


# --- noise: rows of other object types in the same event table -----------------------------------
def _search_log(rng: random.Random, ref: AgentRef, at_ms: int, user: _User) -> dict:
    """A Cortex Search Service request log, which shares the table with agent rows."""
    attrs = {
        OBJECT_NAME: "PRODUCT_DOCS_SERVICE",
        OBJECT_TYPE: "Cortex Search Service",
        DATABASE_NAME: ref.database,
        SCHEMA_NAME: ref.schema,
    }
    value = {"query": rng.choice(QUESTIONS["cortex_search"]), "limit": 10, "num_results": rng.randint(0, 10)}
    resource = {"snow.user.name": user.name, "snow.user.id": user.id}
    return _event(
        end_ms=at_ms,
        start_ms=None,
        trace=None,
        resource=resource,
        scope="snow.cortex.search",
        record_type="LOG",
        record={"severity_text": "INFO"},
        attributes=attrs,
        value=value,
    )


def _external_agent_trace(rng: random.Random, ref: AgentRef, at_ms: int, user: _User) -> list[dict]:
    """A root and an LLM span of an external (TruLens-instrumented) agent.

    Its thread id is a uuid string, a format Cortex Agent thread ids (integers) never have.
    """
    trace_id, root_id = _hex(rng, 32), _hex(rng, 16)
    attrs = {
        OBJECT_NAME: "EXTERNAL_SUPPORT_BOT",
        OBJECT_TYPE: "External Agent",
        DATABASE_NAME: ref.database,
        SCHEMA_NAME: ref.schema,
        THREAD_ID: _uuid(rng),
        REQUEST_ID: _uuid(rng),
    }
    resource = {"snow.user.name": user.name, "snow.user.id": user.id}
    child_end = at_ms - rng.randint(5, 50)
    child_start = child_end - rng.randint(200, 3_000)
    common = {"resource": resource, "scope": "trulens", "record_type": "SPAN"}
    child = _event(
        end_ms=child_end,
        start_ms=child_start,
        trace={"trace_id": trace_id, "span_id": _hex(rng, 16)},
        record={"name": "llm_call", "kind": SPAN_KIND, "status": {"code": OK}, "parent_span_id": root_id},
        attributes=dict(attrs),
        **common,
    )
    root = _event(
        end_ms=at_ms,
        start_ms=child_start - rng.randint(5, 50),
        trace={"trace_id": trace_id, "span_id": root_id},
        record={"name": "external_agent_run", "kind": SPAN_KIND, "status": {"code": OK}},
        attributes=attrs,
        **common,
    )
    return [child, root]


def _noise(
    seed: int, agents: list[AgentRef], users: list[_User], start_ms: int, end_ms: int, volume: int
) -> list[dict]:
    """About ``volume`` rows a Cortex Agent monitor must ignore, in the agents' own schemas."""
    rng = random.Random(f"{seed}:noise")
    window = end_ms - start_ms
    events: list[dict] = []
    if window < 10 * SECOND:
        return events
    while len(events) < volume:
        ref, user = rng.choice(agents), rng.choice(users)
        at = start_ms + 5 * SECOND + rng.randrange(window - 5 * SECOND)
        if rng.random() < 0.6:
            events.append(_search_log(rng, ref, at, user))
        else:
            events += _external_agent_trace(rng, ref, at, user)
    return events


# --- public API -----------------------------------------------------------------------------------
def generate(
    *,
    seed: int,
    agents: list[AgentRef],
    start: datetime,
    end: datetime,
    turns_per_agent_per_hour: float = 6.0,
    users: int = 5,
    error_rate: float = 0.05,
    tool_error_rate: float = 0.05,
    feedback_rate: float = 0.2,
    include_noise: bool = True,
    evaluation_runs_per_agent: int = 1,
    attributes_dropped_from: dict[str, datetime] | None = None,
    rollouts: dict | None = None,
) -> list[dict]:
    """Cortex Agent events for ``agents`` in ``[start, end)``, sorted by TIMESTAMP.

    ``start``/``end`` are naive UTC (aware datetimes are converted). All timestamps have
    millisecond precision. With ``include_noise`` about 5% extra rows of other object types
    (Cortex Search logs, an external agent) are mixed in; ``is_cortex_agent_event`` tells them apart.
    Each agent also runs ``evaluation_runs_per_agent`` evaluation runs (their own generator, so
    they change no production row); ``is_evaluation_event`` tells their marked rows.
    ``attributes_dropped_from`` maps an attribute key to the time (naive UTC) from which no event
    carries it any more, as when Snowflake renames or drops an attribute mid-run.
    ``rollouts`` maps an agent ("DATABASE.SCHEMA.NAME") to a ``traffic.versions.CanaryRollout``: its
    turns are split between two versions, the candidate's degraded as the rollout says.
    """
    start_ms, end_ms = _ceil_ms(start), _ceil_ms(end)
    people = _make_users(seed, users)
    rates = {"error_rate": error_rate, "tool_error_rate": tool_error_rate, "feedback_rate": feedback_rate}
    events: list[dict] = []
    for ref in agents:
        events += _agent_events(seed, ref, people, start_ms, end_ms, turns_per_agent_per_hour, **rates)
    for ref in agents:
        events += _evaluation_events(seed, ref, start_ms, end_ms, evaluation_runs_per_agent)
    if rollouts:
        from traffic.versions import with_rollouts  # the module builds on this one's keys

        events = with_rollouts(events, rollouts, seed)
    if include_noise and agents and people:
        events += _noise(seed, agents, people, start_ms, end_ms, volume=round(len(events) * 0.05))
    events.sort(key=lambda event: event["TIMESTAMP"])
    for key, since in (attributes_dropped_from or {}).items():
        dropped_at = _to_utc_naive(since)
        for event in events:
            # A fresh mapping: events may share one attribute dict, and earlier events keep the key.
            if event["TIMESTAMP"] >= dropped_at and key in (event["RECORD_ATTRIBUTES"] or {}):
                event["RECORD_ATTRIBUTES"] = {k: v for k, v in event["RECORD_ATTRIBUTES"].items() if k != key}
    return events


def is_cortex_agent_event(event: dict) -> bool:
    """True for rows a Cortex Agent monitor must ingest (object type ``Cortex Agent``, in any case)."""
    attributes = event.get("RECORD_ATTRIBUTES") or {}
    return str(attributes.get(OBJECT_TYPE) or "").upper() == CORTEX_AGENT_UPPER


def is_evaluation_event(event: dict) -> bool:
    """True for a row that itself says it belongs to an evaluation run (span type or run name);
    the other rows of its trace belong to the run too."""
    attributes = event.get("RECORD_ATTRIBUTES") or {}
    return (str(attributes.get(SPAN_TYPE) or "").lower() in EVALUATION_SPAN_TYPES
            or attributes.get(RUN_NAME) is not None)


def _is_planning_or_tool_span(event: dict) -> bool:
    record = event["RECORD"]
    return (
        event["RECORD_TYPE"] == "SPAN"
        and "parent_span_id" in record
        and is_cortex_agent_event(event)
    )


def with_delivery_faults(
    events: list[dict],
    *,
    seed: int,
    duplicate_rate: float = 0.03,
    shuffle: bool = True,
    drop_attribute_rate: float = 0.02,
) -> list[dict]:
    """A copy of ``events`` as an unreliable pipeline might deliver it.

    - about ``drop_attribute_rate`` of the non-root spans of Cortex Agents
      lose one attribute, chosen among those present of:
      ``…agent.planning.model``, ``…agent.planning.duration``, ``…agent.planning.token_count.*``
      (input, output, total, plan, cache_read_input, cache_write_input),
      ``…agent.tool.<kind>.duration``, ``…agent.tool.<kind>.status.description``,
      ``…agent.tool.<kind>.request_id``. Identity (object, database, schema, thread,
      request and record ids), TRACE and RECORD are never touched;
    - about ``duplicate_rate`` of the rows are delivered twice, with identical content
      (duplicates are taken after attributes were dropped);
    - with ``shuffle`` the order is random (out-of-order delivery).

    The input list and its events are left unchanged.
    """
    rng = random.Random(f"{seed}:faults")
    delivered = copy.deepcopy(events)
    for event in delivered:
        if _is_planning_or_tool_span(event) and rng.random() < drop_attribute_rate:
            attributes = event["RECORD_ATTRIBUTES"]
            droppable = sorted(key for key in attributes if DROPPABLE_ATTRIBUTE.fullmatch(key))
            if droppable:
                del attributes[rng.choice(droppable)]
    delivered += [copy.deepcopy(event) for event in delivered if rng.random() < duplicate_rate]
    if shuffle:
        rng.shuffle(delivered)
    return delivered


def _trace_groups(events: list[dict]) -> dict[Any, list[dict]]:
    """Group rows that belong together: a trace's spans, plus the feedback and the
    CORTEX_AGENT_REQUEST row of that trace's turn (both name its request id).

    Rows without a trace that name no known turn form a group of their own.
    """
    trace_of_request = {
        event["RECORD_ATTRIBUTES"][REQUEST_ID]: event["TRACE"]["trace_id"]
        for event in events
        if event["TRACE"] and event["RECORD"].get("name") == ROOT_SPAN
    }
    groups: dict[Any, list[dict]] = defaultdict(list)
    for index, event in enumerate(events):
        if event["TRACE"]:
            key: Any = event["TRACE"]["trace_id"]
        else:
            request = (event["VALUE"] or {}).get("orig_request_id") or (event["RECORD_ATTRIBUTES"] or {}).get(REQUEST_ID)
            key = trace_of_request.get(request, ("row", index))
        groups[key].append(event)
    return groups


def split_late(
    events: list[dict], *, seed: int, late_fraction: float = 0.1, max_delay: timedelta
) -> tuple[list[dict], list[dict]]:
    """Split ``events`` into ``(on_time, late)``, moving whole traces (feedback goes with its turn).

    Only traces whose every row is at most ``max_delay`` older than the newest event are
    candidates (a pipeline that is late by more than that is an outage, not lateness);
    ``ceil(late_fraction * candidates)`` of them are late. A consumer that re-reads the last
    ``max_delay`` before its high-water mark therefore sees every late row. Both lists keep
    the input order.
    """
    if not events:
        return [], []
    newest = max(event["TIMESTAMP"] for event in events)
    groups = _trace_groups(events)
    candidates = [key for key, rows in groups.items() if min(r["TIMESTAMP"] for r in rows) >= newest - max_delay]
    rng = random.Random(f"{seed}:late")
    late_keys = set(rng.sample(candidates, min(len(candidates), math.ceil(late_fraction * len(candidates)))))
    late_ids = {id(row) for key in late_keys for row in groups[key]}
    on_time = [event for event in events if id(event) not in late_ids]
    late = [event for event in events if id(event) in late_ids]
    return on_time, late


# --- serialisation and loading ----------------------------------------------------------------------
def _format_ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def _json_cell(value: Any) -> Any:
    return _format_ts(value) if isinstance(value, datetime) else value


def to_json_record(event: dict) -> dict:
    """The event with timestamps as 'YYYY-MM-DD HH:MM:SS.fff' strings: what JSON lines hold."""
    return {column: _json_cell(event[column]) for column in COLUMNS}


def to_rows(events: Iterable[dict]) -> list[tuple]:
    """Rows in COLUMNS order, dict columns as JSON text, for drivers that bind scalars only."""

    def cell(value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, default=str, sort_keys=True)
        return _json_cell(value)

    return [tuple(cell(event[column]) for column in COLUMNS) for event in events]


# One bound JSON array per statement, expanded by FLATTEN. A missing key reads as SQL NULL,
# so None columns are left out of each element (a JSON null would be stored as VARIANT null).
_CASTS = {
    "TIMESTAMP": "::TIMESTAMP_NTZ", "START_TIMESTAMP": "::TIMESTAMP_NTZ", "OBSERVED_TIMESTAMP": "::TIMESTAMP_NTZ",
    "TRACE": "::OBJECT", "RESOURCE_ATTRIBUTES": "::OBJECT", "SCOPE": "::OBJECT", "RECORD_TYPE": "::STRING",
    "RECORD": "::OBJECT", "RECORD_ATTRIBUTES": "::OBJECT", "VALUE": "",
}
_INSERT = "INSERT INTO {table} SELECT " + ", ".join(f'value:"{c}"{_CASTS[c]}' for c in COLUMNS) + (
    " FROM TABLE(FLATTEN(INPUT => PARSE_JSON(%s)))"
)
# Snowflake recommends statements below 1 MB, bound literals included.
LOAD_CHUNK_CHARS = 500_000


def _json_arrays(events: Iterable[dict], max_chars: int) -> Iterator[tuple[str, int]]:
    """JSON arrays of events of at most about ``max_chars`` characters, with their counts."""
    batch: list[str] = []
    size = 0
    for event in events:
        element = {column: value for column, value in to_json_record(event).items() if value is not None}
        text = json.dumps(element, default=str, ensure_ascii=False, separators=(",", ":"))
        if batch and size + len(text) > max_chars:
            yield "[" + ",".join(batch) + "]", len(batch)
            batch, size = [], 0
        batch.append(text)
        size += len(text) + 1
    if batch:
        yield "[" + ",".join(batch) + "]", len(batch)


def load(cursor: Any, table: str, events: Iterable[dict]) -> int:
    """Insert ``events`` into an existing event-layout ``table``; returns the rows inserted.

    Each statement binds one JSON array of events (up to LOAD_CHUNK_CHARS) and FLATTENs it,
    instead of one statement per row: fakesnow runs ``executemany`` as a loop of single
    inserts (several ms each). With the connector's client-side (pyformat) binding the array
    is inlined into the SQL text, hence the size cap. Objects are nested rather than
    JSON-in-JSON strings, because fakesnow's SQL tokenizer takes a slow pure-Python path for
    any string literal containing a backslash, and nested JSON strings are full of them.
    Requires the connector's default ``pyformat`` paramstyle.
    """
    if not TABLE_NAME.fullmatch(table):
        raise ValueError(f"not a dotted upper-case table name: {table!r}")
    sql = _INSERT.format(table=table)
    inserted = 0
    for array, count in _json_arrays(events, LOAD_CHUNK_CHARS):
        cursor.execute(sql, (array,))
        inserted += count if cursor.rowcount is None else cursor.rowcount
    return inserted
