#!/usr/bin/env bash
# gcsim: the same seed gives the same bytes (truth files and API responses,
# from two servers), a different seed gives different ones.  Needs no
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
