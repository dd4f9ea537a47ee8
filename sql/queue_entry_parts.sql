-- The rollups of kpi_daily and queue_interval sum the queue entries
-- through _queue_entry_parts() (C); queue_entry_metrics() states the same
-- figures in SQL, an entry and metric a row.  On entries built to reach
-- every rule (several entries a conversation, a NULL element, an entry
-- without times, NULL media, queue and wait, an excluded queue, short
-- abandons, targets by queue and medium, by queue, by medium and the
-- default, a row loaded before 0.3.0, an outbound conversation, metrics
-- on either side of a day and of the autumn DST change), the sums of both
-- must be the same rows, by day and by interval, in a zone with DST, in an
-- abbreviation (AT TIME ZONE reads 'EST' as one) and in Nepal (+05:45).
-- Then a few figures worked out by hand.
\set VERBOSITY terse
SET timezone = 'UTC';
SELECT gcanalytics._ensure_partitions('2026-10-01', '2026-12-01');
INSERT INTO gcanalytics.service_levels (queue_id, media_type, answer_within) VALUES
    ('QX', '*', '10 seconds'), ('QY', 'voice', '50 seconds'), ('*', 'chat', '12.5 seconds');
INSERT INTO gcanalytics.excluded_queues (queue_id, reason) VALUES ('QEX', 'internal');
INSERT INTO gcanalytics.settings (name, value) VALUES ('short_abandon_threshold', '5 seconds')
ON CONFLICT (name) DO UPDATE SET value = excluded.value;

-- 240 conversations over 2026-10-31 to 2026-11-02 (the US autumn change is
-- 2026-11-01 06:00 UTC), two or three entries each
INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, acd_ms, abandoned,
                                      agent_id, alert_ms, originating_direction, handled, queue_entries, loaded_at)
SELECT 'qep-' || n, s, (ARRAY['voice', 'chat', 'video', NULL])[1 + n % 4], CASE WHEN n % 17 = 0 THEN 'QY' END,
       CASE WHEN n % 17 = 0 THEN 4000 + n * 97 END, n % 34 = 0, CASE WHEN n % 17 = 0 AND n % 34 <> 0 THEN 'A1' END,
       CASE WHEN n % 17 = 0 THEN 3000 END,
       CASE WHEN n % 23 = 0 THEN 'outbound' WHEN n % 29 = 0 THEN NULL ELSE 'inbound' END, true,
       CASE WHEN n % 17 = 0 THEN NULL   -- loaded before 0.3.0: the first queue from the columns
            ELSE ARRAY(
                SELECT CASE WHEN n % 19 = 0 AND k = 2 THEN NULL
                            ELSE ROW((ARRAY['QX', 'QY', 'QZ', 'QEX', NULL])[1 + (n + k) % 5],
                                     (ARRAY['voice', 'chat', NULL, 'video'])[1 + (n * k) % 4],
                                     CASE WHEN (n + k) % 13 = 0 THEN NULL ELSE s + k * interval '7 minutes' END,
                                     CASE WHEN (n + k) % 11 = 0 THEN NULL ELSE ((n * 7919 + k * 104729) % 60000)::bigint END,
                                     CASE WHEN (n + k) % 3 = 0 THEN s + k * interval '7 minutes' + interval '9 minutes' END,
                                     CASE WHEN (n + k) % 3 = 1 THEN s + k * interval '7 minutes' + interval '20 minutes' END,
                                     CASE WHEN (n + k) % 3 = 1 AND n % 7 <> 0 THEN ((n * 31) % 50000)::bigint END,
                                     'A' || k,
                                     CASE WHEN (n + k) % 3 = 1 AND n % 5 <> 0 THEN ((n * 131) % 900000)::bigint END
                                     )::gcanalytics.queue_entry END
                  FROM generate_series(1, 2 + n % 2) k) END,
       now()
  FROM generate_series(1, 240) n, LATERAL (SELECT timestamptz '2026-10-31 00:00+00' + n * interval '17 minutes' AS s) t;

