-- cx_overview (README "Dashboards"): the VP's screen, one row per ISO week
-- (Monday, in reporting_time_zone) and tier, with the conversations'
-- figures, the surveys', QA, schedule adherence, the cases' and the
-- pipeline's beside them.
-- It is dropped at the top of 40_dashboards.sql with the other dashboards
-- and refreshed last (dashboard_views()).
-- Its rollup cx_overview_parts holds the conversations' figures per start
-- day and tier, counts and exact sums (_cx_overview_parts()); the cases,
-- the pipeline and adherence are read whole at each refresh (small tables).
CREATE OR REPLACE FUNCTION gcanalytics._cx_overview_parts(from_start timestamptz DEFAULT '-infinity',
                                                          to_start timestamptz DEFAULT 'infinity')
    RETURNS SETOF gcanalytics.cx_overview_parts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- planned with the range's values (Citus plans no query with parameters)
    SET plan_cache_mode = force_custom_plan
    -- the few targets joined by hash: a merge join sorts every queue entry,
    -- and a memoized lookup of the three metrics never hits
    SET enable_mergejoin = off
    SET enable_memoize = off
    AS $$
BEGIN
RETURN QUERY
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz,
           1000 * extract(epoch FROM nullif(gcanalytics.setting('short_abandon_threshold'), '')::interval) AS short_ms
), thr AS MATERIALIZED (   -- the targets, read once (not once per queue entry)
    SELECT * FROM gcanalytics._service_level_targets()
), conv AS (
    SELECT (i.conversation_start AT TIME ZONE cfg.tz)::date AS start_day,
           gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier,
           count(*) AS conversations,
           count(*) FILTER (WHERE i.was_escalated) AS escalated,
           count(*) FILTER (WHERE i.handled) AS handled,
           sum(i.handle_ms) FILTER (WHERE i.handled) AS handle_ms_sum,
           count(i.csat_score) AS surveys_answered,
           sum(i.csat_score::numeric) AS csat_sum,
           count(i.nps_score) AS nps_responses,
           count(*) FILTER (WHERE i.nps_score >= 9) AS promoters,
           count(*) FILTER (WHERE i.nps_score <= 6) AS detractors,
           count(i.qa_score) AS qa_scored,
           sum(i.qa_score::numeric) AS qa_sum,
           bool_or(coalesce(i.in_progress, false)) AS in_progress,
           bool_or(i.surveys IS NOT NULL AND gcanalytics._survey_pending(i.surveys, '-infinity')) AS surveys_pending
      FROM gcanalytics.interactions i CROSS JOIN cfg
     WHERE i.conversation_start >= from_start AND i.conversation_start < to_start
     GROUP BY 1, 2
), sl AS (   -- the queue entries of the inbound conversations, by the day the conversation started
    SELECT x.start_day, x.tier, count(*) FILTER (WHERE x.answered AND x.in_sl) AS answered_in_sl,
           count(*) FILTER (WHERE x.answered) + count(*) FILTER (WHERE x.abandoned AND NOT x.short) AS sl_entries
      FROM (SELECT (i.conversation_start AT TIME ZONE cfg.tz)::date AS start_day,
                   gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier,
                   e.answered_at IS NOT NULL AS answered, e.abandoned_at IS NOT NULL AS abandoned,
                   coalesce(e.wait_ms <= cfg.short_ms, false) AS short,
                   e.answered_at IS NOT NULL AND e.wait_ms <= coalesce(t.sl_ms, tm.sl_ms) AS in_sl
              FROM gcanalytics.interactions i
             CROSS JOIN cfg
             CROSS JOIN LATERAL unnest(i.queue_entries) e
              LEFT JOIN thr t ON t.queue_id = e.queue_id AND t.media_type = coalesce(e.media_type, '(unknown)')
              LEFT JOIN thr tm ON tm.queue_id = '*' AND tm.media_type = coalesce(e.media_type, '(unknown)')
             WHERE coalesce(i.originating_direction, 'inbound') = 'inbound'
               AND i.conversation_start >= from_start AND i.conversation_start < to_start
               AND e.queue_id NOT IN (SELECT q.queue_id FROM gcanalytics.excluded_queues q)) x
     GROUP BY 1, 2
)
SELECT conv.start_day, conv.tier, conv.conversations, conv.escalated, conv.handled, conv.handle_ms_sum,
       conv.surveys_answered, conv.csat_sum, conv.nps_responses, conv.promoters, conv.detractors, conv.qa_scored,
       conv.qa_sum, conv.in_progress, conv.surveys_pending, coalesce(sl.answered_in_sl, 0), coalesce(sl.sl_entries, 0)
  FROM conv LEFT JOIN sl USING (start_day, tier);
