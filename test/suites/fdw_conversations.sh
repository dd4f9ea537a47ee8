#!/usr/bin/env bash
# A day of gc.conversations and gc.segments, read through the FDW from
# gcsim, equals `gcsim truth` row for row, with both extraction methods;
# pushed-down filters give the same rows as local filtering; by-id reads,
# joins and LIMIT behave.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

SEED=11
PER_DAY=1500
NOW=2026-03-20T12:00:00Z
DAY=2026-03-18
NEXT=2026-03-19
T=$GCA_BUILD/tmp/fdw_conversations
mkdir -p "$T"
chmod 777 "$T"

start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW
gcsim_truth "$T" $DAY $NEXT --seed $SEED --conversations-per-day $PER_DAY --now $NOW

sql "DROP SCHEMA IF EXISTS fc CASCADE; DROP SERVER IF EXISTS fc_gc CASCADE;"
genesys_server fc_gc "$GCSIM_URL" fc fc-secret "max_concurrency '3'" "requests_per_minute '100000'"
sql "CREATE SCHEMA fc;
     IMPORT FOREIGN SCHEMA analytics FROM SERVER fc_gc INTO fc;
     ALTER FOREIGN TABLE fc.conversations OPTIONS (ADD extraction 'query');
     CREATE FOREIGN TABLE fc.conversations_job (
         conversation_id text, conversation_start timestamptz, conversation_end timestamptz,
         media_type text, originating_direction text, queue_id text, agent_id text, wrapup_code text,
         ani text, talk_ms bigint, held_ms bigint, acw_ms bigint, handle_ms bigint, acd_ms bigint,
         ivr_ms bigint, alert_ms bigint, transfers integer, abandoned boolean, n_evaluations integer,
         attributes jsonb, sf_account text OPTIONS (attribute 'sfAccountId'),
         escalated boolean OPTIONS (attribute 'escalated'))
       SERVER fc_gc OPTIONS (resource 'conversations', extraction 'job');"

load_csv fc_truth "$T/conversations.csv"
load_csv fc_truth_seg "$T/segments.csv"

RANGE="conversation_start >= '$DAY' AND conversation_start < '$NEXT'"
COLS="conversation_id, conversation_start::timestamptz, conversation_end::timestamptz, media_type,
      originating_direction, queue_id, agent_id, wrapup_code, ani, talk_ms::bigint, held_ms::bigint,
      acw_ms::bigint, handle_ms::bigint, acd_ms::bigint, ivr_ms::bigint, alert_ms::bigint,
      transfers::int, abandoned::boolean, n_evaluations::int"

n_truth=$(sql "SELECT count(*) FROM fc_truth")
[ "$n_truth" -gt 500 ] || fail "the truth has only $n_truth conversations"

# compare TABLE_EXPR with the truth both ways
compare_with_truth() { # what source
    local missing extra n
    n=$(sql "SELECT count(*) FROM ($2) s")
    missing=$(sql "SELECT count(*) FROM (SELECT $COLS FROM fc_truth EXCEPT SELECT $COLS FROM ($2) s) d")
    extra=$(sql "SELECT count(*) FROM (SELECT $COLS FROM ($2) s EXCEPT SELECT $COLS FROM fc_truth) d")
    if [ "$missing" != 0 ] || [ "$extra" != 0 ] || [ "$n" != "$n_truth" ]; then
        echo "$1: $n rows, truth $n_truth; $missing truth rows missing, $extra rows not in the truth"
        sql "SELECT 'truth', * FROM (SELECT $COLS FROM fc_truth EXCEPT SELECT $COLS FROM ($2) s LIMIT 3) d"
        sql "SELECT 'got', * FROM (SELECT $COLS FROM ($2) s EXCEPT SELECT $COLS FROM fc_truth LIMIT 3) d"
        fail "$1 differs from the truth"
    fi
    echo "ok: $1 equals the truth ($n conversations)"
}

# 1. the details query, paged
sql "CREATE TABLE fc_query AS SELECT * FROM fc.conversations WHERE $RANGE"
compare_with_truth "details query" "SELECT * FROM fc_query"
assert_eq 0 "$(sql "SELECT count(*) FROM fc_query WHERE attributes IS NOT NULL")" "the details query carries no attributes"

# 2. the details jobs (with attributes)
sql "CREATE TABLE fc_job AS SELECT * FROM fc.conversations_job WHERE $RANGE"
compare_with_truth "details job" "SELECT * FROM fc_job"
assert_eq 0 "$(sql "SELECT count(*) FROM fc_job j JOIN fc_truth t USING (conversation_id)
                    WHERE j.sf_account IS DISTINCT FROM nullif(t.account_id, '')")" \
    "the sfAccountId attribute of every conversation equals the truth's account"
