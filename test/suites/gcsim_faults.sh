#!/usr/bin/env bash
# gcsim: fault injection at the configured shares (deterministic per request
# sequence, replayed after /sim/reset, counted by /sim/stats), rate limiting
# with 429 + Retry-After + inin-ratelimit-*, strict and default OAuth
# credentials, token expiry, latency served in parallel.  Needs no
# PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

CHECK=$(dirname "$GCSIM")/gcsim_check
TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_faults
rm -rf "$TMP"; mkdir -p "$TMP"
N=2000

token() {   # token URL [ID SECRET]
    curl -s -u "${2:-any}:${3:-thing}" -d grant_type=client_credentials "$1/oauth/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# --- fault shares -------------------------------------------------------
start_gcsim --seed 7 --fault-429 0.10 --fault-500 0.05 --fault-503 0.05 \
    --fault-drop 0.03 --fault-truncate 0.03 --fault-401 0.04
out=$("$CHECK" faults "$GCSIM_URL" $N)
echo "$out"
check_share() {     # check_share NAME SHARE
    local got
    got=$(echo "$out" | sed -n "s/.* $1 \([0-9]*\).*/\1/p")
    awk -v n=$N -v p="$2" -v got="$got" -v name="$1" 'BEGIN {
        e = n * p; tol = 4 * sqrt(n * p * (1 - p)); if (tol < 8) tol = 8;
        if (got < e - tol || got > e + tol) {
            printf "FAIL: %s: %d of %d, expected %.0f +- %.0f\n", name, got, n, e, tol; exit 1 }
        printf "ok: %s: %d of %d (expected %.0f +- %.0f)\n", name, got, n, e, tol }'
}
check_share 429 0.10
check_share 500 0.05
check_share 503 0.05
check_share drop 0.03
check_share truncate 0.03
check_share 401 0.04
check_share ok 0.70

stats=$(curl -s "$GCSIM_URL/sim/stats")
echo "$stats" | contains "\"gc.queues\":{\"requests\":$N," || fail "stats: $stats"
for k in 429 500 503 drop truncate 401; do
    got=$(echo "$out" | sed -n "s/.* $k \([0-9]*\).*/\1/p")
    echo "$stats" | contains "\"total\":{.*\"$k\":$got[,}]" || fail "stats $k != $got: $stats"
done
echo "ok: /sim/stats counts the same faults"
assert_eq 204 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$GCSIM_URL/sim/reset")" "POST /sim/reset"
again=$("$CHECK" faults "$GCSIM_URL" $N)
assert_eq "$out" "$again" "the same fault sequence after /sim/reset"
stop_all_gcsim

# --- rate limit ---------------------------------------------------------
start_gcsim --seed 7 --rate-limit-per-minute 5
T=$(token "$GCSIM_URL")
for i in 1 2 3 4 5; do
    code=$(curl -s -o /dev/null -D "$TMP/h" -w '%{http_code}' -H "Authorization: Bearer $T" \
           "$GCSIM_URL/api/v2/routing/queues")
    assert_eq 200 "$code" "request $i within the limit"
done
grep -qi '^inin-ratelimit-count: 5' "$TMP/h" || fail "inin-ratelimit-count: $(cat "$TMP/h")"
grep -qi '^inin-ratelimit-allowed: 5' "$TMP/h" || fail "inin-ratelimit-allowed"
grep -qi '^inin-ratelimit-reset: [0-9]' "$TMP/h" || fail "inin-ratelimit-reset"
grep -qi '^ININ-Correlation-Id: [0-9a-f-]\{36\}' "$TMP/h" || fail "ININ-Correlation-Id"
code=$(curl -s -o "$TMP/body" -D "$TMP/h" -w '%{http_code}' -H "Authorization: Bearer $T" \
       "$GCSIM_URL/api/v2/routing/queues")
assert_eq 429 "$code" "the sixth request in a minute"
grep -qi '^Retry-After: [1-9][0-9]*' "$TMP/h" || fail "no Retry-After: $(cat "$TMP/h")"
grep -q '"code":"too.many.requests.retry.after"' "$TMP/body" || fail "429 body: $(cat "$TMP/body")"
grep -q '"status":429' "$TMP/body" || fail "429 status in body"
echo "ok: 429 with Retry-After $(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$TMP/h") s"
stop_all_gcsim

