-- The dashboards computed from `gcsim truth` (test/suites/dashboards.sh):
-- the truth files loaded as text tables t_conv, t_seg, t_acc, t_eval,
-- t_qd, and the simulator's queues and wrap-up codes (t_queues, t_wrapups:
-- id, name); psql variables tz: the reporting time zone (days and weeks),
-- short_ms: the short-abandon threshold in milliseconds (-1: off).
-- Written from the truth's definitions (test/simulator/README.md
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
), flows AS (   -- a bot or IVR flow entered; a queue or an agent reached
    SELECT conversation_id, bool_or(purpose IN ('ivr', 'botflow')) AS flow, bool_or(purpose IN ('acd', 'agent')) AS queued,
           CASE WHEN bool_or(purpose = 'botflow') THEN 'bot' WHEN bool_or(purpose = 'ivr') THEN 'ivr' END AS flow_kind,
           bool_or(purpose = 'agent') AS agent
      FROM t_seg GROUP BY conversation_id
)
SELECT c.conversation_id, c.conversation_start::timestamptz AS started,
       (c.conversation_start::timestamptz AT TIME ZONE :'tz')::date AS day,
       c.media_type, c.originating_direction AS direction, c.queue_id, q.name AS queue_name, c.agent_id,
       CASE WHEN c.wrapup_code IS NOT NULL THEN coalesce(w.name, c.wrapup_code) END AS wrapup,
       c.talk_ms::bigint AS talk_ms, c.held_ms::bigint AS held_ms, c.handle_ms::bigint AS handle_ms,
       c.acd_ms::bigint AS acd_ms, c.transfers::int AS transfers, c.abandoned::boolean AS abandoned,
       c.escalated::boolean AS escalated, c.bot_only::boolean AS bot_only,
       coalesce(c.account_id, c.phone_account_id) AS account_id,
       CASE WHEN c.account_id IS NOT NULL THEN 'attribute' WHEN c.phone_account_id IS NOT NULL THEN 'phone' END AS link,
       c.tier, a.industry, a.ltv::numeric AS ltv,
       coalesce(c.account_id, c.phone_account_id,
                CASE WHEN c.originating_direction = 'inbound' THEN nullif(regexp_replace(c.ani, '^tel:', ''), '') END) AS customer_key,
       coalesce(t.handled, false) AS handled,
       coalesce(fl.flow, false) AS entered_flow,
       coalesce(fl.flow AND NOT fl.queued AND c.conversation_end IS NOT NULL, false) AS contained,
       fl.flow_kind, coalesce(fl.flow AND fl.agent, false) AS handed_off
  FROM t_conv c
  LEFT JOIN talk t USING (conversation_id)
  LEFT JOIN flows fl USING (conversation_id)
  LEFT JOIN t_acc a ON a.account_id = coalesce(c.account_id, c.phone_account_id)
  LEFT JOIN t_queues q ON q.id = c.queue_id
  LEFT JOIN t_wrapups w ON w.id = c.wrapup_code
 WHERE c.queue_id IS NULL
    OR c.queue_id NOT IN (SELECT id FROM t_queues WHERE name IN ('QA Review', 'Training', 'Health Check'));
CREATE INDEX ON tx (customer_key, started);

-- per conversation: weighted handle time (weights table), repeat contacts
DROP TABLE IF EXISTS tf CASCADE;
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

