#!/usr/bin/env bash
# What a DBA meets first: a missing user mapping and an unknown region are
# errors that say what to do; a scan estimated to crawl too much is
# refused before it sends anything; a running scan's progress is visible
# from another session; imported tables carry column descriptions; a
# join that reads one id per outer row says how to batch.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

NOW=2026-03-20T12:00:00Z
start_gcsim --seed 5 --conversations-per-day 600 --now $NOW --latency-ms 150
URL=$GCSIM_URL
sql "DROP SCHEMA IF EXISTS dba CASCADE; CREATE SCHEMA dba;
     DROP ROLE IF EXISTS regress_dba_nomap; CREATE ROLE regress_dba_nomap;"
genesys_server dba_gc "$URL" dba dba-secret "max_concurrency '1'" "requests_per_minute '100000'"
sql "IMPORT FOREIGN SCHEMA analytics FROM SERVER dba_gc INTO dba;
     GRANT USAGE ON SCHEMA dba TO regress_dba_nomap;
     GRANT USAGE ON FOREIGN SERVER dba_gc TO regress_dba_nomap;
     GRANT SELECT ON dba.conversations TO regress_dba_nomap;"

# 1. no user mapping: the server named, and the command that fixes it
out=$("$PG_BINDIR/psql" -qXAt -c "SET ROLE regress_dba_nomap;
        SELECT count(*) FROM dba.conversations WHERE conversation_start >= '2026-03-19' AND conversation_start < '2026-03-20'" 2>&1 || true)
echo "$out" | contains 'user "regress_dba_nomap" has no user mapping for server "dba_gc"' || fail "missing mapping: $out"
echo "$out" | contains 'CREATE USER MAPPING FOR regress_dba_nomap SERVER dba_gc' || fail "missing mapping hint: $out"
echo "ok: missing user mapping -> $(echo "$out" | head -n 1)"

# 2. an unknown region: the region option and the known regions
sql "DROP SERVER IF EXISTS dba_region CASCADE;
     CREATE SERVER dba_region FOREIGN DATA WRAPPER gcanalytics_fdw
       OPTIONS (service 'genesys', region 'mypurecloud.invalid', max_retries '0', connect_timeout_ms '3000');
     CREATE USER MAPPING FOR CURRENT_USER SERVER dba_region OPTIONS (client_id 'x', client_secret 'y');
     CREATE FOREIGN TABLE dba.region_conv (conversation_id text, conversation_start timestamptz)
       SERVER dba_region OPTIONS (resource 'conversations');"
out=$(sql "SELECT count(*) FROM dba.region_conv WHERE conversation_start >= '2026-03-19' AND conversation_start < '2026-03-20'" 2>&1 || true)
echo "$out" | contains 'region' && echo "$out" | contains 'usw2.pure.cloud' || fail "unknown region: $out"
echo "ok: unknown region -> $(echo "$out" | grep -i hint | head -n 1)"

# 3. too many estimated requests: refused before anything is sent
before=$(curl -s "$URL/sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["requests"])')
out=$(sql "SET gcanalytics.max_scan_requests = 100;
           SELECT count(*) FROM dba.conversations WHERE conversation_start >= '2026-01-01' AND conversation_start < '2026-03-01'" 2>&1 || true)
echo "$out" | contains 'would send about' && echo "$out" | contains 'SET gcanalytics.max_scan_requests' || fail "run size: $out"
after=$(curl -s "$URL/sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["requests"])')
assert_eq "$before" "$after" "a scan over gcanalytics.max_scan_requests sends nothing"

# 4. progress of a running scan, from another session, by pid: watched
# every 5 ms by one session (pg_stat_activity read afresh each time), so a
# busy machine's slow psql starts cannot miss the scan's requests
sql "CREATE FUNCTION dba.watch_progress(OUT relid regclass, OUT resource text, OUT windows_done integer,
                                        OUT windows_total integer, OUT requested boolean, OUT ours boolean)
       RETURNS SETOF record LANGUAGE plpgsql AS \$\$
     BEGIN
         FOR i IN 1 .. 4000 LOOP
             PERFORM pg_stat_clear_snapshot();
             RETURN QUERY SELECT p.relid, p.resource, p.windows_done, p.windows_total, p.requests > 0,
                                 a.query LIKE '%dba.conversations%'
                            FROM gcanalytics.scan_progress() p JOIN pg_stat_activity a USING (pid)
                           WHERE p.pid <> pg_backend_pid() AND p.requests > 0;
             IF FOUND THEN
                 RETURN;
             END IF;
             PERFORM pg_sleep(0.005);
         END LOOP;
     END \$\$"
sql "SELECT * FROM dba.watch_progress()" >"$GCA_BUILD/tmp/fdw_dba_watch.out" 2>&1 &
watch=$!
( sql "SELECT count(*) FROM dba.conversations WHERE conversation_start >= '2026-03-16' AND conversation_start < '2026-03-19'" \
    >"$GCA_BUILD/tmp/fdw_dba_scan.out" 2>&1 ) &
scan=$!
wait $scan
wait $watch || fail "watching the scan's progress: $(cat "$GCA_BUILD/tmp/fdw_dba_watch.out")"
row=$(cat "$GCA_BUILD/tmp/fdw_dba_watch.out")
[ -n "$row" ] || fail "no progress row was seen while the scan ran"
# the planner may read the three days as one details job or as day windows
echo "$row" | contains '^dba.conversations|conversations|[0-3]|[1-3]|t|t$' || fail "progress row: $row"
done_w=$(echo "$row" | cut -d'|' -f3)
total_w=$(echo "$row" | cut -d'|' -f4)
[ "$done_w" -le "$total_w" ] || fail "progress row: more windows done than planned: $row"
echo "ok: progress seen from another session: $row"
assert_eq "" "$(sql "SELECT pid FROM gcanalytics.scan_progress() WHERE pid <> pg_backend_pid()")" "no progress row once the scan ended"
stop_all_gcsim

# 5. imported tables carry the registry's descriptions
want=$(sql "SELECT description FROM gcanalytics.resource_columns() WHERE resource = 'conversations' AND column_name = 'queue_id'")
[ -n "$want" ] || fail "the registry describes no queue_id"
assert_eq "$want" "$(sql "SELECT col_description('dba.conversations'::regclass, attnum) FROM pg_attribute
                         WHERE attrelid = 'dba.conversations'::regclass AND attname = 'queue_id'")" \
    "IMPORT FOREIGN SCHEMA leaves each column's description, as \\d+ shows it"
assert_eq 0 "$(sql "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'dba' AND c.relname IN ('conversations', 'segments')
                      AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NULL")" \
    "every imported column has a description"
sql "COMMENT ON COLUMN dba.conversations.queue_id IS 'mine';
     CREATE FOREIGN TABLE dba.hand (conversation_id text, conversation_start timestamptz, extra text)
       SERVER dba_gc OPTIONS (resource 'conversations')"
assert_eq "conversation id|" "$(sql "SELECT col_description('dba.hand'::regclass, 1), coalesce(col_description('dba.hand'::regclass, 3), '')")" \
    "a hand-written table gets descriptions for resource columns only"

# 6. one request per outer row: said once, with the faster form
start_gcsim --seed 5 --conversations-per-day 600 --now $NOW
genesys_server dba_gc "$GCSIM_URL" dba dba-secret "requests_per_minute '100000'"
sql "IMPORT FOREIGN SCHEMA analytics LIMIT TO (conversations) FROM SERVER dba_gc INTO dba" 2>/dev/null || \
    sql "DROP FOREIGN TABLE IF EXISTS dba.conversations; IMPORT FOREIGN SCHEMA analytics LIMIT TO (conversations) FROM SERVER dba_gc INTO dba"
ids=$(sql "SELECT string_agg(quote_literal(conversation_id), ',') FROM (SELECT conversation_id FROM dba.conversations
           WHERE conversation_start >= '2026-03-19' AND conversation_start < '2026-03-20' ORDER BY 1 LIMIT 25) s")
out=$("$PG_BINDIR/psql" -qXAt -c "SET enable_hashjoin = off; SET enable_mergejoin = off;
        SELECT count(*) FROM (VALUES ($(echo "$ids" | sed "s/','/'),('/g"))) v(id) JOIN dba.conversations c ON c.conversation_id = v.id" 2>&1)
echo "$out" | contains '^25$' || fail "the join returned: $out"
assert_eq 1 "$(echo "$out" | grep -c 'one request per outer row')" "a join of 25 ids says once that it reads one id per request"
echo "$out" | contains 'ANY (ARRAY(SELECT' || fail "the notice should give the batched form: $out"
sql "DROP SCHEMA dba CASCADE; DROP SERVER dba_gc CASCADE; DROP SERVER dba_region CASCADE; DROP ROLE regress_dba_nomap"
