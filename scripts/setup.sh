#!/usr/bin/env bash
# Installs everything Wallmonitor's plan and tests need, from this repository's own files:
# npm packages from package-lock.json and a Python virtualenv (.venv) from requirements.txt.
# Safe to run again: each step is skipped while its lock file is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp() { sha256sum "$1" | cut -d' ' -f1; }

# package.json's engines.node names the oldest Node.js supported; an older one is refused here,
# before anything is installed, with the two ways out.
node -e '
const range = require("./package.json").engines.node;
const oldest = Number(/^>=(\d+)$/.exec(range)[1]);
if (Number(process.versions.node.split(".")[0]) < oldest) {
    console.error(`setup: Node.js ${process.version} is older than Wallmonitor supports (package.json engines.node "${range}").
Install Node.js ${oldest} or newer, or let this checkout download the release pinned in .nvmrc into .toolchain/:
    export PATH="$(bash scripts/node.sh):$PATH"`);
    process.exit(1);
}'

if [[ ! -f node_modules/.wallmonitor-stamp || "$(cat node_modules/.wallmonitor-stamp)" != "$(stamp package-lock.json)" ]]; then
    echo "setup: installing npm packages (npm ci)" >&2
    # Audit, funding and npm-update notices are left out: nothing in them can be acted on from this
    # lockfile install (the README's "Install notes" say what to run instead); warnings still show.
    npm ci --no-audit --no-fund --no-update-notifier >&2
    stamp package-lock.json > node_modules/.wallmonitor-stamp
fi

if [[ ! -f .venv/.wallmonitor-stamp || "$(cat .venv/.wallmonitor-stamp)" != "$(stamp requirements.txt)" ]]; then
    echo "setup: creating .venv from requirements.txt" >&2
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt >&2
    stamp requirements.txt > .venv/.wallmonitor-stamp
fi
