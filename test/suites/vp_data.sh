#!/usr/bin/env bash
# The VP's data (issue 26) against gcsim, compared with `gcsim truth`:
#  1. surveys: after run(), gcanalytics.surveys holds every survey of the
#     truth (form, agent, queue, status, sent, completed, promoter and total
#     score), and interactions' csat_score / nps_score equal the truth's
#     finished surveys conversation by conversation; CSAT by tier and ISO
#     week computed from the truth files equals the warehouse's, and shows
#     the planted story (Enterprise CSAT falls after 5.0).
#  2. cases and pipeline: crm_cases and crm_opportunities equal the truth's
#     Cases and Opportunities (category, status, times; amounts exact),
#     interactions' crm_case_id the sfCaseId of the truth, and case
#     resolution (closed within case_resolution_days) and revenue by tier and
#     week equal computations over the truth files.
#  4. cx_overview (before 3): its figures per week and tier equal
#     computations over the truth files, and its csat_provisional the
#     truth's surveys still open within survey_lookback (a survey of a past
#     week left Sent in the warehouse does not keep it provisional); its
#     grants per role.
#  5. schedule adherence (before 3): gcanalytics.adherence equals the
#     truth's adherence.csv agent day by agent day (read through the
#     asynchronous query and its downloads), adherence_weekly's rates and
#     main queue per agent and week and cx_overview's adherence_rate per
#     week and tier (the agents' adherence weighted by the tier's
#     conversations they handled) equal those computed over the truth;
#     grants per role.
#  6. the insight (before 3): cx_insights' CSAT and case resolution rows
#     (the weeks compared, their final part, counts, values, Welch's t and
#     its df, the z, the p-values against mpmath) equal computations over
#     the truth; the one CSAT sentence is Enterprise's after release 5.0,
#     with the truth's figures.
#  3. late surveys: gcsim a day later (surveys completed since), the next
#     run() reads the conversations with an unanswered survey again by id:
#     the warehouse equals the later truth, and surveys that were Sent are
#     Finished now.
#  7. load_adherence = false: run() reads no adherence (no window, no row,
#     no request to workforce management).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/vp_data
rm -rf "$T"
mkdir -p "$T"
chmod 777 "$T"
PSQL=("$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q)
WORLD="--seed 42 --conversations-per-day 1500"
NOW1=2026-04-20T12:00:00Z
NOW2=2026-04-21T12:00:00Z
D1=2026-04-06
UNTIL=2026-04-20T11:00:00Z
run_load() { "${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1; }

# truth NAME NOW: the truth of [D1, UNTIL) as of NOW in vp_NAME_*
truth() {
    # shellcheck disable=SC2086
    gcsim_truth "$T/$1" $D1 $UNTIL $WORLD --now "$2"
    load_csv "vp_$1_conv" "$T/$1/conversations.csv"
    load_csv "vp_$1_surv" "$T/$1/surveys.csv"
    load_csv "vp_$1_case" "$T/$1/cases.csv"
    load_csv "vp_$1_opp" "$T/$1/opportunities.csv"
    load_csv "vp_$1_acct" "$T/$1/accounts.csv"
    load_csv "vp_$1_adh" "$T/$1/adherence.csv"
    if [ "$1" = one ]; then
        load_csv "vp_$1_seg" "$T/$1/segments.csv"
    fi
}
# same_set WHAT TRUTH_QUERY WAREHOUSE_QUERY: both give the same rows
same_set() {
    local n_truth n_wh diff
    n_truth=$(sql "SELECT count(*) FROM ($2) t")
    n_wh=$(sql "SELECT count(*) FROM ($3) w")
    diff=$(sql "SELECT count(*) FROM ((($2) EXCEPT ALL ($3)) UNION ALL (($3) EXCEPT ALL ($2))) d")
    if [ "$diff" != 0 ] || [ "$n_truth" != "$n_wh" ] || [ "$n_truth" = 0 ]; then
        sql "(($2) EXCEPT ALL ($3)) LIMIT 3; (($3) EXCEPT ALL ($2)) LIMIT 3" >&2
        fail "$1: $n_wh rows against $n_truth in the truth, $diff differ"
    fi
    echo "ok: $1 ($n_wh rows equal the truth)"
}
# compare_surveys NAME WHAT: the surveys sent by NOW1 equal the truth NAME's
SURV_TRUTH="survey_id, conversation_id, form_id, agent_id, queue_id, status, event_time::timestamptz,
            completed::timestamptz, promoter_score::int, total_score::int"
SURV_WH="survey_id, conversation_id, survey_form_id, agent_id, queue_id, status, event_time, completed_date,
         promoter_score, total_score"
compare_surveys() {
    local n_truth n_wh diff
    n_truth=$(sql "SELECT count(*) FROM vp_$1_surv WHERE event_time::timestamptz <= '$NOW1'")
    n_wh=$(sql "SELECT count(*) FROM gcanalytics.surveys WHERE event_time <= '$NOW1'")
    diff=$(sql "SELECT count(*) FROM (
                  (SELECT $SURV_TRUTH FROM vp_$1_surv WHERE event_time::timestamptz <= '$NOW1'
                   EXCEPT ALL SELECT $SURV_WH FROM gcanalytics.surveys)
                  UNION ALL
                  (SELECT $SURV_WH FROM gcanalytics.surveys WHERE event_time <= '$NOW1'
                   EXCEPT ALL SELECT $SURV_TRUTH FROM vp_$1_surv)) d")
    if [ "$diff" != 0 ] || [ "$n_wh" != "$n_truth" ] || [ "$n_truth" = 0 ]; then
        sql "SELECT 'truth', * FROM (SELECT $SURV_TRUTH FROM vp_$1_surv EXCEPT ALL SELECT $SURV_WH FROM gcanalytics.surveys LIMIT 3) d;
             SELECT 'warehouse', * FROM (SELECT $SURV_WH FROM gcanalytics.surveys EXCEPT ALL SELECT $SURV_TRUTH FROM vp_$1_surv LIMIT 3) d" >&2
        fail "$2: $n_wh surveys against $n_truth in the truth, $diff rows differ"
    fi
    echo "ok: $2: $n_wh surveys equal the truth field by field"
    # the interactions' scores: the truth's finished survey of each conversation
    diff=$(sql "SELECT count(*) FROM gcanalytics.interactions i
                  LEFT JOIN vp_$1_surv s ON s.conversation_id = i.conversation_id AND s.status = 'Finished'
                 WHERE i.conversation_start < '$UNTIL'
                   AND NOT EXISTS (SELECT 1 FROM vp_$1_surv x WHERE x.conversation_id = i.conversation_id
                                                              AND x.event_time::timestamptz > '$NOW1')
                   AND (i.csat_score IS DISTINCT FROM s.total_score::float8 OR i.nps_score IS DISTINCT FROM s.promoter_score::int)")
    assert_eq 0 "$diff" "$2: csat_score and nps_score of every interaction equal its finished survey in the truth"
}
# CSAT and NPS by tier and ISO week, from the truth files (test SQL over
# the CSVs) and from the warehouse: "tier|week|n|csat|nps" lines
CSAT_TRUTH="SELECT coalesce(c.tier, '-'), to_char(c.conversation_start::timestamptz AT TIME ZONE 'UTC', 'IYYY-IW'), count(*),
                   round(avg(s.total_score::numeric), 2),
                   round(100.0 * (count(*) FILTER (WHERE s.promoter_score::int >= 9) - count(*) FILTER (WHERE s.promoter_score::int <= 6)) / count(*), 2)
              FROM vp_NAME_surv s JOIN vp_NAME_conv c USING (conversation_id)
             WHERE s.status = 'Finished' GROUP BY 1, 2 ORDER BY 1, 2"
CSAT_WH="SELECT coalesce(customer_tier, '-'), to_char(conversation_start AT TIME ZONE 'UTC', 'IYYY-IW'), count(*),
                round(avg(csat_score::numeric), 2),
                round(100.0 * (count(*) FILTER (WHERE nps_score >= 9) - count(*) FILTER (WHERE nps_score <= 6)) / count(*), 2)
           FROM gcanalytics.interactions WHERE csat_score IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"

# a database of its own: the warehouse's settings (excluded queues seeded
# once) stay out of the other suites' way
DB=gca_vp_data
sql "DROP DATABASE IF EXISTS $DB" >/dev/null
sql "CREATE DATABASE $DB"
export PGDATABASE=$DB
sql "CREATE EXTENSION gcanalytics"

# shellcheck disable=SC2086
start_gcsim $WORLD --now $NOW1
warehouse_setup "$GCSIM_URL" $D1
truth one $NOW1
truth two $NOW2

########################################################################
# 1. surveys as of NOW1
out=$(run_load) || fail "run() failed: $out"
compare_surveys one "surveys as of $NOW1"
assert_eq "$(sql "${CSAT_TRUTH//NAME/one}")" "$(sql "$CSAT_WH")" "CSAT and NPS by tier and week equal the truth's"
echo "CSAT by tier and week (tier|week|surveys|csat|nps):"
sql "$CSAT_WH" | sed 's/^/  /'
drop=$(sql "SELECT round((SELECT avg(csat_score) FROM gcanalytics.interactions WHERE customer_tier = 'Enterprise' AND conversation_start >= '2026-04-13' AND conversation_start < '2026-04-20')
                        - (SELECT avg(csat_score) FROM gcanalytics.interactions WHERE customer_tier = 'Enterprise' AND conversation_start >= '2026-04-10' AND conversation_start < '2026-04-13'))")
[ "$drop" -le -10 ] || fail "the planted story: Enterprise CSAT should fall by 10 points or more after 5.0, moved by $drop"
echo "ok: Enterprise CSAT moves by $drop points after release 5.0"
pending=$(sql "SELECT count(*) FROM gcanalytics.surveys WHERE status = 'Sent'")
[ "$pending" -gt 0 ] || fail "no survey awaits its answer at $NOW1: the late-survey check proves nothing"

########################################################################
# 2. cases and pipeline
same_set "crm_cases: every Case of the truth but the deleted ones (category, status, times)" \
    "SELECT case_id, case_number, account_id, type, status, is_closed::boolean, created::timestamptz, closed::timestamptz
       FROM vp_one_case WHERE NOT is_deleted::boolean" \
    "SELECT case_id, case_number, account_id, category, status, is_closed, created_date, closed_date FROM gcanalytics.crm_cases"
same_set "crm_opportunities: every Opportunity of the truth but the deleted ones (amounts exact)" \
    "SELECT opportunity_id, account_id, name, stage, is_closed::boolean, is_won::boolean, amount::numeric, close_date::date
       FROM vp_one_opp WHERE NOT is_deleted::boolean" \
    "SELECT opportunity_id, account_id, name, stage_name, is_closed, is_won, amount, close_date FROM gcanalytics.crm_opportunities"
assert_eq numeric "$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'gcanalytics.crm_opportunities'::regclass AND attname = 'amount'")" \
    "opportunity amounts are numeric"

# Cases and Opportunities between whole reads: only those changed since the
# newest SystemModstamp read, through queryAll, soft deletions included.
# As if the last sync had read them 10 days before the newest change, when
# the truth's deleted ones were still there (and their changes since not
# yet made): the incremental sync deletes them and equals the truth again.
sf_requests() {
    curl -s "$GCSIM_URL/sim/stats" \
        | python3 -c 'import sys, json; print(sum(v["requests"] for k, v in json.load(sys.stdin)["endpoints"].items() if k in ("sf.query", "sf.query_more")))'
}
crm_sync() { "${PSQL[@]}" -c "CALL gcanalytics.sync_crm()" 2>&1; }
OLD="(SELECT max(system_modstamp::timestamptz) - interval '10 days' FROM vp_one_case)"
gone=$(sql "SELECT count(*) FROM vp_one_case WHERE is_deleted::boolean AND system_modstamp::timestamptz >= $OLD")
[ "$gone" -gt 0 ] || fail "no Case of the truth was deleted in the last 10 days: the check proves nothing"
changed=$(sql "SELECT count(*) FROM vp_one_case WHERE system_modstamp::timestamptz >= $OLD")
sql "UPDATE gcanalytics.sync_state SET high_water_mark = $OLD WHERE resource IN ('crm_cases', 'crm_opportunities');
     INSERT INTO gcanalytics.crm_cases (case_id, case_number, account_id, category, status, is_closed, created_date, closed_date, system_modstamp, loaded_at)
     SELECT case_id, case_number, account_id, type, 'New', false, created::timestamptz, NULL, $OLD, now()
       FROM vp_one_case WHERE is_deleted::boolean AND system_modstamp::timestamptz >= $OLD;
     UPDATE gcanalytics.crm_cases c SET status = 'New', is_closed = false, closed_date = NULL
       FROM vp_one_case t WHERE t.case_id = c.case_id AND t.system_modstamp::timestamptz >= $OLD AND t.closed IS NOT NULL;
     INSERT INTO gcanalytics.crm_cases (case_id, case_number, account_id, category, status, is_closed, created_date, system_modstamp, loaded_at)
     VALUES ('500000000000000AAA', '99999999', NULL, 'Question', 'New', false, $OLD, $OLD, now())" >/dev/null
plan=$(sql "EXPLAIN (VERBOSE) SELECT * FROM gcanalytics_source.crm_case WHERE system_modstamp >= '2026-04-01T00:00:00Z'")
echo "$plan" | contains 'Request: GET /services/data/v[0-9.]*/queryAll' && echo "$plan" | contains 'SOQL: .*SystemModstamp >= ' \
    || fail "the Cases since a mark should be asked through queryAll by SystemModstamp: $plan"
assert_eq "$(sql "SELECT count(*) FROM vp_one_case WHERE is_deleted::boolean")" \
    "$(sql "SELECT count(*) FROM gcanalytics_source.crm_case WHERE is_deleted")" \
    "include_deleted: the foreign table reads the truth's soft-deleted Cases with IsDeleted"
before=$(sf_requests)
out=$(crm_sync) || fail "sync_crm() between whole reads failed: $out"
sent=$(( $(sf_requests) - before ))
same_set "crm_cases after a sync of the changes only: the $gone Cases deleted since are gone, the $changed changed are the truth's" \
    "SELECT case_id, case_number, account_id, type, status, is_closed::boolean, created::timestamptz, closed::timestamptz
       FROM vp_one_case WHERE NOT is_deleted::boolean UNION ALL
     SELECT '500000000000000AAA', '99999999', NULL, 'Question', 'New', false, $OLD, NULL" \
    "SELECT case_id, case_number, account_id, category, status, is_closed, created_date, closed_date FROM gcanalytics.crm_cases"
[ "$sent" -le 3 ] || fail "a sync of the changes since the marks sent $sent Salesforce queries (Accounts, Cases, Opportunities: 3)"
echo "ok: a sync between whole reads sent $sent Salesforce queries; a case deleted for good stays until the whole read"
# when crm_full_read has passed, the whole read drops what is gone for good
sql "UPDATE gcanalytics.sync_state SET updated_at = updated_at - interval '1 day 1 minute' WHERE resource = 'crm_pipeline'" >/dev/null
before=$(sf_requests)
out=$(crm_sync) || fail "sync_crm() after crm_full_read failed: $out"
sent=$(( $(sf_requests) - before ))
same_set "crm_cases after the whole read that crm_full_read makes due" \
    "SELECT case_id, case_number, account_id, type, status, is_closed::boolean, created::timestamptz, closed::timestamptz
       FROM vp_one_case WHERE NOT is_deleted::boolean" \
    "SELECT case_id, case_number, account_id, category, status, is_closed, created_date, closed_date FROM gcanalytics.crm_cases"
[ "$sent" -gt 3 ] || fail "the whole read sent only $sent Salesforce queries"
echo "ok: the whole read sent $sent Salesforce queries"
same_set "interactions.crm_case_id is the sfCaseId of the truth" \
    "SELECT c.conversation_id, c.case_id FROM vp_one_conv c JOIN gcanalytics.interactions i USING (conversation_id) WHERE c.case_id IS NOT NULL" \
    "SELECT conversation_id, crm_case_id FROM gcanalytics.interactions WHERE crm_case_id IS NOT NULL"
# provisional: an open case of the week younger than 7 days as of the
# newest SystemModstamp of the cases (the time the truth is as of)
same_set "case resolution (closed within 7 days) by tier and week, and provisional, equal the truth's" \
    "SELECT date_trunc('week', c.created::timestamptz AT TIME ZONE 'UTC')::date, a.tier, count(*)::bigint,
            count(*) FILTER (WHERE c.closed::timestamptz <= c.created::timestamptz + interval '7 days')::bigint,
            round(count(*) FILTER (WHERE c.closed::timestamptz <= c.created::timestamptz + interval '7 days')::numeric / count(*), 4),
            bool_or(c.closed IS NULL AND c.created::timestamptz + interval '7 days'
                                         > (SELECT max(system_modstamp::timestamptz) FROM vp_one_case WHERE NOT is_deleted::boolean))
       FROM vp_one_case c LEFT JOIN vp_one_acct a USING (account_id) WHERE NOT c.is_deleted::boolean GROUP BY 1, 2" \
    "SELECT week, tier, cases, resolved, case_resolution_rate, provisional FROM gcanalytics.case_resolution_weekly"
# the weeks are those of reporting_time_zone: Honolulu's (UTC-10) Monday
# starts at 10:00 UTC, so a case opened early on a Monday (UTC) belongs to
# the week before
HNL="SELECT date_trunc('week', c.created::timestamptz AT TIME ZONE 'Pacific/Honolulu')::date AS week, a.tier, count(*)::bigint,
            count(*) FILTER (WHERE c.closed::timestamptz <= c.created::timestamptz + interval '168 hours')::bigint
       FROM vp_one_case c LEFT JOIN vp_one_acct a USING (account_id) WHERE NOT c.is_deleted::boolean GROUP BY 1, 2"
moved=$(sql "SELECT count(*) FROM vp_one_case WHERE NOT is_deleted::boolean
              AND date_trunc('week', created::timestamptz AT TIME ZONE 'Pacific/Honolulu')
                  <> date_trunc('week', created::timestamptz AT TIME ZONE 'UTC')")
[ "$moved" -gt 0 ] || fail "no case is in another week in Honolulu than in UTC: the check proves nothing"
sql "INSERT INTO gcanalytics.settings (name, value) VALUES ('reporting_time_zone', 'Pacific/Honolulu')
     ON CONFLICT (name) DO UPDATE SET value = excluded.value" >/dev/null
same_set "case resolution by tier and week of reporting_time_zone Pacific/Honolulu ($moved cases in another week than in UTC)" \
    "$HNL" "SELECT week, tier, cases, resolved FROM gcanalytics.case_resolution_weekly"
sql "UPDATE gcanalytics.settings SET value = 'UTC' WHERE name = 'reporting_time_zone'" >/dev/null
same_set "closed-won revenue and open pipeline by tier and close week equal the truth's" \
    "SELECT date_trunc('week', o.close_date::date)::date, a.tier, count(*) FILTER (WHERE o.is_won::boolean),
            coalesce(sum(o.amount::numeric) FILTER (WHERE o.is_won::boolean), 0),
            count(*) FILTER (WHERE NOT o.is_closed::boolean), coalesce(sum(o.amount::numeric) FILTER (WHERE NOT o.is_closed::boolean), 0)
       FROM vp_one_opp o LEFT JOIN vp_one_acct a USING (account_id) WHERE NOT o.is_deleted::boolean GROUP BY 1, 2" \
    "SELECT week, tier, won, closed_won_amount, open_opportunities, open_pipeline_amount FROM gcanalytics.revenue_weekly"
assert_eq "t|t|t|t|f|t" "$(sql "SELECT has_table_privilege('gcanalytics_reader', 'gcanalytics.case_resolution_weekly', 'SELECT'),
                                    has_table_privilege('gcanalytics_reader', 'gcanalytics.revenue_weekly', 'SELECT'),
                                    has_table_privilege('gcanalytics_finance', 'gcanalytics.revenue_weekly', 'SELECT'),
                                    has_table_privilege('gcanalytics_supervisor', 'gcanalytics.case_resolution_weekly', 'SELECT'),
                                    has_column_privilege('gcanalytics_supervisor', 'gcanalytics.revenue_weekly', 'closed_won_amount', 'SELECT'),
                                    has_table_privilege('gcanalytics_finance', 'gcanalytics.case_resolution_weekly', 'SELECT')")" \
    "grants: reader and finance see revenue, the supervisor case resolution but no revenue"
echo "case resolution, weeks from 2026-03-30 (week|tier|cases|resolved|rate):"
sql "SELECT week, tier, cases, resolved, case_resolution_rate FROM gcanalytics.case_resolution_weekly
      WHERE week >= '2026-03-30' AND tier IS NOT NULL ORDER BY tier, week" | sed 's/^/  /'

########################################################################
# 4. cx_overview: per week and tier, its figures equal computations over
# the truth files (conversations, escalation, CSAT, NPS, case resolution,
# pipeline and revenue); the supervisor reads CSAT but no revenue
sql "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
TIER="CASE WHEN coalesce(c.account_id, c.phone_account_id) IS NULL THEN 'no account' ELSE c.tier END"
same_set "cx_overview: conversations, escalation, CSAT and NPS by week and tier equal the truth's" \
    "SELECT date_trunc('week', c.conversation_start::timestamptz AT TIME ZONE 'UTC')::date AS week, $TIER AS tier,
            count(*)::bigint, count(*) FILTER (WHERE c.escalated::boolean)::bigint,
            round(count(*) FILTER (WHERE c.escalated::boolean)::numeric / count(*), 4),
            count(s.total_score)::bigint, round(avg(s.total_score::numeric), 2),
            round(100.0 * (count(*) FILTER (WHERE s.promoter_score::int >= 9) - count(*) FILTER (WHERE s.promoter_score::int <= 6))
                  / nullif(count(s.promoter_score), 0), 2)
       FROM vp_one_conv c LEFT JOIN vp_one_surv s ON s.conversation_id = c.conversation_id AND s.status = 'Finished'
      WHERE c.conversation_start::timestamptz < '$UNTIL'
        AND (c.queue_id IS NULL OR c.queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues))
      GROUP BY 1, 2" \
    "SELECT week, tier, conversations, escalated, escalation_rate, surveys_answered, csat, nps FROM gcanalytics.cx_overview"
same_set "cx_overview: case resolution, open pipeline and closed-won revenue by week and tier equal the truth's" \
    "WITH w AS (SELECT DISTINCT date_trunc('week', c.conversation_start::timestamptz AT TIME ZONE 'UTC')::date AS week, $TIER AS tier
                  FROM vp_one_conv c WHERE c.conversation_start::timestamptz < '$UNTIL'
                   AND (c.queue_id IS NULL OR c.queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues))),
          k AS (SELECT date_trunc('week', k.created::timestamptz AT TIME ZONE 'UTC')::date AS week,
                       CASE WHEN k.account_id IS NULL THEN 'no account' ELSE a.tier END AS tier, count(*) AS cases,
                       count(*) FILTER (WHERE k.closed::timestamptz <= k.created::timestamptz + interval '7 days') AS resolved
                  FROM vp_one_case k LEFT JOIN vp_one_acct a USING (account_id) WHERE NOT k.is_deleted::boolean GROUP BY 1, 2),
          o AS (SELECT date_trunc('week', o.close_date::date)::date AS week,
                       CASE WHEN o.account_id IS NULL THEN 'no account' ELSE a.tier END AS tier,
                       coalesce(sum(o.amount::numeric) FILTER (WHERE NOT o.is_closed::boolean), 0) AS open_amount,
                       coalesce(sum(o.amount::numeric) FILTER (WHERE o.is_won::boolean), 0) AS won_amount
                  FROM vp_one_opp o LEFT JOIN vp_one_acct a USING (account_id) WHERE NOT o.is_deleted::boolean GROUP BY 1, 2)
     SELECT w.week, w.tier, coalesce(k.cases, 0)::bigint, round(k.resolved::numeric / nullif(k.cases, 0), 4),
            coalesce(o.open_amount, 0), coalesce(o.won_amount, 0)
       FROM w LEFT JOIN k USING (week, tier) LEFT JOIN o USING (week, tier)" \
    "SELECT week, tier, cases, case_resolution_rate, open_pipeline_amount, closed_won_amount FROM gcanalytics.cx_overview"
# cx_overview.csat_provisional, beyond provisional: a survey of the week
# unanswered and sent within survey_lookback (72 hours) before
# complete_until('conversations'), which the load reads again until then.
# A survey of week 15 left Sent in the warehouse (an expiry later than
# survey_lookback at the vendor: the load never sees it expire; the truth
# has it Expired) does not keep its week provisional for good.
PLANT=$(sql "SELECT s.conversation_id FROM vp_one_surv s JOIN vp_one_conv c USING (conversation_id)
              WHERE s.status = 'Expired' AND c.tier = 'Enterprise' AND c.account_id IS NOT NULL
                AND c.conversation_start::timestamptz >= '2026-04-06' AND c.conversation_start::timestamptz < '2026-04-13'
              ORDER BY 1 LIMIT 1")
sql "CREATE TABLE vp_plant AS SELECT i.conversation_id, i.conversation_start, i.surveys FROM gcanalytics.interactions i
      WHERE i.conversation_id = '$PLANT';
     UPDATE gcanalytics.interactions i
        SET surveys = (SELECT jsonb_agg(CASE WHEN e->>'surveyStatus' = 'Expired' THEN jsonb_set(e, '{surveyStatus}', '\"Sent\"') ELSE e END)
                         FROM jsonb_array_elements(i.surveys) e)
      WHERE i.conversation_id = '$PLANT';
     SELECT gcanalytics._dashboard_changed(ARRAY[(p.conversation_start AT TIME ZONE 'UTC')::date], ARRAY['cx_overview', 'cx_insights'])
       FROM vp_plant p;
     SELECT count(*) FROM gcanalytics.refresh_dashboards();" >/dev/null 2>&1
assert_eq "1|f|f" "$(sql "SELECT (SELECT count(*) FROM gcanalytics.interactions i, jsonb_array_elements(i.surveys) e
                                  WHERE i.conversation_id = '$PLANT' AND e->>'surveyStatus' = 'Sent'),
                                provisional, csat_provisional
                           FROM gcanalytics.cx_overview WHERE week = '2026-04-06' AND tier = 'Enterprise'")" \
    "cx_overview: week 15's Enterprise CSAT is final with a survey left Sent since before survey_lookback"
same_set "cx_overview: csat_provisional of the final weeks: a survey unanswered (the truth's Sent) sent within 72 hours before complete_until" \
    "SELECT v.week, v.tier, EXISTS (SELECT 1 FROM vp_one_surv s JOIN vp_one_conv c USING (conversation_id)
                                    WHERE s.status = 'Sent'
                                      AND s.event_time::timestamptz > gcanalytics.complete_until('conversations') - interval '72 hours'
                                      AND (c.queue_id IS NULL OR c.queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues))
                                      AND date_trunc('week', c.conversation_start::timestamptz AT TIME ZONE 'UTC')::date = v.week
                                      AND $TIER = v.tier)
       FROM gcanalytics.cx_overview v WHERE NOT v.provisional" \
    "SELECT week, tier, csat_provisional FROM gcanalytics.cx_overview WHERE NOT provisional"