END
$$;
COMMENT ON FUNCTION gcanalytics._cx_overview_parts(timestamptz, timestamptz) IS
    'the rows of cx_overview_parts (cx_overview''s rollup) of the conversations started in [from_start, to_start)';

CREATE MATERIALIZED VIEW gcanalytics.cx_overview AS
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz, gcanalytics.complete_until('conversations') AS complete_until,
           gcanalytics.setting('case_resolution_days')::int AS case_days
), conv AS (
    SELECT date_trunc('week', p.start_day::timestamp)::date AS week, p.tier,
           sum(p.conversations)::bigint AS conversations, sum(p.escalated)::bigint AS escalated,
           sum(p.handled)::bigint AS handled, sum(p.handle_ms_sum) AS handle_ms_sum,
           sum(p.surveys_answered)::bigint AS surveys_answered,
           sum(p.csat_sum) / nullif(sum(p.surveys_answered), 0) AS csat,
           sum(p.nps_responses)::bigint AS nps_responses, sum(p.promoters)::bigint AS promoters,
           sum(p.detractors)::bigint AS detractors,
           sum(p.qa_sum) / nullif(sum(p.qa_scored), 0) AS qa_score,
           bool_or(p.in_progress) AS in_progress, bool_or(p.surveys_pending) AS surveys_pending
      FROM gcanalytics.cx_overview_parts p
     GROUP BY 1, 2
), sl AS (
    SELECT date_trunc('week', p.start_day::timestamp)::date AS week, p.tier,
           sum(p.answered_in_sl) AS answered_in_sl, nullif(sum(p.sl_entries), 0) AS sl_entries
      FROM gcanalytics.cx_overview_parts p
     GROUP BY 1, 2
), cases AS (
    SELECT date_trunc('week', c.created_date AT TIME ZONE cfg.tz)::date AS week,
           gcanalytics.tier_label(c.account_id, a.tier) AS tier,
           count(*) AS cases,
           count(*) FILTER (WHERE c.closed_date <= c.created_date + make_interval(days => cfg.case_days)) AS resolved,
           bool_or(c.closed_date IS NULL AND c.created_date + make_interval(days => cfg.case_days) > now()) AS open
      FROM gcanalytics.crm_cases c
     CROSS JOIN cfg
      LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = c.account_id
     GROUP BY 1, 2
), adh AS (   -- every agent's scheduled days of the week (adherence is not per tier)
    SELECT date_trunc('week', a.day)::date AS week,
           round(1 - sum(a.exception_duration_s)::numeric / nullif(sum(a.adherence_schedule_s), 0), 4) AS adherence_rate
      FROM gcanalytics.adherence a
     GROUP BY 1
), opp AS (
    SELECT date_trunc('week', o.close_date::timestamp)::date AS week, gcanalytics.tier_label(o.account_id, a.tier) AS tier,
           coalesce(sum(o.amount) FILTER (WHERE NOT o.is_closed), 0) AS open_pipeline_amount,
           coalesce(sum(o.amount) FILTER (WHERE o.is_won), 0) AS closed_won_amount
      FROM gcanalytics.crm_opportunities o
      LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = o.account_id
     WHERE o.close_date IS NOT NULL
     GROUP BY 1, 2
)
SELECT conv.week, conv.tier, conv.conversations, conv.escalated,
       round(conv.escalated::numeric / conv.conversations, 4) AS escalation_rate,
       round(conv.handle_ms_sum / nullif(conv.handled, 0) / 1000.0, 1) AS aht_s,
       round(sl.answered_in_sl::numeric / nullif(sl.sl_entries, 0), 4) AS service_level_rate,
       conv.surveys_answered, round(conv.csat::numeric, 2) AS csat,
       round(100.0 * (conv.promoters - conv.detractors) / nullif(conv.nps_responses, 0), 2) AS nps,
       round(conv.qa_score::numeric, 2) AS qa_score,
       adh.adherence_rate,
       coalesce(cases.cases, 0) AS cases,
       round(cases.resolved::numeric / nullif(cases.cases, 0), 4) AS case_resolution_rate,
       coalesce(opp.open_pipeline_amount, 0) AS open_pipeline_amount,
       coalesce(opp.closed_won_amount, 0) AS closed_won_amount,
       conv.in_progress OR (conv.week + 7)::timestamp AT TIME ZONE cfg.tz > cfg.complete_until AS provisional,
       conv.in_progress OR (conv.week + 7)::timestamp AT TIME ZONE cfg.tz > cfg.complete_until
           OR conv.surveys_pending AS csat_provisional,
       coalesce(cases.open, false) AS case_resolution_provisional,
       (conv.week + 7)::timestamp AT TIME ZONE cfg.tz > now() AS revenue_provisional
  FROM conv
 CROSS JOIN cfg
  LEFT JOIN sl USING (week, tier)
  LEFT JOIN cases USING (week, tier)
  LEFT JOIN adh USING (week)
  LEFT JOIN opp USING (week, tier);
