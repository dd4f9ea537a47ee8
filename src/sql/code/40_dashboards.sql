-- The dashboards (README "Dashboards"): materialized views over the
-- warehouse, each with the unique index REFRESH ... CONCURRENTLY needs, a
-- plain view for the insight sentences, refresh_dashboards(), the pg_cron
-- schedule, and the roles BI tools log in through.  Every day and week is
-- a day and an ISO week (Monday) in the setting reporting_time_zone (an
-- IANA name, default UTC), whatever the session's TimeZone says.

-- ------------------------------------------------------------ replace
-- This piece runs on every install and upgrade: the dashboards of the
-- version being replaced are dropped and created again below, from the
-- warehouse's rows.  A view added to this file goes into these two lists;
-- one removed from it is dropped by the version's delta.  A user's own
-- view over a dashboard stops the upgrade (PostgreSQL's error names it)
-- rather than being dropped with it.
DROP MATERIALIZED VIEW IF EXISTS gcanalytics.cx_insights;   -- reads escalation_insights
DROP VIEW IF EXISTS gcanalytics.escalation_insights;
DROP MATERIALIZED VIEW IF EXISTS gcanalytics.cx_overview, gcanalytics.queue_daily,
    gcanalytics.agent_quality_weekly, gcanalytics.agent_quality;
-- the dashboards kept as tables (materialized views before 0.3.0): their
-- rows are derived, rebuilt by the first refresh after their rollup's
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS name, c.relkind
               FROM pg_catalog.pg_class c
              WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'gcanalytics')
                AND c.relname IN ('escalation_by_tier', 'escalation_weekly', 'queue_interval', 'kpi_weekly', 'kpi_daily',
                                  'bot_containment_by_industry', 'join_quality')
                AND c.relkind IN ('m', 'r')
              -- kpi_weekly (a materialized view before) reads kpi_daily: first
              ORDER BY c.relname = 'kpi_daily'
    LOOP
        EXECUTE pg_catalog.format('DROP %s %s', CASE r.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
    END LOOP;
END
$$;
-- so their rollups are rebuilt whole by the next refresh (code/41_cx_overview.sql: at once when rows are loaded)
DELETE FROM gcanalytics.dashboard_rollups b
 WHERE b.rollup IN ('queue_interval', 'escalation', 'kpi_daily', 'bot_containment', 'join_quality');

-- dashboard_views(): the dashboards refresh_dashboards() keeps (materialized
-- views, and the tables of _dashboard_tables()) in dependency order
-- (kpi_weekly reads kpi_daily; cx_insights escalation_weekly, through
-- escalation_insights).
CREATE OR REPLACE FUNCTION gcanalytics.dashboard_views() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ARRAY['kpi_daily', 'kpi_weekly', 'queue_interval', 'escalation_weekly', 'escalation_by_tier',
                       'bot_containment_by_industry', 'agent_quality', 'agent_quality_weekly', 'queue_daily',
                       'join_quality', 'cx_overview', 'cx_insights'] $$;
COMMENT ON FUNCTION gcanalytics.dashboard_views() IS
    'the dashboards (materialized views, and tables kept per changed key) in the order refresh_dashboards() refreshes them';

-- ------------------------------------------------------------ statistics
-- erfc(x) after Numerical Recipes' erfcc (Chebyshev fit): relative error
-- below 1.2e-7 everywhere, so a p-value <= 1 is off by less than 1.2e-7.
CREATE OR REPLACE FUNCTION gcanalytics.erfc(x float8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT CASE WHEN x >= 0 THEN r ELSE 2.0 - r END
  FROM (SELECT 1.0 / (1.0 + 0.5 * abs(x)) AS t) s,
       -- beyond |x| = 26.4 erfc(|x|) is below the smallest normal float8
       -- (and exp() would raise an underflow error, x * x an overflow
       -- error past 1.3e154): 0
       LATERAL (SELECT CASE WHEN abs(x) > 26.5 THEN 0.0
                       ELSE t * exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                            + t * (-0.82215223 + t * 0.17087277)))))))))
                       END AS r) e
$$;
COMMENT ON FUNCTION gcanalytics.erfc(float8) IS
    'complementary error function (Numerical Recipes erfcc; relative error < 1.2e-7; 0 and 2 beyond |x| = 26.4)';

-- two_proportion_test(x1, n1, x2, n2): the pooled two-proportion z-test of
-- x1/n1 against x2/n2; z > 0 when the second share is higher, p_value
-- two-sided.  NULL when a side is empty or nothing (or everything) is
-- counted on both sides.
CREATE OR REPLACE FUNCTION gcanalytics.two_proportion_test(x1 bigint, n1 bigint, x2 bigint, n2 bigint,
                                                OUT z float8, OUT p_value float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT zz, gcanalytics.erfc(abs(zz) / sqrt(2.0))
  FROM (SELECT CASE WHEN n1 > 0 AND n2 > 0 AND p > 0 AND p < 1
                    THEN (x2::float8 / n2 - x1::float8 / n1) / sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2))
               END AS zz
          -- in float8: x1 + x2 and n1 + n2 may pass the bigint maximum
          FROM (SELECT (x1::float8 + x2::float8) / nullif(n1::float8 + n2::float8, 0) AS p) pooled) s
$$;
COMMENT ON FUNCTION gcanalytics.two_proportion_test(bigint, bigint, bigint, bigint) IS
    'pooled two-proportion z-test of x1/n1 against x2/n2: z (positive when the second share is higher) and the two-sided p-value';

-- ------------------------------------------------------------ provisional
-- complete_until(resource): how far the loaded data of a resource is final:
-- its high-water mark (for conversations: at most the API's data
-- availability date, after which participant attributes are missing) less
-- what the next run reads again (lag_window; evaluation_lookback for
-- evaluations, which arrive later), and at most the start of the earliest
-- window not loaded (failed: its rows are missing until retry_failed()
-- loads it; pending, running); -infinity before the first load.  A dashboard row reaching
-- past it is provisional.
CREATE OR REPLACE FUNCTION gcanalytics.complete_until(resource text)
    RETURNS timestamptz
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    -- the windows not loaded through their index (sync_windows_open_idx),
    -- also in refreshes, which run without index scans
    SET enable_indexscan = on
    AS $$
    SELECT least(coalesce((SELECT s.high_water_mark FROM gcanalytics.sync_state s WHERE s.resource = complete_until.resource)
                          - gcanalytics.setting(CASE WHEN resource = 'evaluations' THEN 'evaluation_lookback' ELSE 'lag_window' END)::interval,
                          '-infinity'),
                 (SELECT min(w.window_start) FROM gcanalytics.sync_windows w
                   WHERE w.resource = complete_until.resource AND w.status <> 'done'))
$$;
COMMENT ON FUNCTION gcanalytics.complete_until(text) IS
    'how far the loaded rows of a resource (conversations, evaluations, queue_metrics) are final: its high-water mark less what the next run() reads again, and no later than its earliest window not loaded (failed, pending, running)';

-- _first_window(resource): the start of the earliest window of a resource
-- (NULL before its first load), through sync_windows' key: refreshes run
-- without index scans, under which min() reads every window (a table that
-- grows with every run()).
CREATE OR REPLACE FUNCTION gcanalytics._first_window(resource text)
    RETURNS timestamptz
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    SET enable_indexscan = on
    AS $$ SELECT min(w.window_start) FROM gcanalytics.sync_windows w WHERE w.resource = _first_window.resource $$;
COMMENT ON FUNCTION gcanalytics._first_window(text) IS
    'the start of the earliest window of a resource in sync_windows (NULL before its first load), read through its key';

-- ------------------------------------------------------------ KPI figures
-- kpi_rates(...): the rates and the efficiency score of kpi_daily and
-- kpi_weekly from their counts and sums, so that both compute them alike
-- (README "Dashboards"): service level = answered in time / (answered +
-- abandoned) over queue entries, abandon rate = abandoned / offered,
-- average wait over offered entries, ASA = tAnswered / answered.
CREATE OR REPLACE FUNCTION gcanalytics.kpi_rates(
        offered bigint, answered bigint, answered_in_sl bigint, sl_entries bigint, abandoned bigint,
        wait_ms_sum numeric, answer_ms_sum numeric,
        handled bigint, handle_ms_sum numeric, weighted_handle_ms_sum numeric, transferred bigint,
        fcr_eligible bigint, fcr_resolved bigint, talk_ms_sum numeric, hold_ms_sum numeric,
        OUT service_level_pct numeric, OUT abandon_rate_pct numeric, OUT avg_wait_s numeric, OUT asa_s numeric,
        OUT service_level_rate numeric, OUT abandon_rate numeric,
        OUT avg_handle_s numeric, OUT avg_weighted_handle_s numeric, OUT transfer_rate_pct numeric,
        OUT fcr_pct numeric, OUT talk_ratio_pct numeric, OUT hold_ratio_pct numeric,
        OUT efficiency_score numeric)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT round(100.0 * sl, 2), round(100.0 * ab, 2), round(wait_ms_sum / nullif(offered, 0) / 1000.0, 2),
       round(answer_ms_sum / nullif(answered, 0) / 1000.0, 2),
       round(sl, 4), round(ab, 4),
       round(handle_ms_sum / nullif(handled, 0) / 1000.0, 2),
       round(weighted_handle_ms_sum / nullif(handled, 0) / 1000.0, 2),
       round(100.0 * tr, 2), round(100.0 * fcr, 2),
       round(100.0 * talk_ms_sum / nullif(handle_ms_sum, 0), 2),
       round(100.0 * hold_ms_sum / nullif(handle_ms_sum, 0), 2),
       -- 0.4 service level + 0.3 FCR + 0.2 (1 - abandon rate) + 0.1 (1 - transfer rate),
       -- over the parts that have a denominator, weights rescaled to 1
       round(100.0 * (coalesce(0.4 * sl, 0) + coalesce(0.3 * fcr, 0) + coalesce(0.2 * (1 - ab), 0) + coalesce(0.1 * (1 - tr), 0))
                   / nullif(CASE WHEN sl IS NULL THEN 0 ELSE 0.4 END + CASE WHEN fcr IS NULL THEN 0 ELSE 0.3 END
                            + CASE WHEN ab IS NULL THEN 0 ELSE 0.2 END + CASE WHEN tr IS NULL THEN 0 ELSE 0.1 END, 0), 1)
  FROM (SELECT answered_in_sl::numeric / nullif(sl_entries, 0) AS sl, abandoned::numeric / nullif(offered, 0) AS ab,
               transferred::numeric / nullif(handled, 0) AS tr, fcr_resolved::numeric / nullif(fcr_eligible, 0) AS fcr) f
$$;
COMMENT ON FUNCTION gcanalytics.kpi_rates(bigint, bigint, bigint, bigint, bigint, numeric, numeric, bigint, numeric, numeric,
                                          bigint, bigint, bigint, numeric, numeric) IS
    'the rates, averages and efficiency score of kpi_daily and kpi_weekly from their counts and sums (README "Dashboards")';

-- _service_level_target_rows(queues, media): the service level target of
-- each queue and medium named (every pair): service_levels' row for the
-- queue and medium, else for the queue (media_type '*'), else for the
-- medium (queue_id '*'), else ('*', '*'), else the setting
-- service_level_default (read once): four lookups of its key each, no sort.
CREATE OR REPLACE FUNCTION gcanalytics._service_level_target_rows(queues text[], media text[])
    RETURNS TABLE (queue_id text, media_type text, answer_within interval)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT q.queue_id, m.media_type,
           coalesce(qm.answer_within, qa.answer_within, am.answer_within, aa.answer_within, d.fallback)
      FROM (SELECT gcanalytics.setting('service_level_default')::interval AS fallback) d
     CROSS JOIN unnest(queues) q(queue_id)
     CROSS JOIN unnest(media) m(media_type)
      LEFT JOIN gcanalytics.service_levels qm ON qm.queue_id = q.queue_id AND qm.media_type = m.media_type
      LEFT JOIN gcanalytics.service_levels qa ON qa.queue_id = q.queue_id AND qa.media_type = '*'
      LEFT JOIN gcanalytics.service_levels am ON am.queue_id = '*' AND am.media_type = m.media_type
      LEFT JOIN gcanalytics.service_levels aa ON aa.queue_id = '*' AND aa.media_type = '*'
$$;
COMMENT ON FUNCTION gcanalytics._service_level_target_rows(text[], text[]) IS
    'the service level target of each queue and media type named: service_levels (queue and medium, queue, medium, any), else service_level_default';

-- service_level_threshold(queue, media type): the service level target of
-- a queue entry (_service_level_target_rows()).
CREATE OR REPLACE FUNCTION gcanalytics.service_level_threshold(queue text, medium text)
    RETURNS interval
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT t.answer_within FROM gcanalytics._service_level_target_rows(ARRAY[queue], ARRAY[medium]) t
$$;
COMMENT ON FUNCTION gcanalytics.service_level_threshold(text, text) IS
    'the service level target of a queue and media type: service_levels (queue and medium, queue, medium; ''*'' for any), else service_level_default';

-- _service_level_targets(): the service level target (ms) of every queue
-- (those of queues and of service_levels, and '*': any other) and medium
-- (the usual ones, those of service_levels and of the daily aggregates, and
-- '*': any other), for the dashboards to join once (materialized: a query
-- that Citus sends to the workers calls no function reading a table, and
-- reads the settings of the coordinator).  A queue entry takes the row of
-- its queue, else of '*', and of its medium, else of '*' (the queue's own
-- row for any medium, else the '*' one, else service_level_default: what
-- service_level_threshold() gives a medium without a row).
CREATE OR REPLACE FUNCTION gcanalytics._service_level_targets()
    RETURNS TABLE (queue_id text, media_type text, sl_ms numeric)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT t.queue_id, t.media_type, 1000 * extract(epoch FROM t.answer_within) AS sl_ms
      FROM gcanalytics._service_level_target_rows(
               ARRAY(SELECT q.queue_id FROM gcanalytics.queues q
                     UNION SELECT sl.queue_id FROM gcanalytics.service_levels sl
                     UNION SELECT '*'),
               ARRAY(SELECT unnest(ARRAY['voice', 'callback', 'chat', 'message', 'email', '(unknown)', '*'])
                     UNION SELECT sl.media_type FROM gcanalytics.service_levels sl
                     UNION SELECT qm.media_type FROM gcanalytics.queue_metrics qm WHERE qm.granularity = 'P1D')) t
$$;

-- _queue_entry_parts(entries, conversation_start, queue_id, media_type,
-- acd_ms, abandoned, agent_id, alert_ms, tz, step, short_ms, sl_queues,
-- sl_media, sl_ms, excluded): a conversation's queue entries as the rows
-- _queue_entry_sums() adds up: a row per start day, day of the metric (tz;
-- step NULL) or interval of step, queue and media type, with the counts and
-- milliseconds of the metrics on it, each as _queue_entry_figures() defines
-- it (src/kpi/queue_entry_parts.c: the entries walked in C, one row per
-- conversation and key rather than a row per entry and metric through
-- unnest() and joins).  entries NULL: the first queue from the columns
-- after it (a row loaded before 0.3.0).  short_ms and sl_ms: whole
-- milliseconds, rounded down; the targets: _service_level_targets()' rows,
-- aligned.
CREATE OR REPLACE FUNCTION gcanalytics._queue_entry_parts(entries gcanalytics.queue_entry[], conversation_start timestamptz,
                                                          queue_id text, media_type text, acd_ms bigint, abandoned boolean,
                                                          agent_id text, alert_ms bigint, tz text, step interval,
                                                          short_ms bigint, sl_queues text[], sl_media text[], sl_ms bigint[],
                                                          excluded text[])
    RETURNS TABLE (start_day date, day date, bin timestamptz, offered integer, answered integer, answered_in_sl integer,
                   sl_entries integer, abandoned integer, short_abandoned integer, handled integer, wait_ms bigint,
                   answer_ms bigint, handle_ms bigint, queue_id text, media_type text)
    AS 'MODULE_PATHNAME', 'gca_queue_entry_parts'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION gcanalytics._queue_entry_parts(gcanalytics.queue_entry[], timestamptz, text, text, bigint, boolean, text, bigint,
                                                   text, interval, bigint, text[], text[], bigint[], text[]) IS
    'a conversation''s queue entries (entries NULL: its first queue from its columns) as rows per start day, day (or interval), queue and media type with the counts and milliseconds of their metrics';

-- _queue_entry_figures(from_start, to_start, only_ids): each queue entry of the
-- inbound conversations started in [from_start, to_start) (internal queues
-- left out), one row with the times of its three metrics: offered
-- (entering the queue, nOffered), answered (tAnswered), abandoned
-- (tAbandon); whether an answer followed an entry, the entry's wait (tAcd),
-- the answer's tAnswered and tHandle, whether an abandon was short
-- (short_abandon_threshold) and whether the wait was within the service
-- level target (service_level_threshold(), through
-- _service_level_targets()), and the conversation's start; only the
-- conversations of only_ids when given.
-- PL/pgSQL, not an inlinable SQL body: Citus cannot plan a distributed
-- table reached through an inlined SQL function, nor a SQL function's
-- parameters; RETURN QUERY is planned with the range's values.  Read
-- through queue_entry_metrics(); the rollups of kpi_daily and
-- queue_interval sum the same figures through _queue_entry_parts() (the
-- suite dashboards compares the two).
CREATE OR REPLACE FUNCTION gcanalytics._queue_entry_figures(from_start timestamptz DEFAULT '-infinity',
                                                            to_start timestamptz DEFAULT 'infinity',
                                                            only_ids text[] DEFAULT NULL)
    RETURNS TABLE (conversation_start timestamptz, queue_id text, media_type text, offered_at timestamptz,
                   answered_at timestamptz, abandoned_at timestamptz, entered boolean, wait_ms bigint,
                   answer_ms bigint, handle_ms bigint, short boolean, in_sl boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the range's values (Citus plans no query with parameters)
    SET plan_cache_mode = force_custom_plan
    -- the few targets joined by hash: a merge join sorts every queue entry,
    -- and a memoized lookup of the three metrics never hits
    SET enable_mergejoin = off
    SET enable_memoize = off
    AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics._short_abandon_ms() AS short_ms
), thr AS MATERIALIZED (
    SELECT * FROM gcanalytics._service_level_targets()
)
SELECT i.conversation_start, e.queue_id, coalesce(e.media_type, '(unknown)'), e.offered_at, e.answered_at,
       e.abandoned_at, e.offered_at IS NOT NULL, e.wait_ms, e.answer_ms, e.handle_ms, e.wait_ms <= cfg.short_ms,
       e.wait_ms <= coalesce(t.sl_ms, tm.sl_ms)
  FROM gcanalytics.interactions i
 CROSS JOIN cfg
 CROSS JOIN LATERAL unnest(CASE WHEN i.queue_entries IS NOT NULL OR i.queue_id IS NULL THEN i.queue_entries
                                -- loaded before 0.3.0 (not reloaded since): the first queue only
                                ELSE ARRAY[ROW(i.queue_id, i.media_type, i.conversation_start, i.acd_ms,
                                               CASE WHEN i.abandoned THEN i.conversation_start + i.acd_ms * interval '1 millisecond' END,
                                               CASE WHEN i.agent_id IS NOT NULL AND NOT coalesce(i.abandoned, false)
                                                    THEN i.conversation_start + i.acd_ms * interval '1 millisecond' END,
                                               i.alert_ms, i.agent_id, NULL)::gcanalytics.queue_entry] END) e
  -- a medium without a row of its own: '*'
  LEFT JOIN (SELECT DISTINCT thr.media_type FROM thr) km ON km.media_type = coalesce(e.media_type, '(unknown)')
  LEFT JOIN thr t ON t.queue_id = e.queue_id AND t.media_type = coalesce(km.media_type, '*')
  LEFT JOIN thr tm ON tm.queue_id = '*' AND tm.media_type = coalesce(km.media_type, '*')
 WHERE coalesce(i.originating_direction, 'inbound') = 'inbound'
   AND (e.offered_at IS NOT NULL OR e.answered_at IS NOT NULL OR e.abandoned_at IS NOT NULL)
   AND i.conversation_start >= _queue_entry_figures.from_start AND i.conversation_start < _queue_entry_figures.to_start
   AND (_queue_entry_figures.only_ids IS NULL OR i.conversation_id = ANY (_queue_entry_figures.only_ids))
   AND e.queue_id NOT IN (SELECT x.queue_id FROM gcanalytics.excluded_queues x);
END
$$;
COMMENT ON FUNCTION gcanalytics._queue_entry_figures(timestamptz, timestamptz, text[]) IS
    'each queue entry of the inbound conversations started in [from_start, to_start) (only those of only_ids when given), with the times of its metrics (offered, answered, abandoned), its wait, tAnswered, tHandle, short abandon and service level flags';

