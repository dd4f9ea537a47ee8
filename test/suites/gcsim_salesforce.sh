#!/usr/bin/env bash
# test/suites/gcsim_salesforce.sh - the Salesforce half of gcsim.
#
# 1. sf_test (test/simulator/sf_test.c): the world, the SOQL engine with
#    answers recomputed from the generated arrays, sf_handle in-process.
# 2. Over HTTP with curl against $GCSIM: both OAuth grants, paging by
#    nextRecordsUrl compared with `gcsim truth`'s accounts.csv (every account
#    once, Lifetime_Value__c exact also in exponent form), COUNT(), escapes,
#    errors (MALFORMED_QUERY, INVALID_FIELD, 414), describe, limits,
#    session expiry (401) and the daily allocation (403).
# 3. The wide Account of --sf-wide-account (gcsim_sf_wide.py, python3).
#
# Runs standalone too: GCA_ROOT/GCA_BUILD default to this checkout, and
# gcsim is built when $GCSIM is not set.  Needs curl, sed, awk, grep, python3.
set -u -o pipefail

GCA_ROOT=${GCA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GCA_BUILD=${GCA_BUILD:-$GCA_ROOT/.build}
export GCA_ROOT GCA_BUILD
# shellcheck source=test/lib.sh
. "$GCA_ROOT/test/lib.sh"

TMP=$GCA_BUILD/tmp/gcsim_salesforce
rm -rf "$TMP"
mkdir -p "$TMP"

# ------------------------------------------------------------ unit test
make -s -C "$GCA_ROOT/test/simulator" -f sf_test.mk SF_TEST_BIN="$TMP/sf_test" \
    >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; fail "sf_test does not build"; }
"$TMP/sf_test" "$TMP" >"$TMP/sf_test.out" 2>&1 || { cat "$TMP/sf_test.out"; fail "sf_test"; }
printf 'ok: %s\n' "$(tail -n 1 "$TMP/sf_test.out")"

# ------------------------------------------------------------ over HTTP
if [ -z "${GCSIM:-}" ]; then
    make -s -C "$GCA_ROOT/test/simulator" >"$TMP/gcsim-build.log" 2>&1 \
        || { cat "$TMP/gcsim-build.log"; fail "gcsim does not build"; }
    GCSIM=$GCA_ROOT/test/simulator/gcsim
fi
export GCSIM

WORLD="--seed 42 --accounts 1200 --conversations-per-day 20"
# shellcheck disable=SC2086
"$GCSIM" truth --from 2026-04-19T00:00:00Z --to 2026-04-20T00:00:00Z --out "$TMP/truth" $WORLD \
    >"$TMP/truth.log" 2>&1 || { cat "$TMP/truth.log"; fail "gcsim truth"; }
[ -s "$TMP/truth/accounts.csv" ] || fail "gcsim truth wrote no accounts.csv"

# shellcheck disable=SC2086
start_gcsim $WORLD --sf-batch-max 500 --client-id cid --client-secret sec || fail "gcsim did not start"
URL=$GCSIM_URL
V=/services/data/v62.0

