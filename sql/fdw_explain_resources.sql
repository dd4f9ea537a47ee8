-- Pushdown of gc.evaluations, gc.conversation_aggregates and the listings
-- (gc.queues, gc.users, gc.wrapup_codes), pinned with EXPLAIN (VERBOSE,
-- COSTS OFF).  EXPLAIN without ANALYZE sends nothing, so the server's URL
-- needs no listener.
\set VERBOSITY terse
SET timezone = 'UTC';
CREATE SERVER exr_gc FOREIGN DATA WRAPPER gcanalytics_fdw
    OPTIONS (service 'genesys', api_url 'http://127.0.0.1:9', login_url 'http://127.0.0.1:9');
CREATE USER MAPPING FOR CURRENT_USER SERVER exr_gc
    OPTIONS (client_id 'explain-client', client_secret 'explain-secret-never-shown');
CREATE SCHEMA exr;
IMPORT FOREIGN SCHEMA analytics LIMIT TO (evaluations, conversation_aggregates, queues, users, wrapup_codes)
    FROM SERVER exr_gc INTO exr;
\d exr.evaluations
\d exr.conversation_aggregates
\d exr.queues
\d exr.users
\d exr.wrapup_codes

-- evaluations: the details query with an evaluation filter, then one GET each
EXPLAIN (VERBOSE, COSTS OFF)
SELECT evaluation_id, total_score FROM exr.evaluations
 WHERE conversation_start >= '2026-03-02' AND conversation_start < '2026-03-04';
-- evaluation dimensions: clauses one evaluation must all meet; the status
-- is sent under its analytics name
EXPLAIN (VERBOSE, COSTS OFF)
SELECT evaluation_id FROM exr.evaluations
 WHERE conversation_start >= '2026-03-02' AND conversation_start < '2026-03-03'
   AND status IN ('FINISHED', 'INREVIEW') AND agent_id = 'u-1' AND form_name = 'Voice QA';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT evaluation_id FROM exr.evaluations
 WHERE conversation_start >= '2026-03-02' AND conversation_start < '2026-03-03'
   AND evaluator_id = 'u-9' AND calibration_id = 'cal-1' AND conversation_id = 'c-1';
-- a status the analytics API has no name for is not sent (checked locally)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT evaluation_id FROM exr.evaluations
 WHERE conversation_start >= '2026-03-02' AND conversation_start < '2026-03-03' AND status = 'finished';
-- no time bound: an error with a hint
SELECT evaluation_id FROM exr.evaluations WHERE agent_id = 'u-1';

-- aggregates: groupBy from the dimension columns the query reads
EXPLAIN (VERBOSE, COSTS OFF)
SELECT interval_start, queue_id, media_type, metric, count, sum FROM exr.conversation_aggregates
 WHERE interval_start >= '2026-03-02' AND interval_start < '2026-03-09'
   AND granularity = 'P1D' AND metric IN ('nOffered', 'tHandle');
-- buckets in a time zone: timeZone
EXPLAIN (VERBOSE, COSTS OFF)
SELECT interval_start, time_zone, queue_id, metric, count FROM exr.conversation_aggregates
 WHERE interval_start >= '2026-03-02 05:00Z' AND interval_start < '2026-03-09 05:00Z'
   AND granularity = 'P1D' AND time_zone = 'America/New_York' AND metric = 'nOffered';
-- filters on dimensions, the default metric set, no granularity
EXPLAIN (VERBOSE, COSTS OFF)
SELECT metric, count FROM exr.conversation_aggregates
 WHERE interval_start >= '2026-03-02' AND interval_start < '2026-03-03'
   AND queue_id = 'q-1' AND media_type IN ('voice', 'chat');
-- conflicting conditions send nothing
EXPLAIN (VERBOSE, COSTS OFF)
SELECT metric, count FROM exr.conversation_aggregates
 WHERE interval_start >= '2026-03-02' AND interval_start < '2026-03-03'
   AND metric = 'nOffered' AND metric IN ('tHandle', 'tTalk');
SELECT metric FROM exr.conversation_aggregates WHERE metric = 'nOffered';

-- listings: no time bound needed; ids one by one; users of every state
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM exr.queues;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM exr.queues WHERE id = 'q 1/x';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM exr.wrapup_codes WHERE id IN ('w-1', 'w-2');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM exr.users;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM exr.users WHERE state = 'inactive';
-- a join by queue id: a hash join over one listing
EXPLAIN (VERBOSE, COSTS OFF)
SELECT e.evaluation_id, q.name FROM exr.evaluations e JOIN exr.queues q ON q.id = e.queue_id
 WHERE e.conversation_start >= '2026-03-02' AND e.conversation_start < '2026-03-03';

DROP SCHEMA exr CASCADE;
DROP SERVER exr_gc CASCADE;