-- queue_entry_metrics(from_start, to_start, only_ids): each metric of each
-- queue entry of _queue_entry_figures(), a row each (offered, answered,
-- abandoned) with its time.
CREATE OR REPLACE FUNCTION gcanalytics.queue_entry_metrics(from_start timestamptz DEFAULT '-infinity',
                                                           to_start timestamptz DEFAULT 'infinity',
                                                           only_ids text[] DEFAULT NULL)
    RETURNS TABLE (at timestamptz, queue_id text, media_type text, metric text, entered boolean, wait_ms bigint,
                   answer_ms bigint, handle_ms bigint, short boolean, in_sl boolean, conversation_start timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the range's values (Citus plans no query with parameters)
    SET plan_cache_mode = force_custom_plan
    AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
SELECT m.at, e.queue_id, e.media_type, m.metric, e.entered, e.wait_ms, e.answer_ms, e.handle_ms, e.short, e.in_sl,
       e.conversation_start
  FROM gcanalytics._queue_entry_figures(queue_entry_metrics.from_start, queue_entry_metrics.to_start,
                                  queue_entry_metrics.only_ids) e
 -- a function scan: a VALUES list joined laterally compiles its expressions again for every row
 CROSS JOIN LATERAL unnest(ARRAY['offered', 'answered', 'abandoned'], ARRAY[e.offered_at, e.answered_at, e.abandoned_at]) m(metric, at)
 WHERE m.at IS NOT NULL;
END
$$;
COMMENT ON FUNCTION gcanalytics.queue_entry_metrics(timestamptz, timestamptz, text[]) IS
    'each metric (offered, answered, abandoned) of each queue entry of the inbound conversations started in [from_start, to_start) (only those of only_ids when given), with its time, wait, tAnswered, tHandle, short abandon and service level flags';

-- _queue_entry_sums(from_start, to_start, only_ids, tz, step): the
-- figures of the queue entries of the inbound conversations started in
-- [from_start, to_start) (only those of only_ids when given) summed per
-- start day (tz), queue, media type and metric (offered, answered,
-- abandoned), each metric on its day (tz; step NULL: kpi_daily's rollup)
-- or in its interval of step (day NULL: queue_interval's), as
-- _queue_entry_figures() defines them: each conversation's rows from
-- _queue_entry_parts() (a row per key its entries reach), then one sum.
CREATE OR REPLACE FUNCTION gcanalytics._queue_entry_sums(from_start timestamptz, to_start timestamptz, only_ids text[],
                                                         tz text, step interval)
    RETURNS TABLE (start_day date, day date, bin timestamptz, queue_id text, media_type text, offered bigint,
                   answered bigint, answered_in_sl bigint, sl_entries bigint, abandoned bigint, short_abandoned bigint,
                   wait_ms_sum numeric, answer_ms_sum numeric, handled bigint, handle_ms_sum numeric)
    LANGUAGE plpgsql STABLE
    -- run by the leader of a parallel query (it reads the settings): the
    -- rest of _kpi_daily_parts()' query, the conversations' sums, can be
    -- parallel (a parallel-unsafe function anywhere in a query makes all of
    -- it serial)
    PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
    -- planned with the range's values (Citus plans no query with parameters)
    SET plan_cache_mode = force_custom_plan
    -- summed by hash: sorting every conversation's rows costs more than
    -- the few keys a day's rows reach
    SET enable_sort = off
    AS $$
#variable_conflict use_column
DECLARE
    short_ms  bigint := floor(gcanalytics._short_abandon_ms());
    excluded  text[] := ARRAY(SELECT x.queue_id FROM gcanalytics.excluded_queues x);
    sl_queues text[];
    sl_media  text[];
    sl_ms     bigint[];
BEGIN
    SELECT coalesce(array_agg(t.queue_id), '{}'), coalesce(array_agg(t.media_type), '{}'),
           coalesce(array_agg(floor(t.sl_ms)::bigint), '{}')
      INTO sl_queues, sl_media, sl_ms
      FROM gcanalytics._service_level_targets() t;
RETURN QUERY
SELECT (p.r).start_day, (p.r).day, (p.r).bin, (p.r).queue_id, (p.r).media_type, sum((p.r).offered)::bigint,
       sum((p.r).answered)::bigint, sum((p.r).answered_in_sl)::bigint, sum((p.r).sl_entries)::bigint,
       sum((p.r).abandoned)::bigint, sum((p.r).short_abandoned)::bigint, coalesce(sum((p.r).wait_ms), 0),
       coalesce(sum((p.r).answer_ms), 0), sum((p.r).handled)::bigint, coalesce(sum((p.r).handle_ms), 0)
  -- the function in the select list: its rows one at a time (in FROM, a
  -- tuplestore each conversation)
  FROM (SELECT gcanalytics._queue_entry_parts(i.queue_entries, i.conversation_start, i.queue_id, i.media_type, i.acd_ms,
                                              i.abandoned, i.agent_id, i.alert_ms, _queue_entry_sums.tz, _queue_entry_sums.step,
                                              short_ms, sl_queues, sl_media, sl_ms, excluded) AS r
          FROM gcanalytics.interactions i
         WHERE coalesce(i.originating_direction, 'inbound') = 'inbound'
           AND i.conversation_start >= _queue_entry_sums.from_start AND i.conversation_start < _queue_entry_sums.to_start
           AND (_queue_entry_sums.only_ids IS NULL OR i.conversation_id = ANY (_queue_entry_sums.only_ids))) p
 GROUP BY 1, 2, 3, 4, 5;
END
$$;
COMMENT ON FUNCTION gcanalytics._queue_entry_sums(timestamptz, timestamptz, text[], text, interval) IS
    'the figures of the queue entries of the inbound conversations started in [from_start, to_start) per start day, queue, media type and day (step NULL) or interval of each metric';

-- ------------------------------------------------------------ kpi_daily
-- Two parts joined on (day, queue, media type, direction): the
-- conversations, on the day they started, under their first queue
-- (conversations, handled, handle times, transfers, FCR, wrap-up codes),
-- and the queue entries of inbound conversations, each figure on the day
-- of its Genesys metric (offered: entering the queue, nOffered; answered:
-- tAnswered; abandoned: tAbandon), under the queue entered.
--
-- The rollup (README "Dashboards", "Incremental refresh"): the table
-- kpi_daily_parts holds these figures per day the conversations started
-- (start_day) and day of the figure, so that the conversations of a day
-- changed by a load give their rows again without reading any other day;
-- kpi_daily sums the parts per day.  Every sum is exact (integers and
-- numeric): the same rows give the same sums in any order.
--
-- _parts_range(alias, from_start, to_start, only_ids): the condition of a
-- rollup's parts function on the conversations it reads (alias: the
-- interactions' in its query), with literals: the parts functions build
-- their query with the range and the settings written in (RETURN QUERY
-- EXECUTE format()): no parameter (Citus plans no query with parameters)
-- and no parallel-unsafe call (reporting_time_zone(), setting()), so a full
-- rebuild's scans and aggregates run in parallel.
CREATE OR REPLACE FUNCTION gcanalytics._parts_range(alias text, from_start timestamptz, to_start timestamptz,
                                                    only_ids text[]) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
    SELECT format('%1$I.conversation_start >= %2$L::timestamptz AND %1$I.conversation_start < %3$L::timestamptz', alias,
                  from_start, to_start)
           || CASE WHEN only_ids IS NOT NULL THEN format(' AND %I.conversation_id = ANY (%L::text[])', alias, only_ids) ELSE '' END
$$;
COMMENT ON FUNCTION gcanalytics._parts_range(text, timestamptz, timestamptz, text[]) IS
    'the condition, with literals, of a rollup''s parts function on the conversations started in [from_start, to_start) (only those of only_ids when given)';

-- _old_next_contacts(only_ids, old_next_contacts): the old next contacts
-- (aligned with only_ids) as one jsonb object keyed by conversation id,
-- NULL without them: built once per query, each conversation's looked up
-- by key (a binary search) rather than by array_position() in only_ids (a
-- linear search a row: a day's 40,000 flipped previous contacts cost 40,000
-- x 40,000 comparisons).  Timestamps as to_jsonb() writes them (ISO 8601
-- with the offset, whatever DateStyle says), read back exactly.
CREATE OR REPLACE FUNCTION gcanalytics._old_next_contacts(only_ids text[], old_next_contacts timestamptz[]) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT CASE WHEN old_next_contacts IS NOT NULL
                      THEN (SELECT coalesce(jsonb_object_agg(u.id, u.old), '{}')
                              FROM unnest(only_ids, old_next_contacts) u(id, old) WHERE u.id IS NOT NULL) END $$;
COMMENT ON FUNCTION gcanalytics._old_next_contacts(text[], timestamptz[]) IS
    'the old next contacts aligned with only_ids as a jsonb object keyed by conversation id (NULL without them), for _next_contact()';

-- _next_contact(id, next_contact_at, olds): the next contact a rollup's
-- parts count a conversation with: its own, or, when olds (of
-- _old_next_contacts()) is given, its old one there (the value the
-- rollup's rows were computed from before the load moved it).  STABLE, as
-- its body is (text to timestamptz): the planner inlines it, and without
-- olds it is the column itself (an IMMUTABLE label kept it a call a row:
-- 0.45 s of kpi_daily_parts' 3.0 s at 1,000,000 interactions).
CREATE OR REPLACE FUNCTION gcanalytics._next_contact(conversation_id text, next_contact_at timestamptz, olds jsonb)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN olds IS NULL THEN next_contact_at ELSE (olds OPERATOR(pg_catalog.->>) conversation_id)::timestamptz END;
COMMENT ON FUNCTION gcanalytics._next_contact(text, timestamptz, jsonb) IS
    'the next contact a rollup''s parts count a conversation with: its own, or its old one from olds (_old_next_contacts()) when given';

-- _kpi_daily_parts(from_start, to_start, only_ids, old_next_contacts): the
-- parts of the conversations started in [from_start, to_start); with
-- only_ids, the contribution of those conversations alone, and with
-- old_next_contacts (one per id) as if their next contacts were those
-- (_apply_conversation_changes(): the difference a moved next contact makes).
CREATE OR REPLACE FUNCTION gcanalytics._kpi_daily_parts(from_start timestamptz DEFAULT '-infinity',
                                                        to_start timestamptz DEFAULT 'infinity',
                                                        only_ids text[] DEFAULT NULL,
                                                        old_next_contacts timestamptz[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.kpi_daily_parts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- the conversations aggregated by hash: the planner, estimating a group
    -- per conversation (the day is an expression of the start), sorts every
    -- row to disk otherwise (10,000,000 rows at the bench's size)
    SET enable_sort = off
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    -- written in as a literal: a constant of the plan
    olds jsonb := gcanalytics._old_next_contacts(only_ids, old_next_contacts);
    tz   text := gcanalytics.reporting_time_zone();
BEGIN
-- with literals (_parts_range())
RETURN QUERY EXECUTE format($q$
WITH c AS (
    SELECT (i.conversation_start AT TIME ZONE %1$L)::date AS day, i.conversation_start,
           coalesce(i.queue_id, '(no queue)') AS queue_id,
           coalesce(i.queue_name, CASE WHEN i.queue_id IS NULL THEN '(no queue)' END) AS queue_name,
           coalesce(i.media_type, '(unknown)') AS media_type,
           coalesce(i.originating_direction, 'inbound') AS direction,
           coalesce(i.handled, false) AS handled, i.handle_ms, i.weighted_handle_ms::numeric AS weighted_handle_ms,
           i.transfers > 0 AS transferred, i.talk_ms, i.customer_hold_ms,
           i.customer_key IS NOT NULL AS fcr_eligible,
           coalesce(gcanalytics._next_contact(i.conversation_id, i.next_contact_at, %2$L::jsonb)
                    > i.conversation_start + %3$L::interval, true) AS resolved,
           coalesce(i.in_progress, false) AS in_progress,
           coalesce(i.wrapup_name, i.wrapup_code) AS wrapup
      FROM gcanalytics.interactions i
     WHERE %4$s
), g AS (   -- one scan: the sums per day, queue, medium, direction and wrap-up code
    SELECT day, queue_id, media_type, direction, wrapup, max(queue_name) AS queue_name,
           count(*) AS conversations,
           count(*) FILTER (WHERE handled) AS handled,
           sum(handle_ms) FILTER (WHERE handled) AS handle_ms_sum,
           sum(weighted_handle_ms) FILTER (WHERE handled) AS weighted_handle_ms_sum,
           count(*) FILTER (WHERE handled AND transferred) AS transferred,
           count(*) FILTER (WHERE handled AND fcr_eligible) AS fcr_eligible,
           count(*) FILTER (WHERE handled AND fcr_eligible AND resolved) AS fcr_resolved,
           sum(talk_ms) FILTER (WHERE handled) AS talk_ms_sum,
           sum(customer_hold_ms) FILTER (WHERE handled) AS hold_ms_sum,
           bool_or(in_progress) AS in_progress,
           -- its FCR window decides whether the day is final
           max(conversation_start) FILTER (WHERE handled) AS last_handled_start
      FROM c
     GROUP BY day, queue_id, media_type, direction, wrapup
), cs AS (   -- per day, queue, medium and direction, with the day's wrap-up codes
    -- (each once in g: listed and sorted after the aggregate, as an
    -- aggregate with DISTINCT or ORDER BY forbids hashing)
    SELECT day, queue_id, media_type, direction, max(queue_name) AS queue_name,
           sum(conversations)::bigint AS conversations, sum(handled)::bigint AS handled,
           coalesce(sum(handle_ms_sum), 0) AS handle_ms_sum,
           coalesce(sum(weighted_handle_ms_sum), 0) AS weighted_handle_ms_sum,
           sum(transferred)::bigint AS transferred, sum(fcr_eligible)::bigint AS fcr_eligible,
           sum(fcr_resolved)::bigint AS fcr_resolved, coalesce(sum(talk_ms_sum), 0) AS talk_ms_sum,
           coalesce(sum(hold_ms_sum), 0) AS hold_ms_sum, bool_or(in_progress) AS in_progress,
           max(last_handled_start) AS last_handled_start,
           (SELECT array_agg(w ORDER BY w) FROM unnest(array_agg(wrapup) FILTER (WHERE wrapup IS NOT NULL)) w)
               AS wrapup_codes
      FROM g
     GROUP BY day, queue_id, media_type, direction
), es AS (   -- each metric of each queue entry, on its day
    SELECT q.start_day, q.day, q.queue_id, q.media_type, 'inbound'::text AS direction, q.offered, q.answered,
           q.answered_in_sl, q.sl_entries, q.abandoned, q.short_abandoned, q.wait_ms_sum, q.answer_ms_sum
      FROM gcanalytics._queue_entry_sums(%5$L, %6$L, %7$L, %1$L, NULL) q
)
SELECT coalesce(cs.day, es.start_day), coalesce(cs.day, es.day), coalesce(cs.queue_id, es.queue_id),
       coalesce(cs.media_type, es.media_type), coalesce(cs.direction, es.direction), cs.queue_name,
       coalesce(cs.conversations, 0), coalesce(cs.handled, 0), coalesce(cs.handle_ms_sum, 0),
       coalesce(cs.weighted_handle_ms_sum, 0), coalesce(cs.transferred, 0), coalesce(cs.fcr_eligible, 0),
       coalesce(cs.fcr_resolved, 0), coalesce(cs.talk_ms_sum, 0), coalesce(cs.hold_ms_sum, 0),
       coalesce(cs.in_progress, false), cs.last_handled_start, cs.wrapup_codes,
       coalesce(es.offered, 0), coalesce(es.answered, 0), coalesce(es.answered_in_sl, 0), coalesce(es.sl_entries, 0),
       coalesce(es.abandoned, 0), coalesce(es.short_abandoned, 0), coalesce(es.wait_ms_sum, 0),
       coalesce(es.answer_ms_sum, 0)
  FROM cs
  FULL JOIN es ON es.start_day = cs.day AND es.day = cs.day AND es.queue_id = cs.queue_id
              AND es.media_type = cs.media_type AND es.direction = cs.direction
$q$, tz, olds, gcanalytics._window_length('fcr_window'), gcanalytics._parts_range('i', from_start, to_start, only_ids),
     from_start, to_start, only_ids);
END
$$;
COMMENT ON FUNCTION gcanalytics._kpi_daily_parts(timestamptz, timestamptz, text[], timestamptz[]) IS
    'the rows of kpi_daily_parts (kpi_daily''s rollup) of the conversations started in [from_start, to_start) (only those of only_ids when given, with old_next_contacts as their next contacts when given)';

-- kpi_daily and kpi_weekly are tables kept per changed key (README
-- "Incremental refresh"), like queue_interval: refresh_dashboards() deletes
-- and inserts the rows of the days (weeks) whose parts changed
-- (_kpi_daily_rows(), _kpi_weekly_rows()) and of those whose provisional
-- flag the move of complete_until changes.
CREATE TABLE gcanalytics.kpi_daily (
    day                    date,
    queue_id               text,
    queue_name             text,
    media_type             text,
    direction              text,
    conversations          bigint,
    offered                bigint,
    answered               bigint,
    handled                bigint,
    abandoned              bigint,
    short_abandoned        bigint,
    answered_in_sl         bigint,
    service_level_pct      numeric,
    abandon_rate_pct       numeric,
    avg_wait_s             numeric,
    asa_s                  numeric,
    service_level_rate     numeric,
    abandon_rate           numeric,
    avg_handle_s           numeric,
    avg_weighted_handle_s  numeric,
    transferred            bigint,
    transfer_rate_pct      numeric,
    fcr_eligible           bigint,
    fcr_resolved           bigint,
    fcr_pct                numeric,
    talk_ratio_pct         numeric,
    hold_ratio_pct         numeric,
    efficiency_score       numeric,
    wrapup_codes           text[],
    sl_entries             bigint,
    wait_ms_sum            numeric,
    answer_ms_sum          numeric,
    handle_ms_sum          numeric,
    weighted_handle_ms_sum numeric,
    talk_ms_sum            numeric,
    hold_ms_sum            numeric,
    provisional            boolean
);
CREATE UNIQUE INDEX kpi_daily_key ON gcanalytics.kpi_daily (day, queue_id, media_type, direction);

-- _kpi_rows(weekly, keys, complete_until): the rows of kpi_daily (weekly:
-- of kpi_weekly, a week's Monday in the column day) of the days (weeks)
-- named (every one when NULL): a day's summed from kpi_daily_parts, a
-- week's from kpi_daily (kept first); their rates from kpi_rates().  A
-- row is provisional when one it sums is (a day's: a conversation still
-- running, or an FCR window not closed within the final data) or when the
-- day (week) ends after complete_until (read once by the refresh).
CREATE OR REPLACE FUNCTION gcanalytics._kpi_rows(weekly boolean, keys date[], complete_until timestamptz)
    RETURNS SETOF gcanalytics.kpi_daily
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the keys' values (every key without a filter) and the
    -- source the grain reads (the other branch planned away)
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    lo date := coalesce((SELECT min(w) FROM unnest(keys) w), '-infinity');
    hi date := coalesce((SELECT max(w) + 7 FROM unnest(keys) w), 'infinity');
BEGIN
RETURN QUERY
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics._window_length('fcr_window') AS fcr_window,
           gcanalytics.reporting_time_zone() AS tz, _kpi_rows.complete_until
), p AS (   -- the rows summed, each with its key and whether it is provisional
    SELECT p.day AS k, p.queue_id, p.media_type, p.direction, p.queue_name, p.conversations, p.offered, p.answered,
           p.handled, p.abandoned, p.short_abandoned, p.answered_in_sl, p.sl_entries, p.wait_ms_sum, p.answer_ms_sum,
           p.handle_ms_sum, p.weighted_handle_ms_sum, p.transferred, p.fcr_eligible, p.fcr_resolved, p.talk_ms_sum,
           p.hold_ms_sum, p.wrapup_codes,
           p.in_progress OR p.last_handled_start + cfg.fcr_window > cfg.complete_until AS provisional
      FROM gcanalytics.kpi_daily_parts p CROSS JOIN cfg
     WHERE NOT weekly AND (keys IS NULL OR p.day = ANY (keys))
    UNION ALL
    SELECT date_trunc('week', d.day::timestamp)::date, d.queue_id, d.media_type, d.direction, d.queue_name,
           d.conversations, d.offered, d.answered, d.handled, d.abandoned, d.short_abandoned, d.answered_in_sl,
           d.sl_entries, d.wait_ms_sum, d.answer_ms_sum, d.handle_ms_sum, d.weighted_handle_ms_sum, d.transferred,
           d.fcr_eligible, d.fcr_resolved, d.talk_ms_sum, d.hold_ms_sum, d.wrapup_codes, d.provisional
      FROM gcanalytics.kpi_daily d
     WHERE weekly AND d.day >= lo AND d.day < hi
       AND (keys IS NULL OR date_trunc('week', d.day::timestamp)::date = ANY (keys))
), s AS (
    SELECT p.k, p.queue_id, p.media_type, p.direction, max(p.queue_name) AS queue_name,
           sum(p.conversations)::bigint AS conversations, sum(p.offered)::bigint AS offered,
           sum(p.answered)::bigint AS answered, sum(p.handled)::bigint AS handled,
           sum(p.abandoned)::bigint AS abandoned, sum(p.short_abandoned)::bigint AS short_abandoned,
           sum(p.answered_in_sl)::bigint AS answered_in_sl, sum(p.sl_entries)::bigint AS sl_entries,
           sum(p.wait_ms_sum) AS wait_ms_sum, sum(p.answer_ms_sum) AS answer_ms_sum,
           sum(p.handle_ms_sum) AS handle_ms_sum, sum(p.weighted_handle_ms_sum) AS weighted_handle_ms_sum,
           sum(p.transferred)::bigint AS transferred, sum(p.fcr_eligible)::bigint AS fcr_eligible,
           sum(p.fcr_resolved)::bigint AS fcr_resolved, sum(p.talk_ms_sum) AS talk_ms_sum,
           sum(p.hold_ms_sum) AS hold_ms_sum,
           -- the day (week) ends after the final data
           bool_or(p.provisional)
               OR (p.k + CASE WHEN weekly THEN 7 ELSE 1 END)::timestamp AT TIME ZONE min(cfg.tz) > min(cfg.complete_until)
               AS provisional
      FROM p CROSS JOIN cfg
     GROUP BY p.k, p.queue_id, p.media_type, p.direction
), w AS MATERIALIZED (   -- computed once: joined again for each row of s when the
    -- rows summed are underestimated (kpi_daily rewritten by this transaction, its statistics older)
    SELECT p.k, p.queue_id, p.media_type, p.direction, array_agg(DISTINCT x ORDER BY x) AS wrapup_codes
      FROM p, unnest(p.wrapup_codes) x
     GROUP BY p.k, p.queue_id, p.media_type, p.direction
)
SELECT s.k, s.queue_id,
       -- a day's rows name their queue (kpi_daily's rows: named already)
       coalesce(s.queue_name, CASE WHEN NOT weekly THEN q.name END) AS queue_name, s.media_type, s.direction,
       s.conversations, s.offered, s.answered, s.handled,
       s.abandoned, s.short_abandoned, s.answered_in_sl, r.service_level_pct, r.abandon_rate_pct, r.avg_wait_s, r.asa_s,
       r.service_level_rate, r.abandon_rate, r.avg_handle_s,
       r.avg_weighted_handle_s, s.transferred, r.transfer_rate_pct, s.fcr_eligible, s.fcr_resolved, r.fcr_pct,
       r.talk_ratio_pct, r.hold_ratio_pct, r.efficiency_score, coalesce(w.wrapup_codes, '{}') AS wrapup_codes,
       s.sl_entries, s.wait_ms_sum, s.answer_ms_sum, s.handle_ms_sum, s.weighted_handle_ms_sum, s.talk_ms_sum, s.hold_ms_sum,
       s.provisional
  FROM s LEFT JOIN w USING (k, queue_id, media_type, direction)
  LEFT JOIN gcanalytics.queues q USING (queue_id),
       LATERAL gcanalytics.kpi_rates(s.offered, s.answered, s.answered_in_sl, s.sl_entries, s.abandoned, s.wait_ms_sum,
                                     s.answer_ms_sum, s.handled, s.handle_ms_sum, s.weighted_handle_ms_sum, s.transferred,
                                     s.fcr_eligible, s.fcr_resolved, s.talk_ms_sum, s.hold_ms_sum) r;
END
$$;
COMMENT ON FUNCTION gcanalytics._kpi_rows(boolean, date[], timestamptz) IS
    'the rows of kpi_daily (weekly: of kpi_weekly) of the days (weeks) named (every one when NULL), summed from kpi_daily_parts (weekly: from kpi_daily), provisional after complete_until';

-- _kpi_daily_rows(days, complete_until): the rows of kpi_daily of the days
-- named (every day when NULL): _kpi_rows().
CREATE OR REPLACE FUNCTION gcanalytics._kpi_daily_rows(days date[], complete_until timestamptz)
    RETURNS SETOF gcanalytics.kpi_daily
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT * FROM gcanalytics._kpi_rows(false, days, complete_until) $$;
COMMENT ON FUNCTION gcanalytics._kpi_daily_rows(date[], timestamptz) IS
    'the rows of kpi_daily of the days named (every day when NULL), summed from kpi_daily_parts, provisional after complete_until';

-- ------------------------------------------------------------ kpi_weekly
-- kpi_daily's columns, a week (its Monday) for the day
CREATE TABLE gcanalytics.kpi_weekly (LIKE gcanalytics.kpi_daily);
ALTER TABLE gcanalytics.kpi_weekly RENAME COLUMN day TO week;
CREATE UNIQUE INDEX kpi_weekly_key ON gcanalytics.kpi_weekly (week, queue_id, media_type, direction);

-- _kpi_weekly_rows(weeks, complete_until): the rows of kpi_weekly of the
-- weeks named (every week when NULL), summed from kpi_daily (kept first):
-- _kpi_rows().
CREATE OR REPLACE FUNCTION gcanalytics._kpi_weekly_rows(weeks date[], complete_until timestamptz)
    RETURNS SETOF gcanalytics.kpi_weekly
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT * FROM gcanalytics._kpi_rows(true, weeks, complete_until) $$;
COMMENT ON FUNCTION gcanalytics._kpi_weekly_rows(date[], timestamptz) IS
    'the rows of kpi_weekly of the weeks named (every week when NULL), summed from kpi_daily, provisional after complete_until';

-- ------------------------------------------------------------ queue_interval
-- What workforce planners staff by: the queue figures of kpi_daily per
-- interval of interval_minutes (15 or 30), queue and media type, each on
-- the interval of its metric.  Intervals are whole multiples of the length
-- from a UTC midnight, which are the intervals of the reporting zone for
-- every zone whose offset is a multiple of it (all but a few: Nepal's
-- +05:45 has no 30-minute intervals); interval_local is the interval's
-- start in reporting_time_zone (twice the same across the autumn DST hour:
-- interval_start tells them apart).
-- Its rollup queue_interval_parts holds the figures per day the
-- conversations started and interval (_queue_interval_parts()).
-- only_ids: only those conversations (their contribution: a load's new ones).
CREATE OR REPLACE FUNCTION gcanalytics._queue_interval_parts(from_start timestamptz DEFAULT '-infinity',
                                                             to_start timestamptz DEFAULT 'infinity',
                                                             only_ids text[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.queue_interval_parts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the range's values (Citus plans no query with parameters)
    SET plan_cache_mode = force_custom_plan
    AS $$
BEGIN
RETURN QUERY
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz,
           make_interval(mins => gcanalytics.setting('interval_minutes')::int) AS step
)
SELECT q.start_day, q.bin, q.queue_id, q.media_type, q.offered, q.answered, q.answered_in_sl, q.sl_entries,
       q.abandoned, q.short_abandoned, q.wait_ms_sum, q.answer_ms_sum, q.handled, q.handle_ms_sum
  FROM cfg CROSS JOIN gcanalytics._queue_entry_sums(from_start, to_start, only_ids, cfg.tz, cfg.step) q;
END
$$;
COMMENT ON FUNCTION gcanalytics._queue_interval_parts(timestamptz, timestamptz, text[]) IS
    'the rows of queue_interval_parts (queue_interval''s rollup) of the conversations started in [from_start, to_start) (only those of only_ids when given)';

-- queue_interval is a table kept per day of its intervals (README
-- "Incremental refresh"): a REFRESH of a materialized view recomputes every
-- interval of the history, whatever changed.  refresh_dashboards() deletes
-- and inserts the rows of the days whose parts changed
-- (_queue_interval_rows()) and sets provisional where complete_until moved.
CREATE TABLE gcanalytics.queue_interval (
    interval_start     timestamptz NOT NULL,
    interval_local     timestamp NOT NULL,
    day                date NOT NULL,
    queue_id           text NOT NULL,
    queue_name         text,
    media_type         text NOT NULL,
    offered            bigint NOT NULL,
    answered           bigint NOT NULL,
    abandoned          bigint NOT NULL,
    short_abandoned    bigint NOT NULL,
    answered_in_sl     bigint NOT NULL,
    sl_entries         bigint NOT NULL,
    service_level_pct  numeric,
    service_level_rate numeric,
    abandon_rate       numeric,
    asa_s              numeric,
    avg_wait_s         numeric,
    avg_handle_s       numeric,
    handled            bigint NOT NULL,
    wait_ms_sum        numeric NOT NULL,
    answer_ms_sum      numeric NOT NULL,
    handle_ms_sum      numeric NOT NULL,
    provisional        boolean NOT NULL
);
CREATE UNIQUE INDEX queue_interval_key ON gcanalytics.queue_interval (interval_start, queue_id, media_type);
CREATE INDEX queue_interval_day ON gcanalytics.queue_interval (day);

-- _queue_interval_sums(days, intervals): queue_interval's sums per
-- interval, queue and media type of the days named (reporting_time_zone;
-- every day when NULL), only of the intervals named when given, from its
-- rollup.
CREATE OR REPLACE FUNCTION gcanalytics._queue_interval_sums(days date[], intervals timestamptz[] DEFAULT NULL)
    RETURNS TABLE (interval_start timestamptz, queue_id text, media_type text, offered bigint, answered bigint,
                   answered_in_sl bigint, sl_entries bigint, abandoned bigint, short_abandoned bigint, wait_ms_sum numeric,
                   answer_ms_sum numeric, handled bigint, handle_ms_sum numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the days' values: every day without a filter
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    tz text := gcanalytics.reporting_time_zone();
    lo timestamptz := coalesce((SELECT min(d)::timestamp AT TIME ZONE tz FROM unnest(days) d), '-infinity');
    hi timestamptz := coalesce((SELECT (max(d) + 1)::timestamp AT TIME ZONE tz FROM unnest(days) d), 'infinity');
BEGIN
RETURN QUERY
SELECT p.interval_start, p.queue_id, p.media_type,
       sum(p.offered)::bigint, sum(p.answered)::bigint, sum(p.answered_in_sl)::bigint, sum(p.sl_entries)::bigint,
       sum(p.abandoned)::bigint, sum(p.short_abandoned)::bigint, sum(p.wait_ms_sum), sum(p.answer_ms_sum),
       sum(p.handled)::bigint, sum(p.handle_ms_sum)
  FROM gcanalytics.queue_interval_parts p
 WHERE p.interval_start >= lo AND p.interval_start < hi
   AND (days IS NULL OR (p.interval_start AT TIME ZONE tz)::date = ANY (days))
   AND (intervals IS NULL OR p.interval_start = ANY (intervals))
 GROUP BY 1, 2, 3;
END
$$;
COMMENT ON FUNCTION gcanalytics._queue_interval_sums(date[], timestamptz[]) IS
    'queue_interval''s sums per interval, queue and media type of the days named (every day when NULL), only of the intervals named when given, from queue_interval_parts';

-- _queue_interval_rows(days, complete_until, intervals): the rows of
-- queue_interval of the days named (reporting_time_zone; every day when
-- NULL), only of the intervals named when given, from its rollup
-- (_queue_interval_sums()), provisional after complete_until (read once
-- by the refresh).
CREATE OR REPLACE FUNCTION gcanalytics._queue_interval_rows(days date[], complete_until timestamptz,
                                                            intervals timestamptz[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.queue_interval
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
RETURN QUERY
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz, _queue_interval_rows.complete_until,
           make_interval(mins => gcanalytics.setting('interval_minutes')::int) AS step
)
SELECT s.interval_start, (s.interval_start AT TIME ZONE cfg.tz) AS interval_local,
       (s.interval_start AT TIME ZONE cfg.tz)::date AS day, s.queue_id, q.name AS queue_name, s.media_type,
       s.offered, s.answered, s.abandoned, s.short_abandoned, s.answered_in_sl, s.sl_entries,
       round(100.0 * s.answered_in_sl / nullif(s.sl_entries, 0), 2) AS service_level_pct,
       round(s.answered_in_sl::numeric / nullif(s.sl_entries, 0), 4) AS service_level_rate,
       round(s.abandoned::numeric / nullif(s.offered, 0), 4) AS abandon_rate,
       round(s.answer_ms_sum / nullif(s.answered, 0) / 1000.0, 2) AS asa_s,
       round(s.wait_ms_sum / nullif(s.offered, 0) / 1000.0, 2) AS avg_wait_s,
       round(s.handle_ms_sum / nullif(s.handled, 0) / 1000.0, 2) AS avg_handle_s,
       s.handled, s.wait_ms_sum, s.answer_ms_sum, s.handle_ms_sum,
       s.interval_start + cfg.step > cfg.complete_until AS provisional
  FROM gcanalytics._queue_interval_sums(days, intervals) s CROSS JOIN cfg
  LEFT JOIN gcanalytics.queues q ON q.queue_id = s.queue_id;
END
$$;
COMMENT ON FUNCTION gcanalytics._queue_interval_rows(date[], timestamptz, timestamptz[]) IS
    'the rows of queue_interval of the days named (reporting_time_zone; every day when NULL), only of the intervals named when given, from queue_interval_parts, provisional after complete_until';

-- ------------------------------------------------------------ escalation
-- tier_label(account, tier): the tier of a linked account, 'no tier' for
-- an account without one, 'no account' for a conversation without.
CREATE OR REPLACE FUNCTION gcanalytics.tier_label(account_id text, tier text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN account_id IS NULL THEN 'no account' ELSE coalesce(tier, 'no tier') END;
COMMENT ON FUNCTION gcanalytics.tier_label(text, text) IS
    'the tier of a linked account, ''no tier'' for an account without one, ''no account'' for a conversation without an account';

-- _current_tiers(): every account's tier today when the setting
-- tier_reporting is current, no row when it is at_call_time: the
-- escalation views take a conversation's tier from here when its account
-- has a row, else the tier valid at its start (interactions.customer_tier).
CREATE OR REPLACE FUNCTION gcanalytics._current_tiers()
    RETURNS TABLE (account_id text, tier text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT a.account_id, a.tier FROM gcanalytics.crm_accounts a WHERE gcanalytics.current_tier_reporting()
$$;

-- _reported_tier(account, tier at the call, current account, current tier):
-- the tier a conversation is reported under (tier_label()): the account's
-- tier today when _current_tiers() has a row for it (current_account, its
-- LEFT JOIN's key, not NULL), else the tier valid at the call.
CREATE OR REPLACE FUNCTION gcanalytics._reported_tier(account_id text, tier_at_call text, current_account text,
                                                      current_tier text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN gcanalytics.tier_label(account_id, CASE WHEN current_account IS NULL THEN tier_at_call ELSE current_tier END);
COMMENT ON FUNCTION gcanalytics._reported_tier(text, text, text, text) IS
    'the tier a conversation is reported under: its account''s tier today when _current_tiers() has it, else the tier at the call (tier_label())';

-- Both escalation views count each account once in two steps (per account,
-- then per tier) rather than with count(DISTINCT), which sorts every row.
-- Their rollup escalation_parts holds the figures per start day, account
-- and tier at the call (_escalation_parts()); the views are derived from it
-- per week and per account (below), so with tier_reporting current each
-- account's tier today (_current_tiers()) replaces it without touching the
-- rollup.
-- only_ids: only those conversations (their contribution: a load's new ones).
CREATE OR REPLACE FUNCTION gcanalytics._escalation_parts(from_start timestamptz DEFAULT '-infinity',
                                                         to_start timestamptz DEFAULT 'infinity',
                                                         only_ids text[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.escalation_parts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
-- with literals (_parts_range())
RETURN QUERY EXECUTE format($q$
SELECT (i.conversation_start AT TIME ZONE %L)::date, i.crm_account_id, i.customer_tier,
       count(*), count(*) FILTER (WHERE i.was_escalated), max(i.ltv) FILTER (WHERE i.was_escalated),
       bool_or(coalesce(i.in_progress, false)), min(i.conversation_start), max(i.conversation_start)
  FROM gcanalytics.interactions i
 WHERE %s
 GROUP BY 1, 2, 3
$q$, gcanalytics.reporting_time_zone(), gcanalytics._parts_range('i', from_start, to_start, only_ids));
END
$$;
COMMENT ON FUNCTION gcanalytics._escalation_parts(timestamptz, timestamptz, text[]) IS
    'the rows of escalation_parts (the escalation views'' rollup) of the conversations started in [from_start, to_start) (only those of only_ids when given)';

-- Both escalation dashboards are tables kept per changed key (README
-- "Incremental refresh"): escalation_weekly per week, escalation_by_tier
-- per tier, its sums changed by those of the rows of escalation_accounts (a
-- row per account and tier at the call) replaced for the accounts whose
-- days changed.
-- The tier an account counts under (tier_label() of its tier at the call,
-- or of its tier today when tier_reporting is current) is kept in
-- escalation_accounts.tier: an account whose tier today (or the setting)
-- changed has its weeks recomputed too.
CREATE TABLE gcanalytics.escalation_weekly (
    week                date NOT NULL,
    tier                text NOT NULL,
    conversations       bigint NOT NULL,
    escalated           bigint NOT NULL,
    escalation_rate_pct numeric,
    accounts            bigint NOT NULL,
    escalated_accounts  bigint NOT NULL,
    escalated_ltv       numeric NOT NULL,
    provisional         boolean NOT NULL
);
CREATE UNIQUE INDEX escalation_weekly_key ON gcanalytics.escalation_weekly (week, tier);

CREATE TABLE gcanalytics.escalation_by_tier (
    tier                text NOT NULL,
    conversations       bigint NOT NULL,
    escalated           bigint NOT NULL,
    escalation_rate_pct numeric,
    accounts            bigint NOT NULL,
    escalated_accounts  bigint NOT NULL,
    escalated_ltv       numeric NOT NULL,
    first_day           date,
    last_day            date,
    provisional         boolean NOT NULL
);
CREATE UNIQUE INDEX escalation_by_tier_key ON gcanalytics.escalation_by_tier (tier);

-- _escalation_week_account_rows(weeks, accounts, every_week): the rows of
-- escalation_week_accounts (escalation_weekly's rollup: a row per week,
-- tier reported and account) of the weeks named for the accounts named and
-- the conversations without an account, and of every week for the accounts
-- of every_week (their tier reported changed); every row when weeks is NULL.
-- Through escalation_parts' key (start day, account): a few rows an account.
CREATE OR REPLACE FUNCTION gcanalytics._escalation_week_account_rows(weeks date[] DEFAULT NULL, accounts text[] DEFAULT '{}',
                                                                     every_week text[] DEFAULT '{}')
    RETURNS SETOF gcanalytics.escalation_week_accounts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the arrays' values: every row without a filter
    SET plan_cache_mode = force_custom_plan
    -- aggregated by hash: the planner, estimating a group per row, sorts
    -- every row of a full rebuild to disk otherwise
    SET enable_sort = off
    AS $$
DECLARE
    days date[] := ARRAY(SELECT w + g FROM unnest(weeks) w, generate_series(0, 6) g);
BEGIN
RETURN QUERY
SELECT date_trunc('week', p.start_day::timestamp)::date,
       gcanalytics._reported_tier(p.crm_account_id, p.customer_tier, ct.account_id, ct.tier), p.crm_account_id,
       sum(p.conversations)::bigint, sum(p.escalated)::bigint, max(p.escalated_ltv), bool_or(p.in_progress)
  FROM gcanalytics.escalation_parts p
  LEFT JOIN gcanalytics._current_tiers() ct ON ct.account_id = p.crm_account_id
 WHERE weeks IS NULL
    OR (p.start_day = ANY (days) AND p.crm_account_id = ANY (accounts))
    OR (p.start_day = ANY (days) AND p.crm_account_id IS NULL)
    OR p.crm_account_id = ANY (every_week)
 GROUP BY 1, 2, 3;
END
$$;
COMMENT ON FUNCTION gcanalytics._escalation_week_account_rows(date[], text[], text[]) IS
    'the rows of escalation_week_accounts of the weeks named for the accounts named and the conversations without an account, and of every week for the accounts of every_week (every row when weeks is NULL)';

-- _escalation_weekly_rows(weeks, complete_until): the rows of
-- escalation_weekly of the weeks named (every week when NULL), from
-- escalation_week_accounts (kept first), provisional after complete_until.
CREATE OR REPLACE FUNCTION gcanalytics._escalation_weekly_rows(weeks date[], complete_until timestamptz)
    RETURNS SETOF gcanalytics.escalation_weekly
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the weeks' values: every week without a filter
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    tz text := gcanalytics.reporting_time_zone();
BEGIN
RETURN QUERY
SELECT a.week, a.tier, sum(a.conversations)::bigint AS conversations, sum(a.escalated)::bigint AS escalated,
       round(100.0 * sum(a.escalated) / sum(a.conversations), 2) AS escalation_rate_pct,
       count(a.crm_account_id) AS accounts,
       count(a.crm_account_id) FILTER (WHERE a.escalated > 0) AS escalated_accounts,
       coalesce(sum(a.escalated_ltv) FILTER (WHERE a.crm_account_id IS NOT NULL), 0) AS escalated_ltv,
       bool_or(a.in_progress) OR (a.week + 7)::timestamp AT TIME ZONE tz > complete_until AS provisional
  FROM gcanalytics.escalation_week_accounts a
 WHERE weeks IS NULL OR a.week = ANY (weeks)
 GROUP BY a.week, a.tier;
END
$$;
COMMENT ON FUNCTION gcanalytics._escalation_weekly_rows(date[], timestamptz) IS
    'the rows of escalation_weekly of the weeks named (every week when NULL), from escalation_week_accounts, provisional after complete_until';

-- _escalation_account_rows(accounts): the rows of escalation_accounts of the
-- accounts named and of the conversations without an account (every
-- account when NULL), from escalation_parts.
CREATE OR REPLACE FUNCTION gcanalytics._escalation_account_rows(accounts text[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.escalation_accounts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
BEGIN
RETURN QUERY
SELECT p.crm_account_id, p.customer_tier,
       gcanalytics._reported_tier(p.crm_account_id, p.customer_tier, min(ct.account_id), min(ct.tier)),
       sum(p.conversations)::bigint, sum(p.escalated)::bigint, max(p.escalated_ltv), bool_or(p.in_progress),
       min(p.first_start), max(p.last_start)
  FROM gcanalytics.escalation_parts p
  LEFT JOIN gcanalytics._current_tiers() ct ON ct.account_id = p.crm_account_id
 WHERE accounts IS NULL OR p.crm_account_id = ANY (accounts) OR p.crm_account_id IS NULL
 GROUP BY p.crm_account_id, p.customer_tier;
END
$$;
COMMENT ON FUNCTION gcanalytics._escalation_account_rows(text[]) IS
    'the rows of escalation_accounts of the accounts named and of the conversations without an account (every account when NULL)';

-- _escalation_tier_sums(of_accounts): escalation_by_tier's sums per tier of
-- the rows of escalation_accounts of the accounts named and of the
-- conversations without an account (every account when NULL): each account
-- once per tier (an account's rows are all replaced together, so the sums
-- of the accounts a refresh replaces, before and after, are the change of
-- the tiers' sums).
CREATE OR REPLACE FUNCTION gcanalytics._escalation_tier_sums(of_accounts text[] DEFAULT NULL)
    RETURNS TABLE (tier text, conversations bigint, escalated bigint, accounts bigint, escalated_accounts bigint,
                   escalated_ltv numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
BEGIN
RETURN QUERY
WITH a AS (   -- per tier and account (conversations without one: a NULL account)
    SELECT e.tier, e.crm_account_id, sum(e.conversations) AS conversations, sum(e.escalated) AS escalated,
           max(e.escalated_ltv) AS escalated_ltv
      FROM gcanalytics.escalation_accounts e
     WHERE of_accounts IS NULL OR e.crm_account_id = ANY (of_accounts)
        OR e.crm_account_id IS NULL
     GROUP BY 1, 2
)
SELECT a.tier, sum(a.conversations)::bigint, sum(a.escalated)::bigint, count(a.crm_account_id),
       count(a.crm_account_id) FILTER (WHERE a.escalated > 0),
       coalesce(sum(a.escalated_ltv) FILTER (WHERE a.crm_account_id IS NOT NULL), 0)
  FROM a
 GROUP BY a.tier;
END
$$;
COMMENT ON FUNCTION gcanalytics._escalation_tier_sums(text[]) IS
    'escalation_by_tier''s sums per tier (conversations, escalations, accounts, escalated accounts and their lifetime value) of the rows of escalation_accounts of the accounts named and of the conversations without an account (every account when NULL)';

-- _escalation_tier_figures(tier, conversations, escalated, complete_until, tz):
-- the rest of a tier's row of escalation_by_tier: the rate, and the first
-- and last days and the flag from escalation_accounts through its indexes
-- (a few index entries, not the tier's accounts).
CREATE OR REPLACE FUNCTION gcanalytics._escalation_tier_figures(tier text, conversations bigint, escalated bigint,
                                                                complete_until timestamptz, tz text,
                                                                OUT escalation_rate_pct numeric, OUT first_day date,
                                                                OUT last_day date, OUT provisional boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    last_start timestamptz := (SELECT max(e.last_start) FROM gcanalytics.escalation_accounts e
                                WHERE e.tier = _escalation_tier_figures.tier);
BEGIN
    escalation_rate_pct := round(100.0 * escalated / conversations, 2);
    first_day := ((SELECT min(e.first_start) FROM gcanalytics.escalation_accounts e
                    WHERE e.tier = _escalation_tier_figures.tier) AT TIME ZONE tz)::date;
    last_day := (last_start AT TIME ZONE tz)::date;
    provisional := EXISTS (SELECT 1 FROM gcanalytics.escalation_accounts e
                            WHERE e.tier = _escalation_tier_figures.tier AND e.in_progress)
                   OR last_start >= complete_until;
END
$$;
COMMENT ON FUNCTION gcanalytics._escalation_tier_figures(text, bigint, bigint, timestamptz, text) IS
    'a tier''s escalation rate, first and last days (reporting_time_zone) and provisional flag (a conversation in progress, or one at or after complete_until) in escalation_by_tier, from escalation_accounts'' indexes';

-- _escalation_by_tier_rows(complete_until): the rows of escalation_by_tier,
-- from escalation_accounts (each account once per tier): its full rebuild.
CREATE OR REPLACE FUNCTION gcanalytics._escalation_by_tier_rows(complete_until timestamptz)
    RETURNS SETOF gcanalytics.escalation_by_tier
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT s.tier, s.conversations, s.escalated, f.escalation_rate_pct, s.accounts, s.escalated_accounts, s.escalated_ltv,
       f.first_day, f.last_day, f.provisional
  FROM (SELECT gcanalytics.reporting_time_zone() AS tz) cfg, gcanalytics._escalation_tier_sums() s,
       LATERAL gcanalytics._escalation_tier_figures(s.tier, s.conversations, s.escalated, complete_until, cfg.tz) f
$$;
COMMENT ON FUNCTION gcanalytics._escalation_by_tier_rows(timestamptz) IS
    'the rows of escalation_by_tier, summed from escalation_accounts, provisional from complete_until';

-- diff_in_diff_test(x1, n1, x2, n2, y1, n1r, y2, n2r): does the change of
-- one share (x1/n1 -> x2/n2) differ from the change of another (y1/m1 ->
-- y2/m2)?  The difference of the two differences over its standard error
-- (the four shares' binomial variances, unpooled): z > 0 when the first
-- rose more; p_value two-sided.  NULL when a side is empty or every share
-- is 0 or 1.
CREATE OR REPLACE FUNCTION gcanalytics.diff_in_diff_test(x1 bigint, n1 bigint, x2 bigint, n2 bigint,
                                              y1 bigint, m1 bigint, y2 bigint, m2 bigint,
                                              OUT z float8, OUT p_value float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT zz, gcanalytics.erfc(abs(zz) / sqrt(2.0))
  FROM (SELECT CASE WHEN n1 > 0 AND n2 > 0 AND m1 > 0 AND m2 > 0 AND v > 0
                    THEN ((a2 - a1) - (b2 - b1)) / sqrt(v) END AS zz
          FROM (SELECT a1, a2, b1, b2,
                       a1 * (1 - a1) / n1 + a2 * (1 - a2) / n2 + b1 * (1 - b1) / m1 + b2 * (1 - b2) / m2 AS v
                  FROM (SELECT x1::float8 / nullif(n1, 0) AS a1, x2::float8 / nullif(n2, 0) AS a2,
                               y1::float8 / nullif(m1, 0) AS b1, y2::float8 / nullif(m2, 0) AS b2) r) s) t
$$;
COMMENT ON FUNCTION gcanalytics.diff_in_diff_test(bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint) IS
    'z-test of the difference between two changes of share (x1/n1 -> x2/n2 against y1/m1 -> y2/m2), unpooled: z and the two-sided p-value';

-- The insight: each tier's closed week against the closed week before it
-- (provisional weeks are shown, never compared), the tier's rate and the
-- overall rate each with its own figures, the two-proportion z-test of the
-- tier's change, the difference-in-differences test of the tier's change
-- against the other tiers' (only then "concentrated in"), and the releases
-- between the two weeks (at their boundary) named in the sentence.
CREATE OR REPLACE VIEW gcanalytics.escalation_insights AS
WITH z AS (   -- read here, not through setting(): a view reads its tables as its owner
    SELECT coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'reporting_time_zone'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'reporting_time_zone')) AS tz,
           coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'insight_max_p'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'insight_max_p'))::float8 AS max_p,
           coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'insight_min_conversations'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'insight_min_conversations'))::bigint AS min_n
), o AS (   -- every tier together
    SELECT week, sum(conversations)::bigint AS conversations, sum(escalated)::bigint AS escalated
      FROM gcanalytics.escalation_weekly GROUP BY week
), w AS (
    SELECT cur.week, cur.tier, prev.conversations AS prev_conversations, prev.escalated AS prev_escalated,
           100.0 * prev.escalated / prev.conversations AS prev_rate,
           cur.conversations, cur.escalated, 100.0 * cur.escalated / cur.conversations AS rate,
           100.0 * op.escalated / op.conversations AS overall_prev_rate, 100.0 * oc.escalated / oc.conversations AS overall_rate,
           cur.escalated_ltv, cur.provisional OR prev.provisional AS provisional, t.z, t.p_value,
           d.z AS concentration_z, d.p_value AS concentration_p,
           (SELECT string_agg(format('%s on %s', r.release_name, to_char(r.released_at AT TIME ZONE z.tz, 'YYYY-MM-DD')), ', '
                              ORDER BY r.released_at, r.release_name)
              FROM gcanalytics.releases r
             WHERE r.released_at >= cur.week::timestamp AT TIME ZONE z.tz
               AND r.released_at < (cur.week + 7)::timestamp AT TIME ZONE z.tz) AS releases,
           -- between the two weeks: after the earlier ends, not after the later starts
           (SELECT string_agg(format('%s on %s', r.release_name, to_char(r.released_at AT TIME ZONE z.tz, 'YYYY-MM-DD')), ', '
                              ORDER BY r.released_at, r.release_name)
              FROM gcanalytics.releases r
             WHERE r.released_at = cur.week::timestamp AT TIME ZONE z.tz) AS releases_between,
           (SELECT count(*) FROM gcanalytics.releases r
             WHERE r.released_at = cur.week::timestamp AT TIME ZONE z.tz) AS n_releases_between,
           z.max_p, z.min_n
      FROM z CROSS JOIN gcanalytics.escalation_weekly cur
      JOIN gcanalytics.escalation_weekly prev ON prev.tier = cur.tier AND prev.week = cur.week - 7
      JOIN o oc ON oc.week = cur.week
      JOIN o op ON op.week = prev.week,
           LATERAL gcanalytics.two_proportion_test(prev.escalated, prev.conversations, cur.escalated, cur.conversations) t,
           -- the tier's change against the change of every other tier together
           LATERAL gcanalytics.diff_in_diff_test(prev.escalated, prev.conversations, cur.escalated, cur.conversations,
                                                 op.escalated - prev.escalated, op.conversations - prev.conversations,
                                                 oc.escalated - cur.escalated, oc.conversations - cur.conversations) d
), s AS (
    SELECT w.*, NOT w.provisional AND w.p_value < w.max_p
                AND w.prev_conversations >= w.min_n AND w.conversations >= w.min_n AS significant
      FROM w
)
SELECT s.week, s.tier, s.prev_conversations, s.prev_escalated, round(s.prev_rate, 2) AS prev_rate_pct,
       s.conversations, s.escalated, round(s.rate, 2) AS rate_pct,
       round(s.rate - s.prev_rate, 2) AS change_points, s.z, s.p_value, coalesce(s.significant, false) AS significant,
       s.releases, s.escalated_ltv, s.provisional,
       round(s.overall_prev_rate, 2) AS overall_prev_rate_pct, round(s.overall_rate, 2) AS overall_rate_pct,
       s.concentration_z, s.concentration_p,
       coalesce(s.significant AND s.concentration_p < s.max_p, false) AS concentrated, s.releases_between,
       CASE WHEN s.significant THEN
           format('%s escalation %s %s points (%s %% to %s %%); overall %s %% to %s %%%s%s',
                  s.tier, CASE WHEN s.rate > s.prev_rate THEN 'rose' ELSE 'fell' END,
                  round(abs(s.rate - s.prev_rate), 1), round(s.prev_rate, 1), round(s.rate, 1),
                  round(s.overall_prev_rate, 1), round(s.overall_rate, 1),
                  CASE WHEN s.concentration_p < s.max_p
                       THEN format(', concentrated in %s (difference-in-differences z-test against the other tiers, %s)', s.tier,
                                   CASE WHEN s.concentration_p < 0.001 THEN 'p < 0.001'
                                        ELSE format('p = %s', round(s.concentration_p::numeric, 3)) END)
                       ELSE '' END,
                  CASE WHEN s.n_releases_between = 1 THEN ', starting after release ' || s.releases_between
                       WHEN s.n_releases_between > 1 THEN ', starting after releases ' || s.releases_between
                       ELSE '' END)
       END AS sentence
  FROM s;

-- ------------------------------------------------------------ bot containment
CREATE OR REPLACE FUNCTION gcanalytics.industry_label(account_id text, industry text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN account_id IS NULL THEN 'no account' ELSE coalesce(industry, 'no industry') END;
COMMENT ON FUNCTION gcanalytics.industry_label(text, text) IS
    'the industry of a linked account, ''no industry'' for an account without one, ''no account'' for a conversation without an account';

-- Its rollup bot_containment_parts holds the figures per start day,
-- industry, media type and account (only the accounts of contained
-- conversations, whose lifetime value counts once per week).
-- only_ids, old_next_contacts: as _kpi_daily_parts()'s.
CREATE OR REPLACE FUNCTION gcanalytics._bot_containment_parts(from_start timestamptz DEFAULT '-infinity',
                                                              to_start timestamptz DEFAULT 'infinity',
                                                              only_ids text[] DEFAULT NULL,
                                                              old_next_contacts timestamptz[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.bot_containment_parts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    -- written in as a literal: a constant of the plan
    olds jsonb := gcanalytics._old_next_contacts(only_ids, old_next_contacts);
BEGIN
-- with literals (_parts_range())
RETURN QUERY EXECUTE format($q$
WITH c AS (
    SELECT (i.conversation_start AT TIME ZONE %1$L)::date AS day, i.conversation_start,
           gcanalytics.industry_label(i.crm_account_id, i.industry) AS industry,
           coalesce(i.media_type, '(unknown)') AS media_type,
           -- loaded before 0.3.0 (no self_service yet): bots only
           coalesce(i.contained, i.handled_by_bot_only, false) AS contained,
           i.customer_key IS NOT NULL AS known,
           coalesce(gcanalytics._next_contact(i.conversation_id, i.next_contact_at, %2$L::jsonb)
                    > i.conversation_start + %3$L::interval, true) AS held,
           i.crm_account_id, i.ltv, coalesce(i.in_progress, false) AS in_progress
      FROM gcanalytics.interactions i
     -- over the conversations that entered a bot or IVR flow
     WHERE (i.self_service IS NOT NULL OR (i.self_service IS NULL AND i.contained IS NULL AND i.handled_by_bot_only))
       AND %4$s
)
SELECT day, industry, media_type, CASE WHEN contained THEN crm_account_id END AS account,
       count(*), count(*) FILTER (WHERE contained), count(*) FILTER (WHERE contained AND known),
       count(*) FILTER (WHERE contained AND known AND held), bool_or(in_progress), max(conversation_start),
       max(ltv) FILTER (WHERE contained)
  FROM c
 GROUP BY 1, 2, 3, 4
$q$, gcanalytics.reporting_time_zone(), olds, gcanalytics._window_length('containment_window'),
     gcanalytics._parts_range('i', from_start, to_start, only_ids));
END
$$;
COMMENT ON FUNCTION gcanalytics._bot_containment_parts(timestamptz, timestamptz, text[], timestamptz[]) IS
    'the rows of bot_containment_parts (bot_containment_by_industry''s rollup) of the conversations started in [from_start, to_start) (only those of only_ids when given, with old_next_contacts as their next contacts when given)';

-- bot_containment_by_industry is a table kept per changed key (README
-- "Incremental refresh"), like kpi_weekly: refresh_dashboards() deletes and
-- inserts the rows of the weeks whose parts changed and of those whose
-- provisional flag the move of complete_until changes
-- (_bot_containment_by_industry_rows()).
CREATE TABLE gcanalytics.bot_containment_by_industry (
    week             date,
    industry         text,
    media_type       text,
    conversations    bigint,
    contained        bigint,
    containment_pct  numeric,
    containment_rate numeric,
    contained_known  bigint,
    contained_held   bigint,
    held_pct         numeric,
    contained_ltv    numeric,
    provisional      boolean
);
CREATE UNIQUE INDEX bot_containment_by_industry_key
    ON gcanalytics.bot_containment_by_industry (week, industry, media_type);

-- _bot_containment_by_industry_rows(weeks, complete_until): the rows of
-- bot_containment_by_industry of the weeks named (every week when NULL),
-- summed from bot_containment_parts, provisional after complete_until.
CREATE OR REPLACE FUNCTION gcanalytics._bot_containment_by_industry_rows(weeks date[], complete_until timestamptz)
    RETURNS SETOF gcanalytics.bot_containment_by_industry
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the weeks' values: every week without a filter
    SET plan_cache_mode = force_custom_plan
    AS $$
BEGIN
RETURN QUERY
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics._window_length('containment_window') AS window, gcanalytics.reporting_time_zone() AS tz,
           _bot_containment_by_industry_rows.complete_until
), p AS (
    SELECT date_trunc('week', p.start_day::timestamp)::date AS week, p.*
      FROM gcanalytics.bot_containment_parts p
     -- the weeks' range first (the index on start_day), then the weeks
     WHERE p.start_day >= coalesce((SELECT min(w) FROM unnest(weeks) w), '-infinity')
       AND p.start_day < coalesce((SELECT max(w) + 7 FROM unnest(weeks) w), 'infinity')
       AND (weeks IS NULL OR date_trunc('week', p.start_day::timestamp)::date = ANY (weeks))
), a AS (   -- each account once per week, industry and medium
    SELECT p.week, p.industry, p.media_type, p.crm_account_id, max(p.contained_ltv) AS ltv
      FROM p WHERE p.crm_account_id IS NOT NULL
     GROUP BY p.week, p.industry, p.media_type, p.crm_account_id
)
SELECT g.week, g.industry, g.media_type, g.conversations, g.contained,
       round(100.0 * g.contained / g.conversations, 2) AS containment_pct,
       round(g.contained::numeric / g.conversations, 4) AS containment_rate,
       g.contained_known, g.contained_held,
       round(100.0 * g.contained_held / nullif(g.contained_known, 0), 2) AS held_pct,
       coalesce(a.contained_ltv, 0) AS contained_ltv,
       -- still running, or a containment window not closed within the final data
       g.in_progress OR g.last_start + cfg.window > cfg.complete_until
           OR (g.week + 7)::timestamp AT TIME ZONE cfg.tz > cfg.complete_until AS provisional
  FROM (SELECT p.week, p.industry, p.media_type, sum(p.conversations)::bigint AS conversations,
               sum(p.contained)::bigint AS contained, sum(p.contained_known)::bigint AS contained_known,
               sum(p.contained_held)::bigint AS contained_held, bool_or(p.in_progress) AS in_progress,
               max(p.last_start) AS last_start
          FROM p GROUP BY p.week, p.industry, p.media_type) g
 CROSS JOIN cfg
  LEFT JOIN (SELECT a.week, a.industry, a.media_type, sum(a.ltv) AS contained_ltv
               FROM a GROUP BY a.week, a.industry, a.media_type) a USING (week, industry, media_type);
END
$$;
COMMENT ON FUNCTION gcanalytics._bot_containment_by_industry_rows(date[], timestamptz) IS
    'the rows of bot_containment_by_industry of the weeks named (every week when NULL), summed from bot_containment_parts, provisional after complete_until';

-- ------------------------------------------------------------ agent quality
-- Only evaluations of conversations the warehouse keeps (internal queues
-- are not loaded: their evaluations are not counted either); calibrations
-- apart.  agent_quality over everything loaded, agent_quality_weekly per
-- ISO week of the evaluated conversation's start.
CREATE MATERIALIZED VIEW gcanalytics.agent_quality AS
SELECT e.agent_id, max(u.name) AS agent_name, coalesce(e.form_id, '') AS form_id, max(e.form_name) AS form_name,
       count(*) FILTER (WHERE f.finished) AS evaluations,
       count(*) FILTER (WHERE NOT f.finished) AS unfinished,
       round(avg(e.total_score::numeric) FILTER (WHERE f.finished)::numeric, 2) AS avg_score,
       round(min(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS min_score,
       round(max(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS max_score,
       round(avg(e.total_critical_score::numeric) FILTER (WHERE f.finished)::numeric, 2) AS avg_critical_score,
       count(*) FILTER (WHERE f.finished AND e.any_failed_kill_questions) AS failed_kill_questions,
       min(e.conversation_start) FILTER (WHERE f.finished) AS first_conversation,
       max(e.conversation_start) FILTER (WHERE f.finished) AS last_conversation,
       -- evaluations of the last evaluation_lookback still arrive and change
       max(e.conversation_start) >= gcanalytics.complete_until('evaluations') AS provisional
  FROM gcanalytics.evaluations e
  LEFT JOIN gcanalytics.users u ON u.user_id = e.agent_id,
       LATERAL (SELECT upper(e.status) = 'FINISHED' AS finished) f
 WHERE NOT coalesce(e.is_calibration, false) AND e.agent_id IS NOT NULL
   AND e.conversation_id IN (SELECT i.conversation_id FROM gcanalytics.interactions i)
 GROUP BY e.agent_id, coalesce(e.form_id, '');
CREATE UNIQUE INDEX agent_quality_key ON gcanalytics.agent_quality (agent_id, form_id);

CREATE MATERIALIZED VIEW gcanalytics.agent_quality_weekly AS
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz, gcanalytics.complete_until('evaluations') AS complete_until
), e AS (
    SELECT date_trunc('week', e.conversation_start AT TIME ZONE cfg.tz)::date AS week, e.*,
           upper(e.status) = 'FINISHED' AS finished
      FROM gcanalytics.evaluations e CROSS JOIN cfg
     WHERE NOT coalesce(e.is_calibration, false) AND e.agent_id IS NOT NULL AND e.conversation_start IS NOT NULL
       AND e.conversation_id IN (SELECT i.conversation_id FROM gcanalytics.interactions i)
)
SELECT e.week, e.agent_id, max(u.name) AS agent_name, coalesce(e.form_id, '') AS form_id, max(e.form_name) AS form_name,
       count(*) FILTER (WHERE e.finished) AS evaluations,
       count(*) FILTER (WHERE NOT e.finished) AS unfinished,
       round(avg(e.total_score::numeric) FILTER (WHERE e.finished)::numeric, 2) AS avg_score,
       round(min(e.total_score) FILTER (WHERE e.finished)::numeric, 2) AS min_score,
       round(max(e.total_score) FILTER (WHERE e.finished)::numeric, 2) AS max_score,
       round(avg(e.total_critical_score::numeric) FILTER (WHERE e.finished)::numeric, 2) AS avg_critical_score,
       count(*) FILTER (WHERE e.finished AND e.any_failed_kill_questions) AS failed_kill_questions,
       -- evaluations of the last evaluation_lookback still arrive and change
       (e.week + 7)::timestamp AT TIME ZONE min(cfg.tz) > min(cfg.complete_until) AS provisional
  FROM e CROSS JOIN cfg
  LEFT JOIN gcanalytics.users u ON u.user_id = e.agent_id
 GROUP BY e.week, e.agent_id, coalesce(e.form_id, '');
CREATE UNIQUE INDEX agent_quality_weekly_key ON gcanalytics.agent_quality_weekly (week, agent_id, form_id);

-- ------------------------------------------------------------ queue_daily
-- Daily aggregates per queue and media type over every day from the first
-- to the last loaded one, days in reporting_time_zone: the sums of the
-- API's 15-minute buckets (PT15M) of the day, exact in every zone, 23 and
-- 25-hour days included (hours loaded by 0.2.0, PT1H, are exact where the
-- offset is whole hours: refresh_dashboards() warns of the others).  A
-- day with no row at all was not loaded: its figures are
-- interpolated and flagged.  On a loaded day a queue without a row had no
-- traffic (the aggregates API leaves empty groups out): zeros.
CREATE MATERIALIZED VIEW gcanalytics.queue_daily AS
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz, gcanalytics.complete_until('queue_metrics') AS complete_until
), m AS (
    SELECT (q.interval_start AT TIME ZONE cfg.tz)::date AS day, q.queue_id, q.media_type,
           sum(q.n_offered)::bigint AS n_offered, sum(q.n_connected)::bigint AS n_connected,
           sum(q.n_abandoned)::bigint AS n_abandoned, sum(q.n_transferred)::bigint AS n_transferred,
           sum(q.t_handle_sum::numeric) AS t_handle_sum, sum(q.t_handle_count)::bigint AS t_handle_count,
           sum(q.t_talk_sum::numeric) AS t_talk_sum, sum(q.t_acd_sum::numeric) AS t_acd_sum, sum(q.t_acd_count)::bigint AS t_acd_count
      FROM gcanalytics.queue_metrics q CROSS JOIN cfg
     WHERE q.granularity IN ('PT15M', 'PT1H')
     GROUP BY 1, 2, 3
), days AS (
    SELECT d::date AS day, EXISTS (SELECT 1 FROM m WHERE m.day = d::date) AS loaded
      FROM (SELECT min(day) AS lo, max(day) AS hi FROM m) r, generate_series(r.lo, r.hi, interval '1 day') d
), grid AS (
    SELECT days.day, days.loaded, k.queue_id, k.media_type, m.n_offered, m.n_connected, m.n_abandoned,
           m.n_transferred, m.t_handle_sum, m.t_handle_count, m.t_talk_sum, m.t_acd_sum, m.t_acd_count
      FROM days CROSS JOIN (SELECT DISTINCT queue_id, media_type FROM m) k
      LEFT JOIN m ON m.day = days.day AND m.queue_id = k.queue_id AND m.media_type = k.media_type
), v AS (   -- loaded days: the figures (zero when the group had no row); gaps: NULL
    SELECT day, loaded, queue_id, media_type,
           CASE WHEN loaded THEN coalesce(n_offered, 0) END::float8 AS offered,
           CASE WHEN loaded THEN coalesce(n_connected, 0) END::float8 AS connected,
           CASE WHEN loaded THEN coalesce(n_abandoned, 0) END::float8 AS abandoned,
           CASE WHEN loaded THEN coalesce(n_transferred, 0) END::float8 AS transferred,
           CASE WHEN loaded THEN coalesce(t_handle_sum, 0) END AS handle_ms_sum,
           CASE WHEN loaded THEN coalesce(t_handle_count, 0) END::float8 AS handle_count,
           CASE WHEN loaded THEN coalesce(t_talk_sum, 0) END AS talk_ms_sum,
           CASE WHEN loaded THEN coalesce(t_acd_sum, 0) END AS acd_ms_sum,
           CASE WHEN loaded THEN coalesce(t_acd_count, 0) END::float8 AS acd_count
      FROM grid
), f AS (
    SELECT day, NOT loaded AS interpolated, queue_id, media_type,
           gcanalytics.interpolate(offered, day::timestamp AT TIME ZONE 'UTC') OVER w AS offered,
           gcanalytics.interpolate(connected, day::timestamp AT TIME ZONE 'UTC') OVER w AS connected,
           gcanalytics.interpolate(abandoned, day::timestamp AT TIME ZONE 'UTC') OVER w AS abandoned,
           gcanalytics.interpolate(transferred, day::timestamp AT TIME ZONE 'UTC') OVER w AS transferred,
           gcanalytics.interpolate(handle_ms_sum, day::timestamp AT TIME ZONE 'UTC') OVER w AS handle_ms_sum,
           gcanalytics.interpolate(handle_count, day::timestamp AT TIME ZONE 'UTC') OVER w AS handle_count,
           gcanalytics.interpolate(talk_ms_sum, day::timestamp AT TIME ZONE 'UTC') OVER w AS talk_ms_sum,
           gcanalytics.interpolate(acd_ms_sum, day::timestamp AT TIME ZONE 'UTC') OVER w AS acd_ms_sum,
           gcanalytics.interpolate(acd_count, day::timestamp AT TIME ZONE 'UTC') OVER w AS acd_count
      FROM v
    WINDOW w AS (PARTITION BY queue_id, media_type ORDER BY day)
)
SELECT f.day, f.queue_id, q.name AS queue_name, f.media_type, f.offered, f.connected, f.abandoned, f.transferred,
       round((100.0 * f.abandoned / nullif(f.offered, 0))::numeric, 2) AS abandon_rate_pct,
       round((f.handle_ms_sum / nullif(f.handle_count, 0) / 1000.0)::numeric, 2) AS avg_handle_s,
       round((f.talk_ms_sum / nullif(f.handle_count, 0) / 1000.0)::numeric, 2) AS avg_talk_s,
       round((f.acd_ms_sum / nullif(f.acd_count, 0) / 1000.0)::numeric, 2) AS avg_wait_s,
       f.handle_ms_sum, f.handle_count, f.talk_ms_sum, f.acd_ms_sum, f.acd_count, f.interpolated,
       (f.day + 1)::timestamp AT TIME ZONE cfg.tz > cfg.complete_until AS provisional
  FROM f CROSS JOIN cfg LEFT JOIN gcanalytics.queues q ON q.queue_id = f.queue_id;
CREATE UNIQUE INDEX queue_daily_key ON gcanalytics.queue_daily (day, queue_id, media_type);

-- ------------------------------------------------------------ join_quality
-- Its rollup join_quality_parts holds the conversations and the stale
-- enrichments per start day and link method (_join_quality_parts()); a
-- conversation is stale when its tier or industry differs from its
-- account's values at its start (crm_account_history), so the load records
-- the days of an account's conversations from the start of new values
-- (_sync_crm()).
-- only_ids: only those conversations (their contribution: a load's new ones).
CREATE OR REPLACE FUNCTION gcanalytics._join_quality_parts(from_start timestamptz DEFAULT '-infinity',
                                                           to_start timestamptz DEFAULT 'infinity',
                                                           only_ids text[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.join_quality_parts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
-- with literals (_parts_range())
RETURN QUERY EXECUTE format($q$
SELECT (i.conversation_start AT TIME ZONE %L)::date, coalesce(i.crm_link, 'unlinked'), count(*),
       -- the account's values at the conversation's start
       count(*) FILTER (WHERE i.crm_account_id IS NOT NULL
                          AND (h.account_id IS NULL OR h.tier IS DISTINCT FROM i.customer_tier
                               OR h.industry IS DISTINCT FROM i.industry))
  FROM gcanalytics.interactions i
  LEFT JOIN gcanalytics.crm_account_history h
         ON h.account_id = i.crm_account_id AND h.valid_from <= i.conversation_start AND i.conversation_start < h.valid_to
 WHERE %s
 GROUP BY 1, 2
$q$, gcanalytics.reporting_time_zone(), gcanalytics._parts_range('i', from_start, to_start, only_ids));
END
$$;
COMMENT ON FUNCTION gcanalytics._join_quality_parts(timestamptz, timestamptz, text[]) IS
    'the rows of join_quality_parts (join_quality''s rollup) of the conversations started in [from_start, to_start) (only those of only_ids when given)';

-- join_quality is a table kept by refresh_dashboards() (README
-- "Incremental refresh"): every row carries the time of the refresh and
-- the CRM snapshot's time and staleness, so every row is written again at
-- each refresh, summed from the rollup (a row per day and link method), not
-- from the conversations (_join_quality_rows()).
CREATE TABLE gcanalytics.join_quality (
    week               date,
    link_method        text,
    conversations      bigint,
    share_pct          numeric,
    week_unlinked_pct  numeric,
    warning            text,
    stale_enrichments  bigint,
    crm_snapshot_at    timestamptz,
    crm_snapshot_stale boolean,
    refreshed_at       timestamptz,
    provisional        boolean
);
CREATE UNIQUE INDEX join_quality_key ON gcanalytics.join_quality (week, link_method);

-- _join_quality_rows(weeks, complete_until): the rows of join_quality of
-- the weeks named (every week when NULL), summed from join_quality_parts,
-- provisional after complete_until.
CREATE OR REPLACE FUNCTION gcanalytics._join_quality_rows(weeks date[], complete_until timestamptz)
    RETURNS SETOF gcanalytics.join_quality
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
BEGIN
RETURN QUERY
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz, _join_quality_rows.complete_until
), g AS (
    SELECT date_trunc('week', p.start_day::timestamp)::date AS week, p.link_method,
           sum(p.conversations)::bigint AS conversations, sum(p.stale_enrichments)::bigint AS stale_enrichments
      FROM gcanalytics.join_quality_parts p
     WHERE weeks IS NULL OR date_trunc('week', p.start_day::timestamp)::date = ANY (weeks)
     GROUP BY 1, 2
), t AS (
    SELECT g.week, sum(g.conversations) AS total,
           coalesce(sum(g.conversations) FILTER (WHERE g.link_method = 'unlinked'), 0) AS unlinked
      FROM g GROUP BY g.week
), snap AS (
    SELECT (SELECT s.updated_at FROM gcanalytics.sync_state s WHERE s.resource = 'crm') AS synced_at
)
SELECT g.week, g.link_method, g.conversations, round(100.0 * g.conversations / t.total, 2) AS share_pct,
       round(100.0 * t.unlinked / t.total, 2) AS week_unlinked_pct,
       CASE WHEN gcanalytics.setting('salesforce_server') = ''
            THEN 'no CRM is configured: no conversation is linked to a CRM account (configure(salesforce_server => ...) adds one)'
            WHEN 100.0 * t.unlinked / t.total > gcanalytics.setting('join_quality_warn_pct')::numeric
            THEN format('%s %% of the conversations of the week have no CRM account (warning above %s %%)',
                        round(100.0 * t.unlinked / t.total, 1), gcanalytics.setting('join_quality_warn_pct'))
       END AS warning,
       g.stale_enrichments, snap.synced_at AS crm_snapshot_at,
       snap.synced_at IS NULL
           OR snap.synced_at < now() - gcanalytics.setting('crm_stale_after')::interval AS crm_snapshot_stale,
       now() AS refreshed_at,
       (g.week + 7)::timestamp AT TIME ZONE cfg.tz > cfg.complete_until AS provisional
  FROM g JOIN t USING (week) CROSS JOIN snap CROSS JOIN cfg;
END
$$;
COMMENT ON FUNCTION gcanalytics._join_quality_rows(date[], timestamptz) IS
    'the rows of join_quality of the weeks named (every week when NULL), summed from join_quality_parts, provisional after complete_until';

-- ------------------------------------------------------------ comments
COMMENT ON TABLE gcanalytics.kpi_daily IS
    'queue KPIs per day (reporting_time_zone), queue and media type (README "Dashboards"); refreshed by refresh_dashboards()';
COMMENT ON TABLE gcanalytics.kpi_weekly IS
    'queue KPIs per ISO week (Monday, reporting_time_zone), queue and media type, summed from kpi_daily; refreshed by refresh_dashboards()';
COMMENT ON TABLE gcanalytics.queue_interval IS
    'queue figures per interval of interval_minutes (15 or 30), queue and media type: offered, answered, abandoned, service level, ASA, average wait and handle time (README "Dashboards")';
COMMENT ON TABLE gcanalytics.escalation_weekly IS
    'escalation rate per ISO week (Monday, reporting_time_zone) and CRM tier; conversations without an account are the tier ''no account''';
COMMENT ON TABLE gcanalytics.escalation_by_tier IS
    'escalation rate per CRM tier over everything loaded; conversations without an account are the tier ''no account''';
COMMENT ON VIEW gcanalytics.escalation_insights IS
    'each tier''s week against the week before: change, two-proportion z-test, the releases of the week, and a sentence when p < 0.01 with at least 30 conversations each side';
COMMENT ON TABLE gcanalytics.bot_containment_by_industry IS
    'self-service containment per week, CRM industry and media type: conversations that entered a bot flow or an IVR and ended there (no queue, no agent), and the share of them with no repeat contact within 24 hours';
COMMENT ON MATERIALIZED VIEW gcanalytics.agent_quality IS
    'quality scores per agent and evaluation form: finished evaluations, calibrations excluded';
COMMENT ON MATERIALIZED VIEW gcanalytics.agent_quality_weekly IS
    'quality scores per ISO week of the evaluated conversation (reporting_time_zone), agent and evaluation form: finished evaluations, calibrations excluded';
COMMENT ON MATERIALIZED VIEW gcanalytics.queue_daily IS
    'the aggregates API''s 15-minute buckets summed per day (reporting_time_zone), queue and media type; days not loaded are interpolated (interpolate()) and flagged';
COMMENT ON TABLE gcanalytics.join_quality IS
    'how conversations were linked to a CRM account per week (attribute, phone, unlinked), a warning above join_quality_warn_pct unlinked, stale CRM enrichment';

-- Column comments: a view's own entry, else the shared ('*') one; a
-- dashboard column without either stops the install.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        WITH d(view_name, column_name, comment) AS (VALUES
        -- columns several views share
        ('*', 'day', 'day of the conversation start in reporting_time_zone (default UTC)'),
        ('*', 'week', 'ISO week (its Monday) of the conversation start in reporting_time_zone (default UTC)'),
        ('*', 'queue_id', 'Genesys queue id; ''(no queue)'' for conversations that entered no queue'),
        ('*', 'queue_name', 'queue name'),
        ('*', 'media_type', 'the customer session''s media type'),
        ('*', 'conversations', 'conversations started'),
        ('*', 'direction', 'the conversation''s originating direction: inbound, or outbound (attempts: conversations; connects: handled; no queue figures)'),
        ('*', 'offered', 'queue entries of inbound conversations into the queue that day (Genesys nOffered)'),
        ('*', 'answered', 'queue entries answered by an agent that day (Genesys tAnswered count)'),
        ('*', 'short_abandoned', 'abandoned entries that waited at most short_abandon_threshold (off by default: 0); not in abandoned nor in the service level'),
        ('*', 'asa_s', 'average speed of answer: tAnswered sum / answered, seconds'),
        ('*', 'service_level_rate', 'answered_in_sl / sl_entries, a fraction of 1'),
        ('*', 'abandon_rate', 'abandoned / offered, a fraction of 1'),
        ('*', 'sl_entries', 'the service level''s denominator: entries answered (after entering the queue) + abandoned (short abandons left out)'),
        ('*', 'answer_ms_sum', 'tAnswered sum of the answered entries, milliseconds'),
        ('*', 'handled', 'conversations where an agent talked for at least min_talk_ms'),
        ('*', 'abandoned', 'queue entries abandoned that day (Genesys tAbandon count), short abandons left out'),
        ('*', 'answered_in_sl', 'answered entries whose wait in that queue (tAcd) was at most the queue''s and medium''s target (service_level_threshold())'),
        ('*', 'service_level_pct', 'answered_in_sl / sl_entries, percent'),
        ('*', 'abandon_rate_pct', 'abandoned / offered, percent'),
        ('*', 'avg_wait_s', 'average wait in queue (tAcd) of the entries offered, seconds'),
        ('*', 'avg_handle_s', 'average handle time (talk + customer hold + wrap-up) of the handled conversations, seconds'),
        ('*', 'avg_weighted_handle_s', 'average weighted effective handle time (weighted_handle_time()) of the handled conversations, seconds'),
        ('*', 'transferred', 'handled conversations transferred at least once'),
        ('*', 'transfer_rate_pct', 'transferred / handled, percent'),
        ('*', 'fcr_eligible', 'handled conversations of a known customer (customer_key)'),
        ('*', 'fcr_resolved', 'of those, conversations with no contact of the same customer within fcr_window (7 days) after their start'),
        ('*', 'fcr_pct', 'first contact resolution: fcr_resolved / fcr_eligible, percent'),
        ('*', 'talk_ratio_pct', 'talk time / handle time of the handled conversations, percent'),
        ('*', 'hold_ratio_pct', 'customer hold time / handle time of the handled conversations, percent'),
        ('*', 'efficiency_score', '0-100: 0.4 service level + 0.3 FCR + 0.2 (1 - abandon rate) + 0.1 (1 - transfer rate), over the parts with data (README "Dashboards")'),
        ('*', 'wrapup_codes', 'the wrap-up codes seen (names; ids where the name is unknown)'),
        ('*', 'wait_ms_sum', 'sum of the waits in queue (tAcd) of the entries offered, milliseconds'),
        ('*', 'handle_ms_sum', 'sum of the handle times of the handled conversations, milliseconds'),
        ('*', 'weighted_handle_ms_sum', 'sum of the weighted handle times of the handled conversations, milliseconds'),
        ('*', 'talk_ms_sum', 'sum of the talk times of the handled conversations, milliseconds'),
        ('*', 'hold_ms_sum', 'sum of the customer hold times of the handled conversations, milliseconds'),
        ('*', 'provisional', 'the row holds data that may still change: a period not over within the final data (complete_until()), conversations in progress, without their participant attributes yet (past the API''s data availability date), or whose FCR or containment window has not closed'),
        ('*', 'tier', 'CRM tier of the account when the conversation started (setting tier_reporting current: its tier today); ''no tier'' for an account without one, ''no account'' for conversations without an account'),
        ('*', 'escalated', 'conversations matching an escalation rule'),
        ('*', 'escalation_rate_pct', 'escalated / conversations, percent'),
        ('*', 'accounts', 'distinct CRM accounts'),
        ('*', 'escalated_accounts', 'distinct CRM accounts with an escalated conversation'),
        ('*', 'escalated_ltv', 'lifetime value of the accounts with an escalated conversation, each once (revenue)'),
        ('escalation_by_tier', 'first_day', 'first day (reporting_time_zone) with a conversation of the tier'),
        ('escalation_by_tier', 'last_day', 'last day (reporting_time_zone) with a conversation of the tier'),
        ('escalation_insights', 'week', 'the ISO week (Monday, reporting_time_zone) compared with the week before'),
        ('escalation_insights', 'prev_conversations', 'conversations of the tier the week before'),
        ('escalation_insights', 'prev_escalated', 'escalated conversations of the tier the week before'),
        ('escalation_insights', 'prev_rate_pct', 'escalation rate the week before, percent'),
        ('escalation_insights', 'conversations', 'conversations of the tier this week'),
        ('escalation_insights', 'escalated', 'escalated conversations of the tier this week'),
        ('escalation_insights', 'rate_pct', 'escalation rate this week, percent'),
        ('escalation_insights', 'change_points', 'rate_pct - prev_rate_pct, percentage points'),
        ('escalation_insights', 'z', 'two-proportion z statistic (pooled), positive when the rate rose'),
        ('escalation_insights', 'p_value', 'two-sided p-value of the z-test'),
        ('escalation_insights', 'significant', 'p_value < insight_max_p (0.01) with at least insight_min_conversations (30) each week'),
        ('escalation_insights', 'releases', 'the releases of this week (releases table), "name on date", in order'),
        ('escalation_insights', 'escalated_ltv', 'lifetime value of the accounts with an escalated conversation this week (revenue)'),
        ('escalation_insights', 'sentence', 'the insight in words, only for significant changes between closed weeks: the tier''s rate and the overall rate, "concentrated in" only when concentrated, the releases between the two weeks'),
        ('escalation_insights', 'provisional', 'either week is provisional (escalation_weekly): shown, never compared (significant is false)'),
        ('escalation_insights', 'overall_prev_rate_pct', 'escalation rate of every tier together the week before, percent'),
        ('escalation_insights', 'overall_rate_pct', 'escalation rate of every tier together this week, percent'),
        ('escalation_insights', 'concentration_z', 'difference-in-differences z: the tier''s change against the change of the other tiers together (unpooled binomial variances)'),
        ('escalation_insights', 'concentration_p', 'two-sided p-value of concentration_z'),
        ('escalation_insights', 'concentrated', 'significant, and concentration_p < insight_max_p: the sentence says "concentrated in" the tier'),
        ('escalation_insights', 'releases_between', 'the releases between the two weeks (at the start of this week in reporting_time_zone), named in the sentence'),
        ('bot_containment_by_industry', 'industry', 'CRM industry of the account; ''no industry'' for an account without one, ''no account'' for conversations without an account'),
        ('bot_containment_by_industry', 'conversations', 'conversations that entered a bot flow (digital) or an IVR (voice)'),
        ('bot_containment_by_industry', 'contained', 'of those, conversations that ended in the flow: no queue, no agent'),
        ('bot_containment_by_industry', 'containment_pct', 'contained / conversations, percent'),
        ('bot_containment_by_industry', 'containment_rate', 'contained / conversations, a fraction of 1'),
        ('bot_containment_by_industry', 'contained_known', 'contained conversations of a known customer (customer_key)'),
        ('bot_containment_by_industry', 'contained_held', 'of those, conversations with no contact of the same customer within containment_window (24 hours) after their start'),
        ('bot_containment_by_industry', 'held_pct', 'the containment that held: contained_held / contained_known, percent'),
        ('bot_containment_by_industry', 'contained_ltv', 'lifetime value of the accounts with a contained conversation, each once (revenue)'),
        ('agent_quality', 'agent_id', 'Genesys user id of the evaluated agent'),
        ('agent_quality', 'agent_name', 'agent name (users)'),
        ('agent_quality', 'form_id', 'evaluation form id'),
        ('agent_quality', 'form_name', 'evaluation form name'),
        ('agent_quality', 'evaluations', 'finished evaluations, calibrations excluded'),
        ('agent_quality', 'unfinished', 'evaluations not finished yet (in review, in progress, pending), calibrations excluded'),
        ('agent_quality', 'avg_score', 'average total score of the finished evaluations'),
        ('agent_quality', 'min_score', 'lowest total score'),
        ('agent_quality', 'max_score', 'highest total score'),
        ('agent_quality', 'avg_critical_score', 'average total critical score'),
        ('agent_quality', 'failed_kill_questions', 'finished evaluations with a failed kill question'),
        ('agent_quality', 'first_conversation', 'start of the earliest evaluated conversation'),
        ('agent_quality', 'last_conversation', 'start of the latest evaluated conversation'),
        ('queue_daily', 'queue_name', 'queue name (queues)'),
        ('queue_daily', 'offered', 'nOffered count'),
        ('queue_daily', 'connected', 'nConnected count'),
        ('queue_daily', 'abandoned', 'tAbandon count'),
        ('queue_daily', 'transferred', 'nTransferred count'),
        ('queue_daily', 'abandon_rate_pct', 'abandoned / offered, percent'),
        ('queue_daily', 'avg_handle_s', 'tHandle sum / count, seconds'),
        ('queue_daily', 'avg_talk_s', 'tTalk sum / tHandle count, seconds'),
        ('queue_daily', 'avg_wait_s', 'tAcd sum / count, seconds'),
        ('queue_daily', 'handle_ms_sum', 'tHandle sum, milliseconds'),
        ('queue_daily', 'handle_count', 'tHandle count'),
        ('queue_daily', 'talk_ms_sum', 'tTalk sum, milliseconds'),
        ('queue_daily', 'acd_ms_sum', 'tAcd sum, milliseconds'),
        ('queue_daily', 'acd_count', 'tAcd count'),
        ('queue_interval', 'interval_start', 'start of the interval (interval_minutes long, whole multiples from a UTC midnight)'),
        ('queue_interval', 'interval_local', 'start of the interval in reporting_time_zone'),
        ('queue_interval', 'day', 'day of the interval in reporting_time_zone'),
        ('queue_interval', 'handled', 'answered entries with the answering agent''s handle time (tHandle count)'),
        ('queue_interval', 'avg_handle_s', 'tHandle of the answering agents / handled, seconds'),
        ('queue_interval', 'handle_ms_sum', 'tHandle sum of the answering agents, milliseconds'),
        ('queue_daily', 'day', 'day in reporting_time_zone (default UTC) of the 15-minute buckets summed'),
        ('queue_daily', 'interpolated', 'the day was not loaded: every figure of the row is interpolated linearly between the neighbouring loaded days'),
        ('join_quality', 'link_method', 'how the CRM account was found: attribute (sfAccountId), phone (ANI = account phone), unlinked'),
        ('join_quality', 'conversations', 'conversations of the week linked that way'),
        ('join_quality', 'share_pct', 'share of the week''s conversations, percent'),
        ('join_quality', 'week_unlinked_pct', 'share of the week''s conversations without a CRM account, percent'),
        ('join_quality', 'warning', 'set when week_unlinked_pct exceeds join_quality_warn_pct (30)'),
        ('join_quality', 'stale_enrichments', 'linked conversations whose tier or industry differs from the account''s values at their start (crm_account_history), or whose account has none'),
        ('join_quality', 'crm_snapshot_at', 'when the CRM was last read (sync_state ''crm''.updated_at), whether or not anything had changed'),
        ('join_quality', 'crm_snapshot_stale', 'the CRM snapshot is older than crm_stale_after (1 day) at refreshed_at, or missing'),
        ('join_quality', 'refreshed_at', 'when this view was refreshed'))
        SELECT cl.relname, a.attname,
               coalesce((SELECT d.comment FROM d WHERE d.view_name = cl.relname AND d.column_name = a.attname),
                        -- agent_quality_weekly: agent_quality's columns per week
                        (SELECT d.comment FROM d WHERE cl.relname = 'agent_quality_weekly' AND d.view_name = 'agent_quality'
                            AND d.column_name = a.attname),
                        (SELECT d.comment FROM d WHERE d.view_name = '*' AND d.column_name = a.attname)) AS comment
          FROM pg_catalog.pg_class cl
          JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE cl.relnamespace = 'gcanalytics'::regnamespace
           AND cl.relname = ANY (gcanalytics.dashboard_views() || 'escalation_insights'::text)
    LOOP
        IF c.comment IS NULL THEN
            RAISE EXCEPTION 'no comment for column %.%', c.relname, c.attname;
        END IF;
        EXECUTE format('COMMENT ON COLUMN gcanalytics.%I.%I IS %L', c.relname, c.attname, c.comment);
    END LOOP;
END
$$;

-- ------------------------------------------------------------ changes
-- The rollups and the dashboards kept from them (README "Incremental
-- refresh"): kpi_daily_parts feeds kpi_daily (and kpi_weekly, from
-- kpi_daily), queue_interval_parts queue_interval, escalation_parts the two
-- escalation dashboards, bot_containment_parts bot_containment_by_industry,
-- join_quality_parts join_quality (all kept as tables, like
-- queue_interval), cx_overview_parts and cx_insights_parts the
-- materialized views of their names.
CREATE OR REPLACE FUNCTION gcanalytics.dashboard_rollup(view_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT CASE WHEN view_name IN ('kpi_daily', 'kpi_weekly') THEN 'kpi_daily'
                      WHEN view_name IN ('escalation_weekly', 'escalation_by_tier') THEN 'escalation'
                      WHEN view_name = 'queue_interval' THEN 'queue_interval'
                      WHEN view_name = 'bot_containment_by_industry' THEN 'bot_containment'
                      WHEN view_name IN ('join_quality', 'cx_overview', 'cx_insights') THEN view_name END $$;
CREATE OR REPLACE FUNCTION gcanalytics._rollups() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ARRAY['kpi_daily', 'queue_interval', 'escalation', 'bot_containment', 'join_quality', 'cx_overview',
                       'cx_insights'] $$;
COMMENT ON FUNCTION gcanalytics._rollups() IS 'the rollups (table ROLLUP_parts each, named in dashboard_changes)';
COMMENT ON FUNCTION gcanalytics.dashboard_rollup(text) IS
    'the name of the rollup a dashboard is kept from (its table is the name followed by _parts), NULL for a dashboard computed from every row';

-- _dashboard_changed(days, rollups): records days (reporting_time_zone)
-- whose conversations a load changed, for the rollups named (all of them
-- when NULL): what the next refresh_dashboards() recomputes.  The load's
-- writers of interactions call it in their own transaction with the start
-- days of the rows they wrote (_upsert_interactions, through
-- _dashboard_conversations_written(): the rows the upsert rewrote;
-- _sync_crm: the conversations a relink changed; the conversations
-- inserted and the previous contacts whose next contact moved are
-- recorded by conversation instead).  Explicit, not
-- triggers: on Citus interactions is distributed, its triggers would run
-- on the workers' shards, and the record is local to the coordinator.
-- ON CONFLICT DO UPDATE locks the row, so a refresh that takes it waits
-- for the writer's commit and then reads its rows.
CREATE OR REPLACE FUNCTION gcanalytics._dashboard_changed(days date[], rollups text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO gcanalytics.dashboard_changes AS c (rollup, day, changed_at)
    SELECT r.rollup, d.day, now()
      FROM (SELECT DISTINCT u.day FROM unnest(days) u(day) WHERE u.day IS NOT NULL) d
     CROSS JOIN unnest(coalesce(rollups, gcanalytics._rollups())) r(rollup)
     ORDER BY 1, 2
        ON CONFLICT (rollup, day) DO UPDATE SET changed_at = EXCLUDED.changed_at
$$;
COMMENT ON FUNCTION gcanalytics._dashboard_changed(date[], text[]) IS
    'records in dashboard_changes days whose conversations the load changed, for the rollups named (all when NULL)';

-- _merged_rollups(): the rollups whose parts take a conversation's
-- contribution apart (their parts function restricted to conversation ids)
-- and merge it (_rollup_columns(): every column adds, ORs, maxes, mins,
-- unions, or sums aligned arrays of keys and counts): a conversation the
-- load inserts is merged into their parts rows rather than its day
-- recomputed.  Every rollup does.
CREATE OR REPLACE FUNCTION gcanalytics._merged_rollups() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT gcanalytics._rollups() $$;
COMMENT ON FUNCTION gcanalytics._merged_rollups() IS
    'the rollups into whose parts a conversation the load inserts is merged (the others recompute its day)';

-- _dashboard_conversations_written(ids, starts, inserted): records what
-- the load's upsert of interactions wrote (README "Incremental refresh"):
-- a row rewritten (its old contribution to the parts is unknown) records
-- its start day for every rollup; a row inserted records the conversation
-- for the rollups of _merged_rollups() (the refresh merges its
-- contribution) and its day for the others.  ON CONFLICT DO UPDATE locks
-- the rows, so a refresh that takes them waits for the writer's commit.
CREATE OR REPLACE FUNCTION gcanalytics._dashboard_conversations_written(ids text[], starts timestamptz[], inserted boolean[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tz     text := gcanalytics.reporting_time_zone();
    merged text[] := gcanalytics._merged_rollups();
BEGIN
    PERFORM gcanalytics._dashboard_changed(ARRAY(SELECT DISTINCT (u.start AT TIME ZONE tz)::date
                                                   FROM unnest(starts, inserted) u(start, ins) WHERE NOT u.ins));
    PERFORM gcanalytics._dashboard_changed(ARRAY(SELECT DISTINCT (u.start AT TIME ZONE tz)::date
                                                   FROM unnest(starts, inserted) u(start, ins) WHERE u.ins),
                                           ARRAY(SELECT r FROM unnest(gcanalytics._rollups()) r WHERE r <> ALL (merged)));
    INSERT INTO gcanalytics.dashboard_conversation_changes AS c
           (rollup, conversation_id, conversation_start, inserted, old_next_contact_at, changed_at)
    SELECT DISTINCT ON (r.rollup, u.id) r.rollup, u.id, u.start, true, NULL, now()
      FROM unnest(ids, starts, inserted) u(id, start, ins)
     CROSS JOIN unnest(merged) r(rollup)
     WHERE u.ins
     ORDER BY r.rollup, u.id
    -- (a next contact set before: the conversation is new all the same)
        ON CONFLICT (rollup, conversation_id) DO UPDATE SET inserted = true, changed_at = EXCLUDED.changed_at;
END
$$;
COMMENT ON FUNCTION gcanalytics._dashboard_conversations_written(text[], timestamptz[], boolean[]) IS
    'records what the load''s upsert of interactions wrote: the days of the rows rewritten, the conversations inserted (merged by the refresh; their days for the rollups not merged)';

-- _dashboard_contacts_changed(ids, starts, old_next_contacts, rollups):
-- records conversations whose next contact the load moved in a way the
-- rollups named read (first-contact resolution, containment held), with
-- the next contact before the move; a conversation already recorded keeps
-- its first old value, the one its rollup rows were computed from (or
-- stays inserted: none of it is in the rows).  ON CONFLICT DO UPDATE locks
-- the row, so a refresh that takes it waits for the writer's commit and
-- then reads the new next contact.
CREATE OR REPLACE FUNCTION gcanalytics._dashboard_contacts_changed(ids text[], starts timestamptz[],
                                                                   old_next_contacts timestamptz[], rollups text[])
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO gcanalytics.dashboard_conversation_changes AS c
           (rollup, conversation_id, conversation_start, inserted, old_next_contact_at, changed_at)
    SELECT DISTINCT ON (r.rollup, u.id) r.rollup, u.id, u.start, false, u.old_next, now()
      FROM unnest(ids, starts, old_next_contacts) u(id, start, old_next)
     CROSS JOIN unnest(rollups) r(rollup)
     WHERE u.id IS NOT NULL
     ORDER BY r.rollup, u.id
        ON CONFLICT (rollup, conversation_id) DO UPDATE SET changed_at = EXCLUDED.changed_at
$$;
COMMENT ON FUNCTION gcanalytics._dashboard_contacts_changed(text[], timestamptz[], timestamptz[], text[]) IS
    'records in dashboard_conversation_changes conversations whose next contact moved, with the next contact before (the first since the last refresh kept), for the rollups named';

-- _rollup_signatures(): each rollup's signature, what its rows depend on
-- besides the conversations: the definitions (the functions computing
-- them, so an upgrade or a changed definition rebuilds), the reporting time
-- zone and the settings and tables they read, as an md5.  One query for
-- every rollup, from what is cheap to read: each function's catalog row
-- (its source, arguments and their defaults, result, language, settings,
-- volatility), not its definition rendered (pg_get_functiondef() per
-- function per rollup cost 50 to 120 ms a rollup in a new session, as
-- pg_cron's are), and the settings and targets read once.
CREATE OR REPLACE FUNCTION gcanalytics._rollup_signatures() RETURNS TABLE (rollup text, signature text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    -- the targets read queue_metrics' days through its key
    SET enable_indexscan = on
    SET enable_bitmapscan = on
    AS $$
WITH f AS (
    SELECT p.*,
           -- read by every rollup
           p.proname IN ('queue_entry_metrics', '_queue_entry_figures', '_queue_entry_sums', '_queue_entry_parts',
                         'tier_label',
                         'industry_label', '_current_tiers', 'service_level_threshold', '_service_level_target_rows',
                         '_service_level_targets',
                         '_survey_pending', '_survey_pending_last', '_reported_tier', 'reporting_time_zone',
                         'setting', '_short_abandon_ms', '_window_length', '_next_contact', '_old_next_contacts', '_parts_range') AS common,
           -- the rows of kpi_weekly, kept from kpi_daily's rollup too
           p.proname IN ('_kpi_weekly_rows', '_kpi_rows', 'kpi_rates') AS kpi
      FROM pg_proc p
     WHERE p.pronamespace = 'gcanalytics'::regnamespace
), fn AS MATERIALIZED (   -- a function a rollup reads: its name and an md5 of what defines it
    -- (types by name, not by oid: the same definitions give the same
    -- signature in every database, a Citus coordinator's too)
    SELECT f.proname::text AS name, f.oid::regprocedure::text AS ident, f.common, f.kpi,
           md5(concat_ws(E'\n', f.oid::regprocedure::text, pg_get_function_arguments(f.oid),
                         pg_get_function_result(f.oid), f.prokind, l.lanname, f.provolatile, f.proisstrict,
                         f.prosecdef, f.proleakproof, f.proparallel, f.proconfig::text, f.prosrc, f.probin,
                         -- a body bound when created (BEGIN ATOMIC, RETURN) leaves prosrc empty
                         pg_get_function_sqlbody(f.oid))) AS h
      FROM f
      JOIN pg_language l ON l.oid = f.prolang
     WHERE f.common OR f.kpi OR f.proname LIKE ANY (SELECT '\_' || r || '\_%' FROM unnest(gcanalytics._rollups()) r)
), cfg AS MATERIALIZED (   -- what every rollup reads
    SELECT gcanalytics.reporting_time_zone() AS tz,
           gcanalytics.setting('short_abandon_threshold') AS short_abandon,
           gcanalytics.setting('service_level_default') AS sl_default,
           -- the targets: every medium's, and each queue's that differs from its medium's
           (SELECT string_agg(format('%s/%s/%s', t.queue_id, t.media_type, t.sl_ms), ',' ORDER BY t.queue_id, t.media_type)
              FROM gcanalytics._service_level_targets() t
              LEFT JOIN gcanalytics._service_level_targets() m ON m.queue_id = '*' AND m.media_type = t.media_type
             WHERE t.queue_id = '*' OR t.sl_ms IS DISTINCT FROM m.sl_ms) AS targets,
           (SELECT string_agg(x.queue_id, ',' ORDER BY x.queue_id) FROM gcanalytics.excluded_queues x) AS excluded,
           coalesce((SELECT string_agg(format('%s/%s', q.queue_id, q.name), ',' ORDER BY q.queue_id)
                       FROM gcanalytics.queues q), '') AS queues
)
SELECT r.rollup,
       md5(concat_ws(E'\n', r.rollup,
           (SELECT string_agg(fn.h, E'\n' ORDER BY fn.ident)
              FROM fn
             -- its parts, and the rows of the dashboards kept from it as tables
             WHERE fn.common OR fn.name LIKE '\_' || r.rollup || '\_%' OR (r.rollup = 'kpi_daily' AND fn.kpi)),
           cfg.tz, cfg.short_abandon, cfg.sl_default,
           -- kpi_daily's and queue_interval's rows (tables kept per key) name their queues
           CASE WHEN r.rollup IN ('kpi_daily', 'queue_interval') THEN cfg.queues END,
           CASE r.rollup WHEN 'kpi_daily' THEN gcanalytics.setting('fcr_window')
                         WHEN 'queue_interval' THEN gcanalytics.setting('interval_minutes')
                         WHEN 'bot_containment' THEN gcanalytics.setting('containment_window')
                         -- its tier is the tier reported (at the call, or today's)
                         WHEN 'cx_insights' THEN gcanalytics.current_tier_reporting()::text END,
           cfg.targets, cfg.excluded))
  FROM unnest(gcanalytics._rollups()) r(rollup)
 CROSS JOIN cfg
$$;
COMMENT ON FUNCTION gcanalytics._rollup_signatures() IS
    'each rollup''s signature: the definitions, time zone, settings and tables its rows depend on, as an md5 (one query for every rollup): a change forces a full rebuild';

-- _rollup_columns(rollup): the columns of a rollup's parts table, and how
-- two contributions to a row merge: key (the columns of its unique index;
-- nullable or not), add (counts and exact sums: bigint, numeric *_sum and
-- *_squares), or (booleans), min (first_*, *_first) or max (other times,
-- texts, lifetime values), union (text arrays: distinct, in order);
-- aligned:COUNTS for a text array followed by the bigint array COUNTS (keys
-- in order and a count each: cx_overview_parts' agents and agent_handled),
-- whose counts merge as counts:KEYS (the union of the keys, the counts of a
-- key summed); NULL: no merge.
CREATE OR REPLACE FUNCTION gcanalytics._rollup_columns(rollup text)
    RETURNS TABLE (column_name text, nullable boolean, merge text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT a.attname::text, NOT a.attnotnull,
           CASE WHEN a.attnum = ANY (x.indkey) THEN 'key'
                WHEN a.atttypid = 'bigint'::regtype
                  OR (a.atttypid = 'numeric'::regtype AND (a.attname LIKE '%\_sum' OR a.attname LIKE '%\_squares')) THEN 'add'
                WHEN a.atttypid = 'boolean'::regtype THEN 'or'
                WHEN a.atttypid = 'timestamptz'::regtype AND (a.attname LIKE 'first\_%' OR a.attname LIKE '%\_first') THEN 'min'
                WHEN a.atttypid IN ('timestamptz'::regtype, 'text'::regtype, 'numeric'::regtype) THEN 'max'
                WHEN a.atttypid = 'text[]'::regtype AND a.next_type = 'bigint[]'::regtype THEN 'aligned:' || a.next_name
                WHEN a.atttypid = 'bigint[]'::regtype AND a.prev_type = 'text[]'::regtype THEN 'counts:' || a.prev_name
                WHEN a.atttypid = 'text[]'::regtype THEN 'union' END
      FROM (SELECT a.*, lead(a.atttypid) OVER w AS next_type, lead(a.attname::text) OVER w AS next_name,
                   lag(a.atttypid) OVER w AS prev_type, lag(a.attname::text) OVER w AS prev_name
              FROM pg_attribute a
             WHERE a.attrelid = format('gcanalytics.%I', rollup || '_parts')::regclass AND a.attnum > 0 AND NOT a.attisdropped
            WINDOW w AS (ORDER BY a.attnum)) a
      JOIN (SELECT i.indrelid, i.indkey::int2[] AS indkey FROM pg_index i
             WHERE i.indrelid = format('gcanalytics.%I', rollup || '_parts')::regclass AND i.indisunique
             ORDER BY i.indisprimary DESC LIMIT 1) x ON x.indrelid = a.attrelid
     ORDER BY a.attnum
$$;
COMMENT ON FUNCTION gcanalytics._rollup_columns(text) IS
    'the columns of a rollup''s parts and how two contributions to a row merge: key, add, or, min, max, union, aligned:COUNTS and counts:KEYS (aligned arrays of keys and counts)';

-- _apply_conversation_changes(rollup, days, key, acct): takes the
-- conversations of dashboard_conversation_changes recorded for the rollup
-- and, for those whose start day is not among days (recomputed whole by
-- the caller), merges into the parts their contribution (the rollup's
-- parts function restricted to them) with what they hold now, less, for
-- those not inserted, their contribution with the next contact the rows
-- were computed from: counts and sums add the difference, the other
-- columns merge (_rollup_columns(); the conversations' other values are
-- unchanged, so merging them again is idempotent); a row not there yet is
-- inserted.  keys and accounts are those (expressions key and acct over the
-- parts) of the rows written, recompute the start days whose rows should
-- have been there and were not (recomputed whole by the caller instead),
-- applied and inserted how many conversations were merged, and of them new.
CREATE OR REPLACE FUNCTION gcanalytics._apply_conversation_changes(rollup text, days date[], key text, acct text,
                                                                   OUT applied bigint, OUT inserted bigint,
                                                                   OUT keys date[], OUT accounts text[], OUT recompute date[])
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    tz      text := gcanalytics.reporting_time_zone();
    tbl     text := rollup || '_parts';
    ids     text[];
    starts  timestamptz[];
    old_ids text[];
    olds    timestamptz[];
    cols    text;
    keycols text;
    joins   text;
    aggs    text;
    sets    text;
    nonzero text;
    unmergeable boolean;   -- a column of the parts without a merge rule
BEGIN
    applied := 0;
    inserted := 0;
    keys := '{}';
    accounts := '{}';
    recompute := '{}';
    WITH d AS (DELETE FROM gcanalytics.dashboard_conversation_changes c WHERE c.rollup = _apply_conversation_changes.rollup
               RETURNING c.conversation_id, c.conversation_start, c.inserted, c.old_next_contact_at)
    SELECT array_agg(d.conversation_id), array_agg(d.conversation_start),
           array_agg(d.conversation_id) FILTER (WHERE NOT d.inserted), array_agg(d.old_next_contact_at) FILTER (WHERE NOT d.inserted),
           count(*), count(*) FILTER (WHERE d.inserted)
      INTO ids, starts, old_ids, olds, applied, inserted
      FROM d
     WHERE (d.conversation_start AT TIME ZONE tz)::date <> ALL (coalesce(days, '{}'));
    IF ids IS NULL THEN
        RETURN;
    END IF;
    SELECT string_agg(format('%I', c.column_name), ', '),
           string_agg(format('%I', c.column_name), ', ') FILTER (WHERE c.merge = 'key'),
           -- hashable equalities, NULL keys matching NULL keys
           string_agg(CASE WHEN NOT c.nullable THEN format('p.%1$I = d.%1$I', c.column_name)
                           ELSE format('(p.%1$I IS NULL) = (d.%1$I IS NULL) AND coalesce(p.%1$I::text, '''') = coalesce(d.%1$I::text, '''')',
                                       c.column_name) END, ' AND ') FILTER (WHERE c.merge = 'key'),
           -- the difference of the counts and sums; the other values: the
           -- new contribution's (one row per key)
           string_agg(CASE c.merge WHEN 'add' THEN format('sum(x.sign * x.%1$I) AS %1$I', c.column_name)
                                   WHEN 'or' THEN format('bool_or(x.%1$I) FILTER (WHERE x.sign = 1) AS %1$I', c.column_name)
                                   WHEN 'min' THEN format('min(x.%1$I) FILTER (WHERE x.sign = 1) AS %1$I', c.column_name)
                                   ELSE format('max(x.%1$I) FILTER (WHERE x.sign = 1) AS %1$I', c.column_name) END, ', ')
               FILTER (WHERE c.merge <> 'key'),
           string_agg(CASE WHEN c.merge = 'add' AND NOT c.nullable THEN format('%1$I = p.%1$I + d.%1$I', c.column_name)
                           -- a nullable sum: NULL while it sums nothing
                           WHEN c.merge = 'add' THEN format('%1$I = coalesce(p.%1$I + d.%1$I, p.%1$I, d.%1$I)', c.column_name)
                           WHEN c.merge = 'or' THEN format('%1$I = p.%1$I OR coalesce(d.%1$I, false)', c.column_name)
                           WHEN c.merge = 'min' THEN format('%1$I = least(p.%1$I, d.%1$I)', c.column_name)
                           WHEN c.merge = 'max' THEN format('%1$I = greatest(p.%1$I, d.%1$I)', c.column_name)
                           -- keys and counts aligned: the keys' union in
                           -- order, each key's counts summed (the new
                           -- contribution's: no rollup with them records
                           -- old ones)
                           WHEN c.merge LIKE 'aligned:%' THEN
                               format('%1$I = (SELECT array_agg(DISTINCT e ORDER BY e) FROM unnest(p.%1$I || d.%1$I) e)',
                                      c.column_name)
                           WHEN c.merge LIKE 'counts:%' THEN
                               format('%1$I = (SELECT array_agg(g.n ORDER BY g.k)
                                                 FROM (SELECT u.k, sum(u.n)::bigint AS n
                                                         FROM (SELECT * FROM unnest(p.%2$I, p.%1$I)
                                                               UNION ALL SELECT * FROM unnest(d.%2$I, d.%1$I)) u(k, n)
                                                        GROUP BY u.k) g)',
                                      c.column_name, split_part(c.merge, ':', 2))
                           ELSE format('%1$I = CASE WHEN p.%1$I IS NOT NULL OR d.%1$I IS NOT NULL
                                                    THEN ARRAY(SELECT DISTINCT e FROM unnest(p.%1$I || d.%1$I) e ORDER BY e) END',
                                       c.column_name) END, ', ')
               FILTER (WHERE c.merge <> 'key'),
           -- a row whose counts and sums change, or a new contribution
           -- (a conversation counted by none of them: in progress, say)
           string_agg(format('sum(x.sign * x.%I) <> 0', c.column_name), ' OR ') FILTER (WHERE c.merge = 'add')
               || ' OR NOT bool_or(x.sign = -1)',
           bool_or(c.merge IS NULL)
      INTO cols, keycols, joins, aggs, sets, nonzero, unmergeable
      FROM gcanalytics._rollup_columns(rollup) c;
    IF unmergeable THEN
        RAISE EXCEPTION 'the parts of rollup % do not merge', rollup
            USING ERRCODE = 'feature_not_supported', HINT = 'Record the days of its conversations (_dashboard_changed()).';
    END IF;
    EXECUTE format($q$
        WITH x AS (
            SELECT 1 AS sign, n.* FROM gcanalytics.%1$I($1, $2, $3) n
            %11$s
        ), d AS MATERIALIZED (
            SELECT %2$s, %3$s, bool_or(x.sign = -1) AS had FROM x GROUP BY %2$s HAVING %4$s
        ), u AS (
            UPDATE gcanalytics.%5$I AS p SET %6$s FROM d WHERE %7$s RETURNING p.*
        ), i AS (
            INSERT INTO gcanalytics.%5$I (%8$s)
            SELECT %8$s FROM d WHERE NOT d.had AND NOT EXISTS (SELECT 1 FROM u p WHERE %7$s)
            RETURNING *
        ), w AS (
            SELECT %9$s AS k, %10$s AS a FROM u UNION ALL SELECT %9$s, %10$s FROM i
        )
        SELECT (SELECT coalesce(array_agg(DISTINCT w.k), '{}') FROM w),
               (SELECT coalesce(array_agg(DISTINCT w.a) FILTER (WHERE w.a IS NOT NULL), '{}') FROM w),
               (SELECT coalesce(array_agg(DISTINCT d.start_day), '{}') FROM d
                 WHERE d.had AND NOT EXISTS (SELECT 1 FROM u p WHERE %7$s))$q$,
        '_' || tbl, keycols, aggs, nonzero, tbl, sets, joins, cols, key, acct,
        -- the old contributions (only rollups reading next contacts record them)
        CASE WHEN old_ids IS NOT NULL THEN format('UNION ALL SELECT -1, o.* FROM gcanalytics.%I($1, $2, $4, $5) o', '_' || tbl) END)
        INTO keys, accounts, recompute
        USING (SELECT min(u.s) FROM unnest(starts) u(s)), (SELECT max(u.s) + interval '1 microsecond' FROM unnest(starts) u(s)),
              ids, old_ids, olds;
END
$$;
COMMENT ON FUNCTION gcanalytics._apply_conversation_changes(text, date[], text, text) IS
    'merges into a rollup''s parts the conversations of dashboard_conversation_changes outside the days recomputed whole: the contributions of those inserted, the difference the moved next contacts make; returns how many, the keys and accounts of the rows written, and the days to recompute whole instead';

-- _rebuild_parts(tbl): a rollup's parts table filled again whole (a full
-- rebuild): emptied, its rows inserted, and the indexes that back no
-- constraint made again after the rows (a sort each) rather than kept row
-- by row (a million rows into three indexes cost escalation_parts 10 s of
-- its 15 s).  The parts tables are read by the refresh alone, under the
-- lock TRUNCATE takes.
CREATE OR REPLACE FUNCTION gcanalytics._rebuild_parts(tbl text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    ix record;
    defs text[] := '{}';
BEGIN
    EXECUTE format('TRUNCATE gcanalytics.%I', tbl);
    FOR ix IN SELECT x.indexrelid::regclass AS name, pg_get_indexdef(x.indexrelid) AS def
                FROM pg_index x
               WHERE x.indrelid = format('gcanalytics.%I', tbl)::regclass
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
    LOOP
        defs := defs || ix.def;
        EXECUTE format('DROP INDEX %s', ix.name);
    END LOOP;
    EXECUTE format('INSERT INTO gcanalytics.%I SELECT * FROM gcanalytics.%I()', tbl, '_' || tbl);
    FOR i IN 1 .. cardinality(defs) LOOP
        EXECUTE defs[i];
    END LOOP;
END
$$;
COMMENT ON FUNCTION gcanalytics._rebuild_parts(text) IS
    'fills a rollup''s parts table again whole: emptied, its rows inserted, the indexes that back no constraint made again after them';

-- _refresh_rollup(rollup, full, signature): brings a rollup up to date;
-- returns 'full' or 'incremental' and why.  Full: on request, without a
-- signature (first refresh, after a restore) or with another one
-- (definitions, time zone, settings; signature: the rollup's of
-- _rollup_signatures(), read once by the caller, else read here).  Incremental: the days
-- dashboard_changes names, deleted and computed again a run of
-- consecutive days at a time, and the conversations of
-- dashboard_conversation_changes outside them (inserted, next contacts
-- moved) merged (_apply_conversation_changes()); keys are then the days of the rows that
-- changed (deleted and not inserted again alike, or inserted anew;
-- kpi_daily: the figure's day; queue_interval: the interval's day; else
-- the start day), accounts the accounts of escalation_parts' rows that
-- changed, and of queue_interval_parts' their intervals' starts (as text:
-- a 15-minute load reaches a few intervals of its day), for the dashboards
-- kept as tables.
CREATE OR REPLACE FUNCTION gcanalytics._refresh_rollup(rollup text, full boolean, signature text DEFAULT NULL,
                                                       OUT refresh text, OUT reason text,
                                                       OUT keys date[], OUT accounts text[])
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    sig  text := coalesce(signature, (SELECT s.signature FROM gcanalytics._rollup_signatures() s
                                       WHERE s.rollup = _refresh_rollup.rollup));
    old  text;
    tz   text := gcanalytics.reporting_time_zone();
    tbl  text := rollup || '_parts';
    days date[];
    r    record;
    -- what a row of the parts reaches: the day of its dashboard row, its account
    key  text := CASE rollup WHEN 'kpi_daily' THEN 'day'
                             WHEN 'queue_interval' THEN format('(interval_start AT TIME ZONE %L)::date', tz)
                             ELSE 'start_day' END;
    acct text := CASE rollup WHEN 'escalation' THEN 'crm_account_id'
                             WHEN 'queue_interval' THEN 'interval_start::text' ELSE 'NULL::text' END;
    dk   date[];   -- the rows deleted: their keys, accounts, text
    da   text[];
    dr   text[];
    ik   date[];   -- the rows inserted
    ia   text[];
    ir   text[];
    cc   record;
    n    bigint;
BEGIN
    SELECT b.signature INTO old FROM gcanalytics.dashboard_rollups b WHERE b.rollup = _refresh_rollup.rollup FOR UPDATE;
    reason := CASE WHEN _refresh_rollup.full THEN 'requested (full => true)'
                   WHEN old IS NULL THEN 'first refresh (no rollup yet, or after a restore)'
                   WHEN old <> sig THEN 'definitions, settings or reporting_time_zone changed since the last rebuild' END;
    IF reason IS NOT NULL THEN
        refresh := 'full';
        DELETE FROM gcanalytics.dashboard_changes c WHERE c.rollup = _refresh_rollup.rollup;
        DELETE FROM gcanalytics.dashboard_conversation_changes c WHERE c.rollup = _refresh_rollup.rollup;
        PERFORM gcanalytics._rebuild_parts(tbl);
        INSERT INTO gcanalytics.dashboard_rollups AS b (rollup, signature, built_at)
        VALUES (rollup, sig, now())
        ON CONFLICT ON CONSTRAINT dashboard_rollups_pkey DO UPDATE SET signature = EXCLUDED.signature, built_at = EXCLUDED.built_at;
        RETURN;
    END IF;
    refresh := 'incremental';
    WITH d AS (DELETE FROM gcanalytics.dashboard_changes c WHERE c.rollup = _refresh_rollup.rollup RETURNING c.day)
    SELECT array_agg(d.day ORDER BY d.day) INTO days FROM d;
    -- a day whose conversations changed for the most part (a day loaded)
    -- costs less recomputed whole than merged conversation by conversation:
    -- more than 100 of them, and more than an eighth of the day's (counted
    -- up to eight times theirs, not the whole day; with literals: Citus
    -- plans no query with parameters)
    FOR r IN SELECT (x.conversation_start AT TIME ZONE tz)::date AS day, count(*) AS n
               FROM gcanalytics.dashboard_conversation_changes x
              WHERE x.rollup = _refresh_rollup.rollup
              GROUP BY 1 HAVING count(*) > 100
    LOOP
        EXECUTE format('SELECT count(*) FROM (SELECT FROM gcanalytics.interactions i
                                               WHERE i.conversation_start >= %L AND i.conversation_start < %L
                                               LIMIT %s) i',
                       r.day::timestamp AT TIME ZONE tz, (r.day + 1)::timestamp AT TIME ZONE tz, r.n * 8) INTO n;
        IF r.n * 8 > n THEN
            days := array_append(days, r.day);
        END IF;
    END LOOP;
    -- the conversations inserted, or whose next contact moved, outside
    -- those days: merged into their rows (a row not found: its day recomputed)
    cc := gcanalytics._apply_conversation_changes(rollup, days, key, acct);
    keys := cc.keys;
    accounts := cc.accounts;
    days := ARRAY(SELECT DISTINCT u.day FROM unnest(days || cc.recompute) u(day) ORDER BY 1);
    reason := format('%s day(s) changed', coalesce(cardinality(days), 0))
              || CASE WHEN cc.applied > 0 THEN format(', %s conversation(s) merged (%s new)', cc.applied, cc.inserted) ELSE '' END;
    -- runs of consecutive days: one range of conversation starts each
    FOR r IN SELECT min(x.day) AS lo, max(x.day) AS hi
               FROM (SELECT u.day, u.day - (row_number() OVER (ORDER BY u.day))::int AS run FROM unnest(days) u(day)) x
              GROUP BY x.run ORDER BY 1
    LOOP
        -- the rows deleted and inserted, as text: only the keys of the rows
        -- that differ (a day recomputed with the same figures reaches none)
        EXECUTE format('WITH d AS (DELETE FROM gcanalytics.%I AS x WHERE x.start_day BETWEEN %L AND %L RETURNING %s AS k, %s AS a, x::text AS r)
                        SELECT array_agg(d.k), array_agg(d.a), array_agg(d.r) FROM d',
                       tbl, r.lo, r.hi, key, acct) INTO dk, da, dr;
        EXECUTE format('WITH i AS (INSERT INTO gcanalytics.%I AS x SELECT * FROM gcanalytics.%I(%L, %L) RETURNING %s AS k, %s AS a, x::text AS r)
                        SELECT array_agg(i.k), array_agg(i.a), array_agg(i.r) FROM i',
                       tbl, '_' || tbl, r.lo::timestamp AT TIME ZONE tz, (r.hi + 1)::timestamp AT TIME ZONE tz, key, acct)
           INTO ik, ia, ir;
        SELECT keys || coalesce(array_agg(DISTINCT x.k), '{}'),
               accounts || coalesce(array_agg(DISTINCT x.a) FILTER (WHERE x.a IS NOT NULL), '{}')
          INTO keys, accounts
          FROM ((SELECT * FROM unnest(dk, da, dr) EXCEPT ALL SELECT * FROM unnest(ik, ia, ir))
                UNION ALL
                (SELECT * FROM unnest(ik, ia, ir) EXCEPT ALL SELECT * FROM unnest(dk, da, dr))) x(k, a, r);
    END LOOP;
    keys := ARRAY(SELECT DISTINCT u.k FROM unnest(keys) u(k) ORDER BY 1);
    accounts := ARRAY(SELECT DISTINCT u.a FROM unnest(accounts) u(a) ORDER BY 1);
END
$$;
COMMENT ON FUNCTION gcanalytics._refresh_rollup(text, boolean, text) IS
    'brings a rollup up to date, fully or for the days dashboard_changes names; returns which and why, and (incremental) the days and accounts its changed rows reach';

-- ------------------------------------------------------------ kept tables
-- _dashboard_tables(): the dashboards kept as tables per changed key
-- rather than materialized views (README "Incremental refresh"): those
-- whose REFRESH would cost their whole history at every refresh.
CREATE OR REPLACE FUNCTION gcanalytics._dashboard_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ARRAY['kpi_daily', 'kpi_weekly', 'queue_interval', 'escalation_weekly', 'escalation_by_tier',
                       'bot_containment_by_industry', 'join_quality'] $$;
COMMENT ON FUNCTION gcanalytics._dashboard_tables() IS
    'the dashboards kept as tables, their rows deleted and inserted per changed key by refresh_dashboards()';

-- _refresh_kept(view, full, keys, accounts, since, complete_until): brings
-- a dashboard kept as a table up to date in the caller's transaction
-- (readers see its old rows or its new ones, never blocked): every row when
-- full, else the rows of the keys its rollup's changed parts reach (keys,
-- accounts: _refresh_rollup()) and those whose provisional flag the move of
-- complete_until since the last refresh (since; NULL: unknown, every row)
-- changes.  escalation_weekly also keeps escalation_accounts, and
-- recomputes the weeks of the accounts whose reported tier changed (their
-- tier today, or the setting tier_reporting); bot_containment_by_industry
-- the weeks of the changed days (and of the flags, as kpi_weekly's, over
-- containment_window); join_quality every row (each carries the refresh's
-- time and the CRM snapshot's), from its rollup.
CREATE OR REPLACE FUNCTION gcanalytics._refresh_kept(view_name text, full boolean, keys date[], accounts text[],
                                                     since timestamptz, complete_until timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tz      text := gcanalytics.reporting_time_zone();
    lo      timestamptz := least(since, complete_until);
    hi      timestamptz := greatest(since, complete_until);
    col     text;
    k       date[];     -- the keys of the rows computed again: days or weeks (NULL: every row)
    changed text[];     -- accounts (NULL: every account)
    -- every row: on request, or when the flags were computed with an
    -- unknown complete_until, or from -infinity (before the first load:
    -- every row provisional) to a later one
    every   boolean := _refresh_kept.full OR since IS NULL OR (lo = '-infinity' AND hi > '-infinity');
    flags   date[] := '{}';   -- the days whose rows' flags complete_until's move changes
    gone    jsonb;            -- escalation_by_tier's sums of the accounts replaced
    gone_rows tid[];          -- the rows of the keys that differ from their new ones
    tiered  text[];           -- the accounts counted under another tier than at the last refresh
    weeks   date[];           -- escalation_weekly's weeks replaced
    new_rows  text[];         -- the new rows that differ from the old ones
    intervals timestamptz[];  -- queue_interval's intervals computed again (NULL: every one of the days k)
    step    interval;         -- queue_interval's interval_minutes
BEGIN
    IF NOT every AND lo < hi THEN
        flags := ARRAY(SELECT g::date FROM generate_series(((lo - interval '1 day') AT TIME ZONE tz)::date,
                                                          (hi AT TIME ZONE tz)::date, interval '1 day') g);
    END IF;
    IF view_name = 'escalation_by_tier' THEN
        -- a row per tier: its sums kept with escalation_accounts (by
        -- escalation_weekly's step, below), its rate, days and flag again
        IF _refresh_kept.full THEN
            DELETE FROM gcanalytics.escalation_by_tier;
            INSERT INTO gcanalytics.escalation_by_tier SELECT * FROM gcanalytics._escalation_by_tier_rows(complete_until);
        ELSE
            UPDATE gcanalytics.escalation_by_tier b
               SET escalation_rate_pct = f.escalation_rate_pct, first_day = f.first_day, last_day = f.last_day,
                   provisional = f.provisional
              FROM gcanalytics.escalation_by_tier b2
             CROSS JOIN LATERAL gcanalytics._escalation_tier_figures(b2.tier, b2.conversations, b2.escalated,
                                                                     complete_until, tz) f
             WHERE b2.tier = b.tier
               AND (b.escalation_rate_pct, b.first_day, b.last_day, b.provisional)
                   IS DISTINCT FROM (f.escalation_rate_pct, f.first_day, f.last_day, f.provisional);
        END IF;
        RETURN;
    ELSIF view_name IN ('kpi_daily', 'kpi_weekly', 'bot_containment_by_industry') THEN
        col := CASE view_name WHEN 'kpi_daily' THEN 'day' ELSE 'week' END;
        IF NOT every THEN
            -- and the days whose flag changes: the day's end, or the end of
            -- the FCR (containment) window of its last handled (contained)
            -- conversation, in (lo, hi]
            IF lo < hi THEN
                flags := ARRAY(SELECT g::date
                                 FROM generate_series(((lo - gcanalytics._window_length(CASE view_name WHEN 'bot_containment_by_industry'
                                                                                           THEN 'containment_window' ELSE 'fcr_window' END)
                                                        - interval '1 day') AT TIME ZONE tz)::date,
                                                      (hi AT TIME ZONE tz)::date, interval '1 day') g);
            END IF;
            k := ARRAY(SELECT DISTINCT u.d FROM unnest(keys || flags) u(d) ORDER BY 1);
            IF view_name <> 'kpi_daily' THEN
                -- their weeks, and those whose end is in (lo, hi]
                k := ARRAY(SELECT DISTINCT date_trunc('week', u.d::timestamp)::date
                             FROM unnest(k || ARRAY(SELECT d - 7 FROM unnest(flags) d)) u(d) ORDER BY 1);
            END IF;
        END IF;
    ELSIF view_name = 'join_quality' THEN
        -- every row: each carries the refresh's time and the CRM snapshot's
        col := 'week';
    ELSIF view_name = 'queue_interval' THEN
        col := 'day';
        IF NOT every THEN
            -- the intervals whose parts changed (accounts: their starts, from
            -- _refresh_rollup()) and those whose flag changes: interval_start +
            -- interval_minutes in (lo, hi]; of their rows those that differ
            -- are written (below): a 15-minute load's, not its day's
            step := make_interval(mins => gcanalytics.setting('interval_minutes')::int);
            intervals := ARRAY(SELECT a::timestamptz FROM unnest(accounts) a);
            IF lo < hi THEN   -- (both finite: not every)
                intervals := intervals || ARRAY(SELECT g FROM generate_series(date_bin(step, lo, timestamptz '2000-01-03 00:00+00') - step,
                                                                              hi, step) g
                                                 WHERE g + step > lo AND g + step <= hi);
            END IF;
            intervals := ARRAY(SELECT DISTINCT i FROM unnest(intervals) i ORDER BY 1);
            IF cardinality(intervals) = 0 THEN
                RETURN;
            END IF;
            k := ARRAY(SELECT DISTINCT (i AT TIME ZONE tz)::date FROM unnest(intervals) i ORDER BY 1);
        END IF;
    ELSIF view_name = 'escalation_weekly' THEN
        col := 'week';
        IF NOT _refresh_kept.full THEN
            -- the accounts counted under another tier than at the last refresh
            SELECT array_agg(DISTINCT e.crm_account_id) INTO changed
              FROM gcanalytics.escalation_accounts e
              LEFT JOIN gcanalytics._current_tiers() ct ON ct.account_id = e.crm_account_id
             WHERE e.crm_account_id IS NOT NULL
               AND e.tier <> gcanalytics._reported_tier(e.crm_account_id, e.customer_tier, ct.account_id, ct.tier);
            tiered := coalesce(changed, '{}');
            changed := accounts || tiered;
            -- escalation_by_tier's sums: those of the accounts' rows replaced
            -- taken off, those of their new rows added (a tier left without
            -- conversations has no row)
            SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]') INTO gone FROM gcanalytics._escalation_tier_sums(changed) t;
            DELETE FROM gcanalytics.escalation_accounts e WHERE e.crm_account_id = ANY (changed) OR e.crm_account_id IS NULL;
            INSERT INTO gcanalytics.escalation_accounts SELECT * FROM gcanalytics._escalation_account_rows(changed);
            INSERT INTO gcanalytics.escalation_by_tier AS b (tier, conversations, escalated, accounts, escalated_accounts,
                                                             escalated_ltv, provisional)
            SELECT d.tier, sum(d.sign * d.conversations), sum(d.sign * d.escalated), sum(d.sign * d.accounts),
                   sum(d.sign * d.escalated_accounts), sum(d.sign * d.escalated_ltv), false
              FROM (SELECT 1 AS sign, t.* FROM gcanalytics._escalation_tier_sums(changed) t
                    UNION ALL
                    SELECT -1, g.tier, g.conversations, g.escalated, g.accounts, g.escalated_accounts, g.escalated_ltv
                      FROM jsonb_populate_recordset(NULL::gcanalytics.escalation_by_tier, gone) g) d
             GROUP BY d.tier
            ON CONFLICT (tier) DO UPDATE
               SET conversations = b.conversations + EXCLUDED.conversations, escalated = b.escalated + EXCLUDED.escalated,
                   accounts = b.accounts + EXCLUDED.accounts,
                   escalated_accounts = b.escalated_accounts + EXCLUDED.escalated_accounts,
                   escalated_ltv = b.escalated_ltv + EXCLUDED.escalated_ltv;
            DELETE FROM gcanalytics.escalation_by_tier b WHERE b.conversations = 0;
        ELSE
            DELETE FROM gcanalytics.escalation_accounts;
            INSERT INTO gcanalytics.escalation_accounts SELECT * FROM gcanalytics._escalation_account_rows();
        END IF;
        IF every THEN
            DELETE FROM gcanalytics.escalation_week_accounts;
            INSERT INTO gcanalytics.escalation_week_accounts SELECT * FROM gcanalytics._escalation_week_account_rows();
        ELSE
            -- escalation_week_accounts' rows replaced: those of the weeks of
            -- the changed days for the accounts of the changed rows and the
            -- conversations without an account, and every week of the
            -- accounts counted under another tier; escalation_weekly's sums
            -- of a week and tier change by theirs (new less old: a tier left
            -- without conversations has no row), its rates and flags computed
            -- again for those weeks and those whose flag changes (the week's
            -- end in (lo, hi])
            weeks := ARRAY(SELECT DISTINCT date_trunc('week', d::timestamp)::date FROM unnest(keys) d);
            WITH d AS (DELETE FROM gcanalytics.escalation_week_accounts e
                        WHERE (e.week = ANY (weeks) AND (e.crm_account_id = ANY (accounts) OR e.crm_account_id IS NULL))
                           OR e.crm_account_id = ANY (tiered)
                       RETURNING e.*)
            SELECT coalesce(jsonb_agg(to_jsonb(d)), '[]') INTO gone FROM d;
            WITH i AS (
                INSERT INTO gcanalytics.escalation_week_accounts
                SELECT * FROM gcanalytics._escalation_week_account_rows(weeks, accounts, tiered)
                RETURNING *
            ), x AS (
                SELECT 1 AS sign, i.* FROM i
                UNION ALL
                SELECT -1, g.* FROM jsonb_populate_recordset(NULL::gcanalytics.escalation_week_accounts, gone) g
            ), u AS (
                INSERT INTO gcanalytics.escalation_weekly AS w (week, tier, conversations, escalated, accounts, escalated_accounts,
                                                                escalated_ltv, provisional)
                SELECT x.week, x.tier, sum(x.sign * x.conversations), sum(x.sign * x.escalated),
                       coalesce(sum(x.sign) FILTER (WHERE x.crm_account_id IS NOT NULL), 0),
                       coalesce(sum(x.sign) FILTER (WHERE x.crm_account_id IS NOT NULL AND x.escalated > 0), 0),
                       coalesce(sum(x.sign * x.escalated_ltv) FILTER (WHERE x.crm_account_id IS NOT NULL), 0), false
                  FROM x
                 GROUP BY x.week, x.tier
                ON CONFLICT (week, tier) DO UPDATE
                   SET conversations = w.conversations + EXCLUDED.conversations, escalated = w.escalated + EXCLUDED.escalated,
                       accounts = w.accounts + EXCLUDED.accounts,
                       escalated_accounts = w.escalated_accounts + EXCLUDED.escalated_accounts,
                       escalated_ltv = w.escalated_ltv + EXCLUDED.escalated_ltv
                RETURNING w.week
            )
            SELECT ARRAY(SELECT DISTINCT u.week FROM u
                         UNION SELECT date_trunc('week', d::timestamp)::date FROM unnest(flags) d
                         UNION SELECT date_trunc('week', d::timestamp - interval '7 days')::date FROM unnest(flags) d)
              INTO weeks;
            DELETE FROM gcanalytics.escalation_weekly w WHERE w.week = ANY (weeks) AND w.conversations = 0;
            UPDATE gcanalytics.escalation_weekly w
               SET escalation_rate_pct = f.rate, provisional = f.provisional
              FROM (SELECT w2.week, w2.tier, round(100.0 * w2.escalated / w2.conversations, 2) AS rate,
                           EXISTS (SELECT 1 FROM gcanalytics.escalation_week_accounts e
                                    WHERE e.week = w2.week AND e.tier = w2.tier AND e.in_progress)
                           OR (w2.week + 7)::timestamp AT TIME ZONE tz > complete_until AS provisional
                      FROM gcanalytics.escalation_weekly w2 WHERE w2.week = ANY (weeks)) f
             WHERE w.week = f.week AND w.tier = f.tier
               AND (w.escalation_rate_pct, w.provisional) IS DISTINCT FROM (f.rate, f.provisional);
            RETURN;
        END IF;
    ELSE
        RAISE EXCEPTION 'gcanalytics.% is not a dashboard kept as a table', view_name
            USING ERRCODE = 'invalid_parameter_value', HINT = 'See gcanalytics._dashboard_tables().';
    END IF;
    -- the rows of those keys (every row: NULL) computed again; of a key's
    -- rows only those that differ are deleted and inserted (a day or week
    -- recomputed writes the rows a change reached, not the others): the
    -- rows compared as text, the old ones deleted by their ctid
    IF k IS NULL THEN
        EXECUTE format('DELETE FROM gcanalytics.%I', view_name);
        EXECUTE format('INSERT INTO gcanalytics.%I SELECT * FROM gcanalytics.%I($1, $2)', view_name, '_' || view_name || '_rows')
            USING k, complete_until;
    ELSIF cardinality(k) > 0 THEN
        -- (queue_interval: of its intervals named, when named)
        EXECUTE format($q$
            WITH n AS MATERIALIZED (SELECT r::text AS t FROM gcanalytics.%2$I($1, $2%4$s) r),
                 o AS MATERIALIZED (SELECT v.ctid AS id, v::text AS t FROM gcanalytics.%1$I v WHERE v.%3$I = ANY ($1)%5$s)
            SELECT (SELECT array_agg(o.id) FROM o WHERE NOT EXISTS (SELECT 1 FROM n WHERE n.t = o.t)),
                   (SELECT array_agg(n.t) FROM n WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.t = n.t))$q$,
                       view_name, '_' || view_name || '_rows', col,
                       CASE WHEN intervals IS NOT NULL THEN ', $3' ELSE '' END,
                       CASE WHEN intervals IS NOT NULL THEN ' AND v.interval_start = ANY ($3)' ELSE '' END)
            INTO gone_rows, new_rows USING k, complete_until, intervals;
        IF gone_rows IS NOT NULL THEN
            EXECUTE format('DELETE FROM gcanalytics.%I v WHERE v.ctid = ANY ($1)', view_name) USING gone_rows;
        END IF;
        IF new_rows IS NOT NULL THEN
            EXECUTE format('INSERT INTO gcanalytics.%1$I SELECT * FROM unnest($1::gcanalytics.%1$I[])', view_name) USING new_rows;
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION gcanalytics._refresh_kept(text, boolean, date[], text[], timestamptz, timestamptz) IS
    'brings a dashboard kept as a table up to date: every row when full, else the rows of the changed keys and of the rows whose provisional flag changed since the last refresh';

-- ------------------------------------------------------------ refresh
-- The dashboards without a rollup read every interaction, so refreshes use
-- no index scans: an index walk over the whole table costs random heap
-- reads where a sequential scan reads each page once.  The rollups'
-- incremental steps read a few days through the index on
-- conversation_start, with index scans allowed.
CREATE OR REPLACE FUNCTION gcanalytics.refresh_dashboards(full boolean DEFAULT false)
    RETURNS TABLE (view_name text, concurrent boolean, seconds float8, row_count bigint, refresh text, reason text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    SET enable_indexscan = off
    SET enable_bitmapscan = off
    AS $$
DECLARE
    v       text;
    ru      text;
    t0      timestamptz;
    legacy_from timestamptz;
    legacy_to timestamptz;
    tz      text := gcanalytics.reporting_time_zone();   -- an error before any view
    done    jsonb := '{}';
    rr      record;
    kept    boolean;
    cu      timestamptz;
    source  text;       -- the loaded resource a view is computed from
    untils  jsonb;      -- data_complete_until() of each source, read once
    since   timestamptz;
    sigs    jsonb;      -- the rollups' signatures, read once
    src     text;       -- a view's only table whose rows it needs
    rel     regclass;
    ins0    bigint;     -- the rows this transaction inserted in the view before its refresh
    del0    bigint;     -- and deleted
    empty   boolean;
BEGIN
    IF gcanalytics.setting('interval_minutes') NOT IN ('15', '30') THEN
        RAISE EXCEPTION 'interval_minutes is "%", not 15 or 30', gcanalytics.setting('interval_minutes')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'UPDATE gcanalytics.settings SET value = ''30'' WHERE name = ''interval_minutes'';';
    END IF;
    -- queue_daily sums 15-minute buckets by day, exact in any zone; hours
    -- loaded by 0.2.0 only where the zone's offset is whole hours
    SELECT min(q.interval_start), max(q.interval_start) + interval '1 hour' INTO legacy_from, legacy_to
      FROM gcanalytics.queue_metrics q
     WHERE q.granularity = 'PT1H'
       AND (q.interval_start AT TIME ZONE tz) <> date_trunc('hour', q.interval_start AT TIME ZONE tz);
    IF legacy_from IS NOT NULL THEN
        RAISE WARNING 'queue_daily: hours loaded by gcanalytics 0.2.0 do not divide the days of reporting_time_zone "%"', tz
            USING DETAIL = format('queue_metrics holds hourly buckets from %s to %s; a day boundary inside an hour is not exact.', legacy_from, legacy_to),
                  HINT = format('CALL gcanalytics.sync_queue_metrics(%L, %L); loads them again by 15 minutes.', legacy_from, legacy_to);
    END IF;
    -- the flags of the tables kept per key
    untils := jsonb_build_object('conversations', gcanalytics.data_complete_until('conversations'));
    FOREACH v IN ARRAY gcanalytics.dashboard_views()
    LOOP
        t0 := clock_timestamp();
        view_name := v;
        source := gcanalytics.dashboard_source(v);
        IF NOT untils ? source THEN
            untils := untils || jsonb_build_object(source, gcanalytics.data_complete_until(source));
        END IF;
        ru := gcanalytics.dashboard_rollup(v);
        rel := format('gcanalytics.%I', v)::regclass;
        ins0 := pg_stat_get_xact_tuples_inserted(rel);
        del0 := pg_stat_get_xact_tuples_deleted(rel);
        IF ru IS NULL THEN
            refresh := 'full';
            reason := 'computed from every row (no rollup)';
        ELSIF done ? ru THEN   -- its rollup brought up to date for a view before it
            refresh := done -> ru ->> 'refresh';
            reason := done -> ru ->> 'reason';
        ELSE
            -- a few days through the index on conversation_start
            PERFORM set_config('enable_indexscan', 'on', true), set_config('enable_bitmapscan', 'on', true);
            IF sigs IS NULL THEN
                SELECT jsonb_object_agg(s.rollup, s.signature) INTO sigs FROM gcanalytics._rollup_signatures() s;
            END IF;
            rr := gcanalytics._refresh_rollup(ru, refresh_dashboards.full, sigs ->> ru);
            PERFORM set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true);
            refresh := rr.refresh;
            reason := rr.reason;
            done := done || jsonb_build_object(ru, jsonb_build_object('refresh', rr.refresh, 'reason', rr.reason,
                                                                      'keys', to_jsonb(rr.keys), 'accounts', to_jsonb(rr.accounts)));
        END IF;
        kept := v = ANY (gcanalytics._dashboard_tables());
        empty := false;
        IF kept THEN
            -- its rows of the changed keys deleted and inserted: readers see
            -- the old rows or the new ones, never blocked
            concurrent := true;
            cu := coalesce((untils ->> 'conversations')::timestamptz, '-infinity');
            -- the complete_until of its rows' flags (NULL: -infinity); unknown
            -- without a record since its rollup was last built (an upgrade
            -- builds it, and the table, outside refresh_dashboards())
            since := NULL;
            SELECT coalesce(r.data_complete_until, '-infinity') INTO since
              FROM gcanalytics.dashboard_refreshes r
             WHERE r.view_name = v
               AND r.refreshed_at >= (SELECT b.built_at FROM gcanalytics.dashboard_rollups b WHERE b.rollup = ru);
            PERFORM set_config('enable_indexscan', 'on', true), set_config('enable_bitmapscan', 'on', true);
            PERFORM gcanalytics._refresh_kept(v, refresh = 'full',
                                              ARRAY(SELECT jsonb_array_elements_text(done -> ru -> 'keys')::date
                                                     WHERE jsonb_typeof(done -> ru -> 'keys') = 'array'),
                                              ARRAY(SELECT jsonb_array_elements_text(done -> ru -> 'accounts')
                                                     WHERE jsonb_typeof(done -> ru -> 'accounts') = 'array'),
                                              since, cu);
            PERFORM set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true);
        ELSE
            -- CONCURRENTLY (readers are never blocked) needs a populated view;
            -- a restored or freshly created one is refreshed plainly once
            SELECT c.relispopulated INTO concurrent
              FROM pg_class c WHERE c.oid = format('gcanalytics.%I', v)::regclass;
            -- the views of evaluations and of queue_metrics have no row
            -- without one of their table's: left as they are when both are
            -- empty (a center without quality management reads every
            -- interaction for nothing otherwise)
            src := CASE WHEN v IN ('agent_quality', 'agent_quality_weekly') THEN 'evaluations'
                        WHEN v = 'queue_daily' THEN 'queue_metrics' END;
            IF concurrent AND src IS NOT NULL THEN
                -- (apart: on Citus the view is local, its table distributed)
                EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM gcanalytics.%I)', v) INTO empty;
                IF empty THEN
                    EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM gcanalytics.%I)', src) INTO empty;
                END IF;
            END IF;
            IF empty THEN
                refresh := 'incremental';
                reason := format('unchanged: no rows in %s, none at the last refresh either', src);
            ELSE
                EXECUTE format('REFRESH MATERIALIZED VIEW %s gcanalytics.%I',
                               CASE WHEN concurrent THEN 'CONCURRENTLY' ELSE '' END, v);
            END IF;
        END IF;
        -- its rows counted again unless known: none (a view left empty),
        -- or a table kept per key, refreshed incrementally: the count of
        -- its last refresh plus the rows its step inserted less those it
        -- deleted (one that rebuilt it since, outside refresh_dashboards(),
        -- an upgrade's, is followed by a rebuild of every row: since above;
        -- escalation_by_tier, a few rows, is written by escalation_weekly's
        -- step too: counted)
        row_count := CASE WHEN empty THEN 0 END;
        IF kept AND refresh = 'incremental' AND current_setting('track_counts')::boolean AND v <> 'escalation_by_tier' THEN
            SELECT r.row_count + (pg_stat_get_xact_tuples_inserted(rel) - ins0) - (pg_stat_get_xact_tuples_deleted(rel) - del0)
              INTO row_count
              FROM gcanalytics.dashboard_refreshes r WHERE r.view_name = v;
        END IF;
        IF row_count IS NULL THEN
            EXECUTE format('SELECT count(*) FROM gcanalytics.%I', v) INTO row_count;
        END IF;
        seconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
        -- dashboard_status (code/50_reports.sql)
        PERFORM gcanalytics._dashboard_refreshed(v, refresh, concurrent, seconds, row_count, reason,
                                                 (untils ->> source)::timestamptz);
        IF kept THEN   -- the complete_until its provisional flags were computed with
            UPDATE gcanalytics.dashboard_refreshes r SET data_complete_until = nullif(cu, '-infinity') WHERE r.view_name = v;
        END IF;
        RAISE NOTICE 'refreshed gcanalytics.% in % s (% rows, % refresh%)', v, seconds, row_count, refresh,
            CASE WHEN concurrent THEN ', concurrently' ELSE '' END;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION gcanalytics.refresh_dashboards(boolean) IS
    'refreshes every dashboard in dependency order (materialized views CONCURRENTLY once populated, the tables of _dashboard_tables() per changed key), from its rollup''s changed days when it has one, everything when full; a NOTICE and a row per view with its time, which refresh ran and why';

-- ------------------------------------------------------------ pg_cron
-- require_pg_cron(): returns when this database can register pg_cron jobs,
-- otherwise raises an error whose hint says how to get there.
CREATE OR REPLACE FUNCTION gcanalytics.require_pg_cron() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cron_db text := current_setting('cron.database_name', true);
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RETURN;
    END IF;
    IF cron_db IS NULL OR cron_db = '' THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The sync and refresh jobs are pg_cron jobs.',
                  HINT = format('Install the package postgresql-15-cron, add pg_cron to shared_preload_libraries, set cron.database_name = ''%s'' in postgresql.conf, restart PostgreSQL, and run CREATE EXTENSION pg_cron in database "%s".',
                                current_database(), current_database());
    ELSIF cron_db <> current_database() THEN
        RAISE EXCEPTION 'pg_cron runs its jobs from database "%", not "%"', cron_db, current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'pg_cron keeps its job table in the one database cron.database_name names.',
                  HINT = format('Set cron.database_name = ''%s'' and restart PostgreSQL, or connect to database "%s" and run SELECT cron.schedule_in_database(''gcanalytics_refresh:%s'', ''*/15 * * * *'', ''SELECT gcanalytics.refresh_dashboards()'', ''%s'');',
                                current_database(), cron_db, current_database(), current_database());
    ELSE
        RAISE EXCEPTION 'extension "pg_cron" is not created in database "%"', cron_db
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run CREATE EXTENSION pg_cron; in this database.';
    END IF;
END
$$;
COMMENT ON FUNCTION gcanalytics.require_pg_cron() IS
    'raises an error with a hint on how to install pg_cron unless this database can register pg_cron jobs';

-- cron_expression(every, offset_minutes): pg_cron's schedule for "every"
-- (a whole number of minutes dividing an hour, or of hours dividing a day),
-- shifted by offset_minutes within the step.
CREATE OR REPLACE FUNCTION gcanalytics.cron_expression(every interval, offset_minutes integer DEFAULT 0) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s numeric := extract(epoch FROM every);
    m integer;
BEGIN
    IF s > 0 AND s % 60 = 0 THEN
        m := (s / 60)::integer;
        IF m < 60 AND 60 % m = 0 THEN
            RETURN CASE WHEN m = 1 THEN '* * * * *'
                        ELSE format('%s-59/%s * * * *', offset_minutes % m, m) END;
        ELSIF m % 60 = 0 AND m <= 1440 AND 1440 % m = 0 THEN
            RETURN format('%s %s * * *', offset_minutes % 60,
                          CASE WHEN m = 1440 THEN '0' ELSE format('*/%s', m / 60) END);
        END IF;
    END IF;
    RAISE EXCEPTION 'invalid schedule interval "%"', every
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'pg_cron runs jobs on whole minutes.',
              HINT = 'Use a number of minutes that divides an hour (1, 2, 5, 10, 15, 30 minutes) or of hours that divides a day (1, 2, 3, 4, 6, 8, 12, 24 hours).';
END
$$;
COMMENT ON FUNCTION gcanalytics.cron_expression(interval, integer) IS
    'the pg_cron schedule running every "every" (minutes dividing an hour, hours dividing a day), offset by offset_minutes';

-- job_names(): the names of this database's two jobs.
CREATE OR REPLACE FUNCTION gcanalytics.job_names(OUT sync_job text, OUT refresh_job text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT 'gcanalytics_sync:' || current_database(), 'gcanalytics_refresh:' || current_database() $$;
COMMENT ON FUNCTION gcanalytics.job_names() IS 'the pg_cron job names of schedule() in this database';

CREATE OR REPLACE FUNCTION gcanalytics.unschedule() RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer := 0;
    j bigint;
BEGIN
    PERFORM gcanalytics.require_pg_cron();
    FOR j IN SELECT c.jobid FROM cron.job c, gcanalytics.job_names() n
              WHERE c.jobname IN (n.sync_job, n.refresh_job) AND c.username = current_user
    LOOP
        PERFORM cron.unschedule(j);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION gcanalytics.unschedule() IS
    'removes the pg_cron jobs schedule() registered in this database for the current user; returns how many';

CREATE OR REPLACE FUNCTION gcanalytics.schedule(sync_every interval DEFAULT '15 minutes',
                                     refresh_every interval DEFAULT '15 minutes')
    RETURNS TABLE (job_id bigint, job_name text, cron_schedule text, command text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    names record;
BEGIN
    PERFORM gcanalytics.require_pg_cron();
    SELECT * INTO names FROM gcanalytics.job_names();
    PERFORM gcanalytics.unschedule();
    IF sync_every IS NOT NULL THEN
        PERFORM cron.schedule(names.sync_job, gcanalytics.cron_expression(sync_every, 0),
                              'CALL gcanalytics.run()');
    END IF;
    -- the refresh runs half a step after the sync starts
    IF refresh_every IS NOT NULL THEN
        PERFORM cron.schedule(names.refresh_job,
                              gcanalytics.cron_expression(refresh_every,
                                                          greatest(extract(epoch FROM refresh_every)::integer / 120, 0)),
                              'SELECT gcanalytics.refresh_dashboards()');
    END IF;
    RETURN QUERY SELECT c.jobid, c.jobname::text, c.schedule, c.command
                   FROM cron.job c
                  WHERE c.jobname IN (names.sync_job, names.refresh_job) AND c.username = current_user
                  ORDER BY c.jobname;
END
$$;
COMMENT ON FUNCTION gcanalytics.schedule(interval, interval) IS
    'registers (or replaces) the pg_cron jobs that run gcanalytics.run() every sync_every and refresh_dashboards() every refresh_every; NULL leaves a job out';

