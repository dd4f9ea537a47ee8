#!/usr/bin/env bash
# The warehouse load's per-conversation values in C (src/kpi/load_rows.c:
# _queue_entries, _agent_talk_ms, _bot_only, _self_service) against the SQL
# they replaced (test/helpers/load_rows_reference.sql, schema load_rows_ref):
#  1. every conversation of two gcsim worlds (3 days of 2,000 conversations
#     a day each, seeds 42 and 7, the query and jobs routes' records):
#     equal results, compared with IS DISTINCT FROM;
#  2. edge cases: missing and JSON-null fields, non-object elements, an
#     answer without an entry, an abandoned entry, two answers for one
#     entry, numbers for strings, NULL raw and NULL ended: equal results;
#  3. malformed arrays (an object or a scalar where an array is read) are
#     errors in both;
#  4. _time_zone_known() (a zone file's lookup, pg_timezone_names when the
#     name is not one) against pg_timezone_names itself: every name it
#     lists, and names it does not (case, offsets, POSIX strings,
#     abbreviations, files of the directory that are not zones, paths out
#     of it), each in a new session (a name found is remembered).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DB=gca_load_rows
PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB")
dbsql() { "${PSQL[@]}" -At -c "$1"; }
"$PG_BINDIR/psql" -qXAt -d postgres -c "DROP DATABASE IF EXISTS $DB (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
trap 'stop_all_gcsim; "$PG_BINDIR/psql" -qXAt -d postgres -c "DROP DATABASE IF EXISTS $DB (FORCE)" >/dev/null' EXIT
dbsql "CREATE EXTENSION gcanalytics" >/dev/null
"${PSQL[@]}" -f "$GCA_ROOT/test/helpers/load_rows_reference.sql" >/dev/null

# differences TABLE: the rows of TABLE (raw, ended) where any value differs
DIFF="SELECT count(*) FILTER (WHERE gcanalytics._queue_entries(r.raw) IS DISTINCT FROM load_rows_ref._queue_entries(r.raw)),
             count(*) FILTER (WHERE gcanalytics._agent_talk_ms(r.raw) IS DISTINCT FROM load_rows_ref._agent_talk_ms(r.raw)),
             count(*) FILTER (WHERE gcanalytics._bot_only(r.raw, r.ended) IS DISTINCT FROM load_rows_ref._bot_only(r.raw, r.ended)),
             count(*) FILTER (WHERE (SELECT s FROM gcanalytics._self_service(r.raw, r.ended) s)
                                    IS DISTINCT FROM (SELECT s FROM load_rows_ref._self_service(r.raw, r.ended) s)),
             count(*)"

# ---------------------------------------------------------------- 1. gcsim
dbsql "CREATE TABLE conv (seed int, route text, raw jsonb, ended boolean)"
for seed in 42 7; do
    start_gcsim --seed "$seed" --conversations-per-day 2000 --now 2026-04-17T01:00:00Z
    for route in query job; do
        PGDATABASE=$DB genesys_server "g$seed$route" "$GCSIM_URL" demo demo-secret
    done
    for route in query job; do
        dbsql "CREATE FOREIGN TABLE c_${seed}_$route (conversation_id text, conversation_start timestamptz,
                                                      conversation_end timestamptz, raw jsonb)
               SERVER g$seed$route OPTIONS (resource 'conversations', extraction '$route')"
        dbsql "INSERT INTO conv SELECT $seed, '$route', raw, conversation_end IS NOT NULL FROM c_${seed}_$route
                WHERE conversation_start >= '2026-04-13T00:00:00Z' AND conversation_start < '2026-04-16T00:00:00Z'"
    done
    stop_all_gcsim
