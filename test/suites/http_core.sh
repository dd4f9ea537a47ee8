#!/usr/bin/env bash
# test/suites/http_core.sh - the HTTP core on its own, through the
# diagnostic gcanalytics.http_request(), against gcsims with knobs:
# token reuse and refresh, faults retried, persistent 500, bad
# credentials, statement_timeout during a 30 s response, no fd growth over
# 100 cancelled requests, no secret in the server log at debug5, one rate
# budget shared by two sessions, Salesforce tokens and 401 refresh.
set -u -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/http_core
mkdir -p "$T"
chmod 1777 "$T"
LOG=$GCA_BUILD/logs/postgres.log
SECRET='s3cr3t-Zq9-never-print'
REFRESH='5AepRefresh-Zq9-never-print'
PSQL="$PG_BINDIR/psql"

now_ms() { date +%s%3N; }

# sim_requests URL ENDPOINT - requests gcsim served on ENDPOINT
sim_requests() {
    curl -s "$1/sim/stats" | grep -o "\"$2\":{\"requests\":[0-9]*" | grep -o '[0-9]*$' || echo 0
}


Q=/api/v2/routing/queues

# ---------------------------------------------------------------- token reuse
start_gcsim --gc-token-ttl 5 || fail "gcsim did not start"
URL1=$GCSIM_URL
genesys_server h_tok "$URL1" regress-client "$SECRET"
n=$(sql "SELECT count(*) FROM generate_series(1, 5) g,
           LATERAL gcanalytics.http_request('h_tok', 'GET', '$Q?pageNumber=' || g) r
         WHERE r.status = 200")
assert_eq 5 "$n" "five requests answered 200"
assert_eq 1 "$(sim_requests "$URL1" gc.oauth)" "one token fetched for five requests in a session"

# refresh after expiry (ttl 5 s, refreshed at 90 %)
n=$(sql "SELECT count(*) FROM gcanalytics.http_request('h_tok', 'GET', '$Q') r WHERE r.status = 200;
         SELECT pg_sleep(5);
         SELECT count(*) FROM gcanalytics.http_request('h_tok', 'GET', '$Q') r WHERE r.status = 200" | tr '\n' ' ')
assert_eq "1  1 " "$n" "requests before and after the token's lifetime succeed"
assert_eq 3 "$(sim_requests "$URL1" gc.oauth)" "a new token after expires_in (one more per session)"

# a 401 fetches a new token and retries; when every new token is refused
# before any was accepted (a real credential problem), it fails after
# three new tokens (GCA_MAX_REFUSED_TOKENS), with the hint
start_gcsim --fault-401 1.0 || fail "gcsim did not start"
genesys_server h_401 "$GCSIM_URL" regress-client "$SECRET" "max_retries '1'"
err=$(sql "SELECT * FROM gcanalytics.http_request('h_401', 'GET', '$Q')" 2>&1 >/dev/null)
[[ "$err" == *"failed with HTTP status 401"* ]] || fail "a persistent 401 should fail: $err"
[[ "$err" == *"refused a freshly fetched token"* ]] || fail "a persistent 401 should hint at the OAuth client: $err"
assert_eq 4 "$(sim_requests "$GCSIM_URL" gc.oauth)" "a persistent 401 fetches three new tokens, then fails"
assert_eq 4 "$(sim_requests "$GCSIM_URL" gc.queues)" "a persistent 401 is retried with each new token"

# ---------------------------------------------------------- faults retried
start_gcsim --fault-429 0.1 --fault-503 0.05 --fault-drop 0.02 --fault-truncate 0.02 --gc-token-ttl 5 \
    || fail "gcsim did not start"
URLF=$GCSIM_URL
genesys_server h_fault "$URLF" regress-client "$SECRET" "requests_per_minute '100000'" "max_retries '8'"
sql "SELECT gcanalytics.http_stats_reset()" >/dev/null
res=$(sql "SELECT count(*) FILTER (WHERE r.status = 200), sum(r.attempts)
           FROM generate_series(1, 80) g,
                LATERAL gcanalytics.http_request('h_fault', 'GET', '$Q?pageNumber=' || g) r")
ok=${res%%|*}
attempts=${res##*|}
assert_eq 80 "$ok" "80 requests under injected faults all succeed"
# libcurl itself resends once when a reused connection is dropped before
# any response, so drops are not all visible as attempts
drops=$(sim_faults "$URLF" drop)
faults=$(( $(sim_faults "$URLF" 429) + $(sim_faults "$URLF" 503) + $(sim_faults "$URLF" truncate) ))
[ "$faults" -gt 0 ] || fail "gcsim injected no faults"
[ "$attempts" -ge $((80 + faults)) ] || fail "attempts $attempts < 80 + $faults faults"
echo "ok: $faults faults (429, 503, truncated) and $drops dropped connections injected, $attempts attempts for 80 requests"
stats=$(sql "SELECT requests, retries, errors ? '429', wait_ms > 0, shared FROM gcanalytics.http_stats() WHERE server = 'h_fault'")
IFS='|' read -r s_req s_retries s_has429 s_wait s_shared <<<"$stats"
[ "$s_req" -ge "$attempts" ] || fail "http_stats requests $s_req < attempts $attempts"
[ "$s_retries" -gt 0 ] || fail "http_stats shows no retries"
if [ "$(sim_faults "$URLF" 429)" -gt 0 ]; then assert_eq t "$s_has429" "http_stats counts the 429s"; fi
assert_eq t "$s_wait" "http_stats counts time waiting on backoff and Retry-After"
assert_eq t "$s_shared" "http_stats is shared (library preloaded)"

# ------------------------------------------------------------ persistent 500
start_gcsim --fault-500 1.0 || fail "gcsim did not start"
genesys_server h_500 "$GCSIM_URL" regress-client "$SECRET" "max_retries '2'"
err=$("$PSQL" -qXAt -v VERBOSITY=verbose -c "SELECT * FROM gcanalytics.http_request('h_500', 'GET', '$Q')" 2>&1 >/dev/null)
[[ "$err" == *"genesys request GET $Q failed with HTTP status 500"* ]] || fail "500 error should name endpoint and status: $err"
[[ "$err" == *"internal.server.error"* ]] || fail "500 error should carry the API's code: $err"
[[ "$err" == *"correlation id"* ]] || fail "500 error should carry the correlation id: $err"
[[ "$err" == *"HV000"* ]] || fail "500 error should have SQLSTATE HV000: $err"
[[ "$err" == *"sent 3 times"* ]] || fail "500 error should say how often it was tried: $err"
assert_eq 3 "$(sim_requests "$GCSIM_URL" gc.queues)" "max_retries 2 means three attempts"
echo "ok: persistent 500 -> $(echo "$err" | head -n 1)"

# 404 is not retried
err=$(sql "SELECT * FROM gcanalytics.http_request('h_tok', 'GET', '/api/v2/no/such/thing')" 2>&1 >/dev/null)
[[ "$err" == *"failed with HTTP status 404"* ]] || fail "404 should fail at once: $err"

# ----------------------------------------------------------- bad credentials
start_gcsim --client-id good-client --client-secret good-secret || fail "gcsim did not start"
genesys_server h_cred "$GCSIM_URL" regress-client "$SECRET"
err=$(sql "SELECT * FROM gcanalytics.http_request('h_cred', 'GET', '$Q')" 2>&1 >/dev/null)
[[ "$err" == *"genesys request POST /oauth/token failed with HTTP status 401"* ]] || fail "bad credentials: $err"
[[ "$err" == *"client_secret"*"h_cred"* ]] || fail "bad credentials should hint at the user mapping: $err"
[[ "$err" != *"$SECRET"* ]] || fail "the error shows the secret"
assert_eq 1 "$(sim_requests "$GCSIM_URL" gc.oauth)" "a refused token request is not retried"
echo "ok: bad credentials -> $(echo "$err" | head -n 1)"

# ------------------------------------------------------------- Salesforce
start_gcsim --sf-token-ttl 3 || fail "gcsim did not start"
URLS=$GCSIM_URL
salesforce_server h_sf "$URLS" regress-client "$SECRET" "max_retries '3'" >/dev/null
# the refresh-token flow alone
salesforce_server h_sf_rt "$URLS" regress-client "$SECRET" >/dev/null
sql "ALTER USER MAPPING FOR CURRENT_USER SERVER h_sf_rt OPTIONS (DROP client_secret, ADD refresh_token '$REFRESH')" >/dev/null
SFQ="/services/data/v62.0/query?q=SELECT+Id+FROM+Account+LIMIT+"
# the session timeout (3 s) passes on gcsim's clock, within one session
n=$("$PSQL" -qXAt -v ON_ERROR_STOP=1 <<EOF | tr '\n' ' '
SELECT count(*) FROM generate_series(1, 5) g,
       LATERAL gcanalytics.http_request('h_sf', 'GET', '$SFQ' || g) r
 WHERE r.status = 200 AND r.body LIKE '{"totalSize":' || g || ',%';
\\! curl -s -X POST '$URLS/sim/clock?advance_s=4'
SELECT r.status, r.attempts FROM gcanalytics.http_request('h_sf', 'GET', '${SFQ}1') r;
EOF
)
assert_eq "5 200|2 " "$n" "salesforce queries through instance_url; after the session timeout INVALID_SESSION_ID refreshes once"
assert_eq 2 "$(sim_requests "$URLS" sf.token)" "one salesforce token, then one more after the 401"
li=$(sql "SELECT limit_info FROM gcanalytics.http_stats() WHERE server = 'h_sf'")
[[ "$li" == api-usage=* ]] || fail "http_stats should show the last Sforce-Limit-Info: $li"
echo "ok: salesforce limit_info $li"
n=$(sql "SELECT r.status FROM gcanalytics.http_request('h_sf_rt', 'GET', '/services/data/v62.0/limits') r")
assert_eq 200 "$n" "salesforce refresh_token grant"
err=$(sql "SELECT * FROM gcanalytics.http_request('h_sf_rt', 'GET', '/services/data/v62.0/query?q=SELECT+Nope+FROM+Account')" 2>&1 >/dev/null)
[[ "$err" == *"salesforce request GET /services/data/v62.0/query failed with HTTP status 400"* && "$err" == *"INVALID_FIELD"* ]] \
    || fail "salesforce error should carry errorCode: $err"

# -------------------------------------------------- statement_timeout, fds
start_gcsim --latency-ms 30000 || fail "gcsim did not start"
URLSLOW=$GCSIM_URL
# tokens from the fast gcsim (same seed), so the slow part is the API call
genesys_server h_slow "$URLSLOW" regress-client "$SECRET"
sql "ALTER SERVER h_slow OPTIONS (SET login_url '$URL1')" >/dev/null
genesys_server h_ok "$URL1" regress-client "$SECRET"
t0=$(now_ms)
out=$("$PSQL" -qXAt 2>&1 <<EOF
SET statement_timeout = '1s';
SELECT * FROM gcanalytics.http_request('h_slow', 'GET', '$Q');
\echo after-timeout
SELECT status FROM gcanalytics.http_request('h_ok', 'GET', '$Q');
EOF
)
t1=$(now_ms)
[[ "$out" == *"canceling statement due to statement timeout"* ]] || fail "statement_timeout should cancel: $out"
[[ "$out" == *$'after-timeout\n200'* ]] || fail "the session should stay usable: $out"
el=$((t1 - t0))
# the response takes 30 s: a session back before that was cancelled while
# waiting, not after the response (the time itself is a benchmark's)
[ "$el" -lt 30000 ] || fail "statement_timeout 1s waited for the 30 s response ($el ms)"
echo "ok: statement_timeout 1s during a 30 s response: $el ms, session usable"

# 100 cancelled requests in one session: no fd growth
{
    echo "SET statement_timeout = '100ms';"
    echo "SELECT * FROM gcanalytics.http_request('h_slow', 'GET', '$Q');"
    echo "RESET statement_timeout;"
    echo "SELECT 'fd-before', count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fd');"
    echo "SET statement_timeout = '100ms';"
    for i in $(seq 1 100); do
        echo "SELECT * FROM gcanalytics.http_request('h_slow', 'GET', '$Q?pageNumber=$i');"
    done
    echo "RESET statement_timeout;"
    echo "SELECT 'fd-after', count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fd');"
} >"$T/cancel.sql"
out=$("$PSQL" -qXAt -f "$T/cancel.sql" 2>&1)
ncancel=$(grep -c "canceling statement due to statement timeout" <<<"$out")
before=$(sed -n 's/^fd-before|//p' <<<"$out")
after=$(sed -n 's/^fd-after|//p' <<<"$out")
assert_eq 101 "$ncancel" "101 requests cancelled by statement_timeout"
[ -n "$before" ] && [ -n "$after" ] || fail "no fd counts: $out"
[ "$after" -le "$before" ] || fail "fds grew from $before to $after over 100 cancelled requests"
echo "ok: open fds $before before and $after after 100 cancelled requests"

# ------------------------------------------------ concurrency, abandoned calls
start_gcsim --latency-ms 1000 || fail "gcsim did not start"
genesys_server h_conc "$GCSIM_URL" regress-client "$SECRET" "max_concurrency '4'"
sql "ALTER SERVER h_conc OPTIONS (SET login_url '$URL1')" >/dev/null
paths="ARRAY(SELECT '$Q?pageNumber=' || g FROM generate_series(1, 8) g)"
t0=$(now_ms)
n=$(sql "SELECT count(*) FROM gcanalytics.http_request_many('h_conc', 'GET', $paths) WHERE status = 200")
t1=$(now_ms)
assert_eq 8 "$n" "8 requests through http_request_many"
el4=$((t1 - t0))
sql "ALTER SERVER h_conc OPTIONS (SET max_concurrency '1')" >/dev/null
t0=$(now_ms)
sql "SELECT count(*) FROM gcanalytics.http_request_many('h_conc', 'GET', $paths)" >/dev/null
t1=$(now_ms)
el1=$((t1 - t0))
# against max_concurrency 1 in the same run (no absolute upper bound)
[ $((el4 * 2)) -lt "$el1" ] || fail "8 requests of 1 s at max_concurrency 4 took $el4 ms, at 1 $el1 ms"
[ "$el1" -ge 8000 ] || fail "8 requests of 1 s at max_concurrency 1 took only $el1 ms"
echo "ok: 8 requests of 1 s: $el4 ms at max_concurrency 4, $el1 ms at 1"

# a failure while others are in flight: they are abandoned, nothing leaks
sql "ALTER SERVER h_conc OPTIONS (SET max_concurrency '4')" >/dev/null
{
    # two rounds first, so that the keep-alive cache is warm
    for i in 0 00; do
        echo "SELECT count(*) FROM gcanalytics.http_request_many('h_conc', 'GET', ARRAY['/api/v2/no/such/thing', '$Q?a=$i', '$Q?b=$i', '$Q?c=$i']);"
    done
    echo "SELECT 'fd-before', count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fd');"
    for i in $(seq 1 10); do
        echo "SELECT count(*) FROM gcanalytics.http_request_many('h_conc', 'GET', ARRAY['/api/v2/no/such/thing', '$Q?a=$i', '$Q?b=$i', '$Q?c=$i']);"
    done
    echo "SELECT 'fd-mid', count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fd');"
    for i in $(seq 11 20); do
        echo "SELECT count(*) FROM gcanalytics.http_request_many('h_conc', 'GET', ARRAY['/api/v2/no/such/thing', '$Q?a=$i', '$Q?b=$i', '$Q?c=$i']);"
    done
    echo "SELECT 'fd-after', count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fd');"
    echo "SELECT 'ok', count(*) FROM gcanalytics.http_request_many('h_conc', 'GET', ARRAY['$Q', '$Q?x=1']);"
} >"$T/abandon.sql"
out=$("$PSQL" -qXAt -f "$T/abandon.sql" 2>&1)
assert_eq 22 "$(grep -c 'failed with HTTP status 404' <<<"$out")" "22 failures with requests in flight"
before=$(sed -n 's/^fd-before|//p' <<<"$out")
mid=$(sed -n 's/^fd-mid|//p' <<<"$out")
after=$(sed -n 's/^fd-after|//p' <<<"$out")
# each batch abandons 30 transfers: a leak would add about 30 fds a batch,
# while the keep-alive cache holds at most max_concurrency (4) connections,
# so the count moves within that bound (19, 21, 19 ... was seen)
[ -n "$before" ] && [ -n "$mid" ] && [ -n "$after" ] || fail "no fd counts: $out"
[ "$mid" -le $((before + 4)) ] || fail "fds grew from $before to $mid over the first 10 failures: $out"
[ "$after" -le $((before + 4)) ] || fail "fds grew from $before to $after over 20 failures: $out"
assert_eq "ok|2" "$(grep '^ok|' <<<"$out")" "the session works after abandoned requests"
echo "ok: open fds $before, $mid after 10 and $after after 20 failures with 3 requests in flight each"

# ----------------------------------------------- secrets never in the log
start_gcsim --gc-token-ttl 5 --fault-401 0.2 --fault-500 0.2 --fault-429 0.1 || fail "gcsim did not start"
genesys_server h_sec "$GCSIM_URL" regress-client "$SECRET" "max_retries '1'"
salesforce_server h_sec_sf "$GCSIM_URL" regress-client "$SECRET" "max_retries '1'" >/dev/null
sql "ALTER USER MAPPING FOR CURRENT_USER SERVER h_sec_sf OPTIONS (ADD refresh_token '$REFRESH')" >/dev/null
logstart=$(wc -c <"$LOG")
"$PSQL" -qXAt >/dev/null 2>&1 <<EOF
SET log_min_messages = debug5;
SET client_min_messages = debug5;
SELECT count(*) FROM generate_series(1, 20) g, LATERAL gcanalytics.http_request('h_sec', 'GET', '$Q?pageNumber=' || g) r;
\\! curl -s -X POST '$GCSIM_URL/sim/clock?advance_s=6'
SELECT count(*) FROM generate_series(1, 10) g, LATERAL gcanalytics.http_request('h_sec', 'GET', '$Q?pageNumber=' || g) r;
SELECT count(*) FROM generate_series(1, 10) g, LATERAL gcanalytics.http_request('h_sec_sf', 'GET', '/services/data/v62.0/query?q=SELECT+Id+FROM+Account+LIMIT+' || g) r;
SELECT * FROM gcanalytics.http_request('h_cred', 'GET', '$Q');
EOF
tail -c +"$((logstart + 1))" "$LOG" >"$T/debug5.log"
grep -q "gcanalytics: genesys GET $Q" "$T/debug5.log" || fail "no DEBUG2 request line reached the log"
grep -q "gcanalytics: salesforce GET /services/data/v62.0/query" "$T/debug5.log" || fail "no salesforce DEBUG2 line in the log"
for s in "$SECRET" "$REFRESH" "gcsim1." "00DSIM000000001" "Bearer" "client_secret=" "refresh_token="; do
    if grep -qF -- "$s" "$T/debug5.log"; then
        grep -F -- "$s" "$T/debug5.log" | head -n 3
        fail "the server log at debug5 contains \"$s\""
    fi
done
echo "ok: $(grep -c 'gcanalytics: ' "$T/debug5.log") gcanalytics log lines at debug5, no secret or token"

# ------------------------------------------ one budget for two sessions
start_gcsim || fail "gcsim did not start"
genesys_server h_budget "$GCSIM_URL" regress-client "$SECRET" "requests_per_minute '120'"
sql "SELECT gcanalytics.http_stats_reset()" >/dev/null
one_session() {
    "$PSQL" -qXAt -c "SELECT count(*) FROM generate_series(1, 10) g,
        LATERAL gcanalytics.http_request('h_budget', 'GET', '$Q?pageNumber=' || g) r WHERE r.status = 200" >"$T/budget.$1" 2>&1
}
t0=$(now_ms)
one_session a &
pa=$!
one_session b &
pb=$!
wait "$pa" "$pb"
t1=$(now_ms)
assert_eq "10 10" "$(cat "$T/budget.a") $(cat "$T/budget.b")" "two sessions made 10 requests each"
el=$((t1 - t0))
# 20 requests at least 0.5 s apart (no burst): at least 9.5 s when the
# budget is shared; about 4.9 s if each session had its own
[ "$el" -ge 8500 ] || fail "20 requests at 120/min in two sessions took only $el ms: the budget is not shared"
w=$(sql "SELECT round(wait_ms) FROM gcanalytics.http_stats() WHERE server = 'h_budget'")
echo "ok: two sessions, 20 requests at 120/min: $el ms, $w ms waited on the shared budget"

# Retry-After pauses the other session too
start_gcsim --rate-limit-per-minute 3 || fail "gcsim did not start"
genesys_server h_pause "$GCSIM_URL" regress-client "$SECRET" "requests_per_minute '100000'" "max_retries '3'"
sql "SET gcanalytics.retry_max_wait_ms = '100'; SELECT count(*) FROM generate_series(1, 5) g,
       LATERAL gcanalytics.http_request('h_pause', 'GET', '$Q?pageNumber=' || g) r" >"$T/pause.a" 2>&1
[[ "$(cat "$T/pause.a")" == *"failed with HTTP status 429"*"gcanalytics.retry_max_wait_ms"* ]] \
    || fail "a Retry-After over retry_max_wait_ms should fail with a hint: $(cat "$T/pause.a")"
before=$(sim_requests "$GCSIM_URL" gc.queues)
t0=$(now_ms)
timeout 5 "$PSQL" -qXAt -c "SET statement_timeout = '2s'; SELECT * FROM gcanalytics.http_request('h_pause', 'GET', '$Q')" >/dev/null 2>&1
after=$(sim_requests "$GCSIM_URL" gc.queues)
assert_eq "$before" "$after" "another session honours the Retry-After pause (no request sent)"

echo "http_core: all checks passed"
