#!/usr/bin/env bash
# gcsim: the same seed gives the same bytes (truth files and API responses,
# from two servers), a different seed gives different ones.  A world whose
# calendar is shifted by whole weeks (--now wall, --world-shift-weeks) is
# the base world moved by that many days, story included, and a server
# following the wall clock serves the shifted world of its week.  Every
# answer (details with surveys, aggregates, a job's sfCaseId, cases,
# opportunities, historical adherence) is the same whatever the server was asked before.  Needs no
# PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_determinism
rm -rf "$TMP"; mkdir -p "$TMP"

for run in a b; do
    "$GCSIM" truth --seed 11 --conversations-per-day 3000 --from 2026-04-12 --to 2026-04-14 --out "$TMP/$run"
done
"$GCSIM" truth --seed 12 --conversations-per-day 3000 --from 2026-04-12 --to 2026-04-14 --out "$TMP/c"
for f in conversations segments evaluations queue_daily accounts; do
    [ -s "$TMP/a/$f.csv" ] || fail "$f.csv is empty"
    cmp -s "$TMP/a/$f.csv" "$TMP/b/$f.csv" || fail "$f.csv differs between two runs with seed 11"
done
echo "ok: seed 11 twice gives identical truth files"
cmp -s "$TMP/a/conversations.csv" "$TMP/c/conversations.csv" && fail "seeds 11 and 12 give the same conversations"
echo "ok: seed 12 gives other conversations"

fetch() {   # fetch URL OUT
    local t
    t=$(curl -s -u x:y -d grant_type=client_credentials "$1/oauth/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    {
        curl -s -H "Authorization: Bearer $t" -d '{"interval":"2026-04-13T10:00:00Z/2026-04-13T11:00:00Z","paging":{"pageSize":100,"pageNumber":2}}' \
            "$1/api/v2/analytics/conversations/details/query"
        curl -s -H "Authorization: Bearer $t" -d '{"interval":"2026-04-13T00:00:00Z/2026-04-14T00:00:00Z","granularity":"PT1H","groupBy":["queueId"],"metrics":["nOffered","tHandle"]}' \
            "$1/api/v2/analytics/conversations/aggregates/query"
        curl -s -H "Authorization: Bearer $t" "$1/api/v2/users?pageSize=100"
    } >"$2"
}
start_gcsim --seed 11 --conversations-per-day 3000; fetch "$GCSIM_URL" "$TMP/r1"
start_gcsim --seed 11 --conversations-per-day 3000; fetch "$GCSIM_URL" "$TMP/r2"
start_gcsim --seed 12 --conversations-per-day 3000; fetch "$GCSIM_URL" "$TMP/r3"
[ "$(wc -c <"$TMP/r1")" -gt 10000 ] || fail "short responses: $(head -c 300 "$TMP/r1")"
cmp -s "$TMP/r1" "$TMP/r2" || fail "two servers with seed 11 answer differently"
cmp -s "$TMP/r1" "$TMP/r3" && fail "seeds 11 and 12 answer the same"
echo "ok: two servers with the same seed answer the same bytes; another seed differs"

# ------------------------------------------------ a calendar shifted by weeks
# S = 32 weeks: the truth of 2026-11-22..23 with now 2026-11-30 12:00 must be
# the base world's 2026-04-12..13 (now 2026-04-20 12:00) moved by 224 days:
# every value but the conversation id (which carries the real day) equal,
# escalations and tiers included, so the story moved with the releases.
"$GCSIM" truth --seed 11 --conversations-per-day 3000 --now 2026-11-30T12:00:00Z --world-shift-weeks 32 \
    --from 2026-11-22 --to 2026-11-24 --out "$TMP/s"
python3 - "$TMP/a" "$TMP/s" 224 <<'PY' || fail "the world shifted by 32 weeks is not the base world moved by 224 days"
import csv, datetime, sys
base, shifted, days = sys.argv[1], sys.argv[2], int(sys.argv[3])
def move(v):
    if len(v) >= 10 and v[4] == '-' and v[7] == '-':
        d = datetime.date.fromisoformat(v[:10]) - datetime.timedelta(days=days)
        return d.isoformat() + v[10:]
    return v
def rows(path, drop, shift):
    r = list(csv.reader(open(path)))
    head = r[0]
    keep = [i for i, h in enumerate(head) if h not in drop]
    return [[move(x[i]) if shift else x[i] for i in keep] for x in r[1:]]