done
n=$(dbsql "SELECT count(*) FROM conv")
[ "$n" -ge 10000 ] || fail "expected 12,000 conversations read, got $n"
read -r d_qe d_talk d_bot d_ss total < <(dbsql "$DIFF FROM conv r" | tr '|' ' ')
assert_eq "0 0 0 0 $n" "$d_qe $d_talk $d_bot $d_ss $total" "conversations whose queue entries, agent talk, bot-only, self-service differ"
# the worlds exercise what the functions compute
read -r n_entries n_answered n_own n_abandoned n_bot n_flow n_talk < <(dbsql "
    SELECT count(*) FILTER (WHERE cardinality(gcanalytics._queue_entries(raw)) > 0),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(gcanalytics._queue_entries(raw)) e WHERE e.offered_at IS NOT NULL AND e.answered_at IS NOT NULL)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(gcanalytics._queue_entries(raw)) e WHERE e.offered_at IS NULL)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(gcanalytics._queue_entries(raw)) e WHERE e.abandoned_at IS NOT NULL)),
           count(*) FILTER (WHERE gcanalytics._bot_only(raw, ended)),
           count(*) FILTER (WHERE (gcanalytics._self_service(raw, ended)).flow IS NOT NULL),
           count(*) FILTER (WHERE gcanalytics._agent_talk_ms(raw) > 0)
      FROM conv" | tr '|' ' ')
for v in n_entries n_answered n_abandoned n_bot n_flow n_talk; do
    [ "${!v}" -gt 0 ] || fail "no conversation has $v"
done
echo "ok: $n conversations of 2 worlds by 2 routes: the C and the SQL agree ($n_entries with queue entries, $n_answered answered, $n_own with an entry of an agent's own, $n_abandoned abandoned, $n_bot bot-only, $n_flow with a flow, $n_talk with agent talk)"

