#!/usr/bin/env bash
# Cancellation: with 30 s of simulated latency, statement_timeout = '1s'
# ends a scan before the response arrives, with SQLSTATE 57014 and the session stays usable;
# 100 cancelled scans leak no file descriptors and no memory.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

start_gcsim --seed 3 --conversations-per-day 500 --now 2026-03-20T12:00:00Z --latency-ms 30000
genesys_server fx_gc "$GCSIM_URL" fx fx-secret
sql "CREATE FOREIGN TABLE fx_conv (conversation_id text, conversation_start timestamptz)
       SERVER fx_gc OPTIONS (resource 'conversations');"
Q="SELECT count(*) FROM fx_conv WHERE conversation_start >= '2026-03-18' AND conversation_start < '2026-03-19'"

# one session: a timed-out scan, then the same session answers at once
start=$(date +%s%N)
out=$("$PG_BINDIR/psql" -X -v VERBOSITY=verbose 2>&1 <<SQL || true
SET statement_timeout = '1s';
$Q;
RESET statement_timeout;
SELECT 'still usable' AS status;
SQL
)
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out"
echo "$out" | contains '57014' || fail "the timeout did not end the scan with SQLSTATE 57014"
echo "$out" | contains 'canceling statement due to statement timeout' || fail "not the statement-timeout error"
echo "$out" | contains 'still usable' || fail "the session was not usable after the timeout"
# the response takes 30 s: back before that means the wait was cancelled,
# not sat out (how soon is measured by the reliability harness, not here)
[ "$elapsed_ms" -lt 30000 ] || fail "the timed-out session waited for the 30 s response ($elapsed_ms ms)"
echo "ok: statement_timeout ended the scan; the whole session took $elapsed_ms ms"

# 100 cancelled scans in one backend: file descriptors and memory stay flat
script=$GCA_BUILD/tmp/fdw_cancel/loop.sql
mkdir -p "$(dirname "$script")"
{
    echo "SET statement_timeout = '60ms';"
    echo "\\o /dev/null"
    echo "$Q;"       # warm up: token, curl handle, caches
    echo "\\o"
    echo "SELECT pg_backend_pid() AS pid \\gset"
    echo "\\setenv GCA_PID :pid"
    echo "\\! ls /proc/\$GCA_PID/fd | wc -l > $GCA_BUILD/tmp/fdw_cancel/fd_before"
    echo "\\! grep VmRSS /proc/\$GCA_PID/status | tr -dc 0-9 > $GCA_BUILD/tmp/fdw_cancel/rss_before"
    for _ in $(seq 1 100); do echo "$Q;"; done
    echo "\\! ls /proc/\$GCA_PID/fd | wc -l > $GCA_BUILD/tmp/fdw_cancel/fd_after"
    echo "\\! grep VmRSS /proc/\$GCA_PID/status | tr -dc 0-9 > $GCA_BUILD/tmp/fdw_cancel/rss_after"
    echo "RESET statement_timeout;"
    echo "SELECT 'alive' AS status;"
} >"$script"
out=$("$PG_BINDIR/psql" -X -f "$script" 2>&1 || true)
n_cancel=$(echo "$out" | grep -c 'canceling statement due to statement timeout' || true)
echo "$out" | contains alive || fail "the session died during the cancelled scans"
[ "$n_cancel" -ge 100 ] || fail "expected 100 timeouts, saw $n_cancel"
d=$GCA_BUILD/tmp/fdw_cancel
fd_before=$(cat $d/fd_before); fd_after=$(cat $d/fd_after)
rss_before=$(cat $d/rss_before); rss_after=$(cat $d/rss_after)
echo "file descriptors: $fd_before before, $fd_after after; VmRSS: $rss_before kB before, $rss_after kB after"
# a leak would add one descriptor per cancelled scan (100); the keep-alive
# cache may hold up to max_concurrency (4) connections at any time
[ "$fd_after" -le $((fd_before + 4)) ] || fail "file descriptors grew from $fd_before to $fd_after over 100 cancelled scans"
[ "$rss_after" -le $((rss_before + 2048)) ] || fail "memory grew by $((rss_after - rss_before)) kB over 100 cancelled scans"
echo "ok: 100 cancelled scans, no descriptor or memory growth"

sql "DROP SERVER fx_gc CASCADE"
