#!/usr/bin/env bash
# A refresh's fixed cost (issue 24, README "Incremental refresh"): the
# rollups' signatures, read from the functions' catalog rows in one query,
# still catch a change of definitions (a function's body, its settings),
# of a setting and of reporting_time_zone: the next refresh_dashboards()
# is full for the rollups that read it, with the reason, and incremental
# for the others; agent_quality and agent_quality_weekly without
# evaluations (queue_daily without queue_metrics) are left as they are,
# and refreshed again once their table has rows and once it is emptied.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DB=gca_fixed_cost
q() { PGDATABASE=$DB sql "$1"; }
PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null
PGDATABASE=postgres sql "CREATE DATABASE $DB"
q "CREATE EXTENSION gcanalytics"
q "CREATE TABLE gcanalytics.interactions_t PARTITION OF gcanalytics.interactions
     FOR VALUES FROM ('2026-04-01 00:00Z') TO ('2026-05-01 00:00Z')"
# two conversations, written as the load writes them
q "DO \$\$ DECLARE ids text[]; starts timestamptz[]; BEGIN
     WITH n AS (
       INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, queue_name, agent_id,
              talk_ms, handle_ms, weighted_handle_ms, transfers, transferred, abandoned, handled, loaded_at)
       VALUES ('c1', '2026-04-14 10:00Z', 'voice', 'Q1', 'Queue 1', 'A1', 200000, 240000, 240000, 0, false, false, true, now()),
              ('c2', '2026-04-15 11:00Z', 'voice', 'Q1', 'Queue 1', 'A1', 100000, 140000, 140000, 0, false, false, true, now())
       RETURNING conversation_id, conversation_start)
     SELECT array_agg(conversation_id), array_agg(conversation_start) INTO ids, starts FROM n;
     PERFORM gcanalytics._dashboard_conversations_written(ids, starts, ARRAY[true, true]);
   END \$\$" >/dev/null

# refresh - refresh_dashboards(); prints each view's "view|refresh|reason"
refresh() { q "SELECT view_name || '|' || refresh || '|' || reason FROM gcanalytics.refresh_dashboards()" 2>/dev/null; }
# full_views OUT - the views of the last refresh that were full (space-separated)
full_views() { awk -F'|' '$2 == "full" && $3 !~ /no rollup/ { printf "%s%s", s, $1; s = " " }' "$1"; }
# counts_agree WHEN - every dashboard's row_count in dashboard_refreshes
# (known without counting when nothing was written) is its count of rows
counts_agree() {
    local v n
    for v in $(q "SELECT unnest(gcanalytics.dashboard_views())"); do
        n=$(q "SELECT count(*) FROM gcanalytics.$v")
        assert_eq "$n" "$(q "SELECT row_count FROM gcanalytics.dashboard_refreshes WHERE view_name = '$v'")" \
            "$v: the row_count of the refresh $1 is its rows"
    done
}
CHANGED="definitions, settings or reporting_time_zone changed since the last rebuild"
ALL="kpi_daily kpi_weekly queue_interval escalation_weekly escalation_by_tier bot_containment_by_industry join_quality cx_overview cx_insights"

refresh >/dev/null
out=$(refresh)
assert_eq "" "$(full_views <(echo "$out"))" "with nothing changed no rollup is rebuilt"
echo "$out" | contains -x "kpi_daily|incremental|0 day(s) changed" >/dev/null \
    || fail "kpi_daily after no change: $(echo "$out" | grep '^kpi_daily|')"
assert_eq "2" "$(q "SELECT sum(conversations) FROM gcanalytics.kpi_daily")" "kpi_daily counts the two conversations"
counts_agree "with nothing changed"
# a third conversation on a new day: rows added to the kept tables
q "DO \$\$ BEGIN
     INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, queue_name, agent_id,
            talk_ms, handle_ms, weighted_handle_ms, transfers, transferred, abandoned, handled, loaded_at)
     VALUES ('c3', '2026-04-20 09:00Z', 'voice', 'Q1', 'Queue 1', 'A1', 50000, 60000, 60000, 0, false, false, true, now());
     PERFORM gcanalytics._dashboard_conversations_written(ARRAY['c3'], ARRAY[timestamptz '2026-04-20 09:00Z'], ARRAY[true]);
   END \$\$" >/dev/null
refresh >/dev/null
assert_eq "3|3" "$(q "SELECT sum(conversations), count(*) FROM gcanalytics.kpi_daily")" "kpi_daily counts the third conversation, on its own day"
counts_agree "after a new day"
refresh >/dev/null
counts_agree "after a new day and nothing since"

# the body of a function only kpi_daily's rollup reads (kpi_rates(), its rates)
q "DO \$\$ BEGIN
     EXECUTE replace(pg_get_functiondef('gcanalytics.kpi_rates'::regproc), 'AS \$function\$', 'AS \$function\$ -- changed' || chr(10));
   END \$\$"
out=$(refresh)
assert_eq "kpi_daily kpi_weekly" "$(full_views <(echo "$out"))" \
    "a changed body of kpi_rates() rebuilds kpi_daily's rollup (kpi_daily, kpi_weekly) and no other"
echo "$out" | contains -x "kpi_daily|full|$CHANGED" >/dev/null || fail "kpi_daily's reason: $(echo "$out" | grep '^kpi_daily|')"
assert_eq "" "$(full_views <(refresh | cat))" "the next refresh rebuilds nothing"

