#!/usr/bin/env bash
# Wallmonitor on localhost without a Snowflake account (`npm run demo`): the stack's SQL on the
# Snowflake emulator, generated agent traffic ingested on a compressed schedule, and the
# dashboard at http://127.0.0.1:8501. Options: `npm run demo -- --help`. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SNOWFLAKE_LOG_LEVEL=OFF
exec .venv/bin/python -m demo "$@"