for f, drop in (('conversations', {'conversation_id'}), ('segments', {'conversation_id'}),
                ('evaluations', {'conversation_id'}), ('queue_daily', set())):
    a, b = rows('%s/%s.csv' % (base, f), drop, False), rows('%s/%s.csv' % (shifted, f), drop, True)
    if not a or a != b:
        sys.exit('%s.csv: %d base rows, %d shifted rows, first difference: %s' %
                 (f, len(a), len(b), next(((x, y) for x, y in zip(a, b) if x != y), None)))
    print('ok: %s.csv, %d rows, equal after moving them back 224 days' % (f, len(a)))
PY

# a server following the wall clock: the shift is the whole weeks from
# Monday 2026-04-20 to today (computed here), and a past day it serves is
# that shifted world's (gcsim truth with the same shift)
today=$(( $(date -u +%s) / 86400 ))
weeks=$(( (today - 20563) >= 0 ? (today - 20563) / 7 : -((20563 - today + 6) / 7) ))
day=$(date -u -d "@$(( (today - 5) * 86400 ))" +%Y-%m-%d)
next=$(date -u -d "@$(( (today - 4) * 86400 ))" +%Y-%m-%d)
start_gcsim --seed 11 --conversations-per-day 3000 --now wall
gcsim_truth "$TMP/w" "$day" "$next" --seed 11 --conversations-per-day 3000 --now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --world-shift-weeks $weeks
python3 "$GCA_ROOT/test/helpers/gcsim_reader.py" details "$GCSIM_URL" "${day}T00:00:00Z/${next}T00:00:00Z" 100 correct \
    2>/dev/null | sort >"$TMP/w.ids"
python3 "$GCA_ROOT/test/helpers/gcsim_reader.py" truth details "${day}T00:00:00Z/${next}T00:00:00Z" "$TMP/w" >"$TMP/w.truth"
[ "$(wc -l <"$TMP/w.ids")" -ge 2900 ] || fail "the clock-following server served $(wc -l <"$TMP/w.ids") conversations on $day"
cmp -s "$TMP/w.ids" "$TMP/w.truth" || fail "the clock-following server's $day is not the world shifted by $weeks weeks"
echo "ok: --now wall serves the world shifted by $weeks weeks ($day: $(wc -l <"$TMP/w.ids") conversations as its truth)"

# ------------------------------------------ answers whatever was asked before
# Each answer below from a fresh server asked only that, and from a server
# asked them in reverse order after other requests (twice: keeping one
# generated day, so days are generated again and out of order, and 64): details and
# aggregates of other days, details jobs, SOQL, listings.  The same bytes
# (a job's conversations, whose job id differs).  Caught: the aggregates
# without groupBy once keyed their one group by uninitialised stack bytes,
# so they split in two after some requests and not after others.
WORLD="--seed 42 --accounts 400 --conversations-per-day 300 --now 2026-04-20T12:00:00Z --job-delay-ms 0"
gcsim_truth "$TMP/o" 2026-04-14 2026-04-15 $WORLD
SURVEYED=$(awk -F, 'NR > 1 && n++ < 3 { printf "%s%s", (n > 1 ? "," : ""), $2 }' "$TMP/o/surveys.csv")
[ "$(echo "$SURVEYED" | tr ',' '\n' | wc -l)" = 3 ] || fail "surveys.csv: $(head -n 3 "$TMP/o/surveys.csv")"
ANSWERS="agg_plain agg_queue details by_id job cases opportunities adherence"
gc_post() { curl -s -H "Authorization: Bearer $TOKEN" -d "$2" "$GCSIM_URL$1"; }
gc_get() { curl -s -H "Authorization: Bearer $TOKEN" "$GCSIM_URL$1"; }
soql() { curl -s -G -H "Authorization: Bearer $SF_TOKEN" "$GCSIM_URL/services/data/v62.0/query" --data-urlencode "q=$1"; }
login() {
    TOKEN=$(curl -s -u x:y -d grant_type=client_credentials "$GCSIM_URL/oauth/token" | jq -r .access_token)
    SF_TOKEN=$(curl -s -X POST "$GCSIM_URL/services/oauth2/token" -d grant_type=client_credentials \
        -d client_id=c -d client_secret=s | jq -r .access_token)
}
job() {     # job INTERVAL: the conversations of the job's first page
    local id
    id=$(gc_post /api/v2/analytics/conversations/details/jobs "{\"interval\":\"$1\"}" | jq -r .jobId)
    gc_get "/api/v2/analytics/conversations/details/jobs/$id" | jq -e '.state == "FULFILLED"' >/dev/null ||
        fail "job $id over $1 is not fulfilled"
    gc_get "/api/v2/analytics/conversations/details/jobs/$id/results" | jq -c .conversations
}
adherence() {   # the downloads of a historical adherence query of the first unit
    local mu id
    mu=$(gc_get /api/v2/workforcemanagement/managementunits | jq -r '.entities[0].id')
    id=$(gc_post "/api/v2/workforcemanagement/managementunits/$mu/historicaladherencequery" \
        '{"startDate":"2026-04-13T00:00:00Z","endDate":"2026-04-16T00:00:00Z","includeExceptions":true}' | jq -r .id)
    for url in $(gc_get "/api/v2/workforcemanagement/adherence/historical/jobs/$id" | jq -r '.downloadUrls[]'); do
        curl -s "$url"
    done
}
ask() {     # ask NAME: the answer to the request NAME
    case $1 in
        agg_plain) gc_post /api/v2/analytics/conversations/aggregates/query \
            '{"interval":"2026-04-14T00:00:00Z/2026-04-14T12:00:00Z","granularity":"PT1H","metrics":["nConversations","tHandle"]}' ;;
        agg_queue) gc_post /api/v2/analytics/conversations/aggregates/query \
            '{"interval":"2026-04-13T00:00:00Z/2026-04-15T00:00:00Z","granularity":"P1D","groupBy":["queueId","mediaType"],"metrics":["nOffered","tHandle","oServiceLevel"]}' ;;
        details) gc_post /api/v2/analytics/conversations/details/query \
            '{"interval":"2026-04-14T00:00:00Z/2026-04-15T00:00:00Z","paging":{"pageSize":100,"pageNumber":2}}' ;;
        by_id) gc_get "/api/v2/analytics/conversations/details?id=$SURVEYED" ;;
        job) job 2026-04-14T00:00:00Z/2026-04-15T00:00:00Z ;;
        cases) soql "SELECT Id, AccountId, Type, Status, IsClosed, CreatedDate, ClosedDate FROM Case ORDER BY Id LIMIT 200" ;;
        adherence) adherence ;;
        opportunities) soql "SELECT Id, Amount, StageName, IsWon, CloseDate FROM Opportunity ORDER BY Id LIMIT 200" ;;
    esac
}
for a in $ANSWERS; do
    # shellcheck disable=SC2086
    start_gcsim $WORLD
    login
    ask "$a" >"$TMP/fresh.$a"
    stop_all_gcsim
