#!/usr/bin/env bash
# Extraction routes: job results hold data only up to dataAvailabilityDate,
# so a range ending at "now" read through jobs (explicitly, or by auto)
# takes the rest from the details query and equals the truth; auto picks
# the route by its estimated cost and EXPLAIN says why; a rate-limited
# week costs at most 1.1x the requests of the cheapest correct plan (a new
# session asks no availability date already seen), and
# run() of a day at most 1.1x the requests of a perfect client, reading
# reference data only when due.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

SEED=23
PER_DAY=1500
NOW=2026-03-20T15:00:00Z
T=$GCA_BUILD/tmp/fdw_extraction
mkdir -p "$T"
gcsim_truth "$T" 2026-03-18 2026-03-21 --seed $SEED --conversations-per-day $PER_DAY --now $NOW
load_csv ex_truth "$T/conversations.csv"
COLS="conversation_id, conversation_start::timestamptz, conversation_end::timestamptz, queue_id, agent_id, handle_ms::bigint"

served() { # API requests gcsim served, token requests left out
    curl -s "$GCSIM_URL/sim/stats" | python3 -c "import json,sys; print(sum(v['requests'] for k, v in json.load(sys.stdin)['endpoints'].items() if k != 'gc.oauth'))"
}
stat() { # label field
    curl -s "$GCSIM_URL/sim/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['endpoints'].get('$1', {}).get('requests', 0))"
}

start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW --job-availability-lag-s 14400
genesys_server ex_gc "$GCSIM_URL" ex ex-secret "requests_per_minute '100000'"
sql "CREATE FOREIGN TABLE ex_job (conversation_id text, conversation_start timestamptz, conversation_end timestamptz,
       queue_id text, agent_id text, handle_ms bigint, sf text OPTIONS (attribute 'sfAccountId'))
       SERVER ex_gc OPTIONS (resource 'conversations', extraction 'job');
     CREATE FOREIGN TABLE ex_auto (conversation_id text, conversation_start timestamptz, conversation_end timestamptz,
       queue_id text, agent_id text, handle_ms bigint, sf text OPTIONS (attribute 'sfAccountId'))
       SERVER ex_gc OPTIONS (resource 'conversations');"

# 1. up to now, the last four hours past dataAvailabilityDate
for t in ex_job ex_auto; do
    sql "DROP TABLE IF EXISTS ex_got; CREATE TABLE ex_got AS SELECT * FROM $t WHERE conversation_start >= '2026-03-19 00:00+00' AND conversation_start < '$NOW'"
    want=$(sql "SELECT count(*) FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-19 00:00+00'")
    late=$(sql "SELECT count(*) FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-20 11:00+00'")
    [ "$late" -gt 50 ] || fail "only $late conversations after the availability date: the check proves little"
    diff=$(sql "SELECT count(*) FROM ((SELECT $COLS FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-19 00:00+00'
                                      EXCEPT ALL SELECT $COLS FROM ex_got)
                                     UNION ALL (SELECT $COLS FROM ex_got EXCEPT ALL
                                      SELECT $COLS FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-19 00:00+00')) d")
    assert_eq "$want 0" "$(sql "SELECT count(*) FROM ex_got") $diff" \
        "$t up to now equals the truth, with the $late conversations after dataAvailabilityDate"
    assert_eq "" "$(sql "SELECT conversation_id FROM ex_got g JOIN ex_truth t USING (conversation_id)
                         WHERE g.conversation_start < '2026-03-20 11:00+00' AND g.sf IS DISTINCT FROM nullif(t.account_id, '') LIMIT 1")" \
        "$t: attributes from the job results before the availability date"
done
# the first read (its range ended over a day before the wall clock) took
# the date from its first results page; the second, knowing a date before
# its range's end, asked
assert_eq 1 "$(stat gc.jobs.availability)" "the availability endpoint asked by the second read only"
[ "$(stat gc.details.query)" -ge 2 ] || fail "the part after the availability date was not read with the details query"
echo "ok: availability asked $(stat gc.jobs.availability) times, $(stat gc.details.query) details query pages for the tail"

# 1b. job results pages without dataAvailabilityDate: a range that ended
# over a day before the wall clock creates its jobs without asking; the
# first page read carries no date, so it is asked and the page read again
# before any row (the part after the date by the details query); one job
# at a time (max_concurrency 1: with no binding limit the range would be
# cut into as many jobs as run at once), so its pages are counted from the
# truth
start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW --job-availability-lag-s 14400 --job-results-no-availability
genesys_server ex_nodate "$GCSIM_URL" ex ex-secret "requests_per_minute '100000', max_concurrency '1'"
sql "CREATE FOREIGN TABLE ex_nodate_job (conversation_id text, conversation_start timestamptz, conversation_end timestamptz,
       queue_id text, agent_id text, handle_ms bigint, sf text OPTIONS (attribute 'sfAccountId'))
       SERVER ex_nodate OPTIONS (resource 'conversations', extraction 'job')"
