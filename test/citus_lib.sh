# shellcheck shell=bash
# test/citus_lib.sh - Citus for the suite citus and the benchmark citus
# (sourced after test/lib.sh).  Citus is a test dependency only: it is built
# from its source archive, never copied into the project.
#
#   citus_source        prints the archive's path, or nothing when absent
#   citus_build         builds and stages Citus once (cached under .build/),
#                       then installs it into the private installation
#   citus_node_start N  initdb + start node N (0 = coordinator, 1, 2 = workers)
#   citus_nodes_stop    stops every node started (also on exit)
#   csql N "..."        psql on node N (unaligned, tuples only, stop on error)

CITUS_VERSION=12.1.9

citus_source() {
    local f=${GCA_CITUS_SOURCE:-$GCA_ROOT/../shared/vendor/citus-$CITUS_VERSION.tar.gz}
    [ -f "$f" ] && (cd "$(dirname "$f")" && echo "$(pwd)/$(basename "$f")")
}

# The build is keyed by the archive's sha256: a new archive builds again.
# The staged tree (make install DESTDIR=...) is copied into $PG_BINDIR's
# installation each time, because the harness recreates that copy per run.
citus_build() {
    local src sum dir stage log
    src=$(citus_source) || return 1
    sum=$(sha256sum "$src" | cut -c1-16)
    dir=$GCA_BUILD/citus/$sum
    stage=$dir/stage
    log=$dir/build.log
    if [ ! -f "$dir/done" ]; then
        echo "building Citus from $src (once; cached in $dir)"
        rm -rf "$dir"
        mkdir -p "$dir/src"
        tar -xzf "$src" -C "$dir/src" --strip-components=1 || return 1
        (
            cd "$dir/src" &&
                ./configure --without-libcurl PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config &&
                make -j"$(nproc)" &&
                make install DESTDIR="$stage"
        ) >"$log" 2>&1 || { tail -n 40 "$log"; echo "Citus build failed (log: $log)"; return 1; }
        rm -rf "$dir/src"
        touch "$dir/done"
    fi
    # into the private installation (paths under stage/ are the system's)
    cp -a "$stage/." "$GCA_BUILD/pginst/" || return 1
    chmod -R a+rX "$GCA_BUILD/pginst"
}

# Nodes: data in $CITUS_DIR/nodeN, one socket directory (the nodes differ
# by port; no TCP listener).  Citus reaches a node by that directory as its
# host name, which libpq takes for a Unix socket.
CITUS_DIR=${CITUS_DIR:-$GCA_BUILD/tmp/citus-nodes}
CITUS_SOCK=$CITUS_DIR/sock
CITUS_DB=gca_citus
CITUS_NODES=""
citus_port() { echo $((9700 + $1)); }

citus_node_start() {
    local n=$1 data=$CITUS_DIR/node$1 port
    port=$(citus_port "$n")
    mkdir -p "$CITUS_DIR" "$CITUS_SOCK"
    chmod 777 "$CITUS_DIR" "$CITUS_SOCK"
    rm -rf "$data"
    init_cluster "$data" "$port" "$CITUS_SOCK" "$CITUS_DIR/initdb$n.log"
    cat >>"$data/postgresql.conf" <<EOC
shared_preload_libraries = 'citus,pg_cron,gcanalytics'
cron.database_name = '$CITUS_DB'
cron.host = '$CITUS_SOCK'
citus.node_conninfo = 'sslmode=disable'
citus.shard_count = ${CITUS_SHARD_COUNT:-8}
# gcsim is plain http:// on loopback
gcanalytics.allow_loopback_http = on
synchronous_commit = off
full_page_writes = off
max_connections = 100
max_prepared_transactions = 100
shared_buffers = 128MB
work_mem = 32MB
max_wal_size = 4GB
log_line_prefix = '%m [%p] '
log_min_messages = warning
EOC
    echo "CREATE DATABASE $CITUS_DB" | runas "$PG_BINDIR/postgres" --single -D "$data" postgres \
        >"$CITUS_DIR/createdb$n.log" 2>&1 || { cat "$CITUS_DIR/createdb$n.log"; fail "createdb on node $n failed"; }
    CITUS_NODES="$CITUS_NODES $n"
    trap citus_nodes_stop EXIT
    runas "$PG_BINDIR/pg_ctl" -D "$data" -l "$CITUS_DIR/node$n.log" -w -t 120 start >/dev/null \
        || { cat "$CITUS_DIR/node$n.log"; fail "node $n did not start"; }
}

citus_nodes_stop() {
    local rc=$? n
    trap - EXIT
    for n in $CITUS_NODES; do
        runas "$PG_BINDIR/pg_ctl" -D "$CITUS_DIR/node$n" -m fast -w -t 60 stop >/dev/null 2>&1 \
            || runas "$PG_BINDIR/pg_ctl" -D "$CITUS_DIR/node$n" -m immediate stop >/dev/null 2>&1 || true
    done
    CITUS_NODES=""
    stop_all_gcsim
    exit "$rc"
}

# csql N "SQL" - on node N, in the database $CITUS_DB
csql() {
    local n=$1
    shift
    "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$CITUS_SOCK" -p "$(citus_port "$n")" -U postgres -d "$CITUS_DB" -c "$*"
}
# cpsql N [psql args] - psql on node N (for CALLs, whose NOTICEs are wanted)
cpsql() {
    local n=$1
    shift
    "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -h "$CITUS_SOCK" -p "$(citus_port "$n")" -U postgres -d "$CITUS_DB" "$@"
}

# citus_cluster_start - a coordinator (node 0) and two workers (1, 2), each
# preloading citus, pg_cron and gcanalytics, as README "Scaling out with
# Citus" sets them up: CREATE EXTENSION citus on every node, the nodes
# registered on the coordinator, then CREATE EXTENSION pg_cron there only
# (Citus creates it on the workers)
citus_cluster_start() {
    local n
    for n in 0 1 2; do citus_node_start "$n"; done
    for n in 0 1 2; do csql "$n" "CREATE EXTENSION citus" >/dev/null; done
    csql 0 "SELECT citus_set_coordinator_host('$CITUS_SOCK', $(citus_port 0));
            SELECT citus_add_node('$CITUS_SOCK', $(citus_port 1));
            SELECT citus_add_node('$CITUS_SOCK', $(citus_port 2));
            CREATE EXTENSION pg_cron" >/dev/null
}
