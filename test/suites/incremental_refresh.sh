#!/usr/bin/env bash
# Incremental refresh (issue 24, README "Incremental refresh"): two full
# refreshes of unchanged data give identical rows (EXCEPT ALL both ways,
# every dashboard); after each step of a sequence of loads and changes
# (a new day whose conversations reach back to previous contacts' FCR and
# containment, a window deleted and reloaded across the week boundary of
# Monday 2026-04-13, a failed window reloaded by retry_failed(), relinks
# moving conversations between two customers' sequences, a tier change of
# the largest account, tier_reporting current with a tier changed at the
# CRM and back, a conversation deleted; the changes by hand recorded as the
# load records its writes), refresh_dashboards() is
# incremental for the dashboards kept from rollups and every dashboard equals a full rebuild
# row for row; a change of fcr_window or reporting_time_zone forces a full
# rebuild, with its reason in dashboard_refreshes.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/incremental_refresh
mkdir -p "$T"
DB=gca_incr
WORLD="--seed 7 --conversations-per-day 300 --now 2026-04-20T12:00:00Z"
q() { PGDATABASE=$DB sql "$1"; }

# shellcheck disable=SC2086
start_gcsim $WORLD
PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null
PGDATABASE=postgres sql "CREATE DATABASE $DB"
q "CREATE EXTENSION gcanalytics"
PGDATABASE=$DB warehouse_setup "$GCSIM_URL" 2026-04-08T00:00:00Z 2>/dev/null
q "CALL gcanalytics.run(until => '2026-04-17T00:00:00Z')" 2>"$T/run.log"
q "CALL gcanalytics.sync_crm()" 2>/dev/null
echo "loaded $(q "SELECT count(*) FROM gcanalytics.interactions") interactions, 2026-04-08 to 2026-04-16"

# PARTS: the rollups whose parts rows are compared too (new conversations
# merged into them: agents and their counts, CSAT sums, first and last
# times), as views named ROLLUP_parts, and the escalation dashboards' own
# rollups kept per account (escalation_by_tier's, and escalation_weekly's
# per week: replaced for the accounts and weeks a refresh touches)
PARTS="ARRAY['cx_overview_parts', 'cx_insights_parts', 'escalation_accounts', 'escalation_week_accounts']"
# snapshot: every dashboard's rows as text (join_quality's refreshed_at is
# the time of the refresh) in table snap, and the rows of PARTS
snapshot() {
    q "SET client_min_messages = warning; DROP TABLE IF EXISTS snap; CREATE TABLE snap (view_name text, r text);
       DO \$\$ DECLARE v text; BEGIN
         FOREACH v IN ARRAY gcanalytics.dashboard_views() || $PARTS LOOP
           EXECUTE format('INSERT INTO snap SELECT %L, (to_jsonb(t) - ''refreshed_at'')::text FROM gcanalytics.%I t', v, v);
         END LOOP; END \$\$" >/dev/null
}
# differs: the rows of snap and of the dashboards now that are not in both
# (EXCEPT ALL both ways), per view
differs() {
    q "CREATE TEMP TABLE now_rows (view_name text, r text);
       DO \$\$ DECLARE v text; BEGIN
         FOREACH v IN ARRAY gcanalytics.dashboard_views() || $PARTS LOOP
           EXECUTE format('INSERT INTO now_rows SELECT %L, (to_jsonb(t) - ''refreshed_at'')::text FROM gcanalytics.%I t', v, v);
         END LOOP; END \$\$;
       SELECT view_name || ': ' || count(*) || ' rows differ, e.g. ' || left(min(r), 300)
         FROM ((SELECT 'only before', * FROM snap EXCEPT ALL SELECT 'only before', * FROM now_rows)
               UNION ALL (SELECT 'only after', * FROM now_rows EXCEPT ALL SELECT 'only after', * FROM snap)) d(side, view_name, r)
        GROUP BY view_name"
}

q "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
assert_eq "12|first refresh (no rollup yet, or after a restore)" \
    "$(q "SELECT count(*) FILTER (WHERE refresh = 'full'), min(reason) FILTER (WHERE view_name = 'kpi_daily') FROM gcanalytics.dashboard_refreshes")" \
    "the first refresh is full, and says why"

# ------------------------------------------------------------ exact sums
snapshot
q "SELECT count(*) FROM gcanalytics.refresh_dashboards(full => true)" >/dev/null 2>&1
d=$(differs)
[ -z "$d" ] || fail "two full refreshes of unchanged data differ: $d"
assert_eq "requested (full => true)" "$(q "SELECT reason FROM gcanalytics.dashboard_refreshes WHERE view_name = 'queue_interval'")" \
    "full => true is reported as requested"