# first "KEY":"string" or "KEY":number|true|false|null of stdin
jget() { grep -o "\"$1\":\(\"\([^\"\\\\]\|\\\\.\)*\"\|[^,}\"]*\)" | head -n 1 | sed "s/^\"$1\"://; s/^\"\(.*\)\"$/\1/"; }
# HTTP status of the last curl_json call, body in $TMP/body, headers in $TMP/headers
curl_json() { curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@"; }
token() { curl -s -X POST "$URL/services/oauth2/token" "$@" | jget access_token; }
query() { # SOQL [curl args...]
    local soql=$1
    shift
    curl_json -G -H "Authorization: Bearer $TOKEN" "$URL$V/query" --data-urlencode "q=$soql" "$@"
}

# --- OAuth
status=$(curl_json -X POST "$URL/services/oauth2/token" -d grant_type=client_credentials \
    -d client_id=cid -d client_secret=sec)
assert_eq 200 "$status" "client_credentials grant (form fields)"
TOKEN=$(jget access_token <"$TMP/body")
[ -n "$TOKEN" ] || fail "no access_token: $(cat "$TMP/body")"
assert_eq "Bearer" "$(jget token_type <"$TMP/body")" "token_type"
assert_eq "$URL" "$(jget instance_url <"$TMP/body")" "instance_url is the simulator"
assert_eq 13 "$(jget issued_at <"$TMP/body" | tr -d '\n' | wc -c)" "issued_at in ms (13 digits)"
grep -q '"expires_in"' "$TMP/body" && fail "the token response must not carry expires_in"
[ -n "$(token -u cid:sec -d grant_type=client_credentials)" ] || fail "client_credentials with HTTP Basic"
printf 'ok: client_credentials with HTTP Basic\n'
[ -n "$(token -d grant_type=refresh_token -d refresh_token=5Aep861gcsim -d client_id=cid)" ] \
    || fail "refresh_token grant"
printf 'ok: refresh_token grant\n'
status=$(curl_json -X POST "$URL/services/oauth2/token" -d grant_type=refresh_token \
    -d refresh_token=revoked-42 -d client_id=cid)
assert_eq "400 invalid_grant" "$status $(jget error <"$TMP/body")" "revoked refresh token"
status=$(curl_json -X POST "$URL/services/oauth2/token" -d grant_type=client_credentials \
    -d client_id=cid -d client_secret=wrong)
assert_eq "400 invalid_client" "$status $(jget error <"$TMP/body")" "wrong client secret"
status=$(curl_json -X POST "$URL/services/oauth2/token" -d grant_type=password -d client_id=cid)
assert_eq "400 unsupported_grant_type" "$status $(jget error <"$TMP/body")" "unsupported grant"

# --- paging through every account
: >"$TMP/pairs"
pages=0
query "SELECT Id, Lifetime_Value__c FROM Account" -H 'Sforce-Query-Options: batchSize=300' >"$TMP/status"
while :; do
    assert_eq 200 "$(cat "$TMP/status")" "query page $pages"
    grep -q '^Sforce-Limit-Info: api-usage=[0-9]*/100000' "$TMP/headers" || fail "no Sforce-Limit-Info header"
    pages=$((pages + 1))
    assert_eq 1200 "$(jget totalSize <"$TMP/body")" "totalSize on page $pages"
    grep -o '"Id":"[^"]*","Lifetime_Value__c":[^,}]*' "$TMP/body" \
        | sed 's/"Id":"\([^"]*\)","Lifetime_Value__c":\(.*\)/\1 \2/' >>"$TMP/pairs"
    next=$(jget nextRecordsUrl <"$TMP/body")
    [ "$(jget done <"$TMP/body")" = true ] && break
    case $next in "$V/query/"*) ;; *) fail "nextRecordsUrl: $next" ;; esac
    curl_json -H "Authorization: Bearer $TOKEN" "$URL$next" >"$TMP/status"
done
assert_eq 4 "$pages" "1200 accounts in pages of 300"
cut -d ' ' -f 1 "$TMP/pairs" | sort >"$TMP/ids.got"
tail -n +2 "$TMP/truth/accounts.csv" | cut -d , -f 1 | sort >"$TMP/ids.want"
cmp -s "$TMP/ids.got" "$TMP/ids.want" || fail "paged ids differ from accounts.csv: $(diff "$TMP/ids.want" "$TMP/ids.got" | head -n 5)"
printf 'ok: every account exactly once (%s)\n' "$(wc -l <"$TMP/ids.got")"

# Lifetime_Value__c, plain or exponent form, as exact decimals with 2 places
awk '
function exact(s,    m, e, i, f, digits, point, n) {
    e = 0
    if (index(s, "E") > 0) { e = substr(s, index(s, "E") + 1) + 0; s = substr(s, 1, index(s, "E") - 1) }
    i = s; f = ""
    if (index(s, ".") > 0) { i = substr(s, 1, index(s, ".") - 1); f = substr(s, index(s, ".") + 1) }
    digits = i f; point = length(i) + e
    while (length(digits) < point + 2) digits = digits "0"
    n = substr(digits, 1, point); sub(/^0+/, "", n); if (n == "") n = "0"
    # a "!" marks digits past the cents, which accounts.csv cannot match
    return n "." substr(digits, point + 1, 2) (substr(digits, point + 3) ~ /[1-9]/ ? "!" : "")
}
{ print $1, exact($2); if ($2 ~ /E/) expo++ }
END { print expo > "/dev/stderr" }' "$TMP/pairs" 2>"$TMP/expo" | sort >"$TMP/ltv.got"
tail -n +2 "$TMP/truth/accounts.csv" | awk -F , '{ print $1, $7 }' | sort >"$TMP/ltv.want"
cmp -s "$TMP/ltv.got" "$TMP/ltv.want" || fail "Lifetime_Value__c differs from accounts.csv: $(diff "$TMP/ltv.want" "$TMP/ltv.got" | head -n 5)"
[ "$(cat "$TMP/expo")" -gt 0 ] || fail "no Lifetime_Value__c came in exponent form"
printf 'ok: Lifetime_Value__c exact for all accounts, %s in exponent form\n' "$(cat "$TMP/expo")"

