"""Where the dashboard's queries go: Snowflake's active session, or a session injected locally.

In Streamlit in Snowflake the app runs inside its own schema, so the session's current database
and schema are Wallmonitor's. The local demo and the tests inject a session object that offers
the same `session.sql(text, params=[...]).collect()` (rows with `as_dict()`), with the location
of the Wallmonitor schema; nothing else of Snowpark is used.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

IDENTIFIER = re.compile(r"[A-Z_][A-Z0-9_$]{0,254}")

_injected: "Connection | None" = None
_keys = itertools.count(1)


class NoSession(RuntimeError):
    """Neither inside Streamlit in Snowflake nor given a local session."""


@dataclass(frozen=True)
class Connection:
    session: Any
    database: str
    schema: str
    # Distinguishes cached results of different sessions (the local demo, each test's emulator).
    cache_key: str

    def qualified(self, name: str) -> str:
        return ".".join(identifier(part) for part in (self.database, self.schema, name))


def identifier(name: str) -> str:
    """An unquoted UPPERCASE Snowflake identifier, or an error: never anything else in SQL text."""
    if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name!r} is not an unquoted UPPERCASE Snowflake identifier")
    return name


def use_local(session, database: str, schema: str) -> Connection:
    """Injects a session (the demo's or a test's) for every page of this process."""
    global _injected
    _injected = Connection(session, identifier(database), identifier(schema), f"local-{next(_keys)}")
    return _injected


def clear_local() -> None:
    global _injected
    _injected = None


def connection() -> Connection:
    if _injected is not None:
        return _injected
    try:
        from snowflake.snowpark.context import get_active_session
    except ImportError as error:
        raise NoSession("No Snowflake session: run the app in Streamlit in Snowflake, "
                        "or locally with `npm run demo`.") from error
    session = get_active_session()
    row = session.sql("SELECT CURRENT_DATABASE() AS DATABASE_NAME, CURRENT_SCHEMA() AS SCHEMA_NAME").collect()[0]
    location = row.as_dict()
    return Connection(session, identifier(location["DATABASE_NAME"]), identifier(location["SCHEMA_NAME"]), "snowflake")
