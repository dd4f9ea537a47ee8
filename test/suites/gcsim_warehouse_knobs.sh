#!/usr/bin/env bash
# gcsim: the two knobs the warehouse-load tests use (test/simulator/README.md,
# "Read faults", and README-salesforce.md, "Tier changes").
#
# 1. --sf-tier-change ACCOUNT_ID=TIER (8 of them): `gcsim truth` writes the
#    new tier and SystemModstamp = --now to accounts.csv and every other
#    account, case and opportunity as without the knob; conversations.csv
#    (whose tier column keeps the old tier) and every other Genesys truth
#    file stay byte-identical, and so does a details query page over HTTP;
#    SOQL filters and sorts on Tier__c and SystemModstamp see the new
#    values; a bad account id or tier stops gcsim with exit status 2.
# 2. --fault-window-status FROM/TO:STATUS (one window per allowed status):
#    every details query and details job creation overlapping [FROM, TO)
#    answers STATUS with an ErrorBody, every time and after /sim/reset;
#    intervals that only touch the window, other endpoints and the
#    aggregates query over the window answer as without the knob; /sim/stats
#    counts them as window_status; bad values stop gcsim.
# Expected values come from the truth files without the knob and from the
# choices written here, never from the knob's own output.  Needs no
# PostgreSQL; curl and jq.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_warehouse_knobs
rm -rf "$TMP"; mkdir -p "$TMP"
WORLD="--seed 42 --accounts 400 --conversations-per-day 300"
NOW=2026-04-20T12:00:00Z
NOW_CSV=2026-04-20T12:00:00.000Z
NOW_SF=2026-04-20T12:00:00.000+0000

# ---------------------------------------------------------------------------
# 1. --sf-tier-change
# ---------------------------------------------------------------------------
# shellcheck disable=SC2086
"$GCSIM" truth $WORLD --now $NOW --from 2026-04-13 --to 2026-04-15 --out "$TMP/plain"

# 3 Enterprise and 5 other accounts that conversations name (sfAccountId),
# in order of appearance; each moves to another tier (rotation below)
col() { head -n 1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
ACC=$(col "$TMP/plain/conversations.csv" account_id)
TIER=$(col "$TMP/plain/conversations.csv" tier)
awk -F, -v a="$ACC" -v t="$TIER" 'NR > 1 && $a != "" && !seen[$a]++ { print $a, $t }' \
    "$TMP/plain/conversations.csv" >"$TMP/named"
# (awk stops counting itself: `awk | head` dies of SIGPIPE under pipefail)
{ awk '$2 == "Enterprise" && n++ < 3' "$TMP/named"; awk '$2 != "Enterprise" && n++ < 5' "$TMP/named"; } \
    >"$TMP/chosen"
assert_eq 8 "$(wc -l <"$TMP/chosen")" "8 accounts named by conversations, 3 of them Enterprise"
next_tier() { case $1 in Enterprise) echo SMB ;; Mid-Market) echo Enterprise ;; SMB) echo Mid-Market ;; esac; }
CHANGES=()
: >"$TMP/changed"
while read -r id old; do
    new=$(next_tier "$old")
    CHANGES+=(--sf-tier-change "$id=$new")
    echo "$id $new" >>"$TMP/changed"
done <"$TMP/chosen"
sort -o "$TMP/changed" "$TMP/changed"

# shellcheck disable=SC2086
"$GCSIM" truth $WORLD --now $NOW --from 2026-04-13 --to 2026-04-15 --out "$TMP/tier" "${CHANGES[@]}"
for f in conversations segments evaluations queue_daily cases opportunities; do
    cmp -s "$TMP/plain/$f.csv" "$TMP/tier/$f.csv" || fail "--sf-tier-change changed $f.csv"
done
echo "ok: conversations.csv (tier column included), segments, evaluations, queue_daily, cases, opportunities byte-identical"

# accounts.csv: the 8 rows with the new tier and --now, every other row as before
awk -F, 'NR == FNR { t[$1] = $2; next }
         FNR > 1 && ($1 in t) { $3 = t[$1]; $NF = "'$NOW_CSV'" } { print }' OFS=, \
    <(tr ' ' , <"$TMP/changed") "$TMP/plain/accounts.csv" >"$TMP/accounts.want"
cmp -s "$TMP/accounts.want" "$TMP/tier/accounts.csv" ||
    fail "accounts.csv: $(diff "$TMP/accounts.want" "$TMP/tier/accounts.csv" | head -n 6)"
echo "ok: truth accounts.csv: 8 accounts with the new tier and system_modstamp $NOW_CSV, the others unchanged"

