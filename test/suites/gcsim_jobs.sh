#!/usr/bin/env bash
# gcsim: the async details jobs return the same conversations as the truth
# (startOfDayIntervalMatching over one day), with participant attributes
# that match it, cursor paging up to 1000, and DELETE.  Needs no PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

CHECK=$(dirname "$GCSIM")/gcsim_check
TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_jobs
rm -rf "$TMP"; mkdir -p "$TMP"

start_gcsim --seed 42 --job-delay-ms 300
"$GCSIM" truth --seed 42 --from 2026-04-14 --to 2026-04-15 --out "$TMP/day"
"$CHECK" jobs "$GCSIM_URL" "2026-04-14T00:00:00Z/2026-04-15T00:00:00Z" "$TMP/day" 1000
"$CHECK" jobs "$GCSIM_URL" "2026-04-14T00:00:00Z/2026-04-15T00:00:00Z" "$TMP/day" 333

TOKEN=$(curl -sf -u t:s -d grant_type=client_credentials "$GCSIM_URL/oauth/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
       "$GCSIM_URL/api/v2/analytics/conversations/details/jobs/availability")
assert_eq 200 "$code" "jobs availability"
grep -q '"dataAvailabilityDate":"2026-04-20T11:55:00.000Z"' "$TMP/body" ||
    fail "availability: $(cat "$TMP/body")"
