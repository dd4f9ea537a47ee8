#!/usr/bin/env bash
# pg_dump / pg_restore round trip of everything a user creates with
# gcanalytics: servers, user mappings (credentials kept), foreign tables
# (IMPORT FOREIGN SCHEMA from gcsim, options on tables and columns, a
# hand-written table), a view granted to a BI role, and edited weights (a changed, an added and a deleted
# row).  The dump is restored into fresh databases, as custom format through
# pg_restore --exit-on-error and as plain SQL through psql ON_ERROR_STOP;
# each restored database must hold the same objects, read the same rows
# from gcsim and compute the same weighted handle times as the source, and
# its weights must be the defaults with exactly the three edits (worked out
# below, not read back from the source).
#
# To cover something new (warehouse settings, loaded data): create it in
# create_objects and add a `same "what" "query"` line to compare_databases.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/dump_restore
mkdir -p "$T"
chmod 777 "$T"
SRC=dr_src
DAY=2026-04-14
NEXT=2026-04-15
RANGE="conversation_start >= '$DAY' AND conversation_start < '$NEXT'"

# q DB "sql" - runs sql in database DB
q() { PGDATABASE=$1 sql "$2"; }

create_objects() {
    q "$SRC" "CREATE EXTENSION gcanalytics;
        CREATE SERVER dr_gc FOREIGN DATA WRAPPER gcanalytics_fdw
          OPTIONS (service 'genesys', api_url '$GCSIM_URL', login_url '$GCSIM_URL', requests_per_minute '100000', max_concurrency '2');
        CREATE SERVER dr_sf FOREIGN DATA WRAPPER gcanalytics_fdw
          OPTIONS (service 'salesforce', instance_url '$GCSIM_URL', api_version '61.0');
        CREATE USER MAPPING FOR CURRENT_USER SERVER dr_gc OPTIONS (client_id 'dr', client_secret 'dr-secret');
        CREATE USER MAPPING FOR regress_dr_user SERVER dr_gc OPTIONS (client_id 'dr-user', client_secret 'user-secret');
        CREATE USER MAPPING FOR PUBLIC SERVER dr_sf OPTIONS (client_id 'sf', refresh_token 'sf-refresh');
        GRANT USAGE ON FOREIGN SERVER dr_gc TO regress_dr_user;
        CREATE SCHEMA gc;
        IMPORT FOREIGN SCHEMA analytics FROM SERVER dr_gc INTO gc;
        ALTER FOREIGN TABLE gc.conversations OPTIONS (ADD extraction 'query');
        GRANT USAGE ON SCHEMA gc TO regress_dr_user;
        GRANT SELECT ON gc.conversations TO regress_dr_user;
        CREATE FOREIGN TABLE gc.escalations (
            conversation_id text, conversation_start timestamptz,
            sf_account text OPTIONS (attribute 'sfAccountId'),
            escalated boolean OPTIONS (attribute 'escalated'))
          SERVER dr_gc OPTIONS (resource 'conversations', extraction 'job');
        $WEIGHT_EDITS
        -- a BI role without a user mapping reads a view through its owner's
        CREATE VIEW dr_daily AS SELECT media_type, count(*) AS n FROM gc.conversations WHERE $RANGE GROUP BY 1;
        GRANT SELECT ON dr_daily TO regress_dr_bi;
        -- what the restored databases must read: stored locally in the source
        CREATE TABLE dr_rows AS SELECT * FROM gc.conversations WHERE $RANGE;"
}

# same WHAT QUERY - QUERY gives the same (non-empty) output in $SRC and $DST
same() {
    local a b
    a=$(q "$SRC" "$2")
    b=$(q "$DST" "$2")
    [ -n "$a" ] || fail "$1: empty in the source, the check proves nothing"
    if [ "$a" != "$b" ]; then
        diff <(echo "$a") <(echo "$b") | head -20
        fail "$DST: $1 differs from the source"
    fi
    echo "ok: $DST: $1 ($(echo "$a" | wc -l) lines)"
}

# sorted OPTIONS - SQL for an options array in name order (pg_dump sorts them)
sorted() { echo "(SELECT array_agg(o ORDER BY o) FROM unnest($1) o)"; }