-- the sessions of the queue figures: ACD sessions and agent sessions,
-- complete ones only (the API emits a session's metrics once it is)
DROP TABLE IF EXISTS t_sess CASCADE;
CREATE TABLE t_sess AS
SELECT conversation_id, session_id, purpose, max(queue_id) AS queue_id, max(media_type) AS media_type,
       min(segment_start::timestamptz) AS started, max(segment_end::timestamptz) AS ended,
       max(segment_end::timestamptz) FILTER (WHERE segment_type = 'alert') AS alert_end,
       sum(extract(epoch FROM segment_end::timestamptz - segment_start::timestamptz) * 1000)
           FILTER (WHERE segment_type = 'alert') AS alert_ms
  FROM t_seg
 WHERE purpose IN ('acd', 'agent')
 GROUP BY conversation_id, session_id, purpose
HAVING bool_and(segment_end IS NOT NULL);

-- every queue figure of the inbound conversations loaded, on the day (in
-- tz) of its event (kpi-definitions: a queue entry; offered when it entered
-- the queue, answered when an agent answered (an alerting agent session,
-- tAnswered = its alert), abandoned when the customer left the queue); an
-- answer is in time when the queue entry before it (same queue, not
-- abandoned) waited at most the target of its medium (README: the targets
-- configure() adds: voice and callback 20 s, chat and message 60 s, email
-- 24 hours); an abandon is short when it waited at most short_ms;
-- internal queues left out
DROP TABLE IF EXISTS t_qfig, t_acd, t_ans CASCADE;
CREATE TABLE t_acd AS
SELECT s.*, x.abandoned AS conv_abandoned, extract(epoch FROM s.ended - s.started) * 1000 AS wait_ms
  FROM t_sess s JOIN tx x USING (conversation_id)
 WHERE s.purpose = 'acd' AND s.queue_id IS NOT NULL AND x.direction = 'inbound';
CREATE TABLE t_ans AS
SELECT s.* FROM t_sess s JOIN tx x USING (conversation_id)
 WHERE s.purpose = 'agent' AND s.alert_end IS NOT NULL AND s.queue_id IS NOT NULL AND x.direction = 'inbound';
CREATE INDEX ON t_acd (conversation_id);
CREATE INDEX ON t_ans (conversation_id);
ANALYZE t_acd, t_ans;
CREATE TABLE t_qfig AS
SELECT 'offered' AS metric, started AS at, queue_id, media_type, wait_ms, NULL::numeric AS answer_ms,
       NULL::boolean AS entered, NULL::boolean AS in_sl, false AS short
  FROM t_acd
UNION ALL
SELECT 'abandoned', ended, queue_id, media_type, wait_ms, NULL, NULL, NULL, wait_ms <= :short_ms FROM t_acd WHERE conv_abandoned
UNION ALL
SELECT 'answered', a.alert_end, a.queue_id, a.media_type, NULL, a.alert_ms, e.wait_ms IS NOT NULL,
       e.wait_ms <= CASE a.media_type WHEN 'chat' THEN 60000 WHEN 'message' THEN 60000 WHEN 'email' THEN 86400000 ELSE 20000 END,
       false
  FROM t_ans a
  -- the entry an answer answers: the latest of its queue before it, unless
  -- an earlier answer (a transfer back into the same queue) answered it
  LEFT JOIN LATERAL (SELECT e.wait_ms FROM t_acd e
                      WHERE e.conversation_id = a.conversation_id AND e.queue_id = a.queue_id
                        AND e.started <= a.started AND NOT e.conv_abandoned
                        AND NOT EXISTS (SELECT 1 FROM t_ans a2
                                         WHERE a2.conversation_id = a.conversation_id AND a2.queue_id = a.queue_id
                                           AND a2.started >= e.started AND a2.started < a.started)
                      ORDER BY e.started DESC LIMIT 1) e ON true;
DELETE FROM t_qfig WHERE queue_id IN (SELECT id FROM t_queues WHERE name IN ('QA Review', 'Training', 'Health Check'));
DROP TABLE IF EXISTS t_tz CASCADE;
CREATE TABLE t_tz AS SELECT :'tz'::text AS tz;
ALTER TABLE t_qfig ADD COLUMN day date;
UPDATE t_qfig SET day = (at AT TIME ZONE :'tz')::date;

-- kpi figures of a group of tf rows, by (grain, day or week)
CREATE OR REPLACE VIEW e_kpi_base AS
SELECT f.*, coalesce(f.queue_id, '(no queue)') AS q, coalesce(f.queue_name, '(no queue)') AS qn,
       date_trunc('week', f.day::timestamp)::date AS week
  FROM tf f;

CREATE OR REPLACE FUNCTION e_kpi(grain text)
    RETURNS TABLE (period date, queue_id text, queue_name text, media_type text, direction text, conversations bigint,
                   offered bigint, answered bigint, handled bigint, abandoned bigint, short_abandoned bigint, answered_in_sl bigint,
                   sl_entries bigint, service_level_pct numeric, abandon_rate_pct numeric, avg_wait_s numeric,
                   asa_s numeric, service_level_rate numeric, abandon_rate numeric, avg_handle_s numeric,
                   avg_weighted_handle_s numeric, transferred bigint, transfer_rate_pct numeric, fcr_eligible bigint,
                   fcr_resolved bigint, fcr_pct numeric, talk_ratio_pct numeric, hold_ratio_pct numeric,
                   efficiency_score numeric, wrapup_codes text[])
    LANGUAGE sql AS $$
WITH g AS (   -- conversations: their start, their first queue
    SELECT CASE grain WHEN 'day' THEN day ELSE week END AS period, q, max(qn) AS qn, b.media_type,
           coalesce(b.direction, 'inbound') AS dir,
           count(*) AS n, count(*) FILTER (WHERE b.handled) AS h,
           sum(handle_ms) FILTER (WHERE b.handled) AS hdl,
           sum(weighted_ms) FILTER (WHERE b.handled) AS wh,
           count(*) FILTER (WHERE b.handled AND transfers > 0) AS tr,
           count(*) FILTER (WHERE b.handled AND customer_key IS NOT NULL) AS fe,
           count(*) FILTER (WHERE b.handled AND customer_key IS NOT NULL AND no_repeat_7d) AS fr,
           sum(talk_ms) FILTER (WHERE b.handled) AS talk, sum(held_ms) FILTER (WHERE b.handled) AS held,
           array_agg(DISTINCT wrapup ORDER BY wrapup) FILTER (WHERE wrapup IS NOT NULL) AS wr
      FROM e_kpi_base b
     GROUP BY 1, q, b.media_type, coalesce(b.direction, 'inbound')
), qf AS (   -- queue figures: their event, the queue entered
    SELECT CASE grain WHEN 'day' THEN day ELSE date_trunc('week', day::timestamp)::date END AS period,
           queue_id AS q, media_type, 'inbound'::text AS dir,
           count(*) FILTER (WHERE metric = 'offered') AS off, count(*) FILTER (WHERE metric = 'answered') AS ans,
           count(*) FILTER (WHERE metric = 'abandoned' AND NOT short) AS ab,
           count(*) FILTER (WHERE metric = 'abandoned' AND short) AS sab,
           count(*) FILTER (WHERE metric = 'answered' AND entered AND in_sl) AS sl,
           count(*) FILTER (WHERE metric = 'answered' AND entered) + count(*) FILTER (WHERE metric = 'abandoned' AND NOT short) AS sle,
           sum(wait_ms) FILTER (WHERE metric = 'offered') AS wait, sum(answer_ms) FILTER (WHERE metric = 'answered') AS asum
      FROM t_qfig
     GROUP BY 1, 2, 3
), j AS (
    SELECT period, q, coalesce(g.qn, (SELECT name FROM t_queues WHERE id = q)) AS qn, media_type, dir,
           coalesce(n, 0) AS n, coalesce(off, 0) AS off, coalesce(ans, 0) AS ans, coalesce(h, 0) AS h,
           coalesce(ab, 0) AS ab, coalesce(sab, 0) AS sab, coalesce(sl, 0) AS sl, coalesce(sle, 0) AS sle, wait, asum, hdl, wh,
           coalesce(tr, 0) AS tr, coalesce(fe, 0) AS fe, coalesce(fr, 0) AS fr, talk, held, wr
      FROM g FULL JOIN qf USING (period, q, media_type, dir)
)
SELECT period, q, qn, media_type, dir, n, off, ans, h, ab, sab, sl, sle,
       round(100.0 * sl / nullif(sle, 0), 2), round(100.0 * ab / nullif(off, 0), 2),
       round(coalesce(wait, 0) / 1000.0 / nullif(off, 0), 2), round(coalesce(asum, 0) / 1000.0 / nullif(ans, 0), 2),
       round(sl::numeric / nullif(sle, 0), 4), round(ab::numeric / nullif(off, 0), 4),
       round(hdl / 1000.0 / nullif(h, 0), 2),
       round((wh / 1000.0 / nullif(h, 0))::numeric, 2), tr, round(100.0 * tr / nullif(h, 0), 2), fe, fr,
       round(100.0 * fr / nullif(fe, 0), 2), round(100.0 * talk / nullif(hdl, 0), 2), round(100.0 * held / nullif(hdl, 0), 2),
       -- README: 0.4 SL + 0.3 FCR + 0.2 (1 - abandon) + 0.1 (1 - transfer), over the parts with a denominator
       round(100.0 * ((CASE WHEN sle > 0 THEN 0.4 * sl / sle ELSE 0 END)
                     + (CASE WHEN off > 0 THEN 0.2 * (1 - ab::numeric / off) ELSE 0 END)
                     + (CASE WHEN fe > 0 THEN 0.3 * fr / fe ELSE 0 END)
                     + (CASE WHEN h > 0 THEN 0.1 * (1 - tr::numeric / h) ELSE 0 END))
                   / nullif((CASE WHEN sle > 0 THEN 0.4 ELSE 0 END) + (CASE WHEN off > 0 THEN 0.2 ELSE 0 END)
                            + (CASE WHEN fe > 0 THEN 0.3 ELSE 0 END) + (CASE WHEN h > 0 THEN 0.1 ELSE 0 END), 0), 1),
       coalesce(wr, '{}')
  FROM j
$$;

-- escalation per week (or over everything: week NULL) and tier
CREATE OR REPLACE VIEW e_tiered AS
SELECT x.*, date_trunc('week', x.day::timestamp)::date AS week,
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

-- self-service containment per week, industry and media type: over the
-- conversations that entered a bot flow or an IVR, those that ended there
-- (no queue, no agent)
CREATE OR REPLACE VIEW e_containment AS
SELECT g.*, (SELECT coalesce(sum(a.ltv::numeric), 0) FROM t_acc a
              WHERE a.account_id IN (SELECT y.account_id FROM e_tiered y WHERE y.contained AND y.week = g.week
                                        AND y.industry_label = g.industry AND y.media_type = g.media_type)) AS contained_ltv
  FROM (SELECT week, industry_label AS industry, media_type, count(*) AS conversations,
               count(*) FILTER (WHERE contained) AS contained,
               round(100.0 * count(*) FILTER (WHERE contained) / count(*), 2) AS containment_pct,
               count(*) FILTER (WHERE contained AND customer_key IS NOT NULL) AS contained_known,
               count(*) FILTER (WHERE contained AND customer_key IS NOT NULL AND no_repeat_24h) AS contained_held,
               round(100.0 * count(*) FILTER (WHERE contained AND customer_key IS NOT NULL AND no_repeat_24h)
                     / nullif(count(*) FILTER (WHERE contained AND customer_key IS NOT NULL), 0), 2) AS held_pct
          FROM e_tiered WHERE entered_flow GROUP BY week, industry_label, media_type) g;

-- quality per agent and form: finished evaluations, no calibrations, only
-- of conversations the warehouse keeps (tx: internal queues left out)
CREATE OR REPLACE VIEW e_agent_quality AS
SELECT agent_id, form_id, count(*) FILTER (WHERE status = 'FINISHED') AS evaluations,
       count(*) FILTER (WHERE status <> 'FINISHED') AS unfinished,
       round(avg(total_score::numeric) FILTER (WHERE status = 'FINISHED'), 2) AS avg_score,
       min(total_score::numeric) FILTER (WHERE status = 'FINISHED') AS min_score,
       max(total_score::numeric) FILTER (WHERE status = 'FINISHED') AS max_score
  FROM t_eval
 WHERE is_calibration = 'false' AND conversation_id IN (SELECT conversation_id FROM tx)
 GROUP BY agent_id, form_id;
-- the same per ISO week (in tz) of the evaluated conversation's start
CREATE OR REPLACE VIEW e_agent_quality_weekly AS
SELECT x.week, e.agent_id, e.form_id, count(*) FILTER (WHERE e.status = 'FINISHED') AS evaluations,
       count(*) FILTER (WHERE e.status <> 'FINISHED') AS unfinished,
       round(avg(e.total_score::numeric) FILTER (WHERE e.status = 'FINISHED'), 2) AS avg_score,
       min(e.total_score::numeric) FILTER (WHERE e.status = 'FINISHED') AS min_score,
       max(e.total_score::numeric) FILTER (WHERE e.status = 'FINISHED') AS max_score
  FROM t_eval e JOIN e_tiered x USING (conversation_id)
 WHERE e.is_calibration = 'false'
 GROUP BY x.week, e.agent_id, e.form_id;

-- link methods per week
CREATE OR REPLACE VIEW e_join_quality AS
SELECT week, coalesce(link, 'unlinked') AS link_method, count(*) AS conversations,
       round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY week), 2) AS share_pct
  FROM e_tiered GROUP BY week, coalesce(link, 'unlinked');

