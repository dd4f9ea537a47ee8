#!/usr/bin/env bash
# The reliability harness (test/reliability/run.sh) at a small size: 7 days
# of 200 conversations a day through both routes under the fault mix,
# compared row by row with the truth; cancels during a response, a
# Retry-After wait and a budget wait; an immediate stop mid-scan and a
# restart; kill -9 of a backend waiting on the shared budget.  The full
# size is `make reliability` (RELIABILITY.md).
set -eu -o pipefail
export RELIABILITY_PER_DAY=${RELIABILITY_PER_DAY:-200}
export RELIABILITY_PAGE=${RELIABILITY_PAGE:-6}
export RELIABILITY_TOKEN_TTL=${RELIABILITY_TOKEN_TTL:-10}
exec bash "$GCA_ROOT/test/reliability/run.sh"