# ---------------------------------------------------------------- 2. edges
dbsql "CREATE TABLE edge (raw jsonb, ended boolean)"
dbsql "INSERT INTO edge (raw, ended) VALUES
  (NULL, true), (NULL, false), (NULL, NULL),
  ('{}', true), ('[]', true), ('5', true), ('{\"participants\": []}', true),
  ('{\"participants\": [null, 3, \"x\", {}, {\"purpose\": null}]}', true),
  ('{\"participants\": [{\"purpose\": \"botflow\"}]}', true),
  ('{\"participants\": [{\"purpose\": \"botflow\"}]}', false),
  ('{\"participants\": [{\"purpose\": \"botflow\"}]}', NULL),
  ('{\"participants\": [{\"purpose\": \"ivr\"}, {\"purpose\": \"agent\"}]}', true),
  ('{\"participants\": [{\"purpose\": \"ivr\"}, {\"purpose\": 7}]}', true),
  ('{\"participants\": [{\"purpose\": \"botflow\"}, {\"purpose\": \"acd\"}]}', true),
  ('{\"participants\": [{\"purpose\": \"agent\", \"userId\": \"u1\", \"sessions\": [null, 4, {}, {\"segments\": []},
      {\"segments\": [{\"segmentType\": \"interact\", \"segmentStart\": \"2026-04-01T10:00:00.0005Z\", \"segmentEnd\": \"2026-04-01T10:00:01.001Z\"},
                      {\"segmentType\": \"interact\", \"segmentStart\": \"2026-04-01T10:00:02Z\", \"segmentEnd\": null},
                      {\"segmentType\": \"interact\", \"segmentStart\": \"2026-04-01T10:00:02Z\"},
                      {\"segmentType\": \"hold\", \"segmentStart\": \"2026-04-01T10:00:02Z\", \"segmentEnd\": \"2026-04-01T10:00:09Z\"}]}]},
     {\"purpose\": \"agent\", \"sessions\": [{\"segments\": [{\"segmentType\": \"interact\", \"segmentStart\": \"2026-04-01T10:00:00Z\", \"segmentEnd\": \"2026-04-01T10:00:00.3Z\"}]}]},
     {\"purpose\": \"agent\", \"userId\": \"u1\", \"sessions\": [{\"segments\": [{\"segmentType\": \"interact\", \"segmentStart\": \"2026-04-01T11:00:00Z\", \"segmentEnd\": \"2026-04-01T11:00:00.0005Z\"}]}]}]}', true),
  ('{\"participants\": [{\"purpose\": \"agent\", \"userId\": \"u2\", \"sessions\": [{\"segments\": [{\"segmentType\": \"interact\", \"segmentStart\": \"2026-04-01T10:00:05Z\", \"segmentEnd\": \"2026-04-01T10:00:00.0015Z\"}]}]}]}', true),
  ('{\"participants\": [
     {\"purpose\": \"acd\", \"sessions\": [
        {\"mediaType\": \"voice\", \"segments\": [{\"segmentStart\": \"2026-04-01T10:00:00Z\", \"queueId\": \"q1\"}],
         \"metrics\": [{\"name\": \"nOffered\", \"emitDate\": \"2026-04-01T10:00:00Z\"}, {\"name\": \"tAcd\", \"value\": 4000, \"emitDate\": \"2026-04-01T10:00:04Z\"}]},
        {\"mediaType\": \"voice\", \"segments\": [{\"segmentStart\": \"2026-04-01T10:05:00Z\"}, {\"queueId\": \"q2\", \"segmentStart\": \"2026-04-01T10:04:00Z\"}],
         \"metrics\": [{\"name\": \"nOffered\", \"emitDate\": \"2026-04-01T10:04:00Z\"}, {\"name\": \"tAbandon\", \"value\": 9000, \"emitDate\": \"2026-04-01T10:04:09Z\"}, null, {\"name\": null}]},
        {\"mediaType\": \"voice\", \"segments\": [{\"queueId\": null, \"segmentStart\": \"2026-04-01T10:06:00Z\"}]},
        {\"segments\": [{\"queueId\": \"q3\"}]},
        {\"mediaType\": 12, \"segments\": [{\"queueId\": \"q4\", \"segmentStart\": \"2026-04-01T10:07:00Z\"}], \"metrics\": []}]},
     {\"purpose\": \"agent\", \"userId\": \"a1\", \"sessions\": [
        {\"mediaType\": \"voice\", \"segments\": [{\"queueId\": \"q1\", \"segmentStart\": \"2026-04-01T10:00:04Z\"}],
         \"metrics\": [{\"name\": \"tAnswered\", \"value\": 4000, \"emitDate\": \"2026-04-01T10:00:04Z\"}, {\"name\": \"tHandle\", \"value\": 60000}]},
        {\"mediaType\": \"voice\", \"segments\": [{\"queueId\": \"q1\", \"segmentStart\": \"2026-04-01T10:00:06Z\"}],
         \"metrics\": [{\"name\": \"tAnswered\", \"value\": 100, \"emitDate\": \"2026-04-01T10:00:06Z\"}]},
        {\"mediaType\": \"voice\", \"segments\": [{\"queueId\": \"q2\", \"segmentStart\": \"2026-04-01T10:04:30Z\"}],
         \"metrics\": [{\"name\": \"tAnswered\", \"value\": 5, \"emitDate\": \"2026-04-01T10:04:30Z\"}, {\"name\": \"tAnswered\", \"value\": 7, \"emitDate\": \"2026-04-01T10:04:29Z\"}]},
        {\"mediaType\": \"voice\", \"segments\": [{\"queueId\": \"q9\"}], \"metrics\": [{\"name\": \"tAnswered\", \"value\": 1, \"emitDate\": \"2026-04-01T10:09:00Z\"}]},
        {\"mediaType\": \"voice\", \"segments\": [{\"queueId\": \"q4\", \"segmentStart\": \"2026-04-01T10:07:00Z\"}], \"metrics\": [{\"name\": \"tHandle\", \"value\": 3}]}]},
     {\"purpose\": \"agent\", \"sessions\": [
        {\"segments\": [\"queueId\", {\"queueId\": \"q1\", \"segmentStart\": \"2026-04-01T10:00:05Z\"}],
         \"metrics\": [{\"name\": \"tAnswered\", \"value\": \"8\", \"emitDate\": \"2026-04-01T10:00:05Z\"}]},
        {\"segments\": [[\"queueId\"], {\"queueId\": \"q1\", \"segmentStart\": \"2026-04-01T10:00:05Z\"}],
         \"metrics\": [{\"name\": \"tAnswered\", \"value\": 8, \"emitDate\": \"2026-04-01T10:00:05Z\"}]},
        {\"segments\": [{\"queueId\": 5, \"segmentStart\": \"2026-04-01T10:00:05Z\"}],
         \"metrics\": [{\"name\": \"tAnswered\", \"value\": 8, \"emitDate\": \"2026-04-01T10:00:05Z\"}]}]}]}', true),
  ('{\"participants\": [{\"purpose\": \"acd\", \"sessions\": [{\"segments\": [{\"queueId\": \"q1\", \"segmentStart\": \"2026-04-01T10:00:00Z\"}]},
                                                          {\"segments\": [{\"queueId\": \"q1\", \"segmentStart\": \"2026-04-01T10:00:00Z\"}]}]},
                       {\"purpose\": \"agent\", \"sessions\": [{\"segments\": [{\"queueId\": \"q1\", \"segmentStart\": \"2026-04-01T10:00:00Z\"}],
                                                            \"metrics\": [{\"name\": \"tAnswered\", \"value\": 1, \"emitDate\": \"2026-04-01T10:00:00Z\"}]}]}]}', true)"
read -r d_qe d_talk d_bot d_ss total < <(dbsql "$DIFF FROM edge r" | tr '|' ' ')
assert_eq "0 0 0 0 $(dbsql "SELECT count(*) FROM edge")" "$d_qe $d_talk $d_bot $d_ss $total" "edge cases whose queue entries, agent talk, bot-only, self-service differ"
# (the cases do reach the answers: entries answered, abandoned, of their own)
[ "$(dbsql "SELECT cardinality(gcanalytics._queue_entries(raw)) FROM edge WHERE raw::text LIKE '%q9%'")" -ge 6 ] \
    || fail "the queue entries edge case gave fewer entries than it has"
echo "ok: $total edge cases (NULLs, missing and JSON-null fields, non-objects, answers without entries, abandoned entries, two answers for one entry): the C and the SQL agree"

# ---------------------------------------------------------------- 3. errors
for bad in '{"participants": {}}' '{"participants": null}' \
           '{"participants": [{"purpose": "agent", "sessions": 5}]}' \
           '{"participants": [{"purpose": "acd", "sessions": [{"segments": {}}]}]}' \
           '{"participants": [{"purpose": "acd", "sessions": [{"metrics": null}]}]}' \
           '{"participants": [{"purpose": "acd", "sessions": [{"segments": [{"queueId": "q", "segmentStart": "not a time"}]}]}]}'; do
    for f in "_queue_entries('$bad')" "_agent_talk_ms('$bad')" "_bot_only('$bad', true)" "_self_service('$bad', true)"; do
        new=$(dbsql "SELECT gcanalytics.$f" 2>&1 | sed -n 's/^ERROR: *//p' || true)
        ref=$(dbsql "SELECT load_rows_ref.$f" 2>&1 | sed -n 's/^ERROR: *//p' || true)
        assert_eq "$ref" "$new" "the error of $f"
    done
done
echo "ok: malformed arrays and values: the same errors (or none) from the C and the SQL"

# ---------------------------------------------------------------- 4. time zones
listed=$(dbsql "SELECT count(*) FROM pg_timezone_names")
[ "$listed" -gt 300 ] || fail "pg_timezone_names lists only $listed names"
assert_eq "0" "$(dbsql "SELECT count(*) FROM pg_timezone_names z WHERE NOT gcanalytics._time_zone_known(z.name)")" \
    "every name of pg_timezone_names ($listed) is a known time zone"
for name in UTC utc America/New_York america/new_york Asia/Kolkata EST5EDT Etc/GMT+5 posixrules Factory \
            +05:30 UTC+3 IST America/Gotham zone.tab iso3166.tab tzdata.zi America ../zoneinfo/UTC /usr/share/zoneinfo/UTC \
            ./UTC America/../UTC ''; do
    want=$(dbsql "SELECT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = '$name')")
    assert_eq "$want" "$(dbsql "SELECT gcanalytics._time_zone_known('$name')")" "_time_zone_known('$name') as pg_timezone_names"
done
