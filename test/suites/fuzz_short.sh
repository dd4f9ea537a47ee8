#!/usr/bin/env bash
# The fuzz targets (test/fuzz/targets.list) built with libFuzzer, ASan and
# UBSan; every regression input under test/fuzz/regress/NAME/ replayed; then
# each target fuzzed for FUZZ_SHORT_SECONDS (default 5) from gcsim seeds.
# A crash fails the suite and keeps its input in test/fuzz/regress/NAME/.
# The long run is `make fuzz` (FUZZ_SECONDS each).
set -eu -o pipefail
F="$GCA_ROOT/test/fuzz/fuzz.sh"
bash "$F" build || { echo "FAIL: the fuzz targets do not build"; exit 1; }
bash "$F" replay || { echo "FAIL: a regression input crashes again"; exit 1; }
bash "$F" seeds
bash "$F" run "${FUZZ_SHORT_SECONDS:-5}"
