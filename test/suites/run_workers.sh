#!/usr/bin/env bash
# run()'s steps in background workers (setting run_workers, README "The
# warehouse", issue 23):
#  1. with workers, run() of 3 days and 11 hours equals gcsim's truth
#     (every conversation with its queue, agent, CRM account, tier and link,
#     which need the reference data and the CRM the workers loaded first;
#     the evaluations; the QA scores from the truth's evaluations) and the
#     run without workers (run_workers false) row for row, loaded_at aside
#     (interactions, evaluations, queue metrics, adherence, CRM accounts,
#     sync windows' rows); the workers were seen in pg_stat_activity as the
#     calling role, with no secret in their query text;
#  2. a window failing in a worker (the evaluations day of a failing
#     interval) is in the dead-letter list with the same error and
#     attempts as without workers, run() warns about it and counts it;
#  3. an error that stops every window raised in a worker (no user mapping
#     for Salesforce, in the CRM step) stops run() with the same error as
#     without workers;
#  4. cancelling run() while its workers run leaves no worker running (polled
#     until they are gone), and the next run() completes;
#  5. the first conversation window read ahead (_conversations_prefetch(),
#     while the workers read the reference data and the CRM): the window's
#     load reads the rows kept, which equal those read from the API column
#     for column, for that window only (another range, or conversations by
#     id, read the API); run() leaves none kept in its session.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

