-- The service level target of each queue entry in the dashboards
-- (queue_entry_metrics(), through _service_level_targets()) is the most
-- specific row of service_levels: the queue's and medium's, the queue's for
-- any medium, the medium's for any queue, else service_level_default
-- (20 seconds).  Also for a queue that gcanalytics.queues does not hold
-- and for a medium that no row, no daily aggregate and no usual medium
-- names.  Each entry waited 15 s; the target each should get, by hand:
--   QX voice: (QX, *) 10 s             -> 15 > 10: not in time
--   QX video: (QX, *) 10 s             -> not in time
--   QY voice: (QY, voice) 50 s         -> in time
--   QY video: no QY row for video, no (*, video): default 20 s -> in time
--   QZ voice: (*, voice) 12 s          -> not in time
--   QZ video: default 20 s             -> in time
\set VERBOSITY terse
SET timezone = 'UTC';
SELECT gcanalytics._ensure_partitions('2026-03-01', '2026-04-01');
INSERT INTO gcanalytics.service_levels (queue_id, media_type, answer_within) VALUES
    ('QX', '*', '10 seconds'), ('QY', 'voice', '50 seconds'), ('*', 'voice', '12 seconds');
INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, handled, queue_entries, loaded_at)
SELECT 'slt-' || q || '-' || m, '2026-03-02 10:00+00', m, q, true,
       ARRAY[ROW(q, m, timestamptz '2026-03-02 10:00+00', 15000, NULL, timestamptz '2026-03-02 10:00:15+00', 15000, 'A1', 60000)::gcanalytics.queue_entry],
       now()
  FROM unnest(ARRAY['QX', 'QY', 'QZ']) q, unnest(ARRAY['voice', 'video']) m;
SELECT m.queue_id, m.media_type, m.in_sl,
       m.in_sl = (m.wait_ms <= 1000 * extract(epoch FROM gcanalytics.service_level_threshold(m.queue_id, m.media_type))) AS as_threshold
  FROM gcanalytics.queue_entry_metrics() m
 WHERE m.metric = 'answered'
 ORDER BY 1, 2;
DELETE FROM gcanalytics.interactions WHERE conversation_id LIKE 'slt-%';
DELETE FROM gcanalytics.service_levels WHERE queue_id IN ('QX', 'QY', '*');
DO $$
DECLARE
    p regclass;
BEGIN
    FOR p IN SELECT i.inhrelid::regclass FROM pg_inherits i WHERE i.inhparent = 'gcanalytics.interactions'::regclass LOOP
        EXECUTE format('DROP TABLE %s', p);
    END LOOP;
END
$$;
