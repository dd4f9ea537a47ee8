#!/usr/bin/env bash
# gc.evaluations, gc.conversation_aggregates, gc.queues, gc.users and
# gc.wrapup_codes read through the FDW from gcsim: a simulated week of
# evaluations equals `gcsim truth` (scores, calibrations, status, answers),
# pushed-down conditions give what local filtering gives, vanished
# evaluations (404) are skipped with one NOTICE, faults during the
# listings and GETs lose nothing; evaluations come in pages of the Quality
# API's listing, one page per evaluator; daily per-queue aggregates equal the
# truth and the conversations' own metrics grouped in SQL; listings come
# whole through a server page cap; joins name queues and wrap-up codes with
# one listing request per scan; IMPORT FOREIGN SCHEMA honours LIMIT TO and
# EXCEPT.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

SEED=5
PER_DAY=600
NOW=2026-04-20T12:00:00Z
D1=2026-04-13
D2=2026-04-20
T=$GCA_BUILD/tmp/fdw_genesys_resources
mkdir -p "$T"
chmod 777 "$T"
SIM="--seed $SEED --conversations-per-day $PER_DAY --now $NOW"

# shellcheck disable=SC2086
start_gcsim $SIM
PLAIN_URL=$GCSIM_URL
# shellcheck disable=SC2086
gcsim_truth "$T" $D1 $D2 $SIM
load_csv gr_truth_eval "$T/evaluations.csv"
load_csv gr_truth_daily "$T/queue_daily.csv"
load_csv gr_truth_conv "$T/conversations.csv"
load_csv gr_truth_seg "$T/segments.csv"

# server NAME URL [extra options]: a Genesys server with a user mapping
server() {
    genesys_server "$1" "$2" gr gr-secret-value "max_concurrency '4'" "requests_per_minute '100000'" ${3:+"$3"}
}
sql "DROP SCHEMA IF EXISTS gr CASCADE; CREATE SCHEMA gr;"
server gr_gc "$PLAIN_URL"

# 1. IMPORT FOREIGN SCHEMA: every resource, LIMIT TO, EXCEPT
sql "IMPORT FOREIGN SCHEMA analytics FROM SERVER gr_gc INTO gr"
assert_eq "adherence,conversation_aggregates,conversations,evaluations,queues,segments,users,wrapup_codes" \
    "$(sql "SELECT string_agg(foreign_table_name::text, ',' ORDER BY foreign_table_name::text) FROM information_schema.foreign_tables WHERE foreign_table_schema = 'gr'")" \
    "IMPORT FOREIGN SCHEMA creates every Genesys resource"
sql "DROP SCHEMA IF EXISTS gr_lim CASCADE; CREATE SCHEMA gr_lim;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (queues, evaluations) FROM SERVER gr_gc INTO gr_lim;
     DROP SCHEMA IF EXISTS gr_exc CASCADE; CREATE SCHEMA gr_exc;
     IMPORT FOREIGN SCHEMA analytics EXCEPT (conversations, segments, users) FROM SERVER gr_gc INTO gr_exc;"
assert_eq "evaluations,queues" \
    "$(sql "SELECT string_agg(foreign_table_name::text, ',' ORDER BY foreign_table_name::text) FROM information_schema.foreign_tables WHERE foreign_table_schema = 'gr_lim'")" \
    "LIMIT TO imports only the listed resources"
assert_eq "adherence,conversation_aggregates,evaluations,queues,wrapup_codes" \
    "$(sql "SELECT string_agg(foreign_table_name::text, ',' ORDER BY foreign_table_name::text) FROM information_schema.foreign_tables WHERE foreign_table_schema = 'gr_exc'")" \
    "EXCEPT imports every other resource"

# 2. a week of evaluations equals the truth
WEEK="conversation_start >= '$D1' AND conversation_start < '$D2'"
ECOLS="evaluation_id, conversation_id, agent_id, evaluator_id, form_id,
       round(total_score::numeric, 2) AS total_score, is_calibration::boolean, calibration_id, status"