echo "ok: two full refreshes of unchanged data give identical rows in every dashboard ($(q "SELECT count(*) FROM snap") rows)"
q "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
d=$(differs)
[ -z "$d" ] || fail "an incremental refresh with nothing changed differs from the full rebuild: $d"
assert_eq "incremental|0 day(s) changed" \
    "$(q "SELECT refresh || '|' || reason FROM gcanalytics.dashboard_refreshes WHERE view_name = 'kpi_daily'")" \
    "nothing changed: an incremental refresh of no day"

# by_hand "DELETE/UPDATE ..." [ROLLUPS] - a change of interactions outside
# the load, recorded as the load records its own writes (the start days of
# the rows written, for ROLLUPS or all): README "Incremental refresh"
by_hand() {
    q "WITH w AS ($1 RETURNING conversation_start)
       SELECT gcanalytics._dashboard_changed(array_agg(DISTINCT (conversation_start AT TIME ZONE gcanalytics.reporting_time_zone())::date),
                                             ${2:-NULL}) FROM w" >/dev/null
}

# step WHAT MIN_DAYS [MIN_CONVERSATIONS] [INCREMENTAL] - after a change:
# the days the change recorded (at least MIN_DAYS of them) and the
# conversations whose next contact moved (at least MIN_CONVERSATIONS), an
# incremental refresh (of the nine dashboards kept from rollups, or of
# INCREMENTAL of them), its rows against a full rebuild of the same data;
# REASON: kpi_daily's reason of that incremental refresh
step() {
    local n c
    n=$(q "SELECT count(DISTINCT day) FROM gcanalytics.dashboard_changes")
    c=$(q "SELECT count(DISTINCT conversation_id) FROM gcanalytics.dashboard_conversation_changes")
    [ "$n" -ge "$2" ] || fail "$1: $n changed day(s) recorded, expected at least $2"
    [ "$c" -ge "${3:-0}" ] || fail "$1: $c conversation(s) with a moved next contact recorded, expected at least $3"
    # STEP_PGOPTIONS: the incremental refresh's session settings
    PGOPTIONS=${STEP_PGOPTIONS:-${PGOPTIONS:-}} q "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
    assert_eq "${4:-9}" \
        "$(q "SELECT count(*) FROM gcanalytics.dashboard_refreshes WHERE refresh = 'incremental' AND gcanalytics.dashboard_rollup(view_name) IS NOT NULL")" \
        "$1: ${4:-9} of the nine dashboards kept from rollups are refreshed incrementally"
    # the row counts of dashboard_status (a kept table's: its last count
    # plus the rows the refresh inserted less those it deleted) are counts
    assert_eq "" \
        "$(q "DO \$\$ DECLARE v text; n bigint; m bigint; BEGIN
                FOREACH v IN ARRAY gcanalytics.dashboard_views() LOOP
                  EXECUTE format('SELECT count(*) FROM gcanalytics.%I', v) INTO n;
                  SELECT r.row_count INTO m FROM gcanalytics.dashboard_refreshes r WHERE r.view_name = v;
                  IF n IS DISTINCT FROM m THEN RAISE NOTICE '%: % rows, row_count %', v, n, m; END IF;
                END LOOP; END \$\$" 2>&1)" \
        "$1: each dashboard's row_count is its number of rows"
    REASON=$(q "SELECT reason FROM gcanalytics.dashboard_refreshes WHERE view_name = 'kpi_daily'")
    # AFTER_INCREMENTAL: a check of the incremental refresh's rows, before the full rebuild
    eval "${AFTER_INCREMENTAL:-}"
    CX_REASON=$(q "SELECT string_agg(view_name || ': ' || reason, '; ' ORDER BY view_name) FROM gcanalytics.dashboard_refreshes
                    WHERE view_name IN ('cx_overview', 'cx_insights')")
    snapshot
    q "SELECT count(*) FROM gcanalytics.refresh_dashboards(full => true)" >/dev/null 2>&1
    d=$(differs)
    [ -z "$d" ] || fail "$1: the incremental refresh differs from a full rebuild: $d"
    echo "ok: $1: incremental refresh of $n day(s) and $c conversation(s) equals a full rebuild"
}

# contact ID CUSTOMER START - a new conversation (a handled voice call) of
# CUSTOMER at START, written as the load writes it: the row, recorded as
# inserted, the next contacts its place moves
contact() {
    q "DO \$\$ DECLARE places gcanalytics._contact_place[]; BEGIN
         WITH n AS (
           INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, originating_direction, queue_id,
                  agent_id, customer_key, talk_ms, customer_hold_ms, acw_ms, acd_ms, handle_ms, weighted_handle_ms, transfers,
                  transferred, abandoned, handled, loaded_at)
           VALUES ('$1', '$3', 'voice', 'inbound', NULL, NULL, '$2', 60000, 0, 0, 0, 60000, 60000, 0, false, false, true, now())
           RETURNING customer_key, conversation_start, conversation_id)
         SELECT array_agg(ROW(n.customer_key, n.conversation_start, n.conversation_id)::gcanalytics._contact_place) INTO places FROM n;
         PERFORM gcanalytics._dashboard_conversations_written(ARRAY['$1'], ARRAY[timestamptz '$3'], ARRAY[true]);
         PERFORM gcanalytics._link_next_contacts(places);
       END \$\$" >/dev/null
}
# relink ID CUSTOMER - conversation ID moved to CUSTOMER's sequence, as a
# relink writes it
relink() {
    q "DO \$\$
       DECLARE before gcanalytics._contact_place[]; after gcanalytics._contact_place[]; days date[];
       BEGIN
         before := gcanalytics._contact_places('-infinity', 'infinity', ARRAY['$1']);
         WITH w AS (UPDATE gcanalytics.interactions SET customer_key = '$2' WHERE conversation_id = '$1' RETURNING conversation_start)
         SELECT array_agg((conversation_start AT TIME ZONE gcanalytics.reporting_time_zone())::date) INTO days FROM w;
         PERFORM gcanalytics._dashboard_changed(days);
         after := gcanalytics._contact_places('-infinity', 'infinity', ARRAY['$1']);
         PERFORM gcanalytics._link_next_contacts(before || after);
       END \$\$" >/dev/null
}

