#!/usr/bin/env bash
# The benchmark (a command, not a test): one ingestion cycle, Wallmonitor vs a reference-style
# baseline, for 1/7/30 days of history x 10/50/200 agents, and 12-month dashboard questions from
# rollups vs raw events, on the Snowflake emulator. Prints figures; asserts nothing.
# Usage: npm run benchmark [-- --quick] [-- --rate TURNS_PER_AGENT_PER_HOUR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SNOWFLAKE_LOG_LEVEL=OFF
exec .venv/bin/python -W ignore -m bench "$@"
