#!/usr/bin/env bash
# test/lib.sh - helpers for suites, benchmarks and the demo (see test/README.md).
# Sourced; expects the environment test/run.sh sets.

runas() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() {
    if [ "$1" != "$2" ]; then
        printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$3" "$1" "$2" >&2
        exit 1
    fi
    printf 'ok: %s\n' "$3"
}

# contains GREP-ARGS... - grep's status with its output thrown away.  Unlike
# grep -q it reads its input to the end, so under pipefail the writer of
# `producer | contains ...` never dies of SIGPIPE when the match comes early.
contains() { grep "$@" >/dev/null; }

# sql "statement" - runs SQL in $PGDATABASE, unaligned and tuples only,
# stopping at the first error.
sql() {
    "$PG_BINDIR/psql" -qXAt -v ON_ERROR_STOP=1 -c "$1"
}

GCSIM_PIDS=""

# start_gcsim ARGS... - starts $GCSIM on a free loopback port with ARGS,
# waits until it is ready, sets GCSIM_URL and GCSIM_PID.  Every gcsim
# started this way is stopped by stop_all_gcsim (and on exit).
start_gcsim() {
    [ -n "${GCSIM:-}" ] && [ -x "$GCSIM" ] || { echo "gcsim is not built" >&2; return 1; }
    local out
    out=$(mktemp "${GCA_BUILD:-/tmp}/tmp/gcsim.XXXXXX")
    "$GCSIM" --port 0 "$@" >"$out" 2>&1 &
    GCSIM_PID=$!
    GCSIM_PIDS="$GCSIM_PIDS $GCSIM_PID"
    local i
    for i in $(seq 1 300); do
        if grep -q '^gcsim listening on ' "$out" 2>/dev/null; then
            GCSIM_URL=$(sed -n 's/^gcsim listening on \(http[^ ]*\).*/\1/p' "$out" | head -n 1)
            export GCSIM_URL GCSIM_PID
            return 0
        fi
        kill -0 "$GCSIM_PID" 2>/dev/null || { cat "$out" >&2; return 1; }
        sleep 0.1
    done
    cat "$out" >&2
    return 1
}

stop_all_gcsim() {
    local p
    for p in $GCSIM_PIDS; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    GCSIM_PIDS=""
}

# A suite that starts its own gcsim stops it when it exits.
if [ "${BASH_SOURCE[0]}" != "$0" ] && [ -z "${GCA_LIB_NO_TRAP:-}" ]; then
    trap 'stop_all_gcsim' EXIT
    trap 'exit 143' TERM INT
fi

# load_csv TABLE FILE - (re)creates TABLE with one text column per header
# field of the CSV FILE and loads it (empty fields are NULL).
load_csv() {
    local header
    header=$(head -n 1 "$2")
    sql "SET client_min_messages = warning; DROP TABLE IF EXISTS $1; CREATE TABLE $1 ($(echo "$header" | sed 's/,/ text,/g') text)"
    sql "\\copy $1 FROM '$2' WITH (FORMAT csv, HEADER true)"
}

# gcsim_truth OUT FROM TO WORLD... - writes `gcsim truth` of the world
# WORLD (gcsim's options: --seed, --conversations-per-day, --now, knobs)
# for the days [FROM, TO) into the folder OUT, created if missing, and
# makes it readable by everyone (the server's COPY reads it as postgres).
gcsim_truth() {
    local out=$1 from=$2 to=$3
    shift 3
    mkdir -p "$out"
    "$GCSIM" truth "$@" --from "$from" --to "$to" --out "$out" >/dev/null
    chmod -R a+rX "$out"
}

# genesys_server NAME URL CLIENT SECRET [OPTION...] - a Genesys server on
# URL (also its login URL) with the given extra OPTIONs ("max_retries '2'"),
# and a user mapping for the current user with CLIENT and SECRET.
genesys_server() {
    local name=$1 url=$2 client=$3 secret=$4
    shift 4
    local extra="" o
    for o in "$@"; do extra="$extra, $o"; done
    sql "SET client_min_messages = warning; DROP SERVER IF EXISTS $name CASCADE;
         CREATE SERVER $name FOREIGN DATA WRAPPER gcanalytics_fdw
           OPTIONS (service 'genesys', api_url '$url', login_url '$url'$extra);
         CREATE USER MAPPING FOR CURRENT_USER SERVER $name
           OPTIONS (client_id '$client', client_secret '$secret');"
}