n_truth=$(sql "SELECT count(*) FROM gr_truth_eval")
[ "$n_truth" -gt 100 ] || fail "the truth has only $n_truth evaluations"
[ "$(sql "SELECT count(*) FROM gr_truth_eval WHERE is_calibration::boolean")" -gt 0 ] || fail "the truth has no calibration"
[ "$(sql "SELECT count(DISTINCT status) FROM gr_truth_eval")" -gt 1 ] || fail "the truth has one status only"

compare_evaluations() { # what table
    local n diff
    n=$(sql "SELECT count(*) FROM $2")
    diff=$(sql "SELECT count(*) FROM (
                  (SELECT $ECOLS FROM gr_truth_eval EXCEPT ALL SELECT $ECOLS FROM $2)
                  UNION ALL
                  (SELECT $ECOLS FROM $2 EXCEPT ALL SELECT $ECOLS FROM gr_truth_eval)) d")
    if [ "$diff" != 0 ] || [ "$n" != "$n_truth" ]; then
        sql "SELECT 'truth', * FROM (SELECT $ECOLS FROM gr_truth_eval EXCEPT ALL SELECT $ECOLS FROM $2 LIMIT 3) d"
        sql "SELECT 'got', * FROM (SELECT $ECOLS FROM $2 EXCEPT ALL SELECT $ECOLS FROM gr_truth_eval LIMIT 3) d"
        fail "$1: $n evaluations, truth $n_truth, $diff rows differ"
    fi
    echo "ok: $1 equals the truth ($n evaluations)"
}
sql "CREATE TABLE gr_eval AS SELECT * FROM gr.evaluations WHERE $WEEK"
compare_evaluations "gc.evaluations of a week" gr_eval
assert_eq 0 "$(sql "SELECT count(*) FROM gr_eval e JOIN gr_truth_conv c USING (conversation_id)
                    WHERE e.conversation_start <> c.conversation_start::timestamptz")" \
    "conversation_start is the evaluated conversation's"
assert_eq 0 "$(sql "SELECT count(*) FROM gr_eval WHERE is_calibration <> (calibration_id IS NOT NULL)")" \
    "is_calibration means a calibration"
# answers: each group's totalScore is its question scores out of 5 each,
# recomputed here from the raw answers; the set's totalScore is the row's
assert_eq 0 "$(sql "SELECT count(*) FROM gr_eval WHERE (answers->>'totalScore')::float8 <> total_score
                       OR jsonb_array_length(answers->'questionGroupScores') <> 3")" \
    "answers carry the scoring set of the row"
assert_eq 0 "$(sql "SELECT count(*) FROM gr_eval e, jsonb_array_elements(e.answers->'questionGroupScores') g
                    WHERE round((g->>'totalScore')::numeric, 2) <> round((SELECT sum((q->>'score')::int) * 100.0 / (5 * count(*))
                                                       FROM jsonb_array_elements(g->'questionScores') q), 2)")" \
    "every question group's score equals its question scores recomputed"
ROUNDED=$(sql "SELECT count(*) FROM gr_eval WHERE total_score <> round(total_score)")
[ "$ROUNDED" -gt 0 ] || fail "no fractional score: the scores may be the details record's rounded ints"
echo "ok: scores are the Quality API's floats ($ROUNDED fractional)"

