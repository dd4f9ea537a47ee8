-- gcanalytics.interpolate(value, at): NULLs filled linearly in "at"
-- between the nearest non-NULL neighbours in window order; edges take the
-- nearest value.  Expected values by hand in the comments and in "want".
CREATE SCHEMA kpi_interpolate;
SET search_path = kpi_interpolate, public;
\set VERBOSITY terse
SET timezone = 'UTC';

-- hourly buckets of two queues with gaps
--  qA: 00 NULL, 01 10, 02 NULL, 03 NULL, 04 NULL, 05 50, 06 NULL
--      00 -> 10 (edge), 02 -> 10 + 40 * 1/4 = 20, 03 -> 30, 04 -> 40,
--      06 -> 50 (edge)
--  qB: 00 7, 01 NULL, 02 NULL ... -> all 7;  qC: all NULL -> NULL
--  qD: uneven spacing: 00 0, 01 NULL, 04 NULL, 10 100
--      01 -> 100 * 1/10 = 10, 04 -> 100 * 4/10 = 40 (linear in time, not in rows)
CREATE TABLE b (queue text, at timestamptz, v float8, want float8);
INSERT INTO b VALUES
 ('qA', '2026-03-02 00:00', NULL, 10), ('qA', '2026-03-02 01:00', 10, 10),
 ('qA', '2026-03-02 02:00', NULL, 20), ('qA', '2026-03-02 03:00', NULL, 30),
 ('qA', '2026-03-02 04:00', NULL, 40), ('qA', '2026-03-02 05:00', 50, 50),
 ('qA', '2026-03-02 06:00', NULL, 50),
 ('qB', '2026-03-02 00:00', 7, 7), ('qB', '2026-03-02 01:00', NULL, 7), ('qB', '2026-03-02 02:00', NULL, 7),
 ('qC', '2026-03-02 00:00', NULL, NULL), ('qC', '2026-03-02 01:00', NULL, NULL),
 ('qD', '2026-03-02 00:00', 0, 0), ('qD', '2026-03-02 01:00', NULL, 10),
 ('qD', '2026-03-02 04:00', NULL, 40), ('qD', '2026-03-02 10:00', 100, 100);

SELECT queue, to_char(at, 'HH24:MI') AS at, v, want,
       gcanalytics.interpolate(v, at) OVER (PARTITION BY queue ORDER BY at) AS got
  FROM b ORDER BY queue, at;
SELECT count(*) AS mismatches FROM (
  SELECT want, gcanalytics.interpolate(v, at) OVER (PARTITION BY queue ORDER BY at) AS got FROM b) x
 WHERE got IS DISTINCT FROM want;

-- the frame clause does not matter: the whole partition is used
SELECT count(*) AS mismatches FROM (
  SELECT want, gcanalytics.interpolate(v, at) OVER (PARTITION BY queue ORDER BY at
           ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS got FROM b) x
 WHERE got IS DISTINCT FROM want;

-- gap backfilling over generate_series buckets: 15-minute buckets, data at
-- 10:00 (4) and 11:00 (8): 10:15 -> 5, 10:30 -> 6, 10:45 -> 7
SELECT to_char(bucket, 'HH24:MI') AS bucket, m.v,
       gcanalytics.interpolate(m.v, bucket) OVER (ORDER BY bucket) AS filled
  FROM generate_series(timestamptz '2026-03-02 10:00', '2026-03-02 11:00', interval '15 min') bucket
  LEFT JOIN (VALUES (timestamptz '2026-03-02 10:00', 4.0::float8), ('2026-03-02 11:00', 8)) m(at, v) ON m.at = bucket
 ORDER BY 1;

-- NULL "at": linear in row position instead (rows 0 = 0, 1 = NULL, 2 = NULL,
-- 3 = 30 -> 10, 20)
SELECT i, gcanalytics.interpolate(v, NULL) OVER (ORDER BY i) AS filled
  FROM (VALUES (0, 0::float8), (1, NULL), (2, NULL), (3, 30)) x(i, v) ORDER BY i;
-- both neighbours at the same time: position again (5 between 0 and 10)
SELECT i, gcanalytics.interpolate(v, timestamptz '2026-03-02') OVER (ORDER BY i) AS filled
  FROM (VALUES (0, 0::float8), (1, NULL), (2, 10)) x(i, v) ORDER BY i;
-- an empty input and a single NULL row
SELECT gcanalytics.interpolate(v, now()) OVER () FROM (SELECT 1::float8 WHERE false) x(v);
SELECT gcanalytics.interpolate(NULL, now()) OVER () AS single_null;

-- linear: a 200000-row partition, one value every 1000 rows, checked
-- against the closed form (row i lies between 1000*floor(i/1000) and the
-- next multiple; value = i where known, so the fill is i itself)
SELECT count(*) FILTER (WHERE abs(filled - i) > 1e-6) AS wrong, count(*) AS n
  FROM (SELECT i, gcanalytics.interpolate(CASE WHEN i % 1000 = 0 THEN i::float8 END,
                                          timestamptz '2026-01-01' + i * interval '1 s')
                    OVER (ORDER BY i) AS filled
          FROM generate_series(0, 200000) i) x;

RESET search_path;
DROP SCHEMA kpi_interpolate CASCADE;
