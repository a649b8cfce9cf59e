#!/usr/bin/env bash
# Installs everything Wallmonitor's plan and tests need, from this repository's own files:
# npm packages from package-lock.json and a Python virtualenv (.venv) from requirements.txt.
# Safe to run again: each step is skipped while its lock file is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp() { sha256sum "$1" | cut -d' ' -f1; }

if [[ ! -f node_modules/.wallmonitor-stamp || "$(cat node_modules/.wallmonitor-stamp)" != "$(stamp package-lock.json)" ]]; then
    echo "setup: installing npm packages (npm ci)" >&2
    npm ci --no-audit --no-fund >&2
    stamp package-lock.json > node_modules/.wallmonitor-stamp
fi

if [[ ! -f .venv/.wallmonitor-stamp || "$(cat .venv/.wallmonitor-stamp)" != "$(stamp requirements.txt)" ]]; then
    echo "setup: creating .venv from requirements.txt" >&2
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt >&2
    stamp requirements.txt > .venv/.wallmonitor-stamp
fi
