#!/usr/bin/env bash
# The reporting schema through ODBC (README "BI tools"), as Tableau, Power
# BI or Excel read it: Debian's psqlODBC and pyodbc, logged in as a LOGIN
# role granted gcanalytics_reader, over the demo world (make demo's):
# SQLTables lists exactly the reporting views, SQLColumns and the rows read
# have the reporting types (odbc_check.py); pgJDBC (Metabase, DBeaver)
# returns the comments as REMARKS; dashboard_status says how far the data
# is complete (the load's marks, a failed window); and the reporting views
# keep the dashboards' column privileges for the other two roles.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DB=gca_odbc
T=$GCA_BUILD/tmp/odbc
mkdir -p "$T"
q() { PGDATABASE=$DB sql "$1"; }

bash "$GCA_ROOT/test/helpers/bi_world.sh" $DB
/usr/bin/python3 "$GCA_ROOT/test/helpers/odbc_check.py" "$PGHOST" "$PGPORT" $DB gca_bi_analyst

# pgJDBC over TCP (the scratch cluster listens on its Unix socket only:
# socat forwards 127.0.0.1 to it): getTables' and getColumns' REMARKS are
# the comments of the reporting views and columns
if command -v java >/dev/null && [ -r /usr/share/java/postgresql.jar ]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$PGHOST/.s.PGSQL.$PGPORT" &
    socat_pid=$!
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break
        sleep 0.1
    done
    java -cp /usr/share/java/postgresql.jar "$GCA_ROOT/test/helpers/JdbcRemarks.java" \
        "jdbc:postgresql://127.0.0.1:$port/$DB" gca_bi_analyst gcanalytics_reports >"$T/jdbc.txt"
    kill "$socat_pid"
    cut -f1,3 "$T/jdbc.txt" | sort >"$T/jdbc_remarks.txt"
    q "SELECT 'TABLE ' || c.relname || E'\t' || obj_description(c.oid, 'pg_class')
         FROM pg_class c WHERE c.relnamespace = 'gcanalytics_reports'::regnamespace
       UNION ALL
       SELECT 'COLUMN ' || c.relname || '.' || a.attname || E'\t' || col_description(c.oid, a.attnum)
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = 'gcanalytics_reports'::regnamespace" | sort >"$T/comments.txt"
    diff "$T/comments.txt" "$T/jdbc_remarks.txt" >&2 || fail "pgJDBC's REMARKS differ from the comments (above)"
    grep -q $'^COLUMN escalation_by_tier.escalation_rate\tnumeric(7,4)\t.*fraction of 1' "$T/jdbc.txt" \
        || fail "pgJDBC: escalation_by_tier.escalation_rate is not numeric(7,4) with its comment"
    echo "ok: pgJDBC $(basename "$(readlink -f /usr/share/java/postgresql.jar)"): REMARKS of the $(grep -c '^TABLE' "$T/jdbc.txt") views and $(grep -c '^COLUMN' "$T/jdbc.txt") columns are their comments"
else
    echo "not checked: pgJDBC (no java or no /usr/share/java/postgresql.jar)"
fi

# freshness: dashboard_status after the demo's refresh, against the load's
# marks read here: the conversations' high-water mark less lag_window (what
# the next run() reads again); a failed window before it moves the status
# back to the window's start (and the last complete day before it)
q "SELECT count(*) = cardinality(gcanalytics.dashboard_views()) AND bool_and(populated AND refresh = 'full')
     FROM gcanalytics_reports.dashboard_status" | contains "^t$" || fail "dashboard_status: not one populated full refresh per dashboard"
want=$(q "SELECT s.high_water_mark - (SELECT value FROM gcanalytics.settings WHERE name = 'lag_window')::interval
            FROM gcanalytics.sync_state s WHERE s.resource = 'conversations'")
got=$(q "SELECT data_complete_until FROM gcanalytics_reports.dashboard_status WHERE view_name = 'escalation_weekly'")
assert_eq "$want" "$got" "escalation_weekly's data_complete_until (high-water mark less lag_window)"
q "SELECT count(*) FROM gcanalytics_reports.escalation_weekly w, gcanalytics_reports.dashboard_status s
    WHERE s.view_name = 'escalation_weekly' AND w.provisional <> ((w.week + 7)::timestamp AT TIME ZONE 'UTC' > s.data_complete_until)" \
    | contains "^0$" || fail "escalation_weekly's provisional weeks are not those ending after data_complete_until"
q "UPDATE gcanalytics.sync_windows SET status = 'failed'
    WHERE resource = 'conversations' AND window_start = (SELECT min(window_start) FROM gcanalytics.sync_windows
                                                          WHERE resource = 'conversations' AND window_start >= '2026-04-15 00:00Z')" >/dev/null
failed_at=$(q "SELECT min(window_start) FROM gcanalytics.sync_windows WHERE resource = 'conversations' AND status = 'failed'")
q "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
got=$(q "SELECT data_complete_until || ' ' || complete_through FROM gcanalytics_reports.dashboard_status WHERE view_name = 'kpi_daily'")
assert_eq "2026-04-15 00:00:00+00" "$failed_at" "the failed window (the conversations load whole UTC days)"
assert_eq "2026-04-15 00:00:00+00 2026-04-14" "$got" "kpi_daily's status after the failed window of 2026-04-15"
echo "ok: dashboard_status: one full refresh per dashboard, data complete until the high-water mark less lag_window ($want), the provisional weeks after it; a failed window ($failed_at) moves it back"

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
for v in agent_quality agent_quality_weekly; do
    as gca_odbc_finance "SELECT count(*) FROM gcanalytics_reports.$v" | contains "permission denied" \
        || fail "finance reads $v"
done
# nobody else sees into the schema
as gca_odbc_supervisor "SELECT has_schema_privilege('public', 'gcanalytics_reports', 'USAGE')" | contains "^f$" \
    || fail "PUBLIC has USAGE on gcanalytics_reports"
echo "ok: the supervisor and finance roles read the reporting views' columns they read in gcanalytics, PUBLIC none"
