#!/usr/bin/env bash
# gcsim: entity listings (queues, users, wrap-up codes) page with relative
# URIs, quality evaluations agree with evaluations.csv (float scores,
# calibration object on calibrations), and the world has what the
# warehouse needs (internal queues, the system wrap-up code).  Needs no
# PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_reference
rm -rf "$TMP"; mkdir -p "$TMP"

start_gcsim --seed 42
"$GCSIM" truth --seed 42 --from 2026-04-10 --to 2026-04-13 --out "$TMP/t"
T=$(curl -s -u x:y -d grant_type=client_credentials "$GCSIM_URL/oauth/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
get() {
    curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $T" "$GCSIM_URL$1"
}
has() { grep -q -- "$1" "$TMP/body" || fail "$2: $(head -c 400 "$TMP/body")"; echo "ok: $2"; }

assert_eq 200 "$(get '/api/v2/routing/queues?pageSize=5&pageNumber=1')" "queues page 1"
has '"pageSize":5,"pageNumber":1,"total":14,"pageCount":3' "queue listing counts"
has '"nextUri":"/api/v2/routing/queues?pageSize=5&pageNumber=2"' "relative nextUri"
assert_eq 200 "$(get '/api/v2/routing/queues?pageSize=5&pageNumber=3')" "queues page 3"
grep -q '"nextUri"' "$TMP/body" && fail "nextUri on the last page"
has '"previousUri":"/api/v2/routing/queues?pageSize=5&pageNumber=2"' "previousUri on the last page"
assert_eq 200 "$(get '/api/v2/routing/queues?pageSize=100')" "all queues"
for q in "QA Review" "Training" "Health Check" "Support Tier 1"; do
    has "\"name\":\"$q\"" "queue $q"
done
assert_eq 400 "$(get '/api/v2/routing/queues?pageSize=101')" "listing pageSize 101"
assert_eq 200 "$(get '/api/v2/users?pageSize=100&state=any')" "users, any state"
has '"total":80,' "80 users"
assert_eq 200 "$(get '/api/v2/users?pageSize=100')" "active users"
has '"total":77,' "77 active users by default"
grep -q '"state":"inactive"' "$TMP/body" && fail "inactive users listed by default"
assert_eq 200 "$(get '/api/v2/routing/wrapupcodes?pageSize=100')" "wrap-up codes"
has '"total":14,' "14 wrap-up codes"

# conversation records carry ids, not names, and the system wrap-up code
grep -q ',ININ-WRAP-UP-TIMEOUT$' "$TMP/t/segments.csv" || fail "no ININ-WRAP-UP-TIMEOUT in segments"
for q in "QA Review" "Health Check"; do
    id=$(get '/api/v2/routing/queues?pageSize=100' >/dev/null;
         grep -o "{\"id\":\"[^\"]*\",\"name\":\"$q\"" "$TMP/body" | sed 's/{"id":"\([^"]*\)".*/\1/')
    grep -q ",$id," "$TMP/t/segments.csv" || fail "no segment in internal queue $q"
done
echo "ok: internal queues have traffic"

# quality evaluations: one calibration, one not
for cal in true false; do
    row=$(awk -F, -v c=$cal 'NR > 1 && $7 == c {print; exit}' "$TMP/t/evaluations.csv")
    [ -n "$row" ] || fail "no evaluation with is_calibration $cal"
    IFS=, read -r eid cid agent evaluator form score iscal calid status <<<"$row"
    assert_eq 200 "$(get "/api/v2/quality/conversations/$cid/evaluations/$eid")" "evaluation $eid"
    has "\"answers\":{\"totalScore\":$score," "totalScore $score as in the truth"
    has "\"status\":\"$status\"" "status $status"
    has "\"agent\":{\"id\":\"$agent\"" "agent"
    has '"questionGroupScores":\[{"questionGroupId"' "question group scores"
    if [ "$cal" = true ]; then
        has "\"calibration\":{\"id\":\"$calid\"" "calibration object"
    else
        grep -q '"calibration"' "$TMP/body" && fail "calibration object on a plain evaluation"
    fi
    # the details record lists it with an int score
    get "/api/v2/analytics/conversations/$cid/details" >/dev/null
    has "\"evaluationId\":\"$eid\"" "evaluation in the conversation record"
    int=$(awk -v s="$score" 'BEGIN { printf "%d", (s >= 0 ? s + 0.5 : s - 0.5) }')
    has "\"oTotalScore\":$int," "oTotalScore $int"
done
assert_eq 404 "$(get "/api/v2/quality/conversations/$cid/evaluations/00000000-0000-4000-8000-000000000000")" "unknown evaluation"