# a new day: its first contacts end the FCR and containment windows of the
# same customers' previous contacts, days before
q "CALL gcanalytics.sync_conversations('2026-04-17 00:00+00', '2026-04-18 00:00+00')" 2>/dev/null
assert_eq "t|t|0|" "$(q "SELECT count(*) FILTER (WHERE rollup = 'kpi_daily') > 0, count(*) FILTER (WHERE rollup = 'bot_containment') > 0,
                             (SELECT count(*) FROM gcanalytics.dashboard_changes WHERE day < '2026-04-17'),
                             (SELECT string_agg(DISTINCT rollup, ' ') FROM gcanalytics.dashboard_changes)
                        FROM gcanalytics.dashboard_conversation_changes WHERE conversation_start < '2026-04-17' AND NOT inserted")" \
    "a new day records the previous contacts it reaches (conversations, with their old next contact), not their days"
assert_eq "$(q "SELECT count(*) FROM gcanalytics.interactions WHERE conversation_start >= '2026-04-17'")" \
    "$(q "SELECT count(*) FROM gcanalytics.dashboard_conversation_changes WHERE rollup = 'escalation' AND inserted")" \
    "a new day's conversations are recorded as inserted (merged), not its day"
# (refreshed in a session whose TimeZone is not UTC: the old next
# contacts, with their offset, read back exactly, _old_next_contacts();
# and whose DateStyle is SQL: Asia/Kolkata's times print as "IST", which
# PostgreSQL reads back as Israel's, so every literal is ISO 8601)
STEP_PGOPTIONS="-c TimeZone=Asia/Kolkata -c DateStyle=SQL,DMY" step "a new day (2026-04-17)" 0 1
[[ "$REASON" =~ ^1\ day\(s\)\ changed(,\ [0-9]+\ conversation\(s\)\ merged\ \(0\ new\))?$ ]] \
    || fail "a day whose conversations are all new is recomputed whole, not merged one by one: kpi_daily's reason is '$REASON'"
echo "ok: a day whose conversations are all new is recomputed whole ($REASON)"

# new conversations merged into cx_overview's and cx_insights' parts rows
# (not their day recomputed), copies of a handled call of Wednesday
# 2026-04-15 written as the load writes new rows: one by an agent who
# handled calls of that day and tier (the agent's count summed), one by an
# agent new to them (the agents united, in order), escalated and with a QA
# score; one with an answered survey (CSAT count, sum, sum of squares); one
# in progress (cx_insights' first conversation in progress); one with a
# survey still open (the last open survey); one of a tier without a row
# that day (a parts row inserted)
read -r cx_src cx_tier cx_agent <<<"$(q "SELECT i.conversation_id, gcanalytics.tier_label(i.crm_account_id, i.customer_tier), i.agent_id
                                       FROM gcanalytics.interactions i
                                      WHERE i.conversation_start >= '2026-04-15' AND i.conversation_start < '2026-04-16'
                                        AND i.handled AND i.agent_id IS NOT NULL AND i.crm_account_id IS NOT NULL
                                      ORDER BY 1 LIMIT 1" | tr '|' ' ')"
