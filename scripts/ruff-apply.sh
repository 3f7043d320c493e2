#!/usr/bin/env bash
# Applies ruff's automatic fixes and its formatting to the whole tree, in one go: the mechanical change that
# makes `make lint` pass. Run it once, when no other branch is in flight (it touches most files), review the
# diff, run the suite, and commit it alone. Findings ruff cannot fix by itself are fixed by hand beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."
RUFF=${RUFF:-.venv/bin/ruff}
"$RUFF" check --fix .
"$RUFF" format .
"$RUFF" check .
"$RUFF" format --check .
