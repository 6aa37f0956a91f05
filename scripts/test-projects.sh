#!/usr/bin/env bash
# The vitest part of `npm test`: the e2e project runs beside the others, in a vitest of its own.
#
# In one vitest run the e2e project (one file at a time against one local stack) can only start
# after the unit, integration and infra projects have finished: vitest runs projects whose
# `maxWorkers` differ one group after another. Its files spend most of their time waiting on the
# stack, on lease expiry or on a browser, so on a 2-core machine they fit beside the others.
# The e2e output is held back and printed whole after the others', so neither report is torn.
# Extra arguments go to the vitest of the unit, integration and infra projects (with coverage).
set -uo pipefail
# The project's own vitest and Node 22 (the `node` devDependency), also when run outside npm.
PATH="$(cd "$(dirname "$0")/.." && pwd)/node_modules/.bin:$PATH"

e2e_log=$(mktemp)
vitest run --project e2e >"$e2e_log" 2>&1 &
e2e_pid=$!
# Ctrl-C or a CI timeout stops both runs.
trap 'kill "$e2e_pid" 2>/dev/null; rm -f "$e2e_log"' EXIT
trap 'exit 130' INT TERM

echo "e2e tests run beside these in a vitest of their own; their report follows this one."
vitest run --coverage --project unit --project integration --project infra "$@"
status=$?

wait "$e2e_pid"
e2e_status=$?
echo
echo "── e2e ──"
cat "$e2e_log"

if ((status != 0)); then exit "$status"; fi
exit "$e2e_status"