[ -n "$cx_src" ] || fail "no handled call of 2026-04-15 to copy"
q "DO \$\$ DECLARE ids text[]; starts timestamptz[]; BEGIN
     WITH v(id, changes) AS (VALUES
         ('cx-same-agent', jsonb_build_object('csat_score', NULL, 'surveys', NULL)),
         ('cx-new-agent', jsonb_build_object('agent_id', 'agent-new-to-the-day', 'was_escalated', true, 'qa_score', 61,
                                             'csat_score', NULL, 'surveys', NULL)),
         ('cx-survey', jsonb_build_object('csat_score', 87, 'surveys',
              '[{\"surveyId\": \"cx-s1\", \"surveyStatus\": \"Finished\", \"eventTime\": \"2026-04-15T18:00:00Z\", \"oSurveyTotalScore\": 87}]'::jsonb)),
         ('cx-in-progress', jsonb_build_object('in_progress', true, 'handled', false, 'csat_score', NULL, 'surveys', NULL)),
         ('cx-open-survey', jsonb_build_object('csat_score', NULL, 'surveys',
              '[{\"surveyId\": \"cx-s2\", \"surveyStatus\": \"Sent\", \"eventTime\": \"2026-04-16T23:00:00Z\"}]'::jsonb)),
         ('cx-new-tier', jsonb_build_object('crm_account_id', 'acct-new-tier', 'customer_tier', 'Fresh', 'csat_score', 12,
              'surveys', '[{\"surveyId\": \"cx-s3\", \"surveyStatus\": \"Finished\", \"eventTime\": \"2026-04-15T18:00:00Z\"}]'::jsonb))
     ), w AS (
       INSERT INTO gcanalytics.interactions
       SELECT (jsonb_populate_record(NULL::gcanalytics.interactions,
                   to_jsonb(i) || v.changes || jsonb_build_object('conversation_id', v.id, 'customer_key', NULL,
                                                                  'next_contact_at', NULL,
                                                                  'conversation_start', i.conversation_start + interval '1 second'))).*
         FROM gcanalytics.interactions i CROSS JOIN v
        WHERE i.conversation_id = '$cx_src'
       RETURNING conversation_id, conversation_start)
     SELECT array_agg(conversation_id), array_agg(conversation_start) INTO ids, starts FROM w;
     PERFORM gcanalytics._dashboard_conversations_written(ids, starts, array_fill(true, ARRAY[cardinality(ids)]));
   END \$\$" >/dev/null
assert_eq "0|6|6" "$(q "SELECT (SELECT count(*) FROM gcanalytics.dashboard_changes),
                               count(*) FILTER (WHERE rollup = 'cx_overview'), count(*) FILTER (WHERE rollup = 'cx_insights')
                          FROM gcanalytics.dashboard_conversation_changes")" \
    "new conversations record no day: they are recorded for cx_overview and cx_insights as for the other rollups"
step "six new conversations of 2026-04-15 merged into cx_overview's and cx_insights' rows" 0
assert_eq "cx_insights: 0 day(s) changed, 6 conversation(s) merged (6 new); cx_overview: 0 day(s) changed, 6 conversation(s) merged (6 new)" \
    "$CX_REASON" "cx_overview and cx_insights merge the new conversations, no day recomputed"
assert_eq "1|1" "$(q "SELECT count(*) FILTER (WHERE tier = '$cx_tier' AND agents @> ARRAY['agent-new-to-the-day', '$cx_agent']),
                             count(*) FILTER (WHERE tier = 'Fresh')
                        FROM gcanalytics.cx_overview_parts WHERE start_day = '2026-04-15'")" \
    "the new agent joined the day's agents beside the one who handled calls before, and the new tier has its row"
# (gone again: the later steps' CSAT cut falls on a conversation of 2026-04-16)
by_hand "DELETE FROM gcanalytics.interactions WHERE conversation_id LIKE 'cx-%'"
step "the six conversations deleted again" 1

# an FCR flip reaching a day no other change touches: a new call of a
# customer whose last contact (handled, resolved) was days before
read -r p_id p_key p_start <<<"$(q "SELECT conversation_id, customer_key, conversation_start FROM gcanalytics.interactions
                                     WHERE handled AND customer_key IS NOT NULL AND next_contact_at IS NULL
                                       AND conversation_start < '2026-04-11' ORDER BY conversation_start DESC, 1 LIMIT 1" | tr '|' ' ')"
[ -n "$p_id" ] || fail "no resolved last contact before 2026-04-11 to flip"
p_start=$(q "SELECT conversation_start FROM gcanalytics.interactions WHERE conversation_id = '$p_id'")
contact flip-1 "$p_key" "$(q "SELECT timestamptz '$p_start' + interval '5 days'")"
assert_eq "1|1" "$(q "SELECT count(*) FILTER (WHERE rollup = 'kpi_daily' AND conversation_id = '$p_id' AND old_next_contact_at IS NULL),
                             count(*) FILTER (WHERE rollup = 'kpi_daily' AND NOT inserted)
                        FROM gcanalytics.dashboard_conversation_changes")" \
    "a new call 5 days after a resolved contact records that contact with its old next contact (none)"
