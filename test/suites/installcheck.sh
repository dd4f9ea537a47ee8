#!/usr/bin/env bash
# `make installcheck` as a DBA runs it against a cluster of their own: no
# harness database, no gcsim.  pg_regress makes a fresh database with the
# extension and runs every test that needs no simulator; they pass.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

cd "$GCA_ROOT"
out=$(env -u GCA_HARNESS -u GCSIM_DEFAULT_URL -u PGDATABASE \
      make -s installcheck TESTS= PG_CONFIG="$PG_BINDIR/pg_config" 2>&1) || { echo "$out"; fail "make installcheck failed"; }
echo "$out" | tail -n 5
echo "$out" | contains "contrib_regression" || fail "installcheck did not use a database of its own"
echo "$out" | contains -E "All [0-9]+ tests passed" || fail "installcheck did not pass"
echo "$out" | contains "fdw_salesforce_explain" && fail "a test that needs gcsim ran without one"
echo "ok: make installcheck on a cluster without the harness: $(echo "$out" | grep -oE 'All [0-9]+ tests passed')"
"$PG_BINDIR/psql" -qXAt -d postgres -c "DROP DATABASE IF EXISTS contrib_regression" >/dev/null