NOW=2026-04-20T12:00:00Z
UNTIL=2026-04-20T11:00:00Z
D1=2026-04-17
T=$GCA_BUILD/tmp/run_workers
rm -rf "$T"
mkdir -p "$T"
chmod 777 "$T"
PSQL=("$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q)
# a database of its own, dropped at the end: the suites after this one
# find the harness's database as it was
DB=gca_run_workers
PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB (FORCE)"
PGDATABASE=postgres sql "CREATE DATABASE $DB"
export PGDATABASE=$DB
trap 'stop_all_gcsim; PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB (FORCE)" >/dev/null 2>&1 || true' EXIT
sql "CREATE EXTENSION gcanalytics"
SMALL="--seed 7 --conversations-per-day 2000"
TABLES="interactions evaluations queue_metrics adherence crm_accounts"

run_load() { "${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1; }
workers() { sql "INSERT INTO gcanalytics.settings (name, value) VALUES ('run_workers', '$1') ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"; }
reset_warehouse() {
    sql "TRUNCATE gcanalytics.interactions, gcanalytics.evaluations, gcanalytics.queue_metrics, gcanalytics.adherence,
                  gcanalytics.crm_accounts, gcanalytics.crm_account_history, gcanalytics.crm_cases, gcanalytics.crm_opportunities,
                  gcanalytics.queues, gcanalytics.users, gcanalytics.wrapup_codes, gcanalytics.sync_windows, gcanalytics.sync_state;
         UPDATE gcanalytics.settings SET value = '$D1' WHERE name = 'initial_sync_from'"
}
# snapshot NAME: the warehouse tables without loaded_at, into rw_NAME_*
snapshot() {
    local t
    for t in $TABLES; do
        sql "SET client_min_messages = warning; DROP TABLE IF EXISTS rw_$1_$t;
             CREATE TABLE rw_$1_$t AS SELECT * FROM gcanalytics.$t;
             ALTER TABLE rw_$1_$t DROP COLUMN IF EXISTS loaded_at"
    done
    sql "SET client_min_messages = warning; DROP TABLE IF EXISTS rw_$1_windows;
         CREATE TABLE rw_$1_windows AS SELECT resource, window_start, window_end, status, attempts, rows, error, error_sqlstate
           FROM gcanalytics.sync_windows"
}
# differ TABLE A B: rows of two snapshots that differ
differ() {
    sql "SELECT count(*) FROM ((TABLE rw_$2_$1 EXCEPT ALL TABLE rw_$3_$1) UNION ALL (TABLE rw_$3_$1 EXCEPT ALL TABLE rw_$2_$1)) d"
}
# workers_left: the run() workers still running once they are gone, or
# after a minute
workers_left() {
    local n=1
    for _ in $(seq 1 600); do
        n=$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'gcanalytics run() worker'")
        [ "$n" = 0 ] && break
        sleep 0.1
    done
    echo "$n"
}
# watch_workers OUT: until killed, the run() workers of pg_stat_activity
# (role, query) appended to OUT
watch_workers() {
    while true; do
        sql "SELECT usename || '|' || query FROM pg_stat_activity WHERE backend_type = 'gcanalytics run() worker'" >>"$1" || true
        sleep 0.05
    done
}

# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --latency-ms 20
URL=$GCSIM_URL
warehouse_setup "$URL" "$D1" >/dev/null
mkdir -p "$T/truth"
# shellcheck disable=SC2086
"$GCSIM" truth $SMALL --now $NOW --from "$D1" --to $UNTIL --out "$T/truth" >/dev/null
chmod -R a+r "$T/truth"
load_csv rw_truth_conv "$T/truth/conversations.csv"
load_csv rw_truth_eval "$T/truth/evaluations.csv"

########################################################################
# 1. with workers = the truth = without workers
reset_warehouse
workers true
watch_workers "$T/seen" &
watcher=$!
out=$(run_load) || { kill $watcher; fail "run() with workers failed: $out"; }
kill $watcher
wait $watcher 2>/dev/null || true
echo "$out" | contains "^NOTICE:  crm: [0-9]* accounts read" || fail "the CRM worker's NOTICE is not reported: $out"
echo "$out" | contains "^NOTICE:  adherence \[" || fail "the adherence worker's NOTICEs are not reported: $out"
echo "$out" | contains "^NOTICE:  gcanalytics.run: [0-9]* conversations, [1-9][0-9]* evaluations" || fail "no summary: $out"
for step in reference crm evaluations adherence; do
    grep -q "gcanalytics._\(run_step\|sync_range\)('$step'" "$T/seen" || fail "no worker of step $step was seen: $(sort -u "$T/seen")"
done
grep -v "^$PGUSER|" "$T/seen" | contains . && fail "a worker ran as another role: $(sort -u "$T/seen")"
contains -i "secret" "$T/seen" && fail "a worker's query shows a secret"
echo "ok: run() started workers for the reference data, the CRM, the evaluations and the adherence, as $PGUSER, no secret in their query"
# the truth's conversations but the internal queues (listed by configure())
assert_eq 0 "$(sql "SELECT count(*) FROM (
    (SELECT conversation_id, conversation_start::timestamptz, queue_id, agent_id, coalesce(account_id, phone_account_id), tier,
            CASE WHEN account_id IS NOT NULL THEN 'attribute' WHEN phone_account_id IS NOT NULL THEN 'phone' END
       FROM rw_truth_conv WHERE queue_id IS NULL OR queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues)
     EXCEPT ALL
     SELECT conversation_id, conversation_start, queue_id, agent_id, crm_account_id, customer_tier, crm_link FROM gcanalytics.interactions)
    UNION ALL
    (SELECT conversation_id, conversation_start, queue_id, agent_id, crm_account_id, customer_tier, crm_link FROM gcanalytics.interactions
     EXCEPT ALL
     SELECT conversation_id, conversation_start::timestamptz, queue_id, agent_id, coalesce(account_id, phone_account_id), tier,
            CASE WHEN account_id IS NOT NULL THEN 'attribute' WHEN phone_account_id IS NOT NULL THEN 'phone' END
       FROM rw_truth_conv WHERE queue_id IS NULL OR queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues))) d")" \
    "with workers, every conversation equals the truth (queue, agent, CRM account, tier, link)"
assert_eq 0 "$(sql "SELECT count(*) FROM ((SELECT evaluation_id, conversation_id, round(total_score::numeric, 2) FROM rw_truth_eval)
                                          EXCEPT ALL (SELECT evaluation_id, conversation_id, round(total_score::numeric, 2) FROM gcanalytics.evaluations)) d")" \
    "with workers, every evaluation of the truth is loaded"
