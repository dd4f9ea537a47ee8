#!/usr/bin/env bash
# The dashboards (issues 14 and 22, README "Dashboards") on a 14-day sync of gcsim
# (seed 42, 2,000 conversations a day, now 2026-04-20 12:00 UTC): every
# view's figures equal the same figures computed from `gcsim truth`
# (dashboards_truth.sql, written from the truth's definitions), kpi_daily's
# offered and answered and queue_daily's figures equal the aggregates API's
# asked with the same timeZone (UTC, Asia/Kolkata after a change of the
# setting and a refresh, America/New_York), and 0.2.0's hourly rows are
# warned of in Kolkata and replaced by the call the hint names; the insight names
# Enterprise with its own and the overall rate, concentrated by a
# difference-in-differences test, and release 5.0, and nothing else (also
# under a 4-hour availability lag: the partial week is provisional); the
# same views in America/New_York across the DST change of 2026-03-08;
# cx_insights adds one CSAT sentence (Enterprise, release 5.0) and none for
# case resolution, the same under the lag; a world whose two weeks lie
# before release 5.0 (no planted change) gives no insight of any metric; a tier change
# in the CRM rewrites no past week (the tier at the time of the call), and
# tier_reporting current reports today's tiers; queue_daily
# interpolates a day that was not loaded; join_quality warns and flags
# stale enrichment; each role reads exactly its columns and no user
# mapping's options; a second database creates the extension beside the
# existing roles; refresh_dashboards() refreshes concurrently; a pg_cron
# job registered by schedule() runs.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/dashboards
mkdir -p "$T"
chmod 777 "$T"
DB=gca_dash
DB2=gca_dash_nostory
NOW=2026-04-20T12:00:00Z
# run() stops an hour before gcsim's frozen "now": conversations after the
# API's data availability date (now - 5 min) come without participant
# attributes until a later run re-reads them (README "The warehouse"), and
# in a frozen world that later never comes
UNTIL=2026-04-20T11:00:00Z
WORLD="--seed 42 --conversations-per-day 2000 --now $NOW"
CRON_DB=$PGDATABASE

q() { PGDATABASE=$DB sql "$1"; }

# compare WHAT VIEW_QUERY EXPECTED_QUERY "KEYS" "EXACT" "APPROX" - the two
# queries have the same keys, equal EXACT columns, and APPROX columns
# (name:tolerance) within their tolerance; both have rows.
compare() {
    local what=$1 view=$2 expected=$3 keys cond="" c n shown="''"
    keys=$(echo "$4" | sed 's/ /, /g')
    for c in $5; do
        cond="$cond OR v.$c IS DISTINCT FROM e.$c"
        shown="$shown || CASE WHEN v.$c IS DISTINCT FROM e.$c THEN ' $c=' || coalesce(v.$c::text, 'NULL') || '/' || coalesce(e.$c::text, 'NULL') ELSE '' END"
    done
    for c in $6; do
        cond="$cond OR (v.${c%%:*} IS NULL) <> (e.${c%%:*} IS NULL) OR abs(v.${c%%:*} - e.${c%%:*}) > ${c#*:}"
        shown="$shown || CASE WHEN v.${c%%:*} IS DISTINCT FROM e.${c%%:*} THEN ' ${c%%:*}=' || coalesce(v.${c%%:*}::text, 'NULL') || '/' || coalesce(e.${c%%:*}::text, 'NULL') ELSE '' END"
    done
    local from="(SELECT *, 1 AS v_present FROM ($view) x) v FULL JOIN (SELECT *, 1 AS e_present FROM ($expected) y) e USING ($keys)
                WHERE v.v_present IS NULL OR e.e_present IS NULL $cond"
    n=$(q "SELECT count(*) FROM $from")
    if [ "$n" != 0 ]; then
        q "SELECT $keys, v.v_present, e.e_present, $shown AS \"view/truth\" FROM $from LIMIT 5" >&2
        PGDATABASE=$DB "$PG_BINDIR/psql" -X -c "SELECT 'view' AS side, * FROM ($view) x LIMIT 0" >&2 || true
        fail "$what: $n rows differ from the truth (first keys above)"
    fi
    n=$(q "SELECT count(*) FROM ($expected) y")
    [ "$n" -gt 0 ] || fail "$what: the truth has no rows, the comparison proves nothing"
    echo "ok: $what equals the truth ($n rows)"
}

# sync DB URL SINCE UNTIL - a fresh database DB with the extension, the
# warehouse on the gcsim at URL, one run() to UNTIL, and the dashboards
# refreshed
sync_world() {
    PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $1" 2>/dev/null
    PGDATABASE=postgres sql "CREATE DATABASE $1"
    PGDATABASE=$1 sql "CREATE EXTENSION gcanalytics"
    PGDATABASE=$1 warehouse_setup "$2" "$3" 2>/dev/null
    PGDATABASE=$1 sql "CALL gcanalytics.run(until => '$4')" 2>"$T/run-$1.log"
    [ "$(PGDATABASE=$1 sql "SELECT count(*) FROM gcanalytics.failed_windows")" = 0 ] \
        || { cat "$T/run-$1.log"; fail "run() left failed windows in $1"; }
    PGDATABASE=$1 sql "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>"$T/refresh-$1.log"
}

# ------------------------------------------------------------ the 14-day sync
# shellcheck disable=SC2086
"$GCSIM" truth $WORLD --from 2026-04-06 --to 2026-04-21 --out "$T" >/dev/null
chmod -R a+r "$T"
# shellcheck disable=SC2086
start_gcsim $WORLD
start=$SECONDS
sync_world $DB "$GCSIM_URL" 2026-04-06T00:00:00Z $UNTIL
echo "synced 14 days 11 hours ($(q "SELECT count(*) FROM gcanalytics.interactions") interactions) in $((SECONDS - start)) s"
grep -c "refreshed gcanalytics" "$T/refresh-$DB.log" | contains -x 12 || fail "refresh_dashboards() did not report 12 views"

# truth_tables DIR UNTIL TZ - in $DB: the truth files of DIR up to UNTIL as
# t_* tables and the expected dashboards of dashboards_truth.sql, days and
# weeks in time zone TZ
truth_tables() {
    local f
    for f in conv:conversations seg:segments acc:accounts eval:evaluations qd:queue_daily; do
        PGDATABASE=$DB load_csv "t_${f%%:*}" "$1/${f#*:}.csv" 2>/dev/null
    done
    q "DELETE FROM t_conv WHERE conversation_start::timestamptz >= '$2';
       DELETE FROM t_seg WHERE conversation_id NOT IN (SELECT conversation_id FROM t_conv);
       DELETE FROM t_eval WHERE conversation_id NOT IN (SELECT conversation_id FROM t_conv)" >/dev/null
    q "SET client_min_messages = warning; DROP TABLE IF EXISTS t_queues, t_wrapups;
       CREATE TABLE t_queues AS SELECT id, name FROM gcanalytics_source.queues;
       CREATE TABLE t_wrapups AS SELECT id, name FROM gcanalytics_source.wrapup_codes;"
    truth_sql "$3" -1
}
# truth_sql TZ SHORT_MS - in $DB: the expected dashboards again from the
# truth tables loaded, days in TZ, abandons of at most SHORT_MS short (-1:
# none)
truth_sql() {
    PGDATABASE=$DB "$PG_BINDIR/psql" -qX -v tz="$1" -v short_ms="$2" -f "$GCA_ROOT/test/suites/dashboards_truth.sql" >/dev/null
}
truth_tables "$T" $UNTIL UTC
assert_eq "$(q "SELECT count(*) FROM tx")" "$(q "SELECT count(*) FROM gcanalytics.interactions")" \
    "the warehouse holds the truth's conversations less the internal queues"