assert_eq t "$(sql "SELECT bool_or(csat_provisional) AND NOT bool_and(csat_provisional) FROM gcanalytics.cx_overview WHERE NOT provisional")" \
    "cx_overview: among the final weeks, some have their CSAT provisional (a survey sent within 72 hours) and some not"
sql "UPDATE gcanalytics.interactions i SET surveys = p.surveys FROM vp_plant p WHERE i.conversation_id = p.conversation_id;
     SELECT gcanalytics._dashboard_changed(ARRAY[(p.conversation_start AT TIME ZONE 'UTC')::date], ARRAY['cx_overview', 'cx_insights'])
       FROM vp_plant p;
     DROP TABLE vp_plant;
     SELECT count(*) FROM gcanalytics.refresh_dashboards();" >/dev/null 2>&1
assert_eq "t|f|t|t" "$(sql "SELECT has_column_privilege('gcanalytics_supervisor', 'gcanalytics.cx_overview', 'csat', 'SELECT'),
                                has_column_privilege('gcanalytics_supervisor', 'gcanalytics.cx_overview', 'closed_won_amount', 'SELECT'),
                                has_column_privilege('gcanalytics_finance', 'gcanalytics.cx_overview', 'closed_won_amount', 'SELECT'),
                                has_table_privilege('gcanalytics_reader', 'gcanalytics.cx_overview', 'SELECT')")" \
    "cx_overview grants: the supervisor reads CSAT but no revenue, finance revenue, the reader everything"