CREATE UNIQUE INDEX cx_overview_key ON gcanalytics.cx_overview (week, tier);
COMMENT ON MATERIALIZED VIEW gcanalytics.cx_overview IS
    'the VP''s screen: per week (reporting_time_zone) and tier, conversations, escalation, handle time, service level, CSAT, NPS, QA, adherence, case resolution, pipeline and revenue, with provisional flags';
COMMENT ON COLUMN gcanalytics.cx_overview.week IS 'ISO week (Monday) in reporting_time_zone (default UTC): of the conversation''s start, the case''s creation, the opportunity''s close date';
COMMENT ON COLUMN gcanalytics.cx_overview.tier IS 'CRM tier of the account at call time; ''no account'' for conversations without one, ''no tier'' for an account without a tier';
COMMENT ON COLUMN gcanalytics.cx_overview.conversations IS 'conversations started in the week';
COMMENT ON COLUMN gcanalytics.cx_overview.escalated IS 'of them, escalated (escalation_rules)';
COMMENT ON COLUMN gcanalytics.cx_overview.escalation_rate IS 'escalated / conversations, a fraction of 1';
COMMENT ON COLUMN gcanalytics.cx_overview.aht_s IS 'average handle time of the handled conversations, seconds';
COMMENT ON COLUMN gcanalytics.cx_overview.service_level_rate IS 'queue entries of the inbound conversations answered within their service level / (answered + abandoned, short abandons left out), a fraction of 1';
COMMENT ON COLUMN gcanalytics.cx_overview.surveys_answered IS 'conversations with a finished survey';
COMMENT ON COLUMN gcanalytics.cx_overview.csat IS 'average CSAT (interactions.csat_score, 0-100) of the conversations with a finished survey';
COMMENT ON COLUMN gcanalytics.cx_overview.nps IS 'net promoter score: percent promoters (9-10) less percent detractors (0-6) of the conversations with a promoter score';
COMMENT ON COLUMN gcanalytics.cx_overview.qa_score IS 'average QA score (interactions.qa_score) of the evaluated conversations';
COMMENT ON COLUMN gcanalytics.cx_overview.adherence_rate IS 'schedule adherence of every agent over the week''s scheduled UTC days (1 - time out of adherence / scheduled time, a fraction of 1); the same on each tier''s row: schedules are not per tier';
COMMENT ON COLUMN gcanalytics.cx_overview.cases IS 'CRM cases created in the week by accounts of the tier';
COMMENT ON COLUMN gcanalytics.cx_overview.case_resolution_rate IS 'cases closed within case_resolution_days (7) of their creation / cases, a fraction of 1';
COMMENT ON COLUMN gcanalytics.cx_overview.open_pipeline_amount IS 'Amount of the open opportunities expected to close in the week (revenue)';
COMMENT ON COLUMN gcanalytics.cx_overview.closed_won_amount IS 'Amount of the opportunities won with a close date in the week (revenue)';
COMMENT ON COLUMN gcanalytics.cx_overview.provisional IS 'the conversation figures can still change: a conversation in progress, or the week not final (lag_window)';
COMMENT ON COLUMN gcanalytics.cx_overview.csat_provisional IS 'CSAT and NPS can still change: provisional, or a survey of the week not answered yet';
COMMENT ON COLUMN gcanalytics.cx_overview.case_resolution_provisional IS 'an open case of the week is younger than case_resolution_days: the rate can still rise';
COMMENT ON COLUMN gcanalytics.cx_overview.revenue_provisional IS 'the week is not over: its pipeline can still close or move';

-- ------------------------------------------------------------ install
-- An upgrade over loaded rows: the rollups rebuilt from them (the
-- dashboards of the replaced version were computed from every row too) and
-- the dashboards kept from them refreshed, so that they hold what they held
-- before.  A fresh install has nothing to compute: its first
-- refresh_dashboards() is the full one.  Here, after the last dashboard
-- (cx_overview, whose rollup's function is above).
DO $$
DECLARE
    v text;
BEGIN
    IF EXISTS (SELECT 1 FROM gcanalytics.interactions) THEN
        PERFORM gcanalytics._refresh_rollup(r.rollup, true) FROM unnest(gcanalytics._rollups()) r(rollup);
        FOREACH v IN ARRAY gcanalytics.dashboard_views()
        LOOP
            IF gcanalytics.dashboard_rollup(v) IS NOT NULL THEN
                EXECUTE pg_catalog.format('REFRESH MATERIALIZED VIEW gcanalytics.%I', v);
            END IF;
        END LOOP;
    END IF;
END
$$;
