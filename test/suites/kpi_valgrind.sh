#!/usr/bin/env bash
# The KPI regression tests (sql/kpi_*.sql) and a day of gcsim records run
# through a second scratch cluster whose postgres runs under valgrind
# (memcheck, --trace-children=yes).  Fails when valgrind reports an error
# with a gcanalytics frame, or when a test's output differs from
# expected/ under valgrind.  Errors inside PostgreSQL itself (uninitialised
# padding in WAL writes, as the core's src/tools/valgrind.supp describes;
# Debian's binary has no symbols for those suppressions to match) are
# counted and printed, not failed.
#
# Opt-in, it takes a few minutes: KPI_VALGRIND=1 make test TESTS=kpi_valgrind
# Note that PostgreSQL is not built with USE_VALGRIND, so overruns inside
# palloc'd chunks are invisible; reads of undefined memory and overruns of
# malloc'd blocks are not.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

if [ "${KPI_VALGRIND:-}" != 1 ]; then
    echo "skipped: set KPI_VALGRIND=1 to run the KPI tests under valgrind (a few minutes)"
    exit 77
fi
command -v valgrind >/dev/null || fail "valgrind is not installed"

T=$GCA_BUILD/tmp/kpi_valgrind
rm -rf "$T"
mkdir -p "$T/logs" "$T/sock" "$T/out"
chmod 777 "$T" "$T/logs" "$T/sock" "$T/out"
DATA=$T/data
PORT=5433
PSQL=("$PG_BINDIR/psql" -h "$T/sock" -p $PORT -U postgres -X)

runas "$PG_BINDIR/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$T/initdb.log" 2>&1 \
    || { cat "$T/initdb.log"; fail "initdb failed"; }
cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$T/sock'
fsync = off
autovacuum = off
max_connections = 10
shared_buffers = 64MB
EOF

runas valgrind --quiet --trace-children=yes --error-limit=no --num-callers=30 \
    --log-file="$T/logs/vg.%p.log" "$PG_BINDIR/postgres" -D "$DATA" >"$T/server.log" 2>&1 &
VG_PID=$!
stop_vg() {
    runas "$PG_BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 120 stop >/dev/null 2>&1 || kill "$VG_PID" 2>/dev/null || true
    stop_all_gcsim
}
trap stop_vg EXIT
for _ in $(seq 1 120); do
    "${PSQL[@]}" -d postgres -Atc "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
done
"${PSQL[@]}" -d postgres -qc "CREATE DATABASE vg" && "${PSQL[@]}" -d vg -qc "CREATE EXTENSION gcanalytics" \
    || fail "the valgrind cluster did not come up"

failed=0
for f in "$GCA_ROOT"/sql/kpi_*.sql; do
    name=$(basename "$f" .sql)
    (cd "$GCA_ROOT" && "${PSQL[@]}" -d vg -a -q -f "sql/$name.sql") >"$T/out/$name.out" 2>&1 || true
    if diff <(sed 's/^psql:[^ ]*: //' "$T/out/$name.out") "$GCA_ROOT/expected/$name.out" >"$T/out/$name.diff"; then
        echo "ok: $name under valgrind"
    else
        failed=1
        echo "FAIL: $name differs under valgrind:"
        head -n 20 "$T/out/$name.diff"
    fi
done

# a day of gcsim records, when gcsim is built
if [ -n "${GCSIM:-}" ] && [ -x "$GCSIM" ]; then
    start_gcsim --seed 3 --conversations-per-day 500 --now 2026-03-19T18:00:00Z
    token=$(curl -sf -u vg:vg -d grant_type=client_credentials "$GCSIM_URL/oauth/token" | jq -r .access_token)
    for page in 1 2 3 4; do
        curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d "{\"interval\":\"2026-03-19T00:00:00Z/2026-03-20T00:00:00Z\",\"paging\":{\"pageSize\":100,\"pageNumber\":$page}}" \
            "$GCSIM_URL/api/v2/analytics/conversations/details/query" | jq -c '.conversations // [] | .[]'
    done >"$T/records.jsonl"
    chmod a+r "$T/records.jsonl"
    "${PSQL[@]}" -d vg -qAt -v ON_ERROR_STOP=1 \
        -c "CREATE TABLE recs (raw jsonb)" \
        -c "\\copy recs FROM '$T/records.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" \
        -c "SELECT 'records', count(*), count(*) FILTER (WHERE NOT t.valid) FROM recs, gcanalytics.timeline(raw) t" \
        -c "SELECT 'events', count(*) FROM recs, gcanalytics.timeline_events(raw)" \
        -c "SELECT 'damaged', count(*) FILTER (WHERE NOT t.valid) FROM recs,
              gcanalytics.timeline(jsonb_set(raw, '{participants,0,sessions,0,segments,0,segmentEnd}', '\"garbage\"')) t" \
        -c "SELECT 'weht', count(gcanalytics.weighted_handle_time(t.handle_ms, t.transfers, 'voice', gcanalytics.weht_weights_json()))
              FROM recs, gcanalytics.timeline(raw) t" \
        -c "SELECT 'phones', count(gcanalytics.normalize_phone(raw#>>'{participants,0,sessions,0,ani}')) FROM recs" \
        || { failed=1; echo "FAIL: gcsim records under valgrind"; }
fi

stop_vg
trap - EXIT
sleep 1
# frames of the library: its file (no debug info) or its sources (debug info)
ours=$(grep -l -E 'gcanalytics\.so|\((timeline|jbutil|weht|evaluation|interpolate|phone|gcanalytics)\.c:' \
    "$T"/logs/vg.*.log 2>/dev/null || true)
n_other=$(cat "$T"/logs/vg.*.log | grep -cE '^==[0-9]+== [A-Z]' || true)
echo "valgrind reports outside gcanalytics (PostgreSQL core):"
cat "$T"/logs/vg.*.log | grep -E '^==[0-9]+== [A-Z]' | sed 's/^==[0-9]*== //' | sort | uniq -c || true
if [ -n "$ours" ]; then
    failed=1
    echo "FAIL: valgrind reports with a gcanalytics frame:"
    for f in $ours; do head -n 40 "$f"; done
else
    echo "ok: no valgrind report has a gcanalytics frame ($n_other reports in PostgreSQL itself)"
fi
[ "$failed" = 0 ] || fail "the KPI functions are not clean under valgrind"