# --- COUNT() against the truth
want=$(awk -F , 'NR > 1 && $3 == "Enterprise"' "$TMP/truth/accounts.csv" | wc -l)
query "SELECT COUNT() FROM Account WHERE Tier__c = 'enterprise'" >/dev/null
assert_eq "$want" "$(jget totalSize <"$TMP/body")" "COUNT() of Enterprise accounts"
grep -q '"records":\[\]' "$TMP/body" || fail "COUNT() must return no records"
want=$(awk -F , 'NR > 1 { s += $9 } END { print s }' "$TMP/truth/accounts.csv")
query "SELECT COUNT() FROM Case WHERE IsClosed = false AND AccountId != null" >/dev/null
assert_eq "$want" "$(jget totalSize <"$TMP/body")" "open cases equal the sum of open_cases"
curl_json -G -H "Authorization: Bearer $TOKEN" "$URL$V/queryAll" --data-urlencode "q=SELECT COUNT() FROM Case" >/dev/null
assert_eq "$(($(wc -l <"$TMP/truth/cases.csv") - 1))" "$(jget totalSize <"$TMP/body")" "queryAll counts every row of cases.csv"
query "SELECT COUNT() FROM Case" >/dev/null
assert_eq "$(grep -cE ',false,[^,]*$' "$TMP/truth/cases.csv")" "$(jget totalSize <"$TMP/body")" "query skips the deleted cases"
want=$(awk -F , 'NR > 1 { s += $10 } END { print s }' "$TMP/truth/accounts.csv")
query "SELECT COUNT() FROM Opportunity WHERE IsClosed = null" >/dev/null
assert_eq "$want" "$(jget totalSize <"$TMP/body")" "open opportunities (BoolField = null) equal open_opportunities"

# --- escapes, parents, errors
status=$(query "SELECT Id, Subject, Account.Name FROM Case WHERE Subject = 'Customer says \"it\\'s broken\"' LIMIT 5")
assert_eq 200 "$status" "escaped literal accepted"
grep -q '"Subject":"Customer says \\"it'"'"'s broken\\""' "$TMP/body" || fail "escaped subject not found: $(head -c 300 "$TMP/body")"
printf 'ok: a Subject with quotes found through an escaped literal\n'
query "SELECT Id, Account.Name FROM Case WHERE Account.Name = null LIMIT 1" >/dev/null
grep -q '"Account":null' "$TMP/body" || fail "a case without account must give \"Account\":null"
printf 'ok: null parent\n'
status=$(query "SELECT Id FROM Case WHERE Subject = 'a\\qb'")
assert_eq "400 MALFORMED_QUERY" "$status $(jget errorCode <"$TMP/body")" "bad escape"
status=$(query "SELECT Id FROM Account WHERE Name IS NULL")
assert_eq "400 MALFORMED_QUERY" "$status $(jget errorCode <"$TMP/body")" "IS NULL rejected"
status=$(query 'SELECT Id FROM Account WHERE Name = "Acme"')
assert_eq "400 MALFORMED_QUERY" "$status $(jget errorCode <"$TMP/body")" "double quotes rejected"
status=$(query "SELECT Id, Nope FROM Account")
assert_eq "400 INVALID_FIELD" "$status $(jget errorCode <"$TMP/body")" "unknown field"
grep -q "No such column 'Nope' on entity 'Account'" "$TMP/body" || fail "INVALID_FIELD message: $(cat "$TMP/body")"
status=$(query "SELECT Id FROM Gadget__c")
assert_eq "400 INVALID_TYPE" "$status $(jget errorCode <"$TMP/body")" "unknown object"
status=$(query "SELECT Id FROM Account OFFSET 2001")
assert_eq "400 NUMBER_OUTSIDE_VALID_RANGE" "$status $(jget errorCode <"$TMP/body")" "OFFSET over 2000"
long=$(printf "'%014d'," $(seq 1 1100))
status=$(query "SELECT Id FROM Account WHERE Name IN (${long%,})")
assert_eq 414 "$status" "URL over 16384 bytes"
status=$(curl_json -H "Authorization: Bearer $TOKEN" "$URL$V/query/01gSM0000000777AAA-500")
assert_eq "400 INVALID_QUERY_LOCATOR" "$status $(jget errorCode <"$TMP/body")" "unknown locator"