# --- credentials and tokens ---------------------------------------------
start_gcsim --seed 7 --client-id good-id --client-secret good-secret --gc-token-ttl 2 --latency-ms 400
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -u good-id:bad -d grant_type=client_credentials "$GCSIM_URL/oauth/token")
assert_eq 401 "$code" "a wrong secret is refused"
grep -q '"error"' "$TMP/body" || fail "no error body: $(cat "$TMP/body")"
code=$(curl -s -o /dev/null -w '%{http_code}' -u good-id:good-secret -d grant_type=password "$GCSIM_URL/oauth/token")
assert_eq 400 "$code" "another grant type is refused"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -u good-id:good-secret -d grant_type=client_credentials "$GCSIM_URL/oauth/token")
assert_eq 200 "$code" "the right credentials get a token"
grep -q '"token_type":"bearer","expires_in":2}' "$TMP/body" || fail "token body: $(cat "$TMP/body")"
T=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$TMP/body")
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$GCSIM_URL/api/v2/users")
assert_eq 401 "$code" "no bearer token"
grep -q '"code":"authentication.required"' "$TMP/body" || fail "401 body: $(cat "$TMP/body")"
forged=${T%?}0; [ "$forged" = "$T" ] && forged=${T%?}1
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $forged" "$GCSIM_URL/api/v2/users")
assert_eq 401 "$code" "a forged token"
# latency: two requests in parallel take one latency, not two (against two
# in a row, measured in the same run: no absolute upper bound)
elapsed_of() {
    local start
    start=$(date +%s%N)
    "$@"
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}
two_parallel() {
    curl -s -o /dev/null -H "Authorization: Bearer $T" "$GCSIM_URL/api/v2/users" &
    local bg=$!
    curl -s -o /dev/null -H "Authorization: Bearer $T" "$GCSIM_URL/api/v2/users"
    wait $bg
}
two_serial() {
    curl -s -o /dev/null -H "Authorization: Bearer $T" "$GCSIM_URL/api/v2/users"
    curl -s -o /dev/null -H "Authorization: Bearer $T" "$GCSIM_URL/api/v2/users"
}
ms=$(elapsed_of two_parallel)
ms_serial=$(elapsed_of two_serial)
[ "$ms" -ge 400 ] || fail "two parallel requests with 400 ms latency took only $ms ms"
[ "$ms_serial" -ge 800 ] || fail "two requests in a row with 400 ms latency took only $ms_serial ms"
[ $((ms * 4)) -lt $((ms_serial * 3)) ] || fail "two parallel requests took $ms ms, two in a row $ms_serial ms: not served in parallel"
echo "ok: latency 400 ms, two parallel requests in $ms ms, two in a row in $ms_serial ms"
# the token's lifetime (2 s) passes on gcsim's clock, not in a sleep
assert_eq 204 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$GCSIM_URL/sim/clock?advance_s=3")" "gcsim's clock moved 3 s"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $T" "$GCSIM_URL/api/v2/users")
assert_eq 401 "$code" "an expired token"
grep -q '"code":"credentials.expired"' "$TMP/body" || fail "expired body: $(cat "$TMP/body")"
stop_all_gcsim

# --- faults reach both services, never the token endpoints ---------------
start_gcsim --seed 7 --fault-500 1.0
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -u a:b -d grant_type=client_credentials "$GCSIM_URL/oauth/token")
assert_eq 200 "$code" "no fault on /oauth/token"
T=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$TMP/body")
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $T" "$GCSIM_URL/api/v2/users")
assert_eq 500 "$code" "a Genesys fault"
grep -q '"code":"internal.server.error"' "$TMP/body" || fail "Genesys 500 body: $(cat "$TMP/body")"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$GCSIM_URL/services/data/v62.0/limits")
assert_eq 500 "$code" "a Salesforce fault"
grep -q '^\[{.*"errorCode":"UNKNOWN_EXCEPTION"' "$TMP/body" || fail "Salesforce 500 body: $(cat "$TMP/body")"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$GCSIM_URL/sim/stats")" "no fault on /sim/stats"
