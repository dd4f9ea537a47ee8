#!/usr/bin/env bash
# Never a silent short result: a page that comes back empty, or without
# "conversations", in the middle of a read is read again and the result
# equals the truth; a page that stays short fails the scan naming the
# window.  Pages that shift while data arrives (a conversation repeated,
# another pushed past totalHits) still give each conversation once.  Both
# routes.  Conversations in progress name the agent on the call.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

SEED=17
PER_DAY=1200
NOW=2026-03-20T15:00:00Z
DAY=2026-03-19
NEXT=2026-03-20
T=$GCA_BUILD/tmp/fdw_short_reads
mkdir -p "$T"

gcsim_truth "$T" $DAY 2026-03-21 --seed $SEED --conversations-per-day $PER_DAY --now $NOW
load_csv sr_truth "$T/conversations.csv"
COLS="conversation_id, conversation_start::timestamptz, conversation_end::timestamptz, queue_id, agent_id, handle_ms::bigint"

make_server() { # name url
    genesys_server "$1" "$2" sr sr-secret "requests_per_minute '1000000'" "page_size '100'"
    sql "CREATE FOREIGN TABLE ${1}_q (conversation_id text, conversation_start timestamptz,
           conversation_end timestamptz, queue_id text, agent_id text, handle_ms bigint)
           SERVER $1 OPTIONS (resource 'conversations', extraction 'query');
         CREATE FOREIGN TABLE ${1}_j (conversation_id text, conversation_start timestamptz,
           conversation_end timestamptz, queue_id text, agent_id text, handle_ms bigint)
           SERVER $1 OPTIONS (resource 'conversations', extraction 'job');"
}

# equals TABLE FROM TO WHAT: the table's rows in [FROM, TO) equal the truth's
equals_truth() {
    local range="conversation_start >= '$2' AND conversation_start < '$3'"
    local n want diff
    want=$(sql "SELECT count(*) FROM sr_truth WHERE conversation_start::timestamptz >= '$2' AND conversation_start::timestamptz < '$3'")
    sql "DROP TABLE IF EXISTS sr_got; CREATE TABLE sr_got AS SELECT * FROM $1 WHERE $range"
    n=$(sql "SELECT count(*) FROM sr_got")
    diff=$(sql "SELECT count(*) FROM (
                  (SELECT $COLS FROM sr_truth WHERE conversation_start::timestamptz >= '$2' AND conversation_start::timestamptz < '$3'
                   EXCEPT ALL SELECT $COLS FROM sr_got)
                  UNION ALL
                  (SELECT $COLS FROM sr_got EXCEPT ALL
                   SELECT $COLS FROM sr_truth WHERE conversation_start::timestamptz >= '$2' AND conversation_start::timestamptz < '$3')) d")
    [ "$want" -gt 300 ] || fail "$4: the truth has only $want conversations, the check proves little"
    assert_eq "$want 0" "$n $diff" "$4: rows equal the truth ($want conversations)"
}

# fails_short TABLE WHAT: the scan fails with the short-read error
fails_short() {
    local out
    if out=$(sql "SELECT count(*) FROM $1 WHERE conversation_start >= '$DAY' AND conversation_start < '$NEXT'" 2>&1); then
        fail "$2: a page that stays short gave a result ($out)"
    fi
    # the details query reads the day as one window; jobs split it so that
    # several run at once
    echo "$out" | contains -E "came back short for the window 2026-03-19T[0-9:.]*Z/2026-03-(19|20)T[0-9:.]*Z" \
        || fail "$2: expected the short-read error naming the window, got: $out"
    printf 'ok: %s: %s\n' "$2" "$(echo "$out" | head -n 1)"
}

# 1. in progress: the agent on the call, as the truth names it
start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW
make_server sr_ok "$GCSIM_URL"
open=$(sql "SELECT count(*) FROM sr_truth WHERE conversation_end = '' OR conversation_end IS NULL")
[ "$open" -gt 0 ] || fail "the truth has no conversation in progress: the check proves nothing"
equals_truth sr_ok_q "$NEXT" "$NOW" "today, with $open conversations in progress"
assert_eq 0 "$(sql "SELECT count(*) FROM sr_got g JOIN sr_truth t USING (conversation_id)
                    WHERE g.conversation_end IS NULL AND g.agent_id IS DISTINCT FROM nullif(t.agent_id, '')")" \
    "conversations in progress name the same agent as the truth"
assert_eq 0 "$(sql "SELECT count(*) FROM sr_got WHERE conversation_end IS NULL AND agent_id IS NULL
                    AND conversation_id IN (SELECT conversation_id FROM sr_truth WHERE agent_id <> '')")" \
    "no conversation in progress with an agent has agent_id NULL"
stop_all_gcsim

# 2. a page empty or missing once: read again, exactly the truth
for fault in "--fault-empty-page 3" "--fault-missing-page 2"; do
    # shellcheck disable=SC2086
    start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW $fault --fault-page-once
    make_server sr_once "$GCSIM_URL"
    equals_truth sr_once_q "$DAY" "$NEXT" "details query, $fault once"
    equals_truth sr_once_j "$DAY" "$NEXT" "details job, $fault once"
    served=$(curl -s "$GCSIM_URL/sim/stats")
    echo "$served" | contains '"gc.details.query"' || fail "no details query was served"
    stop_all_gcsim
done

# 3. a page that stays short: an error naming the window, on both routes
start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW --fault-empty-page 3
make_server sr_bad "$GCSIM_URL"
fails_short sr_bad_q "details query, page 3 always empty"
fails_short sr_bad_j "details job, page 3 always empty"
stop_all_gcsim
start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW --fault-missing-page 4
make_server sr_bad "$GCSIM_URL"
fails_short sr_bad_q "details query, page 4 always without conversations"
stop_all_gcsim

# 4. shifting pages: a duplicate and one pushed past totalHits
start_gcsim --seed $SEED --conversations-per-day $PER_DAY --now $NOW --fault-shift-pages 2
make_server sr_shift "$GCSIM_URL"
equals_truth sr_shift_q "$DAY" "$NEXT" "details query, pages shifting after page 2"
assert_eq 0 "$(sql "SELECT count(*) - count(DISTINCT conversation_id) FROM sr_got")" "no conversation twice"
stop_all_gcsim

sql "DROP SERVER sr_ok CASCADE; DROP SERVER sr_once CASCADE; DROP SERVER sr_bad CASCADE;
     DROP SERVER sr_shift CASCADE; DROP TABLE sr_truth, sr_got"