compare_databases() {
    same "servers" "SELECT srvname, $(sorted srvoptions) FROM pg_foreign_server ORDER BY 1"
    same "user mappings with their credentials" \
        "SELECT srvname, usename, $(sorted umoptions) FROM pg_user_mappings ORDER BY 1, 2"
    same "server privileges" "SELECT srvname, srvacl FROM pg_foreign_server ORDER BY 1"
    same "foreign tables and their options" \
        "SELECT c.oid::regclass::text, $(sorted ft.ftoptions), s.srvname FROM pg_foreign_table ft
           JOIN pg_class c ON c.oid = ft.ftrelid JOIN pg_foreign_server s ON s.oid = ft.ftserver ORDER BY 1"
    same "foreign table columns and their options" \
        "SELECT a.attrelid::regclass::text, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), $(sorted a.attfdwoptions)
           FROM pg_attribute a JOIN pg_foreign_table ft ON ft.ftrelid = a.attrelid
          WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2"
    same "column descriptions" \
        "SELECT c.oid::regclass::text, a.attname, col_description(c.oid, a.attnum) FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relkind = 'f' AND a.attnum > 0 ORDER BY 1, 2"
    same "table privileges" "SELECT oid::regclass::text, relacl FROM pg_class WHERE relkind = 'f' ORDER BY 1"
    same "weights" "SELECT * FROM gcanalytics.weht_weights ORDER BY 1, 2"
    same "rows read from gcsim" "SELECT md5(string_agg(c::text, E'\n' ORDER BY conversation_id)) FROM gc.conversations c WHERE $RANGE"
    same "weighted handle times" \
        "SELECT conversation_id, gcanalytics.weighted_handle_time(handle_ms, transfers, media_type, gcanalytics.weht_weights_json())
           FROM gc.conversations WHERE $RANGE AND handle_ms IS NOT NULL ORDER BY 1"
    assert_eq t "$(q "$DST" "SELECT gcanalytics.weht_weights_json() = ($WEIGHTS_AFTER_EDITS)")" \
        "$DST: the weights are the defaults with the three edits"
    assert_eq 0 "$(q "$DST" "SELECT count(*) FROM ((SELECT * FROM dr_rows EXCEPT ALL SELECT * FROM gc.conversations WHERE $RANGE)
                                                   UNION ALL (SELECT * FROM gc.conversations WHERE $RANGE EXCEPT ALL SELECT * FROM dr_rows)) d")" \
        "$DST: a scan equals the rows the source read before the dump"
    assert_eq "$n" "$(PGUSER=regress_dr_bi q "$DST" "SELECT sum(n) FROM dr_daily")" \
        "$DST: a BI role without a user mapping reads a view over a foreign table (the owner's mapping)"
    assert_eq "$n" "$(PGUSER=regress_dr_user q "$DST" "SELECT count(*) FROM gc.conversations WHERE $RANGE")" \
        "$DST: the ordinary role reads through its own restored user mapping"
}

for db in $SRC dr_custom dr_plain; do q postgres "DROP DATABASE IF EXISTS $db" 2>/dev/null; done
for r in regress_dr_user regress_dr_bi; do
    q postgres "DROP ROLE IF EXISTS $r" 2>/dev/null
    q postgres "CREATE ROLE $r LOGIN"
done
q postgres "CREATE DATABASE $SRC"
create_objects
n=$(q "$SRC" "SELECT count(*) FROM dr_rows")
[ "$n" -gt 100 ] || fail "the source read only $n conversations of $DAY from gcsim"
assert_eq t "$(q "$SRC" "SELECT gcanalytics.weht_weights_json() = ($WEIGHTS_AFTER_EDITS)")" \
    "the source's weights are the defaults with the three edits"

"$PG_BINDIR/pg_dump" -Fc -f "$T/src.dump" "$SRC"
"$PG_BINDIR/pg_dump" -Fp -f "$T/src.sql" "$SRC"
# the dump carries the edits and nothing of the shipped defaults
edits=$("$PG_BINDIR/pg_restore" -f - --data-only -t weht_weights_edit "$T/src.dump" | sed -n '/^COPY/,/^\\\./p' | sed '1d;$d' | sort)
assert_eq "$(printf 'media_type\tchat\t0.8\tagents handle chats concurrently\nmedia_type\tvideo\t\\N\t\\N\ntransfers\t3\t2\tthree or more')" \
    "$edits" "the dump holds the three edits only"

q postgres "CREATE DATABASE dr_custom"
q postgres "CREATE DATABASE dr_plain"
"$PG_BINDIR/pg_restore" --exit-on-error -d dr_custom "$T/src.dump" >"$T/restore.log" 2>&1 \
    || { cat "$T/restore.log"; fail "pg_restore failed"; }
"$PG_BINDIR/psql" -qX -v ON_ERROR_STOP=1 -d dr_plain -f "$T/src.sql" >"$T/plain.log" 2>&1 \
    || { cat "$T/plain.log"; fail "restoring the plain dump failed"; }
for DST in dr_custom dr_plain; do
    compare_databases
done

for db in $SRC dr_custom dr_plain; do q postgres "DROP DATABASE $db"; done
q postgres "DROP ROLE regress_dr_user"
q postgres "DROP ROLE regress_dr_bi"
