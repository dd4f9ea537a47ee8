#!/usr/bin/env bash
# Upgrades: for every released version kept in src/sql/released/ (frozen
# install scripts gcanalytics--V.sql), install V, create what a user
# creates (servers, user mappings, foreign tables from gcsim, edited
# weights; where V has the warehouse, a day loaded, settings, rules and
# releases edited, the dashboards refreshed), ALTER EXTENSION gcanalytics
# UPDATE, and check that
#   - the extension is at default_version,
#   - the user's objects still read the same rows from gcsim,
#   - the weights are this version's defaults with the user's edits
#     (a changed, an added and a deleted row), worked out below,
#   - every row of every warehouse table is still there, column for column
#     (the columns V had), and the dashboards are populated and equal to a
#     refresh_dashboards() of the upgraded warehouse,
#   - the upgraded extension equals a fresh install of this version,
#     object by object (definitions, privileges, comments, config tables).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DAY=2026-04-14
NEXT=2026-04-15
RANGE="conversation_start >= '$DAY' AND conversation_start < '$NEXT'"
CURRENT=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$GCA_ROOT/gcanalytics.control")

q() { PGDATABASE=$1 sql "$2"; }

# Every object of the extension with its full definition, without OIDs;
# two databases print the same listing when their extensions are the same.
LISTING="
WITH m AS (
    SELECT d.classid, d.objid FROM pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'gcanalytics'))
SELECT pg_describe_object(m.classid, m.objid, 0) || E'\n' ||
       coalesce(CASE m.classid
           WHEN 'pg_proc'::regclass THEN
               (SELECT format('%s(%s) RETURNS %s language %s kind %s volatility %s strict %s security definer %s parallel %s rows %s cost %s config %s bin %s src %s acl %s',
                              p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                              (SELECT l.lanname FROM pg_language l WHERE l.oid = p.prolang), p.prokind, p.provolatile,
                              p.proisstrict, p.prosecdef, p.proparallel, p.prorows, p.procost, p.proconfig, p.probin,
                              p.prosrc, coalesce(p.proacl::text, '-'))
                  FROM pg_proc p WHERE p.oid = m.objid)
           WHEN 'pg_class'::regclass THEN
               (SELECT format('kind %s acl %s', c.relkind, coalesce(c.relacl::text, '-')) || E'\n' ||
                       coalesce((SELECT string_agg(format('  %s %s notnull %s default %s comment %s', a.attname, format_type(a.atttypid, a.atttypmod),
                                                          a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), col_description(c.oid, a.attnum)), E'\n' ORDER BY a.attnum)
                                   FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') || E'\n' ||
                       coalesce((SELECT string_agg('  ' || co.conname || ' ' || pg_get_constraintdef(co.oid), E'\n' ORDER BY co.conname)
                                   FROM pg_constraint co WHERE co.conrelid = c.oid), '') || E'\n' ||
                       coalesce((SELECT string_agg('  ' || pg_get_indexdef(i.indexrelid), E'\n' ORDER BY 1)
                                   FROM pg_index i WHERE i.indrelid = c.oid), '') || E'\n' ||
                       coalesce((SELECT string_agg('  ' || pg_get_triggerdef(t.oid), E'\n' ORDER BY t.tgname)
                                   FROM pg_trigger t WHERE t.tgrelid = c.oid), '') || E'\n' ||
                       coalesce(pg_get_viewdef(c.oid), '')
                  FROM pg_class c WHERE c.oid = m.objid)
           WHEN 'pg_foreign_data_wrapper'::regclass THEN
               (SELECT format('handler %s validator %s options %s acl %s', w.fdwhandler::regproc, w.fdwvalidator::regproc,
                              w.fdwoptions, coalesce(w.fdwacl::text, '-'))
                  FROM pg_foreign_data_wrapper w WHERE w.oid = m.objid)
       END, '') || E'\n' ||
       'comment ' || coalesce(obj_description(m.objid, (SELECT relname FROM pg_class WHERE oid = m.classid)), '-') || E'\n' ||
       'initprivs ' || coalesce((SELECT ip.initprivs::text FROM pg_init_privs ip
                                  WHERE ip.classoid = m.classid AND ip.objoid = m.objid AND ip.objsubid = 0), '-')
  FROM m
UNION ALL
SELECT format('schema gcanalytics acl %s comment %s', n.nspacl, obj_description(n.oid, 'pg_namespace'))
  FROM pg_namespace n WHERE n.nspname = 'gcanalytics'
UNION ALL
SELECT format('config tables %s conditions %s',
              (SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) FROM unnest(e.extconfig) c), e.extcondition)
  FROM pg_extension e WHERE e.extname = 'gcanalytics'
ORDER BY 1"