echo "cx_overview (week|tier|conversations|escalation_rate|aht_s|service_level_rate|csat|nps|case_resolution_rate|closed_won_amount|provisional):"
sql "SELECT week, tier, conversations, escalation_rate, aht_s, service_level_rate, csat, nps, case_resolution_rate, closed_won_amount, provisional
       FROM gcanalytics.cx_overview ORDER BY tier, week" | sed 's/^/  /'

########################################################################
# 5. schedule adherence against the truth's adherence.csv
same_set "adherence: every agent's scheduled day" \
    "SELECT user_id, date::date, management_unit_id, schedule_length_s::int, adherence_schedule_s::int,
            conformance_schedule_s::int, conformance_actual_s::int, exception_count::int, exception_duration_s::int,
            impact_s::int, actual_length_s::int FROM vp_one_adh" \
    "SELECT user_id, day, management_unit_id, schedule_length_s, adherence_schedule_s, conformance_schedule_s,
            conformance_actual_s, exception_count, exception_duration_s, impact_s, actual_length_s FROM gcanalytics.adherence"
same_set "adherence_weekly: adherence and conformance per agent and week" \
    "SELECT date_trunc('week', date::date)::date, user_id, management_unit_id, count(*)::bigint,
            round(1 - sum(exception_duration_s::int)::numeric / sum(adherence_schedule_s::int), 4),
            round(sum(conformance_actual_s::int)::numeric / sum(conformance_schedule_s::int), 4)
       FROM vp_one_adh GROUP BY 1, 2, 3" \
    "SELECT week, agent_id, management_unit_id, days, adherence_rate, conformance_rate FROM gcanalytics.adherence_weekly"
