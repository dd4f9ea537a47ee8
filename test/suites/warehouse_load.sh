#!/usr/bin/env bash
# The warehouse load (issue 13) against gcsim, compared with `gcsim truth`:
#  1. 14 days at 10,000 conversations a day through configure() and run():
#     every conversation of the truth but those of the internal queues,
#     field by field (times, queue, agent, wrap-up, ANI, durations,
#     transfers, abandoned, escalated, bot-only, CRM account, tier, link
#     method), evaluations, daily queue metrics and CRM accounts equal the
#     truth; a second run() changes no row (whole rows compared, loaded_at
#     included).
#  2. faults (10 % 429, 5 % 5xx, dropped connections, truncated bodies,
#     token expiry): still exact.
#  3. a window failing persistently is in the dead-letter list, every other
#     window is loaded; retry_failed() completes it once the fault is gone.
#  4. pg_terminate_backend() in the middle of run(), then run(): exact, no
#     duplicate.
#  5. a tier change in the CRM rewrites no conversation before it
#     (crm_account_history); conversations after it, relinked or reloaded,
#     take the tier valid at their start.
#  6. a window whose first read comes back short is found by check_window()
#     and reloaded by run().
#  7. a role without user mappings gets an error from run() and nothing is
#     loaded; a second run() while one runs returns without loading.
#  8. conversations after the API's data availability date (loaded without
#     participant attributes) are read again by the next run().
#  9. without Salesforce: every conversation is loaded, the CRM's values
#     stay NULL (the sfAccountId attribute still names the account), and
#     join_quality says that no CRM is configured.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