assert_eq 0 "$(sql "SELECT count(*) FROM fc_job j JOIN fc_truth t USING (conversation_id)
                    WHERE j.escalated IS DISTINCT FROM t.escalated::boolean")" \
    "the escalated attribute equals the truth"
assert_eq 0 "$(sql "SELECT count(*) FROM fc_job WHERE sf_account IS DISTINCT FROM attributes->>'sfAccountId'")" \
    "attribute columns agree with the attributes jsonb"

# 3. segments agree with the truth's segments and with the conversations
SEGCOLS="conversation_id, participant_id, purpose, user_id, session_id, media_type, segment_type,
         segment_start::timestamptz, segment_end::timestamptz, queue_id, wrapup_code"
sql "CREATE TABLE fc_seg AS SELECT * FROM fc.segments WHERE $RANGE"
n_seg=$(sql "SELECT count(*) FROM fc_seg")
n_seg_truth=$(sql "SELECT count(*) FROM fc_truth_seg")
seg_diff=$(sql "SELECT count(*) FROM (
                  (SELECT $SEGCOLS FROM fc_truth_seg EXCEPT ALL SELECT $SEGCOLS FROM fc_seg)
                  UNION ALL
                  (SELECT $SEGCOLS FROM fc_seg EXCEPT ALL SELECT $SEGCOLS FROM fc_truth_seg)) d")
assert_eq "$n_seg_truth 0" "$n_seg $seg_diff" "gc.segments equals the truth's segments"
assert_eq 0 "$(sql "SELECT count(*) FROM fc_seg s WHERE NOT EXISTS (SELECT 1 FROM fc_query c WHERE c.conversation_id = s.conversation_id AND c.conversation_start = s.conversation_start)")" \
    "every segment belongs to a conversation of the same scan"
assert_eq 0 "$(sql "SELECT count(*) FROM fc_seg WHERE duration_ms IS DISTINCT FROM (extract(epoch FROM segment_end - segment_start) * 1000)::bigint")" \
    "segment duration_ms is end - start"

