#!/usr/bin/env bash
# Every test: type check, the Pulumi program and the dynamic provider (mocha), the SQL, the
# ingestion handlers, the traffic generator and the dashboard pages on the Snowflake emulator
# (pytest), and the dashboard in headless Chromium served by the local demo.
# Installs what it needs first (Chromium through scripts/setup-browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SNOWFLAKE_LOG_LEVEL=OFF

echo "== type check (tsc, strict)"
npx tsc --noEmit -p .
echo "== Pulumi program on the mock runtime (mocha)"
npx mocha
echo "== SQL on the Snowflake emulator (pytest, two workers)"
.venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations=15 test/python test/sql test/streamlit
echo "== benchmark smoke run (reduced size; figures only, no assertions)"
bash scripts/benchmark.sh --quick
echo "== the dashboard in Chromium, served by the local demo (playwright-core)"
bash scripts/setup-browser.sh
npm run --silent test:browser
