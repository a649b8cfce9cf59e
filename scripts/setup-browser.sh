#!/usr/bin/env bash
# Installs what the browser test (test/browser/) and the screenshot script need from Debian's
# packages, unless it is already there: Chromium, which playwright-core drives (`npx playwright
# install` cannot download browsers on these machines), and a color emoji font, so that the
# screenshots show the dashboard's emoji rather than empty boxes (the dashboard never relies on
# them: every emoji has a text label beside it).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
EMOJI_FONT=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
[[ -f "$EMOJI_FONT" ]] || missing+=(fonts-noto-color-emoji)
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
    echo "setup-browser: ${missing[*]} missing; run as root (or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
fi
echo "setup-browser: installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
"$CHROMIUM" --version >&2