# the agents' handled conversations of the truth: the agent with the
# longest talk (closed interact segments) of at least min_talk_ms (3 s),
# per week (UTC), tier and queue
sql "DROP TABLE IF EXISTS vp_handled;
     CREATE TABLE vp_handled AS
     SELECT date_trunc('week', c.conversation_start::timestamptz AT TIME ZONE 'UTC')::date AS week, $TIER AS tier,
            c.agent_id, c.queue_id
       FROM vp_one_conv c
       JOIN (SELECT conversation_id, max(talk) AS talk
               FROM (SELECT g.conversation_id, sum(extract(epoch FROM g.segment_end::timestamptz - g.segment_start::timestamptz) * 1000) AS talk
                       FROM vp_one_seg g
                      WHERE g.purpose = 'agent' AND g.segment_type = 'interact' AND g.segment_end IS NOT NULL
                      GROUP BY g.conversation_id, g.user_id) a
              GROUP BY conversation_id) t USING (conversation_id)
      WHERE c.conversation_start::timestamptz < '$UNTIL' AND c.agent_id IS NOT NULL AND t.talk >= 3000
        AND (c.queue_id IS NULL OR c.queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues))"
same_set "adherence_weekly.main_queue_id: the queue of most of the conversations the agent handled that week (lowest id on a tie)" \
    "SELECT a.week, a.agent_id, q.queue_id
       FROM (SELECT DISTINCT date_trunc('week', date::date)::date AS week, user_id AS agent_id FROM vp_one_adh) a
       LEFT JOIN (SELECT DISTINCT ON (week, agent_id) week, agent_id, queue_id FROM vp_handled WHERE queue_id IS NOT NULL
                  GROUP BY week, agent_id, queue_id ORDER BY week, agent_id, count(*) DESC, queue_id) q USING (week, agent_id)" \
    "SELECT week, agent_id, main_queue_id FROM gcanalytics.adherence_weekly"
