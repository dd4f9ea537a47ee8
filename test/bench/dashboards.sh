#!/usr/bin/env bash
# Benchmarks, printed as a Markdown section:
# gcanalytics.refresh_dashboards() over 10,000,000 interactions generated
# in SQL with gcsim-like distributions (100 days of 100,000; media voice 55
# %, chat 15, email 12, message 10, callback 8; 75 % linked to one of
# 20,000 accounts, tiers Enterprise/Mid-Market/SMB 15/30/55 %; escalations
# 10 %, Enterprise 24 % from day 50; bots contain 40 % of 60 % of chats and
# messages; 6 % abandoned; unlinked callers from 300,000 numbers), against
# the baseline of one full scan of the table (count and sums); then the
# dashboard query latency (p50/p95, pgbench, 16 clients, 30 s) while nothing
# else runs and while refresh_dashboards() runs in a loop beside them.
# BENCH_SCALE scales the volume (0.1: 1,000,000 rows).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DB=gca_bench_dash
N=$(n_scaled 10000000)
DAYS=100
CLIENTS=16
SECS=${BENCH_DASH_SECONDS:-30}
T=$GCA_BUILD/tmp/dashboards
mkdir -p "$T"
chmod 777 "$T"
b() { PGDATABASE=$DB sql "$1"; }
timed() { local t0; t0=$(ms); b "$1" >/dev/null 2>&1; echo $(($(ms) - t0)); }

PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null
PGDATABASE=postgres sql "CREATE DATABASE $DB"
b "CREATE EXTENSION gcanalytics"
b "DO \$\$ BEGIN FOR m IN 0..4 LOOP
     EXECUTE format('CREATE TABLE gcanalytics.interactions_b%s PARTITION OF gcanalytics.interactions FOR VALUES FROM (%L) TO (%L)',
                    m, timestamptz '2026-01-01 00:00Z' + make_interval(months => m),
                    timestamptz '2026-01-01 00:00Z' + make_interval(months => m + 1));
   END LOOP; END \$\$"

# ------------------------------------------------------------ the data
t0=$(ms)
b "SELECT setseed(0.42);
   CREATE TEMP TABLE acc AS
   SELECT 'ACC' || i AS id, CASE WHEN r < 0.15 THEN 'Enterprise' WHEN r < 0.45 THEN 'Mid-Market' ELSE 'SMB' END AS tier,
          (ARRAY['Finance', 'Healthcare', 'Retail', 'Technology', 'Manufacturing', 'Education'])[1 + (i % 6)] AS industry,
          round((random() * 5000000)::numeric, 2) AS ltv
     FROM (SELECT i, random() AS r FROM generate_series(1, 20000) i) a;
   CREATE INDEX ON acc (id);
   INSERT INTO gcanalytics.crm_accounts (account_id, name, tier, industry, ltv, loaded_at)
   SELECT id, id, tier, industry, ltv, now() FROM acc;
   INSERT INTO gcanalytics.interactions
     (conversation_id, conversation_start, media_type, queue_id, queue_name, agent_id, wrapup_code, wrapup_name,
      customer_key, talk_ms, customer_hold_ms, acw_ms, acd_ms, handle_ms, weighted_handle_ms, transfers, transferred,
      abandoned, handled, crm_account_id, crm_link, customer_tier, industry, ltv, was_escalated, handled_by_bot_only, loaded_at,
      next_contact_at)
   -- next_contact_at as the load keeps it: the customer's next conversation
   SELECT x.*, CASE WHEN x.customer_key IS NOT NULL
                    THEN lead(x.conversation_start) OVER (PARTITION BY x.customer_key
                                                           ORDER BY x.conversation_start, x.conversation_id) END
     FROM (
   SELECT g.id AS conversation_id, g.start AS conversation_start, g.media,
          CASE WHEN g.bot THEN NULL ELSE 'Q' || g.q END, CASE WHEN g.bot THEN NULL ELSE 'Queue ' || g.q END,
          CASE WHEN g.bot OR g.ab THEN NULL ELSE 'A' || (g.r1 * 72)::int END,
          CASE WHEN g.bot OR g.ab THEN NULL ELSE 'W' || (g.r2 * 14)::int END,
          CASE WHEN g.bot OR g.ab THEN NULL ELSE 'Wrap-up ' || (g.r2 * 14)::int END,
          coalesce(a.id, '+1555' || lpad((g.r3 * 300000)::int::text, 7, '0')) AS customer_key,
          h.talk, h.hold, h.acw, h.acd, h.talk + h.hold + h.acw, (h.talk + h.hold + h.acw) * 1.1, g.tr, g.tr > 0,
          g.ab, NOT (g.bot OR g.ab), a.id, CASE WHEN a.id IS NOT NULL THEN 'attribute' END, a.tier, a.industry, a.ltv,
          random() < CASE WHEN a.tier = 'Enterprise' AND g.day >= 50 THEN 0.24 ELSE 0.10 END, g.bot, now()
     FROM (SELECT 'C' || i AS id, i / ($N / $DAYS) AS day,
                  timestamptz '2026-01-05 00:00Z' + (i::float8 / ($N / $DAYS)) * interval '1 day' AS start,
                  CASE WHEN m < 0.55 THEN 'voice' WHEN m < 0.70 THEN 'chat' WHEN m < 0.82 THEN 'email'
                       WHEN m < 0.92 THEN 'message' ELSE 'callback' END AS media,
                  (m BETWEEN 0.55 AND 0.70 OR m BETWEEN 0.82 AND 0.92) AND random() < 0.24 AS bot,
                  random() < 0.06 AS ab, (random() * 11)::int AS q, random() AS r1, random() AS r2, random() AS r3,
                  CASE WHEN random() < 0.12 THEN 1 ELSE 0 END AS tr, random() AS link
             FROM (SELECT i, random() AS m FROM generate_series(0, $N - 1) i) s) g
     LEFT JOIN acc a ON g.link < 0.75 AND a.id = 'ACC' || (1 + (g.r3 * 19999)::int)
     CROSS JOIN LATERAL (SELECT (-ln(1 - random()) * 300000)::bigint AS talk, (-ln(1 - random()) * 20000)::bigint AS hold,
                                (-ln(1 - random()) * 30000)::bigint AS acw, (-ln(1 - random()) * 60000)::bigint AS acd) h) x;
   ANALYZE gcanalytics.interactions;" >/dev/null