# 3. pushdown gives what local filtering gives, and is sent
push_check() { # what condition
    local pushed local
    pushed=$(sql "SELECT coalesce(string_agg(evaluation_id, ',' ORDER BY evaluation_id), '') FROM gr.evaluations WHERE $WEEK AND $2")
    local=$(sql "SELECT coalesce(string_agg(evaluation_id, ',' ORDER BY evaluation_id), '') FROM gr_eval WHERE $2")
    [ -n "$local" ] || fail "$1: the local filter matches nothing, the check proves nothing"
    assert_eq "$local" "$pushed" "pushdown of $1 returns the same evaluations as local filtering"
}
AG=$(sql "SELECT agent_id FROM gr_eval GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
EV=$(sql "SELECT evaluator_id FROM gr_eval GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
FORM=$(sql "SELECT form_id FROM gr_eval GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
CAL=$(sql "SELECT calibration_id FROM gr_eval WHERE calibration_id IS NOT NULL ORDER BY 1 LIMIT 1")
CONV=$(sql "SELECT conversation_id FROM gr_eval ORDER BY 1 LIMIT 1")
push_check "status =" "status = 'FINISHED'"
push_check "status IN" "status IN ('INREVIEW', 'PENDING', 'INPROGRESS')"
push_check "agent_id =" "agent_id = '$AG'"
push_check "evaluator_id =" "evaluator_id = '$EV'"
push_check "form_id =" "form_id = '$FORM'"
push_check "form_name =" "form_name = 'Digital QA'"
push_check "calibration_id =" "calibration_id = '$CAL'"
push_check "conversation_id =" "conversation_id = '$CONV'"
push_check "agent and status" "agent_id = '$AG' AND status = 'FINISHED'"
explain_requests() { # query -> the Remote Requests of EXPLAIN ANALYZE
    sql "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) $1" | sed -n 's/.*Remote Requests: //p' | head -n 1
}
# each day: its pages of 100 conversations, the last short of 100 and so the
# last (no page past it is asked for), or an empty one past a full last page
# or for a day without any;
# then per evaluator of the rows: one listing page (pageSize 100: every
# evaluator has fewer in the truth's two weeks) when they have two or more,
# else one GET
[ "$(sql "SELECT max(n) FROM (SELECT count(*) n FROM gr_truth_eval GROUP BY evaluator_id) e")" -lt 100 ] ||
    fail "an evaluator's listing would take more than one page: the counts below assume one"
requests_of() { # condition -> details pages + listing pages + GETs
    sql "SELECT 7 + (SELECT coalesce(sum(CASE WHEN n % 100 = 0 THEN n / 100 ELSE ceil(n / 100.0)::int - 1 END), 0)
                       FROM (SELECT count(DISTINCT conversation_id) n FROM gr_eval WHERE $1
                              GROUP BY (conversation_start AT TIME ZONE 'UTC')::date) d)
              + (SELECT coalesce(sum(CASE WHEN n >= 2 THEN 1 ELSE n END), 0)
                   FROM (SELECT count(*) n FROM gr_eval WHERE $1 GROUP BY evaluator_id) e)"
}
assert_eq "$(requests_of "agent_id = '$AG'")" "$(explain_requests "SELECT * FROM gr.evaluations WHERE $WEEK AND agent_id = '$AG'")" \
    "agent_id is sent: details pages of that agent's days, then a listing page per evaluator (a GET for an evaluator's only one)"
assert_eq "$(requests_of true)" "$(explain_requests "SELECT * FROM gr.evaluations WHERE $WEEK")" \
    "a week: the details pages of each day (none past a short last page) and a listing page per evaluator, not $n_truth GETs"
sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM gr.evaluations WHERE $WEEK AND status = 'FINISHED'" >"$T/explain_status"
grep -q '"dimension":"evaluationStatus","operator":"matches","value":"Finished"' "$T/explain_status" ||
    { cat "$T/explain_status"; fail "status is sent as the analytics evaluationStatus"; }
echo "ok: EXPLAIN shows status sent as evaluationStatus Finished"
assert_eq 0 "$(sql "SELECT count(*) FROM gr.evaluations WHERE $WEEK AND status = 'finished'")" \
    "an unknown status is not sent and matches nothing locally"

# 4. vanished evaluations (gcsim --fault-eval-404): skipped, one NOTICE
# naming how many; exactly the truth's evaluations_gone.csv are missing
# shellcheck disable=SC2086
gcsim_truth "$T/gone" $D1 $D2 $SIM --fault-eval-404 0.15
load_csv gr_truth_gone "$T/gone/evaluations_gone.csv"
n_vanish=$(sql "SELECT count(*) FROM gr_truth_gone")
[ "$n_vanish" -gt 1 ] || fail "too few evaluations vanish ($n_vanish)"
# shellcheck disable=SC2086
start_gcsim $SIM --fault-eval-404 0.15
server gr_gone "$GCSIM_URL"
sql "DROP SCHEMA IF EXISTS gr_gone CASCADE; CREATE SCHEMA gr_gone;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (evaluations) FROM SERVER gr_gone INTO gr_gone;"
out=$("$PG_BINDIR/psql" -qXAt -v ON_ERROR_STOP=1 -c "CREATE TABLE gr_eval_gone AS SELECT * FROM gr_gone.evaluations WHERE $WEEK" 2>&1)
assert_eq "1 NOTICE:  $n_vanish evaluations of foreign table \"evaluations\" were not found" \
    "$(grep -c '^NOTICE' <<<"$out") $(grep '^NOTICE' <<<"$out")" \
    "vanished evaluations are skipped with one NOTICE naming how many"
assert_eq "$((n_truth - n_vanish)) 0" "$(sql "SELECT count(*) FROM gr_eval_gone") $(sql "SELECT count(*) FROM (
        (SELECT $ECOLS FROM gr_truth_eval WHERE evaluation_id NOT IN (SELECT evaluation_id FROM gr_truth_gone)
         EXCEPT ALL SELECT $ECOLS FROM gr_eval_gone)
        UNION ALL (SELECT $ECOLS FROM gr_eval_gone EXCEPT ALL SELECT $ECOLS FROM gr_truth_eval)) d")" \
    "exactly the vanished evaluations are missing, the others equal the truth"
assert_eq 0 "$(sql "SELECT count(*) FROM gr_eval_gone WHERE evaluation_id IN (SELECT evaluation_id FROM gr_truth_gone)")" \
    "no vanished evaluation is returned"

# 4b. a details page that comes back empty once is read again; one that
# stays empty fails the scan naming the window
# shellcheck disable=SC2086
start_gcsim $SIM --fault-empty-page 1 --fault-page-once
server gr_once "$GCSIM_URL"
sql "DROP SCHEMA IF EXISTS gr_once CASCADE; CREATE SCHEMA gr_once;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (evaluations) FROM SERVER gr_once INTO gr_once;
     CREATE TABLE gr_eval_once AS SELECT * FROM gr_once.evaluations WHERE $WEEK"
compare_evaluations "gc.evaluations with every first details page empty once" gr_eval_once
# shellcheck disable=SC2086
start_gcsim $SIM --fault-empty-page 1
server gr_short "$GCSIM_URL"
sql "DROP SCHEMA IF EXISTS gr_short CASCADE; CREATE SCHEMA gr_short;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (evaluations) FROM SERVER gr_short INTO gr_short;"
if out=$(sql "SELECT count(*) FROM gr_short.evaluations WHERE conversation_start >= '$D1' AND conversation_start < '$D1'::date + 1" 2>&1); then
    fail "a details page that stays empty gave a result ($out)"
fi
grep -q "came back short for the window ${D1}T00:00:00.000Z/" <<<"$out" ||
    fail "expected the short-read error naming the window, got: $out"
echo "ok: a details page that stays empty fails the scan: $(head -n 1 <<<"$out")"

# 5. listings through a server page cap (7) smaller than the page asked (100)
# and in pages of 5 asked: every row, once; ids of the truth are all there
# shellcheck disable=SC2086
start_gcsim $SIM --listing-page-cap 7
server gr_cap "$GCSIM_URL"
sql "DROP SCHEMA IF EXISTS gr_cap CASCADE; CREATE SCHEMA gr_cap;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (queues, users, wrapup_codes) FROM SERVER gr_cap INTO gr_cap;"
for opt in "" "page_size '5'"; do
    [ -n "$opt" ] && sql "ALTER SERVER gr_cap OPTIONS (ADD $opt)"
    for t in queues users wrapup_codes; do
        assert_eq "$(sql "SELECT count(*), count(DISTINCT id) FROM gr.$t")" \
            "$(sql "SELECT count(*), count(DISTINCT id) FROM gr_cap.$t")" \
            "gc.$t through a page cap of 7${opt:+ and $opt} returns every row once"
    done
done
assert_eq "$(( ($(sql "SELECT count(*) FROM gr.users") + 4) / 5 ))" \
    "$(explain_requests "SELECT * FROM gr_cap.users")" "gc.users in pages of 5: one request per page"
sql "ALTER SERVER gr_cap OPTIONS (DROP page_size)"
assert_eq "$(( ($(sql "SELECT count(*) FROM gr.users") + 6) / 7 ))" \
    "$(explain_requests "SELECT * FROM gr_cap.users")" "gc.users through the cap of 7: one request per capped page"
# the listing pages as gcsim serves them, read with python: the independent count
listing_total() {
    python3 - "$PLAIN_URL" "$1" <<'PY'
import base64, json, sys, urllib.request
base, path = sys.argv[1], sys.argv[2]
tok = urllib.request.Request(base + "/oauth/token", data=b"grant_type=client_credentials",
                             headers={"Authorization": "Basic " + base64.b64encode(b"x:y").decode()})
token = json.load(urllib.request.urlopen(tok))["access_token"]
ids = set()
page = 1
while True:
    req = urllib.request.Request("%s%s?pageSize=100&pageNumber=%d%s" % (base, path, page, "&state=any" if path.endswith("users") else ""),
                                 headers={"Authorization": "Bearer " + token})
    d = json.load(urllib.request.urlopen(req))
    ids.update(e["id"] for e in d["entities"])
    if page >= d["pageCount"]:
        break
    page += 1
print(len(ids))
PY
}
assert_eq "$(listing_total /api/v2/routing/queues) 14" "$(sql "SELECT count(*) FROM gr_cap.queues") $(sql "SELECT count(*) FROM gr_cap.queues")" \
    "gc.queues has the 14 queues gcsim lists"
assert_eq "$(listing_total /api/v2/users)" "$(sql "SELECT count(*) FROM gr_cap.users")" "gc.users has every user, inactive ones too"
assert_eq "$(listing_total /api/v2/routing/wrapupcodes)" "$(sql "SELECT count(*) FROM gr_cap.wrapup_codes")" "gc.wrapup_codes has every code"
assert_eq 0 "$(sql "SELECT count(*) FROM (SELECT queue_id FROM gr_truth_seg WHERE queue_id IS NOT NULL
                                          EXCEPT SELECT id FROM gr_cap.queues) d")" \
    "every queue of the truth's segments is in gc.queues"
assert_eq 0 "$(sql "SELECT count(*) FROM (SELECT agent_id FROM gr_truth_eval UNION SELECT evaluator_id FROM gr_truth_eval
                                          EXCEPT SELECT id FROM gr_cap.users) d")" \
    "every agent and evaluator of the truth is in gc.users"
assert_eq 0 "$(sql "SELECT count(*) FROM (SELECT wrapup_code FROM gr_truth_conv WHERE wrapup_code IS NOT NULL AND wrapup_code <> 'ININ-WRAP-UP-TIMEOUT'
                                          EXCEPT SELECT id FROM gr_cap.wrapup_codes) d")" \
    "every wrap-up code of the truth is in gc.wrapup_codes"
assert_eq "3|0" "$(sql "SELECT count(*), count(*) FILTER (WHERE state <> 'inactive') FROM gr.users WHERE state = 'inactive'")" \
    "state = 'inactive' is sent and gives the 3 inactive agents"
Q=$(sql "SELECT id FROM gr.queues ORDER BY name LIMIT 1")
Q2=$(sql "SELECT id FROM gr.queues ORDER BY name OFFSET 3 LIMIT 1")
assert_eq "$(sql "SELECT name FROM gr.queues WHERE id = '$Q'") 1" \
    "$(sql "SELECT name FROM gr.queues WHERE id = '$Q'") $(explain_requests "SELECT * FROM gr.queues WHERE id = '$Q'")" \
    "id = x is one request for that id"
assert_eq "2 2" "$(sql "SELECT count(*) FROM gr.queues WHERE id IN ('$Q', '$Q2')") $(explain_requests "SELECT * FROM gr.queues WHERE id IN ('$Q', '$Q2')")" \
    "id IN (a, b) asks for each id"

# 6. joins: names from the listings, each listing requested once
DAY="conversation_start >= '$D1' AND conversation_start < '$D1'::date + 1"
JOIN="SELECT c.conversation_id, q.name AS queue_name, w.name AS wrapup_name
      FROM gr.conversations c JOIN gr.queues q ON q.id = c.queue_id
      LEFT JOIN gr.wrapup_codes w ON w.id = c.wrapup_code WHERE c.$DAY"
sql "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) $JOIN" >"$T/explain_join"
for t in queues wrapup_codes; do
    assert_eq "1 loops=1" "$(grep -A12 "Foreign Scan on gr.$t" "$T/explain_join" | sed -n 's/.*Remote Requests: //p' | head -n 1) $(grep -o "Foreign Scan on gr.$t .*loops=[0-9]*" "$T/explain_join" | grep -o 'loops=[0-9]*')" \
        "the join requests gc.$t once (EXPLAIN ANALYZE)" || { cat "$T/explain_join"; exit 1; }
done
assert_eq 0 "$(sql "SELECT count(*) FROM ($JOIN) j JOIN gr_truth_conv t USING (conversation_id)
                    WHERE j.queue_name IS NULL OR (t.wrapup_code IS NOT NULL AND t.wrapup_code <> 'ININ-WRAP-UP-TIMEOUT' AND j.wrapup_name IS NULL)")" \
    "every conversation of the join gets its queue and wrap-up names"
assert_eq "$(sql "SELECT count(*) FROM gr_truth_conv WHERE queue_id IS NOT NULL AND conversation_start::timestamptz < '$D1'::date + 1")" \
    "$(sql "SELECT count(*) FROM ($JOIN) j")" "the join keeps every queued conversation of the day"

# 7. daily per-queue aggregates equal the truth
AGG="SELECT interval_start::date AS date, queue_id, media_type,
            max(count) FILTER (WHERE metric = 'nOffered') AS n_offered,
            coalesce(max(count) FILTER (WHERE metric = 'tAbandon'), 0) AS n_abandoned,
            coalesce(max(sum) FILTER (WHERE metric = 'tHandle'), 0)::bigint AS t_handle_sum,
            coalesce(max(count) FILTER (WHERE metric = 'tHandle'), 0) AS t_handle_count,
            coalesce(max(sum) FILTER (WHERE metric = 'tTalk'), 0)::bigint AS t_talk_sum,
            coalesce(max(sum) FILTER (WHERE metric = 'tAcd'), 0)::bigint AS t_acd_sum
     FROM gr.conversation_aggregates
     WHERE interval_start >= '$D1' AND interval_start < '$D2' AND granularity = 'P1D'
       AND metric IN ('nOffered', 'tAbandon', 'tHandle', 'tTalk', 'tAcd')
     GROUP BY 1, 2, 3"
DCOLS="date::date, queue_id, media_type, coalesce(n_offered::bigint, 0), n_abandoned::bigint, t_handle_sum::bigint,
       t_handle_count::bigint, t_talk_sum::bigint, t_acd_sum::bigint"
sql "CREATE TABLE gr_daily AS $AGG"
n_daily=$(sql "SELECT count(*) FROM gr_truth_daily")
assert_eq "$n_daily 0" "$(sql "SELECT count(*) FROM gr_daily") $(sql "SELECT count(*) FROM (
        (SELECT $DCOLS FROM gr_truth_daily EXCEPT ALL SELECT $DCOLS FROM gr_daily)
        UNION ALL (SELECT $DCOLS FROM gr_daily EXCEPT ALL SELECT $DCOLS FROM gr_truth_daily)) d")" \
    "daily per-queue aggregates of a week equal the truth's queue_daily"
sql "EXPLAIN (VERBOSE, COSTS OFF) $AGG" >"$T/explain_agg"
grep -q '"groupBy":\["queueId","mediaType"\]' "$T/explain_agg" && grep -q '"granularity":"P1D"' "$T/explain_agg" &&
    grep -q '"metrics":\["nOffered","tAbandon","tHandle","tTalk","tAcd"\]' "$T/explain_agg" ||
    { cat "$T/explain_agg"; fail "the aggregates body groups by the referenced dimensions"; }
echo "ok: EXPLAIN shows groupBy of the referenced dimensions, granularity and metrics"
QV=$(sql "SELECT queue_id FROM gr_daily GROUP BY 1 ORDER BY sum(n_offered) DESC LIMIT 1")
assert_eq "$(sql "SELECT sum(n_offered) FROM gr_daily WHERE queue_id = '$QV' AND media_type = 'voice'")" \
    "$(sql "SELECT sum(count) FROM gr.conversation_aggregates WHERE interval_start >= '$D1' AND interval_start < '$D2'
            AND metric = 'nOffered' AND queue_id = '$QV' AND media_type = 'voice'")" \
    "a filter on queue and media type gives the same offers over the whole interval (one bucket)"

# ... and equal the conversations' own metrics grouped in SQL, by emit day
# and the session's queue (the check the warehouse will use)
sql "CREATE TABLE gr_conv AS SELECT conversation_id, participants FROM gr.conversations
     WHERE conversation_start >= '$D1'::date - 3 AND conversation_start < '$D2'"
sql "CREATE TABLE gr_from_conv AS
     WITH m AS (
       SELECT (mt->>'emitDate')::timestamptz AS at, mt->>'name' AS metric, (mt->>'value')::bigint AS value,
              coalesce(p->>'queueId', (SELECT sg->>'queueId' FROM jsonb_array_elements(s->'segments') WITH ORDINALITY g(sg, i)
                                       WHERE sg ? 'queueId' ORDER BY i LIMIT 1)) AS queue_id,
              s->>'mediaType' AS media_type
       FROM gr_conv c, jsonb_array_elements(c.participants) p, jsonb_array_elements(p->'sessions') s,
            jsonb_array_elements(s->'metrics') mt)
     SELECT (at AT TIME ZONE 'UTC')::date AS date, queue_id, media_type,
            count(*) FILTER (WHERE metric = 'nOffered') AS n_offered,
            count(*) FILTER (WHERE metric = 'tAbandon') AS n_abandoned,
            coalesce(sum(value) FILTER (WHERE metric = 'tHandle'), 0) AS t_handle_sum,
            count(*) FILTER (WHERE metric = 'tHandle') AS t_handle_count,
            coalesce(sum(value) FILTER (WHERE metric = 'tTalk'), 0) AS t_talk_sum,
            coalesce(sum(value) FILTER (WHERE metric = 'tAcd'), 0) AS t_acd_sum
     FROM m WHERE queue_id IS NOT NULL AND at >= '$D1' AND at < '$D2'
       AND metric IN ('nOffered', 'tAbandon', 'tHandle', 'tTalk', 'tAcd')
     GROUP BY 1, 2, 3"
assert_eq "$n_daily 0" "$(sql "SELECT count(*) FROM gr_from_conv") $(sql "SELECT count(*) FROM (
        (SELECT $DCOLS FROM gr_from_conv EXCEPT ALL SELECT $DCOLS FROM gr_daily)
        UNION ALL (SELECT $DCOLS FROM gr_daily EXCEPT ALL SELECT $DCOLS FROM gr_from_conv)) d")" \
    "daily per-queue aggregates equal gc.conversations' metrics grouped in SQL"

# use_remote_estimate: gc.conversations' row estimate is the aggregates'
# count of the range, which is the truth's (the default is 5000 a day)
est() { sql "EXPLAIN SELECT * FROM gr.conversations WHERE $1" | sed -n 's/.*Foreign Scan.* rows=\([0-9]*\).*/\1/p' | head -n 1; }
assert_eq 5000 "$(est "$DAY")" "without use_remote_estimate a day is estimated at 5000 conversations"
sql "ALTER FOREIGN TABLE gr.conversations OPTIONS (ADD use_remote_estimate 'true')"
assert_eq "$(sql "SELECT count(*) FROM gr_truth_conv WHERE conversation_start::timestamptz < '$D1'::date + 1")" \
    "$(est "$DAY")" "use_remote_estimate estimates a day of gc.conversations from the aggregates query"
assert_eq "$(sql "SELECT count(*) FROM gr_truth_conv")" "$(est "$WEEK")" \
    "use_remote_estimate estimates a week from the aggregates query"
# extraction 'auto' weighs its routes with the same count, and planning and
# route ask the aggregates query once between them
aggregates_asked() { curl -sf "$PLAIN_URL/sim/stats" | jq '.endpoints["gc.aggregates.query"].requests // 0'; }
before=$(aggregates_asked)
route=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT conversation_id FROM gr.conversations WHERE $WEEK" | sed -n 's/^ *Remote Route: //p')
assert_eq "for $(sql "SELECT count(*) FROM gr_truth_conv") conversations (the aggregates count) 1" \
    "$(grep -o 'for [0-9]* conversations ([a-z ]*)' <<<"$route") $(($(aggregates_asked) - before))" \
    "use_remote_estimate: auto weighs the routes by the aggregates count of the week, asked once for the statement"
sql "ALTER FOREIGN TABLE gr.conversations OPTIONS (DROP use_remote_estimate)"
route=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT conversation_id FROM gr.conversations WHERE $WEEK" | sed -n 's/^ *Remote Route: //p')
assert_eq "for 35000 conversations (5000 a day assumed)" "$(grep -o 'for [0-9]* conversations ([0-9a-z ]*)' <<<"$route")" \
    "without use_remote_estimate auto assumes 5000 conversations a day"

# 8. faults during the details pages, listings and GETs lose nothing (the
# week is about 25 requests now: a fault in four of them)
# shellcheck disable=SC2086
start_gcsim $SIM --fault-429 0.08 --fault-500 0.05 --fault-503 0.05 --fault-drop 0.03 --fault-truncate 0.03 --fault-401 0.03
server gr_fault "$GCSIM_URL" "max_retries '10'"
sql "DROP SCHEMA IF EXISTS gr_fault CASCADE; CREATE SCHEMA gr_fault;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (evaluations) FROM SERVER gr_fault INTO gr_fault;
     SET gcanalytics.retry_max_wait_ms = 2000;
     CREATE TABLE gr_eval_fault AS SELECT * FROM gr_fault.evaluations WHERE $WEEK"
compare_evaluations "gc.evaluations under 429, 5xx, drops, truncations and token expiry" gr_eval_fault
read -r quality faults < <(curl -s "$GCSIM_URL/sim/stats" | python3 -c "
import json, sys
e = json.load(sys.stdin)['endpoints']
n = lambda f: sum(v for k, v in f.items() if k != 'rate_limited')
print(sum(n(e.get(k, {}).get('faults', {})) for k in ('gc.quality.evaluation', 'gc.quality.evaluations.query')),
      sum(n(v.get('faults', {})) for v in e.values()))")
[ "$quality" -gt 0 ] && [ "$faults" -gt 5 ] || fail "only $faults faults, $quality of them on the Quality API"
echo "ok: $faults faults ($quality on the Quality API's listings and GETs), none lost an evaluation"

# 9. secrets are never shown
all=$(sql "EXPLAIN (ANALYZE, VERBOSE) SELECT * FROM gr.evaluations WHERE $WEEK AND agent_id = '$AG'"; \
      sql "EXPLAIN (VERBOSE) $AGG"; sql "EXPLAIN (ANALYZE, VERBOSE) SELECT * FROM gr.users")
if grep -q "gr-secret-value" <<<"$all"; then fail "the client secret shows in EXPLAIN"; fi
echo "ok: the client secret never shows in EXPLAIN"
