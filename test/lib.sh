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
    sql "DROP TABLE IF EXISTS $1; CREATE TABLE $1 ($(echo "$header" | sed 's/,/ text,/g') text)"
    sql "\\copy $1 FROM '$2' WITH (FORMAT csv, HEADER true)"
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
