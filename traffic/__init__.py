"""Synthetic Cortex Agent observability events in Snowflake's event-table layout.

See ``traffic.generator`` for the model of a turn; ``python -m traffic --help`` for the CLI.
"""

from __future__ import annotations

from traffic.generator import (
    COLUMNS,
    EVENT_TABLE_DDL,
    CANARY,
    ERROR_CANARY_KIND,
    FREE_TEXT_CANARY_KINDS,
    AgentRef,
    canaries,
    generate,
    is_cortex_agent_event,
    is_evaluation_event,
    load,
    split_late,
    to_json_record,
    to_rows,
    with_delivery_faults,
)

__all__ = [
    "COLUMNS",
    "EVENT_TABLE_DDL",
    "CANARY",
    "ERROR_CANARY_KIND",
    "FREE_TEXT_CANARY_KINDS",
    "AgentRef",
    "canaries",
    "generate",
    "is_cortex_agent_event",
    "is_evaluation_event",
    "load",
    "split_late",
    "to_json_record",
    "to_rows",
    "with_delivery_faults",
]
