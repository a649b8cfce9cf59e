#!/usr/bin/env bash
# The benchmark (a command, not a test): one ingestion cycle, Wallmonitor vs a reference-style
# baseline, for 1/7/30 days of history x 10/200/1,000 agents at today's rate and 10 agents at a
# busy rate; 12-month dashboard questions from rollups vs raw events; rollup state per agent-day
# as traffic grows 100x; on the Snowflake emulator, in seconds, rows read, rows written,
# statements and state bytes (bench/measure.py). Prints figures and issue 19's targets as
# MET / NOT MET; fails only if a timed cycle received no new rows.
# Usage: npm run benchmark [-- --quick] [-- --markdown] [-- --rate R] [-- --busy-rate R]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SNOWFLAKE_LOG_LEVEL=OFF
exec .venv/bin/python -W ignore -m bench "$@"