-- the sums as queue_entry_metrics() gives them (SQL)
CREATE TEMP VIEW qep_sql AS
SELECT z.tz, z.step, (m.conversation_start AT TIME ZONE z.tz)::date AS start_day,
       CASE WHEN z.step IS NULL THEN (m.at AT TIME ZONE z.tz)::date END AS day,
       date_bin(z.step, m.at, timestamptz '2000-01-03 00:00+00') AS bin, m.queue_id, m.media_type,
       count(*) FILTER (WHERE m.metric = 'offered') AS offered,
       count(*) FILTER (WHERE m.metric = 'answered') AS answered,
       count(*) FILTER (WHERE m.metric = 'answered' AND m.entered AND m.in_sl) AS answered_in_sl,
       count(*) FILTER (WHERE (m.metric = 'answered' AND m.entered) OR (m.metric = 'abandoned' AND m.short IS NOT TRUE)) AS sl_entries,
       count(*) FILTER (WHERE m.metric = 'abandoned' AND m.short IS NOT TRUE) AS abandoned,
       count(*) FILTER (WHERE m.metric = 'abandoned' AND m.short) AS short_abandoned,
       coalesce(sum(m.wait_ms) FILTER (WHERE m.metric = 'offered'), 0) AS wait_ms_sum,
       coalesce(sum(m.answer_ms) FILTER (WHERE m.metric = 'answered'), 0) AS answer_ms_sum,
       count(m.handle_ms) FILTER (WHERE m.metric = 'answered') AS handled,
       coalesce(sum(m.handle_ms) FILTER (WHERE m.metric = 'answered'), 0) AS handle_ms_sum
  FROM (VALUES ('America/New_York', NULL::interval), ('America/New_York', interval '15 minutes'),
               ('EST', NULL), ('Asia/Kathmandu', NULL), ('Asia/Kathmandu', interval '30 minutes')) z(tz, step),
       gcanalytics.queue_entry_metrics('2026-10-30', '2026-11-04') m
 GROUP BY 1, 2, 3, 4, 5, 6, 7;
-- and through _queue_entry_parts() (C)
CREATE TEMP VIEW qep_c AS
SELECT z.tz, z.step, s.start_day, s.day, s.bin, s.queue_id, s.media_type, s.offered, s.answered, s.answered_in_sl,
       s.sl_entries, s.abandoned, s.short_abandoned, s.wait_ms_sum, s.answer_ms_sum, s.handled, s.handle_ms_sum
  FROM (VALUES ('America/New_York', NULL::interval), ('America/New_York', interval '15 minutes'),
               ('EST', NULL), ('Asia/Kathmandu', NULL), ('Asia/Kathmandu', interval '30 minutes')) z(tz, step),
       gcanalytics._queue_entry_sums('2026-10-30', '2026-11-04', NULL, z.tz, z.step) s;
-- what the entries reach, and the rows found on one side only (none)
CREATE TEMP VIEW qep_reach AS
SELECT tz, step, count(*) AS key_rows, sum(offered) AS offered, sum(answered) AS answered, sum(short_abandoned) AS short,
       count(*) FILTER (WHERE queue_id IS NULL) AS no_queue_rows, count(*) FILTER (WHERE media_type = '(unknown)') AS unknown_media
  FROM qep_sql GROUP BY 1, 2;