-- queue_daily's offered per day (in tz), queue and media type: the ACD
-- sessions entered that day (the truth's queue_daily.csv counts them per
-- UTC date; the segments give any zone), every queue, internal ones too
CREATE OR REPLACE VIEW e_queue_offered AS
SELECT (min(segment_start::timestamptz) AT TIME ZONE :'tz')::date AS day, queue_id, media_type
  FROM t_seg
 WHERE purpose = 'acd' AND queue_id IS NOT NULL
 GROUP BY conversation_id, session_id, queue_id, media_type;

-- queue figures per interval of m minutes (from a UTC midnight), queue and
-- media type
CREATE OR REPLACE FUNCTION e_queue_interval(m int)
    RETURNS TABLE (interval_start timestamptz, day date, queue_id text, media_type text, offered bigint, answered bigint,
                   abandoned bigint, short_abandoned bigint, answered_in_sl bigint, sl_entries bigint, asa_s numeric,
                   avg_wait_s numeric, service_level_rate numeric)
    LANGUAGE sql AS $$
SELECT b.s, b.d, f.queue_id, f.media_type,
       count(*) FILTER (WHERE metric = 'offered'), count(*) FILTER (WHERE metric = 'answered'),
       count(*) FILTER (WHERE metric = 'abandoned' AND NOT short), count(*) FILTER (WHERE metric = 'abandoned' AND short),
       count(*) FILTER (WHERE metric = 'answered' AND entered AND in_sl),
       count(*) FILTER (WHERE metric = 'answered' AND entered) + count(*) FILTER (WHERE metric = 'abandoned' AND NOT short),
       round(sum(answer_ms) FILTER (WHERE metric = 'answered') / 1000.0 / nullif(count(*) FILTER (WHERE metric = 'answered'), 0), 2),
       round(coalesce(sum(wait_ms) FILTER (WHERE metric = 'offered'), 0) / 1000.0 / nullif(count(*) FILTER (WHERE metric = 'offered'), 0), 2),
       round((count(*) FILTER (WHERE metric = 'answered' AND entered AND in_sl))::numeric
             / nullif(count(*) FILTER (WHERE metric = 'answered' AND entered) + count(*) FILTER (WHERE metric = 'abandoned' AND NOT short), 0), 4)
  FROM t_qfig f,
       LATERAL (SELECT to_timestamp(floor(extract(epoch FROM f.at) / (60 * m)) * 60 * m) AS s) b0,
       LATERAL (SELECT b0.s, (b0.s AT TIME ZONE (SELECT tz FROM t_tz))::date AS d) b
 GROUP BY 1, 2, 3, 4
$$;
