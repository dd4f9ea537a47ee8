-- Bad input to the KPI functions: never a crash; either a clear error
-- (SQLSTATE, lower-case message, detail/hint) or a flagged result.
CREATE SCHEMA kpi_badinput;
SET search_path = kpi_badinput, public;
\set VERBOSITY terse
CREATE FUNCTION try_timeline(j jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t record;
    st text; msg text; det text; hint text;
BEGIN
    SELECT * INTO t FROM gcanalytics.timeline(j);
    RETURN format('talk=%s valid=%s anomaly=%s', t.talk_ms, t.valid, t.anomaly);
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN format('error %s: %s | detail: %s | hint: %s', st, msg, det, hint);
END $$;

-- not an object: an error naming what was given
SELECT v, try_timeline(v::jsonb) FROM (VALUES ('[]'), ('[{"participants":[]}]'), ('"text"'), ('42'), ('null'), ('true')) x(v);
-- and from timeline_events too
SELECT count(*) FROM gcanalytics.timeline_events('[1,2]');

-- missing keys and wrong types: flagged
SELECT label, try_timeline(v::jsonb) FROM (VALUES
  ('empty object',
   '{}'),
  ('no participants',
   '{"participants":[]}'),
  ('participants not an array',
   '{"participants":"many"}'),
  ('participants not objects',
   '{"participants":[1, null, "x", []]}'),
  ('purpose not a string, sessions an object',
   '{"participants":[{"purpose":7,"sessions":{}}]}'),
  ('segments not objects',
   '{"participants":[{"purpose":"agent","sessions":[{"segments":[[], 3]}]}]}'),
  ('segment without segmentStart',
   '{"participants":[{"purpose":"agent","sessions":[{"segments":[{"segmentType":"interact"}]}]}]}'),
  ('segment times not strings',
   '{"participants":[{"purpose":"agent","sessions":[{"segments":[{"segmentType":"interact","segmentStart":12,"segmentEnd":true}]}]}]}'),
  ('metric value a string',
   '{"participants":[{"purpose":"agent","sessions":[{"metrics":[{"name":"tTalk","value":"sixty"}],"segments":[{"segmentType":"interact","segmentStart":"2026-03-02T10:00:00Z","segmentEnd":"2026-03-02T10:01:00Z"}]}]}]}'),
  ('metric value out of range',
   '{"participants":[{"purpose":"agent","sessions":[{"metrics":[{"name":"tTalk","value":1e30}],"segments":[{"segmentType":"interact","segmentStart":"2026-03-02T10:00:00Z","segmentEnd":"2026-03-02T10:01:00Z"}]}]}]}'),
  ('conversationEnd a number',
   '{"conversationEnd":17,"participants":[{"purpose":"agent","sessions":[{"segments":[{"segmentType":"interact","segmentStart":"2026-03-02T10:00:00Z","segmentEnd":"2026-03-02T10:01:00Z"}]}]}]}'),
  ('userId an array (times with offsets: 60500 ms)',
   '{"participants":[{"purpose":"agent","userId":["u1"],"sessions":[{"segments":[{"segmentType":"interact","segmentStart":"2026-03-02T10:00:00+01:00","segmentEnd":"2026-03-02T09:01:00.5Z"}]}]}]}')
) x(label, v);

-- timestamp forms: Z, offsets, fractions, no zone (UTC); all 60000 ms talks
SELECT s, e, (gcanalytics.timeline(jsonb_build_object('participants', jsonb_build_array(
         jsonb_build_object('purpose', 'agent', 'sessions', jsonb_build_array(jsonb_build_object('segments',
           jsonb_build_array(jsonb_build_object('segmentType', 'interact', 'segmentStart', s, 'segmentEnd', e))))))))).talk_ms
  FROM (VALUES ('2026-03-02T10:00:00Z', '2026-03-02T10:01:00.000Z'),
               ('2026-03-02T10:00:00.123456Z', '2026-03-02T11:01:00.123+01:00'),
               ('2026-03-02T10:00:00', '2026-03-02 10:01:00'),
               ('2024-02-29T23:59:30Z', '2024-03-01T00:00:30Z'),
               ('2026-03-02T10:00:00-0230', '2026-03-02T12:31:00Z')) v(s, e);

-- deep nesting where a string belongs: flagged, not a crash
SELECT try_timeline(('{"participants":[{"purpose":"agent","queueId":1,"sessions":[{"segments":[{"segmentType":"interact","segmentStart":"2026-03-02T10:00:00Z","segmentEnd":"2026-03-02T10:01:00Z","queueId":'
        || repeat('[', 5000) || repeat(']', 5000) || '}]}]}]}')::jsonb);

-- huge arrays: 100000 segments are read (talk = 100000 * 1000 ms), more
-- are refused with a clear error
WITH big AS (
  SELECT jsonb_build_object('participants', jsonb_build_array(jsonb_build_object('purpose', 'agent',
           'sessions', jsonb_build_array(jsonb_build_object('segments',
             (SELECT jsonb_agg(jsonb_build_object('segmentType', 'interact',
                       'segmentStart', to_char(timestamptz '2026-03-02 00:00:00+00' + i * interval '1 s', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       'segmentEnd', to_char(timestamptz '2026-03-02 00:00:01+00' + i * interval '1 s', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
                FROM generate_series(0, n - 1) i)))))) AS r, n
    FROM (VALUES (100000), (100001)) v(n))
SELECT n, try_timeline(r) FROM big;
-- many participants without segments
SELECT try_timeline(jsonb_build_object('participants', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 200000))));

RESET search_path;
DROP SCHEMA kpi_badinput CASCADE;