gen_ms=$(($(ms) - t0))
rows=$(b "SELECT count(*) FROM gcanalytics.interactions")

# ------------------------------------------------------------ refresh
scan_ms=$(timed "SELECT count(*), sum(handle_ms), sum(acd_ms), count(DISTINCT customer_key) FROM gcanalytics.interactions")
b "SELECT view_name, seconds FROM gcanalytics.refresh_dashboards()" 2>/dev/null >"$T/bench-first.txt"
first_ms=$(awk -F'|' '{ s += $2 } END { printf "%d", s * 1000 }' "$T/bench-first.txt")
b "SELECT view_name, seconds FROM gcanalytics.refresh_dashboards()" 2>/dev/null >"$T/bench-second.txt"
second_ms=$(awk -F'|' '{ s += $2 } END { printf "%d", s * 1000 }' "$T/bench-second.txt")

# ------------------------------------------------------------ latency under load
cat >"$T/queries.sql" <<'SQL'
\set d random(0, 99)
\set k random(1, 4)
SELECT * FROM gcanalytics.kpi_daily WHERE day = date '2026-01-05' + :d ORDER BY conversations DESC LIMIT 20;
SELECT sentence FROM gcanalytics.escalation_insights WHERE significant;
SELECT * FROM gcanalytics.escalation_weekly WHERE tier = (ARRAY['Enterprise', 'Mid-Market', 'SMB', 'no account'])[:k] ORDER BY week;
SELECT week, sum(conversations), sum(contained) FROM gcanalytics.bot_containment_by_industry GROUP BY week ORDER BY week;
SQL
chmod a+r "$T/queries.sql"
# pgbench_run NAME - 16 clients for SECS seconds; prints "p50 p95 tps" (ms)
pgbench_run() {
    rm -f "$T"/pgbench_log.*
    (cd "$T" && "$PG_BINDIR/pgbench" -n -c $CLIENTS -j 2 -T "$SECS" -l -f "$T/queries.sql" "$DB" >"$T/pgbench-$1.out" 2>&1) \
        || { head -5 "$T/pgbench-$1.out" >&2; fail "pgbench ($1) failed: a dashboard query raised an error"; }
    cat "$T"/pgbench_log.* | awk '{ print $3 / 1000.0 }' | sort -n | awk -v secs="$SECS" '
        { v[NR] = $1 } END { printf "%.1f %.1f %.0f", v[int(NR * 0.5) + 1], v[int(NR * 0.95) + 1], NR / secs }'
}
lat=$(pgbench_run idle) || exit 1
read -r idle_p50 idle_p95 idle_tps <<<"$lat"
(
    end=$((SECONDS + SECS))
    while [ $SECONDS -lt "$end" ]; do b "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1; done
) &
loop=$!
lat=$(pgbench_run refresh) || exit 1
read -r busy_p50 busy_p95 busy_tps <<<"$lat"
wait $loop

secs() { awk -v m="$1" 'BEGIN { printf "%.1f s", m / 1000 }'; }
echo "### Dashboards"
echo
echo "$rows interactions generated in SQL with gcsim-like distributions (\`test/bench/dashboards.sh\`, BENCH_SCALE=${BENCH_SCALE:-1}) in $(secs "$gen_ms")."
echo
echo "| measure | time | ratio to one full scan ($(secs "$scan_ms")) |"
echo "|---|---|---|"
echo "| \`refresh_dashboards()\`, first (every row new) | $(secs "$first_ms") | $(ratio "$first_ms" "$scan_ms") |"
echo "| \`refresh_dashboards()\`, again (nothing changed) | $(secs "$second_ms") | $(ratio "$second_ms" "$scan_ms") |"
echo
echo "Per view (first refresh, seconds): $(awk -F'|' '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' "$T/bench-first.txt")."
echo
echo "A dashboard of four queries (kpi_daily of a day, the insight, a tier's escalation weeks, containment by week) run by $CLIENTS pgbench clients for $SECS s; latency per dashboard:"
echo
echo "| while | p50 | p95 | dashboards/s |"
echo "|---|---|---|---|"
echo "| nothing else runs | $idle_p50 ms | $idle_p95 ms | $idle_tps |"
echo "| \`refresh_dashboards()\` runs in a loop | $busy_p50 ms | $busy_p95 ms | $busy_tps |"
echo
echo "p95 while refreshing / idle: $(ratio "$busy_p95" "$idle_p95"); readers are never blocked (REFRESH ... CONCURRENTLY)."
PGDATABASE=postgres sql "DROP DATABASE $DB"