# --- describe, sobjects, limits
status=$(curl_json -H "Authorization: Bearer $TOKEN" "$URL$V/sobjects/Account/describe")
assert_eq 200 "$status" "describe Account"
assert_eq 001 "$(jget keyPrefix <"$TMP/body")" "keyPrefix"
grep -o '"calculated":false[^{}]*"name":"Description"[^{}]*' "$TMP/body" | contains '"filterable":false.*"type":"textarea"' \
    || fail "Description must be a non-filterable textarea"
grep -o '"calculated":false[^{}]*"name":"Lifetime_Value__c"[^{}]*' "$TMP/body" \
    | contains '"custom":true.*"precision":16.*"scale":2.*"soapType":"xsd:double".*"type":"currency"' \
    || fail "Lifetime_Value__c must be a custom currency(16,2)"
grep -q '"childSObject":"Case","field":"AccountId","relationshipName":"Cases"' "$TMP/body" \
    || fail "childRelationships must list Cases"
printf 'ok: describe fields and childRelationships\n'
status=$(curl_json -H "Authorization: Bearer $TOKEN" "$URL$V/sobjects/")
assert_eq "200 4" "$status $(grep -o '"keyPrefix"' "$TMP/body" | wc -l)" "sobjects list"
status=$(curl_json -H "Authorization: Bearer $TOKEN" "$URL$V/limits")
assert_eq 200 "$status" "limits"
grep -q '"DailyApiRequests":{"Max":100000,"Remaining":[0-9]*}' "$TMP/body" || fail "limits body: $(cat "$TMP/body")"
status=$(curl_json "$URL$V/limits")
assert_eq "401 INVALID_SESSION_ID" "$status $(jget errorCode <"$TMP/body")" "no token"
stop_all_gcsim

# --- session expiry and the daily allocation
start_gcsim --accounts 50 --sf-token-ttl 1 --sf-daily-limit 3 || fail "gcsim did not start"
URL=$GCSIM_URL
TOKEN=$(token -d grant_type=client_credentials -d client_id=a -d client_secret=b)
assert_eq 200 "$(query "SELECT COUNT() FROM Account")" "fresh token accepted"
# the 1 s session timeout passes on gcsim's clock, not in a sleep
assert_eq 204 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/sim/clock?advance_s=2")" "gcsim's clock moved 2 s"
status=$(query "SELECT COUNT() FROM Account")
assert_eq "401 INVALID_SESSION_ID" "$status $(jget errorCode <"$TMP/body")" "token past --sf-token-ttl"
grep -q 'Session expired or invalid' "$TMP/body" || fail "401 message: $(cat "$TMP/body")"
TOKEN=$(token -d grant_type=client_credentials -d client_id=a -d client_secret=b)
assert_eq 200 "$(query "SELECT COUNT() FROM Account")" "request 2 of 3"
assert_eq 200 "$(query "SELECT COUNT() FROM Account")" "request 3 of 3"
status=$(query "SELECT COUNT() FROM Account")
assert_eq "403 REQUEST_LIMIT_EXCEEDED" "$status $(jget errorCode <"$TMP/body")" "past --sf-daily-limit"
grep -q 'TotalRequests Limit exceeded.' "$TMP/body" || fail "403 message: $(cat "$TMP/body")"
stop_all_gcsim

# --- the wide Account (--sf-wide-account): describe, one query of every
# field, typed values, filters agreeing with the values, two servers alike
WIDE="--seed 42 --accounts 400 --conversations-per-day 20 --sf-wide-account 720"
for run in a b; do
    start_gcsim $WIDE || fail "gcsim did not start"
    python3 "$GCA_ROOT/test/helpers/gcsim_sf_wide.py" "$GCSIM_URL" 720 400 "$TMP/wide_$run.json" ||
        fail "wide Account"
    stop_all_gcsim
done
cmp -s "$TMP/wide_a.json" "$TMP/wide_b.json" || fail "two servers give different wide values"
echo "ok: two servers with the same seed give the same 400 x 720 wide values"
start_gcsim --seed 42 --accounts 50 || fail "gcsim did not start"
URL=$GCSIM_URL
TOKEN=$(token -d grant_type=client_credentials -d client_id=a -d client_secret=b)
status=$(query "SELECT pkg__Field_1__c FROM Account")
assert_eq "400 INVALID_FIELD" "$status $(jget errorCode <"$TMP/body")" "no wide fields without --sf-wide-account"
stop_all_gcsim
echo "gcsim_salesforce: all checks passed"
