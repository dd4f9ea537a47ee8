#!/usr/bin/env bash
# test/suites/rate_budget.sh - the shared rate budget (src/http/ratelimit.c)
# against gcsim's limiter (about 90 s):
#
# 1. No self-caused 429: 8 sessions share one budget of 120/min against a
#    gcsim that allows 120 requests per client in each fixed 60 s window,
#    each session sending 17 requests 4 at a time.  136 requests cannot
#    fit in one window, so the read crosses a window boundary; gcsim must
#    have answered none of them 429 (its /sim/stats), and http_stats() must
#    count no 429 and no retry.
# 2. The shared table never forgets a limit: on a second cluster with
#    gcanalytics.rate_budget_slots = 8, a budget that still owes its next
#    grant (requests_per_minute 1) and a budget paused by a Retry-After
#    keep waiting after 8 other (server, client) pairs used the table; when
#    every slot holds a pending limit, a new pair gets a budget in its
#    session with a WARNING that names the setting.
set -u -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/rate_budget
rm -rf "$T"
mkdir -p "$T"
chmod 1777 "$T"
PSQL="$PG_BINDIR/psql"
Q=/api/v2/routing/queues

# sim_total URL KEY - a counter of gcsim's /sim/stats "total" (requests,
# or a fault kind such as 429 or rate_limited); api_requests is requests
# less the token endpoint's (gc.oauth), which the limit does not count
sim_total() {
    curl -sf "$1/sim/stats" | python3 -c '
import json, sys
st = json.load(sys.stdin)
t, k = st["total"], sys.argv[1]
if k == "api_requests":
    print(t["requests"] - st["endpoints"].get("gc.oauth", {}).get("requests", 0))
else:
    print(t["requests"] if k == "requests" else t["faults"].get(k, 0))' "$2"
}


# ------------------------------------------- 1. no self-caused 429
RPM=120
SESSIONS=8
PER_SESSION=17
start_gcsim --rate-limit-per-minute $RPM || fail "gcsim did not start"
genesys_server rb_shared "$GCSIM_URL" rb-client rb-secret "requests_per_minute '$RPM'" "max_concurrency '4'"
sql "SELECT gcanalytics.http_stats_reset()" >/dev/null
one_session() {
    "$PSQL" -qXAt -c "SELECT count(*) FROM gcanalytics.http_request_many('rb_shared', 'GET',
        ARRAY(SELECT '$Q?pageSize=1&pageNumber=' || g FROM generate_series(1, $PER_SESSION) g)) r
        WHERE r.status = 200" >"$T/shared.$1" 2>&1
}
t0=$(date +%s%3N)
pids=""
for i in $(seq 1 $SESSIONS); do
    one_session "$i" &
    pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
t1=$(date +%s%3N)
got=""
want=""
for i in $(seq 1 $SESSIONS); do
    got="$got $(cat "$T/shared.$i")"
    want="$want $PER_SESSION"
done
assert_eq "$want" "$got" "$SESSIONS sessions each read $PER_SESSION pages with status 200"
total=$((SESSIONS * PER_SESSION))
served=$(sim_total "$GCSIM_URL" api_requests)
assert_eq "$total" "$served" "gcsim served exactly $total API requests (none repeated)"
[ "$served" -gt "$RPM" ] || fail "only $served requests: the read did not need a second window"
assert_eq "0 0" "$(sim_total "$GCSIM_URL" rate_limited) $(sim_total "$GCSIM_URL" 429)" \
    "gcsim answered no request 429 ($served requests over more than one $RPM-request window)"
assert_eq "$total|0|f|t" "$(sql "SELECT requests - token_requests, retries, errors ? '429', shared
                                   FROM gcanalytics.http_stats() WHERE server = 'rb_shared'")" \
    "http_stats: $total API requests, no retry, no 429, shared budget"
el=$((t1 - t0))
echo "info: $total requests in $el ms: $(( total * 60000 / el ))/min against a limit of $RPM/min"

# ------------------------------------- 2. a second cluster with 8 slots
DATA=$T/data
SOCK=$T/sock
mkdir -p "$SOCK"
chmod 777 "$SOCK"
runas "$PG_BINDIR/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$T/initdb.log" 2>&1 \
    || { cat "$T/initdb.log"; fail "initdb failed"; }
cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = ''
port = 5434
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'gcanalytics'
gcanalytics.allow_loopback_http = on
gcanalytics.rate_budget_slots = 8
fsync = off
autovacuum = off
max_connections = 10
shared_buffers = 32MB
EOF
stop_cluster() {
    runas "$PG_BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null 2>&1
    stop_all_gcsim
}
trap stop_cluster EXIT
runas "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$T/server.log" -w -t 60 start >/dev/null \
    || { cat "$T/server.log"; fail "the 8-slot cluster did not start"; }
