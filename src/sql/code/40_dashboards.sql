-- The dashboards (README "Dashboards"): materialized views over the
-- warehouse, each with the unique index REFRESH ... CONCURRENTLY needs, a
-- plain view for the insight sentences, refresh_dashboards(), the pg_cron
-- schedule, and the roles BI tools log in through.  Every day and week is
-- a UTC day and an ISO week (Monday) in UTC, whatever TimeZone says.

-- ------------------------------------------------------------ replace
-- This piece runs on every install and upgrade: the dashboards of the
-- version being replaced are dropped and created again below, from the
-- warehouse's rows.  A view added to this file goes into these two lists;
-- one removed from it is dropped by the version's delta.  A user's own
-- view over a dashboard stops the upgrade (PostgreSQL's error names it)
-- rather than being dropped with it.
DROP VIEW IF EXISTS gcanalytics.escalation_insights;
DROP MATERIALIZED VIEW IF EXISTS gcanalytics.join_quality, gcanalytics.queue_daily,
    gcanalytics.agent_quality, gcanalytics.bot_containment_by_industry,
    gcanalytics.escalation_by_tier, gcanalytics.escalation_weekly,
    gcanalytics.kpi_weekly, gcanalytics.kpi_daily;

-- dashboard_views(): the materialized dashboards in dependency order
-- (kpi_weekly reads kpi_daily).
CREATE OR REPLACE FUNCTION gcanalytics.dashboard_views() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['kpi_daily', 'kpi_weekly', 'escalation_weekly', 'escalation_by_tier',
                       'bot_containment_by_industry', 'agent_quality', 'queue_daily', 'join_quality'] $$;
COMMENT ON FUNCTION gcanalytics.dashboard_views() IS
    'the materialized dashboard views in the order refresh_dashboards() refreshes them';

-- ------------------------------------------------------------ statistics
-- erfc(x) after Numerical Recipes' erfcc (Chebyshev fit): relative error
-- below 1.2e-7 everywhere, so a p-value <= 1 is off by less than 1.2e-7.
CREATE OR REPLACE FUNCTION gcanalytics.erfc(x float8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
SELECT CASE WHEN x >= 0 THEN r ELSE 2.0 - r END
  FROM (SELECT 1.0 / (1.0 + 0.5 * abs(x)) AS t) s,
       -- beyond |x| = 26.4 erfc(|x|) is below the smallest normal float8
       -- (and exp() would raise an underflow error): 0
       LATERAL (SELECT CASE WHEN x * x > 700 THEN 0.0
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
    AS $$
SELECT zz, gcanalytics.erfc(abs(zz) / sqrt(2.0))
  FROM (SELECT CASE WHEN n1 > 0 AND n2 > 0 AND p > 0 AND p < 1
                    THEN (x2::float8 / n2 - x1::float8 / n1) / sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2))
               END AS zz
          FROM (SELECT (x1 + x2)::float8 / nullif(n1 + n2, 0) AS p) pooled) s
$$;
COMMENT ON FUNCTION gcanalytics.two_proportion_test(bigint, bigint, bigint, bigint) IS
    'pooled two-proportion z-test of x1/n1 against x2/n2: z (positive when the second share is higher) and the two-sided p-value';

-- ------------------------------------------------------------ KPI figures
-- kpi_rates(...): the rates and the efficiency score of kpi_daily and
-- kpi_weekly from their counts and sums, so that both compute them alike.
CREATE OR REPLACE FUNCTION gcanalytics.kpi_rates(
        offered bigint, answered_in_sl bigint, abandoned bigint, wait_ms_sum numeric,
        handled bigint, handle_ms_sum numeric, weighted_handle_ms_sum float8, transferred bigint,
        fcr_eligible bigint, fcr_resolved bigint, talk_ms_sum numeric, hold_ms_sum numeric,
        OUT service_level_pct numeric, OUT abandon_rate_pct numeric, OUT avg_wait_s numeric,
        OUT avg_handle_s numeric, OUT avg_weighted_handle_s numeric, OUT transfer_rate_pct numeric,
        OUT fcr_pct numeric, OUT talk_ratio_pct numeric, OUT hold_ratio_pct numeric,
        OUT efficiency_score numeric)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT round(100.0 * sl, 2), round(100.0 * ab, 2), round(wait_ms_sum / nullif(offered, 0) / 1000.0, 2),
       round(handle_ms_sum / nullif(handled, 0) / 1000.0, 2),
       round((weighted_handle_ms_sum / nullif(handled, 0) / 1000.0)::numeric, 2),
       round(100.0 * tr, 2), round(100.0 * fcr, 2),
       round(100.0 * talk_ms_sum / nullif(handle_ms_sum, 0), 2),
       round(100.0 * hold_ms_sum / nullif(handle_ms_sum, 0), 2),
       -- 0.4 service level + 0.3 FCR + 0.2 (1 - abandon rate) + 0.1 (1 - transfer rate),
       -- over the parts that have a denominator, weights rescaled to 1
       round(100.0 * (coalesce(0.4 * sl, 0) + coalesce(0.3 * fcr, 0) + coalesce(0.2 * (1 - ab), 0) + coalesce(0.1 * (1 - tr), 0))
                   / nullif(CASE WHEN sl IS NULL THEN 0 ELSE 0.4 END + CASE WHEN fcr IS NULL THEN 0 ELSE 0.3 END
                            + CASE WHEN ab IS NULL THEN 0 ELSE 0.2 END + CASE WHEN tr IS NULL THEN 0 ELSE 0.1 END, 0), 1)
  FROM (SELECT answered_in_sl::numeric / nullif(offered, 0) AS sl, abandoned::numeric / nullif(offered, 0) AS ab,
               transferred::numeric / nullif(handled, 0) AS tr, fcr_resolved::numeric / nullif(fcr_eligible, 0) AS fcr) f
$$;
COMMENT ON FUNCTION gcanalytics.kpi_rates(bigint, bigint, bigint, numeric, bigint, numeric, float8, bigint, bigint, bigint, numeric, numeric) IS
    'the rates, averages and efficiency score of kpi_daily and kpi_weekly from their counts and sums (README "Dashboards")';


-- ------------------------------------------------------------ kpi_daily
CREATE MATERIALIZED VIEW gcanalytics.kpi_daily AS
WITH cfg AS MATERIALIZED (   -- the settings, read once (not once per row)
    SELECT gcanalytics.setting('service_level_default')::interval AS sl_default,
           gcanalytics.setting('fcr_window')::interval AS fcr_window
), c AS (
    SELECT (i.conversation_start AT TIME ZONE 'UTC')::date AS day,
           coalesce(i.queue_id, '(no queue)') AS queue_id,
           coalesce(i.queue_name, CASE WHEN i.queue_id IS NULL THEN '(no queue)' END) AS queue_name,
           coalesce(i.media_type, '(unknown)') AS media_type,
           i.queue_id IS NOT NULL AS offered,
           i.queue_id IS NOT NULL AND i.agent_id IS NOT NULL AND NOT coalesce(i.abandoned, false)
               AND i.acd_ms <= 1000 * extract(epoch FROM coalesce(sl.answer_within, cfg.sl_default)) AS answered_in_sl,
           coalesce(i.abandoned, false) AS abandoned, i.acd_ms,
           coalesce(i.handled, false) AS handled, i.handle_ms, i.weighted_handle_ms,
           i.transfers > 0 AS transferred, i.talk_ms, i.customer_hold_ms,
           i.customer_key IS NOT NULL AS fcr_eligible,
           i.next_contact_at IS NULL
               OR i.next_contact_at > i.conversation_start + cfg.fcr_window AS resolved
      FROM gcanalytics.interactions i
      LEFT JOIN gcanalytics.service_levels sl ON sl.queue_id = i.queue_id
     CROSS JOIN cfg
), s AS (
    SELECT day, queue_id, max(queue_name) AS queue_name, media_type,
           count(*) AS conversations,
           count(*) FILTER (WHERE offered) AS offered,
           count(*) FILTER (WHERE answered_in_sl) AS answered_in_sl,
           count(*) FILTER (WHERE abandoned) AS abandoned,
           coalesce(sum(acd_ms) FILTER (WHERE offered), 0) AS wait_ms_sum,
           count(*) FILTER (WHERE handled) AS handled,
           coalesce(sum(handle_ms) FILTER (WHERE handled), 0) AS handle_ms_sum,
           coalesce(sum(weighted_handle_ms) FILTER (WHERE handled), 0) AS weighted_handle_ms_sum,
           count(*) FILTER (WHERE handled AND transferred) AS transferred,
           count(*) FILTER (WHERE handled AND fcr_eligible) AS fcr_eligible,
           count(*) FILTER (WHERE handled AND fcr_eligible AND resolved) AS fcr_resolved,
           coalesce(sum(talk_ms) FILTER (WHERE handled), 0) AS talk_ms_sum,
           coalesce(sum(customer_hold_ms) FILTER (WHERE handled), 0) AS hold_ms_sum
      FROM c
     GROUP BY day, queue_id, media_type
), w AS (   -- apart: an aggregate with DISTINCT in s would sort every row
    SELECT day, queue_id, media_type, array_agg(wrapup ORDER BY wrapup) AS wrapup_codes
      FROM (SELECT DISTINCT (i.conversation_start AT TIME ZONE 'UTC')::date AS day,
                   coalesce(i.queue_id, '(no queue)') AS queue_id, coalesce(i.media_type, '(unknown)') AS media_type,
                   coalesce(i.wrapup_name, i.wrapup_code) AS wrapup
              FROM gcanalytics.interactions i
             WHERE coalesce(i.wrapup_name, i.wrapup_code) IS NOT NULL) d
     GROUP BY day, queue_id, media_type
)
SELECT s.day, s.queue_id, s.queue_name, s.media_type, s.conversations, s.offered, s.handled, s.abandoned,
       s.answered_in_sl, r.service_level_pct, r.abandon_rate_pct, r.avg_wait_s, r.avg_handle_s,
       r.avg_weighted_handle_s, s.transferred, r.transfer_rate_pct, s.fcr_eligible, s.fcr_resolved, r.fcr_pct,
       r.talk_ratio_pct, r.hold_ratio_pct, r.efficiency_score, coalesce(w.wrapup_codes, '{}') AS wrapup_codes,
       s.wait_ms_sum, s.handle_ms_sum, s.weighted_handle_ms_sum, s.talk_ms_sum, s.hold_ms_sum
  FROM s LEFT JOIN w ON w.day = s.day AND w.queue_id = s.queue_id AND w.media_type = s.media_type,
       LATERAL gcanalytics.kpi_rates(s.offered, s.answered_in_sl, s.abandoned, s.wait_ms_sum, s.handled,
                                     s.handle_ms_sum, s.weighted_handle_ms_sum, s.transferred, s.fcr_eligible,
                                     s.fcr_resolved, s.talk_ms_sum, s.hold_ms_sum) r;
CREATE UNIQUE INDEX kpi_daily_key ON gcanalytics.kpi_daily (day, queue_id, media_type);

-- ------------------------------------------------------------ kpi_weekly
CREATE MATERIALIZED VIEW gcanalytics.kpi_weekly AS
WITH s AS (
    SELECT date_trunc('week', d.day)::date AS week, d.queue_id, max(d.queue_name) AS queue_name, d.media_type,
           sum(d.conversations)::bigint AS conversations, sum(d.offered)::bigint AS offered,
           sum(d.answered_in_sl)::bigint AS answered_in_sl, sum(d.abandoned)::bigint AS abandoned,
           sum(d.wait_ms_sum) AS wait_ms_sum, sum(d.handled)::bigint AS handled,
           sum(d.handle_ms_sum) AS handle_ms_sum, sum(d.weighted_handle_ms_sum) AS weighted_handle_ms_sum,
           sum(d.transferred)::bigint AS transferred, sum(d.fcr_eligible)::bigint AS fcr_eligible,
           sum(d.fcr_resolved)::bigint AS fcr_resolved, sum(d.talk_ms_sum) AS talk_ms_sum,
           sum(d.hold_ms_sum) AS hold_ms_sum
      FROM gcanalytics.kpi_daily d
     GROUP BY date_trunc('week', d.day)::date, d.queue_id, d.media_type
), w AS (
    SELECT date_trunc('week', d.day)::date AS week, d.queue_id, d.media_type,
           array_agg(DISTINCT x ORDER BY x) AS wrapup_codes
      FROM gcanalytics.kpi_daily d, unnest(d.wrapup_codes) x
     GROUP BY date_trunc('week', d.day)::date, d.queue_id, d.media_type
)
SELECT s.week, s.queue_id, s.queue_name, s.media_type, s.conversations, s.offered, s.handled, s.abandoned,
       s.answered_in_sl, r.service_level_pct, r.abandon_rate_pct, r.avg_wait_s, r.avg_handle_s,
       r.avg_weighted_handle_s, s.transferred, r.transfer_rate_pct, s.fcr_eligible, s.fcr_resolved, r.fcr_pct,
       r.talk_ratio_pct, r.hold_ratio_pct, r.efficiency_score, coalesce(w.wrapup_codes, '{}') AS wrapup_codes,
       s.wait_ms_sum, s.handle_ms_sum, s.weighted_handle_ms_sum, s.talk_ms_sum, s.hold_ms_sum
  FROM s LEFT JOIN w USING (week, queue_id, media_type),
       LATERAL gcanalytics.kpi_rates(s.offered, s.answered_in_sl, s.abandoned, s.wait_ms_sum, s.handled,
                                     s.handle_ms_sum, s.weighted_handle_ms_sum, s.transferred, s.fcr_eligible,
                                     s.fcr_resolved, s.talk_ms_sum, s.hold_ms_sum) r;
CREATE UNIQUE INDEX kpi_weekly_key ON gcanalytics.kpi_weekly (week, queue_id, media_type);

-- ------------------------------------------------------------ escalation
-- tier_label(account, tier): the tier of a linked account, 'no tier' for
-- an account without one, 'no account' for a conversation without.
CREATE OR REPLACE FUNCTION gcanalytics.tier_label(account_id text, tier text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN account_id IS NULL THEN 'no account' ELSE coalesce(tier, 'no tier') END $$;
COMMENT ON FUNCTION gcanalytics.tier_label(text, text) IS
    'the tier of a linked account, ''no tier'' for an account without one, ''no account'' for a conversation without an account';

-- Both escalation views count each account once in two steps (per account,
-- then per tier) rather than with count(DISTINCT), which sorts every row.
CREATE MATERIALIZED VIEW gcanalytics.escalation_weekly AS
WITH a AS (   -- per week, tier and account (conversations without one: a NULL account)
    SELECT date_trunc('week', i.conversation_start AT TIME ZONE 'UTC')::date AS week,
           gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier, i.crm_account_id,
           count(*) AS conversations, count(*) FILTER (WHERE i.was_escalated) AS escalated,
           max(i.ltv) FILTER (WHERE i.was_escalated) AS escalated_ltv
      FROM gcanalytics.interactions i
     GROUP BY 1, 2, 3
)
SELECT week, tier, sum(conversations)::bigint AS conversations, sum(escalated)::bigint AS escalated,
       round(100.0 * sum(escalated) / sum(conversations), 2) AS escalation_rate_pct,
       count(crm_account_id) AS accounts,
       count(crm_account_id) FILTER (WHERE escalated > 0) AS escalated_accounts,
       coalesce(sum(escalated_ltv) FILTER (WHERE crm_account_id IS NOT NULL), 0) AS escalated_ltv
  FROM a
 GROUP BY week, tier;
CREATE UNIQUE INDEX escalation_weekly_key ON gcanalytics.escalation_weekly (week, tier);

CREATE MATERIALIZED VIEW gcanalytics.escalation_by_tier AS
WITH a AS (   -- per tier and account (conversations without one: a NULL account)
    SELECT gcanalytics.tier_label(i.crm_account_id, i.customer_tier) AS tier, i.crm_account_id,
           count(*) AS conversations, count(*) FILTER (WHERE i.was_escalated) AS escalated,
           max(i.ltv) FILTER (WHERE i.was_escalated) AS escalated_ltv,
           min(i.conversation_start) AS first_start, max(i.conversation_start) AS last_start
      FROM gcanalytics.interactions i
     GROUP BY 1, 2
)
SELECT tier, sum(conversations)::bigint AS conversations, sum(escalated)::bigint AS escalated,
       round(100.0 * sum(escalated) / sum(conversations), 2) AS escalation_rate_pct,
       count(crm_account_id) AS accounts,
       count(crm_account_id) FILTER (WHERE escalated > 0) AS escalated_accounts,
       coalesce(sum(escalated_ltv) FILTER (WHERE crm_account_id IS NOT NULL), 0) AS escalated_ltv,
       (min(first_start) AT TIME ZONE 'UTC')::date AS first_day,
       (max(last_start) AT TIME ZONE 'UTC')::date AS last_day
  FROM a
 GROUP BY tier;
CREATE UNIQUE INDEX escalation_by_tier_key ON gcanalytics.escalation_by_tier (tier);

-- The insight: each tier's week against the week before, a z-test, the
-- releases of the week, and a sentence when the change is significant.
CREATE OR REPLACE VIEW gcanalytics.escalation_insights AS
WITH w AS (
    SELECT cur.week, cur.tier, prev.conversations AS prev_conversations, prev.escalated AS prev_escalated,
           100.0 * prev.escalated / prev.conversations AS prev_rate,
           cur.conversations, cur.escalated, 100.0 * cur.escalated / cur.conversations AS rate,
           cur.escalated_ltv, t.z, t.p_value,
           (SELECT string_agg(format('%s on %s', r.release_name, (r.released_at AT TIME ZONE 'UTC')::date), ', '
                              ORDER BY r.released_at, r.release_name)
              FROM gcanalytics.releases r
             WHERE r.released_at >= cur.week::timestamp AT TIME ZONE 'UTC'
               AND r.released_at < (cur.week + 7)::timestamp AT TIME ZONE 'UTC') AS releases,
           (SELECT count(*) FROM gcanalytics.releases r
             WHERE r.released_at >= cur.week::timestamp AT TIME ZONE 'UTC'
               AND r.released_at < (cur.week + 7)::timestamp AT TIME ZONE 'UTC') AS n_releases
      FROM gcanalytics.escalation_weekly cur
      JOIN gcanalytics.escalation_weekly prev ON prev.tier = cur.tier AND prev.week = cur.week - 7,
           LATERAL gcanalytics.two_proportion_test(prev.escalated, prev.conversations, cur.escalated, cur.conversations) t
), t AS (   -- read here, not through setting(): a view reads its tables as its owner
    SELECT coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'insight_max_p'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'insight_max_p'))::float8 AS max_p,
           coalesce((SELECT value FROM gcanalytics.settings WHERE name = 'insight_min_conversations'),
                    (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'insight_min_conversations'))::bigint AS min_n
), s AS (
    SELECT w.*, w.p_value < t.max_p AND w.prev_conversations >= t.min_n AND w.conversations >= t.min_n AS significant
      FROM w CROSS JOIN t
)
SELECT s.week, s.tier, s.prev_conversations, s.prev_escalated, round(s.prev_rate, 2) AS prev_rate_pct,
       s.conversations, s.escalated, round(s.rate, 2) AS rate_pct,
       round(s.rate - s.prev_rate, 2) AS change_points, s.z, s.p_value, coalesce(s.significant, false) AS significant,
       s.releases, s.escalated_ltv,
       CASE WHEN s.significant THEN
           format('Escalation rate %s %s points week over week (%s %% to %s %%), concentrated in %s (%s)%s',
                  CASE WHEN s.rate > s.prev_rate THEN 'rose' ELSE 'fell' END,
                  round(abs(s.rate - s.prev_rate), 1), round(s.prev_rate, 1), round(s.rate, 1), s.tier,
                  CASE WHEN s.p_value < 0.001 THEN 'p < 0.001' ELSE format('p = %s', round(s.p_value::numeric, 3)) END,
                  CASE WHEN s.n_releases = 1 THEN ', starting after release ' || s.releases
                       WHEN s.n_releases > 1 THEN ', starting after releases ' || s.releases
                       ELSE '' END)
       END AS sentence
  FROM s;

