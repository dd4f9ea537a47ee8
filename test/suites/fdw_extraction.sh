#!/usr/bin/env bash
# Extraction routes: job results hold data only up to dataAvailabilityDate,
# so a range ending at "now" read through jobs (explicitly, or by auto)
# takes the rest from the details query and equals the truth; auto picks
# the route by its estimated cost and EXPLAIN says why.
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
