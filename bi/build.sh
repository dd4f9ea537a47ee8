#!/usr/bin/env bash
# bi/build.sh [DB] - the job of `make bi` (and of the suite bi), run by
# test/run.sh on the scratch cluster with gcsim at $GCSIM_URL: the demo
# world loaded into database DB (default gca_bi) with the login role
# gca_bi_analyst (granted gcanalytics_reader), then the Evidence site of
# bi/ built from the reporting schema as that role: `npm ci` from
# package-lock.json (the exact versions; nothing else is downloaded),
# `evidence sources` (the reporting views into the site's data), `evidence
# build` (the static site in bi/build/).
set -eu -o pipefail
DB=${1:-gca_bi}
bash "$GCA_ROOT/test/helpers/bi_world.sh" "$DB"
# a source query per reporting view, so that the site can read each
missing=$(PGDATABASE=$DB "$PG_BINDIR/psql" -XAtq -c "SELECT v FROM unnest(gcanalytics.report_views()) v" \
          | while read -r v; do [ -e "$GCA_ROOT/bi/sources/gca/$v.sql" ] || echo "$v"; done)
if [ -n "$missing" ]; then
    echo "bi/sources/gca/ has no query for the reporting views: $missing (add NAME.sql: SELECT * FROM gcanalytics_reports.NAME)" >&2
    exit 1
fi
cd "$GCA_ROOT/bi"
if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
    npm ci --no-audit --no-fund
fi
export SEND_ANONYMOUS_USAGE_STATS=no
export EVIDENCE_SOURCE__gca__host=$PGHOST EVIDENCE_SOURCE__gca__port=$PGPORT \
    EVIDENCE_SOURCE__gca__database=$DB EVIDENCE_SOURCE__gca__user=gca_bi_analyst
rm -rf build
npm run --silent sources
npm run --silent build:strict
echo "the site: $GCA_ROOT/bi/build (serve it with: npx --prefix bi evidence preview, or any static file server)"