step "an FCR flip reaching $(q "SELECT (timestamptz '$p_start')::date") alone" 0 1
assert_eq "0 day(s) changed, 2 conversation(s) merged (1 new)" "$REASON" \
    "the new call is merged and the flip applied as a difference, no day recomputed"

# two flips of one conversation between refreshes: the new call moved to
# another customer (resolved again), then another call 2 days after it
# (unresolved again): the first old value is kept, the difference is none
relink flip-1 other-customer-1
contact flip-2 "$p_key" "$(q "SELECT timestamptz '$p_start' + interval '2 days'")"
assert_eq "$(q "SELECT timestamptz '$p_start' + interval '5 days'")" \
    "$(q "SELECT old_next_contact_at FROM gcanalytics.dashboard_conversation_changes WHERE rollup = 'kpi_daily' AND conversation_id = '$p_id'")" \
    "two moves of a next contact keep the first old value"
step "two flips of one conversation between refreshes" 1 1

# a flip and a rewrite of the same conversation in one refresh: the flip
# recorded, then the conversation itself written again (its day recorded,
# recomputed whole: the flip's difference is not applied on top)
relink flip-2 other-customer-1
by_hand "UPDATE gcanalytics.interactions SET handle_ms = handle_ms + 1000 WHERE conversation_id = '$p_id'"
step "a flip and a rewrite of the same conversation in one refresh" 2 1

# inserts merged, then the same conversation rewritten before the
# refresh (its old contribution unknown: its day recomputed whole)
contact merged-1 "$p_key" "$(q "SELECT timestamptz '$p_start' + interval '3 days'")"
by_hand "UPDATE gcanalytics.interactions SET handle_ms = handle_ms + 5000, queue_id = 'Q-moved' WHERE conversation_id = 'merged-1'"
step "a conversation inserted, then rewritten before the refresh" 1 1

# a containment flip across a week boundary: a contained self-service
# conversation of a known customer on a Sunday, and a new contact on the
# Monday within containment_window
read -r b_id b_key b_start <<<"$(q "SELECT conversation_id, customer_key, conversation_start FROM gcanalytics.interactions
                                     WHERE contained AND customer_key IS NOT NULL
                                       AND extract(isodow FROM conversation_start AT TIME ZONE 'UTC') = 7
                                       AND (next_contact_at IS NULL OR next_contact_at > date_trunc('week', conversation_start AT TIME ZONE 'UTC') + interval '7 days 1 hour')
                                       AND conversation_start > date_trunc('week', conversation_start AT TIME ZONE 'UTC') + interval '6 days 1 hour'
                                     ORDER BY conversation_start, 1 LIMIT 1" | tr '|' ' ')"
[ -n "$b_id" ] || fail "no contained Sunday conversation of a known customer to flip"
b_start=$(q "SELECT conversation_start FROM gcanalytics.interactions WHERE conversation_id = '$b_id'")
monday=$(q "SELECT (date_trunc('week', timestamptz '$b_start' AT TIME ZONE 'UTC') + interval '7 days 30 minutes') AT TIME ZONE 'UTC'")
contact flip-week "$b_key" "$monday"
assert_eq "1" "$(q "SELECT count(*) FROM gcanalytics.dashboard_conversation_changes WHERE rollup = 'bot_containment' AND conversation_id = '$b_id'")" \
    "a contact on the Monday records the Sunday's contained conversation for bot_containment"
# bot_containment_by_industry is kept per changed week: the flip rewrites
# the rows of the Sunday's week and leaves every other week's rows as they
# were (their row versions)
q "SET client_min_messages = warning; DROP TABLE IF EXISTS bot_before; CREATE TABLE bot_before AS
   SELECT week, industry, media_type, xmin::text AS x FROM gcanalytics.bot_containment_by_industry" >/dev/null
# bot_rewritten: the weeks of bot_before's rows rewritten or gone, and how many
bot_rewritten() {
    q "SELECT string_agg(DISTINCT b.week::text, ' ' ORDER BY b.week::text) || '|' || count(DISTINCT b.week)
         FROM bot_before b
        WHERE NOT EXISTS (SELECT 1 FROM gcanalytics.bot_containment_by_industry n
                           WHERE n.week = b.week AND n.industry = b.industry AND n.media_type = b.media_type AND n.xmin::text = b.x)"
}
# shellcheck disable=SC2016
AFTER_INCREMENTAL='BOT_REWRITTEN=$(bot_rewritten)'
step "a containment flip from Monday $monday back to the Sunday before" 0 1
AFTER_INCREMENTAL=
sunday_week=$(q "SELECT date_trunc('week', timestamptz '$b_start' AT TIME ZONE 'UTC')::date")
assert_eq "$sunday_week|1" "$BOT_REWRITTEN" \
    "bot_containment_by_industry rewrites the rows of the Sunday's week the flip reaches (the Monday's call is no self-service), no other week's"

