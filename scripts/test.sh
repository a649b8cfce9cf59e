#!/usr/bin/env bash
# Every test: type check, the Pulumi program on the mock runtime (mocha), and the SQL, the
# ingestion handlers and the traffic generator on the Snowflake emulator (pytest).
# Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SNOWFLAKE_LOG_LEVEL=OFF

echo "== type check (tsc, strict)"
npx tsc --noEmit -p .
echo "== Pulumi program on the mock runtime (mocha)"
npx mocha
echo "== SQL on the Snowflake emulator (pytest)"
.venv/bin/python -m pytest -q -p no:cacheprovider test/python test/sql
