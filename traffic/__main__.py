"""CLI: write generated events as JSON lines, for the local demo and the benchmark.

    python -m traffic --agents 3 --days 1 --seed 7 [--hours N] [--end ISO] --out events.jsonl

Timestamps are written as 'YYYY-MM-DD HH:MM:SS.fff' (naive UTC), objects as JSON objects.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone

from traffic.generator import AgentRef, generate, to_json_record

AGENT_NAMES = ("SALES_ASSISTANT", "SUPPORT_COPILOT", "FINANCE_ANALYST", "HR_HELPDESK", "OPS_ADVISOR")


def demo_agents(count: int, database: str, schema: str) -> list[AgentRef]:
    """Readable names for the first agents, numbered ones after that."""
    names = [AGENT_NAMES[i] if i < len(AGENT_NAMES) else f"AGENT_{i + 1}" for i in range(count)]
    return [AgentRef(database=database, schema=schema, name=name) for name in names]


def parse_end(text: str | None) -> datetime:
    """``--end`` as naive UTC; defaults to the current minute so reruns within it agree."""
    if text is None:
        return datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    end = datetime.fromisoformat(text)
    return end.astimezone(timezone.utc).replace(tzinfo=None) if end.tzinfo else end


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m traffic", description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--days", type=float, default=0)
    parser.add_argument("--hours", type=float, default=0, help="added to --days; both 0 means one day")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", help="ISO timestamp, naive means UTC (default: now)")
    parser.add_argument("--rate", type=float, default=6.0, help="turns per agent per hour")
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--database", default="DEMO_DB")
    parser.add_argument("--schema", default="AGENTS")
    parser.add_argument("--no-noise", action="store_true", help="omit rows of other object types")
    parser.add_argument("--out", default="-", help="output file, '-' for stdout")
    args = parser.parse_args(argv)

    end = parse_end(args.end)
    span = timedelta(days=args.days, hours=args.hours) or timedelta(days=1)
    events = generate(
        seed=args.seed,
        agents=demo_agents(args.agents, args.database, args.schema),
        start=end - span,
        end=end,
        turns_per_agent_per_hour=args.rate,
        users=args.users,
        include_noise=not args.no_noise,
    )
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    try:
        for event in events:
            out.write(json.dumps(to_json_record(event), default=str, sort_keys=True) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"wrote {len(events)} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