export PGHOST=$SOCK PGPORT=5434 PGDATABASE=postgres
sql "CREATE EXTENSION gcanalytics" || fail "CREATE EXTENSION failed on the 8-slot cluster"
assert_eq 8 "$(sql "SHOW gcanalytics.rate_budget_slots")" "gcanalytics.rate_budget_slots is 8"

# request SERVER [SETTINGS] - one GET in a new session; prints the status
# or the error (stderr included)
request() {
    "$PSQL" -qXAt -c "${2:-}SELECT status FROM gcanalytics.http_request('$1', 'GET', '$Q?pageSize=1')" 2>&1
}

start_gcsim || fail "gcsim did not start"
URL=$GCSIM_URL
start_gcsim --rate-limit-per-minute 1 || fail "gcsim did not start"
URL_LIMITED=$GCSIM_URL

# D owes its next grant for 60 s after one request at 1/min
genesys_server rb_debt "$URL" rb-debt rb-secret "requests_per_minute '1'"
assert_eq 200 "$(request rb_debt)" "rb_debt: first request"
# P is paused by a Retry-After: gcsim allows one request a minute to it
genesys_server rb_pause "$URL_LIMITED" rb-pause rb-secret "requests_per_minute '100000'" "max_retries '1'"
assert_eq 200 "$(request rb_pause)" "rb_pause: first request"
out=$(request rb_pause "SET gcanalytics.retry_max_wait_ms = '100'; ")
[[ "$out" == *"HTTP status 429"* ]] || fail "rb_pause: the second request should meet gcsim's 429: $out"
echo "ok: rb_pause met a 429 with a Retry-After of about a minute"
limited_before=$(sim_total "$URL_LIMITED" api_requests)

# 8 other pairs, each done at once (100000/min), cycle through the table
for i in $(seq 1 8); do
    genesys_server "rb_other$i" "$URL" "rb-other$i" rb-secret "requests_per_minute '100000'"
done
others=$(for i in $(seq 1 8); do request "rb_other$i"; done | sort | uniq -c | awk '{print $1 "x" $2}')
assert_eq "8x200" "$others" "8 other pairs used the 8-slot table, without a warning"

out=$(request rb_debt "SET statement_timeout = '2s'; ")
[[ "$out" == *"canceling statement due to statement timeout"* ]] \
    || fail "rb_debt should still wait for its next grant after 8 other pairs: $out"
echo "ok: rb_debt still waits for its next grant after 8 other pairs (not evicted)"
out=$(request rb_pause "SET statement_timeout = '2s'; ")
[[ "$out" == *"canceling statement due to statement timeout"* ]] \
    || fail "rb_pause should still be paused after 8 other pairs: $out"
assert_eq "$limited_before" "$(sim_total "$URL_LIMITED" api_requests)" \
    "rb_pause still honours its Retry-After after 8 other pairs (no request sent)"

# fill the other 6 slots with pairs that owe a grant: the table is full
for i in $(seq 1 6); do
    genesys_server "rb_full$i" "$URL" "rb-full$i" rb-secret "requests_per_minute '1'"
    assert_eq 200 "$(request "rb_full$i")" "rb_full$i: first request"
done
genesys_server rb_new1 "$URL" rb-new1 rb-secret
genesys_server rb_new2 "$URL" rb-new2 rb-secret
out=$("$PSQL" -qXAt -c "SELECT status FROM gcanalytics.http_request('rb_new1', 'GET', '$Q?pageSize=1');
                        SELECT status FROM gcanalytics.http_request('rb_new2', 'GET', '$Q?pageSize=1');
                        SELECT string_agg(server || ':' || requests, ',' ORDER BY server)
                          FROM gcanalytics.http_stats() WHERE server::text LIKE 'rb_new%'" 2>&1)
echo "$out" | sed 's/^/    /'
[[ "$out" == *"WARNING:  shared rate budget table is full"* ]] \
    || fail "a full table should say so with a WARNING: $out"
[[ "$out" == *"gcanalytics.rate_budget_slots"* ]] || fail "the WARNING should name the setting: $out"
assert_eq 1 "$(grep -c 'WARNING' <<<"$out")" "one WARNING per backend for a full table"
assert_eq "200 200" "$(grep -x '200' <<<"$out" | xargs)" "pairs beyond a full table are still served (per-session budget)"
assert_eq 1 "$(grep -c '^rb_new1:2,rb_new2:2$' <<<"$out")" \
    "http_stats counts the per-session budgets (a token and a request each)"
# the debts are still there
out=$(request rb_debt "SET statement_timeout = '2s'; ")
[[ "$out" == *"canceling statement due to statement timeout"* ]] \
    || fail "rb_debt should still wait with a full table: $out"
echo "ok: rb_debt still waits with a full table"

echo "rate_budget: all checks passed"