# cx_overview.adherence_rate: each agent's adherence of the week weighted
# by the conversations of the tier the agent handled that week
n=$(sql "WITH agent AS (SELECT date_trunc('week', date::date)::date AS week, user_id,
                               1 - sum(exception_duration_s::int)::numeric / sum(adherence_schedule_s::int) AS adherence
                          FROM vp_one_adh GROUP BY 1, 2),
              e AS (SELECT h.week, h.tier, sum(a.adherence) / count(*) AS rate
                      FROM vp_handled h JOIN agent a ON a.week = h.week AND a.user_id = h.agent_id GROUP BY 1, 2)
         SELECT count(*) FROM gcanalytics.cx_overview v FULL JOIN e USING (week, tier)
          WHERE v.week IS NULL OR (v.adherence_rate IS NULL) <> (e.rate IS NULL) OR abs(v.adherence_rate - e.rate) > 0.00005")
assert_eq 0 "$n" "cx_overview: adherence_rate per week and tier, the agents' adherence weighted by the tier's conversations they handled, equals the truth's"
assert_eq t "$(sql "SELECT count(DISTINCT adherence_rate) > 1 FROM gcanalytics.cx_overview WHERE week = '2026-04-13'")" \
    "cx_overview: the tiers of a week have their own adherence_rate"
