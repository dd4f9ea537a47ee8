#!/usr/bin/env bash
# test/demo.sh - the main job of `make demo`, run by test/run.sh on the
# scratch cluster with the built-in simulator at $GCSIM_URL (seed 42, its
# default "now" 2026-04-20 12:00 UTC; release 5.0 shipped on 2026-04-13).
#
# The whole product: servers and user mappings for both of gcsim's
# services, configure(), gcsim's release calendar, run() over the two
# simulated weeks before "now" with its progress, refresh_dashboards(),
# then the dashboards a VP of Customer Experience looks at, last the
# executive screen (cx_overview) with the insight for CSAT and case
# resolution (cx_insights).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

NOW=2026-04-20T12:00:00Z
psql_demo() { "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -P footer=off "$@"; }
screen() { printf '\n==================== %s\n\n' "$*"; }

echo "gcanalytics $(sql "SELECT gcanalytics.version()") on $(sql "SHOW server_version")"
echo "simulator: $GCSIM_URL (seed 42, now $NOW)"

screen "1/6 Setup: servers, user mappings, configure(), the release calendar"
warehouse_setup "$GCSIM_URL" 2026-04-06T00:00:00Z 2>&1 | sed -n 's/^NOTICE:  /  /p'
sql "SELECT '  release ' || release_name || ' on ' || (released_at AT TIME ZONE 'UTC')::date FROM gcanalytics.releases ORDER BY released_at"

screen "2/6 CALL gcanalytics.run(): two simulated weeks (2026-04-06 to now), one NOTICE per step and window"
start=$SECONDS
psql_demo -q -c "CALL gcanalytics.run(until => '$NOW')" 2>&1 | sed -n 's/^NOTICE:  /  /p'
echo
sql "SELECT format('  loaded %s interactions, %s evaluations, %s queue metric rows, %s CRM accounts in %s s',
                   (SELECT count(*) FROM gcanalytics.interactions), (SELECT count(*) FROM gcanalytics.evaluations),
                   (SELECT count(*) FROM gcanalytics.queue_metrics), (SELECT count(*) FROM gcanalytics.crm_accounts), $((SECONDS - start)))"

screen "3/6 SELECT gcanalytics.refresh_dashboards()"
psql_demo -c "SELECT view_name, concurrent, round(seconds::numeric, 2) AS seconds, row_count FROM gcanalytics.refresh_dashboards()" 2>/dev/null

screen "4/6 Escalation by CRM tier, week over week, and the insight"
psql_demo <<'SQL'
SELECT week, tier, conversations, escalated, escalation_rate_pct AS "rate %"
  FROM gcanalytics.escalation_weekly WHERE week < '2026-04-20' ORDER BY tier, week;
\pset tuples_only on
\echo Insight:
SELECT '  ' || sentence FROM gcanalytics.escalation_insights WHERE significant ORDER BY week DESC, p_value;
\pset tuples_only off
SELECT tier, prev_rate_pct AS "last week %", rate_pct AS "this week %", change_points AS points,
       round(z::numeric, 1) AS z, CASE WHEN p_value < 0.001 THEN '< 0.001' ELSE round(p_value::numeric, 3)::text END AS p,
       significant, CASE WHEN concentration_p < 0.001 THEN '< 0.001' ELSE round(concentration_p::numeric, 3)::text END
           AS "vs other tiers p", coalesce(releases_between, '') AS "released between"
  FROM gcanalytics.escalation_insights WHERE week = '2026-04-13' ORDER BY tier;
\echo The current week (2026-04-20) is provisional: shown, never compared
SELECT week, count(*) AS tiers, bool_and(provisional) AS provisional, count(sentence) AS sentences
  FROM gcanalytics.escalation_insights WHERE week = '2026-04-20' GROUP BY week;
SQL

