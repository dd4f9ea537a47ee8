-- gcanalytics.weighted_handle_time(), the weights table and its jsonb.
-- Expected values worked out by hand: handle_ms * transfer multiplier *
-- channel multiplier, with transfers 0: 1.0, 1: 1.2, 2+: 1.5 and the
-- channel defaults voice 1.0, callback 1.0, chat 0.9, message 0.9,
-- email 1.1, video 1.2, anything else ("default") 1.0.
CREATE SCHEMA kpi_weht;
SET search_path = kpi_weht, public;
\set VERBOSITY terse

-- the table starts with the built-in defaults
SELECT gcanalytics.weht_weights_json() = gcanalytics.weht_default_weights() AS table_matches_builtin;
SELECT dimension, key, multiplier FROM gcanalytics.weht_weights ORDER BY dimension DESC, key;

CREATE TABLE expect (handle_ms bigint, transfers int, media_type text, weighted float8);
INSERT INTO expect VALUES
    (100000, 0, 'voice',   100000),  -- 100000 * 1.0 * 1.0
    (100000, 1, 'voice',   120000),  -- 100000 * 1.2 * 1.0
    (100000, 2, 'voice',   150000),  -- 100000 * 1.5 * 1.0
    (100000, 7, 'voice',   150000),  -- 7 transfers take key "2": 1.5
    (100000, 1, 'chat',    108000),  -- 100000 * 1.2 * 0.9
    (200000, 0, 'email',   220000),  -- 200000 * 1.0 * 1.1
    (50000,  2, 'video',    90000),  -- 50000 * 1.5 * 1.2
    (100000, 0, 'message',  90000),  -- 100000 * 1.0 * 0.9
    (100000, 1, 'fax',     120000),  -- unknown media: default 1.0
    (0,      3, 'voice',        0);
-- three-argument form (built-in) and four-argument form with the table's
-- weights agree with the hand figures (within float rounding)
SELECT handle_ms, transfers, media_type, weighted,
       abs(gcanalytics.weighted_handle_time(handle_ms, transfers, media_type) - weighted) < 1e-6 AS builtin_ok,
       abs(gcanalytics.weighted_handle_time(handle_ms, transfers, media_type,
                                            gcanalytics.weht_weights_json()) - weighted) < 1e-6 AS table_ok
  FROM expect ORDER BY 1, 2, 3;

-- editing the table changes what the views pass in, not the 3-arg form:
-- chat becomes 0.5, a 3+ transfer tier of 2.0 is added (in a transaction
-- rolled back, so the shared table is left as it was)
BEGIN;
UPDATE gcanalytics.weht_weights SET multiplier = 0.5 WHERE dimension = 'media_type' AND key = 'chat';
INSERT INTO gcanalytics.weht_weights VALUES ('transfers', '3', 2.0, 'three or more');
SELECT gcanalytics.weighted_handle_time(100000, 1, 'chat', gcanalytics.weht_weights_json()) AS chat_edited,     -- 100000 * 1.2 * 0.5 = 60000
       gcanalytics.weighted_handle_time(100000, 2, 'voice', gcanalytics.weht_weights_json()) AS two_transfers, -- 1.5: 150000
       gcanalytics.weighted_handle_time(100000, 4, 'voice', gcanalytics.weht_weights_json()) AS four_transfers,-- 2.0: 200000
       gcanalytics.weighted_handle_time(100000, 1, 'chat') AS chat_builtin;                                   -- 108000
ROLLBACK;
SELECT gcanalytics.weht_weights_json() = gcanalytics.weht_default_weights() AS restored;
-- the table refuses nonsense
INSERT INTO gcanalytics.weht_weights VALUES ('transfers', 'two', 1.5, NULL);
INSERT INTO gcanalytics.weht_weights VALUES ('media_type', 'fax', 0, NULL);
INSERT INTO gcanalytics.weht_weights VALUES ('queue', 'q1', 1.0, NULL);

