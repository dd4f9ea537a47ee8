#!/usr/bin/env bash
# gcsim: the aggregates query agrees with queue_daily.csv (P1D by queue and
# media type: nOffered, tAbandon count, tHandle sum and count, tTalk and
# tAcd sums), on a full day and on the day of --now.  Needs no PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

CHECK=$(dirname "$GCSIM")/gcsim_check
TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_aggregates
rm -rf "$TMP"; mkdir -p "$TMP"

start_gcsim --seed 42
"$GCSIM" truth --seed 42 --from 2026-04-15 --to 2026-04-17 --out "$TMP/days"
"$CHECK" aggregates "$GCSIM_URL" "2026-04-15T00:00:00Z/2026-04-17T00:00:00Z" "$TMP/days"
"$GCSIM" truth --seed 42 --from 2026-04-20 --to 2026-04-21 --out "$TMP/now"
"$CHECK" aggregates "$GCSIM_URL" "2026-04-20T00:00:00Z/2026-04-21T00:00:00Z" "$TMP/now"
