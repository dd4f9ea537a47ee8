#!/usr/bin/env bash
# Windows: a range over several UTC days is read day by day and equals the
# truth; a day with more conversations than the API's 100,000-result cap
# is split until every window fits, and still returns every conversation
# exactly once.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

NOW=2026-03-20T12:00:00Z
T=$GCA_BUILD/tmp/fdw_windows
mkdir -p "$T"

make_server() { # name url
    genesys_server "$1" "$2" fw fw-secret "requests_per_minute '1000000'"
    sql "CREATE FOREIGN TABLE ${1}_conv (conversation_id text, conversation_start timestamptz, handle_ms bigint)
           SERVER $1 OPTIONS (resource 'conversations', extraction 'query');"
}

# 1. three days and a half, from mid-day to mid-day, read in four windows
start_gcsim --seed 31 --conversations-per-day 800 --now $NOW
gcsim_truth "$T" 2026-03-14 2026-03-19 --seed 31 --conversations-per-day 800 --now $NOW
load_csv fw_truth "$T/conversations.csv"
make_server fw_gc "$GCSIM_URL"
FROM="2026-03-14 12:00:00+00"
TO="2026-03-18 06:30:00+00"
want=$(sql "SELECT count(*), sum(handle_ms::bigint) FROM fw_truth WHERE conversation_start::timestamptz >= '$FROM' AND conversation_start::timestamptz < '$TO'")
got=$(sql "SELECT count(*), sum(handle_ms) FROM fw_gc_conv WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'")
assert_eq "$want" "$got" "a range over five partial and whole days equals the truth (count|sum of handle_ms)"
dups=$(sql "SELECT count(*) - count(DISTINCT conversation_id) FROM fw_gc_conv WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'")
assert_eq 0 "$dups" "no conversation is returned twice across windows"
windows=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT 1 FROM fw_gc_conv WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'" | sed -n 's/.*Remote Windows: //p')
assert_eq 5 "$windows" "the range is read in one window per UTC day it touches"
stop_all_gcsim

# 2. a day over the 100,000-result cap
start_gcsim --seed 32 --conversations-per-day 130000 --now $NOW
make_server fw_big "$GCSIM_URL"
plan=$(sql "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF)
            SELECT count(*) FROM fw_big_conv WHERE conversation_start >= '2026-03-18' AND conversation_start < '2026-03-19'")
echo "$plan"
stats=$(curl -s "$GCSIM_URL/sim/stats")
got=$(sql "SELECT count(*), count(DISTINCT conversation_id) FROM fw_big_conv WHERE conversation_start >= '2026-03-18' AND conversation_start < '2026-03-19'")
assert_eq "130000|130000" "$got" "a day of 130,000 conversations (over the cap) is read whole, each once"
echo "$stats" | contains '"gc.details.query"' || fail "no details query was served"
echo "$plan" | contains 'rows=1 ' || true
sql "DROP SERVER fw_gc CASCADE; DROP SERVER fw_big CASCADE; DROP TABLE fw_truth"