assert_eq "t|t|f|t|f|t" "$(sql "SELECT has_column_privilege('gcanalytics_supervisor', 'gcanalytics.cx_overview', 'adherence_rate', 'SELECT'),
                                has_table_privilege('gcanalytics_supervisor', 'gcanalytics.adherence_weekly', 'SELECT'),
                                has_column_privilege('gcanalytics_supervisor', 'gcanalytics.cx_overview', 'open_pipeline_amount', 'SELECT'),
                                has_column_privilege('gcanalytics_finance', 'gcanalytics.cx_overview', 'adherence_rate', 'SELECT'),
                                has_table_privilege('gcanalytics_finance', 'gcanalytics.adherence_weekly', 'SELECT'),
                                has_table_privilege('gcanalytics_reader', 'gcanalytics.adherence_weekly', 'SELECT')")" \
    "adherence grants: the supervisor sees adherence (and no revenue), finance the weekly rate but no agent rows, the reader all"
echo "adherence by week (week|agents|adherence_rate):"
sql "SELECT week, count(*), round(avg(adherence_rate), 4) FROM gcanalytics.adherence_weekly GROUP BY 1 ORDER BY 1" | sed 's/^/  /'

########################################################################
# 6. the insight (cx_insights) for CSAT and case resolution, computed over
# the truth files: the samples (finished surveys by conversation start,
# cases by creation), where each metric's data is final (the first
# conversation with a survey still Sent or still in progress; the newest
# case SystemModstamp less 7 days), the weeks compared whole or by their
# final part against the same part of the week before, Welch's t (CSAT)
# and the pooled two-proportion z (cases) with their own formulas here
sql "DROP TABLE IF EXISTS ins_samples, ins_cut;
     CREATE TABLE ins_samples AS
     SELECT 'csat'::text AS metric, c.conversation_start::timestamptz AT TIME ZONE 'UTC' AS t, $TIER AS tier,
            s.total_score::float8 AS x
       FROM vp_one_surv s JOIN vp_one_conv c USING (conversation_id)
      WHERE s.status = 'Finished' AND c.conversation_start::timestamptz < '$UNTIL'
        AND (c.queue_id IS NULL OR c.queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues))
     UNION ALL
     SELECT 'case_resolution', k.created::timestamptz AT TIME ZONE 'UTC',
            CASE WHEN k.account_id IS NULL THEN 'no account' ELSE a.tier END,
            CASE WHEN k.closed::timestamptz <= k.created::timestamptz + interval '7 days' THEN 1 ELSE 0 END
       FROM vp_one_case k LEFT JOIN vp_one_acct a USING (account_id) WHERE NOT k.is_deleted::boolean;
     CREATE TABLE ins_cut AS
     SELECT 'csat'::text AS metric,
            '$D1'::timestamptz AT TIME ZONE 'UTC' AS since,   -- the first day loaded
            min(c.conversation_start::timestamptz) AT TIME ZONE 'UTC' AS until
       FROM vp_one_conv c
      WHERE c.conversation_start::timestamptz < '$UNTIL'
        AND (c.queue_id IS NULL OR c.queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues))
        AND (c.conversation_end IS NULL
             OR EXISTS (SELECT 1 FROM vp_one_surv s WHERE s.conversation_id = c.conversation_id AND s.status = 'Sent'))
     UNION ALL
     SELECT 'case_resolution', '$D1'::timestamptz AT TIME ZONE 'UTC', (max(system_modstamp::timestamptz) - interval '7 days') AT TIME ZONE 'UTC'
       FROM vp_one_case WHERE NOT is_deleted::boolean"
INS_EXPECTED="WITH w0 AS (SELECT DISTINCT s.metric, date_trunc('week', s.t)::date AS week,
                       greatest(date_trunc('week', s.t) - interval '7 days', k.since) AS prev_start,
                       least(date_trunc('week', s.t) + interval '7 days', k.until) AS cur_end
                  FROM ins_samples s JOIN ins_cut k USING (metric)),
     w AS (SELECT * FROM w0 WHERE prev_start + interval '7 days' < cur_end),
     g AS (SELECT w.metric, w.week, w.prev_start + interval '7 days' AS cur_start, w.cur_end, s.tier,
                  count(*) FILTER (WHERE s.t < w.week) AS n1, avg(s.x) FILTER (WHERE s.t < w.week) AS m1,
                  var_samp(s.x) FILTER (WHERE s.t < w.week) AS var1,
                  count(*) FILTER (WHERE s.t >= w.week) AS n2, avg(s.x) FILTER (WHERE s.t >= w.week) AS m2,
                  var_samp(s.x) FILTER (WHERE s.t >= w.week) AS var2
             FROM w JOIN ins_samples s ON s.metric = w.metric
                 AND ((s.t >= w.prev_start + interval '7 days' AND s.t < w.cur_end)
                      OR (s.t >= w.prev_start AND s.t < w.cur_end - interval '7 days'))
            GROUP BY 1, 2, 3, 4, 5),
     p AS (SELECT *, (n1 * m1 + n2 * m2) / (n1 + n2) AS pooled FROM g)
SELECT metric, week, tier, cur_start, cur_end, n1, n2, round((CASE metric WHEN 'csat' THEN 1 ELSE 100 END * m1)::numeric, 2) AS prev_value,
       round((CASE metric WHEN 'csat' THEN 1 ELSE 100 END * m2)::numeric, 2) AS value,
       CASE WHEN metric = 'csat' AND var1 / n1 + var2 / n2 > 0 THEN (m2 - m1) / sqrt(var1 / n1 + var2 / n2)
            WHEN metric <> 'csat' AND n1 > 0 AND n2 > 0 AND pooled > 0 AND pooled < 1
            THEN (m2 - m1) / sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2)) END AS statistic,
       CASE WHEN metric = 'csat' AND var1 / n1 + var2 / n2 > 0
            THEN (var1 / n1 + var2 / n2) ^ 2 / ((var1 / n1) ^ 2 / (n1 - 1) + (var2 / n2) ^ 2 / (n2 - 1)) END AS df
  FROM p"