assert_eq "$(sql "SELECT count(*) FROM rw_truth_eval")" "$(sql "SELECT count(*) FROM gcanalytics.evaluations")" "no evaluation beyond the truth"
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.interactions i
                     LEFT JOIN (SELECT conversation_id, avg(total_score::float8) s FROM rw_truth_eval
                                 WHERE NOT is_calibration::boolean AND status = 'FINISHED' GROUP BY 1) e USING (conversation_id)
                    WHERE round(i.qa_score::numeric, 4) IS DISTINCT FROM round(e.s::numeric, 4)")" \
    "with workers, every QA score is the average of the truth's finished evaluations"
assert_eq "t" "$(sql "SELECT count(*) > 0 FROM gcanalytics.adherence")" "with workers, adherence is loaded"
snapshot concurrent

reset_warehouse
workers false
out=$(run_load) || fail "run() without workers failed: $out"
echo "$out" | contains "^NOTICE:  gcanalytics.run: " || fail "no summary without workers: $out"
assert_eq 0 "$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'gcanalytics run() worker'")" "run_workers false starts no worker"
snapshot sequential
for t in $TABLES windows; do
    assert_eq 0 "$(differ $t concurrent sequential)" "$t: with workers the same rows as without"
done

########################################################################
# 2. a window failing in a worker: recorded as without workers
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --fault-window-status 2026-04-18T10:00:00Z/2026-04-18T10:30:00Z:500
sql "ALTER SERVER genesys OPTIONS (SET api_url '$GCSIM_URL', SET login_url '$GCSIM_URL');
     ALTER SERVER salesforce OPTIONS (SET instance_url '$GCSIM_URL');
     ALTER SERVER genesys OPTIONS (ADD max_retries '1')"
for mode in true false; do
    reset_warehouse
    workers $mode
    out=$(run_load) || fail "run() (run_workers $mode) failed instead of recording the failed windows: $out"
    echo "$out" | contains "^WARNING:  loading evaluations \[2026-04-18 00:00:00+00, 2026-04-19 00:00:00+00) failed" \
        || fail "run_workers $mode: no WARNING for the evaluations window: $out"
    echo "$out" | grep "^NOTICE:  gcanalytics.run: " | sed 's/; [0-9.]* s$//' >"$T/summary_$mode"
    sql "SELECT resource, window_start, window_end, attempts, error_sqlstate, error FROM gcanalytics.failed_windows ORDER BY 1, 2" >"$T/failed_$mode"
done
contains "evaluations|2026-04-18 00:00:00+00|2026-04-19 00:00:00+00|1|" "$T/failed_true" \
    || fail "the evaluations window failing in a worker is not in the dead-letter list: $(cat "$T/failed_true")"
assert_eq "$(cat "$T/failed_false")" "$(cat "$T/failed_true")" "the dead-letter list is the same with workers as without (windows, attempts, errors)"
assert_eq "$(cat "$T/summary_false")" "$(cat "$T/summary_true")" "run()'s summary counts the same failed windows with workers as without"

########################################################################
# 3. an error that stops every window, in a worker
sql "ALTER SERVER genesys OPTIONS (SET api_url '$URL', SET login_url '$URL', DROP max_retries);
     ALTER SERVER salesforce OPTIONS (SET instance_url '$URL');
     DROP USER MAPPING FOR CURRENT_USER SERVER salesforce"
for mode in true false; do
    reset_warehouse
    workers $mode
    if out=$(run_load); then
        fail "run() (run_workers $mode) without a Salesforce user mapping succeeded: $out"
    fi
    echo "$out" | grep "^\(ERROR\|DETAIL\|HINT\):" >"$T/error_$mode" || true
done
contains "^ERROR:" "$T/error_true" || fail "no error from the CRM worker: $(cat "$T/error_true")"
assert_eq "$(cat "$T/error_false")" "$(cat "$T/error_true")" "a worker's fatal error stops run() with the error it raises without workers"
assert_eq 0 "$(workers_left)" "no worker is left after the error"
sql "CREATE USER MAPPING FOR CURRENT_USER SERVER salesforce OPTIONS (client_id 'demo', client_secret 'demo-secret')"

