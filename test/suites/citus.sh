#!/usr/bin/env bash
# harness-timeout: 1800
# The warehouse and the dashboards scaled out on Citus: a coordinator and
# two workers (Citus built once from its source archive, cached under
# .build/), beside the scratch cluster, which does the same load as a
# plain node (in a database of its own, dropped at the end).  On both,
# against the demo's world (gcsim seed 42, two weeks):
#  1. configure(); on the coordinator distribute() (twice: idempotent) and
#     the README's "Scaling out with Citus" block as written;
#  2. run() against a gcsim failing a window persistently: the window is
#     in the dead-letter list; retry_failed() against the healthy gcsim;
#  3. a second run() changes no row (loaded_at included);
#  4. a tier change in the CRM and the relink (sync_crm()): the tier valid
#     at each conversation's start;
#  5. refresh_dashboards(); a second load and an incremental refresh;
#     schedule();
# then every table and view of the coordinator equals the plain node's
# (floats rounded), next_contact_at equals its lead() definition, and every
# worker holds shards of every distributed table and a copy of every
# reference table, their rows adding up to the coordinator's.
# distribute() refuses clearly on the plain node (no Citus).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"
. "$GCA_ROOT/test/citus_lib.sh"

if ! citus_source >/dev/null; then
    echo "skipped: no Citus source archive (../shared/vendor/citus-$CITUS_VERSION.tar.gz from the repository root, or GCA_CITUS_SOURCE)"
    exit 77