CREATE TEMP VIEW qep_apart AS
SELECT 'only in SQL' AS side, count(*) FROM (SELECT * FROM qep_sql EXCEPT ALL SELECT * FROM qep_c) a
UNION ALL
SELECT 'only in C', count(*) FROM (SELECT * FROM qep_c EXCEPT ALL SELECT * FROM qep_sql) b;
SELECT * FROM qep_reach ORDER BY 1, 2;
SELECT * FROM qep_apart;
-- again with no queue excluded: the entries without a queue counted
DELETE FROM gcanalytics.excluded_queues WHERE queue_id = 'QEX';
SELECT * FROM qep_reach ORDER BY 1, 2;
SELECT * FROM qep_apart;
-- only those of some conversations (a load's), as the SQL gives them
SELECT count(*) AS rows_apart
  FROM ((SELECT * FROM gcanalytics._queue_entry_sums('2026-10-30', '2026-11-04', ARRAY['qep-5', 'qep-17', 'qep-34', 'qep-38'], 'UTC', NULL)
         EXCEPT ALL
         SELECT (m.conversation_start AT TIME ZONE 'UTC')::date, (m.at AT TIME ZONE 'UTC')::date, NULL::timestamptz, m.queue_id,
                m.media_type, count(*) FILTER (WHERE m.metric = 'offered'), count(*) FILTER (WHERE m.metric = 'answered'),
                count(*) FILTER (WHERE m.metric = 'answered' AND m.entered AND m.in_sl),
                count(*) FILTER (WHERE (m.metric = 'answered' AND m.entered) OR (m.metric = 'abandoned' AND m.short IS NOT TRUE)),
                count(*) FILTER (WHERE m.metric = 'abandoned' AND m.short IS NOT TRUE),
                count(*) FILTER (WHERE m.metric = 'abandoned' AND m.short),
                coalesce(sum(m.wait_ms) FILTER (WHERE m.metric = 'offered'), 0),
                coalesce(sum(m.answer_ms) FILTER (WHERE m.metric = 'answered'), 0),
                count(m.handle_ms) FILTER (WHERE m.metric = 'answered'),
                coalesce(sum(m.handle_ms) FILTER (WHERE m.metric = 'answered'), 0)
           FROM gcanalytics.queue_entry_metrics('2026-10-30', '2026-11-04', ARRAY['qep-5', 'qep-17', 'qep-34', 'qep-38']) m
          GROUP BY 1, 2, 3, 4, 5)) x;

-- By hand: one conversation, entries of QX (voice, waited 10 s: the
-- queue's 10 s target, in time; answered), QY (voice, 50.001 s: QY voice's
-- 50 s, late; answered), QZ (chat, 12.5 s: '*' chat's 12.5 s, in time;
-- answered), QZ (video, 20 s: service_level_default 20 s, in time;
-- answered), QZ (voice, abandoned after 5 s: short) and QZ (voice,
-- abandoned after 6 s: not short).
INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, handled, queue_entries, loaded_at)
SELECT 'qep-hand', '2026-11-20 10:00+00', 'voice', 'QX', true,
       ARRAY[ROW('QX', 'voice', s, 10000, NULL, s + interval '10 s', 10000, 'A1', 60000),
             ROW('QY', 'voice', s, 50001, NULL, s + interval '50.001 s', 50001, 'A1', 60000),
             ROW('QZ', 'chat', s, 12500, NULL, s + interval '12.5 s', 12500, 'A1', 60000),
             ROW('QZ', 'video', s, 20000, NULL, s + interval '20 s', 20000, 'A1', 60000),
             ROW('QZ', 'voice', s, 5000, s + interval '5 s', NULL, NULL, NULL, NULL),
             ROW('QZ', 'voice', s, 6000, s + interval '6 s', NULL, NULL, NULL, NULL)]::gcanalytics.queue_entry[],
       now()
  FROM (SELECT timestamptz '2026-11-20 10:00+00' AS s) t;
SELECT queue_id, media_type, offered, answered, answered_in_sl, sl_entries, abandoned, short_abandoned, wait_ms_sum, handled
  FROM gcanalytics._queue_entry_sums('2026-11-20', '2026-11-21', ARRAY['qep-hand'], 'UTC', NULL)
 ORDER BY 1, 2;

DELETE FROM gcanalytics.settings WHERE name = 'short_abandon_threshold';
DELETE FROM gcanalytics.service_levels WHERE queue_id IN ('QX', 'QY', '*');
DELETE FROM gcanalytics.interactions WHERE conversation_id LIKE 'qep-%';
DROP TABLE gcanalytics.interactions_2026_10, gcanalytics.interactions_2026_11;
