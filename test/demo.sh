#!/usr/bin/env bash
# test/demo.sh - the main job of `make demo`, run by test/run.sh on the
# scratch cluster with the built-in simulator at $GCSIM_URL (seed 42, its
# default "now" 2026-04-20 12:00 UTC; release 5.0 shipped on 2026-04-13).
#
# What is built so far: the Genesys foreign tables and the KPI functions.
# The demo reads two weeks of conversations through the FDW into a local
# table and prints the KPIs computed in the database.  The warehouse
# (sync procedures, dashboards, the CRM tier join) comes with later issues.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

psql_demo() { "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -P footer=off "$@"; }

echo "gcanalytics $(sql "SELECT gcanalytics.version()") on $(sql "SHOW server_version")"
echo "simulator: $GCSIM_URL"
echo

psql_demo -q <<SQL
CREATE SERVER genesys FOREIGN DATA WRAPPER gcanalytics_fdw
  OPTIONS (service 'genesys', api_url '$GCSIM_URL', login_url '$GCSIM_URL', requests_per_minute '6000');
CREATE USER MAPPING FOR CURRENT_USER SERVER genesys
  OPTIONS (client_id 'demo-client', client_secret 'demo-secret');
CREATE SCHEMA gc;
IMPORT FOREIGN SCHEMA analytics FROM SERVER genesys INTO gc;
SQL

echo "== Loading two weeks of conversations (2026-04-06 to 2026-04-20) through gc.conversations"
start=$(date +%s%N)
psql_demo -q <<'SQL'
CREATE TABLE demo_conversations AS
SELECT conversation_id, conversation_start, conversation_end, media_type, queue_id, agent_id,
       talk_ms, held_ms, acw_ms, handle_ms, acd_ms, transfers, abandoned,
       attributes->>'escalated' = 'true' AS escalated,
       attributes->>'productVersion' AS product_version,
       attributes ? 'sfAccountId' AS has_account,
       raw
  FROM gc.conversations
 WHERE conversation_start >= '2026-04-06' AND conversation_start < '2026-04-20';
SQL
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
echo "loaded $(sql "SELECT count(*) FROM demo_conversations") conversations in $elapsed ms"
echo

psql_demo <<'SQL'
\echo == The request the FDW sends (EXPLAIN VERBOSE; no credentials appear)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM gc.conversations
 WHERE conversation_start >= '2026-04-13' AND conversation_start < '2026-04-14' AND media_type = 'voice';

\echo == Escalation rate week over week, by product version reported on the call
SELECT date_trunc('week', conversation_start)::date AS week,
       count(*) AS conversations,
       round(100.0 * avg(escalated::int), 1) AS escalated_pct,
       round(100.0 * avg(escalated::int) FILTER (WHERE product_version >= '5.0'), 1) AS on_5_0_pct
  FROM demo_conversations
 GROUP BY 1 ORDER BY 1;

\echo == Queue KPIs of the last week, from timeline() and weighted_handle_time() in C
SELECT left(c.queue_id, 8) AS queue,
       count(*) AS handled,
       round(avg(t.queue_wait_ms) / 1000.0, 1) AS avg_wait_s,
       round(avg(t.handle_ms) / 1000.0, 1) AS avg_handle_s,
       round(avg(gcanalytics.weighted_handle_time(t.handle_ms, t.transfers, c.media_type,
                                                   gcanalytics.weht_weights_json()))::numeric / 1000.0, 1) AS avg_weighted_s,
       round(100.0 * avg((t.transfers > 0)::int), 1) AS transfer_pct,
       count(*) FILTER (WHERE NOT t.valid) AS anomalies
  FROM demo_conversations c, gcanalytics.timeline(c.raw) t
 WHERE c.conversation_start >= '2026-04-13' AND NOT c.abandoned AND c.queue_id IS NOT NULL
 GROUP BY 1 ORDER BY handled DESC LIMIT 8;

\echo == The timeline of one transferred call
SELECT seq, purpose, segment_type, to_char(segment_start, 'HH24:MI:SS') AS start, duration_ms, flag
  FROM gcanalytics.timeline_events((SELECT raw FROM demo_conversations
                                     WHERE transfers > 0 AND media_type = 'voice'
                                     ORDER BY conversation_id LIMIT 1));

\echo == API traffic of this session
SELECT server, requests, retries, errors, pg_size_pretty(bytes) AS received, round(wait_ms) AS wait_ms, shared
  FROM gcanalytics.http_stats();
SQL
