#!/usr/bin/env bash
# gcanalytics.timeline() and timeline_events() on a day of gcsim's
# conversation detail records equal `gcsim truth`:
#   - fetches the day through POST /api/v2/analytics/conversations/details/query
#     with curl (every page), loads the records into a jsonb table (COPY);
#   - loads the truth's conversations.csv and segments.csv;
#   - compares, EXCEPT both ways: per conversation talk_ms, held_ms
#     (customer_hold_ms), acw_ms, handle_ms, acd_ms (queue_wait_ms), ivr_ms,
#     alert_ms, transfers, queue_id (first_queue_id), agent_id (the agent
#     with the longest talk, from timeline_events); per segment the events;
#     last_agent_id against the truth's last agent talk segment;
#   - every record is valid (no anomaly).
# The day is cut by gcsim's "now" at 18:00, so conversations still in
# progress are part of it.
# The day is cut by gcsim's "now" (18:00), so conversations still in
# progress are part of it.
# Skips (exit 0) when gcsim is not built, or when its truth does not write
# conversations.csv yet.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

[ -n "${GCSIM:-}" ] && [ -x "$GCSIM" ] || fail "gcsim is not built"

SEED=${KPI_GCSIM_SEED:-7}
PER_DAY=${KPI_GCSIM_PER_DAY:-2000}
NOW=${KPI_GCSIM_NOW:-2026-03-19T18:00:00Z}
DAY=${KPI_GCSIM_DAY:-2026-03-19}
NEXT=${KPI_GCSIM_NEXT:-2026-03-20}
T=$GCA_BUILD/tmp/kpi_gcsim
mkdir -p "$T"
chmod 777 "$T"
rm -f "$T"/*.csv "$T"/records.jsonl

"$GCSIM" truth --seed "$SEED" --conversations-per-day "$PER_DAY" --now $NOW \
    --from $DAY --to $NEXT --out "$T" >/dev/null
[ -s "$T/conversations.csv" ] && [ -s "$T/segments.csv" ] || fail "gcsim truth wrote no conversations.csv or segments.csv"
chmod -R a+r "$T"

start_gcsim --seed "$SEED" --conversations-per-day "$PER_DAY" --now $NOW

# ---------------------------------------------------------------- fetch
token=$(curl -sf -u kpi:kpi-secret -d grant_type=client_credentials "$GCSIM_URL/oauth/token" \
    | jq -r .access_token)
[ -n "$token" ] && [ "$token" != null ] || fail "no token from gcsim"
page=1
while :; do
    body=$(printf '{"interval":"%sT00:00:00.000Z/%sT00:00:00.000Z","order":"asc","orderBy":"conversationStart","paging":{"pageSize":100,"pageNumber":%d}}' \
        $DAY $NEXT $page)
    curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "$body" "$GCSIM_URL/api/v2/analytics/conversations/details/query" >"$T/page.json" \
        || fail "details query page $page failed"
    # past the last page "conversations" is omitted
    n=$(jq '.conversations // [] | length' "$T/page.json")
    [ "$n" -gt 0 ] || break
    jq -c '.conversations[]' "$T/page.json" >>"$T/records.jsonl"
    page=$((page + 1))
    [ $page -lt 1000 ] || fail "more than 1000 pages"
done
chmod a+r "$T/records.jsonl"
echo "fetched $(wc -l <"$T/records.jsonl") records in $((page - 1)) pages"

# ----------------------------------------------------------------- load
sql "DROP SCHEMA IF EXISTS kpi_gcsim CASCADE; CREATE SCHEMA kpi_gcsim;
     CREATE TABLE kpi_gcsim.records (raw jsonb);"
# one JSON document per line; CSV mode with quote and delimiter bytes that
# never occur in JSON, so that backslashes stay as they are
sql "\\copy kpi_gcsim.records FROM '$T/records.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
load_csv kpi_gcsim.truth "$T/conversations.csv"
load_csv kpi_gcsim.truth_seg "$T/segments.csv"

# the truth covers conversations that started in [DAY, NEXT); dedupe by id
sql "CREATE TABLE kpi_gcsim.conv AS
       SELECT DISTINCT ON (raw->>'conversationId') raw->>'conversationId' AS conversation_id, raw
         FROM kpi_gcsim.records
        WHERE (raw->>'conversationStart')::timestamptz >= '$DAY' AND (raw->>'conversationStart')::timestamptz < '$NEXT'
        ORDER BY raw->>'conversationId';
     CREATE TABLE kpi_gcsim.tl AS
       SELECT conversation_id, raw->>'conversationEnd' IS NULL AS in_progress, t.*
         FROM kpi_gcsim.conv, gcanalytics.timeline(raw) t;
     CREATE TABLE kpi_gcsim.ev AS
       SELECT conversation_id, e.* FROM kpi_gcsim.conv, gcanalytics.timeline_events(raw) e;"

n_truth=$(sql "SELECT count(*) FROM kpi_gcsim.truth")
n_got=$(sql "SELECT count(*) FROM kpi_gcsim.tl")
n_open=$(sql "SELECT count(*) FROM kpi_gcsim.tl WHERE in_progress")
echo "truth: $n_truth conversations; timeline: $n_got ($n_open in progress)"
[ "$n_truth" -gt 100 ] || fail "the truth has only $n_truth conversations"
assert_eq "$n_truth" "$n_got" "one timeline per truth conversation"

failed=0
# compare NAME COLS TRUTH_QUERY GOT_QUERY
compare() {
    local missing extra
    missing=$(sql "SELECT count(*) FROM (($3) EXCEPT ($4)) d")
    extra=$(sql "SELECT count(*) FROM (($4) EXCEPT ($3)) d")
    if [ "$missing" = 0 ] && [ "$extra" = 0 ]; then
        echo "ok: $1"
        return
    fi
    failed=1
    echo "FAIL: $1: $missing truth rows not produced, $extra rows not in the truth; first differences:"
    sql "SELECT 'truth', d.* FROM (($3) EXCEPT ($4)) d ORDER BY 2 LIMIT 5"
    sql "SELECT 'got  ', d.* FROM (($4) EXCEPT ($3)) d ORDER BY 2 LIMIT 5"
}

compare "durations, transfers and first queue per conversation" "" \
    "SELECT conversation_id, talk_ms::bigint, held_ms::bigint, acw_ms::bigint, handle_ms::bigint,
            acd_ms::bigint, ivr_ms::bigint, alert_ms::bigint, transfers::int, queue_id
       FROM kpi_gcsim.truth" \
    "SELECT conversation_id, talk_ms, customer_hold_ms, acw_ms, handle_ms,
            queue_wait_ms, ivr_ms, alert_ms, transfers, first_queue_id
       FROM kpi_gcsim.tl"

# the truth's agent_id: the agent (user) with the most finished talk, ties
# to the one whose participant comes first
compare "agent with the longest talk (from timeline_events)" "" \
    "SELECT conversation_id, agent_id FROM kpi_gcsim.truth WHERE agent_id IS NOT NULL" \
    "WITH talk AS (SELECT conversation_id, user_id, sum(duration_ms) FILTER (WHERE kind = 'talk') AS talk
                     FROM kpi_gcsim.ev WHERE purpose = 'agent' GROUP BY 1, 2),
          agent AS (SELECT c.conversation_id, p->>'userId' AS user_id, min(i) AS first_participant
                      FROM kpi_gcsim.conv c, jsonb_array_elements(c.raw->'participants') WITH ORDINALITY x(p, i)
                     WHERE p->>'purpose' = 'agent' AND p->>'userId' IS NOT NULL GROUP BY 1, 2)
     SELECT DISTINCT ON (conversation_id) conversation_id, user_id
       FROM agent LEFT JOIN talk USING (conversation_id, user_id)
      ORDER BY conversation_id, coalesce(talk, 0) DESC, first_participant"

compare "last agent that talked" "" \
    "SELECT DISTINCT ON (conversation_id) conversation_id, user_id
       FROM kpi_gcsim.truth_seg WHERE purpose = 'agent' AND segment_type = 'interact'
      ORDER BY conversation_id, segment_start::timestamptz DESC, segment_end::timestamptz DESC NULLS LAST" \
    "SELECT conversation_id, last_agent_id FROM kpi_gcsim.tl WHERE last_agent_id IS NOT NULL"

compare "events against the truth's segments" "" \
    "SELECT conversation_id, purpose, user_id, segment_type, segment_start::timestamptz,
            segment_end::timestamptz, queue_id, media_type
       FROM kpi_gcsim.truth_seg" \
    "SELECT conversation_id, purpose, user_id, segment_type, segment_start, segment_end,
            queue_id, media_type
       FROM kpi_gcsim.ev"

n_invalid=$(sql "SELECT count(*) FROM kpi_gcsim.tl WHERE NOT valid")
if [ "$n_invalid" != 0 ]; then
    failed=1
    echo "FAIL: $n_invalid of gcsim's records are flagged; first anomalies:"
    sql "SELECT conversation_id, anomaly FROM kpi_gcsim.tl WHERE NOT valid ORDER BY 1 LIMIT 5"
else
    echo "ok: every record is valid (segments agree with the session metrics)"
fi

# the events are in timeline order: start never decreases with seq
n_unordered=$(sql "SELECT count(*) FROM (SELECT segment_start < lag(segment_start) OVER (PARTITION BY conversation_id ORDER BY seq) AS bad
                                           FROM kpi_gcsim.ev) x WHERE bad")
assert_eq 0 "$n_unordered" "events ordered by start"

sql "DROP SCHEMA kpi_gcsim CASCADE"
[ "$failed" = 0 ] || fail "timeline() differs from gcsim truth (seed $SEED, $PER_DAY conversations a day, $DAY)"
echo "timeline() equals gcsim truth on $n_truth conversations"
