-- Sums and spans past the bigint and double ranges: every one
-- is flagged (timeline: valid = f, the column NULL, anomaly "sum out of
-- range") or an error with a SQLSTATE, never a wrapped value passed as
-- valid.  Expected figures are worked out by hand below and cross-checked
-- with numeric arithmetic in SQL, which shares no code with the functions.
CREATE SCHEMA kpi_overflow;
SET search_path = kpi_overflow, public;
SET timezone = 'UTC';
\set VERBOSITY terse

-- ------------------------------------------------------------ timeline()
-- One agent talking from 0001-01-01T00:00:00.000Z to
-- 9999-12-31T23:59:59.999Z: 9999 proleptic Gregorian years are 25 cycles
-- of 146097 days (10000 years) minus the leap year 10000 (366 days):
-- 3652425 - 366 = 3652059 days = 315,537,897,600,000 ms, less 1 ms:
-- 315,537,897,599,999 ms.  INT64_MAX = 9,223,372,036,854,775,807, so
-- 29,230 agents fit (29,230 x 315,537,897,599,999 =
-- 9,223,172,746,847,970,770) and 29,231 do not
-- (9,223,488,284,745,570,769 > INT64_MAX).
CREATE FUNCTION agents(n int, split text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'conversationEnd', '9999-12-31T23:59:59.999Z',
    'participants', jsonb_agg(jsonb_build_object(
      'purpose', 'agent', 'userId', 'u' || g,
      'sessions', jsonb_build_array(jsonb_build_object(
        'segments', CASE WHEN split IS NULL THEN jsonb_build_array(
            jsonb_build_object('segmentType', 'interact',
                               'segmentStart', '0001-01-01T00:00:00.000Z',
                               'segmentEnd', '9999-12-31T23:59:59.999Z'))
          ELSE jsonb_build_array(
            jsonb_build_object('segmentType', 'interact',
                               'segmentStart', '0001-01-01T00:00:00.000Z',
                               'segmentEnd', split),
            jsonb_build_object('segmentType', 'wrapup',
                               'segmentStart', split,
                               'segmentEnd', '9999-12-31T23:59:59.999Z')) END)))))
  FROM generate_series(1, n) g
$$;

-- the span of one agent, from timestamptz arithmetic (independent of the
-- C parser): 315537897599999
SELECT (extract(epoch FROM timestamptz '9999-12-31 23:59:59.999+00' -
                          timestamptz '0001-01-01 00:00:00+00') * 1000)::bigint AS one_agent_ms;

-- 29,230 agents: exact, valid
SELECT talk_ms, handle_ms, valid, anomaly,
       talk_ms = 29230::numeric * 315537897599999 AS talk_exact,
       talk_ms = 9223172746847970770 AS talk_by_hand
  FROM gcanalytics.timeline(agents(29230));
-- 29,231 and 30,000 agents: the sum leaves bigint; talk_ms and handle_ms
-- are NULL, valid is false and the anomaly names the column
SELECT n, talk_ms, handle_ms, acw_ms, valid, anomaly
  FROM (VALUES (29231), (30000)) v(n), gcanalytics.timeline(agents(n));

-- handle_ms alone overflowing: each agent talks 0001-01-01 to 5000-01-01
-- (4999 years: 12 cycles of 146097 days = 1,753,164, plus 199 years with 48
-- leap years = 72,683: 1,825,847 days = 157,753,180,800,000 ms) and wraps
-- up to 9999-12-31T23:59:59.999Z (157,784,716,799,999 ms).  29,231 agents:
-- talk 4,611,283,227,964,800,000 and acw 4,612,205,056,780,770,769 fit,
-- their sum 9,223,488,284,745,570,769 does not.
SELECT talk_ms, acw_ms, handle_ms, valid, anomaly,
       talk_ms = 4611283227964800000 AND acw_ms = 4612205056780770769 AS parts_by_hand,
       talk_ms::numeric + acw_ms > 9223372036854775807 AS sum_past_bigint
  FROM gcanalytics.timeline(agents(29231, '5000-01-01T00:00:00.000Z'));

-- the events of an overflowing conversation carry the flag on the
-- segment where the sum left the range (29,231st in timeline order)
SELECT count(*) FILTER (WHERE flag = 'sum out of range') AS flagged,
       min(seq) FILTER (WHERE flag = 'sum out of range') AS at_seq
  FROM gcanalytics.timeline_events(agents(29231));

-- metrics: INT64_MAX itself is an integer in range (the segments give
-- 60000, so it is a disagreement, not "not an integer"); INT64_MIN too;
-- INT64_MAX + 1 is not; .4 rounds down to INT64_MAX, .5 rounds past it;
-- two metrics summing past INT64_MAX are "sum out of range"
CREATE FUNCTION one_talk(metrics text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT ('{"conversationEnd":"2026-03-02T10:01:00Z","participants":[{"purpose":"agent","sessions":[{"metrics":' ||
          metrics || ',"segments":[{"segmentType":"interact","segmentStart":"2026-03-02T10:00:00Z","segmentEnd":"2026-03-02T10:01:00Z"}]}]}]}')::jsonb
$$;
SELECT label, t.talk_ms, t.valid, t.anomaly
  FROM (VALUES
    ('INT64_MAX', '[{"name":"tTalk","value":9223372036854775807}]'),
    ('INT64_MIN', '[{"name":"tTalk","value":-9223372036854775808}]'),
    ('INT64_MAX + 1', '[{"name":"tTalk","value":9223372036854775808}]'),
    ('INT64_MAX + 0.4', '[{"name":"tTalk","value":9223372036854775807.4}]'),
    ('INT64_MAX + 0.5', '[{"name":"tTalk","value":9223372036854775807.5}]'),
    ('INT64_MAX, then 1', '[{"name":"tTalk","value":9223372036854775807},{"name":"tTalk","value":1}]'),
    ('INT64_MIN, then -1', '[{"name":"tTalk","value":-9223372036854775808},{"name":"tTalk","value":-1}]'),
    ('60000 (agrees)', '[{"name":"tTalk","value":60000}]')
  ) x(label, m), gcanalytics.timeline(one_talk(m)) t;

-- ------------------------------------------------ weighted_handle_time()
\set VERBOSITY default
-- 1000 x 1e300 x 1e5 = 1e308: still a double
SELECT gcanalytics.weighted_handle_time(1000, 2, 'voice',
         '{"transfers": {"2": 1e300}, "media_type": {"voice": 1e5}}') = 1e308 AS at_the_edge;
-- INT64_MAX x 1.5 x 1.2 = 1.66e19: large but finite
SELECT gcanalytics.weighted_handle_time(9223372036854775807, 2, 'video') = 9223372036854775807::float8 * 1.5 * 1.2 AS max_handle;
-- 1000 x 1e300 x 1e10 = 1e313: past the double range, an error (22003)
SELECT gcanalytics.weighted_handle_time(1000, 2, 'voice',
         '{"transfers": {"2": 1e300}, "media_type": {"voice": 1e10}}');
SELECT gcanalytics.weighted_handle_time(9223372036854775807, 0, 'voice',
         '{"transfers": {"0": 1e300}}');

-- ------------------------------------------------------- interpolate()
-- timestamps more than INT64_MAX microseconds apart: p = 4714-11-24 BC
-- (the earliest timestamptz), next = p + 108,000,000 days (9.3312e18 us,
-- past INT64_MAX); fills at p + 54,000,000 days (half way: 500) and at
-- p + 27,000,000 days (a quarter: 250) between values 0 and 1000
SELECT to_char(at, 'YYYY-MM-DD BC') AS at, v,
       gcanalytics.interpolate(v, at) OVER (ORDER BY at) AS filled
  FROM (VALUES (timestamptz '4714-11-24 00:00:00+00 BC', 0::float8),
               (timestamptz '4714-11-24 00:00:00+00 BC' + interval '27000000 days', NULL),
               (timestamptz '4714-11-24 00:00:00+00 BC' + interval '54000000 days', NULL),
               (timestamptz '4714-11-24 00:00:00+00 BC' + interval '108000000 days', 1000)) x(at, v)
 ORDER BY x.at;

-- values whose difference leaves the double range: half way between
-- -1e308 and 1e308 is 0, a quarter of the way is -5e307
SELECT i, gcanalytics.interpolate(v, timestamptz '2026-03-02' + i * interval '1 h') OVER (ORDER BY i) AS filled
  FROM (VALUES (0, -1e308::float8), (1, NULL), (2, NULL), (4, 1e308)) x(i, v) ORDER BY i;
-- one infinite neighbour: the fill is that infinity (the limit), the
-- rows at the neighbours' own times keep their values
SELECT i, gcanalytics.interpolate(v, timestamptz '2026-03-02' + i * interval '1 h') OVER (ORDER BY i) AS filled
  FROM (VALUES (0, 5::float8), (1, NULL), (2, 'Infinity')) x(i, v) ORDER BY i;
-- -Infinity and Infinity: no value lies between them (22003)
SELECT i, gcanalytics.interpolate(v, timestamptz '2026-03-02' + i * interval '1 h') OVER (ORDER BY i) AS filled
  FROM (VALUES (0, '-Infinity'::float8), (1, NULL), (2, 'Infinity')) x(i, v) ORDER BY i;

-- infinite timestamps: as edges they take the nearest value; a fill at or
-- between them is an error (22008)
SELECT at::date AS at, v, gcanalytics.interpolate(v, at) OVER (ORDER BY at) AS filled
  FROM (VALUES (timestamptz '-infinity', NULL::float8), ('2026-03-02', 1), ('2026-03-03', 3),
               ('infinity', NULL)) x(at, v) ORDER BY x.at;
SELECT gcanalytics.interpolate(v, at) OVER (ORDER BY at) AS filled
  FROM (VALUES (timestamptz '-infinity', 0::float8), ('2026-03-02', NULL), ('infinity', 10)) x(at, v);
SELECT gcanalytics.interpolate(v, at) OVER (ORDER BY at) AS filled
  FROM (VALUES (timestamptz '2026-03-01', 0::float8), ('2026-03-02', NULL), ('infinity', 10)) x(at, v);

-- window order: descending "at" interpolates the same (11:00 -> 10
-- between 10:00 = 0 and 12:00 = 20); a window ordered by something else
-- whose "at" leaves its neighbours' range is an error (42P20), never an
-- extrapolation (before, 12:00 here got 20: the line through 0 at 10:00
-- and 10 at 11:00, extended)
SELECT to_char(at, 'HH24:MI') AS at,
       gcanalytics.interpolate(v, at) OVER (ORDER BY at DESC) AS filled
  FROM (VALUES (timestamptz '2026-03-02 10:00', 0::float8), ('2026-03-02 11:00', NULL),
               ('2026-03-02 12:00', 20)) x(at, v) ORDER BY at;
SELECT i, gcanalytics.interpolate(v, at) OVER (ORDER BY i) AS filled
  FROM (VALUES (0, timestamptz '2026-03-02 10:00', 0::float8), (1, '2026-03-02 12:00', NULL),
               (2, '2026-03-02 11:00', 10)) x(i, at, v) ORDER BY i;
-- neighbours at one time, the row between at another: also out of order
SELECT i, gcanalytics.interpolate(v, at) OVER (ORDER BY i) AS filled
  FROM (VALUES (0, timestamptz '2026-03-02 10:00', 0::float8), (1, '2026-03-02 09:00', NULL),
               (2, '2026-03-02 10:00', 10)) x(i, at, v) ORDER BY i;
\set VERBOSITY terse

RESET search_path;
DROP SCHEMA kpi_overflow CASCADE;