########################################################################
# 4. cancelling run() leaves no worker running
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --latency-ms 300
sql "ALTER SERVER genesys OPTIONS (SET api_url '$GCSIM_URL', SET login_url '$GCSIM_URL');
     ALTER SERVER salesforce OPTIONS (SET instance_url '$GCSIM_URL')"
reset_warehouse
workers true
("${PSQL[@]}" -c "SET application_name = 'rw_cancelled'" -c "CALL gcanalytics.run(until => '$UNTIL')" >"$T/cancelled.log" 2>&1) &
cancelled=$!
seen=0
for _ in $(seq 1 600); do
    seen=$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'gcanalytics run() worker'")
    [ "$seen" -ge 1 ] && break
    sleep 0.05
done
[ "$seen" -ge 1 ] || fail "no worker was seen running"
assert_eq t "$(sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'rw_cancelled'")" "run() cancelled"
wait $cancelled && fail "the cancelled run() succeeded: $(cat "$T/cancelled.log")"
contains "canceling statement due to user request" "$T/cancelled.log" || fail "not cancelled: $(cat "$T/cancelled.log")"
assert_eq 0 "$(workers_left)" "cancelling run() leaves no worker running"
out=$(run_load) || fail "run() after the cancel failed: $out"
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.sync_windows WHERE status <> 'done'")" "the run() after the cancel loads every window"

########################################################################
# 5. the first conversation window read ahead
FROM="$D1 00:00:00+00"
# rows_differ A B: the query counting the rows of query A not in B and of B not in A
rows_differ() { echo "SELECT count(*) FROM (($1 EXCEPT ALL $2) UNION ALL ($2 EXCEPT ALL $1)) d"; }
read -r w_from w_to < <(sql "SELECT to_json(r.window_start) #>> '{}', to_json(r.window_end) #>> '{}'
                               FROM gcanalytics._range_windows('conversations', '$FROM', '$UNTIL', NULL) r
                              ORDER BY r.window_start LIMIT 1" | tr '|' ' ')
api=$(sql "SELECT gcanalytics._conversation_rows('$w_from', '$w_to')")
out=$("${PSQL[@]}" -At -c "SELECT count(*) FROM gcanalytics._aggregates_prefetch('$FROM', '$UNTIL')" \
          -c "SELECT count(*) FROM gcanalytics._conversations_prefetch('$FROM', '$UNTIL')" \
          -c "SELECT gcanalytics._conversation_rows_from('$w_from', '$w_to', NULL)" \
          -c "SELECT count(*) > 0 FROM pg_temp.gca_conversations" \
          -c "$(rows_differ "TABLE pg_temp.gca_conversations" "$api")" \
          -c "SELECT gcanalytics._conversation_rows_from('$w_from', '$w_to', '{x}') LIKE '(%OFFSET 0)'" \
          -c "SELECT gcanalytics._conversation_rows_from('$w_from', '$UNTIL'::timestamptz + interval '1 hour', NULL) LIKE '(%OFFSET 0)'" \
          -c "SELECT count(*) FROM gcanalytics._aggregates_forget()" \
          -c "SELECT gcanalytics._conversation_rows_from('$w_from', '$w_to', NULL) LIKE '(%OFFSET 0)'" \
          -c "SELECT to_regclass('pg_temp.gca_conversations') IS NULL") || fail "reading the first window ahead failed: $out"
assert_eq "1
1
pg_temp.gca_conversations
t
0
t
t
1
t
t" "$out" "the first window read ahead: its load reads the rows kept (the API's, column for column), no other range or id list does, and they are forgotten"
out=$("${PSQL[@]}" -At -c "CALL gcanalytics.run(until => '$UNTIL')" -c "SELECT to_regclass('pg_temp.gca_conversations') IS NULL" 2>&1) \
    || fail "run() failed: $out"
echo "$out" | tail -n 1 | contains "^t$" || fail "run() left its conversations read ahead in the session: $out"
echo "ok: run_workers"
