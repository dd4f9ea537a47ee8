#!/usr/bin/env bash
# The reporting schema through ODBC (README "BI tools"), as Tableau, Power
# BI or Excel read it: Debian's psqlODBC and pyodbc, logged in as a LOGIN
# role granted gcanalytics_reader, over the demo world (make demo's):
# SQLTables lists exactly the reporting views, SQLColumns and the rows read
# have the reporting types (odbc_check.py); and the reporting views keep the
# dashboards' column privileges for the other two roles.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DB=gca_odbc
q() { PGDATABASE=$DB sql "$1"; }

bash "$GCA_ROOT/test/helpers/bi_world.sh" $DB
/usr/bin/python3 "$GCA_ROOT/test/helpers/odbc_check.py" "$PGHOST" "$PGPORT" $DB gca_bi_analyst

# the other reporting roles: a supervisor reads no revenue column, finance
# no agent-level view, in the reporting schema as in gcanalytics
q "DO \$\$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gca_odbc_supervisor') THEN
         CREATE ROLE gca_odbc_supervisor LOGIN; CREATE ROLE gca_odbc_finance LOGIN;
     END IF;
   END \$\$;
   GRANT gcanalytics_supervisor TO gca_odbc_supervisor; GRANT gcanalytics_finance TO gca_odbc_finance;"
# as ROLE SQL: what ROLE gets, the error included
as() { PGUSER=$1 PGDATABASE=$DB "$PG_BINDIR/psql" -XAtq -v ON_ERROR_STOP=1 -c "$2" 2>&1 || true; }
out=$(as gca_odbc_supervisor "SELECT count(tier) FROM gcanalytics_reports.escalation_by_tier")
assert_eq 4 "$out" "a supervisor reads escalation_by_tier's tiers"
as gca_odbc_supervisor "SELECT escalated_ltv FROM gcanalytics_reports.escalation_by_tier" | contains "permission denied" \
    || fail "a supervisor reads escalated_ltv of the reporting view"
as gca_odbc_finance "SELECT sum(escalated_ltv) > 0 FROM gcanalytics_reports.escalation_by_tier" | contains "^t$" \
    || fail "finance does not read escalated_ltv"
as gca_odbc_finance "SELECT count(*) FROM gcanalytics_reports.agent_quality" | contains "permission denied" \
    || fail "finance reads agent_quality"
# nobody else sees into the schema
as gca_odbc_supervisor "SELECT has_schema_privilege('public', 'gcanalytics_reports', 'USAGE')" | contains "^f$" \
    || fail "PUBLIC has USAGE on gcanalytics_reports"
echo "ok: the supervisor and finance roles read the reporting views' columns they read in gcanalytics, PUBLIC none"