# salesforce_server NAME URL CLIENT SECRET [OPTION...] - a Salesforce
# server with instance_url URL and the given extra OPTIONs, and a user
# mapping for the current user with CLIENT and SECRET.
salesforce_server() {
    local name=$1 url=$2 client=$3 secret=$4
    shift 4
    local extra="" o
    for o in "$@"; do extra="$extra, $o"; done
    sql "SET client_min_messages = warning; DROP SERVER IF EXISTS $name CASCADE;
         CREATE SERVER $name FOREIGN DATA WRAPPER gcanalytics_fdw
           OPTIONS (service 'salesforce', instance_url '$url'$extra);
         CREATE USER MAPPING FOR CURRENT_USER SERVER $name
           OPTIONS (client_id '$client', client_secret '$secret');"
}

# The weight edits of the suites that carry a user's objects across a dump
# or an upgrade (a changed, an added and a deleted row), and the weights
# jsonb they must give, worked out from the built-in defaults: chat 0.8, a
# transfers tier 3 of 2.0, no video.
WEIGHT_EDITS="UPDATE gcanalytics.weht_weights SET multiplier = 0.8 WHERE dimension = 'media_type' AND key = 'chat';
              INSERT INTO gcanalytics.weht_weights VALUES ('transfers', '3', 2.0, 'three or more');
              DELETE FROM gcanalytics.weht_weights WHERE dimension = 'media_type' AND key = 'video';"
WEIGHTS_AFTER_EDITS="SELECT jsonb_build_object(
                       'transfers', (gcanalytics.weht_default_weights()->'transfers') || '{\"3\": 2.0}',
                       'media_type', ((gcanalytics.weht_default_weights()->'media_type') - 'video') || '{\"chat\": 0.8}')"

# init_cluster DATA PORT SOCKDIR LOG - initdb of a private cluster in DATA
# (as the postgres user, trust, C locale) listening only on the Unix
# socket PORT in SOCKDIR; the caller appends the rest of its configuration
init_cluster() {
    runas "$PG_BINDIR/initdb" -D "$1" -U postgres -A trust -E UTF8 --locale=C --no-sync \
        >"$4" 2>&1 || { cat "$4"; fail "initdb of $1 failed"; }
    printf "listen_addresses = ''\nport = %s\nunix_socket_directories = '%s'\nfsync = off\n" "$2" "$3" \
        >>"$1/postgresql.conf"
}

# vg_cluster_start DIR PORT [CONF] - initdb a scratch cluster in DIR/data
# and start it with postgres under valgrind (memcheck, children traced, a
# log per process in DIR/logs/vg.PID.log), extra postgresql.conf lines in
# CONF; sets VG_PSQL (psql of that cluster, an array) and stops it with
# vg_cluster_stop on exit.  Waits until it answers.
vg_cluster_start() {
    VG_DIR=$1
    VG_PORT=$2
    rm -rf "$VG_DIR"
    mkdir -p "$VG_DIR/logs" "$VG_DIR/sock" "$VG_DIR/out"
    chmod 777 "$VG_DIR" "$VG_DIR/logs" "$VG_DIR/sock" "$VG_DIR/out"
    VG_PSQL=("$PG_BINDIR/psql" -h "$VG_DIR/sock" -p "$VG_PORT" -U postgres -X)
    init_cluster "$VG_DIR/data" "$VG_PORT" "$VG_DIR/sock" "$VG_DIR/initdb.log"
    cat >>"$VG_DIR/data/postgresql.conf" <<EOC
autovacuum = off
max_connections = 10
shared_buffers = 64MB
${3:-}
EOC
    runas valgrind --quiet --trace-children=yes --error-limit=no --num-callers=30 \
        --log-file="$VG_DIR/logs/vg.%p.log" "$PG_BINDIR/postgres" -D "$VG_DIR/data" >"$VG_DIR/server.log" 2>&1 &
    VG_PID=$!
    trap vg_cluster_stop EXIT
    local i
    for i in $(seq 1 120); do
        "${VG_PSQL[@]}" -d postgres -Atc "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 1
    done
    fail "the valgrind cluster did not come up"
}

vg_cluster_stop() {
    runas "$PG_BINDIR/pg_ctl" -D "$VG_DIR/data" -m fast -w -t 120 stop >/dev/null 2>&1 \
        || kill "$VG_PID" 2>/dev/null || true
    stop_all_gcsim
    trap - EXIT
    sleep 1
}