# a window across the week boundary deleted, then reloaded: the Sunday and
# the Monday of two weeks, and the neighbours before them
by_hand "DELETE FROM gcanalytics.interactions WHERE conversation_start >= '2026-04-12 18:00+00' AND conversation_start < '2026-04-13 06:00+00'"
step "twelve hours across the week boundary deleted" 2
q "CALL gcanalytics.sync_conversations('2026-04-12 00:00+00', '2026-04-14 00:00+00')" 2>/dev/null
step "the two days reloaded" 2

# a failed window: its rows gone, then retry_failed() loads it again
by_hand "DELETE FROM gcanalytics.interactions WHERE conversation_start >= '2026-04-10 00:00+00' AND conversation_start < '2026-04-11 00:00+00'"
q "UPDATE gcanalytics.sync_windows SET status = 'failed', attempts = 1
    WHERE resource = 'conversations' AND window_start >= '2026-04-10 00:00+00' AND window_start < '2026-04-11 00:00+00'" >/dev/null
step "a failed day's rows gone" 1
q "CALL gcanalytics.retry_failed()" 2>/dev/null
assert_eq "0" "$(q "SELECT count(*) FROM gcanalytics.sync_windows WHERE status = 'failed'")" "retry_failed() reloaded the window"
step "retry_failed() reloaded 2026-04-10" 1

