#!/usr/bin/env bash
# test/demo.sh - the main job of `make demo`, run by test/run.sh on the
# scratch cluster with the built-in simulator at $GCSIM_URL.
set -eu
. "$GCA_ROOT/test/lib.sh"

echo "gcanalytics $(sql "SELECT gcanalytics.version()") on $(sql "SHOW server_version")"
echo "simulator: ${GCSIM_URL:-not built}"
