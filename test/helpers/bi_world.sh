#!/usr/bin/env bash
# test/helpers/bi_world.sh DB - the demo world of `make demo` (gcsim seed 42
# at $GCSIM_URL, two weeks before its "now" 2026-04-20 12:00 UTC) loaded
# into a fresh database DB with the dashboards refreshed, and the login
# role BI tools use (README "BI tools"): gca_bi_analyst, granted
# gcanalytics_reader and nothing else.  For make bi and the suites bi and
# odbc; run under test/run.sh (PGHOST, PG_BINDIR, GCSIM_URL set).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DB=$1
NOW=2026-04-20T12:00:00Z
PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" >/dev/null
PGDATABASE=postgres sql "CREATE DATABASE $DB" >/dev/null
export PGDATABASE=$DB
sql "CREATE EXTENSION gcanalytics" >/dev/null
warehouse_setup "$GCSIM_URL" 2026-04-06T00:00:00Z >/dev/null 2>&1
"$PG_BINDIR/psql" -qX -v ON_ERROR_STOP=1 -c "CALL gcanalytics.run(until => '$NOW')" >/dev/null 2>&1
sql "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
sql "DO \$\$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gca_bi_analyst') THEN
           CREATE ROLE gca_bi_analyst LOGIN;
       END IF;
     END \$\$;
     GRANT gcanalytics_reader TO gca_bi_analyst;
     ALTER ROLE gca_bi_analyst IN DATABASE $DB SET TimeZone = 'UTC';" >/dev/null