NOW=2026-04-20T12:00:00Z
T=$GCA_BUILD/tmp/warehouse_load
rm -rf "$T"
mkdir -p "$T"
chmod 777 "$T"
PSQL=("$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q)

# servers URL [genesys options]: the warehouse's two servers on gcsim URL
servers() {
    sql "SET client_min_messages = warning;
         DROP SERVER IF EXISTS wh_gc CASCADE; DROP SERVER IF EXISTS wh_sf CASCADE;
         CREATE SERVER wh_gc FOREIGN DATA WRAPPER gcanalytics_fdw
           OPTIONS (service 'genesys', api_url '$1', login_url '$1', requests_per_minute '100000', max_concurrency '4'${2:+, $2});
         CREATE USER MAPPING FOR CURRENT_USER SERVER wh_gc OPTIONS (client_id 'wh', client_secret 'wh-secret');
         CREATE SERVER wh_sf FOREIGN DATA WRAPPER gcanalytics_fdw
           OPTIONS (service 'salesforce', instance_url '$1', requests_per_minute '100000');
         CREATE USER MAPPING FOR CURRENT_USER SERVER wh_sf OPTIONS (client_id 'wh', client_secret 'wh-secret');"
}
# point_at URL: both servers read another gcsim (the warehouse is kept)
point_at() {
    sql "ALTER SERVER wh_gc OPTIONS (SET api_url '$1', SET login_url '$1');
         ALTER SERVER wh_sf OPTIONS (SET instance_url '$1');"
}
# reset_warehouse FROM: empty warehouse, first run starts at FROM
reset_warehouse() {
    sql "TRUNCATE gcanalytics.interactions, gcanalytics.evaluations, gcanalytics.queue_metrics, gcanalytics.crm_accounts, gcanalytics.crm_account_history,
                  gcanalytics.sync_windows, gcanalytics.sync_state;
         UPDATE gcanalytics.settings SET value = '$1' WHERE name = 'initial_sync_from';"
}
# run() up to UNTIL, an hour before gcsim's "now": conversations of the
# last minutes before "now" come from the details query, which carries no
# participant attributes (the API's dataAvailabilityDate; README), so the
# truth's attribute-based fields hold only up to there.
UNTIL=2026-04-20T11:00:00Z
run_load() { "${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1; }

# truth NAME SIMARGS... : the truth of [D1, UNTIL) of that world in wt_NAME_*
truth() {
    local name=$1
    shift
    mkdir -p "$T/$name"
    "$GCSIM" truth "$@" --now $NOW --from "$D1" --to $UNTIL --out "$T/$name" >/dev/null
    chmod -R a+r "$T/$name"
    load_csv "wt_${name}_conv" "$T/$name/conversations.csv"
    load_csv "wt_${name}_eval" "$T/$name/evaluations.csv"
    load_csv "wt_${name}_daily" "$T/$name/queue_daily.csv"
    load_csv "wt_${name}_acct" "$T/$name/accounts.csv"
}

# The columns compared, from the truth (internal queues left out: their ids
# come from gcsim's queue listing, by the names its README gives) and from
# the warehouse.
TRUTH_COLS="conversation_id, conversation_start::timestamptz, conversation_end::timestamptz, media_type,
            originating_direction, queue_id, agent_id, wrapup_code, ani, talk_ms::bigint, held_ms::bigint,
            acw_ms::bigint, handle_ms::bigint, acd_ms::bigint, ivr_ms::bigint, transfers::int,
            abandoned::boolean, escalated::boolean, bot_only::boolean,
            coalesce(account_id, phone_account_id) AS account, tier,
            CASE WHEN account_id IS NOT NULL THEN 'attribute' WHEN phone_account_id IS NOT NULL THEN 'phone' END AS link"
# the truth's conversations that the warehouse loads (internal queues left out)
LOADED="(queue_id IS NULL OR queue_id NOT IN (SELECT id FROM wt_internal))"
WH_COLS="conversation_id, conversation_start, conversation_end, media_type, originating_direction, queue_id,
         agent_id, wrapup_code, ani, talk_ms, customer_hold_ms, acw_ms, handle_ms, acd_ms, ivr_ms, transfers,
         abandoned, was_escalated, handled_by_bot_only, crm_account_id, customer_tier, crm_link"
internal_queues() {
    sql "SET client_min_messages = warning; DROP SCHEMA IF EXISTS wt_src CASCADE; CREATE SCHEMA wt_src;
         IMPORT FOREIGN SCHEMA analytics LIMIT TO (queues) FROM SERVER wh_gc INTO wt_src;
         DROP TABLE IF EXISTS wt_internal; CREATE TABLE wt_internal AS
         SELECT id FROM wt_src.queues WHERE name IN ('QA Review', 'Training', 'Health Check');"
    assert_eq 3 "$(sql "SELECT count(*) FROM wt_internal")" "gcsim lists its 3 internal queues"
}
# compare_interactions NAME WHAT: the warehouse equals the truth NAME
compare_interactions() {
    local n_truth n_wh diff
    n_truth=$(sql "SELECT count(*) FROM wt_$1_conv WHERE $LOADED")
    n_wh=$(sql "SELECT count(*) FROM gcanalytics.interactions")
    diff=$(sql "SELECT count(*) FROM (
                  (SELECT $TRUTH_COLS FROM wt_$1_conv WHERE $LOADED
                   EXCEPT ALL SELECT $WH_COLS FROM gcanalytics.interactions)
                  UNION ALL
                  (SELECT $WH_COLS FROM gcanalytics.interactions
                   EXCEPT ALL SELECT $TRUTH_COLS FROM wt_$1_conv WHERE $LOADED)) d")
    if [ "$diff" != 0 ] || [ "$n_wh" != "$n_truth" ]; then
        sql "SELECT 'truth', * FROM (SELECT $TRUTH_COLS FROM wt_$1_conv WHERE $LOADED
                                     EXCEPT ALL SELECT $WH_COLS FROM gcanalytics.interactions LIMIT 3) d;
             SELECT 'warehouse', * FROM (SELECT $WH_COLS FROM gcanalytics.interactions EXCEPT ALL SELECT $TRUTH_COLS FROM wt_$1_conv LIMIT 3) d" >&2
        fail "$2: $n_wh interactions against $n_truth in the truth, $diff rows differ"
    fi
    echo "ok: $2 ($n_wh interactions equal the truth field by field)"
    check_next_contacts "$2"
}
# check_next_contacts WHAT: next_contact_at, which the load keeps row by
# row, equals the window function over the whole table
check_next_contacts() {
    local got
    got=$(sql "SELECT count(*) FILTER (WHERE next_contact_at IS DISTINCT FROM want), count(want)
                 FROM (SELECT i.next_contact_at,
                              CASE WHEN i.customer_key IS NOT NULL
                                   THEN lead(i.conversation_start) OVER (PARTITION BY i.customer_key
                                                                         ORDER BY i.conversation_start, i.conversation_id) END AS want
                         FROM gcanalytics.interactions i) x")
    [ "${got%%|*}" = 0 ] && [ "${got##*|}" -gt 0 ] \
        || fail "$1: next_contact_at differs from the customers' next conversations in ${got%%|*} rows (of ${got##*|} with one)"
    echo "ok: $1: next_contact_at is each customer's next conversation (${got##*|} rows have one)"
}
# compare_evaluations NAME: the evaluations equal the truth NAME's
compare_evaluations() {
    assert_eq 0 "$(sql "SELECT count(*) FROM ((SELECT evaluation_id, conversation_id, agent_id, form_id, round(total_score::numeric, 2), is_calibration::boolean, status FROM wt_$1_eval)
                                             EXCEPT ALL (SELECT evaluation_id, conversation_id, agent_id, form_id, round(total_score::numeric, 2), is_calibration, status FROM gcanalytics.evaluations)) d")" \
        "every evaluation of the truth is loaded (score, calibration, status)"
    assert_eq "$(sql "SELECT count(*) FROM wt_$1_eval")" "$(sql "SELECT count(*) FROM gcanalytics.evaluations")" "no evaluation beyond the truth"
}
# snapshot NAME: every row of the warehouse tables, whole, into wt_snap_NAME_*
snapshot() {
    local t
    for t in interactions evaluations queue_metrics crm_accounts; do
        sql "SET client_min_messages = warning; DROP TABLE IF EXISTS wt_snap_$1_$t; CREATE TABLE wt_snap_$1_$t AS SELECT * FROM gcanalytics.$t"
    done
}
# same_rows TABLE A B: rows of two snapshots that differ
same_rows() {
    sql "SELECT count(*) FROM ((TABLE wt_snap_$2_$1 EXCEPT ALL TABLE wt_snap_$3_$1) UNION ALL (TABLE wt_snap_$3_$1 EXCEPT ALL TABLE wt_snap_$2_$1)) d"
}

########################################################################
# 1. 14 days at 10,000 a day
D1=2026-04-06
BIG="--seed 42 --conversations-per-day 10000"
# shellcheck disable=SC2086
start_gcsim $BIG --now $NOW --cache-days 3
BIG_URL=$GCSIM_URL
# shellcheck disable=SC2086
truth big $BIG
servers "$BIG_URL"
out=$("${PSQL[@]}" -c "CALL gcanalytics.configure(genesys_server => 'wh_gc', salesforce_server => 'wh_sf')" 2>&1)
echo "$out" | contains "excluded_queues: 3 internal queue" || fail "configure() does not list the 3 internal queues: $out"
internal_queues
assert_eq "$(sql "SELECT string_agg(id, ',' ORDER BY id) FROM wt_internal")" \
    "$(sql "SELECT string_agg(queue_id, ',' ORDER BY queue_id) FROM gcanalytics.excluded_queues")" \
    "configure() excludes exactly the internal queues"
reset_warehouse $D1
out=$(run_load) || fail "run() failed: $out"
echo "$out" | contains "^NOTICE:  conversations \[2026-04-06 00:00:00+00, 2026-04-07 00:00:00+00): [0-9]* rows in" \
    || fail "run() reports no NOTICE per window: $(echo "$out" | head -5)"
echo "$out" | contains "^NOTICE:  gcanalytics.run: [0-9]* conversations, " || fail "run() prints no summary"
echo "$out" | grep -E "^(NOTICE:  gcanalytics.run|WARNING)" || true
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.sync_windows WHERE status <> 'done'")" "every window of 14 days is done"
[ "$(sql "SELECT count(*) FROM pg_inherits WHERE inhparent = 'gcanalytics.interactions'::regclass")" = 1 ] \
    || fail "interactions of April are not in one monthly partition"
compare_interactions big "14 days of 10,000 a day"
[ "$(sql "SELECT count(*) FROM wt_big_conv WHERE queue_id IN (SELECT id FROM wt_internal)")" -gt 100 ] \
    || fail "the truth has few conversations in internal queues: the exclusion is not tested"
compare_evaluations big
assert_eq 0 "$(sql "SELECT count(*) FROM ((SELECT date::date, queue_id, media_type, n_offered::bigint, n_abandoned::bigint, t_handle_sum::float8, t_handle_count::bigint, t_talk_sum::float8, t_acd_sum::float8
                                           FROM wt_big_daily WHERE date::date < '2026-04-20')
                                         EXCEPT ALL (SELECT (interval_start AT TIME ZONE 'UTC')::date, queue_id, media_type, coalesce(n_offered, 0), coalesce(n_abandoned, 0),
                                                            coalesce(t_handle_sum, 0), coalesce(t_handle_count, 0), coalesce(t_talk_sum, 0), coalesce(t_acd_sum, 0)
                                           FROM gcanalytics.queue_metrics WHERE granularity = 'P1D')) d")" \
    "daily queue metrics equal the truth's queue_daily"
assert_eq 0 "$(sql "SELECT count(*) FROM ((SELECT account_id, name, tier, industry, owner_name, ltv::numeric, phone, open_cases::int, open_opportunities::int FROM wt_big_acct)
                                         EXCEPT ALL (SELECT account_id, name, tier, industry, owner, ltv, phone_e164, open_case_count, open_opportunity_count FROM gcanalytics.crm_accounts)) d")" \
    "CRM accounts equal the truth (tier, industry, owner, LTV, phone in E.164, open cases and opportunities)"
assert_eq "$(sql "SELECT count(*) FROM wt_big_acct")" "$(sql "SELECT count(*) FROM gcanalytics.crm_accounts")" "every account once"
snapshot first
out=$(run_load) || fail "run() failed: $out"
snapshot second
for t in interactions evaluations queue_metrics crm_accounts; do
    assert_eq 0 "$(same_rows $t first second)" "a second run() changes no row of $t"
done
stop_all_gcsim


########################################################################
# The other checks on a smaller world: 3 days and 11 hours at 2,000 a day.
D1=2026-04-17
SMALL="--seed 7 --conversations-per-day 2000"
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW
SMALL_URL=$GCSIM_URL
# shellcheck disable=SC2086
truth small $SMALL

# 2. faults
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --fault-429 0.10 --fault-500 0.025 --fault-503 0.025 --fault-drop 0.02 \
    --fault-truncate 0.02 --fault-401 0.02 --gc-token-ttl 2 --sf-token-ttl 2 --latency-ms 5
servers "$GCSIM_URL" "max_retries '10'"
# another world (seed), other queue ids: configure() lists its internal queues afresh
sql "TRUNCATE gcanalytics.excluded_queues; DELETE FROM gcanalytics.settings WHERE name = 'excluded_queues_seeded'"
"${PSQL[@]}" -c "SET client_min_messages = warning; CALL gcanalytics.configure(genesys_server => 'wh_gc', salesforce_server => 'wh_sf')"
internal_queues
reset_warehouse $D1
out=$(run_load) || fail "run() failed under faults: $out"
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.sync_windows WHERE status <> 'done'")" \
    "under faults every window is done$(sql "SELECT format(' (not done: %s %s %s: %s)', resource, window_start, status, error)
                                              FROM gcanalytics.sync_windows WHERE status <> 'done'")"
served=$(curl -s "$GCSIM_URL/sim/stats" | jq '[.total.faults // .total | .. | numbers] | add')
echo "gcsim served faults: $(curl -s "$GCSIM_URL/sim/stats" | jq -c '.total')"
compare_interactions small "under 10 % 429, 5 % 5xx, dropped connections, truncated bodies, token expiry"

# 3. one window failing persistently, then retry_failed()
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --fault-window-status 2026-04-18T10:00:00Z/2026-04-18T10:30:00Z:500
point_at "$GCSIM_URL"
sql "ALTER SERVER wh_gc OPTIONS (SET max_retries '1')"
reset_warehouse $D1
sql "UPDATE gcanalytics.settings SET value = '6 hours' WHERE name = 'window_max_length'"
out=$(run_load) || fail "run() failed instead of recording the failed window: $out"
echo "$out" | contains "^WARNING:  loading conversations \[2026-04-18 06:00:00+00, 2026-04-18 12:00:00+00) failed" \
    || fail "no WARNING for the failed window: $out"
# evaluations are found through the details query as well: their day fails too
assert_eq "conversations|2026-04-18 06:00:00+00|2026-04-18 12:00:00+00|1|t
evaluations|2026-04-18 00:00:00+00|2026-04-19 00:00:00+00|1|t" \
    "$(sql "SELECT resource, window_start, window_end, attempts, error LIKE '%500%' FROM gcanalytics.failed_windows ORDER BY 1")" \
    "the windows overlapping the failing interval are the only ones in the dead-letter list, with their error"
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.interactions WHERE conversation_start >= '2026-04-18 06:00+00' AND conversation_start < '2026-04-18 12:00+00'")" \
    "nothing of the failed window is half-written"
assert_eq "t" "$(sql "SELECT gcanalytics.complete_until('conversations') <= '2026-04-18 06:00:00+00'")" \
    "complete_until() stops at the failed window: the dashboards call its days provisional until it is loaded"
assert_eq "$(sql "SELECT count(*) FROM wt_small_conv WHERE $LOADED
                   AND NOT (conversation_start::timestamptz >= '2026-04-18 06:00+00' AND conversation_start::timestamptz < '2026-04-18 12:00+00')")" \
    "$(sql "SELECT count(*) FROM gcanalytics.interactions")" "every other window is loaded"
out=$(run_load) || fail "the second run() failed: $out"
assert_eq "conversations|2
evaluations|true" "$(sql "SELECT resource, CASE resource WHEN 'conversations' THEN attempts::text ELSE (attempts >= 2)::text END FROM gcanalytics.failed_windows ORDER BY 1")" \
    "run() retries the failed windows (and records the attempts; the evaluations day is in the re-read lookback too)"
point_at "$SMALL_URL"
"${PSQL[@]}" -c "CALL gcanalytics.retry_failed()" 2>&1 | contains "2 window(s) retried, 0 still failed" || fail "retry_failed() did not complete the windows"
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.failed_windows")" "the dead-letter list is empty after retry_failed()"
compare_interactions small "after retry_failed()"
compare_evaluations small
sql "UPDATE gcanalytics.settings SET value = (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'window_max_length') WHERE name = 'window_max_length'"

# 4. pg_terminate_backend() in the middle of run()
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --latency-ms 150
point_at "$GCSIM_URL"
reset_warehouse $D1
sql "UPDATE gcanalytics.settings SET value = '3 hours' WHERE name = 'window_max_length'"
("${PSQL[@]}" -c "SET application_name = 'wt_victim'" -c "CALL gcanalytics.run(until => '$UNTIL')" >"$T/victim.log" 2>&1 || true) &
victim=$!
for _ in $(seq 1 300); do
    [ "$(sql "SELECT count(*) FROM gcanalytics.sync_windows WHERE resource = 'conversations' AND status = 'done'")" -ge 3 ] && break
    sleep 0.2
done
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wt_victim'" >/dev/null
wait $victim || true
n_partial=$(sql "SELECT count(*) FROM gcanalytics.interactions")
[ "$n_partial" -gt 0 ] || fail "the terminated run loaded nothing: the test did not interrupt it mid-run"
echo "terminated run() after $n_partial interactions; $(sql "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n FROM gcanalytics.sync_windows GROUP BY 1) s")"
out=$(run_load) || fail "run() after pg_terminate_backend failed: $out"
sql "UPDATE gcanalytics.settings SET value = (SELECT value FROM gcanalytics.setting_defaults() WHERE name = 'window_max_length') WHERE name = 'window_max_length'"
assert_eq 0 "$(sql "SELECT count(*) FROM gcanalytics.sync_windows WHERE status <> 'done'")" "the interrupted window is loaded by the next run()"
compare_interactions small "pg_terminate_backend() mid-run, then run(): nothing lost or duplicated"
point_at "$SMALL_URL"

# 5. a tier change in the CRM: gcsim's Salesforce reports two accounts with
# a new tier and the SystemModstamp --now, after every conversation; the
# Genesys world and the truth's tier (the tier at the time of each call)
# stay as they were
# (accounts with conversations on 2026-04-18 and after 2026-04-19, the two
# sides of the change moved there below)
BOTH_SIDES="HAVING count(*) FILTER (WHERE conversation_start >= '2026-04-18' AND conversation_start < '2026-04-19') > 0
                AND count(*) FILTER (WHERE conversation_start >= '2026-04-19') > 0"
acct=$(sql "SELECT crm_account_id FROM gcanalytics.interactions WHERE customer_tier = 'SMB' AND crm_link = 'attribute'
             GROUP BY 1 $BOTH_SIDES ORDER BY count(*) DESC, 1 LIMIT 1")
phone_acct=$(sql "SELECT crm_account_id FROM gcanalytics.interactions WHERE customer_tier = 'Mid-Market' AND crm_link = 'phone'
                   GROUP BY 1 $BOTH_SIDES ORDER BY count(*) DESC, 1 LIMIT 1")
[ -n "$acct" ] && [ -n "$phone_acct" ] || fail "no account to change the tier of"
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --sf-tier-change "$acct=Enterprise" --sf-tier-change "$phone_acct=SMB"
point_at "$GCSIM_URL"
snapshot before_tier
"${PSQL[@]}" -c "CALL gcanalytics.sync_crm()"
snapshot after_tier
assert_eq 0 "$(same_rows interactions before_tier after_tier)" "a tier change rewrites no conversation before it (gcsim dates the edit --now, after all of them)"
compare_interactions small "after the tier change: each conversation keeps the tier of the time of the call, the truth's"
assert_eq "$acct|-infinity|2026-04-20 12:00:00+00|SMB
$acct|2026-04-20 12:00:00+00|infinity|Enterprise
$phone_acct|-infinity|2026-04-20 12:00:00+00|Mid-Market
$phone_acct|2026-04-20 12:00:00+00|infinity|SMB" \
    "$(sql "SELECT account_id, valid_from, valid_to, tier FROM gcanalytics.crm_account_history
             WHERE account_id IN ('$acct', '$phone_acct') ORDER BY account_id = '$phone_acct', valid_from")" \
    "crm_account_history: the old tier since ever up to the SystemModstamp of the change, the new one from there"
assert_eq "0|$(sql "SELECT count(*) FROM gcanalytics.crm_accounts")" \
    "$(sql "SELECT count(*) FILTER (WHERE h.account_id IS NULL OR (a.name, a.tier, a.industry, a.owner, a.ltv, a.phone, a.phone_e164)
                                       IS DISTINCT FROM (h.name, h.tier, h.industry, h.owner, h.ltv, h.phone, h.phone_e164)), count(*)
             FROM gcanalytics.crm_accounts a
             LEFT JOIN gcanalytics.crm_account_history h ON h.account_id = a.account_id AND h.valid_to = 'infinity'")" \
    "every account's current history row holds its crm_accounts values"
assert_eq "Enterprise SMB" "$(sql "SELECT (SELECT tier FROM gcanalytics.crm_accounts WHERE account_id = '$acct') || ' ' || (SELECT tier FROM gcanalytics.crm_accounts WHERE account_id = '$phone_acct')")" \
    "crm_accounts holds the new tiers"
# as if the edits had been made at 2026-04-19 00:00 and the warehouse had
# learnt of them late: the conversations after that time take the new
# tier, those before keep the old one, both through the relink of
# sync_crm() (phone links within crm_relink_days) and through a reload
CHANGE=2026-04-19T00:00:00Z
sql "UPDATE gcanalytics.crm_account_history SET valid_to = '$CHANGE' WHERE account_id IN ('$acct', '$phone_acct') AND valid_to = '$NOW';
     UPDATE gcanalytics.crm_account_history SET valid_from = '$CHANGE' WHERE account_id IN ('$acct', '$phone_acct') AND valid_from = '$NOW'"
# wanted_tiers CONDITION: the interactions meeting CONDITION whose tier is
# not the truth's tier at the time of the call, with the change at CHANGE
wanted_tiers() {
    sql "SELECT count(*) FROM gcanalytics.interactions i JOIN wt_small_conv t USING (conversation_id)
          WHERE ($1)
            AND i.customer_tier IS DISTINCT FROM CASE WHEN i.conversation_start >= '$CHANGE' AND i.crm_account_id = '$acct' THEN 'Enterprise'
                                                      WHEN i.conversation_start >= '$CHANGE' AND i.crm_account_id = '$phone_acct' THEN 'SMB'
                                                      ELSE t.tier END"
}
"${PSQL[@]}" -c "CALL gcanalytics.sync_crm()"
assert_eq "0" "$(wanted_tiers "i.crm_account_id = '$phone_acct' AND i.crm_link = 'phone'")" "sync_crm() relinks the phone-linked conversations with the tier valid at their start"
sql "CALL gcanalytics.sync_conversations('2026-04-18 00:00Z', '$UNTIL')" 2>/dev/null
assert_eq "0" "$(wanted_tiers "i.crm_account_id IN ('$acct', '$phone_acct')")" "a reload enriches each conversation with the tier valid at its start"
[ "$(sql "SELECT count(DISTINCT (crm_account_id, conversation_start >= '$CHANGE')) FROM gcanalytics.interactions
           WHERE crm_account_id IN ('$acct', '$phone_acct') AND conversation_start >= '2026-04-18'")" = 4 ] \
    || fail "the changed accounts have no reloaded conversations on both sides of the change: the test proves nothing"
check_next_contacts "after sync_crm()"

# a conversation that changes customer (as a CRM relink does) leaves one
# place and takes another: _link_next_contacts() mends both customers, and
# a customer that becomes unknown loses its next contact
sql "SET client_min_messages = warning;
     DROP TABLE IF EXISTS wt_moves; CREATE TABLE wt_moves AS
     WITH c AS (SELECT customer_key FROM gcanalytics.interactions WHERE customer_key IS NOT NULL
                 GROUP BY 1 HAVING count(*) >= 3 ORDER BY count(*) DESC, 1 LIMIT 3),
          m AS (SELECT DISTINCT ON (i.customer_key) i.conversation_id, i.conversation_start, i.customer_key
                  FROM gcanalytics.interactions i JOIN c USING (customer_key)
                 ORDER BY i.customer_key, i.conversation_start DESC OFFSET 0)
     SELECT m.*, CASE row_number() OVER (ORDER BY m.customer_key) WHEN 1 THEN (SELECT max(customer_key) FROM c)
                                                                 WHEN 2 THEN NULL ELSE 'wt-new-customer' END AS new_key
       FROM m;
     UPDATE gcanalytics.interactions i SET customer_key = m.new_key FROM wt_moves m
      WHERE i.conversation_id = m.conversation_id AND i.conversation_start = m.conversation_start;
     SELECT gcanalytics._link_next_contacts(ARRAY(
         SELECT ROW(k, m.conversation_start, m.conversation_id)::gcanalytics._contact_place
           FROM wt_moves m, LATERAL (VALUES (m.customer_key), (m.new_key)) v(k)));" >/dev/null
assert_eq 3 "$(sql "SELECT count(*) FROM wt_moves")" "3 conversations change customer (to another, to none, to a new one)"
check_next_contacts "after conversations changed customer"
sql "UPDATE gcanalytics.interactions i SET customer_key = m.customer_key FROM wt_moves m
      WHERE i.conversation_id = m.conversation_id AND i.conversation_start = m.conversation_start;
     SELECT gcanalytics._link_next_contacts(ARRAY(
         SELECT ROW(k, m.conversation_start, m.conversation_id)::gcanalytics._contact_place
           FROM wt_moves m, LATERAL (VALUES (m.customer_key), (m.new_key)) v(k)));" >/dev/null
check_next_contacts "after they changed back"

# 6. a window whose first read comes back short
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --fault-short-window 2026-04-19T13:00:00Z/2026-04-19T16:00:00Z:0.3
servers "$GCSIM_URL"
"${PSQL[@]}" -c "SET client_min_messages = warning; CALL gcanalytics.configure(genesys_server => 'wh_gc', salesforce_server => 'wh_sf')"
reset_warehouse $D1
# gcsim shortens the first read overlapping the window, whichever it is:
# with run_workers the evaluations' details query may come first (README
# "The warehouse", run_workers), so this run loads one step after another
sql "INSERT INTO gcanalytics.settings (name, value) VALUES ('run_workers', 'false')
     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
out=$(run_load) || fail "run() failed: $out"
sql "UPDATE gcanalytics.settings SET value = 'true' WHERE name = 'run_workers'"
echo "$out" | contains "^NOTICE:  conversations \[2026-04-19 00:00:00+00, 2026-04-20 00:00:00+00): loaded volume differs from the aggregates count; loading it again" \
    || fail "run() did not find the short window: $(echo "$out" | grep -v '^NOTICE:  \(evaluations\|queue_metrics\)')"
compare_interactions small "a window read short the first time is found by the validation and reloaded"
assert_eq "0" "$(sql "SELECT count(*) FROM gcanalytics.check_window('conversations', '$D1', '$UNTIL') WHERE NOT ok")" \
    "check_window() finds every window whole afterwards"

# 7. a role without user mappings; two run() at once
sql "DROP ROLE IF EXISTS wt_nomap; CREATE ROLE wt_nomap LOGIN;
     GRANT ALL ON ALL TABLES IN SCHEMA gcanalytics TO wt_nomap; GRANT EXECUTE ON ALL ROUTINES IN SCHEMA gcanalytics TO wt_nomap; GRANT USAGE ON SCHEMA gcanalytics_source TO wt_nomap;
     GRANT USAGE ON FOREIGN SERVER wh_gc, wh_sf TO wt_nomap"
before=$(sql "SELECT count(*) || '/' || (SELECT count(*) FROM gcanalytics.sync_windows) FROM gcanalytics.interactions")
if out=$("${PSQL[@]}" -U wt_nomap -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1); then
    fail "run() without a user mapping succeeded: $out"
fi
echo "$out" | contains 'ERROR:  role "wt_nomap" has no user mapping for server "wh_gc"' || fail "unclear error: $out"
echo "$out" | contains 'HINT:  CREATE USER MAPPING FOR wt_nomap SERVER wh_gc' || fail "no hint: $out"
assert_eq "$before" "$(sql "SELECT count(*) || '/' || (SELECT count(*) FROM gcanalytics.sync_windows) FROM gcanalytics.interactions")" \
    "run() without a user mapping loads and records nothing"
sql "DROP OWNED BY wt_nomap; DROP ROLE wt_nomap"
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --latency-ms 300
point_at "$GCSIM_URL"
("${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" >"$T/first.log" 2>&1) &
first=$!
for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM gcanalytics.sync_windows WHERE status = 'running'")" -ge 1 ] && break
    sleep 0.1
done
out=$("${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" 2>&1)
echo "$out" | contains "WARNING:  another gcanalytics load is running (process [0-9]*, role \"$PGUSER\"); this one returns without loading" \
    || fail "the second run() did not step aside: $out"
wait $first
grep -q "NOTICE:  gcanalytics.run: " "$T/first.log" || fail "the first run() did not finish: $(cat "$T/first.log")"
echo "ok: a second run() while one runs returns without loading"

# 8. the API's data availability date: conversations after it come from the
# details query without participant attributes, so the high-water mark
# stops there and the next run(), once the date has moved on, reads them
# again with their attributes.  gcsim 5 hours behind (07:00) is further
# back than the 2-hour lag window before UNTIL (11:00): only the mark at
# the availability date brings 07:00-09:00 back.
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW --job-availability-lag-s 18000
point_at "$GCSIM_URL"
reset_warehouse $D1
out=$(run_load) || fail "run() failed: $out"
echo "$out" | contains "NOTICE:  conversations after 2026-04-20 07:00:00+00 (the API's data availability date) come without participant attributes" \
    || fail "run() did not say that the newest conversations lack their attributes: $out"
assert_eq "2026-04-20 07:00:00+00" "$(sql "SELECT high_water_mark FROM gcanalytics.sync_state WHERE resource = 'conversations'")" \
    "the conversations' high-water mark stops at the data availability date"
late="conversation_start::timestamptz >= '2026-04-20T07:00:00Z' AND $LOADED"
n_truth=$(sql "SELECT count(*) FROM wt_small_conv WHERE account_id IS NOT NULL AND $late")
n_first=$(sql "SELECT count(*) FROM gcanalytics.interactions WHERE crm_link = 'attribute' AND $late")
[ "$n_first" -lt "$n_truth" ] || fail "the late conversations came with their attributes ($n_first of $n_truth linked by attribute): the check proves nothing"
# shellcheck disable=SC2086
start_gcsim $SMALL --now $NOW
point_at "$GCSIM_URL"
out=$(run_load) || fail "run() failed: $out"
compare_interactions small "once the availability date moved on, the next run() completed the conversations loaded without attributes ($n_first of $n_truth linked by attribute before)"

# 9. without Salesforce
"${PSQL[@]}" -c "SET client_min_messages = warning; CALL gcanalytics.configure(genesys_server => 'wh_gc')"
reset_warehouse $D1
out=$(run_load) || fail "run() without Salesforce failed: $out"
echo "$out" | contains "NOTICE:  crm:" && fail "run() without Salesforce read a CRM: $out"
n_truth=$(sql "SELECT count(*) FROM wt_small_conv WHERE $LOADED")
n_attr=$(sql "SELECT count(*) FROM wt_small_conv WHERE account_id IS NOT NULL AND $LOADED")
assert_eq "$n_truth|0|0|$n_attr|$n_attr" \
    "$(sql "SELECT count(*), count(*) FILTER (WHERE num_nonnulls(customer_tier, industry, ltv, account_name) > 0),
                   (SELECT count(*) FROM gcanalytics.crm_accounts),
                   count(*) FILTER (WHERE crm_link = 'attribute'), count(crm_link)
              FROM gcanalytics.interactions")" \
    "without Salesforce every conversation is loaded, no CRM value is filled, only the sfAccountId attribute links"
sql "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1
assert_eq "t" "$(sql "SELECT bool_and(warning LIKE 'no CRM is configured%') AND count(*) > 0 FROM gcanalytics.join_quality")" \
    "join_quality says that no CRM is configured"
"${PSQL[@]}" -c "SET client_min_messages = warning; CALL gcanalytics.configure(genesys_server => 'wh_gc', salesforce_server => 'wh_sf')"

# 10. the session's (or the server's, which pg_cron's jobs inherit) TimeZone
# changes nothing: the same world loaded under UTC, America/New_York and
# Asia/Kolkata (a half-hour offset) gives the same rows in every table
# (loaded_at and the windows' timings aside), across the US DST change of
# 2026-03-08 (a day of 23 hours in New York); initial_sync_from without a
# zone is a UTC time.  Equal to the truth too, so that none is equally wrong.
DST_NOW=2026-03-09T12:00:00Z
DST_UNTIL=2026-03-09T11:00:00Z
# shellcheck disable=SC2086
start_gcsim $SMALL --now $DST_NOW
point_at "$GCSIM_URL"
mkdir -p "$T/dst"
# shellcheck disable=SC2086
"$GCSIM" truth $SMALL --now $DST_NOW --from 2026-03-06 --to $DST_UNTIL --out "$T/dst" >/dev/null
chmod -R a+r "$T/dst"
load_csv wt_dst_conv "$T/dst/conversations.csv"
load_csv wt_dst_eval "$T/dst/evaluations.csv"
for tz in UTC America/New_York Asia/Kolkata; do
    reset_warehouse "2026-03-06 00:00"
    # Asia/Kolkata under DateStyle SQL too: its times print as "IST", an
    # abbreviation PostgreSQL reads back as Israel's (+02): every date and
    # time the load writes into its statements must be ISO 8601
    ds=ISO; [ "$tz" = Asia/Kolkata ] && ds="SQL, DMY"
    out=$(PGTZ=$tz PGDATESTYLE=$ds "${PSQL[@]}" -c "CALL gcanalytics.run(until => '$DST_UNTIL')" 2>&1) \
        || fail "run() under TimeZone $tz and DateStyle $ds failed: $out"
    name=$(echo "$tz" | tr -c 'a-zA-Z\n' _ | tr 'A-Z' 'a-z')
    for t in interactions evaluations queue_metrics crm_accounts sync_windows; do
        sql "SET client_min_messages = warning; DROP TABLE IF EXISTS wt_tz_${name}_$t;
             CREATE TABLE wt_tz_${name}_$t AS SELECT $(sql "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
                                                             FROM pg_attribute WHERE attrelid = 'gcanalytics.$t'::regclass AND attnum > 0
                                                              AND NOT attisdropped
                                                              AND attname NOT IN ('loaded_at', 'started_at', 'finished_at', 'seconds', 'checked_at')")
                                              FROM gcanalytics.$t"
    done
    [ "$tz" = UTC ] && { compare_interactions dst "under TimeZone UTC, across 2026-03-08"; compare_evaluations dst; }
done
for name in america_new_york asia_kolkata; do
    for t in interactions evaluations queue_metrics crm_accounts sync_windows; do
        n=$(sql "SELECT count(*) FROM ((TABLE wt_tz_utc_$t EXCEPT ALL TABLE wt_tz_${name}_$t)
                                      UNION ALL (TABLE wt_tz_${name}_$t EXCEPT ALL TABLE wt_tz_utc_$t)) d")
        assert_eq 0 "$n" "$t loaded under TimeZone $name equals the load under UTC ($(sql "SELECT count(*) FROM wt_tz_utc_$t") rows)"
    done
done
assert_eq "0|0|t|0" \
    "$(sql "SELECT count(*) FILTER (WHERE granularity = 'PT15M' AND interval_start <> date_bin('15 minutes', interval_start, '2026-01-01 00:00Z')),
                   count(*) FILTER (WHERE granularity = 'P1D' AND interval_start <> date_trunc('day', interval_start, 'UTC')),
                   count(*) FILTER (WHERE granularity = 'P1D' AND interval_start = '2026-03-08 00:00Z') > 0,
                   count(*) FILTER (WHERE granularity NOT IN ('PT15M', 'P1D'))
              FROM wt_tz_asia_kolkata_queue_metrics")" \
    "under Asia/Kolkata the queue metrics are UTC quarter hours and UTC days (2026-03-08 included)"