# what the dashboards read of each conversation agrees with the truth (the
# load's semantics, test/suites/warehouse_*.sh); a difference here is the
# load's, and would show below as a dashboard differing from the truth
diff=$(q "SELECT t.conversation_id || ' in_progress=' || coalesce(i.in_progress::text, '?') || ':' ||
                 concat_ws(',', CASE WHEN t.customer_key IS DISTINCT FROM i.customer_key THEN 'customer_key' END,
                                CASE WHEN t.link IS DISTINCT FROM i.crm_link THEN 'crm_link' END,
                                CASE WHEN t.tier IS DISTINCT FROM i.customer_tier THEN 'customer_tier' END,
                                CASE WHEN t.escalated IS DISTINCT FROM i.was_escalated THEN 'was_escalated' END,
                                CASE WHEN t.bot_only IS DISTINCT FROM i.handled_by_bot_only THEN 'handled_by_bot_only' END,
                                CASE WHEN t.contained IS DISTINCT FROM i.contained THEN 'contained' END,
                                CASE WHEN t.flow_kind IS DISTINCT FROM i.self_service THEN 'self_service' END,
                                CASE WHEN t.handled IS DISTINCT FROM i.handled THEN 'handled' END,
                                CASE WHEN t.handle_ms IS DISTINCT FROM i.handle_ms THEN 'handle_ms' END,
                                CASE WHEN t.held_ms IS DISTINCT FROM i.customer_hold_ms THEN 'customer_hold_ms' END,
                                CASE WHEN t.acd_ms IS DISTINCT FROM i.acd_ms THEN 'acd_ms' END)
            FROM tf t LEFT JOIN gcanalytics.interactions i USING (conversation_id)
           WHERE (t.customer_key, t.link, t.tier, t.escalated, t.bot_only, t.contained, t.flow_kind, t.handled, t.handle_ms, t.held_ms, t.acd_ms)
                 IS DISTINCT FROM (i.customer_key, i.crm_link, i.customer_tier, i.was_escalated, i.handled_by_bot_only, i.contained, i.self_service,
                                   i.handled, i.handle_ms, i.customer_hold_ms, i.acd_ms)")
[ -z "$diff" ] || { echo "$diff" >&2; fail "the load's interactions differ from the truth (above): every dashboard below would"; }
echo "ok: the interactions the dashboards read agree with the truth"

# ------------------------------------------------------------ each view against the truth
KPI_EXACT="queue_name conversations offered answered handled abandoned short_abandoned answered_in_sl sl_entries transferred fcr_eligible fcr_resolved wrapup_codes"
KPI_APPROX="service_level_pct:0.011 abandon_rate_pct:0.011 avg_wait_s:0.011 asa_s:0.011 service_level_rate:0.00011
            abandon_rate:0.00011 avg_handle_s:0.011 avg_weighted_handle_s:0.011
            transfer_rate_pct:0.011 fcr_pct:0.011 talk_ratio_pct:0.011 hold_ratio_pct:0.011 efficiency_score:0.11"
compare kpi_daily "SELECT * FROM gcanalytics.kpi_daily" "SELECT period AS day, * FROM e_kpi('day')" \
    "day queue_id media_type direction" "$KPI_EXACT" "$KPI_APPROX"
compare kpi_weekly "SELECT * FROM gcanalytics.kpi_weekly" "SELECT period AS week, * FROM e_kpi('week')" \
    "week queue_id media_type direction" "$KPI_EXACT" "$KPI_APPROX"
# kpi_daily_vs_aggregates ZONE - with reporting_time_zone ZONE, inbound
# offered and answered per queue and day are the aggregates API's nOffered
# and tAnswered count asked with timeZone ZONE (P1D, through the FDW's
# time_zone): whole days whose conversations are all loaded (04-07 ..
# 04-19 in ZONE); internal queues out
kpi_daily_vs_aggregates() {
    local from to
    from=$(q "SELECT timestamp '2026-04-07' AT TIME ZONE '$1'")
    to=$(q "SELECT timestamp '2026-04-20' AT TIME ZONE '$1'")
    compare "kpi_daily's offered and answered in $1 against the aggregates API asked with timeZone $1 (nOffered, tAnswered count, P1D)" \
        "SELECT day, queue_id, media_type, offered, answered FROM gcanalytics.kpi_daily
          WHERE direction = 'inbound' AND day BETWEEN '2026-04-07' AND '2026-04-19' AND (offered > 0 OR answered > 0)" \
        "SELECT (a.interval_start AT TIME ZONE '$1')::date AS day, a.queue_id, a.media_type,
                coalesce(sum(a.count) FILTER (WHERE a.metric = 'nOffered'), 0)::bigint AS offered,
                coalesce(sum(a.count) FILTER (WHERE a.metric = 'tAnswered'), 0)::bigint AS answered
           FROM gcanalytics_source.conversation_aggregates a
          WHERE a.interval_start >= '$from' AND a.interval_start < '$to' AND a.granularity = 'P1D' AND a.time_zone = '$1'
            AND a.metric IN ('nOffered', 'tAnswered') AND a.queue_id IS NOT NULL AND a.media_type IS NOT NULL
            AND a.queue_id NOT IN (SELECT x.queue_id FROM gcanalytics.excluded_queues x)
          GROUP BY 1, 2, 3" \
        "day queue_id media_type" "offered answered" ""
}
# queue_daily_vs_aggregates ZONE FIRST LAST - with reporting_time_zone
# ZONE, queue_daily's figures of the days FIRST .. LAST (every queue)
# equal the aggregates API's asked with timeZone ZONE and granularity P1D:
# the API's own days of that zone, 23 or 25 hours across a DST change
queue_daily_vs_aggregates() {
    local from to m c stat metric cols=""
    from=$(q "SELECT timestamp '$2' AT TIME ZONE '$1'")
    to=$(q "SELECT (date '$3' + 1)::timestamp AT TIME ZONE '$1'")
    for m in offered:count:nOffered connected:count:nConnected abandoned:count:tAbandon transferred:count:nTransferred \
             handle_ms_sum:sum:tHandle handle_count:count:tHandle talk_ms_sum:sum:tTalk acd_ms_sum:sum:tAcd acd_count:count:tAcd; do
        IFS=: read -r c stat metric <<<"$m"
        cols="$cols, coalesce(sum(a.$stat) FILTER (WHERE a.metric = '$metric'), 0)::float8 AS $c"
    done
    compare "queue_daily in $1 ($2 .. $3) against the aggregates API asked with timeZone $1 (P1D)" \
        "SELECT day, queue_id, media_type, offered, connected, abandoned, transferred, handle_ms_sum, handle_count,
                talk_ms_sum, acd_ms_sum, acd_count, interpolated
           FROM gcanalytics.queue_daily
          WHERE day BETWEEN '$2' AND '$3' AND offered + connected + abandoned + transferred + handle_count + acd_count > 0" \
        "SELECT (a.interval_start AT TIME ZONE '$1')::date AS day, a.queue_id, a.media_type $cols, false AS interpolated
           FROM gcanalytics_source.conversation_aggregates a
          WHERE a.interval_start >= '$from' AND a.interval_start < '$to' AND a.granularity = 'P1D' AND a.time_zone = '$1'
            AND a.metric IN ('nOffered', 'nConnected', 'tAbandon', 'nTransferred', 'tHandle', 'tTalk', 'tAcd')
            AND a.queue_id IS NOT NULL AND a.media_type IS NOT NULL
          GROUP BY 1, 2, 3" \
        "day queue_id media_type" "offered connected abandoned transferred handle_count acd_count interpolated" \
        "handle_ms_sum:0.001 talk_ms_sum:0.001 acd_ms_sum:0.001"
}
kpi_daily_vs_aggregates UTC
queue_daily_vs_aggregates UTC 2026-04-07 2026-04-19
# and in Asia/Kolkata (UTC+05:30: days from 18:30 UTC, inside an hour),
# after a change of the setting and a refresh, nothing loaded again
q "UPDATE gcanalytics.settings SET value = 'Asia/Kolkata' WHERE name = 'reporting_time_zone'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>"$T/refresh-kolkata.log"
grep WARNING "$T/refresh-kolkata.log" && fail "refresh_dashboards() warned under Asia/Kolkata"
kpi_daily_vs_aggregates Asia/Kolkata
queue_daily_vs_aggregates Asia/Kolkata 2026-04-07 2026-04-19
# hours an upgraded 0.2.0 loaded (PT1H, here 2026-04-09 UTC summed back
# from its quarter hours) do not divide Kolkata's days: a WARNING whose
# hint loads them again by 15 minutes, after which queue_daily is exact again
q "CREATE TABLE qd_kolkata AS SELECT * FROM gcanalytics.queue_daily;
   INSERT INTO gcanalytics.queue_metrics
   SELECT 'PT1H', date_trunc('hour', interval_start, 'UTC'), queue_id, media_type, sum(n_offered), sum(n_connected),
          sum(n_abandoned), sum(n_transferred), sum(t_handle_sum), sum(t_handle_count), sum(t_talk_sum), sum(t_talk_count),
          sum(t_held_sum), sum(t_acw_sum), sum(t_acd_sum), sum(t_acd_count), sum(t_abandon_sum), now()
     FROM gcanalytics.queue_metrics
    WHERE granularity = 'PT15M' AND interval_start >= '2026-04-09 00:00Z' AND interval_start < '2026-04-10 00:00Z'
    GROUP BY 2, 3, 4;
   DELETE FROM gcanalytics.queue_metrics
    WHERE granularity = 'PT15M' AND interval_start >= '2026-04-09 00:00Z' AND interval_start < '2026-04-10 00:00Z'"
err=$(q "SET TimeZone = 'UTC'; SELECT gcanalytics.refresh_dashboards()" 2>&1 >/dev/null)
echo "$err" | contains 'WARNING:  queue_daily: hours loaded by gcanalytics 0.2.0 do not divide the days of reporting_time_zone "Asia/Kolkata"' \
    || { echo "$err"; fail "no WARNING for hourly rows under Asia/Kolkata"; }
[ "$(q "SELECT count(*) FROM gcanalytics.queue_daily v JOIN qd_kolkata b USING (day, queue_id, media_type)
          WHERE v.offered <> b.offered OR v.handle_count <> b.handle_count")" -gt 0 ] \
    || fail "hourly rows gave Kolkata's days the same figures: the comparisons above would not see hourly sums"
hint=$(echo "$err" | sed -n "s/^HINT:  \(CALL gcanalytics.sync_queue_metrics('2026-04-09 00:00:00+00', '[^']*');\).*/\1/p")
[ -n "$hint" ] || { echo "$err"; fail "the WARNING's hint does not name the hours to load again"; }
PGDATABASE=$DB sql "$hint" >/dev/null 2>&1
assert_eq "0" "$(q "SELECT count(*) FROM gcanalytics.queue_metrics WHERE granularity = 'PT1H'")" "the hint's CALL replaced the hourly rows"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>"$T/refresh-kolkata.log"
grep WARNING "$T/refresh-kolkata.log" && fail "refresh_dashboards() still warned after the hint's CALL"
compare "queue_daily in Asia/Kolkata after the hourly rows were loaded again" "SELECT * FROM gcanalytics.queue_daily" "SELECT * FROM qd_kolkata" \
    "day queue_id media_type" "offered connected abandoned transferred handle_count acd_count interpolated" \
    "handle_ms_sum:0.001 talk_ms_sum:0.001 acd_ms_sum:0.001"
assert_eq "2026-04-06 18:30:00+00|Asia/Kolkata" \
    "$(q "SELECT min(interval_start), min(time_zone) FROM gcanalytics_source.conversation_aggregates
           WHERE interval_start >= '2026-04-06 18:30Z' AND interval_start < '2026-04-07 18:30Z' AND granularity = 'P1D'
             AND time_zone = 'Asia/Kolkata' AND metric = 'nOffered'")" \
    "the API's Kolkata days start at 18:30 UTC, and time_zone reads the zone asked for"
q "UPDATE gcanalytics.settings SET value = 'UTC' WHERE name = 'reporting_time_zone'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
queue_daily_vs_aggregates UTC 2026-04-07 2026-04-19
assert_eq "0|0" "$(q "SELECT sum(offered), sum(answered) FROM gcanalytics.kpi_daily WHERE direction = 'outbound'")" \
    "outbound calls (which carry the agent's queue) are never offered nor answered"
[ "$(q "SELECT count(*) FROM gcanalytics.kpi_daily WHERE direction = 'outbound' AND conversations > 0 AND handled > 0")" -gt 0 ] \
    || fail "outbound calls have no line of their own (attempts, connects)"
QI_EXACT="offered answered abandoned short_abandoned answered_in_sl sl_entries"
compare "queue_interval (15 minutes)" "SELECT * FROM gcanalytics.queue_interval" "SELECT * FROM e_queue_interval(15)" \
    "interval_start queue_id media_type" "$QI_EXACT" "asa_s:0.011 avg_wait_s:0.011 service_level_rate:0.00011"
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('interval_minutes', '30') ON CONFLICT (name) DO UPDATE SET value = excluded.value"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
compare "queue_interval (30 minutes)" "SELECT * FROM gcanalytics.queue_interval" "SELECT * FROM e_queue_interval(30)" \
    "interval_start queue_id media_type" "$QI_EXACT" "asa_s:0.011 avg_wait_s:0.011 service_level_rate:0.00011"
# a bad value written around the check that refuses it (as a restore
# would): refresh_dashboards() still names it
q "ALTER TABLE gcanalytics.settings DISABLE TRIGGER settings_check;
   UPDATE gcanalytics.settings SET value = '20' WHERE name = 'interval_minutes';
   ALTER TABLE gcanalytics.settings ENABLE TRIGGER settings_check"
err=$(q "SELECT gcanalytics.refresh_dashboards()" 2>&1 || true)
echo "$err" | contains 'interval_minutes is "20", not 15 or 30' || { echo "$err"; fail "interval_minutes 20"; }
q "UPDATE gcanalytics.settings SET value = '15' WHERE name = 'interval_minutes'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
# the service level targets configure() adds per medium (README), which
# the truth above holds each medium to
assert_eq "callback|00:00:20
chat|00:01:00
email|24:00:00
message|00:01:00
voice|00:00:20" "$(q "SELECT media_type, answer_within FROM gcanalytics.service_levels WHERE queue_id = '*' ORDER BY 1")" \
    "configure() adds a service level target per medium"
[ "$(q "SELECT count(*) FROM t_acd WHERE media_type IN ('chat', 'message') AND wait_ms > 20000 AND wait_ms <= 60000 AND NOT conv_abandoned")" -gt 0 ] \
    || fail "no chat or message waited between 20 and 60 s: the per-medium targets are not tested"
# the short-abandon threshold: abandons that waited at most 10 s leave
# abandoned and the service level for short_abandoned
q "UPDATE gcanalytics.settings SET value = '10 seconds' WHERE name = 'short_abandon_threshold'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
truth_sql UTC 10000
[ "$(q "SELECT sum(short_abandoned) FROM e_kpi('day')")" -gt 0 ] || fail "no abandon within 10 s: short_abandon_threshold is not tested"
compare "kpi_daily (short_abandon_threshold 10 seconds)" "SELECT * FROM gcanalytics.kpi_daily" "SELECT period AS day, * FROM e_kpi('day')" \
    "day queue_id media_type direction" "$KPI_EXACT" "$KPI_APPROX"
compare "kpi_weekly (short_abandon_threshold 10 seconds)" "SELECT * FROM gcanalytics.kpi_weekly" "SELECT period AS week, * FROM e_kpi('week')" \
    "week queue_id media_type direction" "$KPI_EXACT" "$KPI_APPROX"
compare "queue_interval (short_abandon_threshold 10 seconds)" "SELECT * FROM gcanalytics.queue_interval" "SELECT * FROM e_queue_interval(15)" \
    "interval_start queue_id media_type" "$QI_EXACT" "asa_s:0.011 avg_wait_s:0.011 service_level_rate:0.00011"
q "UPDATE gcanalytics.settings SET value = '' WHERE name = 'short_abandon_threshold'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
truth_sql UTC -1
compare escalation_weekly "SELECT * FROM gcanalytics.escalation_weekly" "SELECT * FROM e_escalation_weekly" \
    "week tier" "conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv" ""
compare escalation_by_tier "SELECT * FROM gcanalytics.escalation_by_tier" "SELECT * FROM e_escalation_by_tier" \
    "tier" "conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv first_day last_day" ""
compare bot_containment_by_industry "SELECT * FROM gcanalytics.bot_containment_by_industry" "SELECT * FROM e_containment" \
    "week industry media_type" "conversations contained containment_pct contained_known contained_held held_pct contained_ltv" ""
compare agent_quality "SELECT * FROM gcanalytics.agent_quality" "SELECT * FROM e_agent_quality" \
    "agent_id form_id" "evaluations unfinished" "avg_score:0.006 min_score:0.006 max_score:0.006"
compare agent_quality_weekly "SELECT * FROM gcanalytics.agent_quality_weekly" "SELECT * FROM e_agent_quality_weekly" \
    "week agent_id form_id" "evaluations unfinished" "avg_score:0.006 min_score:0.006 max_score:0.006"
compare join_quality "SELECT * FROM gcanalytics.join_quality" "SELECT * FROM e_join_quality" \
    "week link_method" "conversations share_pct" ""
# queue_daily: the aggregates of every queue (the API's figures, internal
# queues too), zero where the truth has no row on a loaded day
QD_TRUTH="SELECT d.day, k.queue_id, k.media_type, coalesce(t.n_offered::float8, 0) AS offered,
                 coalesce(t.n_abandoned::float8, 0) AS abandoned, coalesce(t.t_handle_sum::float8, 0) AS handle_ms_sum,
                 coalesce(t.t_handle_count::float8, 0) AS handle_count, coalesce(t.t_talk_sum::float8, 0) AS talk_ms_sum,
                 coalesce(t.t_acd_sum::float8, 0) AS acd_ms_sum,
                 round(t.t_handle_sum::numeric / nullif(t.t_handle_count::numeric, 0) / 1000, 2) AS avg_handle_s,
                 false AS interpolated
            FROM (SELECT DISTINCT date::date AS day FROM t_qd WHERE date < '${UNTIL%%T*}') d
           CROSS JOIN (SELECT DISTINCT queue_id, media_type FROM t_qd) k
            LEFT JOIN t_qd t ON t.date::date = d.day AND t.queue_id = k.queue_id AND t.media_type = k.media_type"
compare queue_daily "SELECT * FROM gcanalytics.queue_daily WHERE day < '${UNTIL%%T*}'" "$QD_TRUTH" \
    "day queue_id media_type" "offered abandoned handle_ms_sum handle_count talk_ms_sum acd_ms_sum interpolated" "avg_handle_s:0.011"

# ------------------------------------------------------------ the insight
# the sentence: the tier's rate and the overall rate each with its own
# figures (from the truth), "concentrated in" with the test that says so,
# the release between the two weeks
overall=$(q "SELECT round(100.0 * count(*) FILTER (WHERE escalated AND week = '2026-04-06') / count(*) FILTER (WHERE week = '2026-04-06'), 1) || ' % to ' ||
                    round(100.0 * count(*) FILTER (WHERE escalated AND week = '2026-04-13') / count(*) FILTER (WHERE week = '2026-04-13'), 1) || ' %'
               FROM e_tiered")
SENTENCE="2026-04-13|Enterprise|Enterprise escalation rose 14.1 points (9.2 % to 23.3 %); overall $overall, concentrated in Enterprise (difference-in-differences z-test against the other tiers, p < 0.001), starting after release 5.0 on 2026-04-13"
assert_eq "$SENTENCE" "$(q "SELECT week, tier, sentence FROM gcanalytics.escalation_insights WHERE sentence IS NOT NULL")" \
    "the one insight: Enterprise's own rate, the overall rate, concentrated (tested), after release 5.0"
assert_eq "9.2 23.3 14.1" \
    "$(q "SELECT round(100.0 * sum(escalated::int) FILTER (WHERE week = '2026-04-06') / count(*) FILTER (WHERE week = '2026-04-06'), 1) || ' ' ||
                 round(100.0 * sum(escalated::int) FILTER (WHERE week = '2026-04-13') / count(*) FILTER (WHERE week = '2026-04-13'), 1) || ' ' ||
                 round(100.0 * sum(escalated::int) FILTER (WHERE week = '2026-04-13') / count(*) FILTER (WHERE week = '2026-04-13')
                       - 100.0 * sum(escalated::int) FILTER (WHERE week = '2026-04-06') / count(*) FILTER (WHERE week = '2026-04-06'), 1)
            FROM e_tiered WHERE tier_label = 'Enterprise'")" \
    "the sentence's figures are the truth's"
assert_eq "t|f|0" "$(q "SELECT bool_and(provisional) FILTER (WHERE week = '2026-04-20'), bool_or(provisional) FILTER (WHERE week < '2026-04-20'),
                            count(*) FILTER (WHERE provisional AND (significant OR sentence IS NOT NULL))
                       FROM gcanalytics.escalation_insights")" \
    "the partial week 2026-04-20 is provisional and never compared; the closed weeks are final"
# cx_insights: the escalation rows are escalation_insights'; CSAT and case
# resolution say only what their tests say (vp_data checks their figures
# against the truth): one CSAT sentence, Enterprise's after release 5.0,
# none for case resolution (too few cases of 2026-04-13 have had their 7
# days by now), nothing about the week of 2026-04-20, whose surveys are not
# final yet
CX_SENTENCES=$(q "SELECT metric, week, tier, sentence FROM gcanalytics.cx_insights WHERE sentence IS NOT NULL ORDER BY 1, 2, 3")
assert_eq "csat|2026-04-13|Enterprise
$(q "SELECT 'escalation', week, tier, sentence FROM gcanalytics.escalation_insights WHERE sentence IS NOT NULL ORDER BY 2, 3")" "$(echo "$CX_SENTENCES" | sed 's/^\(csat|[^|]*|[^|]*\)|.*/\1/')" \
    "cx_insights: the escalation insight, and one CSAT insight: Enterprise, the week of release 5.0"
echo "$CX_SENTENCES" | grep '^csat' | contains "Enterprise CSAT fell" || fail "the CSAT insight: $CX_SENTENCES"
assert_eq "0|0" "$(q "SELECT count(*) FILTER (WHERE metric <> 'escalation' AND week >= '2026-04-20'),
                            count(*) FILTER (WHERE sentence IS NOT NULL AND NOT significant)
                       FROM gcanalytics.cx_insights")" \
    "cx_insights: no CSAT or case row for the week whose data is not final; sentences only when significant"
# every p-value against Python's math.erfc, computed from the truth's counts
q "SELECT i.week, i.tier, p.escalated, p.conversations, c.escalated, c.conversations, i.p_value,
            po.escalated - p.escalated, po.conversations - p.conversations,
            co.escalated - c.escalated, co.conversations - c.conversations, coalesce(i.concentration_p, -1)
     FROM gcanalytics.escalation_insights i
     JOIN e_escalation_weekly c ON c.week = i.week AND c.tier = i.tier
     JOIN e_escalation_weekly p ON p.week = i.week - 7 AND p.tier = i.tier
     JOIN (SELECT week, sum(escalated) AS escalated, sum(conversations) AS conversations FROM e_escalation_weekly GROUP BY week) co
       ON co.week = i.week
     JOIN (SELECT week, sum(escalated) AS escalated, sum(conversations) AS conversations FROM e_escalation_weekly GROUP BY week) po
       ON po.week = i.week - 7" >"$T/pvalues"
python3 - "$T/pvalues" <<'PY'
import math, sys
rows = [l.rstrip('\n').split('|') for l in open(sys.argv[1]) if l.strip()]
assert len(rows) >= 8, rows
for week, tier, x1, n1, x2, n2, got, y1, m1, y2, m2, got_c in rows:
    x1, n1, x2, n2, got = int(x1), int(n1), int(x2), int(n2), float(got)
    p = (x1 + x2) / (n1 + n2)
    z = (x2 / n2 - x1 / n1) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    want = math.erfc(abs(z) / math.sqrt(2))
    if abs(got - want) > 1e-7 * max(want, 1e-300) + 1e-15:
        sys.exit('FAIL: p-value of %s %s: %r, expected %r' % (week, tier, got, want))
    # difference in differences: the tier's change against the other tiers'
    y1, m1, y2, m2, got_c = int(y1), int(m1), int(y2), int(m2), float(got_c)
    a1, a2, b1, b2 = x1 / n1, x2 / n2, y1 / m1, y2 / m2
    v = a1 * (1 - a1) / n1 + a2 * (1 - a2) / n2 + b1 * (1 - b1) / m1 + b2 * (1 - b2) / m2
    want_c = math.erfc(abs((a2 - a1) - (b2 - b1)) / math.sqrt(v) / math.sqrt(2))
    if abs(got_c - want_c) > 1e-7 * max(want_c, 1e-300) + 1e-15:
        sys.exit('FAIL: concentration p of %s %s: %r, expected %r' % (week, tier, got_c, want_c))
print('ok: %d p-values and concentration p-values equal the z-tests computed from the truth (relative 1e-7)' % len(rows))
PY
# erfc over its whole range against Python's, and p-values of weeks far
# larger than gcsim's (10 million interactions: |z| beyond 26, where exp()
# underflows) are 0, not an error
q "SELECT x, gcanalytics.erfc(x) FROM generate_series(-30, 40, 0.25) x" >"$T/erfc"
q "SELECT z, p_value FROM gcanalytics.two_proportion_test(90000, 1000000, 240000, 1000000)" >>"$T/erfc" \
    || fail "two_proportion_test() fails on large weeks"
python3 - "$T/erfc" <<'PY'
import math, sys
lines = [l.rstrip('\n').split('|') for l in open(sys.argv[1]) if l.strip()]
for x, got in lines[:-1]:
    x, got = float(x), float(got)
    want = math.erfc(x)
    if abs(got - want) > 1.2e-7 * want + 1e-300:
        sys.exit('FAIL: erfc(%r) = %r, expected %r' % (x, got, want))
z, p = map(float, lines[-1])
if not (z > 200 and p == 0.0):
    sys.exit('FAIL: two_proportion_test of 1,000,000-conversation weeks: z %r, p %r' % (z, p))
print('ok: erfc equals math.erfc on [-30, 40] (relative 1.2e-7) and a z of %.0f gives p = 0' % z)
PY
assert_eq "0|1" "$(q "SELECT count(*) FILTER (WHERE conversations < 30 AND significant), count(*) FILTER (WHERE significant) FROM gcanalytics.escalation_insights")" \
    "significance needs 30 conversations a side"

# ------------------------------------------------------------ a tier change
# gcsim's Salesforce moves an SMB account to Enterprise, its SystemModstamp
# --now (after every conversation): after sync_crm() and a refresh the
# escalation views are unchanged and still equal the truth over the tier
# at the time of each call (conversations.csv's tier); with tier_reporting
# current they equal the truth over each account's tier today (accounts.csv
# of the changed world), and back at the default they are unchanged again.
tacct=$(q "SELECT crm_account_id FROM gcanalytics.interactions WHERE customer_tier = 'SMB' AND conversation_start < '2026-04-13'
            GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 OFFSET 1")
[ -n "$tacct" ] || fail "no SMB account to move"
q "DROP TABLE IF EXISTS ew_before, et_before;
   CREATE TABLE ew_before AS SELECT * FROM gcanalytics.escalation_weekly;
   CREATE TABLE et_before AS SELECT * FROM gcanalytics.escalation_by_tier"
# shellcheck disable=SC2086
start_gcsim $WORLD --sf-tier-change "$tacct=Enterprise"
q "ALTER SERVER genesys OPTIONS (SET api_url '$GCSIM_URL', SET login_url '$GCSIM_URL');
   ALTER SERVER salesforce OPTIONS (SET instance_url '$GCSIM_URL')"
q "CALL gcanalytics.sync_crm()" 2>/dev/null
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
assert_eq "Enterprise" "$(q "SELECT tier FROM gcanalytics.crm_accounts WHERE account_id = '$tacct'")" "sync_crm() read the tier change"
EW_COLS="conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv provisional"
ET_COLS="conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv first_day last_day provisional"
compare "escalation_weekly after a tier change, against before it" "SELECT * FROM gcanalytics.escalation_weekly" "SELECT * FROM ew_before" "week tier" "$EW_COLS" ""
compare "escalation_by_tier after a tier change, against before it" "SELECT * FROM gcanalytics.escalation_by_tier" "SELECT * FROM et_before" "tier" "$ET_COLS" ""
compare "escalation_weekly after a tier change (the tier at the time of each call)" "SELECT * FROM gcanalytics.escalation_weekly" "SELECT * FROM e_escalation_weekly" \
    "week tier" "conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv" ""
mkdir -p "$T/tier"
# shellcheck disable=SC2086
"$GCSIM" truth $WORLD --sf-tier-change "$tacct=Enterprise" --from 2026-04-19 --to 2026-04-20 --out "$T/tier" >/dev/null
chmod -R a+r "$T/tier"
PGDATABASE=$DB load_csv t_acc_now "$T/tier/accounts.csv" 2>/dev/null
assert_eq "Enterprise" "$(q "SELECT tier FROM t_acc_now WHERE account_id = '$tacct'")" "the changed world's accounts.csv has the new tier"
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('tier_reporting', 'current') ON CONFLICT (name) DO UPDATE SET value = excluded.value"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
q "UPDATE tf SET tier = a.tier FROM t_acc_now a WHERE a.account_id = tf.account_id" >/dev/null
compare "escalation_weekly with tier_reporting current (each account's tier today)" "SELECT * FROM gcanalytics.escalation_weekly" "SELECT * FROM e_escalation_weekly" \
    "week tier" "conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv" ""
compare "escalation_by_tier with tier_reporting current" "SELECT * FROM gcanalytics.escalation_by_tier" "SELECT * FROM e_escalation_by_tier" \
    "tier" "conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv first_day last_day" ""
[ "$(q "SELECT count(*) FROM gcanalytics.escalation_weekly v JOIN ew_before b USING (week, tier) WHERE v.conversations <> b.conversations")" -gt 0 ] \
    || fail "tier_reporting current moved no conversation: the comparison proves nothing"
q "UPDATE tf SET tier = x.tier FROM tx x WHERE x.conversation_id = tf.conversation_id" >/dev/null
err=$(q "UPDATE gcanalytics.settings SET value = 'today' WHERE name = 'tier_reporting'" 2>&1 || true)
echo "$err" | contains 'invalid value for setting "tier_reporting": "today"' || { echo "$err"; fail "tier_reporting today"; }
q "UPDATE gcanalytics.settings SET value = 'at_call_time' WHERE name = 'tier_reporting'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
compare "escalation_weekly back at tier_reporting at_call_time" "SELECT * FROM gcanalytics.escalation_weekly" "SELECT * FROM ew_before" "week tier" "$EW_COLS" ""
q "DROP TABLE ew_before, et_before, t_acc_now"

# ------------------------------------------------------------ no planted change, no insight
# gcsim's story starts with release 5.0 (2026-04-13): a world whose "now" is
# 2026-04-06 12:00 has two weeks without it (and release 4.9 in the second)
# shellcheck disable=SC2086
start_gcsim --seed 42 --conversations-per-day 2000 --now 2026-04-06T12:00:00Z
sync_world $DB2 "$GCSIM_URL" 2026-03-23T00:00:00Z 2026-04-06T11:00:00Z
assert_eq "8|1" "$(PGDATABASE=$DB2 sql "SELECT count(*), count(*) FILTER (WHERE tier = 'Enterprise' AND week = '2026-03-30' AND releases = '4.9 on 2026-03-30')
                                            FROM gcanalytics.escalation_insights")" \
    "the world without the story is compared week over week (4 tiers x 2 weeks)"
assert_eq "0" "$(PGDATABASE=$DB2 sql "SELECT count(*) FROM gcanalytics.escalation_insights WHERE significant OR sentence IS NOT NULL")" \
    "no planted change: no insight, not even in the week of release 4.9"
assert_eq "0" "$(PGDATABASE=$DB2 sql "SELECT count(*) FROM gcanalytics.cx_insights WHERE significant OR sentence IS NOT NULL")" \
    "no planted change: no escalation, CSAT or case resolution insight"
PGDATABASE=postgres sql "DROP DATABASE $DB2"

# ------------------------------------------------------------ reporting_time_zone across DST
# America/New_York over 2026-03-02 .. 2026-03-11: every view's days and
# weeks are New York's (the Sunday of 2026-03-08 has 23 hours), equal to the
# truth computed in that zone; the setting changed after a refresh in UTC
# re-buckets everything at the next refresh; a name that is not a zone is
# an error before any view is refreshed.
DB_MAIN=$DB
DB=gca_dash_ny
NY_NOW=2026-03-11T12:00:00Z
NY_UNTIL=2026-03-11T11:00:00Z
mkdir -p "$T/ny"
"$GCSIM" truth --seed 42 --conversations-per-day 1000 --now $NY_NOW --from 2026-03-02 --to 2026-03-12 --out "$T/ny" >/dev/null
chmod -R a+r "$T/ny"
start_gcsim --seed 42 --conversations-per-day 1000 --now $NY_NOW
sync_world $DB "$GCSIM_URL" 2026-03-02T00:00:00Z $NY_UNTIL
assert_eq "0" "$(q "SELECT count(*) FROM gcanalytics.kpi_daily WHERE day = '2026-03-01'")" "in UTC no conversation is on 2026-03-01"
for bad in +05:30 America/Gotham; do
    q "ALTER TABLE gcanalytics.settings DISABLE TRIGGER settings_check;
       INSERT INTO gcanalytics.settings (name, value) VALUES ('reporting_time_zone', '$bad')
           ON CONFLICT (name) DO UPDATE SET value = excluded.value;
       ALTER TABLE gcanalytics.settings ENABLE TRIGGER settings_check"
    err=$(q "SELECT gcanalytics.refresh_dashboards()" 2>&1 || true)
    echo "$err" | contains "invalid value for setting \"reporting_time_zone\": \"$bad\"" || { echo "$err"; fail "reporting_time_zone $bad"; }
done
q "UPDATE gcanalytics.settings SET value = 'America/New_York' WHERE name = 'reporting_time_zone'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
truth_tables "$T/ny" $NY_UNTIL America/New_York
assert_eq "$(q "SELECT count(*) FROM tx WHERE started >= '2026-03-08 05:00Z' AND started < '2026-03-09 04:00Z'")" \
    "$(q "SELECT sum(conversations) FROM gcanalytics.kpi_daily WHERE day = '2026-03-08'")" \
    "kpi_daily's 2026-03-08 in New York is the 23 hours from 05:00 to 04:00 UTC"
compare "kpi_daily (America/New_York)" "SELECT * FROM gcanalytics.kpi_daily" "SELECT period AS day, * FROM e_kpi('day')" \
    "day queue_id media_type direction" "$KPI_EXACT" "$KPI_APPROX"
compare "kpi_weekly (America/New_York)" "SELECT * FROM gcanalytics.kpi_weekly" "SELECT period AS week, * FROM e_kpi('week')" \
    "week queue_id media_type direction" "$KPI_EXACT" "$KPI_APPROX"
compare "escalation_weekly (America/New_York)" "SELECT * FROM gcanalytics.escalation_weekly" "SELECT * FROM e_escalation_weekly" \
    "week tier" "conversations escalated escalation_rate_pct accounts escalated_accounts escalated_ltv" ""
compare "escalation_by_tier (America/New_York)" "SELECT * FROM gcanalytics.escalation_by_tier" "SELECT * FROM e_escalation_by_tier" \
    "tier" "conversations escalated first_day last_day" ""
compare "bot_containment_by_industry (America/New_York)" "SELECT * FROM gcanalytics.bot_containment_by_industry" "SELECT * FROM e_containment" \
    "week industry media_type" "conversations contained contained_known contained_held" ""
compare "join_quality (America/New_York)" "SELECT * FROM gcanalytics.join_quality" "SELECT * FROM e_join_quality" \
    "week link_method" "conversations share_pct" ""
compare "queue_interval (America/New_York)" "SELECT * FROM gcanalytics.queue_interval" "SELECT * FROM e_queue_interval(15)" \
    "interval_start queue_id media_type" "offered answered abandoned answered_in_sl sl_entries day" ""
compare "queue_daily offered (America/New_York, 2026-03-02 .. 2026-03-10)" \
    "SELECT day, queue_id, media_type, offered FROM gcanalytics.queue_daily WHERE day BETWEEN '2026-03-02' AND '2026-03-10' AND offered > 0" \
    "SELECT day, queue_id, media_type, count(*)::float8 AS offered FROM e_queue_offered WHERE day BETWEEN '2026-03-02' AND '2026-03-10' GROUP BY 1, 2, 3" \
    "day queue_id media_type" "offered" ""
queue_daily_vs_aggregates America/New_York 2026-03-02 2026-03-10
# kpi_daily's offered and answered per New York day equal gcsim's aggregates
# requested with timeZone America/New_York (P1D), NY days 03-03 .. 03-10
TOK=$(curl -s -u gca:gca -d grant_type=client_credentials "$GCSIM_URL/oauth/token" | jq -r .access_token)
curl -s -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    -d '{"interval":"2026-03-03T05:00:00Z/2026-03-11T04:00:00Z","granularity":"P1D","timeZone":"America/New_York",
         "groupBy":["queueId","mediaType"],"metrics":["nOffered","tAnswered"]}' \
    "$GCSIM_URL/api/v2/analytics/conversations/aggregates/query" \
    | jq -r '.results[] | .group as $g | .data[] | .interval as $i | .metrics[]
             | [$i, $g.queueId, $g.mediaType, .metric, .stats.count] | @csv' >"$T/ny_aggr.csv"
q "DROP TABLE IF EXISTS t_ny_aggr; CREATE TABLE t_ny_aggr (bucket text, queue_id text, media_type text, metric text, n bigint)"
q "\\copy t_ny_aggr FROM '$T/ny_aggr.csv' WITH (FORMAT csv)"
compare "kpi_daily's offered and answered against the aggregates API in America/New_York (nOffered, tAnswered count, P1D)" \
    "SELECT day, queue_id, media_type, offered, answered FROM gcanalytics.kpi_daily
      WHERE direction = 'inbound' AND day BETWEEN '2026-03-03' AND '2026-03-10' AND (offered > 0 OR answered > 0)" \
    "SELECT (split_part(bucket, '/', 1)::timestamptz AT TIME ZONE 'America/New_York')::date AS day, queue_id, media_type,
            coalesce(sum(n) FILTER (WHERE metric = 'nOffered'), 0)::bigint AS offered,
            coalesce(sum(n) FILTER (WHERE metric = 'tAnswered'), 0)::bigint AS answered
       FROM t_ny_aggr WHERE queue_id NOT IN (SELECT x.queue_id FROM gcanalytics.excluded_queues x)
      GROUP BY 1, 2, 3" \
    "day queue_id media_type" "offered answered" ""

# the escalation rule kind handoff: an IVR followed by an agent, on a day
# loaded again (escalation is decided at load)
q "INSERT INTO gcanalytics.escalation_rules (kind, value) VALUES ('handoff', 'ivr')"
PGDATABASE=$DB sql "CALL gcanalytics.sync_conversations('2026-03-05 00:00Z', '2026-03-06 00:00Z')" 2>/dev/null
assert_eq "0" "$(q "SELECT count(*) FROM tf t JOIN gcanalytics.interactions i USING (conversation_id)
                    WHERE t.started >= '2026-03-05 00:00Z' AND t.started < '2026-03-06 00:00Z'
                      AND i.was_escalated IS DISTINCT FROM (t.escalated OR (t.handed_off AND t.flow_kind = 'ivr'))")" \
    "with a handoff rule (ivr) a conversation is escalated when its IVR handed it to an agent (or its attribute says so)"
[ "$(q "SELECT count(*) FROM tf WHERE started >= '2026-03-05 00:00Z' AND started < '2026-03-06 00:00Z'
          AND handed_off AND flow_kind = 'ivr' AND NOT escalated")" -gt 10 ] || fail "few IVR handoffs: the rule is not tested"
PGDATABASE=postgres sql "DROP DATABASE $DB"
DB=$DB_MAIN

# ------------------------------------------------------------ a 4-hour availability lag
# The API's data availability 4 hours behind "now" (08:00): the
# conversations of 08:00-11:00 come without participant attributes (no
# sfAccountId, no escalated), so the week of 2026-04-20 is provisional,
# shown and never compared, and the insight is the one without the lag.
DB=gca_dash_lag
# shellcheck disable=SC2086
start_gcsim $WORLD --job-availability-lag-s 14400
sync_world $DB "$GCSIM_URL" 2026-04-06T00:00:00Z $UNTIL
assert_eq "2026-04-20 08:00:00+00" "$(q "SELECT high_water_mark FROM gcanalytics.sync_state WHERE resource = 'conversations'")" \
    "under the lag the conversations are final up to the availability date"
assert_eq "$SENTENCE" "$(q "SELECT week, tier, sentence FROM gcanalytics.escalation_insights WHERE sentence IS NOT NULL")" \
    "under a 4-hour lag: the same one insight, no sentence about the incomplete week"
assert_eq "$CX_SENTENCES" "$(q "SELECT metric, week, tier, sentence FROM gcanalytics.cx_insights WHERE sentence IS NOT NULL ORDER BY 1, 2, 3")" \
    "under a 4-hour lag: cx_insights says what it says without the lag (escalation, CSAT), nothing more"
assert_eq "t|t|f|f" "$(q "SELECT (SELECT bool_and(provisional) FROM gcanalytics.escalation_weekly WHERE week = '2026-04-20'),
                                  (SELECT bool_and(provisional) FROM gcanalytics.kpi_daily WHERE day = '2026-04-20'),
                                  (SELECT bool_or(provisional) FROM gcanalytics.kpi_daily WHERE day < '2026-04-13'),
                                  (SELECT bool_or(provisional) FROM gcanalytics.escalation_weekly WHERE week < '2026-04-20')")" \
    "the week (and day) past the availability date is provisional, the closed weeks are not"
PGDATABASE=postgres sql "DROP DATABASE $DB"
DB=$DB_MAIN

# ------------------------------------------------------------ queue_daily gaps
# (queue_daily sums the 15-minute rows: a day without any was not loaded)
q "CREATE TABLE qd_before AS SELECT * FROM gcanalytics.queue_daily;
   DELETE FROM gcanalytics.queue_metrics WHERE interval_start >= '2026-04-10 00:00Z' AND interval_start < '2026-04-11 00:00Z'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
compare "queue_daily with 2026-04-10 not loaded" \
    "SELECT * FROM gcanalytics.queue_daily" \
    "SELECT b.day, b.queue_id, b.media_type, b.day = '2026-04-10' AS interpolated,
            CASE WHEN b.day = '2026-04-10'
                 THEN (SELECT (p.offered + n.offered) / 2 FROM qd_before p, qd_before n
                        WHERE p.queue_id = b.queue_id AND p.media_type = b.media_type AND p.day = '2026-04-09'
                          AND n.queue_id = b.queue_id AND n.media_type = b.media_type AND n.day = '2026-04-11')
                 ELSE b.offered END AS offered,
            CASE WHEN b.day = '2026-04-10'
                 THEN (SELECT (p.handle_ms_sum + n.handle_ms_sum) / 2 FROM qd_before p, qd_before n
                        WHERE p.queue_id = b.queue_id AND p.media_type = b.media_type AND p.day = '2026-04-09'
                          AND n.queue_id = b.queue_id AND n.media_type = b.media_type AND n.day = '2026-04-11')
                 ELSE b.handle_ms_sum END AS handle_ms_sum
       FROM qd_before b" \
    "day queue_id media_type" "interpolated" "offered:1e-6 handle_ms_sum:1e-3"

# ------------------------------------------------------------ join_quality warnings
assert_eq "0|0|f" "$(q "SELECT count(warning), sum(stale_enrichments), bool_or(crm_snapshot_stale) FROM gcanalytics.join_quality")" \
    "after a sync: unlinked below 30 %, enrichment current, CRM snapshot fresh"
acct=$(q "SELECT crm_account_id FROM gcanalytics.interactions WHERE customer_tier = 'SMB' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
n_acct=$(q "SELECT count(*) FROM gcanalytics.interactions WHERE crm_account_id = '$acct'")
q "UPDATE gcanalytics.settings SET value = '10' WHERE name = 'join_quality_warn_pct';
   INSERT INTO gcanalytics.settings (name, value) VALUES ('crm_stale_after', '0 seconds')
       ON CONFLICT (name) DO UPDATE SET value = excluded.value;
   UPDATE gcanalytics.crm_account_history SET tier = 'Gold' WHERE account_id = '$acct'"
# a change by hand, which no load recorded: a full rebuild (README "Incremental refresh")
q "SELECT gcanalytics.refresh_dashboards(full => true)" >/dev/null 2>&1
assert_eq "$(q "SELECT count(DISTINCT week) FROM e_join_quality WHERE link_method = 'unlinked' AND share_pct > 10")|$n_acct|t" \
    "$(q "SELECT count(DISTINCT week) FILTER (WHERE warning IS NOT NULL), sum(stale_enrichments), bool_and(crm_snapshot_stale) FROM gcanalytics.join_quality")" \
    "join_quality warns for the weeks above the threshold, counts the account's interactions whose tier differs from its history, flags the old snapshot"
# a CRM sync that finds nothing new still renews the snapshot time
read_before=$(q "SELECT updated_at FROM gcanalytics.sync_state WHERE resource = 'crm'")
q "CALL gcanalytics.sync_crm()" 2>/dev/null
q "UPDATE gcanalytics.settings SET value = '1 hour' WHERE name = 'crm_stale_after'"
q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
assert_eq "Gold|t|f" \
    "$(q "SELECT (SELECT string_agg(DISTINCT tier, ',') FROM gcanalytics.crm_account_history WHERE account_id = '$acct'),
                 bool_and(crm_snapshot_at > '$read_before'), bool_or(crm_snapshot_stale) FROM gcanalytics.join_quality")" \
    "sync_crm() with nothing changed at the CRM rewrites no account and renews crm_snapshot_at"

# ------------------------------------------------------------ refresh
assert_eq "12|12" "$(q "SELECT count(*), count(*) FILTER (WHERE concurrent) FROM gcanalytics.refresh_dashboards()" 2>/dev/null)" \
    "refresh_dashboards() refreshes the 12 dashboards without blocking readers once populated (CONCURRENTLY, or per key)"
assert_eq "kpi_daily kpi_weekly queue_interval escalation_weekly escalation_by_tier bot_containment_by_industry agent_quality agent_quality_weekly queue_daily join_quality cx_overview cx_insights" \
    "$(q "SELECT string_agg(view_name, ' ' ORDER BY ord) FROM gcanalytics.refresh_dashboards() WITH ORDINALITY r(view_name, c, s, n, refresh, reason, ord)" 2>/dev/null)" \
    "in dependency order (kpi_weekly after kpi_daily)"
assert_eq "0" "$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'gcanalytics' AND c.relkind = 'm'
                       AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL)")" \
    "every materialized view has a unique index without WHERE (CONCURRENTLY needs it)"
assert_eq "0" "$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                    WHERE n.nspname = 'gcanalytics' AND c.relname = ANY (gcanalytics.dashboard_views() || 'escalation_insights'::text)
                      AND (col_description(c.oid, a.attnum) IS NULL OR obj_description(c.oid, 'pg_class') IS NULL)")" \
    "every dashboard and every column has a comment"

# ------------------------------------------------------------ roles, per column
# supervisor: no revenue (the *_ltv columns, cx_overview's amounts); finance: no agent-level rows
# (agent_quality); reader: everything
REVENUE="escalation_weekly.escalated_ltv escalation_by_tier.escalated_ltv escalation_insights.escalated_ltv bot_containment_by_industry.contained_ltv cx_overview.open_pipeline_amount cx_overview.closed_won_amount"
q "CREATE TEMP TABLE t_revenue (col text); " >/dev/null
q "DO \$\$
DECLARE
    c record; r text; ok boolean; want boolean; bad text := ''; n int := 0;
BEGIN
    FOR c IN SELECT cl.relname AS v, a.attname AS col FROM pg_class cl JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0
              WHERE cl.relnamespace = 'gcanalytics'::regnamespace
                AND cl.relname = ANY (gcanalytics.dashboard_views() || 'escalation_insights'::text) LOOP
        FOREACH r IN ARRAY ARRAY['gcanalytics_reader', 'gcanalytics_supervisor', 'gcanalytics_finance'] LOOP
            want := CASE r WHEN 'gcanalytics_reader' THEN true
                           WHEN 'gcanalytics_supervisor' THEN NOT (c.v || '.' || c.col = ANY (string_to_array('$REVENUE', ' ')))
                           ELSE c.v NOT IN ('agent_quality', 'agent_quality_weekly') END;
            EXECUTE format('SET LOCAL ROLE %I', r);
            BEGIN
                EXECUTE format('SELECT %I FROM gcanalytics.%I LIMIT 1', c.col, c.v);
                ok := true;
            EXCEPTION WHEN insufficient_privilege THEN
                ok := false;
            END;
            RESET ROLE;
            n := n + 1;
            IF ok <> want THEN bad := bad || format(' %s:%s.%s(%s)', r, c.v, c.col, ok); END IF;
        END LOOP;
    END LOOP;
    IF bad <> '' OR n < 400 THEN RAISE EXCEPTION 'column privileges differ (% tried):%', n, bad; END IF;
    RAISE NOTICE 'tried % role x column reads', n;
END
\$\$" 2>&1 | sed 's/^NOTICE:  /ok: /'
for r in gcanalytics_reader gcanalytics_supervisor gcanalytics_finance; do
    assert_eq "2|0" "$(q "SET ROLE $r; SELECT count(*), count(umoptions) FROM pg_user_mappings WHERE srvname IN ('genesys', 'salesforce')")" \
        "$r sees the user mappings but none of their options"
done
PGDATABASE=postgres sql "DROP DATABASE IF EXISTS gca_dash_second" 2>/dev/null
PGDATABASE=postgres sql "CREATE DATABASE gca_dash_second"
PGDATABASE=gca_dash_second sql "CREATE EXTENSION gcanalytics"
assert_eq "t" "$(PGDATABASE=gca_dash_second sql "SELECT has_column_privilege('gcanalytics_supervisor', 'gcanalytics.kpi_daily', 'fcr_pct', 'SELECT')")" \
    "a second database creates the extension beside the existing roles and grants them"

# ------------------------------------------------------------ pg_cron
err=$(q "SELECT gcanalytics.schedule()" 2>&1 || true)
echo "$err" | contains "pg_cron runs its jobs from database \"$CRON_DB\"" || { echo "$err"; fail "schedule() outside pg_cron's database"; }
echo "$err" | contains "cron.schedule_in_database" || { echo "$err"; fail "the hint names cron.schedule_in_database"; }
echo "ok: schedule() in another database than pg_cron's says which and how"
err=$(sql "SELECT gcanalytics.schedule(sync_every => '7 minutes')" 2>&1 || true)
echo "$err" | contains 'invalid schedule interval "00:07:00"' || { echo "$err"; fail "schedule() with 7 minutes"; }
sql "SELECT gcanalytics.unschedule()" >/dev/null
assert_eq "gcanalytics_refresh:$CRON_DB|7-59/15 * * * *|SELECT gcanalytics.refresh_dashboards()
gcanalytics_sync:$CRON_DB|0-59/15 * * * *|CALL gcanalytics.run()" \
    "$(sql "SELECT job_name, cron_schedule, command FROM gcanalytics.schedule()")" \
    "schedule() registers the sync and the refresh every 15 minutes"
sql "SELECT gcanalytics.schedule(sync_every => NULL, refresh_every => '1 minute')" >/dev/null
for i in $(seq 1 80); do
    st=$(sql "SELECT d.status || ' ' || d.return_message FROM cron.job_run_details d JOIN cron.job j USING (jobid)
               WHERE j.jobname = 'gcanalytics_refresh:$CRON_DB' ORDER BY d.runid DESC LIMIT 1")
    case $st in succeeded*|failed*) break ;; esac
    sleep 2
done
assert_eq "succeeded 12 rows" "$st" "the refresh job ran and refreshed the 12 views (cron.job_run_details)"
assert_eq "1 0" "$(sql "SELECT gcanalytics.unschedule()") $(sql "SELECT count(*) FROM cron.job WHERE jobname LIKE 'gcanalytics%'")" \
    "unschedule() removes the jobs"

PGDATABASE=postgres sql "DROP DATABASE gca_dash_second"
PGDATABASE=postgres sql "DROP DATABASE $DB"
