#!/usr/bin/env bash
# The load on the machine's clock (issue 28):
#  1. run() with its default until (the machine's now) against a gcsim
#     whose "now" is months behind (fixed at 2026-04-20): a WARNING that
#     nothing was found where the aggregates count nothing either, a
#     WARNING that the availability date is far behind the range, a NOTICE
#     that the first high-water mark lands behind where the run started,
#     and no partition for the empty months.  A window over two months
#     with rows in one creates that month's partition only.
#  2. against a gcsim following the wall clock (--now wall), the load
#     scheduled with schedule() in pg_cron's database: a scheduled run()
#     loads the conversations that started after the first run, exactly
#     those of the truth of that clock-following world.
#  3. with another load holding the load lock, the scheduled run() does
#     not load and pg_cron records it as failed, naming the holder; the
#     refusal is in load_refusals, marked scheduled.
# No wall-clock upper bound: the scheduled run is polled for up to 5
# minutes (pg_cron 1.4 runs jobs at most once a minute).  Part 2 leaves
# pg_cron's database as the harness made it (the extension created again).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/scheduled_load   # made by the harness
PSQL=("$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q)

# Part 1 runs in a database of its own; part 2 in pg_cron's, which it
# leaves as the harness made it: no job, the extension created afresh.
CRON_DB=$PGDATABASE
DB=gca_scheduled_load
cleanup() {
    [ -n "${HOLDER_PID:-}" ] && kill "$HOLDER_PID" 2>/dev/null
    PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
    PGDATABASE=$CRON_DB sql "SELECT gcanalytics.unschedule()" >/dev/null 2>&1 || true
    local i
    for i in $(seq 1 150); do   # a scheduled run() still going ends first
        [ "$(PGDATABASE=$CRON_DB sql "SELECT count(*) FROM pg_stat_activity
                                      WHERE datname = current_database() AND query LIKE 'CALL gcanalytics.run()%'
                                        AND pid <> pg_backend_pid()")" = 0 ] && break
        sleep 2
    done
    PGDATABASE=$CRON_DB sql "SET client_min_messages = warning; DROP EXTENSION gcanalytics CASCADE;
                             DROP SCHEMA IF EXISTS gcanalytics_source CASCADE; CREATE EXTENSION gcanalytics" || true
    stop_all_gcsim
}
trap cleanup EXIT

# scheduled_run SINCE WHAT - schedules run() every minute, waits (at most
# 5 minutes) for the first run started after SINCE to finish, removes the
# job and prints WHAT of that run (d: its row of cron.job_run_details);
# nothing when none finished
scheduled_run() {
    local st="" i
    sql "SELECT gcanalytics.schedule(sync_every => '1 minute', refresh_every => NULL)" >/dev/null
    for i in $(seq 1 150); do
        st=$(sql "SELECT $2 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                   WHERE j.jobname = 'gcanalytics_sync:' || current_database() AND d.start_time > '$1'
                     AND d.status IN ('succeeded', 'failed') ORDER BY d.runid LIMIT 1")
        [ -n "$st" ] && break
        sleep 2
    done
    sql "SELECT gcanalytics.unschedule()" >/dev/null
    echo "$st"
}

partitions() {
    sql "SELECT coalesce(string_agg(c.relname, ' ' ORDER BY c.relname), '-')
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'gcanalytics.interactions'::regclass"
}

# ------------------------------------------------ 1. a gcsim months behind
PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null
PGDATABASE=postgres sql "CREATE DATABASE $DB"
export PGDATABASE=$DB
sql "CREATE EXTENSION gcanalytics"
start_gcsim --seed 42 --conversations-per-day 500
sql "SET client_min_messages = warning; $(warehouse_servers_sql "$GCSIM_URL" 100000)"
out=$("${PSQL[@]}" -c "CALL gcanalytics.run()" 2>&1) || { echo "$out"; fail "run() failed"; }
echo "$out" | contains -E "WARNING:  no conversations in \[.*\), and the aggregates API counts none there either" \
    || { echo "$out"; fail "run() over a range gcsim has no data in does not warn"; }
echo "$out" | contains "WARNING:  the API's data availability date 2026-04-20 11:55:00+00 is far behind the range asked for" \
    || { echo "$out"; fail "run() does not warn that the availability date is far behind"; }
echo "$out" | contains "NOTICE:  the conversations' high-water mark is set to 2026-04-20 11:55:00+00 (the API's data availability date), behind" \
    || { echo "$out"; fail "run() does not say why the mark lands behind the range"; }
echo "ok: run() up to the machine's now on a gcsim fixed at 2026-04-20 warns twice and says where the mark goes"
assert_eq "0 - 2026-04-20 11:55:00+00" \
    "$(sql "SELECT count(*) FROM gcanalytics.interactions") $(partitions) $(sql "SELECT high_water_mark FROM gcanalytics.sync_state WHERE resource = 'conversations'")" \
    "nothing loaded, no empty monthly partition created, the mark at the availability date"

# a window over 2026-04 and 2026-05 with rows in April only
"${PSQL[@]}" -c "CALL gcanalytics.sync_conversations('2026-04-19 12:00Z', '2026-05-01 12:00Z', \"window\" => '12 days')" >/dev/null 2>&1 \
    || fail "sync_conversations() over two months failed"
assert_eq "interactions_2026_04" "$(partitions)" "a window over April and May creates April's partition only"
assert_eq t "$(sql "SELECT count(*) > 400 FROM gcanalytics.interactions")" "its rows are loaded"
stop_all_gcsim

# ------------------------------------------- 2. the wall clock and pg_cron
export PGDATABASE=$CRON_DB
start_gcsim --seed 42 --conversations-per-day 20000 --now wall
sql "SET client_min_messages = warning; $(warehouse_servers_sql "$GCSIM_URL" 100000)
     TRUNCATE gcanalytics.interactions, gcanalytics.evaluations, gcanalytics.queue_metrics, gcanalytics.crm_accounts, gcanalytics.crm_account_history,
              gcanalytics.sync_windows, gcanalytics.sync_state;
     UPDATE gcanalytics.settings SET value = '1 hour' WHERE name = 'initial_sync_from';"
sql "SELECT gcanalytics.unschedule()" >/dev/null
"${PSQL[@]}" -c "CALL gcanalytics.run()" >"$T/first.log" 2>&1 || { cat "$T/first.log"; fail "the first run() failed"; }
contains WARNING "$T/first.log" && { cat "$T/first.log"; fail "the first run() on a gcsim following the clock warns"; }
first_last=$(sql "SELECT max(conversation_start) FROM gcanalytics.interactions")
n_first=$(sql "SELECT count(*) FROM gcanalytics.interactions")
[ "$n_first" -gt 100 ] || fail "the first run() loaded $n_first conversations of the last hour"
echo "ok: the first run() loaded the last hour: $n_first conversations up to $first_last"

scheduled_at=$(sql "SELECT now()")
st=$(scheduled_run "$scheduled_at" "d.status || ' ' || d.start_time")
[ -n "$st" ] || fail "no scheduled run() finished within 5 minutes"
case $st in succeeded*) ;; *) fail "the scheduled run() failed: $(sql "SELECT return_message FROM cron.job_run_details ORDER BY runid DESC LIMIT 1")" ;; esac
run_start=${st#succeeded }
n_new=$(sql "SELECT count(*) FROM gcanalytics.interactions WHERE conversation_start > '$first_last'")
[ "$n_new" -gt 0 ] || fail "the scheduled run() at $run_start loaded no conversation after $first_last"
took=$(sql "SELECT round(extract(epoch FROM d.end_time - d.start_time)::numeric, 1) FROM cron.job_run_details d
             WHERE d.start_time = '$run_start' AND d.status = 'succeeded' LIMIT 1")
echo "ok: the scheduled run() (pg_cron, started $run_start, $took s) loaded $n_new conversations that started after the first run"

# exactly the truth's: the conversations started after the first run's
# last and a minute before the scheduled run (gcsim's now is in whole
# minutes), internal queues left out
first_day=$(sql "SELECT ('$first_last'::timestamptz AT TIME ZONE 'UTC')::date")
gcsim_truth "$T/truth" "$first_day" "$(date -u -d tomorrow +%Y-%m-%d)" --seed 42 --conversations-per-day 20000 --now wall
load_csv sched_truth "$T/truth/conversations.csv"
# a conversation that reaches an internal queue after it was loaded (it
# was still in the IVR) is left out on both sides
assert_eq "0|0" "$(sql "
    WITH internal AS (SELECT conversation_id FROM sched_truth
                       WHERE queue_id IN (SELECT queue_id FROM gcanalytics.excluded_queues)),
         t AS (SELECT conversation_id FROM sched_truth
                WHERE conversation_start::timestamptz > '$first_last'
                  AND conversation_start::timestamptz < timestamptz '$run_start' - interval '1 minute'
               EXCEPT TABLE internal),
         i AS (SELECT conversation_id FROM gcanalytics.interactions
                WHERE conversation_start > '$first_last'
                  AND conversation_start < timestamptz '$run_start' - interval '1 minute'
               EXCEPT TABLE internal)
    SELECT (SELECT count(*) FROM (TABLE t EXCEPT TABLE i) x), (SELECT count(*) FROM (TABLE i EXCEPT TABLE t) x)")" \
    "the scheduled run() loaded the truth's new conversations, nothing else"
sql "DROP TABLE sched_truth"

# ------------------------------- 3. a scheduled run that could not load
# Another load holds the load lock (a session that claimed it and is still
# active): the scheduled run() does not load, and pg_cron records it as
# failed, naming the holder; the refusal is in load_refusals, marked
# scheduled.
"${PSQL[@]}" -c "SELECT gcanalytics._load_lock()" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
HOLDER_PID=$!
holder=""
for i in $(seq 1 100); do
    holder=$(sql "SELECT l.pid FROM gcanalytics.load_lock l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.state = 'active'")
    [ -n "$holder" ] && break
    sleep 0.1
done
[ -n "$holder" ] || fail "the session claiming the load lock did not show"
n_before=$(sql "SELECT count(*) FROM gcanalytics.interactions")
scheduled_at=$(sql "SELECT now()")
st=$(scheduled_run "$scheduled_at" "d.status || '|' || d.return_message")
sql "SELECT pg_terminate_backend($holder)" >/dev/null
kill "$HOLDER_PID" 2>/dev/null || true
wait "$HOLDER_PID" 2>/dev/null || true
HOLDER_PID=
[ -n "$st" ] || fail "no scheduled run() finished within 5 minutes with the lock held"
echo "$st" | contains "failed|ERROR:  another gcanalytics load is running (process $holder, role \"$PGUSER\"); this scheduled load did not run" \
    || fail "the scheduled run() refused by the lock is not a failed run naming the holder: $st"
echo "ok: pg_cron records the scheduled run() that could not load as failed, naming process $holder"
assert_eq "$n_before" "$(sql "SELECT count(*) FROM gcanalytics.interactions")" "the refused run() loaded nothing"
assert_eq "true|pg_cron|$holder|load" \
    "$(sql "SELECT scheduled || '|' || application_name || '|' || holder_pid || '|' || held FROM gcanalytics.load_refusals
             WHERE refused_at > '$scheduled_at' ORDER BY refused_at LIMIT 1")" \
    "the refusal is recorded in load_refusals as a scheduled run's"