-- the view behaves as a table with primary key (dimension, key); every
-- change is kept as an edit of the shipped defaults (weht_weights_edit,
-- what pg_dump dumps), and an edit back to the default is no edit
INSERT INTO gcanalytics.weht_weights VALUES ('media_type', 'voice', 2.0, NULL);      -- voice exists
INSERT INTO gcanalytics.weht_weights VALUES ('media_type', 'sms', NULL, NULL);       -- multiplier required
BEGIN;
DELETE FROM gcanalytics.weht_weights WHERE dimension = 'media_type' AND key IN ('video', 'fax');  -- 1 row
UPDATE gcanalytics.weht_weights SET multiplier = 1.3 WHERE dimension = 'transfers' AND key = '1';
UPDATE gcanalytics.weht_weights SET key = 'sms' WHERE dimension = 'media_type' AND key = 'message';
INSERT INTO gcanalytics.weht_weights VALUES ('transfers', '3', 2.0, 'three or more');
UPDATE gcanalytics.weht_weights SET description = 'edited' WHERE dimension = 'media_type' AND key = 'email';
UPDATE gcanalytics.weht_weights SET description = 'written answers take more care' WHERE dimension = 'media_type' AND key = 'email';
-- the edits: transfers 1 changed, 3 added, video and message masked, sms added; email is back to its default
SELECT * FROM gcanalytics.weht_weights_edit ORDER BY 1, 2;
-- 10 defaults - video - message + sms + 3 = 10 rows
SELECT dimension, key, multiplier FROM gcanalytics.weht_weights ORDER BY dimension DESC, key;
SAVEPOINT s;
UPDATE gcanalytics.weht_weights SET key = 'chat' WHERE key = 'sms';                  -- chat exists
ROLLBACK TO s;
ROLLBACK;
BEGIN;
-- a deleted default comes back with INSERT
DELETE FROM gcanalytics.weht_weights WHERE dimension = 'media_type' AND key = 'chat';
INSERT INTO gcanalytics.weht_weights VALUES ('media_type', 'chat', 0.9, 'agents handle chats concurrently');
SELECT count(*) AS edits_after_reinsert FROM gcanalytics.weht_weights_edit;       -- 0: back to the default
ROLLBACK;

-- partial weights: what is missing counts 1.0
SELECT gcanalytics.weighted_handle_time(1000, 1, 'voice', '{}') AS empty_weights,                       -- 1000
       gcanalytics.weighted_handle_time(1000, 0, 'chat', '{"transfers": {"1": 2}}') AS below_lowest_key, -- 1000
       gcanalytics.weighted_handle_time(1000, 1, 'chat', '{"media_type": {"chat": 3}}') AS chat_only;    -- 3000

-- NULL in, NULL out
SELECT gcanalytics.weighted_handle_time(NULL, 1, 'voice') IS NULL AS a,
       gcanalytics.weighted_handle_time(1000, NULL, 'voice') IS NULL AS b,
       gcanalytics.weighted_handle_time(1000, 1, NULL) IS NULL AS c,
       gcanalytics.weighted_handle_time(1000, 1, 'voice', NULL) IS NULL AS d;

-- bad input: clear errors
\set VERBOSITY default
SELECT gcanalytics.weighted_handle_time(-1, 0, 'voice');
SELECT gcanalytics.weighted_handle_time(1000, -2, 'voice');
SELECT gcanalytics.weighted_handle_time(1000, 0, 'voice', '[1.2]');
SELECT gcanalytics.weighted_handle_time(1000, 0, 'voice', '{"transfers": [1, 1.2]}');
SELECT gcanalytics.weighted_handle_time(1000, 0, 'voice', '{"transfers": {"one": 1.2}}');
SELECT gcanalytics.weighted_handle_time(1000, 0, 'voice', '{"transfers": {"0": -1}}');
SELECT gcanalytics.weighted_handle_time(1000, 0, 'voice', '{"media_type": {"chat": "high"}}');
\set VERBOSITY terse

RESET search_path;
DROP SCHEMA kpi_weht CASCADE;