# the same definition created again (from another text: its defaults'
# expressions elsewhere in it) is no change
q "DO \$\$ BEGIN
     EXECUTE pg_get_functiondef('gcanalytics._escalation_parts(timestamptz, timestamptz, text[])'::regprocedure);
   END \$\$"
assert_eq "" "$(full_views <(refresh | cat))" "_escalation_parts() created again as it was rebuilds nothing"

# a setting of a function (its SET clause): escalation's parts
q "ALTER FUNCTION gcanalytics._escalation_parts(timestamptz, timestamptz, text[]) SET work_mem = '40MB'"
assert_eq "escalation_weekly escalation_by_tier" "$(full_views <(refresh | cat))" \
    "a SET added to _escalation_parts() rebuilds the escalation rollup and no other"

# a function every rollup reads (the service level target of a queue)
q "DO \$\$ BEGIN
     EXECUTE replace(pg_get_functiondef('gcanalytics.service_level_threshold'::regproc), 'AS \$function\$', 'AS \$function\$ -- changed' || chr(10));
   END \$\$"
assert_eq "$ALL" "$(full_views <(refresh | cat))" "a changed service_level_threshold() rebuilds every rollup"

# settings
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('service_level_default', '25 seconds')
   ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null
assert_eq "$ALL" "$(full_views <(refresh | cat))" "a change of service_level_default rebuilds every rollup"
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('interval_minutes', '30')
   ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null
assert_eq "queue_interval" "$(full_views <(refresh | cat))" "a change of interval_minutes rebuilds queue_interval's rollup alone"
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('containment_window', '48 hours')
   ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null
assert_eq "bot_containment_by_industry" "$(full_views <(refresh | cat))" \
    "a change of containment_window rebuilds bot_containment's rollup alone"
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('reporting_time_zone', 'Europe/Berlin')
   ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null
out=$(refresh)
assert_eq "$ALL" "$(full_views <(echo "$out"))" "a change of reporting_time_zone rebuilds every rollup"
echo "$out" | contains -x "cx_insights|full|$CHANGED" >/dev/null || fail "cx_insights' reason: $(echo "$out" | grep '^cx_insights|')"
q "INSERT INTO gcanalytics.queues (queue_id, name, loaded_at) VALUES ('Q1', 'Queue one', now())
   ON CONFLICT (queue_id) DO UPDATE SET name = EXCLUDED.name" >/dev/null
assert_eq "kpi_daily kpi_weekly queue_interval" "$(full_views <(refresh | cat))" \
    "a renamed queue rebuilds the rollups whose kept rows name it (kpi_daily, queue_interval)"
assert_eq "Queue 1" "$(q "SELECT DISTINCT queue_name FROM gcanalytics.kpi_daily")" \
    "kpi_daily names the queue as its conversations do"
assert_eq "" "$(full_views <(refresh | cat))" "the next refresh rebuilds nothing"

# the views of evaluations and queue_metrics: left as they are while both are empty
out=$(refresh)
for v in agent_quality agent_quality_weekly; do
    echo "$out" | contains -x "$v|incremental|unchanged: no rows in evaluations, none at the last refresh either" >/dev/null \
        || fail "$v without evaluations: $(echo "$out" | grep "^$v|")"
done
echo "$out" | contains -x "queue_daily|incremental|unchanged: no rows in queue_metrics, none at the last refresh either" >/dev/null \
    || fail "queue_daily without queue_metrics: $(echo "$out" | grep '^queue_daily|')"
q "INSERT INTO gcanalytics.evaluations (evaluation_id, conversation_id, conversation_start, agent_id, form_id, status,
                                        total_score, loaded_at)
   VALUES ('e1', 'c1', '2026-04-14 10:00Z', 'A1', 'F1', 'FINISHED', 80, now())" >/dev/null
out=$(refresh)
echo "$out" | contains -x "agent_quality|full|computed from every row (no rollup)" >/dev/null \
    || fail "agent_quality with an evaluation: $(echo "$out" | grep '^agent_quality|')"
assert_eq "A1|1|80.00" "$(q "SELECT agent_id, evaluations, avg_score FROM gcanalytics.agent_quality")" \
    "agent_quality counts the evaluation loaded"
assert_eq "2026-04-13|1" "$(q "SELECT week, evaluations FROM gcanalytics.agent_quality_weekly")" \
    "agent_quality_weekly counts the evaluation loaded"
q "DELETE FROM gcanalytics.evaluations" >/dev/null
out=$(refresh)
echo "$out" | contains -x "agent_quality_weekly|full|computed from every row (no rollup)" >/dev/null \
    || fail "agent_quality_weekly after its evaluations were deleted: $(echo "$out" | grep '^agent_quality_weekly|')"
assert_eq "0|0" "$(q "SELECT (SELECT count(*) FROM gcanalytics.agent_quality), (SELECT count(*) FROM gcanalytics.agent_quality_weekly)")" \
    "agent_quality and agent_quality_weekly are empty again once evaluations is"
refresh | contains -x "agent_quality|incremental|unchanged: no rows in evaluations, none at the last refresh either" >/dev/null \
    || fail "agent_quality is refreshed although evaluations and the view are empty"

counts_agree "at the end"

PGDATABASE=postgres sql "DROP DATABASE $DB" 2>/dev/null
echo "ok: signatures catch definitions, settings, reporting_time_zone and queue names; empty views of empty tables are left alone"
