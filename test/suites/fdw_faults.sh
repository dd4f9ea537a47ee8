#!/usr/bin/env bash
# Faults: with 10 % 429, 5 % 503, 2 % dropped connections and tokens that
# expire mid-scan, a day read through gc.conversations is still exactly the
# truth; a persistent 500 raises an error naming the endpoint and status.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

SEED=23
PER_DAY=1200
NOW=2026-03-20T12:00:00Z
DAY=2026-03-17
NEXT=2026-03-18
T=$GCA_BUILD/tmp/fdw_faults
mkdir -p "$T"
gcsim_truth "$T" $DAY $NEXT --seed $SEED --conversations-per-day $PER_DAY --now $NOW

make_server() { # name url [extra options]
    genesys_server "$1" "$2" ff ff-secret "requests_per_minute '100000'" ${3:+"${3#, }"}
    sql "CREATE FOREIGN TABLE ${1}_conv (conversation_id text, conversation_start timestamptz,
             talk_ms bigint, handle_ms bigint, transfers integer, queue_id text)
           SERVER $1 OPTIONS (resource 'conversations', extraction 'query');"
}

load_csv ff_truth "$T/conversations.csv"

check_equal() { # what table
    local diff
    diff=$(sql "SELECT count(*) FROM (
        (SELECT conversation_id, talk_ms::bigint, handle_ms::bigint, transfers::int, nullif(queue_id, '') FROM ff_truth
         EXCEPT SELECT conversation_id, talk_ms, handle_ms, transfers, queue_id FROM $2)
        UNION ALL
        (SELECT conversation_id, talk_ms, handle_ms, transfers, queue_id FROM $2
         EXCEPT SELECT conversation_id, talk_ms::bigint, handle_ms::bigint, transfers::int, nullif(queue_id, '') FROM ff_truth)) d")
    assert_eq "$(sql "SELECT count(*) FROM ff_truth") 0" "$(sql "SELECT count(*) FROM $2") $diff" "$1"
}

# tokens live 1 s and every response takes 40 ms: a scan of 120 pages
# outlives several tokens
start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW \
    --fault-429 0.10 --fault-503 0.05 --fault-drop 0.02 --gc-token-ttl 1 --latency-ms 40
make_server ff_gc "$GCSIM_URL" ", page_size '10', max_retries '10'"
sql "DROP TABLE IF EXISTS ff_got; CREATE TABLE ff_got AS SELECT * FROM ff_gc_conv
     WHERE conversation_start >= '$DAY' AND conversation_start < '$NEXT'"
check_equal "with 429s, 503s, dropped connections and expiring tokens the result is exactly the truth" ff_got
stats=$(curl -s "$GCSIM_URL/sim/stats")
echo "gcsim stats: $stats" | head -c 2000; echo
fault_count() { echo "$stats" | grep -o "\"gc.details.query\":{[^}]*}" | grep -o "\"$1\":[0-9]*" | grep -o '[0-9]*$'; }
oauth=$(echo "$stats" | grep -o '"gc.oauth":{"requests":[0-9]*' | grep -o '[0-9]*$')
[ "$(fault_count 429)" -ge 3 ] || fail "gcsim served too few 429s: the faults were not exercised"
[ "$(fault_count 503)" -ge 1 ] || fail "gcsim served no 503: the faults were not exercised"
[ "$(fault_count drop)" -ge 1 ] || fail "gcsim dropped no connection: the faults were not exercised"
[ "$oauth" -ge 2 ] || fail "the token never expired during the scan ($oauth token requests)"
echo "ok: faults exercised: $(fault_count 429) x 429, $(fault_count 503) x 503, $(fault_count drop) dropped, $oauth tokens"

# the same through the details jobs
sql "ALTER FOREIGN TABLE ff_gc_conv OPTIONS (SET extraction 'job')"
sql "DROP TABLE ff_got; CREATE TABLE ff_got AS SELECT * FROM ff_gc_conv
     WHERE conversation_start >= '$DAY' AND conversation_start < '$NEXT'"
check_equal "the details jobs under the same faults give exactly the truth" ff_got

# a persistent 500: an error naming service, endpoint and status, not an empty result
stop_all_gcsim
start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW --fault-500 1.0
make_server ff_bad "$GCSIM_URL" ", max_retries '2'"
out=$("$PG_BINDIR/psql" -qXAt -c "SELECT count(*) FROM ff_bad_conv WHERE conversation_start >= '$DAY' AND conversation_start < '$NEXT'" 2>&1 || true)
echo "$out"
echo "$out" | contains 'ERROR' || fail "a persistent 500 did not raise an error"
echo "$out" | contains '/api/v2/analytics/conversations/details/query' || fail "the error does not name the endpoint"
echo "$out" | contains '500' || fail "the error does not name the status"
echo "$out" | contains -i 'genesys' || fail "the error does not name the service"
echo "ok: a persistent 500 raises an error naming service, endpoint and status"

sql "DROP SERVER ff_gc CASCADE; DROP SERVER ff_bad CASCADE; DROP TABLE ff_truth, ff_got"