# over HTTP: the same details page with and without the knob; SOQL sees the change
gc_token() { curl -sf -u r:s -d grant_type=client_credentials "$1/oauth/token" | jq -r .access_token; }
DAY='{"interval":"2026-04-14T00:00:00Z/2026-04-15T00:00:00Z","paging":{"pageSize":100,"pageNumber":2}}'
details_body() { curl -sf -H "Authorization: Bearer $(gc_token "$1")" -d "$DAY" \
                     "$1/api/v2/analytics/conversations/details/query"; }
# shellcheck disable=SC2086
start_gcsim $WORLD --now $NOW
details_body "$GCSIM_URL" >"$TMP/page.plain"
stop_all_gcsim
# shellcheck disable=SC2086
start_gcsim $WORLD --now $NOW "${CHANGES[@]}"
URL=$GCSIM_URL
details_body "$URL" >"$TMP/page.tier"
[ "$(jq '.conversations | length' "$TMP/page.tier")" = 100 ] || fail "details page: $(head -c 200 "$TMP/page.tier")"
cmp -s "$TMP/page.plain" "$TMP/page.tier" || fail "--sf-tier-change changed a details query page"
echo "ok: a details query page (100 conversations) is byte-identical with and without the knob"

SF_TOKEN=$(curl -sf -X POST "$URL/services/oauth2/token" -d grant_type=client_credentials \
    -d client_id=c -d client_secret=s | jq -r .access_token)
soql() { curl -sf -G -H "Authorization: Bearer $SF_TOKEN" "$URL/services/data/v62.0/query" \
             --data-urlencode "q=$1"; }

# accounts modified at or after --now: the 8 (and any the plain truth already has there)
{ awk -F, -v now="$NOW_CSV" 'NR > 1 && $NF >= now { print $1, $3 }' "$TMP/plain/accounts.csv"
  cat "$TMP/changed"; } | sort -u >"$TMP/recent.want"
soql "SELECT Id, Tier__c, SystemModstamp FROM Account WHERE SystemModstamp >= $NOW ORDER BY Id" >"$TMP/recent.json"
jq -r '.records[] | "\(.Id) \(.Tier__c)"' "$TMP/recent.json" >"$TMP/recent.got"
cmp -s "$TMP/recent.want" "$TMP/recent.got" ||
    fail "SystemModstamp >= now: $(diff "$TMP/recent.want" "$TMP/recent.got" | head -n 6)"
assert_eq "$NOW_SF" "$(jq -r '[.records[].SystemModstamp] | unique | join(" ")' "$TMP/recent.json")" \
    "SOQL: WHERE SystemModstamp >= --now returns exactly the 8 changed accounts, new tier, SystemModstamp --now"
soql "SELECT Id FROM Account ORDER BY SystemModstamp DESC, Id LIMIT 8" | jq -r '.records[].Id' | sort >"$TMP/top8"
cmp -s <(cut -d ' ' -f 1 "$TMP/changed") "$TMP/top8" || fail "ORDER BY SystemModstamp DESC: $(cat "$TMP/top8")"
echo "ok: SOQL: ORDER BY SystemModstamp DESC LIMIT 8 puts the 8 changed accounts first"
for t in Enterprise Mid-Market SMB; do
    want=$(awk -F, -v t="$t" 'NR > 1 && $3 == t' "$TMP/tier/accounts.csv" | wc -l)
    before=$(awk -F, -v t="$t" 'NR > 1 && $3 == t' "$TMP/plain/accounts.csv" | wc -l)
    [ "$want" != "$before" ] || fail "the changes should move the $t count ($before)"
    assert_eq "$want" "$(soql "SELECT COUNT() FROM Account WHERE Tier__c = '$t'" | jq .totalSize)" \
        "SOQL: COUNT() of Tier__c = '$t' is the new truth's $want (was $before)"
done
first=$(head -n 1 "$TMP/changed")
assert_eq "${first#* }" "$(soql "SELECT Tier__c FROM Account WHERE Id = '${first% *}'" | jq -r '.records[0].Tier__c')" \
    "SOQL: Tier__c of ${first% *}"
stop_all_gcsim

some=$(head -n 1 "$TMP/chosen" | cut -d ' ' -f 1)
for bad in "001SM0000000000AAA=SMB" "${some}=Gold" "${some}=smb" "$some" "${some:0:15}=SMB"; do
    rc=0
    timeout 10 "$GCSIM" --port 0 --sf-tier-change "$bad" >"$TMP/out" 2>&1 </dev/null || rc=$?
    assert_eq 2 "$rc" "gcsim --sf-tier-change $bad refuses to start"
    grep -q '^gcsim: invalid value for --sf-tier-change' "$TMP/out" || fail "no message for $bad: $(cat "$TMP/out")"
