#!/usr/bin/env bash
# Extraction routes: job results hold data only up to dataAvailabilityDate,
# so a range ending at "now" read through jobs (explicitly, or by auto)
# takes the rest from the details query and equals the truth; auto picks
# the route by its estimated cost and EXPLAIN says why; a rate-limited
# week costs at most 1.1x the requests of the cheapest correct plan.
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
[ "$(stat gc.jobs.availability)" -ge 2 ] || fail "the availability endpoint was not asked"
[ "$(stat gc.details.query)" -ge 2 ] || fail "the part after the availability date was not read with the details query"
echo "ok: availability asked $(stat gc.jobs.availability) times, $(stat gc.details.query) details query pages for the tail"

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
[ "$((sent * 10))" -le "$((cheapest * 11))" ] || fail "the week took $sent requests, more than 1.1x the cheapest $cheapest"
# no page spent on records another window owns: each job's last page only is partial
[ "$results" -le "$(( (want + 999) / 1000 + jobs - 1 ))" ] || fail "$results results pages for $want conversations in $jobs jobs"
[ "$n429" = 0 ] || fail "$n429 requests were answered 429"
echo "$plan" | contains -E "^about [0-9]+ for" || fail "EXPLAIN does not say the requests it expects: $plan"
echo "ok: a rate-limited week in $sent requests, $(awk -v a="$sent" -v b="$cheapest" 'BEGIN { printf "%.2f", a / b }')x the cheapest"
sql "DROP SERVER ex_rate CASCADE; DROP TABLE ex_week_truth, ex_got"
