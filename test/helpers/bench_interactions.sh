# bench_interactions DB N DAYS - a fresh database DB with the extension
# and N interactions over DAYS days from 2026-01-05, generated in SQL with
# gcsim-like distributions (test/bench/dashboards.sh says which); prints
# nothing.  Used by test/bench/dashboards.sh and incremental.sh.
bench_interactions() {
    local DB=$1 N=$2 DAYS=$3
    b() { PGDATABASE=$DB sql "$1"; }
    PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null
    PGDATABASE=postgres sql "CREATE DATABASE $DB"
    b "CREATE EXTENSION gcanalytics"
    # a partition a month, enough months for DAYS days from 2026-01-05
    b "DO \$\$ BEGIN FOR m IN 0..$(((DAYS + 4) / 28 + 1)) LOOP
         EXECUTE format('CREATE TABLE gcanalytics.interactions_b%s PARTITION OF gcanalytics.interactions FOR VALUES FROM (%L) TO (%L)',
                        m, timestamptz '2026-01-01 00:00Z' + make_interval(months => m),
                        timestamptz '2026-01-01 00:00Z' + make_interval(months => m + 1));
       END LOOP; END \$\$"

    # ------------------------------------------------------------ the data
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
          queue_entries, next_contact_at)
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
              random() < CASE WHEN a.tier = 'Enterprise' AND g.day >= 50 THEN 0.24 ELSE 0.10 END, g.bot, now(),
              -- one queue entry, as the load's _queue_entries() gives it (answered or abandoned after its wait)
              CASE WHEN NOT g.bot THEN ARRAY[ROW('Q' || g.q, g.media, g.start, h.acd,
                                                 CASE WHEN g.ab THEN g.start + h.acd * interval '1 millisecond' END,
                                                 CASE WHEN NOT g.ab THEN g.start + h.acd * interval '1 millisecond' END,
                                                 CASE WHEN NOT g.ab THEN (h.acd / 10) END,
                                                 CASE WHEN NOT g.ab THEN 'A' || (g.r1 * 72)::int END,
                                                 CASE WHEN NOT g.ab THEN h.talk + h.hold + h.acw END)::gcanalytics.queue_entry] END
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
}

# dashboard_queries - the pgbench dashboard (four queries: kpi_daily of a
# day, the insight, a tier's escalation weeks, containment by week) in
# $T/queries.sql; pgbench_run NAME then runs it with $CLIENTS clients for
# $SECS seconds against $DB and prints "p50 p95 tps" (ms)
dashboard_queries() {
    cat >"$T/queries.sql" <<SQL
\set d random(0, $((DAYS - 1)))
\set k random(1, 4)
SELECT * FROM gcanalytics.kpi_daily WHERE day = date '2026-01-05' + :d ORDER BY conversations DESC LIMIT 20;
SELECT sentence FROM gcanalytics.escalation_insights WHERE significant;
SELECT * FROM gcanalytics.escalation_weekly WHERE tier = (ARRAY['Enterprise', 'Mid-Market', 'SMB', 'no account'])[:k] ORDER BY week;
SELECT week, sum(conversations), sum(contained) FROM gcanalytics.bot_containment_by_industry GROUP BY week ORDER BY week;
SQL
    chmod a+r "$T/queries.sql"
}
pgbench_run() {
    rm -f "$T"/pgbench_log.*
    (cd "$T" && "$PG_BINDIR/pgbench" -n -c $CLIENTS -j 2 -T "$SECS" -l -f "$T/queries.sql" "$DB" >"$T/pgbench-$1.out" 2>&1) \
        || { head -5 "$T/pgbench-$1.out" >&2; fail "pgbench ($1) failed: a dashboard query raised an error"; }
    cat "$T"/pgbench_log.* | awk '{ print $3 / 1000.0 }' | sort -n | awk -v secs="$SECS" '
        { v[NR] = $1 } END { printf "%.1f %.1f %.0f", v[int(NR * 0.5) + 1], v[int(NR * 0.95) + 1], NR / secs }'
}
