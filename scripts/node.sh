#!/usr/bin/env bash
# Prints the directory of a Node.js binary for Wallmonitor's scripts, so that a caller can put it
# first on PATH:
#   export PATH="$(bash scripts/node.sh):$PATH"           # the release pinned in .nvmrc
#   export PATH="$(bash scripts/node.sh 22.23.3):$PATH"   # an exact release, e.g. the older LTS
# Without an argument the machine's own Node is used when its major version is at least the
# pinned one; otherwise the pinned release is installed from the npm registry's `node` package
# into .toolchain/node-<version>/ (ignored by git) and reused while it reports that version.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned="$(tr -d '[:space:]' < .nvmrc)"
wanted="${1:-$pinned}"
if [[ ! "$wanted" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "node.sh: '$wanted' is not an exact Node.js release (like $pinned); fix .nvmrc or the argument" >&2
    exit 2
fi

machine="$(node --version 2>/dev/null || true)"
machine_major="${machine#v}"; machine_major="${machine_major%%.*}"
if [[ "$machine" == "v$wanted" || ( $# -eq 0 && -n "$machine" && "$machine_major" -ge "${pinned%%.*}" ) ]]; then
    dirname "$(command -v node)"
    exit 0
fi

folder=".toolchain/node-$wanted"
bin="$folder/node_modules/.bin"
if [[ "$("$bin/node" --version 2>/dev/null || true)" != "v$wanted" ]]; then
    echo "node.sh: installing Node.js $wanted into $folder (machine has ${machine:-no node})" >&2
    rm -rf "$folder"
    mkdir -p "$folder"
    # The `node` package fetches the platform's binary in its own install script; npm 11 runs a
    # dependency's install scripts only when the project's allowScripts names the package.
    echo '{ "private": true, "allowScripts": { "node": true } }' > "$folder/package.json"
    (cd "$folder" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$wanted" >&2)
    installed="$("$bin/node" --version 2>/dev/null || true)"
    if [[ "$installed" != "v$wanted" ]]; then
        echo "node.sh: $folder/node_modules/.bin/node reports '${installed:-nothing}', expected v$wanted" >&2
        exit 1
    fi
fi
echo "$PWD/$bin"