done

# ---------------------------------------------------------------------------
# 2. --fault-window-status
# ---------------------------------------------------------------------------
D=2026-04-14
# shellcheck disable=SC2086
start_gcsim $WORLD --now $NOW --job-delay-ms 0 \
    --fault-window-status "${D}T02:00:00Z/${D}T03:00:00Z:400" \
    --fault-window-status "${D}T04:00:00Z/${D}T05:00:00Z:404" \
    --fault-window-status "${D}T06:00:00Z/${D}T07:00:00Z:500" \
    --fault-window-status "${D}T08:00:00Z/${D}T09:00:00Z:503"
TOKEN=$(gc_token "$GCSIM_URL")
post() {    # post PATH BODY: the HTTP status, the body in $TMP/body
    curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -d "$2" "$GCSIM_URL$1"
}
QUERY=/api/v2/analytics/conversations/details/query
JOBS=/api/v2/analytics/conversations/details/jobs
code_of() { case $1 in 400) echo bad.request ;; 404) echo not.found ;; 500) echo internal.server.error ;;
                       503) echo service.unavailable ;; esac; }
expect_error() {    # expect_error STATUS PATH BODY WHAT
    local got
    got=$(post "$2" "$3")
    assert_eq "$1 $(code_of "$1") $1" "$got $(jq -r '"\(.code) \(.status)"' "$TMP/body")" "$4"
    jq -e '.message != "" and .contextId != "" and .errors == [] and .details == []' "$TMP/body" >/dev/null ||
        fail "$4: not an ErrorBody: $(cat "$TMP/body")"
}
faults=0
for s in 400:02 404:04 500:06 503:08; do
    st=${s%:*}; h=${s#*:}
    before=$(printf %02d $((10#$h - 1))); after=$(printf %02d $((10#$h + 1)))
    # overlapping the window by a minute at its start, at its end, inside it
    for iv in "${D}T${before}:30:00Z/${D}T${h}:01:00Z" "${D}T${h}:59:00Z/${D}T${after}:30:00Z" \
              "${D}T${h}:10:00Z/${D}T${h}:20:00Z"; do
        for try in 1 2 3; do
            expect_error "$st" "$QUERY" "{\"interval\":\"$iv\",\"paging\":{\"pageSize\":25,\"pageNumber\":$try}}" \
                "details query $iv, page $try: $st"
            faults=$((faults + 1))
        done
    done
    expect_error "$st" "$JOBS" "{\"interval\":\"${D}T${h}:30:00Z/${D}T${h}:31:00Z\"}" "job creation inside the $st window: $st"
done
# overlapping several windows: the first window given
expect_error 400 "$QUERY" "{\"interval\":\"${D}T00:00:00Z/${D}T12:00:00Z\"}" "a query over all four windows: the first one's 400"
faults=$((faults + 1))
echo "ok: $faults details queries and 4 job creations answered their window's status"
assert_eq "$faults 4 0" "$(curl -sf "$GCSIM_URL/sim/stats" | jq -r '[.endpoints["gc.details.query"].faults.window_status,
    .endpoints["gc.jobs.create"].faults.window_status, .total.faults["500"] + .total.faults["503"] + .total.faults["429"]] | join(" ")')" \
    "/sim/stats counts each as window_status (not as 500 or 503)"
curl -sf -X POST "$GCSIM_URL/sim/reset" >/dev/null
expect_error 503 "$JOBS" "{\"interval\":\"${D}T08:00:00Z/${D}T08:00:01Z\"}" "after /sim/reset still 503 (persistent)"

stats=$(curl -sf "$GCSIM_URL/sim/stats")
assert_eq "0 1 0" "$(echo "$stats" | jq -r '[.endpoints["gc.details.query"].requests // 0,
    .endpoints["gc.jobs.create"].faults.window_status, .endpoints["gc.details.query"].faults.window_status // 0] | join(" ")')" \
    "/sim/stats after reset: the one job creation counted as window_status"
curl -sf -X POST "$GCSIM_URL/sim/reset" >/dev/null

# intervals that end at FROM or start at TO ([FROM, TO) is half-open), and
# the hours between the windows, answer as without the knob
for iv in "${D}T01:00:00Z/${D}T02:00:00Z" "${D}T03:00:00Z/${D}T04:00:00Z" "${D}T09:00:00Z/${D}T10:00:00Z" \
          "2026-04-13T00:00:00Z/${D}T02:00:00Z"; do
    assert_eq 200 "$(post "$QUERY" "{\"interval\":\"$iv\"}")" "details query $iv (touches a window): 200"
    jq -e '.totalHits > 0' "$TMP/body" >/dev/null || fail "$iv: $(head -c 200 "$TMP/body")"
    assert_eq 202 "$(post "$JOBS" "{\"interval\":\"$iv\"}")" "job creation $iv: 202"
done
job=$(jq -r .jobId "$TMP/body")
status=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$GCSIM_URL$JOBS/$job/results")
assert_eq "200 true" "$status $(jq '.conversations | length > 0' "$TMP/body")" "results of a job outside the windows"

# the aggregates query over the windows: 200 and the same body as a gcsim without the knob
AGG='{"interval":"2026-04-14T00:00:00Z/2026-04-14T12:00:00Z","granularity":"PT1H","metrics":["nConversations","tHandle"]}'
assert_eq 200 "$(post /api/v2/analytics/conversations/aggregates/query "$AGG")" "aggregates query over the four windows: 200"
cp "$TMP/body" "$TMP/agg.window"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$GCSIM_URL/api/v2/routing/queues")" "a listing: 200"

stats=$(curl -sf "$GCSIM_URL/sim/stats")
assert_eq "0 0 0 8 0" "$(echo "$stats" | jq -r '[.endpoints["gc.details.query"].faults.window_status,
    .endpoints["gc.jobs.create"].faults.window_status, .endpoints["gc.aggregates.query"].faults.window_status,
    .endpoints["gc.details.query"].requests + .endpoints["gc.jobs.create"].requests,
    .total.faults["500"] + .total.faults["503"]] | join(" ")')" \
    "/sim/stats: the 8 requests outside the windows are no fault"
stop_all_gcsim

# shellcheck disable=SC2086
start_gcsim $WORLD --now $NOW
TOKEN=$(gc_token "$GCSIM_URL")
post /api/v2/analytics/conversations/aggregates/query "$AGG" >/dev/null
jq -e '.results[0].data | length == 12' "$TMP/body" >/dev/null || fail "aggregates: $(head -c 300 "$TMP/body")"
cmp -s "$TMP/body" "$TMP/agg.window" || fail "the aggregates over the windows differ from a gcsim without the knob"
echo "ok: the aggregates over the windows are byte-identical to a gcsim without the knob (12 hours)"
stop_all_gcsim

# the faults counted before the reset: a fresh server, the same requests
# shellcheck disable=SC2086
start_gcsim $WORLD --now $NOW --fault-window-status "${D}T06:00:00Z/${D}T07:00:00Z:500"
TOKEN=$(gc_token "$GCSIM_URL")
for i in 1 2 3 4 5; do
    expect_error 500 "$QUERY" "{\"interval\":\"${D}T06:30:00Z/${D}T06:40:00Z\"}" "details query $i in the window: 500"
done
expect_error 500 "$JOBS" "{\"interval\":\"${D}T06:30:00Z/${D}T06:40:00Z\"}" "job creation in the window: 500"
assert_eq 200 "$(post "$QUERY" "{\"interval\":\"${D}T07:00:00Z/${D}T08:00:00Z\"}")" "details query after the window: 200"
assert_eq "5 1 6 0 6" "$(curl -sf "$GCSIM_URL/sim/stats" | jq -r '[.endpoints["gc.details.query"].faults.window_status,
    .endpoints["gc.jobs.create"].faults.window_status, .total.faults.window_status, .total.faults["500"],
    .endpoints["gc.details.query"].requests] | join(" ")')" \
    "/sim/stats: 5 + 1 window_status faults (not counted as 500), 6 details requests"
stop_all_gcsim

for bad in "${D}T02:00:00Z/${D}T03:00:00Z:502" "${D}T02:00:00Z/${D}T03:00:00Z" "${D}T03:00:00Z/${D}T02:00:00Z:500" \
           "${D}T02:00:00Z/${D}T03:00:00Z:5x"; do
    rc=0
    timeout 10 "$GCSIM" --port 0 --fault-window-status "$bad" >"$TMP/out" 2>&1 </dev/null || rc=$?
    assert_eq 2 "$rc" "gcsim --fault-window-status $bad refuses to start"
    grep -q '^gcsim: invalid .* --fault-window-status' "$TMP/out" || fail "no message for $bad: $(cat "$TMP/out")"
done