# The tables of the extension that hold data, each with a digest of its
# rows over the columns it has now: run before the upgrade, the listing
# names the columns, and the same columns are digested after it.
TABLE_COLUMNS="
SELECT c.oid::regclass::text || ' ' || string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum)
  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND c.relkind IN ('r', 'p')
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'gcanalytics')
 GROUP BY c.oid ORDER BY 1"
# table_digests DB COLUMNS_LISTING: one line per table, its row count and
# an order-independent digest of its rows over the listed columns
table_digests() {
    local t cols
    while read -r t cols; do
        [ -n "$t" ] || continue
        echo "$t $(q "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '-')
                            FROM (SELECT ROW($cols)::text AS r FROM $t) s")"
    done <<<"$2"
}
# dashboard_digests DB: one line per dashboard of the extension (its
# materialized views, and the dashboards kept as tables), its rows without
# the time of the refresh
DASHBOARDS="
SELECT c.oid::regclass::text FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND (c.relkind = 'm' OR c.relname IN ('kpi_daily', 'kpi_weekly', 'queue_interval', 'escalation_weekly', 'escalation_by_tier',
                                         'bot_containment_by_industry', 'join_quality'))
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'gcanalytics') ORDER BY 1"
dashboard_digests() {
    local v
    for v in $(q "$1" "$DASHBOARDS"); do
        echo "$v $(q "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(s.r, '|' ORDER BY s.r)), '-')
                            FROM (SELECT (to_jsonb(t) - 'refreshed_at')::text AS r FROM $v t) s")"
    done
}

q postgres "DROP DATABASE IF EXISTS up_fresh" 2>/dev/null
q postgres "CREATE DATABASE up_fresh"
q up_fresh "CREATE EXTENSION gcanalytics"
fresh=$(q up_fresh "$LISTING")
[ "$(echo "$fresh" | grep -c '^function ')" -gt 10 ] || fail "the listing of a fresh install shows no functions"

