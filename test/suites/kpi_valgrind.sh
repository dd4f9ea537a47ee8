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
vg_cluster_start "$T" 5433
PSQL=("${VG_PSQL[@]}")
"${PSQL[@]}" -d postgres -qc "CREATE DATABASE vg" && "${PSQL[@]}" -d vg -qc "CREATE EXTENSION gcanalytics" \
    || fail "the valgrind cluster did not come up"

failed=0
for f in "$GCA_ROOT"/sql/kpi_*.sql; do
    name=$(basename "$f" .sql)
    # the session settings pg_regress gives the tests (their expected output has them)
    (cd "$GCA_ROOT" && PGDATESTYLE="Postgres, MDY" PGTZ=PST8PDT "${PSQL[@]}" -d vg -a -q -f "sql/$name.sql") \
        >"$T/out/$name.out" 2>&1 || true
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

vg_cluster_stop
vg_reports_ours || failed=1
[ "$failed" = 0 ] || fail "the KPI functions are not clean under valgrind"
