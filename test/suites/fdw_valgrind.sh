#!/usr/bin/env bash
# FDW scans under valgrind: a second scratch cluster whose postgres runs
# under valgrind (memcheck, children traced) with gcanalytics preloaded
# (the shared budget), reading a day of gc.conversations and gc.segments
# through both routes and by id, under 429s, 503s, dropped connections,
# truncated bodies and an empty page, and a scan cancelled by
# statement_timeout.  The row counts must be the truth's; fails when
# valgrind reports an error with a gcanalytics frame.
#
# Opt-in, it takes a few minutes: FDW_VALGRIND=1 make test TESTS=fdw_valgrind
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

if [ "${FDW_VALGRIND:-}" != 1 ]; then
    echo "skipped: set FDW_VALGRIND=1 to run FDW scans under valgrind (a few minutes)"
    exit 77
fi
command -v valgrind >/dev/null || fail "valgrind is not installed"

T=$GCA_BUILD/tmp/fdw_valgrind
SEED=9
PER_DAY=300
NOW=2026-03-20T12:00:00Z
DAY=2026-03-17
NEXT=2026-03-18
vg_cluster_start "$T" 5434 "shared_preload_libraries = 'gcanalytics'
gcanalytics.allow_loopback_http = on"
"$GCSIM" truth --seed $SEED --conversations-per-day $PER_DAY --now $NOW --from $DAY --to $NEXT --out "$T/truth" >/dev/null
n_conv=$(($(wc -l <"$T/truth/conversations.csv") - 1))
n_seg=$(($(wc -l <"$T/truth/segments.csv") - 1))

start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW \
    --fault-429 0.05 --fault-503 0.05 --fault-drop 0.03 --fault-truncate 0.03 \
    --fault-empty-page 2 --fault-page-once --gc-token-ttl 20 --job-delay-ms 50
vsql() { "${VG_PSQL[@]}" -d vg -qAt -v ON_ERROR_STOP=1 "$@"; }
"${VG_PSQL[@]}" -d postgres -qc "CREATE DATABASE vg" || fail "CREATE DATABASE failed"
vsql -c "CREATE EXTENSION gcanalytics;
    CREATE SERVER vg_gc FOREIGN DATA WRAPPER gcanalytics_fdw
      OPTIONS (service 'genesys', api_url '$GCSIM_URL', login_url '$GCSIM_URL',
               requests_per_minute '100000', max_retries '12', page_size '50');
    CREATE USER MAPPING FOR CURRENT_USER SERVER vg_gc OPTIONS (client_id 'vg', client_secret 'vg-secret');
    CREATE SCHEMA gc;
    IMPORT FOREIGN SCHEMA analytics FROM SERVER vg_gc INTO gc;"

W="conversation_start >= '$DAY' AND conversation_start < '$NEXT'"
failed=0
check() { # what expected query; errors are compared, NOTICEs (EXPLAIN-like planner notes) are not
    local got
    got=$(vsql -c "SET client_min_messages = warning" -c "$3" 2>&1) || true
    if [ "$got" = "$2" ]; then echo "ok: $1 under valgrind ($got)"; else failed=1; echo "FAIL: $1: expected $2, got $got"; fi
}
# the columns are aggregated so that the scan reads them
check "conversations, details query" "$n_conv/true" \
    "SELECT count(DISTINCT conversation_id) || '/' || bool_and(raw IS NOT NULL AND talk_ms IS NOT NULL)
       FROM gc.conversations WHERE $W"
check "segments, details query" "$n_seg/$n_seg" \
    "SELECT count(*) || '/' || count(segment_start) FROM gc.segments WHERE $W"
check "conversations, jobs (attributes)" "$n_conv/true" \
    "SELECT count(*) || '/' || bool_and(attributes IS NOT NULL) FROM gc.conversations WHERE $W"
check "conversations by id (a nested loop of batches)" 150 \
    "WITH ids AS MATERIALIZED (SELECT conversation_id FROM gc.conversations WHERE $W ORDER BY 1 LIMIT 150)
     SELECT count(c.agent_ids) FROM ids JOIN gc.conversations c USING (conversation_id)"
out=$(vsql -c "SET statement_timeout = '300ms'" -c "SELECT count(*) FROM gc.conversations WHERE $W" 2>&1 || true)
if grep -q 'canceling statement due to statement timeout' <<<"$out"; then echo "ok: a scan cancelled under valgrind"
else failed=1; echo "FAIL: the scan was not cancelled: $out"; fi

vg_cluster_stop
vg_reports_ours || failed=1
[ "$failed" = 0 ] || fail "FDW scans are not clean under valgrind"
