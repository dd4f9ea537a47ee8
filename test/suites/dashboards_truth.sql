-- The dashboards computed from `gcsim truth` (test/suites/dashboards.sh):
-- the truth files loaded as text tables t_conv, t_seg, t_acc, t_eval,
-- t_qd, and the simulator's queues and wrap-up codes (t_queues, t_wrapups:
-- id, name).  Written from the truth's definitions (test/simulator/README.md
-- "Truth files") and README "Dashboards", not from the views.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- one row per conversation the warehouse loads (internal queues left out)
DROP TABLE IF EXISTS tx CASCADE;
CREATE TABLE tx AS
WITH talk AS (   -- handled: one agent talked at least 3 s (closed interact segments)
    SELECT conversation_id, bool_or(ms >= 3000) AS handled
      FROM (SELECT conversation_id, user_id,
                   sum(extract(epoch FROM segment_end::timestamptz - segment_start::timestamptz) * 1000) AS ms
              FROM t_seg
             WHERE purpose = 'agent' AND segment_type = 'interact' AND segment_end IS NOT NULL
             GROUP BY conversation_id, user_id) a
     GROUP BY conversation_id
)
SELECT c.conversation_id, c.conversation_start::timestamptz AS started,
       (c.conversation_start::timestamptz AT TIME ZONE 'UTC')::date AS day,
       c.media_type, c.queue_id, q.name AS queue_name, c.agent_id,
       CASE WHEN c.wrapup_code IS NOT NULL THEN coalesce(w.name, c.wrapup_code) END AS wrapup,
       c.talk_ms::bigint AS talk_ms, c.held_ms::bigint AS held_ms, c.handle_ms::bigint AS handle_ms,
       c.acd_ms::bigint AS acd_ms, c.transfers::int AS transfers, c.abandoned::boolean AS abandoned,
       c.escalated::boolean AS escalated, c.bot_only::boolean AS bot_only,
       coalesce(c.account_id, c.phone_account_id) AS account_id,
       CASE WHEN c.account_id IS NOT NULL THEN 'attribute' WHEN c.phone_account_id IS NOT NULL THEN 'phone' END AS link,
       c.tier, a.industry, a.ltv::numeric AS ltv,
       coalesce(c.account_id, c.phone_account_id,
                CASE WHEN c.originating_direction = 'inbound' THEN nullif(regexp_replace(c.ani, '^tel:', ''), '') END) AS customer_key,
       coalesce(t.handled, false) AS handled
  FROM t_conv c
  LEFT JOIN talk t USING (conversation_id)
  LEFT JOIN t_acc a ON a.account_id = coalesce(c.account_id, c.phone_account_id)
  LEFT JOIN t_queues q ON q.id = c.queue_id
  LEFT JOIN t_wrapups w ON w.id = c.wrapup_code
 WHERE c.queue_id IS NULL
    OR c.queue_id NOT IN (SELECT id FROM t_queues WHERE name IN ('QA Review', 'Training', 'Health Check'));
CREATE INDEX ON tx (customer_key, started);

-- per conversation: weighted handle time (weights table), repeat contacts
DROP TABLE IF EXISTS tf;
CREATE TABLE tf AS
SELECT x.*,
       x.handle_ms * (SELECT multiplier FROM gcanalytics.weht_weights
                       WHERE dimension = 'transfers' AND key = least(x.transfers, 2)::text)
                   * coalesce((SELECT multiplier FROM gcanalytics.weht_weights WHERE dimension = 'media_type' AND key = x.media_type),
                              (SELECT multiplier FROM gcanalytics.weht_weights WHERE dimension = 'media_type' AND key = 'default'))
           AS weighted_ms,
       NOT EXISTS (SELECT 1 FROM tx r WHERE r.customer_key = x.customer_key AND r.conversation_id <> x.conversation_id
                      AND r.started >= x.started AND r.started <= x.started + interval '7 days') AS no_repeat_7d,
       NOT EXISTS (SELECT 1 FROM tx r WHERE r.customer_key = x.customer_key AND r.conversation_id <> x.conversation_id
                      AND r.started >= x.started AND r.started <= x.started + interval '24 hours') AS no_repeat_24h
  FROM tx x;