sql "DROP TABLE IF EXISTS ex_got; CREATE TABLE ex_got AS SELECT * FROM ex_nodate_job WHERE conversation_start >= '2026-03-19 00:00+00' AND conversation_start < '$NOW'"
assert_eq "$(sql "SELECT count(*) FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-19 00:00+00'") 0" \
    "$(sql "SELECT count(*) FROM ex_got") $(sql "SELECT count(*) FROM ((SELECT $COLS FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-19 00:00+00'
        EXCEPT ALL SELECT $COLS FROM ex_got) UNION ALL (SELECT $COLS FROM ex_got EXCEPT ALL
        SELECT $COLS FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-19 00:00+00')) d")" \
    "a job read whose results pages carry no date equals the truth"
jobs=$(stat gc.jobs.create)
held=$(sql "SELECT count(*) FROM ex_truth WHERE conversation_start::timestamptz >= '2026-03-19 00:00+00' AND conversation_start::timestamptz < '2026-03-20 11:00+00'")
assert_eq "1 $(( (held + 999) / 1000 + jobs ))" "$(stat gc.jobs.availability) $(stat gc.jobs.results)" \
    "no date in the results: the availability asked once, one results page read again ($jobs jobs, $held conversations before the date)"
[ "$(stat gc.details.query)" -ge 1 ] || fail "the part after the availability date was not read with the details query"
sql "DROP SERVER ex_nodate CASCADE"
echo "ok: results pages without a date: availability asked once, $(stat gc.jobs.results) results pages for $held conversations in $jobs jobs"

# 2. auto by cost, and EXPLAIN says why
route() { sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT ${3:-conversation_id} FROM $1 WHERE $2" | sed -n 's/.*Remote Route: //p'; }
sql "CREATE FOREIGN TABLE ex_plain (conversation_id text, conversation_start timestamptz)
       SERVER ex_gc OPTIONS (resource 'conversations')"
r=$(route ex_plain "conversation_start >= '2026-03-19 10:00+00' AND conversation_start < '2026-03-19 11:00+00'")
echo "$r" | contains '^details query (auto: about' || fail "an hour should be read with the details query: $r"
echo "ok: an hour -> $r"
sql "ALTER SERVER ex_gc OPTIONS (SET requests_per_minute '300')"
r=$(route ex_plain "conversation_start >= '2026-03-12' AND conversation_start < '2026-03-19'")
echo "$r" | contains '^details job (auto: about' || fail "a week under 300/min should be read with jobs: $r"
echo "ok: a week at 300/min -> $r"
r=$(route ex_auto "conversation_start >= '2026-03-19 10:00+00' AND conversation_start < '2026-03-19 11:00+00'" "conversation_id, sf")
echo "$r" | contains 'participant attributes' || fail "attributes need jobs: $r"
echo "ok: attributes -> $r"
sql "DROP SERVER ex_gc CASCADE; DROP TABLE ex_truth, ex_got"

# 3. a rate-limited week against the cheapest plan: gcsim answers after
# 250 ms and allows 300 requests/min.  The fewest requests any correct
# client needs for the week's rows, from the API's page sizes: one details
# job (a creation, a status poll) and ceil(conversations / 1000) results
# pages; the details query would need ceil(conversations / 100).
WEEK_DAY=10000
gcsim_truth "$T/week" 2026-03-12 2026-03-19 --seed $SEED --conversations-per-day $WEEK_DAY --now $NOW
load_csv ex_week_truth "$T/week/conversations.csv"
start_gcsim --seed $SEED --conversations-per-day $WEEK_DAY --now $NOW --latency-ms 250 --rate-limit-per-minute 300
genesys_server ex_rate "$GCSIM_URL" ex ex-secret "requests_per_minute '300'"
sql "CREATE FOREIGN TABLE ex_rate (conversation_id text, conversation_start timestamptz)
       SERVER ex_rate OPTIONS (resource 'conversations')"
WEEK="conversation_start >= '2026-03-12' AND conversation_start < '2026-03-19'"
plan=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT conversation_id FROM ex_rate WHERE $WEEK" | sed -n 's/.*Remote Expected Requests: //p')
sql "DROP TABLE IF EXISTS ex_got; CREATE TABLE ex_got AS SELECT * FROM ex_rate WHERE $WEEK"
want=$(sql "SELECT count(*) FROM ex_week_truth WHERE conversation_start::timestamptz >= '2026-03-12' AND conversation_start::timestamptz < '2026-03-19'")
assert_eq "$want 0" "$(sql "SELECT count(*) FROM ex_got") $(sql "SELECT count(*) FROM (
        (SELECT conversation_id FROM ex_week_truth WHERE conversation_start::timestamptz >= '2026-03-12'
           AND conversation_start::timestamptz < '2026-03-19' EXCEPT ALL SELECT conversation_id FROM ex_got)
        UNION ALL (SELECT conversation_id FROM ex_got EXCEPT ALL SELECT conversation_id FROM ex_week_truth)) d")" \
    "the rate-limited week equals the truth"
read -r sent jobs results n429 < <(curl -s "$GCSIM_URL/sim/stats" | python3 -c "
import json, sys
s = json.load(sys.stdin)
e = s['endpoints']
n = lambda k: e.get(k, {}).get('requests', 0)
print(sum(v['requests'] for k, v in e.items() if k != 'gc.oauth'), n('gc.jobs.create'), n('gc.jobs.results'),
      s['total']['faults'].get('rate_limited', 0))")
cheapest=$((2 + (want + 999) / 1000))
echo "week: $want conversations, $sent requests ($jobs jobs, $results results pages, $n429 answered 429); cheapest $cheapest; EXPLAIN: $plan"
# what the FDW sends beyond the cheapest plan, each request accounted for
# (no availability date: the range ended over a day before the wall clock,
# so it is taken from the first results page):
# - a second job's creation and its status poll: one job's results come by
#   cursor, a page per round trip (250 ms + parsing), slower than the
#   budget's grants (200 ms at 300/min), so two jobs of equal length keep
#   the budget busy;
# - 1 results page: each job's last page is partial, and the two jobs'
#   intervals meet inside a day (3.5 days each), so the later one also
#   returns the conversations in progress at the cut (its window drops
#   them)
[ "$sent" -le "$((cheapest + 3))" ] || fail "the week took $sent requests, more than the cheapest $cheapest + 3"
[ "$((sent * 10))" -le "$((cheapest * 11))" ] || fail "the week took $sent requests, more than 1.1x the cheapest $cheapest"
assert_eq "0 2" "$(stat gc.jobs.availability) $jobs" "the week: no availability date, two jobs"
# no page spent on records another window owns but the few in progress at
# a cut: each job's last page only is partial
[ "$results" -le "$(( (want + 999) / 1000 + jobs - 1 ))" ] || fail "$results results pages for $want conversations in $jobs jobs"
[ "$n429" = 0 ] || fail "$n429 requests were answered 429"
echo "$plan" | contains -E "^about [0-9]+ for" || fail "EXPLAIN does not say the requests it expects: $plan"
echo "ok: a rate-limited week in $sent requests, $(awk -v a="$sent" -v b="$cheapest" 'BEGIN { printf "%.2f", a / b }')x the cheapest"
# a new session plans with what the first learnt (shared memory): the
# server's latency (two jobs) and an availability date past the week's end
# (not asked again)
plan=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT conversation_id FROM ex_rate WHERE $WEEK" | sed -n 's/.*Remote Expected Requests: //p')
echo "$plan" | contains "no availability date (known up to the range's end), 2 job creations" \
    || fail "a second EXPLAIN of the week does not plan two jobs without the availability date: $plan"
# EXPLAIN's count is the requests sent: with use_remote_estimate the plan
# counts the week's conversations (the aggregates query), and a session of
# a server that knows its latency and its jobs' time to be ready plans the
# week's two jobs as they are sent: creations, polls, and results pages
# with the conversations in progress at the cut inside a day (the later
# job returns them too).  The aggregates count is the planner's, asked by
# each statement (EXPLAIN its own): left out of the read's requests.
sql "ALTER SERVER ex_rate OPTIONS (ADD use_remote_estimate 'true')"
counted_plan=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT conversation_id FROM ex_rate WHERE $WEEK" | sed -n 's/.*Remote Expected Requests: //p')
before_all=$(served)
before_count=$(stat gc.aggregates.query)
assert_eq "$want" "$(sql "SELECT count(*) FROM ex_rate WHERE $WEEK")" "the week read again, counted first"
read_sent=$(( $(served) - before_all - ($(stat gc.aggregates.query) - before_count) ))
echo "$counted_plan" | contains "for $want conversations: no availability date (known up to the range's end), 2 job creations" \
    || fail "EXPLAIN of the counted week does not plan two jobs for $want conversations: $counted_plan"
assert_eq "about $read_sent for" "$(echo "$counted_plan" | grep -o '^about [0-9]* for')" \
    "EXPLAIN of the counted week expects the $read_sent requests sent ($counted_plan)"
echo "ok: EXPLAIN of the counted week: $counted_plan; sent $read_sent"
sql "ALTER SERVER ex_rate OPTIONS (DROP use_remote_estimate)"
sql "CREATE FOREIGN TABLE ex_rate_job (conversation_id text, conversation_start timestamptz)
       SERVER ex_rate OPTIONS (resource 'conversations', extraction 'job')"
# EXPLAIN counts the status polls by the time the server's jobs took to be
# ready (gcsim: 200 ms, seen after one round trip of 250 ms): an hour in a
# new session, a creation, 1 poll and a results page, as sent
HOUR="conversation_start >= '2026-03-18 10:00+00' AND conversation_start < '2026-03-18 11:00+00'"
hour_plan=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT conversation_id FROM ex_rate_job WHERE $HOUR" | sed -n 's/.*Remote Expected Requests: //p')
before=$(stat gc.jobs.availability)
before_all=$(served)
assert_eq "$(sql "SELECT count(*) FROM ex_week_truth WHERE conversation_start::timestamptz >= '2026-03-18 10:00+00'
                    AND conversation_start::timestamptz < '2026-03-18 11:00+00'")" \
    "$(sql "SELECT count(*) FROM ex_rate_job WHERE $HOUR")" \
    "an hour of the week by a job in a new session"
assert_eq "$before" "$(stat gc.jobs.availability)" "a new session's job read within a known availability date asks none"
assert_eq "about 3 for" "$(echo "$hour_plan" | grep -o '^about [0-9]* for')" "EXPLAIN of the hour: 3 requests ($hour_plan)"
assert_eq 3 "$(( $(served) - before_all ))" "the hour sent the 3 requests EXPLAIN expected"
echo "$hour_plan" | contains "1 job creation, about 1 status poll, 1 results pages" || fail "EXPLAIN of the hour: $hour_plan"
echo "ok: a new session: $plan; the hour: $hour_plan"
sql "DROP SERVER ex_rate CASCADE; DROP TABLE ex_week_truth, ex_got"

# 4. CALL gcanalytics.run() of one day, rate-limited (250 ms, 300/min), from
# an empty warehouse, against a perfect client counted from the API's page
# sizes and the truth's rows: one details job for the day (a creation, a
# status poll, ceil(conversations / 1000) results pages); one aggregates
# query (hourly counts and queue metrics); a Quality listing page of 100 per
# evaluator; a page of 100 of queues, users and wrap-up codes; the Accounts,
# Cases and Opportunities in SOQL pages of 2000; the management units, per
# unit an adherence query and a status poll, and every download the results
# name (gcsim's count: the server decides them).  run() may send at most
# 1.1x that, counted by gcsim (token requests left out): beyond it go the
# availability date and the details query page that finds the day's
# evaluations; no Salesforce describe (configure()'s tables declare their
# fields' types).
RUN_DAY=10000
RUN_NOW=2026-04-17T01:00:00Z
RUN_FROM=2026-04-16T00:00:00Z
RUN_UNTIL=2026-04-17T00:00:00Z
"$GCSIM" truth --seed 13 --conversations-per-day $RUN_DAY --now $RUN_NOW --from $RUN_FROM --to $RUN_UNTIL \
    --out "$T/run" >/dev/null
start_gcsim --seed 13 --conversations-per-day $RUN_DAY --now $RUN_NOW --latency-ms 250 --rate-limit-per-minute 300
RUN_DB=gca_fdw_extraction_run
"$PG_BINDIR/psql" -qXAt -d postgres -c "DROP DATABASE IF EXISTS $RUN_DB (FORCE)" -c "CREATE DATABASE $RUN_DB" >/dev/null
rsql() { PGDATABASE=$RUN_DB sql "$@"; }
rsql "CREATE EXTENSION gcanalytics" >/dev/null
rsql "SET client_min_messages = warning; $(warehouse_servers_sql "$GCSIM_URL" 300)
      UPDATE gcanalytics.settings SET value = '$RUN_FROM' WHERE name = 'initial_sync_from'" >/dev/null
curl -s -XPOST "$GCSIM_URL/sim/reset" >/dev/null
PGDATABASE=$RUN_DB "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -c "CALL gcanalytics.run(until => '$RUN_UNTIL')" \
    >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run() failed"; }
curl -s "$GCSIM_URL/sim/stats" >"$T/run_stats.json"
read -r n_queues n_users n_wrapups < <(rsql "SELECT (SELECT count(*) FROM gcanalytics.queues), (SELECT count(*) FROM gcanalytics.users),
                                                  (SELECT count(*) FROM gcanalytics.wrapup_codes)" | tr '|' ' ')
read -r sent perfect detail < <(python3 - "$T/run" "$T/run_stats.json" "$n_queues" "$n_users" "$n_wrapups" <<'PY'
import csv, json, math, sys
truth, stats = sys.argv[1], json.load(open(sys.argv[2]))
rows = lambda f: list(csv.DictReader(open(f"{truth}/{f}.csv")))
pages = lambda n, size: max(1, math.ceil(n / size))
evaluators = {}
for e in rows("evaluations"):
    evaluators[e["evaluator_id"]] = evaluators.get(e["evaluator_id"], 0) + 1
units = {a["management_unit_id"] for a in rows("adherence")}
parts = {
    "jobs": 2 + pages(len(rows("conversations")), 1000),
    "aggregates": 1,
    "evaluations": sum(pages(n, 100) for n in evaluators.values()),
    "reference": sum(pages(int(n), 100) for n in sys.argv[3:6]),
    "crm": pages(len(rows("accounts")), 2000) + pages(len(rows("cases")), 2000) + pages(len(rows("opportunities")), 2000),
    "adherence": 1 + 2 * len(units) + stats["endpoints"].get("gc.wfm.download", {}).get("requests", 0),
}
sent = sum(v["requests"] for k, v in stats["endpoints"].items() if k not in ("gc.oauth", "sf.token"))
by = ",".join(f"{k}={v['requests']}" for k, v in sorted(stats["endpoints"].items()) if v["requests"] and k not in ("gc.oauth", "sf.token"))
print(sent, sum(parts.values()), ",".join(f"{k}={v}" for k, v in parts.items()) + ";sent:" + by)
PY
)
loaded=$(rsql "SELECT count(*) FROM gcanalytics.interactions")
[ "$loaded" -gt $((RUN_DAY * 9 / 10)) ] || fail "run() loaded only $loaded interactions"
echo "run() of a day: $sent requests, a perfect client $perfect ($detail)"
[ "$((sent * 10))" -le "$((perfect * 11))" ] || fail "run() sent $sent requests, more than 1.1x a perfect client's $perfect"
n429=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['total']['faults'].get('rate_limited', 0))" "$T/run_stats.json")
[ "$n429" = 0 ] || fail "$n429 of run()'s requests were answered 429"
echo "ok: run() of a day in $sent requests, $(awk -v a="$sent" -v b="$perfect" 'BEGIN { printf "%.2f", a / b }')x a perfect client's $perfect"
# reference data when due: a second run() reads no queues, users nor wrap-up
# codes (read minutes ago, and nothing loaded since names an id they lack);
# a user the loaded conversations name and the table lacks has the third
# read them again
ref_requests() {
    curl -s "$GCSIM_URL/sim/stats" | python3 -c "import json,sys; e=json.load(sys.stdin)['endpoints']
print(sum(e.get(k, {}).get('requests', 0) for k in ('gc.queues', 'gc.users', 'gc.wrapupcodes')))"
}
before=$(ref_requests)
PGDATABASE=$RUN_DB "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -c "CALL gcanalytics.run(until => '$RUN_UNTIL')" \
    >"$T/run2.out" 2>&1 || { cat "$T/run2.out"; fail "the second run() failed"; }
assert_eq "$before" "$(ref_requests)" "a second run() reads no reference data"
contains "reference: $n_queues queues kept" <"$T/run2.out" || fail "the second run() does not say it kept the queues: $(cat "$T/run2.out")"
rsql "DELETE FROM gcanalytics.users WHERE user_id = (SELECT agent_id FROM gcanalytics.interactions WHERE agent_id IS NOT NULL LIMIT 1)"
PGDATABASE=$RUN_DB "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -c "CALL gcanalytics.run(until => '$RUN_UNTIL')" \
    >"$T/run3.out" 2>&1 || { cat "$T/run3.out"; fail "the third run() failed"; }
assert_eq "$((before + 3))" "$(ref_requests)" "a run() after an agent went missing reads the three listings again"
assert_eq "$n_users" "$(rsql "SELECT count(*) FROM gcanalytics.users")" "the missing agent is back"
echo "ok: reference data read when due"
"$PG_BINDIR/psql" -qXAt -d postgres -c "DROP DATABASE $RUN_DB (FORCE)" >/dev/null