-- ------------------------------------------------------------ bot containment
CREATE OR REPLACE FUNCTION gcanalytics.industry_label(account_id text, industry text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN account_id IS NULL THEN 'no account' ELSE coalesce(industry, 'no industry') END $$;
COMMENT ON FUNCTION gcanalytics.industry_label(text, text) IS
    'the industry of a linked account, ''no industry'' for an account without one, ''no account'' for a conversation without an account';

CREATE MATERIALIZED VIEW gcanalytics.bot_containment_by_industry AS
WITH cfg AS MATERIALIZED (   -- read once, not once per row
    SELECT gcanalytics.setting('containment_window')::interval AS window
), c AS (
    SELECT date_trunc('week', i.conversation_start AT TIME ZONE 'UTC')::date AS week,
           gcanalytics.industry_label(i.crm_account_id, i.industry) AS industry,
           coalesce(i.media_type, '(unknown)') AS media_type,
           coalesce(i.handled_by_bot_only, false) AS contained,
           i.customer_key IS NOT NULL AS known,
           i.next_contact_at IS NULL
               OR i.next_contact_at > i.conversation_start + cfg.window AS held,
           i.crm_account_id, i.ltv
      FROM gcanalytics.interactions i
     CROSS JOIN cfg
), a AS (
    SELECT week, industry, media_type, crm_account_id, max(ltv) AS ltv
      FROM c WHERE contained AND crm_account_id IS NOT NULL
     GROUP BY week, industry, media_type, crm_account_id
)
SELECT g.week, g.industry, g.media_type, g.conversations, g.contained,
       round(100.0 * g.contained / g.conversations, 2) AS containment_pct,
       g.contained_known, g.contained_held,
       round(100.0 * g.contained_held / nullif(g.contained_known, 0), 2) AS held_pct,
       coalesce(a.contained_ltv, 0) AS contained_ltv
  FROM (SELECT week, industry, media_type, count(*) AS conversations,
               count(*) FILTER (WHERE contained) AS contained,
               count(*) FILTER (WHERE contained AND known) AS contained_known,
               count(*) FILTER (WHERE contained AND known AND held) AS contained_held
          FROM c GROUP BY week, industry, media_type) g
  LEFT JOIN (SELECT week, industry, media_type, sum(ltv) AS contained_ltv
               FROM a GROUP BY week, industry, media_type) a USING (week, industry, media_type);
CREATE UNIQUE INDEX bot_containment_by_industry_key
    ON gcanalytics.bot_containment_by_industry (week, industry, media_type);

-- ------------------------------------------------------------ agent quality
CREATE MATERIALIZED VIEW gcanalytics.agent_quality AS
SELECT e.agent_id, max(u.name) AS agent_name, coalesce(e.form_id, '') AS form_id, max(e.form_name) AS form_name,
       count(*) FILTER (WHERE f.finished) AS evaluations,
       count(*) FILTER (WHERE NOT f.finished) AS unfinished,
       round(avg(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS avg_score,
       round(min(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS min_score,
       round(max(e.total_score) FILTER (WHERE f.finished)::numeric, 2) AS max_score,
       round(avg(e.total_critical_score) FILTER (WHERE f.finished)::numeric, 2) AS avg_critical_score,
       count(*) FILTER (WHERE f.finished AND e.any_failed_kill_questions) AS failed_kill_questions,
       min(e.conversation_start) FILTER (WHERE f.finished) AS first_conversation,
       max(e.conversation_start) FILTER (WHERE f.finished) AS last_conversation
  FROM gcanalytics.evaluations e
  LEFT JOIN gcanalytics.users u ON u.user_id = e.agent_id,
       LATERAL (SELECT upper(e.status) = 'FINISHED' AS finished) f
 WHERE NOT coalesce(e.is_calibration, false) AND e.agent_id IS NOT NULL
 GROUP BY e.agent_id, coalesce(e.form_id, '');
CREATE UNIQUE INDEX agent_quality_key ON gcanalytics.agent_quality (agent_id, form_id);

-- ------------------------------------------------------------ queue_daily
-- Daily aggregates per queue and media type over every day from the first
-- to the last loaded one.  A day with no P1D row at all was not loaded: its
-- figures are interpolated and flagged.  On a loaded day a queue without a
-- row had no traffic (the aggregates API leaves empty groups out): zeros.
CREATE MATERIALIZED VIEW gcanalytics.queue_daily AS
WITH m AS (
    SELECT (q.interval_start AT TIME ZONE 'UTC')::date AS day, q.*
      FROM gcanalytics.queue_metrics q WHERE q.granularity = 'P1D'
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
       f.handle_ms_sum, f.handle_count, f.talk_ms_sum, f.acd_ms_sum, f.acd_count, f.interpolated
  FROM f LEFT JOIN gcanalytics.queues q ON q.queue_id = f.queue_id;
CREATE UNIQUE INDEX queue_daily_key ON gcanalytics.queue_daily (day, queue_id, media_type);

-- ------------------------------------------------------------ join_quality
CREATE MATERIALIZED VIEW gcanalytics.join_quality AS
WITH c AS (
    SELECT date_trunc('week', i.conversation_start AT TIME ZONE 'UTC')::date AS week,
           coalesce(i.crm_link, 'unlinked') AS link_method,
           i.crm_account_id IS NOT NULL
               AND (a.account_id IS NULL OR a.tier IS DISTINCT FROM i.customer_tier
                    OR a.industry IS DISTINCT FROM i.industry) AS stale
      FROM gcanalytics.interactions i
      LEFT JOIN gcanalytics.crm_accounts a ON a.account_id = i.crm_account_id
), g AS (
    SELECT week, link_method, count(*) AS conversations, count(*) FILTER (WHERE stale) AS stale_enrichments
      FROM c GROUP BY week, link_method
), t AS (
    SELECT week, sum(conversations) AS total,
           coalesce(sum(conversations) FILTER (WHERE link_method = 'unlinked'), 0) AS unlinked
      FROM g GROUP BY week
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
       now() AS refreshed_at
  FROM g JOIN t USING (week) CROSS JOIN snap;
CREATE UNIQUE INDEX join_quality_key ON gcanalytics.join_quality (week, link_method);

-- ------------------------------------------------------------ comments
COMMENT ON MATERIALIZED VIEW gcanalytics.kpi_daily IS
    'queue KPIs per UTC day, queue and media type (README "Dashboards"); refreshed by refresh_dashboards()';
COMMENT ON MATERIALIZED VIEW gcanalytics.kpi_weekly IS
    'queue KPIs per ISO week (Monday, UTC), queue and media type, summed from kpi_daily; refreshed by refresh_dashboards()';
COMMENT ON MATERIALIZED VIEW gcanalytics.escalation_weekly IS
    'escalation rate per ISO week (Monday, UTC) and CRM tier; conversations without an account are the tier ''no account''';
COMMENT ON MATERIALIZED VIEW gcanalytics.escalation_by_tier IS
    'escalation rate per CRM tier over everything loaded; conversations without an account are the tier ''no account''';
COMMENT ON VIEW gcanalytics.escalation_insights IS
    'each tier''s week against the week before: change, two-proportion z-test, the releases of the week, and a sentence when p < 0.01 with at least 30 conversations each side';
COMMENT ON MATERIALIZED VIEW gcanalytics.bot_containment_by_industry IS
    'conversations handled by a bot only (no queue, no agent) per week, CRM industry and media type, and the share of them with no repeat contact within 24 hours';
COMMENT ON MATERIALIZED VIEW gcanalytics.agent_quality IS
    'quality scores per agent and evaluation form: finished evaluations, calibrations excluded';
COMMENT ON MATERIALIZED VIEW gcanalytics.queue_daily IS
    'the aggregates API per UTC day, queue and media type; days not loaded are interpolated (interpolate()) and flagged';
COMMENT ON MATERIALIZED VIEW gcanalytics.join_quality IS
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
        ('*', 'day', 'UTC day of the conversation start'),
        ('*', 'week', 'ISO week (its Monday, UTC) of the conversation start'),
        ('*', 'queue_id', 'Genesys queue id; ''(no queue)'' for conversations that entered no queue'),
        ('*', 'queue_name', 'queue name'),
        ('*', 'media_type', 'the customer session''s media type'),
        ('*', 'conversations', 'conversations started'),
        ('*', 'offered', 'conversations that entered a queue'),
        ('*', 'handled', 'conversations where an agent talked for at least min_talk_ms'),
        ('*', 'abandoned', 'conversations that ended in queue without reaching an agent'),
        ('*', 'answered_in_sl', 'offered conversations answered by an agent within the queue''s service level threshold (service_levels, default 20 s)'),
        ('*', 'service_level_pct', 'answered_in_sl / offered, percent'),
        ('*', 'abandon_rate_pct', 'abandoned / offered, percent'),
        ('*', 'avg_wait_s', 'average queue wait (acd_ms) of the offered conversations, seconds'),
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
        ('*', 'wait_ms_sum', 'sum of the queue waits of the offered conversations, milliseconds'),
        ('*', 'handle_ms_sum', 'sum of the handle times of the handled conversations, milliseconds'),
        ('*', 'weighted_handle_ms_sum', 'sum of the weighted handle times of the handled conversations, milliseconds'),
        ('*', 'talk_ms_sum', 'sum of the talk times of the handled conversations, milliseconds'),
        ('*', 'hold_ms_sum', 'sum of the customer hold times of the handled conversations, milliseconds'),
        ('*', 'tier', 'CRM tier of the account; ''no tier'' for an account without one, ''no account'' for conversations without an account'),
        ('*', 'escalated', 'conversations matching an escalation rule'),
        ('*', 'escalation_rate_pct', 'escalated / conversations, percent'),
        ('*', 'accounts', 'distinct CRM accounts'),
        ('*', 'escalated_accounts', 'distinct CRM accounts with an escalated conversation'),
        ('*', 'escalated_ltv', 'lifetime value of the accounts with an escalated conversation, each once (revenue)'),
        ('escalation_by_tier', 'first_day', 'first UTC day with a conversation of the tier'),
        ('escalation_by_tier', 'last_day', 'last UTC day with a conversation of the tier'),
        ('escalation_insights', 'week', 'the ISO week (Monday, UTC) compared with the week before'),
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
        ('escalation_insights', 'sentence', 'the insight in words, only for significant changes'),
        ('bot_containment_by_industry', 'industry', 'CRM industry of the account; ''no industry'' for an account without one, ''no account'' for conversations without an account'),
        ('bot_containment_by_industry', 'contained', 'conversations handled by a bot flow only: no queue, no agent'),
        ('bot_containment_by_industry', 'containment_pct', 'contained / conversations, percent'),
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
        ('queue_daily', 'interpolated', 'the day was not loaded: every figure of the row is interpolated linearly between the neighbouring loaded days'),
        ('join_quality', 'link_method', 'how the CRM account was found: attribute (sfAccountId), phone (ANI = account phone), unlinked'),
        ('join_quality', 'conversations', 'conversations of the week linked that way'),
        ('join_quality', 'share_pct', 'share of the week''s conversations, percent'),
        ('join_quality', 'week_unlinked_pct', 'share of the week''s conversations without a CRM account, percent'),
        ('join_quality', 'warning', 'set when week_unlinked_pct exceeds join_quality_warn_pct (30)'),
        ('join_quality', 'stale_enrichments', 'linked conversations whose tier or industry differs from the current CRM snapshot, or whose account is gone from it'),
        ('join_quality', 'crm_snapshot_at', 'when the CRM was last read (sync_state ''crm''.updated_at), whether or not anything had changed'),
        ('join_quality', 'crm_snapshot_stale', 'the CRM snapshot is older than crm_stale_after (1 day) at refreshed_at, or missing'),
        ('join_quality', 'refreshed_at', 'when this view was refreshed'))
        SELECT cl.relname, a.attname,
               coalesce((SELECT d.comment FROM d WHERE d.view_name = cl.relname AND d.column_name = a.attname),
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

-- ------------------------------------------------------------ refresh
-- The views read every interaction, so refreshes use no index scans: an
-- index walk over the whole table costs random heap reads where a
-- sequential scan reads each page once.
CREATE OR REPLACE FUNCTION gcanalytics.refresh_dashboards()
    RETURNS TABLE (view_name text, concurrent boolean, seconds float8, row_count bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET enable_indexscan = off
    SET enable_bitmapscan = off
    AS $$
DECLARE
    v       text;
    t0      timestamptz;
BEGIN
    FOREACH v IN ARRAY gcanalytics.dashboard_views()
    LOOP
        t0 := clock_timestamp();
        view_name := v;
        -- CONCURRENTLY (readers are never blocked) needs a populated view;
        -- a restored or freshly created one is refreshed plainly once
        SELECT c.relispopulated INTO concurrent
          FROM pg_class c WHERE c.oid = format('gcanalytics.%I', v)::regclass;
        EXECUTE format('REFRESH MATERIALIZED VIEW %s gcanalytics.%I',
                       CASE WHEN concurrent THEN 'CONCURRENTLY' ELSE '' END, v);
        EXECUTE format('SELECT count(*) FROM gcanalytics.%I', v) INTO row_count;
        seconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
        -- dashboard_status (code/50_reports.sql)
        PERFORM gcanalytics._dashboard_refreshed(v, 'full', concurrent, seconds, row_count);
        RAISE NOTICE 'refreshed gcanalytics.% in % s (% rows%)', v, seconds, row_count,
            CASE WHEN concurrent THEN ', concurrently' ELSE '' END;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION gcanalytics.refresh_dashboards() IS
    'refreshes every materialized dashboard in dependency order (CONCURRENTLY once populated); a NOTICE and a row per view with its time';

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