-- kpi figures of a group of tf rows, by (grain, day or week)
CREATE OR REPLACE VIEW e_kpi_base AS
SELECT f.*, coalesce(f.queue_id, '(no queue)') AS q, coalesce(f.queue_name, '(no queue)') AS qn,
       date_trunc('week', f.day)::date AS week,
       f.queue_id IS NOT NULL AS is_offered,
       f.queue_id IS NOT NULL AND f.agent_id IS NOT NULL AND NOT f.abandoned AND f.acd_ms <= 20000 AS in_sl
  FROM tf f;

CREATE OR REPLACE FUNCTION e_kpi(grain text)
    RETURNS TABLE (period date, queue_id text, queue_name text, media_type text, conversations bigint, offered bigint,
                   handled bigint, abandoned bigint, answered_in_sl bigint, service_level_pct numeric,
                   abandon_rate_pct numeric, avg_wait_s numeric, avg_handle_s numeric, avg_weighted_handle_s numeric,
                   transferred bigint, transfer_rate_pct numeric, fcr_eligible bigint, fcr_resolved bigint,
                   fcr_pct numeric, talk_ratio_pct numeric, hold_ratio_pct numeric, efficiency_score numeric,
                   wrapup_codes text[])
    LANGUAGE sql AS $$
WITH g AS (
    SELECT CASE grain WHEN 'day' THEN day ELSE week END AS period, q, max(qn) AS qn, b.media_type,
           count(*) AS n, count(*) FILTER (WHERE is_offered) AS off, count(*) FILTER (WHERE b.handled) AS h,
           count(*) FILTER (WHERE b.abandoned) AS ab, count(*) FILTER (WHERE in_sl) AS sl,
           sum(acd_ms) FILTER (WHERE is_offered) AS wait, sum(handle_ms) FILTER (WHERE b.handled) AS hdl,
           sum(weighted_ms) FILTER (WHERE b.handled) AS wh,
           count(*) FILTER (WHERE b.handled AND transfers > 0) AS tr,
           count(*) FILTER (WHERE b.handled AND customer_key IS NOT NULL) AS fe,
           count(*) FILTER (WHERE b.handled AND customer_key IS NOT NULL AND no_repeat_7d) AS fr,
           sum(talk_ms) FILTER (WHERE b.handled) AS talk, sum(held_ms) FILTER (WHERE b.handled) AS held,
           array_agg(DISTINCT wrapup ORDER BY wrapup) FILTER (WHERE wrapup IS NOT NULL) AS wr
      FROM e_kpi_base b
     GROUP BY 1, q, b.media_type
)
SELECT period, q, qn, media_type, n, off, h, ab, sl,
       round(100.0 * sl / nullif(off, 0), 2), round(100.0 * ab / nullif(off, 0), 2),
       round(wait / 1000.0 / nullif(off, 0), 2), round(hdl / 1000.0 / nullif(h, 0), 2),
       round((wh / 1000.0 / nullif(h, 0))::numeric, 2), tr, round(100.0 * tr / nullif(h, 0), 2), fe, fr,
       round(100.0 * fr / nullif(fe, 0), 2), round(100.0 * talk / nullif(hdl, 0), 2), round(100.0 * held / nullif(hdl, 0), 2),
       -- README: 0.4 SL + 0.3 FCR + 0.2 (1 - abandon) + 0.1 (1 - transfer), over the parts with a denominator
       round(100.0 * ((CASE WHEN off > 0 THEN 0.4 * sl / off + 0.2 * (1 - ab::numeric / off) ELSE 0 END)
                     + (CASE WHEN fe > 0 THEN 0.3 * fr / fe ELSE 0 END)
                     + (CASE WHEN h > 0 THEN 0.1 * (1 - tr::numeric / h) ELSE 0 END))
                   / nullif((CASE WHEN off > 0 THEN 0.6 ELSE 0 END) + (CASE WHEN fe > 0 THEN 0.3 ELSE 0 END)
                            + (CASE WHEN h > 0 THEN 0.1 ELSE 0 END), 0), 1),
       coalesce(wr, '{}')
  FROM g
$$;

