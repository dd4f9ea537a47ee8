#!/usr/bin/env bash
# Security (README "Security"), tried as an attacker holding a plain login
# role would, each finding of the hardening issue as a test:
#  1. the load lock: an advisory lock on the old key, LOCK TABLE, the lock
#     routines and the lock table itself, as a plain role, stop no load; a
#     load that finds the lock held by another live load says who holds it
#     (pid, role) as a WARNING and records the refusal in load_refusals; a
#     session holding the lock table is named and recorded, not waited
#     for.  (A scheduled run refused fails in pg_cron: scheduled_load.)
#  2. search_path: shadowing functions and operators in public (inexact
#     matches that win over pg_catalog's) and in a schema placed before
#     pg_catalog (exact matches) never run inside configure, run, sync_*,
#     retry_failed, check_window, refresh_dashboards, schedule or any
#     REFRESH MATERIALIZED VIEW of a superuser.
#  3. every internal _ routine is revoked from PUBLIC.
#  4. http_request(), http_request_many(), data_availability() and scans
#     need USAGE on the server, even with a PUBLIC user mapping.
#  5. scan_progress() and http_stats() hide other roles' scans and servers
#     without USAGE unless pg_read_all_stats.
#  6. plain http:// on loopback only when a superuser allows it; a
#     non-API error body never reaches the caller.
#  7. gcanalytics.max_scan_requests and gcanalytics.max_retries (the
#     settings that take more of a shared rate budget) have superuser-set
#     ceilings.
#  8. settings are validated when written; no load moves a high-water mark
#     past a range it did not load.
#  9. erfc() and two_proportion_test() are total.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

# SECURITY_KEEP_GOING=1 counts the failures instead of stopping at the
# first (to see every finding at once on an older version).
FAILED=0
if [ -n "${SECURITY_KEEP_GOING:-}" ]; then
    set +e
    fail() { printf 'FAIL: %s\n' "$*" >&2; FAILED=$((FAILED + 1)); }
    assert_eq() {
        if [ "$1" != "$2" ]; then fail "$3 (expected: $1, actual: $2)"; else printf 'ok: %s\n' "$3"; fi
    }
fi

