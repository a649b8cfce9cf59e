#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (test/browser/), unless it is already there.
# playwright-core drives it; `npx playwright install` cannot download browsers on these machines.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
    echo "setup-browser: $CHROMIUM is missing; run as root (or: sudo apt-get install -y chromium)" >&2
    exit 1
fi
echo "setup-browser: installing chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
"$CHROMIUM" --version >&2