compare_insight() {
    local n
    n=$(sql "SELECT count(*) FROM ($INS_EXPECTED) e
              FULL JOIN (SELECT * FROM gcanalytics.cx_insights WHERE metric <> 'escalation') v USING (metric, week, tier)
             WHERE v.metric IS NULL OR e.n1 IS NULL OR (v.compared_from, v.compared_until) IS DISTINCT FROM (e.cur_start, e.cur_end)
                OR (v.prev_n, v.n, v.prev_value, v.value) IS DISTINCT FROM (e.n1, e.n2, e.prev_value, e.value)
                OR (v.statistic IS NULL) <> (e.statistic IS NULL) OR abs(v.statistic - e.statistic) > 1e-6
                OR (v.df IS NULL) <> (e.df IS NULL) OR abs(v.df - e.df) > 1e-6 * e.df")
    if [ "$n" != 0 ]; then
        sql "SELECT e.*, v.* FROM ($INS_EXPECTED) e
              FULL JOIN (SELECT * FROM gcanalytics.cx_insights WHERE metric <> 'escalation') v USING (metric, week, tier)
             WHERE v.metric IS NULL OR e.n1 IS NULL OR (v.compared_from, v.compared_until) IS DISTINCT FROM (e.cur_start, e.cur_end)
                OR (v.prev_n, v.n, v.prev_value, v.value) IS DISTINCT FROM (e.n1, e.n2, e.prev_value, e.value)
                OR abs(v.statistic - e.statistic) > 1e-6 OR abs(v.df - e.df) > 1e-6 * e.df LIMIT 5" >&2
        fail "$1: $n rows of cx_insights differ from the truth's"
    fi
    echo "ok: $1 ($(sql "SELECT count(*) FROM gcanalytics.cx_insights WHERE metric <> 'escalation'") rows equal the truth's)"
}
compare_insight "cx_insights: CSAT and case resolution per week and tier (counts, values, compared part, t/z, df)"
# the p-values: Student's t through mpmath (an independent implementation)
# for the CSAT rows, the normal tail erfc(|z| / sqrt 2) for the z rows
sql "SELECT statistic, coalesce(df::text, ''), p_value FROM gcanalytics.cx_insights
      WHERE metric <> 'escalation' AND statistic IS NOT NULL" >"$T/insight_p.txt"
python3 - "$T/insight_p.txt" <<'PY' || fail "cx_insights: a p-value differs from mpmath's"
import sys, mpmath
bad = 0
for line in open(sys.argv[1]):
    t, df, p = line.strip().split('|')
    t, p = float(t), float(p)
    if df:
        df = float(df)
        ref = float(mpmath.betainc(df / 2, 0.5, 0, df / (df + t * t), regularized=True))
    else:
        ref = float(mpmath.erfc(abs(t) / mpmath.sqrt(2)))
    if abs(p - ref) > 1e-9 + 2e-7 * ref:
        print('statistic=%r df=%r p=%r mpmath=%r' % (t, df, p, ref)); bad += 1
sys.exit(1 if bad else 0)
PY
echo "ok: cx_insights: every p-value equals mpmath's (Student's t, normal), $(wc -l <"$T/insight_p.txt") rows"
# the story: one CSAT sentence, Enterprise's week of release 5.0, with the
# figures computed here over the truth (the tier's, every tier's), the
# release between the weeks, and "concentrated" as Welch's t of the
# Enterprise change against the other tiers' change says
EXP=$(sql "WITH e AS ($INS_EXPECTED), s AS (SELECT * FROM ins_samples WHERE metric = 'csat'),
                k AS (SELECT week, cur_start, cur_end FROM e WHERE metric = 'csat' AND tier = 'Enterprise' AND week = '2026-04-13'),
                x AS (SELECT (s.t >= k.week) AS cur, s.tier = 'Enterprise' AS ent, s.x
                        FROM s, k WHERE (s.t >= k.cur_start AND s.t < k.cur_end)
                                     OR (s.t >= k.cur_start - interval '7 days' AND s.t < k.cur_end - interval '7 days')),
                o AS (SELECT avg(x) FILTER (WHERE NOT cur) AS o1, avg(x) FILTER (WHERE cur) AS o2 FROM x),
                c AS (SELECT (avg(x) FILTER (WHERE ent AND cur) - avg(x) FILTER (WHERE ent AND NOT cur))
                             - (avg(x) FILTER (WHERE NOT ent AND cur) - avg(x) FILTER (WHERE NOT ent AND NOT cur)) AS d,
                             sqrt(var_samp(x) FILTER (WHERE ent AND cur) / count(*) FILTER (WHERE ent AND cur)
                                  + var_samp(x) FILTER (WHERE ent AND NOT cur) / count(*) FILTER (WHERE ent AND NOT cur)
                                  + var_samp(x) FILTER (WHERE NOT ent AND cur) / count(*) FILTER (WHERE NOT ent AND cur)
                                  + var_samp(x) FILTER (WHERE NOT ent AND NOT cur) / count(*) FILTER (WHERE NOT ent AND NOT cur)) AS se
                        FROM x)
           SELECT format('Enterprise CSAT fell %s points (%s to %s, mean survey score); overall %s to %s|%s',
                         round(abs(e.m2 - e.m1)::numeric, 1), round(e.m1::numeric, 1), round(e.m2::numeric, 1),
                         round(o.o1::numeric, 1), round(o.o2::numeric, 1),
                         abs(c.d / c.se) > 2.6)
                  || '|' || (c.d / c.se)
             FROM (SELECT g.m1, g.m2 FROM (SELECT avg(x) FILTER (WHERE NOT cur) AS m1, avg(x) FILTER (WHERE cur) AS m2 FROM x WHERE ent) g) e, o, c")
CONC=${EXP##*|}
EXP=${EXP%|*}
CONCENTRATED=${EXP##*|}
EXP=${EXP%|*}
assert_eq t "$(sql "SELECT abs(concentration_statistic - $CONC) < 1e-6 FROM gcanalytics.cx_insights
                  WHERE metric = 'csat' AND tier = 'Enterprise' AND week = '2026-04-13'")" \
    "cx_insights: Enterprise's CSAT change against the other tiers' (Welch's t of the contrast) equals the truth's ($CONC)"
GOT=$(sql "SELECT week || '|' || tier || '|' || sentence FROM gcanalytics.cx_insights WHERE metric = 'csat' AND sentence IS NOT NULL")
assert_eq 1 "$(sql "SELECT count(*) FROM gcanalytics.cx_insights WHERE metric = 'csat' AND sentence IS NOT NULL")" "one CSAT insight: $GOT"
case "$GOT" in
    "2026-04-13|Enterprise|$EXP"*) ;;
    *) fail "the CSAT insight: expected one sentence beginning \"$EXP\", got \"$GOT\"" ;;
esac
echo "$GOT" | contains ", starting after release 5.0 on 2026-04-13" || fail "the CSAT insight does not name release 5.0: $GOT"
if [ "$CONCENTRATED" = t ]; then
    echo "$GOT" | contains ", concentrated in Enterprise (" || fail "the CSAT insight should say concentrated (t = $CONC): $GOT"
else
    if echo "$GOT" | contains "concentrated"; then fail "the CSAT insight says concentrated, t = $CONC: $GOT"; fi
fi
echo "ok: the CSAT insight, its figures the truth's: $GOT"
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.cx_insights WHERE metric <> 'escalation' AND sentence IS NOT NULL AND NOT significant")" \
    "cx_insights: a sentence only for a significant change"
echo "cx_insights, CSAT and case resolution (metric|week|tier|compared_from|compared_until|prev_n|n|prev|value|statistic|p|significant):"
sql "SELECT metric, week, tier, compared_from, compared_until, prev_n, n, prev_value, value, round(statistic::numeric, 2),
            round(p_value::numeric, 4), significant
       FROM gcanalytics.cx_insights WHERE metric <> 'escalation' ORDER BY metric, week, tier" | sed 's/^/  /'

########################################################################
# 3. a day later: surveys completed since are read again
late=$(sql "SELECT count(*) FROM vp_one_surv a JOIN vp_two_surv b USING (survey_id) WHERE a.status = 'Sent' AND b.status = 'Finished'")
[ "$late" -gt 0 ] || fail "the truth has no survey completed between $NOW1 and $NOW2"
# shellcheck disable=SC2086
start_gcsim $WORLD --now $NOW2
sql "ALTER SERVER genesys OPTIONS (SET api_url '$GCSIM_URL', SET login_url '$GCSIM_URL');
     ALTER SERVER salesforce OPTIONS (SET instance_url '$GCSIM_URL');"
out=$(run_load) || fail "the second run() failed: $out"
echo "$out" | contains "awaiting a survey read again" || fail "run() did not read the conversations awaiting a survey: $out"
compare_surveys two "late surveys: a day later ($late surveys Sent at $NOW1 are Finished at $NOW2)"
assert_eq "$late" "$(sql "SELECT count(*) FROM gcanalytics.surveys v JOIN vp_one_surv a USING (survey_id) WHERE a.status = 'Sent' AND v.status = 'Finished'")" \
    "every survey completed after its conversation was loaded is Finished in the warehouse"

########################################################################
# 7. load_adherence = false: run() skips the adherence
DB=gca_vp_noadh
sql "DROP DATABASE IF EXISTS $DB" >/dev/null
sql "CREATE DATABASE $DB"
export PGDATABASE=$DB
sql "CREATE EXTENSION gcanalytics"
warehouse_setup "$GCSIM_URL" 2026-04-20
sql "INSERT INTO gcanalytics.settings (name, value) VALUES ('load_adherence', 'false')
     ON CONFLICT (name) DO UPDATE SET value = excluded.value"
wfm_requests() {
    curl -s "$GCSIM_URL/sim/stats" \
        | python3 -c 'import sys, json; print(sum(v["requests"] for k, v in json.load(sys.stdin)["endpoints"].items() if k.startswith("gc.wfm")))'
}
before=$(wfm_requests)
out=$(run_load) || fail "run() with load_adherence = false failed: $out"
after=$(wfm_requests)
assert_eq "0|0|0|$before" "$(sql "SELECT (SELECT count(*) FROM gcanalytics.adherence),
                                          (SELECT count(*) FROM gcanalytics.sync_windows WHERE resource = 'adherence'),
                                          (SELECT count(*) FROM gcanalytics.sync_state WHERE resource = 'adherence')")|$after" \
    "load_adherence = false: no adherence row, window or mark, and no request to workforce management"
[ "$(sql "SELECT count(*) FROM gcanalytics.interactions")" -gt 0 ] || fail "the run with load_adherence = false loaded nothing"

########################################################################
# 8. adherence in a reporting_time_zone other than UTC: the days are
# Honolulu's (UTC-10: a shift starting at 07:00-09:59 UTC belongs to the
# day before), asked in that zone (the query's timeZone), equal to the
# truth written in that zone
DB=gca_vp_tz
sql "DROP DATABASE IF EXISTS $DB" >/dev/null
sql "CREATE DATABASE $DB"
export PGDATABASE=$DB
sql "CREATE EXTENSION gcanalytics"
warehouse_setup "$GCSIM_URL" $D1
sql "INSERT INTO gcanalytics.settings (name, value) VALUES ('reporting_time_zone', 'Pacific/Honolulu')
     ON CONFLICT (name) DO UPDATE SET value = excluded.value"
# shellcheck disable=SC2086
gcsim_truth "$T/tz" $D1 $UNTIL $WORLD --now $NOW2 --time-zone Pacific/Honolulu
load_csv vp_tz_adh "$T/tz/adherence.csv"
load_csv vp_utc_adh "$T/one/adherence.csv"
assert_eq t "$(sql "EXPLAIN (VERBOSE) SELECT * FROM gcanalytics_source.adherence
                     WHERE time_zone = 'Pacific/Honolulu' AND day_start >= '2026-04-13T10:00Z' AND day_start < '2026-04-14T10:00Z'" \
               | grep -q '"timeZone":"Pacific/Honolulu"' && echo t || echo f)" \
    "time_zone = 'Pacific/Honolulu' becomes the query's timeZone"
sql "CALL gcanalytics.sync_adherence('$D1', '$UNTIL')" >/dev/null 2>&1 || fail "sync_adherence in Pacific/Honolulu failed"
# the days whose midnight (10:00 UTC) falls in [D1, UNTIL)
same_set "adherence in Pacific/Honolulu: every agent's scheduled day of that zone" \
    "SELECT user_id, date::date, management_unit_id, adherence_schedule_s::int, exception_duration_s::int, conformance_actual_s::int
       FROM vp_tz_adh WHERE date::date::timestamp AT TIME ZONE 'Pacific/Honolulu' >= '$D1'
                        AND date::date::timestamp AT TIME ZONE 'Pacific/Honolulu' < '$UNTIL'" \
    "SELECT user_id, day, management_unit_id, adherence_schedule_s, exception_duration_s, conformance_actual_s FROM gcanalytics.adherence"
moved=$(sql "SELECT count(*) FROM gcanalytics.adherence a
              WHERE NOT EXISTS (SELECT 1 FROM vp_utc_adh u WHERE u.user_id = a.user_id AND u.date::date = a.day)")
[ "$moved" -gt 0 ] || fail "no agent day of Honolulu differs from the UTC day: the check proves nothing"
echo "ok: $moved agent days are on another date than in UTC"
same_set "adherence_weekly in Pacific/Honolulu: per agent and week of that zone" \
    "SELECT date_trunc('week', date::date)::date, user_id, count(*)::bigint,
            round(1 - sum(exception_duration_s::int)::numeric / sum(adherence_schedule_s::int), 4)
       FROM vp_tz_adh WHERE date::date::timestamp AT TIME ZONE 'Pacific/Honolulu' >= '$D1'
                        AND date::date::timestamp AT TIME ZONE 'Pacific/Honolulu' < '$UNTIL' GROUP BY 1, 2" \
    "SELECT week, agent_id, days, adherence_rate FROM gcanalytics.adherence_weekly"