T=$GCA_BUILD/tmp/security
rm -rf "$T"
mkdir -p "$T"
chmod 777 "$T"
PSQL=("$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q)
NOW=2026-04-20T12:00:00Z
UNTIL='2026-04-20 11:00:00+00'

# as ROLE SQL - runs SQL as ROLE (a login role), output and errors to stdout
as() { "${PSQL[@]}" -At -U "$1" -c "$2" 2>&1; }
# denied WHAT ROLE SQL - SQL as ROLE fails with a permission error
denied() {
    local out
    if out=$(as "$2" "$3"); then fail "$1: allowed as $2: $out"; fi
    echo "$out" | contains -E 'permission denied|must be (superuser|owner)' || fail "$1: unexpected error: $out"
    echo "ok: $1 (denied)"
}

# hold WHAT QUERY PSQL-ARGS... - starts a psql session with PSQL-ARGS in
# the background (HOLDER_PID) and waits until QUERY names its backend:
# sets holder to that pid.
hold() {
    local what=$1 query=$2 i
    shift 2
    "${PSQL[@]}" "$@" >/dev/null 2>&1 &
    HOLDER_PID=$!
    holder=""
    for i in $(seq 1 100); do
        holder=$(sql "$query")
        [ -n "$holder" ] && return 0
        sleep 0.1
    done
    fail "$what: the session did not show"
}
# release - ends the session hold started
release() {
    [ -n "$holder" ] && sql "SELECT pg_terminate_backend($holder)" >/dev/null
    kill "$HOLDER_PID" 2>/dev/null || true
    wait "$HOLDER_PID" 2>/dev/null || true
    HOLDER_PID=
}

cleanup() {
    stop_all_gcsim
    [ -n "${HOLDER_PID:-}" ] && kill "$HOLDER_PID" 2>/dev/null || true
    [ -n "${BODY_PID:-}" ] && kill "$BODY_PID" 2>/dev/null || true
    [ -n "${SCAN_PID:-}" ] && kill "$SCAN_PID" 2>/dev/null || true
}
trap cleanup EXIT

# A database of its own (the warehouse's state is not the other suites');
# schedule() runs in pg_cron's database, $CRON_DB.
CRON_DB=$PGDATABASE
export PGDATABASE=gca_security
drop_all() {
    local r
    PGDATABASE=$CRON_DB sql "DROP DATABASE IF EXISTS gca_security WITH (FORCE)" 2>/dev/null
    PGDATABASE=$CRON_DB sql "SET client_min_messages = warning; DROP SCHEMA IF EXISTS sec_evil CASCADE"
    for r in sec_attacker sec_stats sec_user; do
        if [ "$(PGDATABASE=$CRON_DB sql "SELECT count(*) FROM pg_roles WHERE rolname = '$r'")" = 1 ]; then
            PGDATABASE=$CRON_DB sql "SET client_min_messages = warning; DROP OWNED BY $r CASCADE; DROP ROLE $r"
        fi
    done
}
drop_all
PGDATABASE=$CRON_DB sql "CREATE DATABASE gca_security"
sql "SET client_min_messages = warning; CREATE EXTENSION gcanalytics"
sql "CREATE ROLE sec_attacker LOGIN; CREATE ROLE sec_stats LOGIN IN ROLE pg_read_all_stats; CREATE ROLE sec_user LOGIN"

start_gcsim --seed 7 --conversations-per-day 200 --now $NOW
warehouse_setup "$GCSIM_URL" '2026-04-19' >/dev/null
# the first run() before any attacker: the warehouse has rows to refresh
"${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" >"$T/first.log" 2>&1 || fail "first run(): $(cat "$T/first.log")"

# ---------------------------------------------------------------- 1. lock
# the key of 0.2.0's advisory lock, held by a plain role in a live session
hold "the advisory lock" "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 747474 AND granted LIMIT 1" \
    -U sec_attacker -c "SELECT pg_advisory_lock(747474)" -c "SELECT pg_advisory_lock(0, 747474)" -c "SELECT pg_sleep(120)"
out=$("${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1) || fail "run() under the attacker's advisory lock: $out"
echo "$out" | contains 'NOTICE:  gcanalytics.run: ' || fail "run() did not load while a plain role held the advisory lock: $out"
echo "ok: a plain role's advisory lock (the 0.2.0 key) does not stop run()"
release

denied "LOCK TABLE gcanalytics.load_lock" sec_attacker "BEGIN; LOCK TABLE gcanalytics.load_lock IN ACCESS EXCLUSIVE MODE NOWAIT; COMMIT"
denied "SELECT ... FROM load_lock FOR UPDATE" sec_attacker "SELECT 1 FROM gcanalytics.load_lock FOR UPDATE"
denied "UPDATE gcanalytics.load_lock" sec_attacker "UPDATE gcanalytics.load_lock SET pid = pg_backend_pid()"
denied "_load_lock()" sec_attacker "SELECT gcanalytics._load_lock()"

# a live load (this session claims the lock, then stays active) is named
hold "the claim" "SELECT l.pid FROM gcanalytics.load_lock l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.state = 'active'" \
    -c "SELECT gcanalytics._load_lock()" -c "SELECT pg_sleep(120)"
before=$(sql "SELECT count(*) FROM gcanalytics.load_refusals")
out=$("${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1) || fail "run() with the lock held: $out"
echo "$out" | contains "WARNING:  another gcanalytics load is running (process $holder, role \"$PGUSER\"); this one returns without loading" \
    || fail "run() did not name the holder in a WARNING: $out"
echo "$out" | contains 'NOTICE:  gcanalytics.run: ' && fail "run() loaded while another load held the lock: $out"
assert_eq "$((before + 1))|$PGUSER|false|$holder|$PGUSER|load" \
    "$(sql "SELECT (SELECT count(*) FROM gcanalytics.load_refusals) || '|' || role || '|' || scheduled || '|' || holder_pid || '|' || holder_role || '|' || held
              FROM gcanalytics.load_refusals ORDER BY refused_at DESC LIMIT 1")" \
    "the refused run() is recorded in gcanalytics.load_refusals with its holder"
for p in "sync_conversations('2026-04-19', '2026-04-20')" "sync_crm()" "retry_failed()"; do
    out=$("${PSQL[@]}" -c "CALL gcanalytics.$p" 2>&1) || fail "$p with the lock held: $out"
    echo "$out" | contains "WARNING:  another gcanalytics load is running (process $holder" || fail "$p did not step aside: $out"
done
echo "ok: sync_conversations(), sync_crm() and retry_failed() step aside with the same WARNING"
release
# a load role's session holding the lock table itself: named, not waited for
hold "LOCK TABLE" "SELECT pid FROM pg_locks WHERE relation = 'gcanalytics.load_lock'::regclass AND mode = 'ShareRowExclusiveLock' AND granted" \
    -c "BEGIN" -c "LOCK TABLE gcanalytics.load_lock IN SHARE ROW EXCLUSIVE MODE" -c "SELECT pg_sleep(120)"
out=$("${PSQL[@]}" -c "SET lock_timeout = '60s'" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1) || fail "run() with the lock table locked: $out"
echo "$out" | contains "WARNING:  another gcanalytics load is running (process $holder, role \"$PGUSER\"); this one returns without loading" \
    || fail "run() did not name the session locking the lock table: $out"
assert_eq "$holder|$PGUSER|lock table" \
    "$(sql "SELECT holder_pid || '|' || holder_role || '|' || held FROM gcanalytics.load_refusals ORDER BY refused_at DESC LIMIT 1")" \
    "the refusal under a lock on the lock table is recorded with its holder"
echo "ok: a session locking the lock table is named and recorded, not waited for"
release
out=$("${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1) || fail "run() after the holder ended: $out"
echo "$out" | contains 'NOTICE:  gcanalytics.run: ' || fail "run() did not load once the holder was gone: $out"
assert_eq "" "$(sql "SELECT pid FROM gcanalytics.load_lock")" "run() releases the lock when done"
echo "ok: the claim of a session that ended is taken over"

# ---------------------------------------------------------------- 2. search_path
# An upgraded cluster keeps CREATE on public for PUBLIC; the attacker
# shadows what the load and the dashboards called: inexact matches in
# public (pg_catalog's would need a cast), exact ones in sec_evil, which a
# superuser's search_path puts before pg_catalog.
shadows="
CREATE FUNCTION sec_evil.hit(what text) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN RAISE WARNING 'HIJACKED % as %', what, current_user; END \$\$;
CREATE FUNCTION public.pg_try_advisory_lock(integer) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('pg_try_advisory_lock(integer)'); RETURN pg_catalog.pg_try_advisory_lock(\$1::pg_catalog.int8); END \$\$;
CREATE FUNCTION public.pg_advisory_unlock(integer) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('pg_advisory_unlock(integer)'); RETURN pg_catalog.pg_advisory_unlock(\$1::pg_catalog.int8); END \$\$;
CREATE FUNCTION public.sec_div(numeric, bigint) RETURNS numeric LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('/(numeric, bigint)'); RETURN pg_catalog.numeric_div(\$1, \$2::pg_catalog.numeric); END \$\$;
CREATE OPERATOR public./ (FUNCTION = public.sec_div, LEFTARG = numeric, RIGHTARG = bigint);
CREATE FUNCTION public.sec_mul(numeric, bigint) RETURNS numeric LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('*(numeric, bigint)'); RETURN pg_catalog.numeric_mul(\$1, \$2::pg_catalog.numeric); END \$\$;
CREATE OPERATOR public.* (FUNCTION = public.sec_mul, LEFTARG = numeric, RIGHTARG = bigint);
CREATE FUNCTION public.sec_mul_int(integer, numeric) RETURNS numeric LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('*(integer, numeric)'); RETURN pg_catalog.numeric_mul(\$1::pg_catalog.numeric, \$2); END \$\$;
CREATE OPERATOR public.* (FUNCTION = public.sec_mul_int, LEFTARG = integer, RIGHTARG = numeric);
CREATE FUNCTION sec_evil.texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('=(text, text)'); RETURN pg_catalog.texteq(\$1, \$2); END \$\$;
CREATE OPERATOR sec_evil.= (FUNCTION = sec_evil.texteq, LEFTARG = text, RIGHTARG = text);
CREATE FUNCTION sec_evil.tsge(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('>=(timestamptz, timestamptz)'); RETURN pg_catalog.timestamptz_ge(\$1, \$2); END \$\$;
CREATE OPERATOR sec_evil.>= (FUNCTION = sec_evil.tsge, LEFTARG = timestamptz, RIGHTARG = timestamptz);
CREATE FUNCTION sec_evil.int4pl(integer, integer) RETURNS integer LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('+(integer, integer)'); RETURN pg_catalog.int4pl(\$1, \$2); END \$\$;
CREATE OPERATOR sec_evil.+ (FUNCTION = sec_evil.int4pl, LEFTARG = integer, RIGHTARG = integer);
CREATE FUNCTION sec_evil.int8pl(bigint, bigint) RETURNS bigint LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('+(bigint, bigint)'); RETURN pg_catalog.int8pl(\$1, \$2); END \$\$;
CREATE OPERATOR sec_evil.+ (FUNCTION = sec_evil.int8pl, LEFTARG = bigint, RIGHTARG = bigint);
CREATE FUNCTION sec_evil.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('clock_timestamp()'); RETURN pg_catalog.clock_timestamp(); END \$\$;
CREATE FUNCTION sec_evil.round(numeric, integer) RETURNS numeric LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('round(numeric, integer)'); RETURN pg_catalog.round(\$1, \$2); END \$\$;
CREATE FUNCTION sec_evil.pg_backend_pid() RETURNS integer LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('pg_backend_pid()'); RETURN pg_catalog.pg_backend_pid(); END \$\$;
CREATE FUNCTION sec_evil.date_trunc(text, timestamptz) RETURNS timestamptz LANGUAGE plpgsql AS \$\$
BEGIN PERFORM sec_evil.hit('date_trunc(text, timestamptz)'); RETURN pg_catalog.date_trunc(\$1, \$2); END \$\$;
GRANT USAGE ON SCHEMA sec_evil TO PUBLIC;"
for db in gca_security "$CRON_DB"; do
    PGDATABASE=$db sql "GRANT CREATE ON SCHEMA public TO PUBLIC; CREATE SCHEMA sec_evil AUTHORIZATION sec_attacker;"
    PGDATABASE=$db as sec_attacker "$shadows" >/dev/null
done
# the shadows do run when called unqualified (the test can see a hijack)
out=$(sql "SELECT pg_try_advisory_lock(42), pg_advisory_unlock(42), 1.0 / 2::bigint" 2>&1)
echo "$out" | contains 'HIJACKED pg_try_advisory_lock' || fail "the public shadows are not reached: $out"
out=$(PGOPTIONS="-c search_path=sec_evil,pg_catalog,public" sql "SELECT 'a'::text = 'a'::text" 2>&1)
echo "$out" | contains 'HIJACKED =(text, text)' || fail "the sec_evil shadows are not reached: $out"

entry_points=(
    "CALL gcanalytics.configure(genesys_server => 'genesys', salesforce_server => 'salesforce')"
    "CALL gcanalytics.run(until => '$UNTIL')"
    "CALL gcanalytics.sync_conversations('2026-04-19 00:00+00', '2026-04-19 06:00+00')"
    "CALL gcanalytics.sync_evaluations('2026-04-19 00:00+00', '2026-04-20 00:00+00')"
    "CALL gcanalytics.sync_queue_metrics('2026-04-19 00:00+00', '2026-04-20 00:00+00')"
    "CALL gcanalytics.sync_crm()"
    "CALL gcanalytics.retry_failed()"
    "SELECT count(*) FROM gcanalytics.check_window('conversations', '2026-04-19 00:00+00', '2026-04-20 00:00+00')"
    "SELECT count(*) FROM gcanalytics.refresh_dashboards()"
    "[cron] SELECT count(*) FROM gcanalytics.schedule('15 minutes', '15 minutes')"
    "[cron] SELECT gcanalytics.unschedule()"
)
# the materialized ones (the dashboards kept as tables have no REFRESH)
for v in $(sql "SELECT v FROM unnest(gcanalytics.dashboard_views()) v WHERE v <> ALL (gcanalytics._dashboard_tables())"); do
    entry_points+=("REFRESH MATERIALIZED VIEW gcanalytics.$v" "REFRESH MATERIALIZED VIEW CONCURRENTLY gcanalytics.$v")
done
entry_points+=("SELECT count(*) FROM gcanalytics.escalation_insights")
for path in '"$user", public' 'sec_evil, pg_catalog, public'; do
    for e in "${entry_points[@]}"; do
        db=gca_security
        case $e in "[cron] "*) db=$CRON_DB; e=${e#"[cron] "} ;; esac
        out=$(PGDATABASE=$db PGOPTIONS="-c search_path=$(echo "$path" | tr -d ' ')" "${PSQL[@]}" -c "$e" 2>&1) \
            || fail "under search_path $path, $e failed: $out"
        if echo "$out" | contains HIJACKED; then
            fail "under search_path $path, $e ran the attacker's code: $(echo "$out" | grep HIJACKED | sort | uniq -c | head -5)"
        fi
    done
    echo "ok: search_path $path: ${#entry_points[@]} entry points run none of the attacker's functions or operators"
done
assert_eq "f" "$(sql "SELECT rolsuper FROM pg_roles WHERE rolname = 'sec_attacker'")" "the attacker is still no superuser"
# and beyond the entry points tried: every function of the extension in
# SQL or PL/pgSQL pins search_path or has a body bound when it was
# created; the procedures without a SET clause are exactly those that
# COMMIT (or call one that does), which name everything with its schema
assert_eq "" "$(sql "SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
                      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                     WHERE p.pronamespace IN ('gcanalytics'::regnamespace, 'gcanalytics_reports'::regnamespace)
                       AND l.lanname NOT IN ('c', 'internal') AND p.prokind <> 'p' AND p.prosqlbody IS NULL
                       AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')")" \
    "every SQL and PL/pgSQL function pins search_path or is bound when created"
assert_eq "_retry _run_join _run_step _sync_public _sync_range _sync_window retry_failed run sync_adherence sync_conversations sync_crm sync_evaluations sync_queue_metrics" \
    "$(sql "SELECT string_agg(p.proname, ' ' ORDER BY p.proname) FROM pg_proc p
             WHERE p.pronamespace = 'gcanalytics'::regnamespace AND p.prokind = 'p'
               AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')")" \
    "the procedures without a pinned search_path are the load's, which COMMIT"
for db in gca_security "$CRON_DB"; do
    PGDATABASE=$db sql "SET client_min_messages = warning; DROP SCHEMA sec_evil CASCADE;
         DROP FUNCTION public.pg_try_advisory_lock(integer), public.pg_advisory_unlock(integer) CASCADE;
         DROP FUNCTION public.sec_div(numeric, bigint), public.sec_mul(numeric, bigint), public.sec_mul_int(integer, numeric) CASCADE;
         REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
done

# ---------------------------------------------------------------- 3. internal routines
assert_eq "" "$(sql "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p
                      WHERE p.pronamespace = 'gcanalytics'::regnamespace AND p.proname LIKE '\\_%'
                        AND has_function_privilege('public', p.oid, 'EXECUTE')")" \
    "no internal _ routine is executable by PUBLIC"
denied "_check_ready()" sec_attacker "SELECT gcanalytics._check_ready()"
denied "_advance_high_water_mark()" sec_attacker "SELECT gcanalytics._advance_high_water_mark('conversations', '2100-01-01')"

# ---------------------------------------------------------------- 4. USAGE on the server
sql "SET client_min_messages = warning; DROP SERVER IF EXISTS sec_gc CASCADE;
     CREATE SERVER sec_gc FOREIGN DATA WRAPPER gcanalytics_fdw
       OPTIONS (service 'genesys', api_url '$GCSIM_URL', login_url '$GCSIM_URL');
     CREATE USER MAPPING FOR PUBLIC SERVER sec_gc OPTIONS (client_id 'org', client_secret 'org-secret');
     GRANT EXECUTE ON FUNCTION gcanalytics.http_request(name, text, text, text),
                               gcanalytics.http_request_many(name, text, text[]) TO sec_user;"
denied "http_request() without USAGE on the server" sec_user \
    "SELECT status FROM gcanalytics.http_request('sec_gc', 'GET', '/api/v2/routing/queues')"
denied "http_request_many() without USAGE on the server" sec_user \
    "SELECT status FROM gcanalytics.http_request_many('sec_gc', 'GET', ARRAY['/api/v2/routing/queues'])"
denied "data_availability() without USAGE on the server" sec_user "SELECT gcanalytics.data_availability('sec_gc')"
sql "SET client_min_messages = warning; DROP SCHEMA IF EXISTS sec_ft CASCADE; CREATE SCHEMA sec_ft;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (queues) FROM SERVER sec_gc INTO sec_ft;
     GRANT USAGE ON SCHEMA sec_ft TO sec_user; GRANT SELECT ON sec_ft.queues TO sec_user;"
denied "a scan without USAGE on the server (a PUBLIC mapping)" sec_user "SELECT count(*) FROM sec_ft.queues"
sql "GRANT USAGE ON FOREIGN SERVER sec_gc TO sec_user"
[ "$(as sec_user "SELECT count(*) FROM sec_ft.queues")" -gt 0 ] || fail "a scan with USAGE on the server read nothing"
echo "ok: a scan with USAGE on the server"
assert_eq "200" "$(as sec_user "SELECT status FROM gcanalytics.http_request('sec_gc', 'GET', '/api/v2/routing/queues')")" \
    "http_request() with USAGE on the server"

# ---------------------------------------------------------------- 5. scan_progress(), http_stats()
start_gcsim --seed 7 --conversations-per-day 200 --now $NOW --latency-ms 400
SLOW_URL=$GCSIM_URL
genesys_server sec_slow "$SLOW_URL" org org-secret "max_concurrency '1'"
sql "CREATE SCHEMA sec_slow; IMPORT FOREIGN SCHEMA analytics LIMIT TO (conversations) FROM SERVER sec_slow INTO sec_slow;"
"${PSQL[@]}" -c "SELECT count(*) FROM sec_slow.conversations
                 WHERE conversation_start >= '2026-04-10' AND conversation_start < '2026-04-18'" >"$T/scan.log" 2>&1 &
SCAN_PID=$!
seen=0
for _ in $(seq 1 200); do
    seen=$(sql "SELECT count(*) FROM gcanalytics.scan_progress()")
    [ "$seen" -ge 1 ] && break
    sleep 0.05
done
[ "$seen" -ge 1 ] || fail "the slow scan never showed in scan_progress(): $(cat "$T/scan.log")"
stats_sees=$(as sec_stats "SELECT count(*) FROM gcanalytics.scan_progress()")
attacker_sees=$(as sec_attacker "SELECT count(*) FROM gcanalytics.scan_progress()")
wait "$SCAN_PID" || fail "the slow scan failed: $(cat "$T/scan.log")"
SCAN_PID=
assert_eq "0" "$attacker_sees" "scan_progress() hides a superuser's scan from a plain role"
[ "$stats_sees" -ge 1 ] || fail "scan_progress() hides the scan from a member of pg_read_all_stats"
echo "ok: scan_progress() shows it to a member of pg_read_all_stats"
assert_eq "" "$(as sec_attacker "SELECT server FROM gcanalytics.http_stats()")" \
    "http_stats() lists no server a plain role has no USAGE on"
assert_eq "sec_gc" "$(as sec_user "SELECT string_agg(DISTINCT server::text, ',') FROM gcanalytics.http_stats()")" \
    "http_stats() lists the servers the role may use"
[ "$(as sec_stats "SELECT count(DISTINCT server) FROM gcanalytics.http_stats() WHERE server IN ('sec_slow', 'genesys')")" = 2 ] \
    || fail "http_stats() hides servers from a member of pg_read_all_stats"
echo "ok: http_stats() lists every server to a member of pg_read_all_stats"

# ---------------------------------------------------------------- 6. loopback http, error bodies
sql "GRANT USAGE ON FOREIGN DATA WRAPPER gcanalytics_fdw TO sec_attacker;
     ALTER ROLE sec_attacker SET gcanalytics.allow_loopback_http = off"
out=$(as sec_attacker "CREATE SERVER sec_local FOREIGN DATA WRAPPER gcanalytics_fdw
                         OPTIONS (service 'genesys', api_url 'http://127.0.0.1:5432', login_url 'http://127.0.0.1:5432')") \
    && fail "a server on plain http to loopback was created without the setting: $out"
echo "$out" | contains 'gcanalytics.allow_loopback_http' || fail "the error does not name the setting: $out"
echo "ok: plain http:// to loopback is refused unless a superuser allows it"
denied "SET gcanalytics.allow_loopback_http" sec_attacker "SET gcanalytics.allow_loopback_http = on"
# a local service that is no API, answering with a page of its own
python3 - "$T/body.port" <<'PY' >"$T/body.log" 2>&1 &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        body = b"<html>INTERNAL-ADMIN-PAGE secret=hunter2</html>" * 20
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
s.timeout = 60
open(sys.argv[1], "w").write(str(s.server_address[1]))
for _ in range(50):
    s.handle_request()
PY
BODY_PID=$!
for _ in $(seq 1 100); do [ -s "$T/body.port" ] && break; sleep 0.1; done
PORT=$(cat "$T/body.port")
genesys_server sec_page "http://127.0.0.1:$PORT" x y "max_retries '0'"
out=$(sql "SELECT status FROM gcanalytics.http_request('sec_page', 'GET', '/api/v2/routing/queues')" 2>&1) \
    && fail "a request to the page succeeded: $out"
echo "$out" | contains 'HTTP status 500' || fail "unexpected error from the page: $out"
echo "$out" | contains -E 'INTERNAL-ADMIN-PAGE|hunter2|<html' && fail "the error quotes the page's body: $out"
echo "$out" | contains 'is not an error of the genesys API' || fail "the error does not say what the body was: $out"
echo "ok: an error body that is not the service's error shape is not quoted"
kill "$BODY_PID" 2>/dev/null || true
BODY_PID=

# ---------------------------------------------------------------- 7. ceilings
# SETTING CEILING DEFAULT BELOW - a plain role cannot set SETTING above
# its ceiling (default DEFAULT), nor set the ceiling; under it is fine; a
# value above from the role's settings is capped; a superuser raises it
ceiling() {
    local s=$1 c=$2 d=$3 below=$4 out
    out=$(as sec_attacker "SET $s = $((d + 1))") && fail "a plain role set $s past the ceiling: $out"
    echo "$out" | contains "$c is $d" || fail "unclear error: $out"
    assert_eq "$below" "$("${PSQL[@]}" -At -U sec_attacker -c "SET $s = $below" -c "SHOW $s")" \
        "$s under the ceiling is accepted"
    denied "SET $c" sec_attacker "SET $c = $((d * 10))"
    sql "SET $c = $((d * 10)); SET $s = $((d * 10))" || fail "a superuser cannot raise $c"
    echo "ok: a superuser raises $c"
}
ceiling gcanalytics.max_scan_requests gcanalytics.max_scan_requests_ceiling 10000 5000
ceiling gcanalytics.max_retries gcanalytics.max_retries_ceiling 10 7
# a value above the ceiling in a role's settings (written where the
# ceiling was higher) is capped: a server answering every request with
# 500 gets the ceiling's retries, not 50
start_gcsim --seed 7 --now $NOW --fault-500 1
genesys_server sec_500 "$GCSIM_URL" org org-secret
sql "CREATE USER MAPPING FOR sec_user SERVER sec_500 OPTIONS (client_id 'org', client_secret 'org-secret');
     GRANT USAGE ON FOREIGN SERVER sec_500 TO sec_user;
     SET gcanalytics.max_retries_ceiling = 100; ALTER ROLE sec_user SET gcanalytics.max_retries = 50;
     ALTER ROLE sec_user SET gcanalytics.retry_max_wait_ms = 0"
assert_eq "50" "$(as sec_user "SHOW gcanalytics.max_retries")" "the role's setting shows as set"
out=$(as sec_user "SELECT status FROM gcanalytics.http_request('sec_500', 'GET', '/api/v2/routing/queues')") \
    && fail "a request to a server answering 500 succeeded: $out"
assert_eq "11" "$(sim_faults "$GCSIM_URL" 500)" "a role's max_retries above the ceiling is capped: gcsim answered 1 + 10 requests"
sql "ALTER ROLE sec_user RESET ALL"
# ---------------------------------------------------------------- 8. settings
bad_setting() { # NAME VALUE
    local out
    if out=$(sql "INSERT INTO gcanalytics.settings (name, value) VALUES ('$1', '$2')
                  ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" 2>&1); then
        fail "setting $1 = '$2' was accepted"
    fi
    echo "$out" | contains "invalid value for setting \"$1\"" || fail "unclear error for $1 = '$2': $out"
}
for nv in "window_max_conversations|-1" "window_max_conversations|0" "window_max_conversations|many" \
          "validation_tolerance_pct|NaN" "validation_tolerance_pct|-3" "max_attempts|0" "lag_window|-1 hour" \
          "lag_window|two hours" "window_max_length|0" "internal_queue_pattern|(unclosed" "insight_max_p|2" \
          "default_country_code|+44" "initial_sync_from|yesterday-ish" "reporting_time_zone|Mars/Olympus_Mons" \
          "interval_minutes|20" "short_abandon_threshold|soon"; do
    bad_setting "${nv%%|*}" "${nv#*|}"
done
echo "ok: 16 invalid settings are refused when written"
sql "UPDATE gcanalytics.settings SET value = '25000' WHERE name = 'window_max_conversations';
     UPDATE gcanalytics.settings SET value = '(qa review)' WHERE name = 'internal_queue_pattern';
     INSERT INTO gcanalytics.settings (name, value) VALUES ('reporting_time_zone', 'Europe/Paris'), ('short_abandon_threshold', '')
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value;
     UPDATE gcanalytics.settings SET value = 'UTC' WHERE name = 'reporting_time_zone';" || fail "valid settings refused"
echo "ok: valid settings are accepted"
# a bad value written before the check (a restore, an upgraded 0.2.0):
# the load of [06:00, 12:00) stops before the high-water mark moves
sql "UPDATE gcanalytics.sync_state SET high_water_mark = '2026-04-19 06:00+00' WHERE resource = 'conversations';
     DELETE FROM gcanalytics.interactions WHERE conversation_start >= '2026-04-19 06:00+00' AND conversation_start < '2026-04-19 12:00+00';
     ALTER TABLE gcanalytics.settings DISABLE TRIGGER USER;
     UPDATE gcanalytics.settings SET value = '-1' WHERE name = 'window_max_conversations';
     ALTER TABLE gcanalytics.settings ENABLE TRIGGER USER;"
out=$("${PSQL[@]}" -c "CALL gcanalytics.sync_conversations('2026-04-19 06:00+00', '2026-04-19 12:00+00')" 2>&1) \
    && fail "sync_conversations() with window_max_conversations = -1 succeeded: $out"
echo "$out" | contains 'invalid value for setting "window_max_conversations"' || fail "unclear error: $out"
assert_eq "2026-04-19 06:00:00+00" "$(sql "SET TimeZone = 'UTC'; SELECT high_water_mark FROM gcanalytics.sync_state WHERE resource = 'conversations'")" \
    "the high-water mark does not move past a range nothing loaded"
sql "UPDATE gcanalytics.settings SET value = '25000' WHERE name = 'window_max_conversations'"
"${PSQL[@]}" -c "CALL gcanalytics.sync_conversations('2026-04-19 06:00+00', '2026-04-19 12:00+00')" >/dev/null 2>&1 \
    || fail "the range does not load again once the setting is valid"
[ "$(sql "SELECT count(*) FROM gcanalytics.interactions WHERE conversation_start >= '2026-04-19 06:00+00' AND conversation_start < '2026-04-19 12:00+00'")" -gt 0 ] \
    || fail "the range reloaded no conversation"
echo "ok: with the setting valid again, the range loads"

# ---------------------------------------------------------------- 9. erfc(), two_proportion_test()
assert_eq "0|2|0|2" "$(sql "SELECT gcanalytics.erfc(1e308) || '|' || gcanalytics.erfc(-1e308) || '|' ||
                                   gcanalytics.erfc('Infinity') || '|' || gcanalytics.erfc('-Infinity')")" \
    "erfc() at the ends of float8"
m=9223372036854775807
assert_eq "true|true" "$(sql "SELECT (t.z IS NULL AND t.p_value IS NULL) || '|' ||
                               (SELECT abs(u.z) < 1e-9 AND u.p_value > 0.9999 FROM gcanalytics.two_proportion_test($m / 2, $m, $m / 2, $m) u)
                          FROM gcanalytics.two_proportion_test($m, $m, $m, $m) t")" \
    "two_proportion_test() with counts at the bigint maximum"

drop_all
[ "$FAILED" = 0 ] || { echo "$FAILED failure(s)"; exit 1; }
echo "ok: security"
