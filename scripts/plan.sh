#!/usr/bin/env bash
# The offline plan for a stack (default dev): what `pulumi up` would create, with no Snowflake
# account and no Pulumi CLI. Installs what it needs first. Other arguments go to the plan:
# bash scripts/plan.sh --stack dev --against origin/main (see the README, "Reviewing changes").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent plan -- "${@:-dev}"