# vg_reports_ours - after vg_cluster_stop: prints the valgrind reports of
# PostgreSQL itself (counted, not failed: uninitialised padding in WAL
# writes, which Debian's symbol-less binary keeps the core's suppressions
# from matching) and returns 1 when a report has a gcanalytics frame (the
# library, or any of its source files), printing those.
vg_reports_ours() {
    local files ours n_other
    files=$(cd "$GCA_ROOT/src" && ls ./*/*.c ./*.c | xargs -n1 basename | sed 's/\.c$//' | paste -sd'|' -)
    ours=$(grep -l -E "gcanalytics\\.so|\\(($files)\\.c:" "$VG_DIR"/logs/vg.*.log 2>/dev/null || true)
    n_other=$(cat "$VG_DIR"/logs/vg.*.log | grep -cE '^==[0-9]+== [A-Z]' || true)
    echo "valgrind reports outside gcanalytics (PostgreSQL core):"
    cat "$VG_DIR"/logs/vg.*.log | grep -E '^==[0-9]+== [A-Z]' | sed 's/^==[0-9]*== //' | sort | uniq -c || true
    if [ -n "$ours" ]; then
        echo "FAIL: valgrind reports with a gcanalytics frame:"
        for f in $ours; do head -n 40 "$f"; done
        return 1
    fi
    echo "ok: no valgrind report has a gcanalytics frame ($n_other reports in PostgreSQL itself)"
}

# Benchmark helpers: ms (now in milliseconds), ratio A B (A / B to two
# decimals), n_scaled N (N times $BENCH_SCALE, default 1).
ms() { date +%s%N | cut -c1-13; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
n_scaled() { awk -v n="$1" -v s="${BENCH_SCALE:-1}" 'BEGIN { printf "%d", n * s }'; }

# warehouse_servers_sql URL RPM - the SQL that (re)creates servers
# "genesys" and "salesforce" on the gcsim at URL, each with a budget of
# RPM requests a minute and a user mapping, and runs configure()
warehouse_servers_sql() {
    cat <<SQL
DROP SERVER IF EXISTS genesys CASCADE; DROP SERVER IF EXISTS salesforce CASCADE;
CREATE SERVER genesys FOREIGN DATA WRAPPER gcanalytics_fdw
  OPTIONS (service 'genesys', api_url '$1', login_url '$1', requests_per_minute '$2');
CREATE USER MAPPING FOR CURRENT_USER SERVER genesys OPTIONS (client_id 'demo', client_secret 'demo-secret');
CREATE SERVER salesforce FOREIGN DATA WRAPPER gcanalytics_fdw
  OPTIONS (service 'salesforce', instance_url '$1', requests_per_minute '$2');
CREATE USER MAPPING FOR CURRENT_USER SERVER salesforce OPTIONS (client_id 'demo', client_secret 'demo-secret');
CALL gcanalytics.configure(genesys_server => 'genesys', salesforce_server => 'salesforce');
SQL
}

# warehouse_setup URL SINCE - in $PGDATABASE: servers "genesys" and
# "salesforce" on the gcsim at URL with user mappings, configure(), the
# first run() starting at SINCE, and gcsim's release calendar
# (test/simulator/README.md) as the user's releases.
warehouse_setup() {
    sql "SET client_min_messages = warning;
         $(warehouse_servers_sql "$1" 100000)
         UPDATE gcanalytics.settings SET value = '$2' WHERE name = 'initial_sync_from';
         INSERT INTO gcanalytics.releases (release_name, released_at) VALUES
           ('4.6', '2026-01-19 00:00Z'), ('4.7', '2026-02-16 00:00Z'), ('4.8', '2026-03-09 00:00Z'),
           ('4.9', '2026-03-30 00:00Z'), ('5.0', '2026-04-13 00:00Z'), ('5.1', '2026-05-04 00:00Z'),
           ('5.2', '2026-05-25 00:00Z')
         ON CONFLICT (release_name) DO UPDATE SET released_at = excluded.released_at;"
}

# sim_faults URL KIND - faults of KIND injected in total
sim_faults() {
    curl -s "$1/sim/stats" | sed 's/.*"total"//' | grep -o "\"$2\":[0-9]*" | grep -o '[0-9]*$' || echo 0
}
