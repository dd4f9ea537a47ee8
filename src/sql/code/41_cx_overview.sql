-- cx_overview (README "Dashboards"): the VP's screen, one row per ISO week
-- (Monday, in reporting_time_zone) and tier, with the conversations'
-- figures, the surveys', QA, schedule adherence, the cases' and the
-- pipeline's beside them.
-- It is dropped at the top of 40_dashboards.sql with the other dashboards
-- and refreshed last (dashboard_views()).
-- Its rollup cx_overview_parts holds the conversations' figures per start
-- day and tier, counts and exact sums, and the conversations each agent
-- handled (which weigh the agents' adherence) (_cx_overview_parts()); the
-- cases, the pipeline and the adherence days are read whole at each
-- refresh (small tables).
-- only_ids: only those conversations (their contribution: a load's new
-- ones, merged into the rows: _rollup_columns()).
CREATE OR REPLACE FUNCTION gcanalytics._cx_overview_parts(from_start timestamptz DEFAULT '-infinity',
                                                          to_start timestamptz DEFAULT 'infinity',
                                                          only_ids text[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.cx_overview_parts
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    -- the few targets joined by hash: a merge join sorts every queue entry,
    -- and a memoized lookup of the three metrics never hits
    SET enable_mergejoin = off
    SET enable_memoize = off
    -- aggregated by hash: the planner, estimating a group per conversation,
    -- sorts every row of a full rebuild to disk otherwise
    SET enable_sort = off
    AS $$
DECLARE
    thr   text;     -- the targets, read once (not once per queue entry), as VALUES
    media text[];   -- the media with targets of their own
BEGIN
    SELECT coalesce(string_agg(format('(%L::text, %L::text, %L::numeric)', t.queue_id, t.media_type, t.sl_ms), ', '),
                    '(NULL::text, NULL::text, NULL::numeric)'),
           array_agg(DISTINCT t.media_type)
      INTO thr, media FROM gcanalytics._service_level_targets() t;
    -- with literals (_parts_range())
    RETURN QUERY EXECUTE format($q$
WITH thr (queue_id, media_type, sl_ms) AS NOT MATERIALIZED (VALUES %1$s
), g AS (   -- one scan: per start day, tier and agent who handled (NULL: the other conversations)
    SELECT (i.conversation_start AT TIME ZONE %2$L)::date AS start_day,
           gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier,
           CASE WHEN i.handled AND i.agent_id IS NOT NULL THEN i.agent_id END AS agent_id,
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
           max(CASE WHEN i.surveys IS NOT NULL THEN gcanalytics._survey_pending_last(i.surveys) END) AS pending_last
      FROM gcanalytics.interactions i
     WHERE %3$s
     GROUP BY 1, 2, 3
), conv AS (   -- per start day and tier, with the conversations each agent handled (cx_overview weighs the agents' adherence by them)
    SELECT g.start_day, g.tier, sum(g.conversations)::bigint AS conversations, sum(g.escalated)::bigint AS escalated,
           sum(g.handled)::bigint AS handled, sum(g.handle_ms_sum) AS handle_ms_sum,
           sum(g.surveys_answered)::bigint AS surveys_answered, sum(g.csat_sum) AS csat_sum,
           sum(g.nps_responses)::bigint AS nps_responses, sum(g.promoters)::bigint AS promoters,
           sum(g.detractors)::bigint AS detractors, sum(g.qa_scored)::bigint AS qa_scored, sum(g.qa_sum) AS qa_sum,
           bool_or(g.in_progress) AS in_progress, max(g.pending_last) AS pending_last,
           -- in the agents' order, sorted after the aggregate (an aggregate with ORDER BY forbids hashing)
           (SELECT array_agg(u.a ORDER BY u.a) FROM unnest(array_agg(g.agent_id)) u(a) WHERE u.a IS NOT NULL) AS agents,
           (SELECT array_agg(u.n ORDER BY u.a) FROM unnest(array_agg(g.agent_id), array_agg(g.conversations)) u(a, n)
             WHERE u.a IS NOT NULL) AS agent_handled
      FROM g
     GROUP BY 1, 2
), sl AS (   -- the queue entries of the inbound conversations, by the day the conversation started
    SELECT x.start_day, x.tier, count(*) FILTER (WHERE x.answered AND x.in_sl) AS answered_in_sl,
           count(*) FILTER (WHERE x.answered) + count(*) FILTER (WHERE x.abandoned AND NOT x.short) AS sl_entries
      FROM (SELECT y.start_day, y.tier,
                   (y.e).answered_at IS NOT NULL AS answered, (y.e).abandoned_at IS NOT NULL AS abandoned,
                   coalesce((y.e).wait_ms <= %4$L::numeric, false) AS short,
                   (y.e).answered_at IS NOT NULL AND (y.e).wait_ms <= coalesce(t.sl_ms, tm.sl_ms) AS in_sl
              -- unnest() in the select list: no tuplestore per conversation
              FROM (SELECT (i.conversation_start AT TIME ZONE %2$L)::date AS start_day,
                           gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier,
                           unnest(i.queue_entries) AS e
                      FROM gcanalytics.interactions i
                     WHERE (i.originating_direction IS NULL OR i.originating_direction = 'inbound')
                       AND %3$s) y
              -- a medium without a row of its own: '*' (as queue_entry_metrics())
              CROSS JOIN LATERAL (SELECT CASE WHEN coalesce((y.e).media_type, '(unknown)') = ANY (%5$L::text[])
                                              THEN coalesce((y.e).media_type, '(unknown)') ELSE '*' END AS media_type) km
              LEFT JOIN thr t ON t.queue_id = (y.e).queue_id AND t.media_type = km.media_type
              LEFT JOIN thr tm ON tm.queue_id = '*' AND tm.media_type = km.media_type
             WHERE (y.e).queue_id NOT IN (SELECT q.queue_id FROM gcanalytics.excluded_queues q)) x
     GROUP BY 1, 2
)
SELECT conv.start_day, conv.tier, conv.conversations, conv.escalated, conv.handled, conv.handle_ms_sum,
       conv.surveys_answered, conv.csat_sum, conv.nps_responses, conv.promoters, conv.detractors, conv.qa_scored,
       conv.qa_sum, conv.in_progress, conv.pending_last, coalesce(sl.answered_in_sl, 0), coalesce(sl.sl_entries, 0),
       conv.agents, conv.agent_handled
  FROM conv LEFT JOIN sl USING (start_day, tier)
$q$, thr, gcanalytics.reporting_time_zone(), gcanalytics._parts_range('i', from_start, to_start, only_ids),
     gcanalytics._short_abandon_ms(), media);
END
$$;
COMMENT ON FUNCTION gcanalytics._cx_overview_parts(timestamptz, timestamptz, text[]) IS
    'the rows of cx_overview_parts (cx_overview''s rollup) of the conversations started in [from_start, to_start) (only those of only_ids when given)';

CREATE MATERIALIZED VIEW gcanalytics.cx_overview AS
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz, gcanalytics.complete_until('conversations') AS complete_until,
           gcanalytics._surveys_open_since(gcanalytics.complete_until('conversations')) AS surveys_open_since,
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
           bool_or(p.in_progress) AS in_progress, max(p.pending_last) AS pending_last
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
           count(*) FILTER (WHERE c.closed_date <= gcanalytics._case_deadline(c.created_date, cfg.case_days)) AS resolved,
           -- as of the cases read (their newest SystemModstamp), not the clock
           bool_or(c.closed_date IS NULL AND gcanalytics._case_deadline(c.created_date, cfg.case_days) > snap.at) AS open
      FROM gcanalytics.crm_cases c
     CROSS JOIN cfg
     CROSS JOIN (SELECT max(k.system_modstamp) AS at FROM gcanalytics.crm_cases k) snap
      LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = c.account_id
     GROUP BY 1, 2
), agent_week AS (   -- each agent's adherence of the week (days of reporting_time_zone)
    SELECT date_trunc('week', a.day)::date AS week, a.user_id,
           1 - sum(a.exception_duration_s)::numeric / nullif(sum(a.adherence_schedule_s), 0) AS adherence
      FROM gcanalytics.adherence a
     GROUP BY 1, 2
), adh AS (   -- per tier: the agents' adherence weighted by the tier's conversations each handled that week
    SELECT h.week, h.tier, round(sum(h.n * g.adherence) / sum(h.n), 4) AS adherence_rate
      FROM (SELECT date_trunc('week', p.start_day::timestamp)::date AS week, p.tier, u.agent_id, sum(u.n) AS n
              FROM gcanalytics.cx_overview_parts p
             CROSS JOIN LATERAL unnest(p.agents, p.agent_handled) u(agent_id, n)
             GROUP BY 1, 2, 3) h
      JOIN agent_week g ON g.week = h.week AND g.user_id = h.agent_id AND g.adherence IS NOT NULL
     GROUP BY 1, 2
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
           -- a survey still open, sent within survey_lookback before the final
           -- data's end: the load reads it again until then (an older one
           -- is never answered in the warehouse: its week is final)
           OR coalesce(conv.pending_last > cfg.surveys_open_since, false) AS csat_provisional,
       coalesce(cases.open, false) AS case_resolution_provisional,
       (conv.week + 7)::timestamp AT TIME ZONE cfg.tz > now() AS revenue_provisional
  FROM conv
 CROSS JOIN cfg
  LEFT JOIN sl USING (week, tier)
  LEFT JOIN cases USING (week, tier)
  LEFT JOIN adh USING (week, tier)
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
COMMENT ON COLUMN gcanalytics.cx_overview.adherence_rate IS 'schedule adherence of the agents who handled the tier''s conversations of the week: each agent''s adherence over the week''s scheduled days (1 - time out of adherence / scheduled time) weighted by the conversations of the tier the agent handled that week, a fraction of 1; NULL when none of them had a schedule';
COMMENT ON COLUMN gcanalytics.cx_overview.cases IS 'CRM cases created in the week by accounts of the tier';
COMMENT ON COLUMN gcanalytics.cx_overview.case_resolution_rate IS 'cases closed within case_resolution_days (7) of their creation / cases, a fraction of 1';
COMMENT ON COLUMN gcanalytics.cx_overview.open_pipeline_amount IS 'Amount of the open opportunities expected to close in the week (revenue)';
COMMENT ON COLUMN gcanalytics.cx_overview.closed_won_amount IS 'Amount of the opportunities won with a close date in the week (revenue)';
COMMENT ON COLUMN gcanalytics.cx_overview.provisional IS 'the conversation figures can still change: a conversation in progress, or the week not final (lag_window)';
COMMENT ON COLUMN gcanalytics.cx_overview.csat_provisional IS 'CSAT and NPS can still change: provisional, or a survey of the week not answered yet and sent within survey_lookback before the conversations'' complete_until() (the load reads it again until then)';
COMMENT ON COLUMN gcanalytics.cx_overview.case_resolution_provisional IS 'an open case of the week was younger than case_resolution_days when the cases were read (their newest SystemModstamp): the rate can still rise';
COMMENT ON COLUMN gcanalytics.cx_overview.revenue_provisional IS 'the week is not over: its pipeline can still close or move';

-- ------------------------------------------------------------ statistics
-- ln_gamma(x): ln Γ(x) for x > 0 (Lanczos, Numerical Recipes' gammln:
-- relative error below 2e-10).  PostgreSQL 15 has no lgamma().
CREATE OR REPLACE FUNCTION gcanalytics.ln_gamma(x float8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT -(x + 5.5 - (x + 0.5) * ln(x + 5.5))
       + ln(2.5066282746310005 * (1.000000000190015 + 76.18009172947146 / (x + 1) - 86.50532032941677 / (x + 2)
                                  + 24.01409824083091 / (x + 3) - 1.231739572450155 / (x + 4)
                                  + 0.1208650973866179e-2 / (x + 5) - 0.5395239384953e-5 / (x + 6)) / x)
$$;
COMMENT ON FUNCTION gcanalytics.ln_gamma(float8) IS 'ln of the gamma function for x > 0 (Lanczos; relative error < 2e-10)';

-- student_t_p_value(t, df): the two-sided p-value of Student's t with df
-- degrees of freedom (df > 0, not necessarily whole): the regularized
-- incomplete beta I_x(df/2, 1/2) at x = df / (df + t²), by its continued
-- fraction (Numerical Recipes' betai and betacf, modified Lentz; 1e-12).
CREATE OR REPLACE FUNCTION gcanalytics.student_t_p_value(t float8, df float8) RETURNS float8
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    x float8;
    a float8;
    b float8;
    swap boolean;
    ln_front float8;
    c float8 := 1;
    d float8;
    h float8;
    aa float8;
    del float8;
    tiny constant float8 := 1e-300;
BEGIN
    IF df <= 0 OR t = 'NaN'::float8 OR df = 'NaN'::float8 THEN
        RETURN NULL;
    END IF;
    IF t = 0 THEN
        RETURN 1;
    END IF;
    IF abs(t) = 'Infinity'::float8 THEN
        RETURN 0;
    END IF;
    x := df / (df + t * t);
    a := df / 2;
    b := 0.5;
    -- the continued fraction converges fast for x < (a + 1) / (a + b + 2):
    -- else I_x(a, b) = 1 - I_(1-x)(b, a)
    swap := x >= (a + 1) / (a + b + 2);
    IF swap THEN
        x := t * t / (df + t * t);
        a := 0.5;
        b := df / 2;
    END IF;
    ln_front := gcanalytics.ln_gamma(a + b) - gcanalytics.ln_gamma(a) - gcanalytics.ln_gamma(b)
                + a * ln(x) + b * ln(1 - x);
    IF ln_front < -700 THEN   -- exp() would underflow: the p-value (or its complement) is 0
        RETURN CASE WHEN swap THEN 1 ELSE 0 END;
    END IF;
    d := 1 - (a + b) * x / (a + 1);
    IF abs(d) < tiny THEN d := tiny; END IF;
    d := 1 / d;
    h := d;
    FOR m IN 1 .. 10000 LOOP
        aa := m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m));
        d := 1 + aa * d;
        IF abs(d) < tiny THEN d := tiny; END IF;
        c := 1 + aa / c;
        IF abs(c) < tiny THEN c := tiny; END IF;
        d := 1 / d;
        h := h * d * c;
        aa := -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m));
        d := 1 + aa * d;
        IF abs(d) < tiny THEN d := tiny; END IF;
        c := 1 + aa / c;
        IF abs(c) < tiny THEN c := tiny; END IF;
        d := 1 / d;
        del := d * c;
        h := h * del;
        EXIT WHEN abs(del - 1) < 1e-12;
    END LOOP;
    h := exp(ln_front) * h / a;
    RETURN CASE WHEN swap THEN greatest(1 - h, 0) ELSE least(h, 1) END;
END
$$;
COMMENT ON FUNCTION gcanalytics.student_t_p_value(float8, float8) IS
    'two-sided p-value of Student''s t with df degrees of freedom (regularized incomplete beta, continued fraction)';

-- mean_contrast_test(n, sum, sum_squares, weight): Welch's t-test of a
-- contrast of k independent means, sum of weight[i] * mean[i] (mean[i] =
-- sum[i] / n[i], sample variance from sum_squares[i]): t the contrast over
-- its standard error sqrt(sum of weight² variance / n), df by
-- Welch-Satterthwaite, p_value two-sided (student_t_p_value()).  Weights
-- (-1, 1): Welch's two-sample test, t > 0 when the second mean is higher;
-- (-1, 1, 1, -1): the change of the first two means against the change of
-- the last two.  NULL when a group has fewer than 2 values or the standard
-- error is 0.
CREATE OR REPLACE FUNCTION gcanalytics.mean_contrast_test(n bigint[], sum float8[], sum_squares float8[], weight float8[],
                                               OUT t float8, OUT df float8, OUT p_value float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT s.contrast / sqrt(s.se2), s.se2 * s.se2 / s.df_den,
       gcanalytics.student_t_p_value(s.contrast / sqrt(s.se2), s.se2 * s.se2 / s.df_den)
  FROM (SELECT sum(g.w * g.mean) AS contrast, sum(g.u) AS se2, sum(g.u * g.u / nullif(g.n - 1, 0)) AS df_den
          FROM (SELECT e.n, e.w, e.s / nullif(e.n, 0) AS mean,
                       -- weight² sample variance / n; the variance never below 0 (rounding)
                       e.w * e.w * greatest((e.q - e.s * e.s / nullif(e.n, 0)) / nullif(e.n - 1, 0), 0) / nullif(e.n, 0) AS u
                  FROM unnest(n, sum, sum_squares, weight) e (n, s, q, w)) g
        HAVING min(g.n) >= 2 AND count(*) = cardinality(mean_contrast_test.n)) s
 WHERE s.se2 > 0 AND s.df_den > 0
$$;
COMMENT ON FUNCTION gcanalytics.mean_contrast_test(bigint[], float8[], float8[], float8[]) IS
    'Welch''s t-test of a contrast of independent means (weights -1, 1: two samples; -1, 1, 1, -1: difference in differences): t, Welch-Satterthwaite df, two-sided p-value';

-- _change_tests(metric, ...): the tests of cx_insights for a tier's week
-- (n, sum, sum of squares: 1 the week before, 2 the week; m, r, u: every
-- other tier together), each computed once: for csat Welch's t-test of the
-- change (statistic t, df) and of the change against the other tiers'
-- (mean_contrast_test()); for a share the pooled two-proportion z-test and
-- the difference-in-differences z-test.
CREATE OR REPLACE FUNCTION gcanalytics._change_tests(metric text, n1 bigint, n2 bigint, s1 float8, s2 float8,
                                                     q1 float8, q2 float8, m1 bigint, m2 bigint,
                                                     r1 float8, r2 float8, u1 float8, u2 float8,
                                                     OUT statistic float8, OUT df float8, OUT p_value float8,
                                                     OUT concentration_statistic float8, OUT concentration_p float8)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT t.t, t.df, t.p_value, c.t, c.p_value
  FROM gcanalytics.mean_contrast_test(ARRAY[n1, n2], ARRAY[s1, s2], ARRAY[q1, q2], '{-1, 1}') t,
       gcanalytics.mean_contrast_test(ARRAY[n1, n2, m2, m1], ARRAY[s1, s2, r2, r1], ARRAY[q1, q2, u2, u1],
                                      '{-1, 1, -1, 1}') c
 WHERE metric = 'csat'
UNION ALL
SELECT t.z, NULL, t.p_value, c.z, c.p_value
  FROM gcanalytics.two_proportion_test(s1::bigint, n1, s2::bigint, n2) t,
       gcanalytics.diff_in_diff_test(s1::bigint, n1, s2::bigint, n2, r1::bigint, m1, r2::bigint, m2) c
 WHERE metric <> 'csat'
$$;
COMMENT ON FUNCTION gcanalytics._change_tests(text, bigint, bigint, float8, float8, float8, float8, bigint, bigint, float8, float8, float8, float8) IS
    'cx_insights'' tests of a tier''s week against the week before, each computed once: the change''s test (Welch''s t for csat, else the two-proportion z) and the test against the other tiers'' change';

-- ------------------------------------------------------------ CSAT rollup
-- _cx_insights_samples(from_start, to_start, only_ids): per conversation
-- started in [from_start, to_start) (of only_ids when given) with an
-- answered survey, in progress or with a survey: its start, the tier it is
-- reported under (_reported_tier()), its CSAT (NULL without an answered survey), whether it is in progress, and
-- when its last survey still open was sent (_survey_pending_last()).
-- cx_insights' rollup sums them per day (_cx_insights_parts()), and
-- cx_insights reads them for the days a cut of its weeks falls inside.
-- Index scans allowed: refresh_dashboards() turns them off for the
-- dashboards read whole, and a day is read through the index on
-- conversation_start.
CREATE OR REPLACE FUNCTION gcanalytics._cx_insights_samples(from_start timestamptz, to_start timestamptz,
                                                            only_ids text[] DEFAULT NULL)
    RETURNS TABLE (conversation_start timestamptz, tier text, x float8, in_progress boolean, pending_last timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET enable_indexscan = on
    SET enable_bitmapscan = on
    AS $$
BEGIN
-- with literals (_parts_range()); with tier_reporting at_call_time (no
-- current tiers) no join at all
RETURN QUERY EXECUTE format($q$
SELECT i.conversation_start, gcanalytics._reported_tier(i.crm_account_id, i.customer_tier, ct.account_id, ct.tier),
       i.csat_score, coalesce(i.in_progress, false),
       CASE WHEN i.surveys IS NOT NULL THEN gcanalytics._survey_pending_last(i.surveys) END
  FROM gcanalytics.interactions i
  LEFT JOIN (SELECT a.account_id, a.tier FROM gcanalytics.crm_accounts a WHERE %L::boolean) ct ON ct.account_id = i.crm_account_id
 WHERE %s
   AND (i.csat_score IS NOT NULL OR i.in_progress OR i.surveys IS NOT NULL)
$q$, gcanalytics.current_tier_reporting(), gcanalytics._parts_range('i', from_start, to_start, only_ids));
END
$$;
COMMENT ON FUNCTION gcanalytics._cx_insights_samples(timestamptz, timestamptz, text[]) IS
    'cx_insights'' samples of the conversations started in [from_start, to_start) (only those of only_ids when given): start, tier reported, CSAT, in progress, last survey still open';

-- _cx_insights_first_start(): the start of the first conversation loaded,
-- through the index on conversation_start (refresh_dashboards() turns
-- index scans off).
CREATE OR REPLACE FUNCTION gcanalytics._cx_insights_first_start()
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET enable_indexscan = on
    AS $$
BEGIN
    RETURN (SELECT min(i.conversation_start) FROM gcanalytics.interactions i);
END
$$;
COMMENT ON FUNCTION gcanalytics._cx_insights_first_start() IS
    'the start of the first conversation loaded (cx_insights compares its weeks from the first loaded)';

-- _cx_insights_first_open(from_start, to_start, sent_after): the start of
-- the first conversation started in [from_start, to_start) still in
-- progress or with a survey sent after sent_after still open (NULL: none),
-- read in start order through the index on conversation_start up to the
-- first one (cx_insights' first_open: reading its day's samples whole cost
-- 1.1 s a refresh at 30,000,000 interactions, the day's pages not cached).
CREATE OR REPLACE FUNCTION gcanalytics._cx_insights_first_open(from_start timestamptz, to_start timestamptz,
                                                               sent_after timestamptz)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET enable_indexscan = on
    -- literals of dates and times written as ISO 8601 (read back exactly under any DateStyle and TimeZone)
    SET DateStyle = 'ISO, YMD'
    AS $$
DECLARE
    at timestamptz;
BEGIN
    -- with literals (_parts_range())
    EXECUTE format($q$
SELECT i.conversation_start
  FROM gcanalytics.interactions i
 WHERE %s
   AND (i.in_progress OR (i.surveys IS NOT NULL AND gcanalytics._survey_pending_last(i.surveys) > %L::timestamptz))
 ORDER BY i.conversation_start
 LIMIT 1
$q$, gcanalytics._parts_range('i', from_start, to_start, NULL), sent_after) INTO at;
    RETURN at;
END
$$;
COMMENT ON FUNCTION gcanalytics._cx_insights_first_open(timestamptz, timestamptz, timestamptz) IS
    'the start of the first conversation started in [from_start, to_start) still in progress or with a survey sent after sent_after still open';

-- _cx_insights_parts(from_start, to_start, only_ids): the rows of
-- cx_insights_parts of the conversations started in [from_start, to_start)
-- (only those of only_ids when given: a load's new ones, merged into the
-- rows): per start day (reporting_time_zone) and tier reported, the
-- answered surveys' count, exact sum and sum of squares, the first start
-- of a conversation in progress, the last survey still open.
CREATE OR REPLACE FUNCTION gcanalytics._cx_insights_parts(from_start timestamptz DEFAULT '-infinity',
                                                          to_start timestamptz DEFAULT 'infinity',
                                                          only_ids text[] DEFAULT NULL)
    RETURNS SETOF gcanalytics.cx_insights_parts
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
WITH cfg AS MATERIALIZED (   -- read once, not once per row
    SELECT gcanalytics.reporting_time_zone() AS tz
)
SELECT (s.conversation_start AT TIME ZONE cfg.tz)::date, s.tier, count(s.x),
       coalesce(sum(s.x::numeric), 0), coalesce(sum(s.x::numeric * s.x::numeric), 0),
       min(s.conversation_start) FILTER (WHERE s.in_progress), max(s.pending_last)
  FROM gcanalytics._cx_insights_samples(from_start, to_start, only_ids) s CROSS JOIN cfg
 GROUP BY 1, 2
$$;
COMMENT ON FUNCTION gcanalytics._cx_insights_parts(timestamptz, timestamptz, text[]) IS
    'the rows of cx_insights_parts (cx_insights'' rollup) of the conversations started in [from_start, to_start) (only those of only_ids when given)';

-- ------------------------------------------------------------ the insight
-- cx_insights (README "Dashboards"): escalation (escalation_insights'
-- rows), CSAT and case resolution, each tier's week against the week
-- before with the same honesty rules: the tier's figures and the overall
-- figures each with their own numbers, a test whose p-value is in the row,
-- "concentrated in" only when the tier's change differs from the other
-- tiers' by a test too, a release named only when it falls between the two
-- weeks (at the start of the later one).
--   CSAT (a mean of 0-100 survey scores): Welch's t-test; case resolution
--   (a share of cases): the pooled two-proportion z-test, as escalation.
--   Like with like: a metric's data is final before settled_until (CSAT:
--   complete_until('conversations'), and the start of the first
--   conversation in progress or with a survey sent within survey_lookback
--   not answered yet; cases: the newest SystemModstamp of the cases read
--   less case_resolution_days, so that every case counted had its days).
--   A week wholly before it is compared whole with the week before; the
--   week it falls in, by its part before it against the same part of the
--   week before (provisional, and the sentence says which part); a week
--   after it has no row.  Alike at the start: both metrics are compared
--   from the first conversations window loaded on (the weeks cx_overview
--   shows), a week after one that begins mid-week from that weekday and
--   time on.
-- CSAT is read from the rollup cx_insights_parts (per start day and tier
-- reported: count, sum and sum of squares, exact), a day at its midnight:
-- every cut of a week falls at midnight but in the cut days (where the
-- first window began and where CSAT stops being final, and a week from
-- them), whose surveys are read one by one (_cx_insights_samples()).
CREATE MATERIALIZED VIEW gcanalytics.cx_insights AS
WITH cfg AS MATERIALIZED (
    SELECT gcanalytics.reporting_time_zone() AS tz, gcanalytics.setting('insight_max_p')::float8 AS max_p,
           gcanalytics.setting('insight_min_conversations')::bigint AS min_n,
           gcanalytics.setting('case_resolution_days')::int AS case_days,
           gcanalytics.complete_until('conversations') AS conv_until,
           gcanalytics._surveys_open_since(gcanalytics.complete_until('conversations')) AS surveys_open_since
), first_window AS MATERIALIZED (
    SELECT gcanalytics._first_window('conversations') AS at
), first_conversation AS MATERIALIZED (
    SELECT gcanalytics._cx_insights_first_start() AS at
), open_day AS MATERIALIZED (   -- the first day with a conversation in progress or a survey that may still be answered
    SELECT min(p.start_day) AS day
      FROM gcanalytics.cx_insights_parts p CROSS JOIN cfg
     WHERE p.open_first IS NOT NULL OR p.pending_last > cfg.surveys_open_since
), first_open AS MATERIALIZED (   -- the first such conversation, of that day (a row: NULL without one)
    SELECT (SELECT gcanalytics._cx_insights_first_open(o.day::timestamp AT TIME ZONE cfg.tz,
                                                       (o.day + 1)::timestamp AT TIME ZONE cfg.tz,
                                                       cfg.surveys_open_since)
              FROM open_day o CROSS JOIN cfg
             WHERE o.day IS NOT NULL) AS at
), loaded AS (   -- the first conversations window loaded (or the first conversation, once windows are gone)
    SELECT least(fw.at, fc.at) AT TIME ZONE cfg.tz AS from_local
      FROM cfg CROSS JOIN first_window fw CROSS JOIN first_conversation fc
), settled AS (   -- per metric, the local times its data is compared from and final until
    SELECT 'csat'::text AS metric, loaded.from_local, least(cfg.conv_until, fo.at) AT TIME ZONE cfg.tz AS until_local
      FROM cfg CROSS JOIN loaded CROSS JOIN first_open fo
    UNION ALL
    -- every case is read, however old, but compared over the weeks of the
    -- conversations loaded, as cx_overview shows them (not years of weeks,
    -- each a chance of a change by chance)
    SELECT 'case_resolution', min(loaded.from_local),
           (max(c.system_modstamp) - make_interval(hours => 24 * min(cfg.case_days))) AT TIME ZONE min(cfg.tz)
      FROM gcanalytics.crm_cases c CROSS JOIN cfg CROSS JOIN loaded
), cut_days AS MATERIALIZED (   -- the days a cut of CSAT's weeks falls inside (not at midnight)
    SELECT DISTINCT b.at::date AS day
      FROM settled s
     CROSS JOIN LATERAL (VALUES (s.from_local), (s.from_local + interval '7 days'), (s.until_local),
                                (s.until_local - interval '7 days')) b(at)
     WHERE s.metric = 'csat' AND isfinite(b.at) AND b.at <> date_trunc('day', b.at)
), samples AS MATERIALIZED (   -- per metric, local time and tier: values (n), their sum (s) and sum of squares (q)
    -- CSAT: a day of the rollup at its midnight (every cut of a week falls
    -- at midnight but in the cut days), each answered survey of a cut day
    SELECT 'csat'::text AS metric, p.start_day::timestamp AS t_local, p.tier, p.surveys AS n, p.csat_sum AS s,
           p.csat_squares AS q
      FROM gcanalytics.cx_insights_parts p
     WHERE p.surveys > 0 AND p.start_day NOT IN (SELECT c.day FROM cut_days c)
    UNION ALL
    SELECT 'csat', s.conversation_start AT TIME ZONE cfg.tz, s.tier, 1, s.x::numeric, s.x::numeric * s.x::numeric
      FROM cut_days c CROSS JOIN cfg
     CROSS JOIN LATERAL gcanalytics._cx_insights_samples(c.day::timestamp AT TIME ZONE cfg.tz,
                                                         (c.day + 1)::timestamp AT TIME ZONE cfg.tz) s
     WHERE s.x IS NOT NULL
    UNION ALL
    -- a case: 1 when resolved in time, else 0
    SELECT 'case_resolution', c.created_date AT TIME ZONE cfg.tz, gcanalytics.tier_label(c.account_id, a.tier), 1, r.x, r.x
      FROM gcanalytics.crm_cases c CROSS JOIN cfg
      LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = c.account_id
     CROSS JOIN LATERAL (SELECT CASE WHEN c.closed_date <= gcanalytics._case_deadline(c.created_date, cfg.case_days)
                                     THEN 1 ELSE 0 END::numeric AS x) r
     WHERE c.created_date IS NOT NULL
), cuts AS (   -- the weeks compared and the part of them compared: the same span of both weeks
    SELECT w.metric, w.week, x.prev_start, x.prev_start + interval '7 days' AS cur_start, x.cur_end
      FROM (SELECT DISTINCT metric, date_trunc('week', t_local)::date AS week FROM samples) w
      JOIN settled s USING (metric),
           LATERAL (SELECT greatest((w.week - 7)::timestamp, s.from_local) AS prev_start,
                           least((w.week + 7)::timestamp, s.until_local) AS cur_end) x
     WHERE x.prev_start + interval '7 days' < x.cur_end
), agg AS (   -- per week and tier, and per week for every tier together (tier NULL)
    SELECT c.metric, c.week, c.cur_start, c.cur_end, s.tier,
           coalesce(sum(s.n) FILTER (WHERE k.cur), 0)::bigint AS n2, coalesce(sum(s.s) FILTER (WHERE k.cur), 0) AS s2,
           coalesce(sum(s.q) FILTER (WHERE k.cur), 0) AS q2,
           coalesce(sum(s.n) FILTER (WHERE NOT k.cur), 0)::bigint AS n1,
           coalesce(sum(s.s) FILTER (WHERE NOT k.cur), 0) AS s1, coalesce(sum(s.q) FILTER (WHERE NOT k.cur), 0) AS q1
      FROM cuts c
      JOIN samples s ON s.metric = c.metric AND s.t_local >= c.prev_start AND s.t_local < c.cur_end,
           LATERAL (SELECT s.t_local >= c.week::timestamp AS cur) k
     WHERE (k.cur AND s.t_local >= c.cur_start) OR (NOT k.cur AND s.t_local < c.cur_end - interval '7 days')
     GROUP BY GROUPING SETS ((c.metric, c.week, c.cur_start, c.cur_end, s.tier), (c.metric, c.week, c.cur_start, c.cur_end))
), w0 AS (   -- the tier's figures, and those of every other tier together (m*, r*, u*)
    SELECT t.metric, t.week, t.tier, t.cur_start, t.cur_end, t.n1, t.n2, t.s1, t.s2, t.q1, t.q2,
           o.n1 - t.n1 AS m1, o.n2 - t.n2 AS m2, o.s1 - t.s1 AS r1, o.s2 - t.s2 AS r2, o.q1 - t.q1 AS u1, o.q2 - t.q2 AS u2,
           t.s1 / nullif(t.n1, 0) AS v1, t.s2 / nullif(t.n2, 0) AS v2,
           o.s1 / nullif(o.n1, 0) AS ov1, o.s2 / nullif(o.n2, 0) AS ov2
      FROM agg t
      JOIN agg o ON o.metric = t.metric AND o.week = t.week AND o.tier IS NULL
     WHERE t.tier IS NOT NULL
), w AS (   -- the tests, each computed once (_change_tests())
    SELECT w0.*, t.statistic, t.df, t.p_value, t.concentration_statistic, t.concentration_p
      FROM w0 CROSS JOIN LATERAL gcanalytics._change_tests(w0.metric, w0.n1, w0.n2, w0.s1, w0.s2, w0.q1, w0.q2,
                                                          w0.m1, w0.m2, w0.r1, w0.r2, w0.u1, w0.u2) t
), rel AS (   -- the releases between a week and the week before: at its Monday 00:00
    SELECT k.week, string_agg(format('%s on %s', rl.release_name, to_char(k.week, 'YYYY-MM-DD')), ', ' ORDER BY rl.release_name) AS names,
           count(*) AS n
      FROM (SELECT DISTINCT week FROM w) k CROSS JOIN cfg
      JOIN gcanalytics.releases rl ON rl.released_at = k.week::timestamp AT TIME ZONE cfg.tz
     GROUP BY k.week
), r AS (
    SELECT w.*, w.cur_start > w.week::timestamp OR w.cur_end < (w.week + 7)::timestamp AS partial,
           rel.names AS releases_between, coalesce(rel.n, 0) AS n_releases_between,
           cfg.max_p, cfg.min_n, cfg.case_days
      FROM w CROSS JOIN cfg
      LEFT JOIN rel USING (week)
), esc AS MATERIALIZED (   -- escalation_insights' rows, planned on their own (local tables only)
    SELECT * FROM gcanalytics.escalation_insights
), s AS (
    SELECT r.*, coalesce(r.p_value < r.max_p AND r.n1 >= r.min_n AND r.n2 >= r.min_n, false) AS significant,
           CASE WHEN r.metric = 'csat' THEN 1 ELSE 100 END AS scale
      FROM r
)
SELECT 'escalation'::text AS metric, e.week, e.tier, 'percent of conversations escalated'::text AS unit,
       e.week::timestamp AS compared_from, (e.week + 7)::timestamp AS compared_until, e.prev_conversations AS prev_n, e.prev_rate_pct AS prev_value,
       e.conversations AS n, e.rate_pct AS value, e.change_points AS change,
       'pooled two-proportion z-test'::text AS test, e.z AS statistic, NULL::float8 AS df, e.p_value, e.significant,
       e.overall_prev_rate_pct AS overall_prev_value, e.overall_rate_pct AS overall_value,
       e.concentration_z AS concentration_statistic, e.concentration_p, e.concentrated, e.releases_between,
       e.provisional, e.sentence
  FROM esc e
UNION ALL
SELECT s.metric, s.week, s.tier,
       CASE s.metric WHEN 'csat' THEN 'mean survey score (0-100)'
            ELSE format('percent of cases closed within %s days', s.case_days) END,
       s.cur_start, s.cur_end, s.n1, round((s.scale * s.v1)::numeric, 2), s.n2, round((s.scale * s.v2)::numeric, 2),
       round((s.scale * (s.v2 - s.v1))::numeric, 2),
       CASE s.metric WHEN 'csat' THEN 'Welch''s t-test' ELSE 'pooled two-proportion z-test' END,
       s.statistic, s.df, s.p_value, s.significant,
       round((s.scale * s.ov1)::numeric, 2), round((s.scale * s.ov2)::numeric, 2),
       s.concentration_statistic, s.concentration_p, s.significant AND coalesce(s.concentration_p < s.max_p, false),
       s.releases_between, s.partial,
       CASE WHEN s.significant THEN
           format('%s %s %s %s points (%s%s to %s%s); overall %s%s to %s%s%s%s%s',
                  s.tier, CASE s.metric WHEN 'csat' THEN 'CSAT' ELSE 'case resolution' END,
                  CASE WHEN s.v2 > s.v1 THEN 'rose' ELSE 'fell' END,
                  round(abs(s.scale * (s.v2 - s.v1))::numeric, 1),
                  round((s.scale * s.v1)::numeric, 1), CASE s.metric WHEN 'csat' THEN '' ELSE ' %' END,
                  round((s.scale * s.v2)::numeric, 1),
                  CASE s.metric WHEN 'csat' THEN ', mean survey score' ELSE format(' %% of cases closed within %s days', s.case_days) END,
                  round((s.scale * s.ov1)::numeric, 1), CASE s.metric WHEN 'csat' THEN '' ELSE ' %' END,
                  round((s.scale * s.ov2)::numeric, 1), CASE s.metric WHEN 'csat' THEN '' ELSE ' %' END,
                  CASE WHEN s.concentration_p < s.max_p
                       THEN format(', concentrated in %s (%s against the other tiers, %s)', s.tier,
                                   CASE s.metric WHEN 'csat' THEN 'Welch''s t-test of the change' ELSE 'difference-in-differences z-test' END,
                                   CASE WHEN s.concentration_p < 0.001 THEN 'p < 0.001'
                                        ELSE format('p = %s', round(s.concentration_p::numeric, 3)) END)
                       ELSE '' END,
                  CASE WHEN s.n_releases_between = 1 THEN ', starting after release ' || s.releases_between
                       WHEN s.n_releases_between > 1 THEN ', starting after releases ' || s.releases_between
                       ELSE '' END,
                  CASE WHEN s.partial
                       THEN format('; %s to %s of each week (the rest of the week not loaded or not final)',
                                   to_char(s.cur_start, 'FMDay HH24:MI'), to_char(s.cur_end, 'FMDay HH24:MI'))
                       ELSE '' END)
       END
  FROM s;
CREATE UNIQUE INDEX cx_insights_key ON gcanalytics.cx_insights (metric, week, tier);
COMMENT ON MATERIALIZED VIEW gcanalytics.cx_insights IS
    'the insight for escalation, CSAT and case resolution: each tier''s week against the week before (like with like), the test and its p-value, the overall figures, concentration, the releases between the weeks, and a sentence when significant';
COMMENT ON COLUMN gcanalytics.cx_insights.metric IS 'the metric compared: escalation, csat (CSAT) or the case resolution rate';
COMMENT ON COLUMN gcanalytics.cx_insights.week IS 'the ISO week (Monday, reporting_time_zone) compared with the week before: of the conversation''s start, the case''s creation';
COMMENT ON COLUMN gcanalytics.cx_insights.tier IS 'CRM tier; ''no account'' for conversations and cases without one, ''no tier'' for an account without a tier';
COMMENT ON COLUMN gcanalytics.cx_insights.unit IS 'what prev_value and value measure';
COMMENT ON COLUMN gcanalytics.cx_insights.compared_from IS 'local time (reporting_time_zone) the compared part of the week starts at: its Monday, or later when the week before was loaded only from a later weekday; the week before is compared over the same part';
COMMENT ON COLUMN gcanalytics.cx_insights.compared_until IS 'local time (reporting_time_zone) the compared part of the week ends at: the next Monday when the week is compared to its end, else the time before which the metric''s data is final; the week before is compared over the same part';
COMMENT ON COLUMN gcanalytics.cx_insights.prev_n IS 'conversations, answered surveys or cases of the tier in the compared part of the week before';
COMMENT ON COLUMN gcanalytics.cx_insights.prev_value IS 'the metric the week before (percent, or mean score 0-100)';
COMMENT ON COLUMN gcanalytics.cx_insights.n IS 'conversations, answered surveys or cases of the tier in the compared part of the week';
COMMENT ON COLUMN gcanalytics.cx_insights.value IS 'the metric this week (percent, or mean score 0-100)';
COMMENT ON COLUMN gcanalytics.cx_insights.change IS 'value - prev_value: percentage points, or score points';
COMMENT ON COLUMN gcanalytics.cx_insights.test IS 'the test of the change: the pooled two-proportion z-test (escalation, case resolution) or Welch''s t-test (CSAT)';
COMMENT ON COLUMN gcanalytics.cx_insights.statistic IS 'z or t of the test, positive when the metric rose';
COMMENT ON COLUMN gcanalytics.cx_insights.df IS 'Welch-Satterthwaite degrees of freedom of the t-test (CSAT); NULL for a z-test';
COMMENT ON COLUMN gcanalytics.cx_insights.p_value IS 'two-sided p-value of the test';
COMMENT ON COLUMN gcanalytics.cx_insights.significant IS 'p_value < insight_max_p (0.01) with at least insight_min_conversations (30) conversations, surveys or cases each side (escalation: and neither week provisional)';
COMMENT ON COLUMN gcanalytics.cx_insights.overall_prev_value IS 'the metric of every tier together the week before, over the same part';
COMMENT ON COLUMN gcanalytics.cx_insights.overall_value IS 'the metric of every tier together this week, over the same part';
COMMENT ON COLUMN gcanalytics.cx_insights.concentration_statistic IS 'the tier''s change against the change of the other tiers together: difference-in-differences z (proportions) or Welch t of the contrast (CSAT)';
COMMENT ON COLUMN gcanalytics.cx_insights.concentration_p IS 'two-sided p-value of concentration_statistic';
COMMENT ON COLUMN gcanalytics.cx_insights.concentrated IS 'significant, and concentration_p < insight_max_p: the sentence says "concentrated in" the tier';
COMMENT ON COLUMN gcanalytics.cx_insights.releases_between IS 'the releases between the two weeks (at the start of this week in reporting_time_zone), named in the sentence';
COMMENT ON COLUMN gcanalytics.cx_insights.provisional IS 'escalation: either week is provisional (never compared); CSAT and case resolution: only part of the week is compared (compared_from, compared_until), with the same part of the week before';
COMMENT ON COLUMN gcanalytics.cx_insights.sentence IS 'the insight in words, only for significant changes: the tier''s figures and the overall figures, "concentrated in" only when concentrated, the releases between the two weeks, the part of the week compared when not whole';
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
            IF v OPERATOR(pg_catalog.=) ANY (gcanalytics._dashboard_tables()) THEN
                PERFORM gcanalytics._refresh_kept(v, true, NULL, NULL, NULL, gcanalytics.complete_until('conversations'));
            ELSIF gcanalytics.dashboard_rollup(v) IS NOT NULL THEN
                EXECUTE pg_catalog.format('REFRESH MATERIALIZED VIEW gcanalytics.%I', v);
            END IF;
        END LOOP;
    END IF;
END
$$;