# complete_until() moved backward on purpose: a window before the newest
# data recorded as failed (its rows kept, nothing written, no day
# recorded): the kept dashboards' provisional flags (kpi_daily, kpi_weekly,
# queue_interval, escalation_weekly, escalation_by_tier) follow it back, then
# forward again when the window is done
cu=$(q "SELECT gcanalytics.complete_until('conversations')")
prov=$(q "SELECT (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.kpi_daily) || '|' || (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.queue_interval) || '|'
                 || (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.escalation_weekly)")
q "UPDATE gcanalytics.sync_windows SET status = 'failed', attempts = 1
    WHERE resource = 'conversations' AND window_start >= '2026-04-13 00:00+00' AND window_start < '2026-04-14 00:00+00'" >/dev/null
assert_eq "t" "$(q "SELECT gcanalytics.complete_until('conversations') < '$cu'")" "a failed window moves complete_until() back"
step "complete_until() moved back to 2026-04-13 (a failed window, no row written)" 0
[ "$(q "SELECT (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.kpi_daily) || '|' || (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.queue_interval) || '|'
               || (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.escalation_weekly)")" != "$prov" ] \
    || fail "complete_until() moved back and no kept dashboard row became provisional"
q "UPDATE gcanalytics.sync_windows SET status = 'done'
    WHERE resource = 'conversations' AND window_start >= '2026-04-13 00:00+00' AND window_start < '2026-04-14 00:00+00'" >/dev/null
assert_eq "$cu" "$(q "SELECT gcanalytics.complete_until('conversations')")" "the window done again moves complete_until() forward"
step "complete_until() forward again" 0
assert_eq "$prov" "$(q "SELECT (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.kpi_daily) || '|' || (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.queue_interval) || '|'
                              || (SELECT count(*) FILTER (WHERE provisional) FROM gcanalytics.escalation_weekly)")" \
    "the provisional rows are those of before"

# relinks: conversations of one customer moved to another customer's
# sequence, and the next contacts kept as the load keeps them
a=$(q "SELECT customer_key FROM gcanalytics.interactions WHERE customer_key IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
b=$(q "SELECT customer_key FROM gcanalytics.interactions WHERE customer_key IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 OFFSET 1 LIMIT 1")
q "DO \$\$
   DECLARE before gcanalytics._contact_place[]; after gcanalytics._contact_place[]; ids text[]; days date[];
   BEGIN
     SELECT array_agg(conversation_id) INTO ids FROM (SELECT conversation_id FROM gcanalytics.interactions
       WHERE customer_key = '$a' ORDER BY conversation_start LIMIT 2) s;
     before := gcanalytics._contact_places('-infinity', 'infinity', ids);
     WITH w AS (UPDATE gcanalytics.interactions SET customer_key = '$b' WHERE conversation_id = ANY (ids) RETURNING conversation_start)
     SELECT array_agg((conversation_start AT TIME ZONE gcanalytics.reporting_time_zone())::date) INTO days FROM w;
     PERFORM gcanalytics._dashboard_changed(days);
     after := gcanalytics._contact_places('-infinity', 'infinity', ids);
     PERFORM gcanalytics._link_next_contacts(before || after);
   END \$\$" >/dev/null
step "two conversations relinked from one customer to another" 1

# QA scores set again from the evaluations (as _load_evaluations() does):
# cx_overview's days are recorded
q "UPDATE gcanalytics.interactions SET qa_score = NULL
    WHERE conversation_start >= '2026-04-08 00:00+00' AND conversation_start < '2026-04-17 00:00+00' AND qa_score IS NOT NULL" >/dev/null
q "SELECT gcanalytics._update_qa_scores('2026-04-08 00:00+00', '2026-04-17 00:00+00', NULL, now())" >/dev/null
assert_eq "cx_overview" "$(q "SELECT string_agg(DISTINCT rollup, ' ') FROM gcanalytics.dashboard_changes")" \
    "QA scores set again record cx_overview's days only"
step "QA scores of 2026-04-08 to 2026-04-16 set again" 1

# CSAT (cx_insights' rollup), changed as the survey re-read writes it (the
# conversation's surveys and csat_score, its day recorded for cx_overview
# and cx_insights): a survey answered late for a conversation of Sunday
# 2026-04-12 (the week before Monday 2026-04-13, the boundary); a survey
# still open for a conversation of Thursday 2026-04-16 (CSAT is final only
# before it: the weeks' compared part ends inside a day), then answered
# survey() ID JSON SCORE - the conversation's surveys set as the re-read sets them
survey() {
    by_hand "UPDATE gcanalytics.interactions SET surveys = '$2', csat_score = $3 WHERE conversation_id = '$1'" \
        "ARRAY['cx_overview', 'cx_insights']"
}
# csat_truth - cx_insights' CSAT rows whose n, mean, and the week before's,
# differ from the answered surveys of interactions counted over the row's
# compared part (compared_from, compared_until) and the same part of the
# week before, under the tier at the call
csat_truth() {
    q "SELECT count(*) || ' of ' || (SELECT count(*) FROM gcanalytics.cx_insights WHERE metric = 'csat')
         FROM gcanalytics.cx_insights x
         CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE t.cur) AS n, round(avg(t.csat_score) FILTER (WHERE t.cur)::numeric, 2) AS v,
                    count(*) FILTER (WHERE NOT t.cur) AS pn, round(avg(t.csat_score) FILTER (WHERE NOT t.cur)::numeric, 2) AS pv
               FROM (SELECT i.csat_score, i.conversation_start AT TIME ZONE gcanalytics.reporting_time_zone() AS t_local,
                            (i.conversation_start AT TIME ZONE gcanalytics.reporting_time_zone()) >= x.compared_from AS cur
                       FROM gcanalytics.interactions i
                      WHERE i.csat_score IS NOT NULL AND gcanalytics.tier_label(i.crm_account_id, i.customer_tier) = x.tier) t
              WHERE (t.t_local >= x.compared_from AND t.t_local < x.compared_until)
                 OR (t.t_local >= x.compared_from - interval '7 days' AND t.t_local < x.compared_until - interval '7 days')) w
        WHERE x.metric = 'csat' AND (x.n, x.value, x.prev_n, x.prev_value) IS DISTINCT FROM (w.n, w.v, w.pn, w.pv)"
}
late=$(q "SELECT min(conversation_id) FROM gcanalytics.interactions
           WHERE conversation_start >= '2026-04-12 00:00+00' AND conversation_start < '2026-04-13 00:00+00'
             AND handled AND surveys IS NULL AND crm_account_id IS NOT NULL")
survey "$late" '[{"surveyId": "late-1", "surveyStatus": "Finished", "eventTime": "2026-04-17T09:00:00Z", "oSurveyTotalScore": 3}]' 3
step "a survey of Sunday 2026-04-12 answered late" 1
open=$(q "SELECT min(conversation_id) FROM gcanalytics.interactions
           WHERE conversation_start >= '2026-04-16 12:00+00' AND conversation_start < '2026-04-17 00:00+00'
             AND handled AND surveys IS NULL")
survey "$open" '[{"surveyId": "open-1", "surveyStatus": "Sent", "eventTime": "2026-04-17T10:00:00Z"}]' NULL
step "a survey of Thursday 2026-04-16 sent, not answered yet" 1
assert_eq "$(q "SELECT to_char(conversation_start, 'FMDay HH24:MI') FROM gcanalytics.interactions WHERE conversation_id = '$open'")" \
    "$(q "SELECT DISTINCT to_char(compared_until, 'FMDay HH24:MI') FROM gcanalytics.cx_insights WHERE metric = 'csat' AND week = '2026-04-13'")" \
    "the week of 2026-04-13 compares CSAT until the conversation whose survey may still be answered"
assert_eq "0 of $(q "SELECT count(*) FROM gcanalytics.cx_insights WHERE metric = 'csat'")" "$(csat_truth)" \
    "cx_insights' CSAT figures (n, mean, each week and the week before, a part of a day compared) equal the surveys of interactions"
survey "$open" '[{"surveyId": "open-1", "surveyStatus": "Finished", "eventTime": "2026-04-17T10:00:00Z", "oSurveyTotalScore": 98}]' 98
step "the survey of Thursday 2026-04-16 answered" 1
assert_eq "0 of $(q "SELECT count(*) FROM gcanalytics.cx_insights WHERE metric = 'csat'")" "$(csat_truth)" \
    "cx_insights' CSAT figures equal the surveys of interactions once the survey is answered"

# a tier change of the largest account (tiers move conversations, and
# their surveys, between the escalation views' and cx_insights' tiers)
acct=$(q "SELECT crm_account_id FROM gcanalytics.interactions WHERE crm_account_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
by_hand "UPDATE gcanalytics.interactions SET customer_tier = 'Moved' WHERE crm_account_id = '$acct'" "ARRAY['escalation', 'cx_overview', 'join_quality', 'cx_insights']"
step "the tier of account $acct changed" 1

# tier_reporting current: the escalation views map each account to its tier
# today when derived from the rollup, so a tier change at the CRM (no
# interaction written) and the switch of the setting itself need no
# rebuild of theirs; cx_insights' rollup is kept per tier reported: the
# switch rebuilds it (its signature), and a tier change at the CRM records
# the account's days for it alone (as sync_crm() does)
acct2=$(q "SELECT crm_account_id FROM gcanalytics.interactions WHERE crm_account_id IS NOT NULL AND crm_account_id <> '$acct'
           GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('tier_reporting', 'current')
   ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null
q "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
assert_eq "full|definitions, settings or reporting_time_zone changed since the last rebuild" \
    "$(q "SELECT refresh || '|' || reason FROM gcanalytics.dashboard_refreshes WHERE view_name = 'cx_insights'")" \
    "the switch of tier_reporting rebuilds cx_insights' rollup (its tiers are the tiers reported)"
assert_eq "incremental" "$(q "SELECT refresh FROM gcanalytics.dashboard_refreshes WHERE view_name = 'escalation_weekly'")" \
    "the switch of tier_reporting rebuilds no escalation rollup"
q "UPDATE gcanalytics.crm_accounts SET tier = 'Today' WHERE account_id = '$acct2'" >/dev/null
q "SELECT gcanalytics._dashboard_changed(array_agg(DISTINCT (conversation_start AT TIME ZONE gcanalytics.reporting_time_zone())::date),
                                         ARRAY['cx_insights'])
     FROM gcanalytics.interactions WHERE crm_account_id = '$acct2'" >/dev/null
step "tier_reporting current, the tier of account $acct2 changed at the CRM" 0
assert_eq "$(q "SELECT count(*) FROM gcanalytics.interactions WHERE crm_account_id = '$acct2'")|1" \
    "$(q "SELECT conversations, accounts FROM gcanalytics.escalation_by_tier WHERE tier = 'Today'")" \
    "with tier_reporting current, the account's conversations are under its tier today"
assert_eq "$(q "SELECT count(*) FROM gcanalytics.interactions WHERE crm_account_id = '$acct2' AND csat_score IS NOT NULL")" \
    "$(q "SELECT coalesce(sum(surveys), 0) FROM gcanalytics.cx_insights_parts WHERE tier = 'Today'")" \
    "with tier_reporting current, the account's surveys are under its tier today in cx_insights' rollup"
q "UPDATE gcanalytics.settings SET value = 'at_call_time' WHERE name = 'tier_reporting'" >/dev/null
step "tier_reporting back to at_call_time" 0 0 8
assert_eq "0" "$(q "SELECT count(*) FROM gcanalytics.escalation_by_tier WHERE tier = 'Today'")" \
    "with tier_reporting at_call_time, the tier at the call again"

# a settings change forces a full rebuild, with its reason
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('fcr_window', '3 days')
   ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null
q "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
assert_eq "full|definitions, settings or reporting_time_zone changed since the last rebuild" \
    "$(q "SELECT refresh || '|' || reason FROM gcanalytics.dashboard_refreshes WHERE view_name = 'kpi_daily'")" \
    "a change of fcr_window forces a full rebuild"
q "INSERT INTO gcanalytics.settings (name, value) VALUES ('reporting_time_zone', 'America/New_York')
   ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null
q "SELECT count(*) FROM gcanalytics.refresh_dashboards()" >/dev/null 2>&1
assert_eq "full" "$(q "SELECT refresh FROM gcanalytics.dashboard_refreshes WHERE view_name = 'queue_interval'")" \
    "a change of reporting_time_zone forces a full rebuild"
# in that zone, a load again reaches back and stays exact
q "CALL gcanalytics.sync_conversations('2026-04-18 00:00+00', '2026-04-19 00:00+00')" 2>/dev/null
step "a new day in America/New_York" 0 1
by_hand "DELETE FROM gcanalytics.interactions WHERE conversation_id = (SELECT min(conversation_id) FROM gcanalytics.interactions
                                                                  WHERE conversation_start < '2026-04-13 03:00+00' AND conversation_start >= '2026-04-13 00:00+00')"
step "a conversation of the Sunday evening (New York) deleted" 1