-- escalation per week (or over everything: week NULL) and tier
CREATE OR REPLACE VIEW e_tiered AS
SELECT x.*, date_trunc('week', x.day)::date AS week,
       CASE WHEN x.account_id IS NULL THEN 'no account' ELSE coalesce(x.tier, 'no tier') END AS tier_label,
       CASE WHEN x.account_id IS NULL THEN 'no account' ELSE coalesce(x.industry, 'no industry') END AS industry_label
  FROM tf x;

CREATE OR REPLACE VIEW e_escalation_weekly AS
SELECT g.*, (SELECT coalesce(sum(a.ltv::numeric), 0) FROM t_acc a
              WHERE a.account_id IN (SELECT y.account_id FROM e_tiered y
                                      WHERE y.escalated AND y.week = g.week AND y.tier_label = g.tier)) AS escalated_ltv
  FROM (SELECT week, tier_label AS tier, count(*) AS conversations, count(*) FILTER (WHERE escalated) AS escalated,
               round(100.0 * count(*) FILTER (WHERE escalated) / count(*), 2) AS escalation_rate_pct,
               count(DISTINCT account_id) AS accounts,
               count(DISTINCT account_id) FILTER (WHERE escalated) AS escalated_accounts
          FROM e_tiered GROUP BY week, tier_label) g;

CREATE OR REPLACE VIEW e_escalation_by_tier AS
SELECT g.*, (SELECT coalesce(sum(a.ltv::numeric), 0) FROM t_acc a
              WHERE a.account_id IN (SELECT y.account_id FROM e_tiered y WHERE y.escalated AND y.tier_label = g.tier)) AS escalated_ltv
  FROM (SELECT tier_label AS tier, count(*) AS conversations, count(*) FILTER (WHERE escalated) AS escalated,
               round(100.0 * count(*) FILTER (WHERE escalated) / count(*), 2) AS escalation_rate_pct,
               count(DISTINCT account_id) AS accounts,
               count(DISTINCT account_id) FILTER (WHERE escalated) AS escalated_accounts,
               min(day) AS first_day, max(day) AS last_day
          FROM e_tiered GROUP BY tier_label) g;

-- bot containment per week, industry and media type
CREATE OR REPLACE VIEW e_containment AS
SELECT g.*, (SELECT coalesce(sum(a.ltv::numeric), 0) FROM t_acc a
              WHERE a.account_id IN (SELECT y.account_id FROM e_tiered y WHERE y.bot_only AND y.week = g.week
                                        AND y.industry_label = g.industry AND y.media_type = g.media_type)) AS contained_ltv
  FROM (SELECT week, industry_label AS industry, media_type, count(*) AS conversations,
               count(*) FILTER (WHERE bot_only) AS contained,
               round(100.0 * count(*) FILTER (WHERE bot_only) / count(*), 2) AS containment_pct,
               count(*) FILTER (WHERE bot_only AND customer_key IS NOT NULL) AS contained_known,
               count(*) FILTER (WHERE bot_only AND customer_key IS NOT NULL AND no_repeat_24h) AS contained_held,
               round(100.0 * count(*) FILTER (WHERE bot_only AND customer_key IS NOT NULL AND no_repeat_24h)
                     / nullif(count(*) FILTER (WHERE bot_only AND customer_key IS NOT NULL), 0), 2) AS held_pct
          FROM e_tiered GROUP BY week, industry_label, media_type) g;

-- quality per agent and form: finished evaluations, no calibrations
CREATE OR REPLACE VIEW e_agent_quality AS
SELECT agent_id, form_id, count(*) FILTER (WHERE status = 'FINISHED') AS evaluations,
       count(*) FILTER (WHERE status <> 'FINISHED') AS unfinished,
       round(avg(total_score::numeric) FILTER (WHERE status = 'FINISHED'), 2) AS avg_score,
       min(total_score::numeric) FILTER (WHERE status = 'FINISHED') AS min_score,
       max(total_score::numeric) FILTER (WHERE status = 'FINISHED') AS max_score
  FROM t_eval
 WHERE is_calibration = 'false'
 GROUP BY agent_id, form_id;

-- link methods per week
CREATE OR REPLACE VIEW e_join_quality AS
SELECT week, coalesce(link, 'unlinked') AS link_method, count(*) AS conversations,
       round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY week), 2) AS share_pct
  FROM e_tiered GROUP BY week, coalesce(link, 'unlinked');