done
for cache in 1 64; do
    # shellcheck disable=SC2086
    start_gcsim $WORLD --cache-days $cache
    login
    gc_post /api/v2/analytics/conversations/details/query \
        '{"interval":"2026-04-13T00:00:00Z/2026-04-14T02:00:00Z"}' >/dev/null
    job 2026-04-16T00:00:00Z/2026-04-17T00:00:00Z >/dev/null
    gc_post /api/v2/analytics/conversations/aggregates/query \
        '{"interval":"2026-04-10T00:00:00Z/2026-04-17T00:00:00Z","granularity":"P1D","groupBy":["userId"],"metrics":["tHandle"]}' >/dev/null
    gc_post /api/v2/analytics/conversations/details/query \
        '{"interval":"2026-04-15T00:00:00Z/2026-04-16T00:00:00Z"}' >/dev/null
    soql "SELECT Id, Name FROM Account ORDER BY Id LIMIT 50" >/dev/null
    gc_get "/api/v2/users?pageSize=100" >/dev/null
    for a in $(echo "$ANSWERS" | tr ' ' '\n' | tac); do
        ask "$a" >"$TMP/after.$a"
    done
    stop_all_gcsim
    for a in $ANSWERS; do
        [ "$(wc -c <"$TMP/fresh.$a")" -gt 200 ] || fail "$a: short answer: $(head -c 300 "$TMP/fresh.$a")"
        cmp -s "$TMP/fresh.$a" "$TMP/after.$a" ||
            fail "$a differs after other requests (--cache-days $cache): $(cmp "$TMP/fresh.$a" "$TMP/after.$a")"
    done
done
assert_eq 1 "$(jq '.results | length' "$TMP/fresh.agg_plain")" "the aggregates without groupBy: one group"
assert_eq 3 "$(jq '[.conversations[] | select(.surveys | length > 0)] | length' "$TMP/fresh.by_id")" \
    "the 3 conversations of surveys.csv carry their surveys"
jq -e '[.[].participants[].attributes.sfCaseId // empty] | length > 0' "$TMP/fresh.job" >/dev/null ||
    fail "the job's conversations name no sfCaseId"
echo "ok: $(echo "$ANSWERS" | wc -w) answers (aggregates, details with surveys, by id, a job's sfCaseId, cases, opportunities, adherence) the same from fresh servers and after other requests"