screen "5/6 KPIs of the release week, join quality, QA, bot containment"
psql_demo <<'SQL'
\echo Queue KPIs, week of 2026-04-13 (all media, inbound), busiest queues first: per queue entered
SELECT queue_name, sum(conversations) AS conversations, sum(offered) AS offered, sum(answered) AS answered,
       round(100.0 * sum(answered_in_sl) / nullif(sum(sl_entries), 0), 1) AS "SL %",
       round(100.0 * sum(abandoned) / nullif(sum(offered), 0), 1) AS "aband %",
       round(sum(answer_ms_sum) / nullif(sum(answered), 0) / 1000.0, 1) AS "ASA s",
       round(sum(wait_ms_sum) / nullif(sum(offered), 0) / 1000.0, 1) AS "wait s",
       round(sum(handle_ms_sum) / nullif(sum(handled), 0) / 1000.0) AS "AHT s",
       round((sum(weighted_handle_ms_sum) / nullif(sum(handled), 0) / 1000.0)::numeric) AS "weighted AHT s",
       round(100.0 * sum(fcr_resolved) / nullif(sum(fcr_eligible), 0), 1) AS "FCR %",
       round(avg(efficiency_score), 1) AS efficiency
  FROM gcanalytics.kpi_weekly WHERE week = '2026-04-13' AND direction = 'inbound'
 GROUP BY queue_name ORDER BY 3 DESC LIMIT 8;
\echo How conversations found their CRM account
SELECT week, link_method, conversations, share_pct AS "share %", coalesce(warning, '-') AS warning,
       stale_enrichments, crm_snapshot_stale
  FROM gcanalytics.join_quality WHERE week < '2026-04-20' ORDER BY week, link_method;
\echo Quality: the five agents with the lowest average score (finished evaluations, no calibrations)
SELECT agent_name, form_name, evaluations, avg_score, min_score, failed_kill_questions
  FROM gcanalytics.agent_quality WHERE evaluations >= 3 ORDER BY avg_score LIMIT 5;
\echo Self-service containment by industry: of the conversations that entered a bot (chat, message) or an IVR (voice)
SELECT industry, CASE WHEN media_type = 'voice' THEN 'IVR' ELSE 'bot' END AS flow,
       sum(conversations) AS entered, sum(contained) AS contained,
       round(100.0 * sum(contained) / sum(conversations), 1) AS "contained %",
       round(100.0 * sum(contained_held) / nullif(sum(contained_known), 0), 1) AS "held 24 h %"
  FROM gcanalytics.bot_containment_by_industry WHERE week < '2026-04-20'
 GROUP BY 1, 2 ORDER BY 2, 3 DESC;
SQL

screen "6/6 The executive screen: cx_overview, week by tier"
psql_demo <<'SQL'
\echo Per week and CRM tier: conversations, escalation, AHT, service level, CSAT, NPS, QA, adherence, case resolution, pipeline, revenue
SELECT week, tier, conversations, escalation_rate AS "escal", aht_s AS "AHT s", service_level_rate AS "SL",
       csat, nps, qa_score AS qa, adherence_rate AS adherence, case_resolution_rate AS "cases resolved",
       open_pipeline_amount AS "open pipeline", closed_won_amount AS "closed won", provisional AS prov,
       case_resolution_provisional AS "cases prov"
  FROM gcanalytics.cx_overview WHERE tier IN ('Enterprise', 'Mid-Market', 'SMB') ORDER BY tier, week;
\echo The insight beside escalation: CSAT (Welch t-test) and case resolution (two-proportion z-test), week over week (cx_insights)
\pset tuples_only on
SELECT '  ' || sentence FROM gcanalytics.cx_insights WHERE significant ORDER BY week DESC, metric, p_value;
\pset tuples_only off
SELECT metric, tier, CASE WHEN provisional THEN 'Mon to ' || to_char(compared_until, 'Dy HH24:MI') ELSE 'whole week' END AS compared, prev_n, n, prev_value AS "last week",
       value AS "this week", change, CASE WHEN p_value < 0.001 THEN '< 0.001' ELSE round(p_value::numeric, 3)::text END AS p,
       significant, concentrated
  FROM gcanalytics.cx_insights
 WHERE week = '2026-04-13' AND metric IN ('csat', 'case_resolution') AND tier IN ('Enterprise', 'Mid-Market', 'SMB')
 ORDER BY metric DESC, tier;
\echo Adherence by management unit and week (adherence_weekly)
SELECT week, management_unit_id, count(*) AS agents, round(avg(adherence_rate), 4) AS adherence,
       round(avg(conformance_rate), 4) AS conformance
  FROM gcanalytics.adherence_weekly GROUP BY 1, 2 ORDER BY 1, 2;
SQL
echo
echo "Keep it fresh: SELECT * FROM gcanalytics.schedule(sync_every => '15 minutes', refresh_every => '15 minutes');"