# 4. pushdown gives what local filtering gives
push_check() { # what pushed_condition local_condition
    local pushed local
    pushed=$(sql "SELECT coalesce(string_agg(conversation_id, ',' ORDER BY conversation_id), '') FROM fc.conversations WHERE $RANGE AND $2")
    local=$(sql "SELECT coalesce(string_agg(conversation_id, ',' ORDER BY conversation_id), '') FROM fc_query WHERE $3")
    [ -n "$local" ] || fail "$1: the local filter matches nothing, the check proves nothing"
    assert_eq "$local" "$pushed" "pushdown of $1 returns the same rows as local filtering"
}
Q1=$(sql "SELECT queue_id FROM fc_query WHERE queue_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
Q2=$(sql "SELECT queue_id FROM fc_query WHERE queue_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 OFFSET 1 LIMIT 1")
A1=$(sql "SELECT agent_id FROM fc_query WHERE agent_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
W1=$(sql "SELECT wrapup_code FROM fc_query WHERE wrapup_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
ANI=$(sql "SELECT ani FROM fc_query WHERE ani IS NOT NULL ORDER BY conversation_id LIMIT 1")
DNIS=$(sql "SELECT dnis FROM fc_query WHERE dnis IS NOT NULL ORDER BY conversation_id LIMIT 1")
DIV=$(sql "SELECT division_ids[1] FROM fc_query WHERE division_ids IS NOT NULL AND cardinality(division_ids) > 0 ORDER BY conversation_id LIMIT 1")
push_check "queue_id =" "queue_id = '$Q1'" "queue_id = '$Q1'"
push_check "queue_id IN" "queue_id IN ('$Q1', '$Q2')" "queue_id IN ('$Q1', '$Q2')"
push_check "agent_id =" "agent_id = '$A1'" "agent_id = '$A1'"
push_check "media_type =" "media_type = 'voice'" "media_type = 'voice'"
push_check "media_type IN" "media_type IN ('chat', 'email')" "media_type IN ('chat', 'email')"
push_check "wrapup_code =" "wrapup_code = '$W1'" "wrapup_code = '$W1'"
push_check "ani =" "ani = '$ANI'" "ani = '$ANI'"
push_check "dnis =" "dnis = '$DNIS'" "dnis = '$DNIS'"
push_check "originating_direction =" "originating_direction = 'inbound'" "originating_direction = 'inbound'"
push_check "division_ids" "'$DIV' = ANY (division_ids)" "'$DIV' = ANY (division_ids)"
push_check "conversation_end IS NOT NULL" "conversation_end IS NOT NULL AND queue_id = '$Q1'" "conversation_end IS NOT NULL AND queue_id = '$Q1'"
push_check "queue and media together" "queue_id = '$Q1' AND media_type = 'voice'" "queue_id = '$Q1' AND media_type = 'voice'"
push_check "a narrow > / <= range" \
    "conversation_start > '$DAY 09:00+00' AND conversation_start <= '$DAY 10:30+00'" \
    "conversation_start > '$DAY 09:00+00' AND conversation_start <= '$DAY 10:30+00'"
# under a case-insensitive collation "=" matches what the API's exact
# match would not: such a condition must stay local, never be sent
sql "DROP COLLATION IF EXISTS fc_ci; CREATE COLLATION fc_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)"
Q1U=$(echo "$Q1" | tr 'a-z' 'A-Z')
[ "$Q1U" != "$Q1" ] || fail "the queue id has no lower-case letter: the collation check proves nothing"
push_check "queue_id = under a case-insensitive collation" "queue_id = '$Q1U' COLLATE fc_ci" "queue_id = '$Q1'"
seg_push=$(sql "SELECT count(*) FROM fc.segments WHERE $RANGE AND segment_type = 'hold' AND purpose = 'agent'")
seg_local=$(sql "SELECT count(*) FROM fc_seg WHERE segment_type = 'hold' AND purpose = 'agent'")
assert_eq "$seg_local" "$seg_push" "segment pushdown returns the same rows as local filtering"

# 5. by id, join on ids, and LIMIT
IDS=$(sql "SELECT string_agg(quote_literal(conversation_id), ',') FROM (SELECT conversation_id FROM fc_truth ORDER BY conversation_id LIMIT 7) s")
got=$(sql "SELECT count(*) FROM (SELECT $COLS FROM fc.conversations WHERE conversation_id IN ($IDS)
                                  INTERSECT SELECT $COLS FROM fc_truth) s")
assert_eq 7 "$got" "conversations read by id equal the truth"
got=$(sql "SELECT count(*) FROM (SELECT conversation_id FROM fc_truth ORDER BY conversation_id DESC LIMIT 5) w
           JOIN fc.conversations c USING (conversation_id)")
assert_eq 5 "$got" "a join on conversation_id reads each outer id"
plan=$(sql "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT conversation_id FROM fc.conversations WHERE $RANGE LIMIT 10")
requests=$(echo "$plan" | sed -n 's/.*Remote Requests: \([0-9]*\).*/\1/p')
[ -n "$requests" ] && [ "$requests" -le 4 ] || { echo "$plan"; fail "LIMIT 10 should stop paging after a few requests, sent $requests"; }
echo "ok: LIMIT 10 sent $requests requests"

# 6. secrets: a scan and a failing scan at log_min_messages = debug5 leave
#    neither the secret nor a token in the server log
log=$GCA_BUILD/logs/postgres.log
before=$(wc -l <"$log")
# the first dot-separated part of a gcsim token, common to all its tokens
token=$(curl -s -XPOST -u fc:fc-secret -d grant_type=client_credentials "$GCSIM_URL/oauth/token" | sed 's/.*"access_token":"\([^".]*\).*/\1/')
"$PG_BINDIR/psql" -qXAt >/dev/null 2>&1 <<SQL || true
SET log_min_messages = debug5;
SET client_min_messages = debug5;
SELECT count(*) FROM fc.conversations WHERE conversation_start >= '$DAY' AND conversation_start < '$DAY 01:00';
EXPLAIN (ANALYZE, VERBOSE) SELECT count(*) FROM fc.conversations_job WHERE conversation_start >= '$DAY' AND conversation_start < '$DAY 01:00';
SQL
new_lines=$(tail -n +"$((before + 1))" "$log")
n_debug=$(echo "$new_lines" | grep -c 'DEBUG' || true)
[ "$n_debug" -gt 10 ] || fail "debug5 logging did not reach the log ($n_debug lines): the check proves nothing"
if echo "$new_lines" | contains -e 'fc-secret' -e 'Bearer' -e "$token"; then
    echo "$new_lines" | grep -e 'fc-secret' -e 'Bearer' -e "$token" | head -5
    fail "a secret or token reached the server log"
fi
echo "ok: $n_debug debug lines, no secret, no token, no Authorization header in the log"

sql "DROP COLLATION fc_ci; DROP SCHEMA fc CASCADE; DROP SERVER fc_gc CASCADE; DROP TABLE fc_truth, fc_truth_seg, fc_query, fc_job, fc_seg"