fi
T=$GCA_BUILD/tmp/citus
mkdir -p "$T"
chmod 777 "$T"
NOW=2026-04-20T12:00:00Z
UNTIL=2026-04-20T11:00:00Z
SINCE=2026-04-06T00:00:00Z
PSQL=("$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q)
HEALTHY_URL=$GCSIM_URL

t0=$SECONDS
citus_build || fail "could not build Citus"
echo "Citus ready in $((SECONDS - t0)) s"
t1=$SECONDS
citus_cluster_start
echo "coordinator and two workers up in $((SECONDS - t1)) s"

# the plain node: a database of its own on the scratch cluster
PGDATABASE=postgres sql "DROP DATABASE IF EXISTS gca_citus_plain" 2>/dev/null
PGDATABASE=postgres sql "CREATE DATABASE gca_citus_plain"
export PGDATABASE=gca_citus_plain
sql "CREATE EXTENSION gcanalytics"

# ---------------------------------------------------------------- refusal
out=$("${PSQL[@]}" -c "SELECT * FROM gcanalytics.distribute()" 2>&1 -v VERBOSITY=verbose) && fail "distribute() without Citus succeeded"
echo "$out" | contains "ERROR:  55000: distribute() needs Citus, which is not installed" || fail "distribute() without Citus: $out"
echo "$out" | contains "HINT:  On every node: add citus" || fail "distribute() without Citus gives no hint: $out"

# ------------------------------------------- extension on every node
csql 0 "CREATE EXTENSION gcanalytics" >/dev/null
for n in 1 2; do
    assert_eq "$(sql "SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics'")" \
        "$(csql "$n" "SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics'")" \
        "CREATE EXTENSION gcanalytics on the coordinator created it on worker $n"
    assert_eq 1 "$(csql "$n" "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")" \
        "CREATE EXTENSION pg_cron on the coordinator created it on worker $n (its cron.database_name is the warehouse's)"
done

# both: the same SQL on the plain node and on the coordinator
both() { sql "$1" >/dev/null; csql 0 "$1" >/dev/null; }
# both_call: a CALL on both, its output (NOTICEs, WARNINGs) of each in
# $T/plain.out and $T/citus.out
both_call() {
    "${PSQL[@]}" -c "$1" >"$T/plain.out" 2>&1 || { cat "$T/plain.out"; fail "plain node: $1"; }
    cpsql 0 -q -c "$1" >"$T/citus.out" 2>&1 || { cat "$T/citus.out"; fail "coordinator: $1"; }
}
# servers URL: the warehouse's servers on both nodes read the gcsim at URL
point_at() {
    both "ALTER SERVER genesys OPTIONS (SET api_url '$1', SET login_url '$1');
          ALTER SERVER salesforce OPTIONS (SET instance_url '$1');"
}

both "SET client_min_messages = warning; $(warehouse_servers_sql "$HEALTHY_URL" 100000)
      UPDATE gcanalytics.settings SET value = '$SINCE' WHERE name = 'initial_sync_from';
      INSERT INTO gcanalytics.releases (release_name, released_at) VALUES ('5.0', '2026-04-13 00:00Z');"
assert_eq 2 "$(csql 1 "SELECT count(*) FROM pg_foreign_server WHERE srvname IN ('genesys', 'salesforce')")" \
    "the servers created on the coordinator are on the workers too"

# ------------------------------------------------------------ distribute()
out=$(cpsql 1 -v VERBOSITY=verbose -c "SELECT * FROM gcanalytics.distribute()" 2>&1) && fail "distribute() on a worker succeeded"
echo "$out" | contains "ERROR:  55000: distribute() runs on the Citus coordinator" || fail "distribute() on a worker: $out"
# the README's block, as written (README "Scaling out with Citus")
awk '/^### Scaling out with Citus/ { on = 1; next } on && /^##/ { on = 0 } on' "$GCA_ROOT/README.md" \
    | awk '/^```sql/ { on = 1; next } /^```/ { on = 0 } on' >"$T/readme.sql"
[ -s "$T/readme.sql" ] || fail "the README's Citus section has no SQL block"
cpsql 0 -f "$T/readme.sql" >"$T/readme.out" 2>&1 || { cat "$T/readme.out"; fail "the README's Citus block failed on the coordinator"; }
cat "$T/readme.out"
# the README's table of placements names every table of the extension,
# with the placement distribute() gives it
awk '/^### Scaling out with Citus/ { on = 1; next } on && /^##/ { on = 0 } on && /^\| `/' "$GCA_ROOT/README.md" >"$T/readme_tables.md"
while IFS='|' read -r tab placement; do
    grep -E "^\| ([^|]*, )?\`$tab\`[ ,(]" "$T/readme_tables.md" | grep -q "| $placement" \
        || fail "the README's Citus table does not name $tab as $placement"
done < <(csql 0 "SELECT split_part(table_name::text, '.', 2),
                        CASE placement WHEN 'local' THEN 'local to the coordinator' ELSE placement END
                   FROM gcanalytics._citus_plan()")
assert_eq 0 "$(csql 0 "SELECT count(*) FROM gcanalytics.distribute() WHERE action NOT IN ('already', 'kept local')")" \
    "a second distribute() finds every table placed and changes nothing"
assert_eq "evaluations|h|conversation_id
interactions|h|conversation_id
queue_metrics|h|queue_id
surveys|h|conversation_id" \
    "$(csql 0 "SELECT logicalrelid::regclass::text, partmethod, column_to_column_name(logicalrelid, partkey)
                FROM pg_dist_partition WHERE partmethod = 'h' AND logicalrelid::regclass::text NOT LIKE '%interactions\_2%'
               ORDER BY 1" | sed 's/^gcanalytics\.//')" "the large tables are hash-distributed"
for t in evaluations surveys; do
    assert_eq t "$(csql 0 "SELECT (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'gcanalytics.interactions'::regclass)
                               = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'gcanalytics.$t'::regclass)")" \
        "$t is co-located with interactions"
done
assert_eq "" "$(csql 0 "SELECT string_agg(c.relname, ', ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'gcanalytics' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                          AND c.relname NOT IN (SELECT split_part(p.table_name::text, '.', 2) FROM gcanalytics._citus_plan() p
                                                 WHERE p.placement = 'local')
                          AND NOT EXISTS (SELECT 1 FROM pg_dist_partition d WHERE d.logicalrelid = c.oid)")" \
    "every table distribute() does not keep local is distributed or a reference table"
assert_eq "bot_containment_by_industry bot_containment_parts cx_insights_parts cx_overview_parts dashboard_changes dashboard_conversation_changes dashboard_refreshes dashboard_rollups escalation_accounts escalation_by_tier escalation_parts escalation_week_accounts escalation_weekly join_quality join_quality_parts kpi_daily kpi_daily_parts kpi_weekly load_lock load_refusals queue_interval queue_interval_parts settings sync_state sync_windows" \
    "$(csql 0 "SELECT string_agg(split_part(table_name::text, '.', 2), ' ' ORDER BY split_part(table_name::text, '.', 2)) FROM gcanalytics.distribute()
                WHERE action = 'kept local'")" "distribute() keeps the coordinator's bookkeeping local"

# configure() again, as a user changing a server would: it works over the
# distributed tables
both "SET client_min_messages = warning; CALL gcanalytics.configure(genesys_server => 'genesys', salesforce_server => 'salesforce')"

# ------------------------------------------------------ the load, on both
# 2. a window failing persistently (every attempt a 500), then retry_failed()
start_gcsim --seed 42 --now $NOW --fault-window-status 2026-04-15T10:00:00Z/2026-04-15T10:30:00Z:500
FAULT_URL=$GCSIM_URL
point_at "$FAULT_URL"
both "ALTER SERVER genesys OPTIONS (ADD max_retries '1')"
t2=$SECONDS
both_call "CALL gcanalytics.run(until => '$UNTIL')"
echo "run() over two weeks: $((SECONDS - t2)) s for both nodes"
grep -E 'WARNING|ERROR' "$T/citus.out" | head -n 20
for f in plain citus; do
    contains "^WARNING:  loading conversations \[2026-04-15 " "$T/$f.out" || { cat "$T/$f.out"; fail "$f: no WARNING for the failing window"; }
done
assert_eq "$(sql "SELECT resource, window_start, attempts FROM gcanalytics.failed_windows ORDER BY 1, 2")" \
    "$(csql 0 "SELECT resource, window_start, attempts FROM gcanalytics.failed_windows ORDER BY 1, 2")" \
    "the same windows failed on both nodes"
[ "$(csql 0 "SELECT count(*) FROM gcanalytics.failed_windows")" -ge 1 ] || fail "no window failed on the coordinator"
point_at "$HEALTHY_URL"
both "ALTER SERVER genesys OPTIONS (DROP max_retries)"
both_call "CALL gcanalytics.retry_failed()"
contains "still failed" "$T/citus.out" && ! contains ", [1-9][0-9]* still failed" "$T/citus.out" \
    || { cat "$T/citus.out"; fail "retry_failed() on the coordinator did not complete the windows"; }
assert_eq 0 "$(csql 0 "SELECT count(*) FROM gcanalytics.failed_windows")" "the coordinator's dead-letter list is empty after retry_failed()"

# 3. a second run() changes nothing
LOADED_TABLES="interactions evaluations queue_metrics crm_accounts crm_account_history surveys adherence crm_cases crm_opportunities"
for t in $LOADED_TABLES; do
    csql 0 "CREATE TABLE public.snap_$t AS SELECT * FROM gcanalytics.$t" >/dev/null
done
both_call "CALL gcanalytics.run(until => '$UNTIL')"
for t in $LOADED_TABLES; do
    assert_eq 0 "$(csql 0 "SELECT count(*) FROM ((SELECT * FROM gcanalytics.$t EXCEPT ALL SELECT * FROM public.snap_$t)
                                                UNION ALL (SELECT * FROM public.snap_$t EXCEPT ALL SELECT * FROM gcanalytics.$t)) d")" \
        "the second run() changed no row of $t (loaded_at included)"
done

# 4. a tier change in the CRM, and the relink of the last days: gcsim dates
# the edit --now, after every conversation, so the first sync_crm()
# rewrites none; then, as if it had been made at CHANGE and learnt of
# late, the relink gives the phone-linked conversations after CHANGE the
# new tier (the tier valid at their start) and keeps the old one before
BOTH_SIDES="HAVING count(*) FILTER (WHERE conversation_start >= '2026-04-18' AND conversation_start < '2026-04-19') > 0
                AND count(*) FILTER (WHERE conversation_start >= '2026-04-19') > 0"
acct=$(csql 0 "SELECT crm_account_id FROM gcanalytics.interactions WHERE customer_tier = 'SMB' AND crm_link = 'attribute'
                GROUP BY 1 $BOTH_SIDES ORDER BY count(*) DESC, 1 LIMIT 1")
phone_acct=$(csql 0 "SELECT crm_account_id FROM gcanalytics.interactions WHERE customer_tier = 'Mid-Market' AND crm_link = 'phone'
                      GROUP BY 1 $BOTH_SIDES ORDER BY count(*) DESC, 1 LIMIT 1")
[ -n "$acct" ] && [ -n "$phone_acct" ] || fail "no account to change the tier of"
start_gcsim --seed 42 --now $NOW --sf-tier-change "$acct=Enterprise" --sf-tier-change "$phone_acct=SMB"
point_at "$GCSIM_URL"
both "UPDATE gcanalytics.settings SET value = '3' WHERE name = 'crm_relink_days'"
csql 0 "DROP TABLE IF EXISTS public.snap_interactions; CREATE TABLE public.snap_interactions AS SELECT * FROM gcanalytics.interactions" >/dev/null
both_call "CALL gcanalytics.sync_crm()"
assert_eq 0 "$(csql 0 "SELECT count(*) FROM ((SELECT * FROM gcanalytics.interactions EXCEPT ALL SELECT * FROM public.snap_interactions)
                                            UNION ALL (SELECT * FROM public.snap_interactions EXCEPT ALL SELECT * FROM gcanalytics.interactions)) d")" \
    "a tier change dated after every conversation rewrites none on the coordinator"
assert_eq "Enterprise SMB" "$(csql 0 "SELECT string_agg(tier, ' ' ORDER BY account_id = '$phone_acct') FROM gcanalytics.crm_account_history
                                      WHERE account_id IN ('$acct', '$phone_acct') AND valid_to = 'infinity'")" \
    "crm_account_history on the coordinator holds the new tiers from the change"
CHANGE=2026-04-19T00:00:00Z
both "UPDATE gcanalytics.crm_account_history SET valid_to = '$CHANGE' WHERE account_id IN ('$acct', '$phone_acct') AND valid_to = '$NOW';
      UPDATE gcanalytics.crm_account_history SET valid_from = '$CHANGE' WHERE account_id IN ('$acct', '$phone_acct') AND valid_from = '$NOW'"
both_call "CALL gcanalytics.sync_crm()"
cutoff="(SELECT max(conversation_start) - interval '3 days' FROM gcanalytics.interactions)"
assert_eq "f|Mid-Market
t|SMB" \
    "$(csql 0 "SELECT conversation_start >= '$CHANGE', string_agg(DISTINCT customer_tier, ',') FROM gcanalytics.interactions
                WHERE crm_account_id = '$phone_acct' AND crm_link = 'phone' AND conversation_start >= $cutoff
                GROUP BY 1 ORDER BY 1")" \
    "the relink on the coordinator gives the phone-linked conversations of $phone_acct the tier valid at their start"

# 5. the dashboards and the schedule, with settings of their own; the
# workers' copies of settings (made by CREATE EXTENSION, never read) get
# other values (tier_reporting current among them), which must change
# nothing
both "UPDATE gcanalytics.settings SET value = '8 seconds' WHERE name = 'service_level_default';
      UPDATE gcanalytics.settings SET value = '2 days' WHERE name = 'fcr_window';"
for n in 1 2; do
    csql "$n" "INSERT INTO gcanalytics.settings (name, value) VALUES ('service_level_default', '10 minutes'), ('fcr_window', '1 hour'),
                 ('tier_reporting', 'current'), ('case_resolution_days', '1'), ('survey_lookback', '1 second')
               ON CONFLICT (name) DO UPDATE SET value = excluded.value" >/dev/null
done
both_call "SELECT view_name, row_count FROM gcanalytics.refresh_dashboards()"
assert_eq "$(grep -c '|' "$T/plain.out")" "$(grep -c '|' "$T/citus.out")" "refresh_dashboards() refreshed every view on the coordinator"
# a second load (the last hour), then an incremental refresh: the load
# records on the coordinator the days it rewrote and the conversations it
# inserted or whose next contact it moved (README "Incremental refresh")
both_call "CALL gcanalytics.run(until => '$NOW')"
[ "$(csql 0 "SELECT (SELECT count(*) FROM gcanalytics.dashboard_changes WHERE rollup = 'kpi_daily')
                    + (SELECT count(*) FROM gcanalytics.dashboard_conversation_changes WHERE rollup = 'kpi_daily')")" -ge 1 ] \
    || fail "the second load recorded no changed day nor conversation on the coordinator"
both_call "SELECT * FROM gcanalytics.refresh_dashboards()"
assert_eq "incremental|9" \
    "$(csql 0 "SELECT min(refresh), count(*) FROM gcanalytics.dashboard_refreshes WHERE gcanalytics.dashboard_rollup(view_name) IS NOT NULL")" \
    "the refresh after the second load is incremental on the coordinator"
csql 0 "SELECT count(*) FROM gcanalytics.schedule(sync_every => '15 minutes', refresh_every => '15 minutes')" >/dev/null
assert_eq "CALL gcanalytics.run()|$CITUS_DB
SELECT gcanalytics.refresh_dashboards()|$CITUS_DB" \
    "$(csql 0 "SELECT c.command, c.database FROM cron.job c, gcanalytics.job_names() n
                WHERE c.jobname IN (n.sync_job, n.refresh_job) ORDER BY c.jobname DESC")" \
    "schedule() registered the sync and refresh jobs on the coordinator"
csql 0 "SELECT gcanalytics.unschedule()" >/dev/null

# ------------------------------------------------------------ comparisons
# every table and view of the schemas gcanalytics and gcanalytics_reports,
# as CSV sorted by every column, the float columns rounded, the timestamps
# and durations of the load's and the refresh's own clock left out
csv_query() {
    sql "SELECT format('COPY (SELECT %s FROM %s ORDER BY %1\$s) TO STDOUT WITH (FORMAT csv)',
                       string_agg(CASE WHEN a.atttypid IN ('float8'::regtype, 'float4'::regtype)
                                       THEN format('round(%I::numeric, 6)', a.attname)
                                       WHEN a.atttypid = 'jsonb'::regtype THEN format('%I::text', a.attname)
                                       ELSE quote_ident(a.attname) END, ', ' ORDER BY a.attnum), '$1'::regclass)
           FROM pg_attribute a
          WHERE a.attrelid = '$1'::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND a.attname NOT IN ('loaded_at', 'started_at', 'finished_at', 'seconds', 'updated_at', 'checked_at',
                                  'refreshed_at', 'refresh_s', 'crm_snapshot_at', 'built_at', 'changed_at')
            AND a.atttypid NOT IN ('json'::regtype)"
}
relations=$(sql "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname IN ('gcanalytics', 'gcanalytics_reports') AND c.relkind IN ('r', 'p', 'v', 'm')
                    AND NOT c.relispartition
                  ORDER BY 1")
n_rel=0
for r in $relations; do
    q=$(csv_query "$r")
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -c "$q" >"$T/plain_$r.csv" 2>&1 || { cat "$T/plain_$r.csv"; fail "plain node: $r"; }
    cpsql 0 -q -c "$q" >"$T/citus_$r.csv" 2>&1 || { cat "$T/citus_$r.csv"; fail "coordinator: $r"; }
    if ! cmp -s "$T/plain_$r.csv" "$T/citus_$r.csv"; then
        diff "$T/plain_$r.csv" "$T/citus_$r.csv" | head -n 20
        fail "$r differs between the plain node and the coordinator"
    fi
    n_rel=$((n_rel + 1))
done
echo "ok: $n_rel tables and views equal on the plain node and the coordinator ($(wc -l <"$T/citus_gcanalytics.interactions.csv") interactions)"
[ "$(wc -l <"$T/citus_gcanalytics.interactions.csv")" -gt 20000 ] || fail "too few interactions loaded"

assert_eq 0 "$(csql 0 "WITH p AS MATERIALIZED (SELECT conversation_id, conversation_start, customer_key, next_contact_at FROM gcanalytics.interactions)
                      SELECT count(*) FROM (
                        SELECT next_contact_at IS DISTINCT FROM
                               CASE WHEN customer_key IS NOT NULL
                                    THEN lead(conversation_start) OVER (PARTITION BY customer_key ORDER BY conversation_start, conversation_id) END AS off
                          FROM p) x WHERE off")" \
    "next_contact_at on the coordinator equals lead() over each customer's conversations"

# ------------------------------------------------------ shard placements
# pg_dist_* rather than citus_shards, which leaves out an extension's tables
for n in 1 2; do
    port=$(citus_port "$n")
    while IFS='|' read -r tab method shards; do
        have=$(csql "$n" "SET citus.override_table_visibility = off;
                          SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                           WHERE s.nspname = 'gcanalytics' AND c.relname ~ ('^' || '$tab' || '_[0-9]+$')" | tail -n 1)
        assert_eq "$shards" "$have" "worker $n holds the $shards shard(s) of $tab the coordinator places there"
        [ "$shards" -gt 0 ] || fail "worker $n holds no shard of $tab ($method)"
    done < <(csql 0 "SELECT split_part(d.logicalrelid::regclass::text, '.', 2), d.partmethod, count(p.placementid)
                       FROM pg_dist_partition d JOIN pg_dist_shard s ON s.logicalrelid = d.logicalrelid
                       JOIN pg_dist_placement p ON p.shardid = s.shardid
                       JOIN pg_dist_node nd ON nd.groupid = p.groupid AND nd.nodeport = $port
                      WHERE d.logicalrelid::regclass::text LIKE 'gcanalytics.%' AND NOT (d.logicalrelid::regclass::text ~ '_20[0-9][0-9]_[0-9][0-9]$')
                      GROUP BY 1, 2 ORDER BY 1")
done
# the rows of the shards on the workers add up to the coordinator's
for t in interactions evaluations queue_metrics; do
    total=0
    for n in 1 2; do
        k=$(csql "$n" "SET citus.override_table_visibility = off;
                       SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM gcanalytics.%I', c.relname), false, true, '')))[1]::text::bigint), 0)
                         FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                        WHERE s.nspname = 'gcanalytics' AND c.relname ~ '^${t}_[0-9]+$' AND c.relkind IN ('r', 'p')" | tail -n 1)
        [ "$k" -gt 0 ] || fail "worker $n holds no row of $t"
        total=$((total + k))
    done
    assert_eq "$(csql 0 "SELECT count(*) FROM gcanalytics.$t")" "$total" "the shards of $t on the two workers hold every row once"
done
for n in 1 2; do
    assert_eq "$(csql 0 "SELECT count(*) FROM gcanalytics.crm_accounts")" \
        "$(csql "$n" "SET citus.override_table_visibility = off;
                      SELECT (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM gcanalytics.%I', c.relname), false, true, '')))[1]::text::bigint
                        FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                       WHERE s.nspname = 'gcanalytics' AND c.relname ~ '^crm_accounts_[0-9]+$'" | tail -n 1)" \
        "worker $n holds the whole reference table crm_accounts"
done
PGDATABASE=postgres sql "DROP DATABASE gca_citus_plain"
echo "ok: citus suite in $((SECONDS - t0)) s"