n_versions=0
for script in "$GCA_ROOT"/src/sql/released/gcanalytics--*.sql; do
    v=$(basename "$script" .sql)
    v=${v#gcanalytics--}
    case $v in *--*) continue ;; esac
    [ "$v" != "$CURRENT" ] || continue
    n_versions=$((n_versions + 1))
    DB=up_from_${v//./_}
    q postgres "DROP DATABASE IF EXISTS $DB" 2>/dev/null
    q postgres "CREATE DATABASE $DB"
    q "$DB" "CREATE EXTENSION gcanalytics VERSION '$v'"
    assert_eq "$v" "$(q "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics'")" "installed $v"
    q "$DB" "CREATE SERVER up_gc FOREIGN DATA WRAPPER gcanalytics_fdw
               OPTIONS (service 'genesys', api_url '$GCSIM_URL', login_url '$GCSIM_URL', requests_per_minute '100000');
             CREATE USER MAPPING FOR CURRENT_USER SERVER up_gc OPTIONS (client_id 'up', client_secret 'up-secret');
             CREATE SCHEMA gc;
             IMPORT FOREIGN SCHEMA analytics FROM SERVER up_gc INTO gc;
             $WEIGHT_EDITS
             CREATE TABLE up_rows AS SELECT * FROM gc.conversations WHERE $RANGE;
             CREATE TABLE up_weighted AS
               SELECT conversation_id, gcanalytics.weighted_handle_time(handle_ms, transfers, media_type, gcanalytics.weht_weights_json()) AS w
                 FROM up_rows WHERE handle_ms IS NOT NULL;"
    n=$(q "$DB" "SELECT count(*) FROM up_rows")
    [ "$n" -gt 100 ] || fail "$v read only $n conversations from gcsim"

    # a version with the warehouse: a day loaded, the user's settings,
    # rules and releases, the dashboards refreshed
    warehouse=$(q "$DB" "SELECT to_regprocedure('gcanalytics.configure(text,text)') IS NOT NULL")
    if [ "$warehouse" = t ]; then
        PGDATABASE=$DB warehouse_setup "$GCSIM_URL" "${DAY}T00:00:00Z"
        mkdir -p "$GCA_BUILD/tmp/upgrade"
        q "$DB" "CALL gcanalytics.run(until => '${NEXT}T00:00:00Z')" >/dev/null 2>"$GCA_BUILD/tmp/upgrade/run-$v.log" \
            || { cat "$GCA_BUILD/tmp/upgrade/run-$v.log"; fail "$v: run() failed"; }
        q "$DB" "UPDATE gcanalytics.settings SET value = '25' WHERE name = 'join_quality_warn_pct';
                 INSERT INTO gcanalytics.escalation_rules (kind, value) VALUES ('wrapup_code', 'Escalated to Tier 2');
                 INSERT INTO gcanalytics.excluded_queues (queue_id, reason) VALUES ('up-queue', 'upgrade test');
                 SELECT gcanalytics.refresh_dashboards();" >/dev/null
        n_int=$(q "$DB" "SELECT count(*) FROM gcanalytics.interactions")
        [ "$n_int" -gt 100 ] || fail "$v loaded only $n_int interactions into the warehouse"
        columns_before=$(q "$DB" "$TABLE_COLUMNS")
        tables_before=$(table_digests "$DB" "$columns_before")
    fi

    q "$DB" "ALTER EXTENSION gcanalytics UPDATE"
    assert_eq "$CURRENT" "$(q "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics'")" "$v updated to $CURRENT"
    assert_eq t "$(q "$DB" "SELECT gcanalytics.weht_weights_json() = ($WEIGHTS_AFTER_EDITS)")" \
        "$v -> $CURRENT: the weights are the defaults with the three edits"
    assert_eq 0 "$(q "$DB" "SELECT count(*) FROM ((SELECT * FROM up_rows EXCEPT ALL SELECT * FROM gc.conversations WHERE $RANGE)
                                               UNION ALL (SELECT * FROM gc.conversations WHERE $RANGE EXCEPT ALL SELECT * FROM up_rows)) d")" \
        "$v -> $CURRENT: the foreign tables read the same $n conversations"
    assert_eq 0 "$(q "$DB" "SELECT count(*) FROM up_weighted u JOIN up_rows r USING (conversation_id)
                             WHERE u.w IS DISTINCT FROM gcanalytics.weighted_handle_time(r.handle_ms, r.transfers, r.media_type, gcanalytics.weht_weights_json())")" \
        "$v -> $CURRENT: weighted handle times are those computed before the upgrade"
    if [ "$warehouse" = t ]; then
        tables_after=$(table_digests "$DB" "$columns_before")
        if [ "$tables_after" != "$tables_before" ]; then
            diff <(echo "$tables_before") <(echo "$tables_after") || true
            fail "$v -> $CURRENT: the warehouse tables changed in the upgrade (< before, > after)"
        fi
        echo "ok: $v -> $CURRENT: every row of $(echo "$tables_before" | wc -l) warehouse tables kept ($n_int interactions)"
        dash_upgraded=$(dashboard_digests "$DB")
        # cx_insights compares a week with the week before: one day loaded has none
        if echo "$dash_upgraded" | awk '$2 == 0 && $1 != "gcanalytics.cx_insights" { bad = 1 } END { exit !bad }'; then
            echo "$dash_upgraded"
            fail "$v -> $CURRENT: a dashboard is empty after the upgrade"
        fi
        q "$DB" "SELECT gcanalytics.refresh_dashboards()" >/dev/null
        assert_eq "$dash_upgraded" "$(dashboard_digests "$DB")" \
            "$v -> $CURRENT: the upgraded dashboards equal a refresh of the upgraded warehouse"
    fi
    upgraded=$(q "$DB" "$LISTING")
    if [ "$upgraded" != "$fresh" ]; then
        diff <(echo "$fresh") <(echo "$upgraded") | head -40
        fail "$v -> $CURRENT: the upgraded extension differs from a fresh install (< fresh, > upgraded)"
    fi
    echo "ok: $v -> $CURRENT: the upgraded extension equals a fresh install ($(echo "$fresh" | grep -c '^function ') functions)"
    # the edits made before the upgrade survive a dump and restore after it
    # (the monthly partitions of interactions stay out of the dump: pg_dump
    # writes their primary key as a constraint of its own, which the
    # restore's ATTACH PARTITION has already made, so pg_restore fails on
    # any warehouse holding rows; README "Caveats")
    mkdir -p "$GCA_BUILD/tmp/upgrade"
    "$PG_BINDIR/pg_dump" -Fc --exclude-table='gcanalytics.interactions_*' -f "$GCA_BUILD/tmp/upgrade/$DB.dump" "$DB"
    q postgres "DROP DATABASE IF EXISTS ${DB}_r" 2>/dev/null
    q postgres "CREATE DATABASE ${DB}_r"
    "$PG_BINDIR/pg_restore" --exit-on-error -d "${DB}_r" "$GCA_BUILD/tmp/upgrade/$DB.dump"
    assert_eq t "$(q "${DB}_r" "SELECT gcanalytics.weht_weights_json() = ($WEIGHTS_AFTER_EDITS)")" \
        "$v -> $CURRENT, dumped and restored: the weights keep the edits"
    q postgres "DROP DATABASE $DB"
    q postgres "DROP DATABASE ${DB}_r"
done
[ "$n_versions" -gt 0 ] || fail "no frozen install script of a released version in src/sql/released/"
q postgres "DROP DATABASE up_fresh"
