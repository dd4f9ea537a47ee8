#!/usr/bin/env bash
# gcsim: the synchronous details query and conversations by id against the
# ground truth.  Paging one day with pageSize 100 returns every conversation
# of conversations.csv exactly once, `conversations` is omitted past the
# last page, metrics agree with segments for every conversation, and the
# paging limits answer 400 as the reference says.  Needs no PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

CHECK=$(dirname "$GCSIM")/gcsim_check
TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_details
rm -rf "$TMP"; mkdir -p "$TMP"
DAY=2026-04-13
NOWDAY=2026-04-20

start_gcsim --seed 42
"$GCSIM" truth --seed 42 --from $DAY --to 2026-04-14 --out "$TMP/day"
"$GCSIM" truth --seed 42 --from $NOWDAY --to 2026-04-21 --out "$TMP/now"

"$CHECK" details "$GCSIM_URL" "${DAY}T00:00:00.000Z/2026-04-14T00:00:00.000Z" "$TMP/day" 100
# the day of --now: conversations still in progress, no conversationEnd
"$CHECK" details "$GCSIM_URL" "${NOWDAY}T00:00:00Z/2026-04-21T00:00:00Z" "$TMP/now" 100
open=$(awk -F, 'NR > 1 && $3 == ""' "$TMP/now/conversations.csv" | wc -l)
[ "$open" -gt 0 ] || fail "no conversation in progress on the day of --now"
echo "ok: $open conversations in progress at --now"

TOKEN=$(curl -sf -u t:s -d grant_type=client_credentials "$GCSIM_URL/oauth/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || fail "no token"
post() {    # post PATH BODY -> "STATUS BODY"
    curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' -d "$2" "$GCSIM_URL$1"
}
get() {
    curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$GCSIM_URL$1"
}
Q=/api/v2/analytics/conversations/details/query
IV="\"interval\":\"${DAY}T00:00:00Z/2026-04-14T00:00:00Z\""

assert_eq 400 "$(post $Q "{$IV,\"paging\":{\"pageSize\":101,\"pageNumber\":1}}")" "pageSize 101 is refused"
assert_eq 400 "$(post $Q "{$IV,\"paging\":{\"pageSize\":100,\"pageNumber\":1001}}")" "past 100000 results"
grep -q '"message":"Pagination may not exceed 100000 results."' "$TMP/body" ||
    fail "cap message: $(cat "$TMP/body")"
grep -q '"code":"bad.request"' "$TMP/body" || fail "cap code: $(cat "$TMP/body")"
assert_eq 200 "$(post $Q "{$IV,\"paging\":{\"pageSize\":100,\"pageNumber\":1000}}")" "page 1000 of 100 is allowed"
grep -q '"conversations"' "$TMP/body" && fail "conversations present past the last page"
grep -q '"totalHits":2000' "$TMP/body" || fail "totalHits past the last page: $(cat "$TMP/body")"
echo "ok: past the last page only totalHits"

# desc order starts with the last conversation of the truth
last=$(tail -n 1 "$TMP/day/conversations.csv" | cut -d, -f1)
post $Q "{$IV,\"order\":\"desc\",\"paging\":{\"pageSize\":1,\"pageNumber\":1}}" >/dev/null
grep -q "\"conversationId\":\"$last\"" "$TMP/body" || fail "desc does not start with $last"
echo "ok: order desc"

# filters: a segment filter on a queue, a conversation filter on the end
q=$(awk -F, 'NR == 2 {print $6}' "$TMP/day/conversations.csv")
expect=$(awk -F, -v q="$q" 'NR > 1 && $10 == q {print $1}' "$TMP/day/segments.csv" | sort -u | wc -l)
post $Q "{$IV,\"segmentFilters\":[{\"type\":\"or\",\"predicates\":[{\"type\":\"dimension\",\"dimension\":\"queueId\",\"operator\":\"matches\",\"value\":\"$q\"}]}],\"paging\":{\"pageSize\":1,\"pageNumber\":1}}" >/dev/null
assert_eq "\"totalHits\":$expect" "$(grep -o '"totalHits":[0-9]*' "$TMP/body")" "segment filter queueId"
post $Q "{\"interval\":\"${NOWDAY}T00:00:00Z/2026-04-21T00:00:00Z\",\"conversationFilters\":[{\"type\":\"and\",\"predicates\":[{\"dimension\":\"conversationEnd\",\"operator\":\"notExists\"}]}],\"paging\":{\"pageSize\":100,\"pageNumber\":1}}" >/dev/null
assert_eq "\"totalHits\":$open" "$(grep -o '"totalHits":[0-9]*' "$TMP/body")" "conversationEnd notExists"
nev=$(awk -F, 'NR > 1 && $7 == "true"' "$TMP/day/evaluations.csv" | wc -l)
post $Q "{$IV,\"evaluationFilters\":[{\"type\":\"and\",\"predicates\":[{\"dimension\":\"calibrationId\",\"operator\":\"exists\"}]}]}" >/dev/null
assert_eq "\"totalHits\":$nev" "$(grep -o '"totalHits":[0-9]*' "$TMP/body")" "evaluation filter calibrationId exists"
assert_eq 400 "$(post $Q "{$IV,\"segmentFilters\":[{\"type\":\"and\",\"predicates\":[{\"dimension\":\"noSuchDimension\",\"value\":\"x\"}]}]}")" "unknown dimension is refused"

# no participant attributes in synchronous responses
post $Q "{$IV,\"paging\":{\"pageSize\":100,\"pageNumber\":3}}" >/dev/null
grep -q '"attributes"' "$TMP/body" && fail "attributes in a details query response"
echo "ok: no attributes in the details query"

# by id, one and several
id1=$(awk -F, 'NR == 2 {print $1}' "$TMP/day/conversations.csv")
id2=$(awk -F, 'NR == 3 {print $1}' "$TMP/day/conversations.csv")
assert_eq 200 "$(get "/api/v2/analytics/conversations/$id1/details")" "conversation by id"
grep -q "^{\"conversationId\":\"$id1\"" "$TMP/body" || fail "by id: $(head -c 200 "$TMP/body")"
assert_eq 200 "$(get "/api/v2/analytics/conversations/details?id=$id1,$id2")" "conversations by ids"
assert_eq 2 "$(grep -o '"conversationId"' "$TMP/body" | wc -l)" "two conversations by ids"
other=${id1%?}0; [ "$other" = "$id1" ] && other=${id1%?}1
assert_eq 404 "$(get "/api/v2/analytics/conversations/$other/details")" "unknown conversation id"
grep -q '"code":"not.found"' "$TMP/body" || fail "404 body: $(cat "$TMP/body")"
