-- Pushdown of gc.conversations and gc.segments conditions, pinned with
-- EXPLAIN (VERBOSE, COSTS OFF).  EXPLAIN without ANALYZE sends nothing,
-- so the server's URL needs no listener.
\set VERBOSITY terse
CREATE SERVER ex_gc FOREIGN DATA WRAPPER gcanalytics_fdw
    OPTIONS (service 'genesys', api_url 'http://127.0.0.1:9', login_url 'http://127.0.0.1:9');
CREATE USER MAPPING FOR CURRENT_USER SERVER ex_gc
    OPTIONS (client_id 'explain-client', client_secret 'explain-secret-never-shown');
CREATE SCHEMA ex;
IMPORT FOREIGN SCHEMA analytics FROM SERVER ex_gc INTO ex;
\det+ ex.*

-- the time range becomes the interval, split into UTC days
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-03 00:00:00+00';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start BETWEEN '2026-03-02 10:00:00+00' AND '2026-03-04 12:00:00+00';
-- > and <= are widened to the API's millisecond interval, rechecked locally
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM ex.conversations
 WHERE conversation_start > '2026-03-02 10:00:00+00' AND conversation_start <= '2026-03-02 11:00:00+00';
-- ids go to the by-id endpoint, with no time range needed
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations WHERE conversation_id = 'c-1';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations WHERE conversation_id = ANY (ARRAY['c-1', 'c-2', 'c/3 &x']);
-- dimension columns become predicates (IN-lists as "or"), one segment dimension
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND queue_id IN ('q-1', 'q-2') AND media_type = 'voice';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND agent_id = 'u-1';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND wrapup_code = 'w-1';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND ani = 'tel:+15551234567';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND dnis = 'tel:+18005550100';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND originating_direction = 'inbound' AND 'd-1' = ANY (division_ids)
   AND conversation_end IS NOT NULL;
-- remote text is escaped as JSON
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND queue_id = 'q"},{"dimension":"x\';
-- attributes need the details jobs, as do long ranges (extraction auto)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id, attributes FROM ex.conversations
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-01 00:00:00+00' AND conversation_start < '2026-03-08 00:00:00+00';
-- segments: segment columns
EXPLAIN (VERBOSE, COSTS OFF)
SELECT segment_type, duration_ms FROM ex.segments
 WHERE conversation_start >= '2026-03-02 00:00:00+00' AND conversation_start < '2026-03-02 06:00:00+00'
   AND purpose = 'agent' AND segment_type = 'hold';
-- a condition that cannot be true sends nothing
EXPLAIN (VERBOSE, COSTS OFF)
SELECT conversation_id FROM ex.conversations
 WHERE conversation_start >= '2026-03-03 00:00:00+00' AND conversation_start < '2026-03-02 00:00:00+00';
-- joins on conversation_id use the by-id endpoint per outer row
CREATE TEMP TABLE wanted (id text);
INSERT INTO wanted VALUES ('c-1'), ('c-2');
ANALYZE wanted;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.conversation_id FROM wanted w JOIN ex.conversations c ON c.conversation_id = w.id;
-- no time bound: an error with a hint, never an unbounded crawl
\set VERBOSITY default
SELECT count(*) FROM ex.conversations;
SELECT count(*) FROM ex.conversations WHERE conversation_start < '2026-03-02';
SELECT count(*) FROM ex.segments WHERE media_type = 'voice';
-- wrong column types are caught before any request
CREATE FOREIGN TABLE ex.bad_types (conversation_id text, conversation_start timestamptz, talk_ms integer)
    SERVER ex_gc OPTIONS (resource 'conversations');
SELECT talk_ms FROM ex.bad_types WHERE conversation_start >= now();
SELECT talk_ms FROM ex.bad_types WHERE conversation_id = 'x';
CREATE FOREIGN TABLE ex.not_yet (id text) SERVER ex_gc OPTIONS (resource 'no_such_resource');
IMPORT FOREIGN SCHEMA crm FROM SERVER ex_gc INTO ex;
\set VERBOSITY terse
-- the secret never appears in EXPLAIN output
DO $$
DECLARE line text;
BEGIN
  FOR line IN EXPLAIN (VERBOSE, COSTS OFF)
      SELECT * FROM ex.conversations WHERE conversation_start >= '2026-03-02' AND conversation_start < '2026-03-03'
  LOOP
    IF line LIKE '%explain-secret%' OR line LIKE '%explain-client%' THEN
      RAISE EXCEPTION 'credential in EXPLAIN: %', line;
    END IF;
  END LOOP;
END $$;
SET client_min_messages = warning;
DROP SCHEMA ex CASCADE;
DROP SERVER ex_gc CASCADE;
RESET client_min_messages;
