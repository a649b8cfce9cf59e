"""The demo's stand-in for SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY: a usage row for each
delivered request once it is USAGE_LAG old, as Snowflake reports usage hours late, keyed by the
root span's ai.observability.record_id. Credits are a flat DEMO_CREDITS_PER_MILLION tokens, so the
Cost page shows estimates (the rate table) turning into actuals that differ from them. One request
in twenty never gets a row, so the page also shows requests that never match."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

USAGE_VIEW = "SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY"
USAGE_LAG = timedelta(hours=2)
DEMO_CREDITS_PER_MILLION = Decimal("1.2")
ROOT_SPAN = "AgentV2RequestResponseInfo"
OBS = "snow.ai.observability."
TOKENS = OBS + "agent.planning.token_count."


class UsageFeed:
    def __init__(self) -> None:
        self._tokens: dict[str, int] = {}
        self._roots: dict[str, dict] = {}
        self._spans: set[tuple[str, str]] = set()  # deliveries repeat some spans

    def observe(self, events: list[dict]) -> None:
        """Delivered events: remembers each request's root span and tokens until it is reported."""
        for event in events:
            trace = (event.get("TRACE") or {}).get("trace_id")
            attributes = event.get("RECORD_ATTRIBUTES") or {}
            span = (trace, (event.get("TRACE") or {}).get("span_id"))
            if trace is None or event.get("RECORD_TYPE") != "SPAN" or span in self._spans:
                continue
            self._spans.add(span)
            self._tokens[trace] = self._tokens.get(trace, 0) + sum(
                int(attributes.get(TOKENS + key, 0)) for key in ("input", "output", "cache_read_input", "cache_write_input"))
            if event["RECORD"].get("name") == ROOT_SPAN and "ai.observability.record_id" in attributes:
                self._roots[trace] = event

    def report(self, cursor, now: datetime) -> int:
        """Inserts the usage rows of requests that ended USAGE_LAG ago; returns how many.

        ``cursor`` binds with qmark (?): one statement text for every row, which the emulator
        translates once (values written into the text made every row a new statement to translate,
        two thirds of the demo's start)."""
        due = [trace for trace, root in self._roots.items() if root["TIMESTAMP"] <= now - USAGE_LAG]
        rows = 0
        for trace in due:
            root, tokens = self._roots.pop(trace), self._tokens.pop(trace, 0)
            attributes = root["RECORD_ATTRIBUTES"]
            if hashlib.sha256(trace.encode()).digest()[0] % 20 == 0:
                continue
            cursor.execute(
                f"INSERT INTO {USAGE_VIEW} (START_TIME, END_TIME, USER_NAME, REQUEST_ID, AGENT_DATABASE_NAME, "
                "AGENT_SCHEMA_NAME, AGENT_NAME, TOKENS, TOKEN_CREDITS) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (root["START_TIMESTAMP"], root["TIMESTAMP"], (root["RESOURCE_ATTRIBUTES"] or {}).get("snow.user.name"),
                 attributes["ai.observability.record_id"], attributes[OBS + "database.name"],
                 attributes[OBS + "schema.name"], attributes[OBS + "object.name"], tokens,
                 str(DEMO_CREDITS_PER_MILLION * tokens / 1_000_000)))
            rows += 1
        return rows
