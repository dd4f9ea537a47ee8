#!/usr/bin/env bash
# test/run.sh MODE [NAMES...] - the harness behind make test / demo / bench.
#
# MODE test : pg_regress (sql/, expected/) and every suite test/suites/*.sh
# MODE demo : test/demo.sh
# MODE bench: every test/bench/*.sh, collected into BENCHMARKS.md
# MODE exec : runs the rest of the command line in bash, with the cluster
#             and gcsim up (for developing: bash test/run.sh exec 'psql')
#
# Installs what is missing, builds, installs the extension into a private
# copy of the PostgreSQL installation under .build/, starts a scratch
# cluster (as the unprivileged "postgres" user, Unix socket only) and a
# gcsim, runs, and stops and removes what it started, also on failure or
# Ctrl-C.  The last line of "test" is "N passed, N failed, N skipped".
set -u -o pipefail

MODE=${1:-test}
shift || true
NAMES="$*"

GCA_ROOT=$(cd "$(dirname "$0")/.." && pwd)
GCA_BUILD=$GCA_ROOT/.build
export GCA_ROOT GCA_BUILD
# pg_regress uses the harness database (Makefile)
export GCA_HARNESS=1
cd "$GCA_ROOT"

log() { printf '== %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- packages
bash test/deps.sh || die "could not install the required packages"

PG_SYS_BIN=/usr/lib/postgresql/15/bin
PG_SYS_SHARE=/usr/share/postgresql/15
PGINST=$GCA_BUILD/pginst
PG_BINDIR=$PGINST$PG_SYS_BIN
export PG_BINDIR

# ------------------------------------------------------------------ build
log "building"
mkdir -p "$GCA_BUILD"
make -s -j2 >"$GCA_BUILD/make.log" 2>&1 || { cat "$GCA_BUILD/make.log"; die "build failed"; }
GCSIM=
if [ -f test/simulator/Makefile ]; then
    make -s -C test/simulator >"$GCA_BUILD/gcsim-make.log" 2>&1 \
        || { cat "$GCA_BUILD/gcsim-make.log"; die "gcsim build failed"; }
    [ -x test/simulator/gcsim ] && GCSIM=$GCA_ROOT/test/simulator/gcsim
fi
export GCSIM

# ------------------------------------------- private installation + cluster
# Stop whatever an interrupted earlier run may have left.
runas() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -f "$GCA_BUILD/pgdata/postmaster.pid" ] && [ -x "$PG_BINDIR/pg_ctl" ]; then
    runas "$PG_BINDIR/pg_ctl" -D "$GCA_BUILD/pgdata" -m immediate stop >/dev/null 2>&1 || true
fi
rm -rf "$PGINST" "$GCA_BUILD/pgdata" "$GCA_BUILD/socket" "$GCA_BUILD/tmp" "$GCA_BUILD/logs"
mkdir -p "$PGINST/usr/lib/postgresql" "$PGINST/usr/share/postgresql" "$GCA_BUILD/logs" "$GCA_BUILD/tmp"
cp -a /usr/lib/postgresql/15 "$PGINST/usr/lib/postgresql/" || die "cannot copy the PostgreSQL installation"
rm -rf "$PGINST/usr/lib/postgresql/15/lib/bitcode"
cp -a "$PG_SYS_SHARE" "$PGINST/usr/share/postgresql/" || die "cannot copy the PostgreSQL share directory"
make -s install DESTDIR="$PGINST" >"$GCA_BUILD/install.log" 2>&1 \
    || { cat "$GCA_BUILD/install.log"; die "make install failed"; }
chmod -R a+rX "$GCA_BUILD"
chmod 1777 "$GCA_BUILD/tmp"

# shellcheck source=test/lib.sh
. test/lib.sh

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_all_gcsim
    if [ -f "$GCA_BUILD/pgdata/postmaster.pid" ]; then
        runas "$PG_BINDIR/pg_ctl" -D "$GCA_BUILD/pgdata" -m fast -w stop >/dev/null 2>&1 \
            || runas "$PG_BINDIR/pg_ctl" -D "$GCA_BUILD/pgdata" -m immediate stop >/dev/null 2>&1
    fi
    rm -rf "$GCA_BUILD/pgdata" "$GCA_BUILD/socket"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting a scratch cluster"
mkdir -p "$GCA_BUILD/pgdata" "$GCA_BUILD/socket"
if [ "$(id -u)" = 0 ]; then chown postgres: "$GCA_BUILD/pgdata" "$GCA_BUILD/socket" "$GCA_BUILD/logs"; fi
runas "$PG_BINDIR/initdb" -D "$GCA_BUILD/pgdata" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$GCA_BUILD/logs/initdb.log" 2>&1 || { cat "$GCA_BUILD/logs/initdb.log"; die "initdb failed"; }
cat >>"$GCA_BUILD/pgdata/postgresql.conf" <<EOF
listen_addresses = ''
port = 5432
unix_socket_directories = '$GCA_BUILD/socket'
shared_preload_libraries = 'pg_cron,gcanalytics'
# gcsim listens on plain http:// at 127.0.0.1
gcanalytics.allow_loopback_http = on
cron.database_name = 'gca_regress'
# pg_cron's jobs connect through the private socket (there is no TCP)
cron.host = '$GCA_BUILD/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 256MB
work_mem = 32MB
max_wal_size = 4GB
log_line_prefix = '%m [%p] '
log_min_messages = warning
EOF
# the database pg_cron's launcher connects to must exist before it starts
echo "CREATE DATABASE gca_regress" | runas "$PG_BINDIR/postgres" --single -D "$GCA_BUILD/pgdata" postgres \
    >"$GCA_BUILD/logs/createdb.log" 2>&1 || { cat "$GCA_BUILD/logs/createdb.log"; die "createdb failed"; }
runas "$PG_BINDIR/pg_ctl" -D "$GCA_BUILD/pgdata" -l "$GCA_BUILD/logs/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$GCA_BUILD/logs/postgres.log"; die "the scratch cluster did not start"; }

export PGHOST=$GCA_BUILD/socket PGPORT=5432 PGUSER=postgres PGDATABASE=gca_regress
"$PG_BINDIR/psql" -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_cron; CREATE EXTENSION gcanalytics;" >/dev/null \
    || die "CREATE EXTENSION failed"

if [ -n "$GCSIM" ]; then
    start_gcsim --seed 42 || die "gcsim did not start"
    export GCSIM_DEFAULT_URL=$GCSIM_URL
fi

# ------------------------------------------------------------------ modes
selected() { [ -z "$NAMES" ] || [[ " $NAMES " == *" $1 "* ]]; }

# selected_scripts DIR - names of the selected DIR/*.sh, one a line, each
# with its scratch directory $GCA_BUILD/tmp/NAME made
selected_scripts() {
    local f name
    for f in "$1"/*.sh; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .sh)
        selected "$name" || continue
        mkdir -p "$GCA_BUILD/tmp/$name"
        chmod 1777 "$GCA_BUILD/tmp/$name"
        echo "$name"
    done
}

run_test_mode() {
    local passed=0 failed=0 skipped=0 failed_names="" name regress=""
    for f in sql/*.sql; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .sql)
        selected "$name" && regress="$regress $name"
    done
    if [ -n "$regress" ]; then
        log "pg_regress:$regress"
        rm -f regression.diffs regression.out
        make -s installcheck REGRESS="$regress" PG_CONFIG="$PG_BINDIR/pg_config" \
            >"$GCA_BUILD/logs/regress.log" 2>&1
        cat "$GCA_BUILD/logs/regress.log"
        local ok bad
        ok=$(grep -cE ' \.\.\. ok ' "$GCA_BUILD/logs/regress.log" || true)
        bad=$(grep -cE ' \.\.\. (FAILED|failed)' "$GCA_BUILD/logs/regress.log" || true)
        passed=$((passed + ok))
        failed=$((failed + bad))
        if [ -s regression.diffs ]; then
            echo "---- regression.diffs"
            cat regression.diffs
            echo "----"
        fi
        if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
            failed=$((failed + 1))
            failed_names="$failed_names pg_regress"
        fi
    fi
    for name in $(selected_scripts test/suites); do
        f=test/suites/$name.sh
        log "suite $name"
        local start=$SECONDS
        local rc=0
        # a suite that needs longer says so in a line "# harness-timeout: SECONDS"
        # (citus: its first run on a machine builds Citus)
        local limit
        limit=$(sed -n 's/^# harness-timeout: \([0-9][0-9]*\)$/\1/p' "$f" | head -n 1)
        GCSIM_URL=${GCSIM_DEFAULT_URL:-} timeout --kill-after=10 "${GCA_SUITE_TIMEOUT:-${limit:-600}}" \
            bash "$f" >"$GCA_BUILD/logs/$name.log" 2>&1 || rc=$?
        if [ "$rc" -eq 0 ]; then
            passed=$((passed + 1))
            printf 'ok   %-32s %4ds\n' "$name" $((SECONDS - start))
        elif [ "$rc" -eq 77 ]; then
            # a suite that needs something optional says so with exit 77
            skipped=$((skipped + 1))
            printf 'skip %-32s %s\n' "$name" "$(tail -n 1 "$GCA_BUILD/logs/$name.log")"
        else
            failed=$((failed + 1))
            failed_names="$failed_names $name"
            printf 'FAIL %-32s %4ds\n' "$name" $((SECONDS - start))
            tail -n 60 "$GCA_BUILD/logs/$name.log" | sed 's/^/    /'
        fi
    done
    [ -n "$failed_names" ] && echo "failed:$failed_names"
    echo "$passed passed, $failed failed, $skipped skipped"
    # a run whose suites all skipped (citus without its archive) passes; a
    # run that selected nothing (a misspelt name in TESTS) is an error
    if [ $((passed + failed + skipped)) -eq 0 ]; then
        echo "error: no pg_regress test or suite is named \"$NAMES\"" >&2
        return 1
    fi
    [ "$failed" -eq 0 ]
}

run_demo_mode() {
    GCSIM_URL=${GCSIM_DEFAULT_URL:-} bash test/demo.sh
}

# BENCHMARKS.md keeps one block per benchmark between <!-- bench:NAME -->
# and <!-- /bench:NAME -->; a run replaces the blocks of the benchmarks it
# ran and keeps the others, so `make bench TESTS=x` updates only x.
run_bench_mode() {
    local name rc=0 f
    touch BENCHMARKS.md
    for name in $(selected_scripts test/bench); do
        f=test/bench/$name.sh
        log "bench $name"
        if GCSIM_URL=${GCSIM_DEFAULT_URL:-} bash "$f" >"$GCA_BUILD/tmp/$name.md" 2>"$GCA_BUILD/logs/bench-$name.log"; then
            replace_bench_block "$name" "$GCA_BUILD/tmp/$name.md"
        else
            rc=1
            echo "bench $name failed:"
            tail -n 40 "$GCA_BUILD/logs/bench-$name.log"
        fi
    done
    cat BENCHMARKS.md
    return $rc
}

# replace_bench_block NAME FILE - puts FILE as NAME's block into BENCHMARKS.md,
# where its block was (at the end if it had none); the header above the
# first block is written again, the other blocks and the notes between and
# after them are kept
replace_bench_block() {
    local out=$GCA_BUILD/BENCHMARKS.md.new block=$GCA_BUILD/BENCHMARKS.block.new
    {
        echo "<!-- bench:$1 -->"
        echo "_Run $(date -u '+%Y-%m-%d %H:%M UTC')._"
        echo
        cat "$2"
        echo "<!-- /bench:$1 -->"
    } >"$block"
    {
        echo "# Benchmarks"
        echo
        echo "Written by \`make bench\` (\`make bench TESTS=name\` reruns one section); $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB."
        echo "Every figure is a ratio against a baseline measured in the same run; absolute times vary with the machine."
        echo
        awk -v name="$1" -v block="$block" '
            function put(  line) { while ((getline line < block) > 0) print line; done = 1 }
            /^<!-- bench:/ { started = 1; n = $2; sub(/^bench:/, "", n); keep = (n != name); if (!keep) put() }
            /^<!-- bench:/, /^<!-- \/bench:/ { if (keep) print; next }
            started { print }
            END { if (!done) put() }' BENCHMARKS.md
    } >"$out"
    mv "$out" BENCHMARKS.md
}

case "$MODE" in
    exec) GCSIM_URL=${GCSIM_DEFAULT_URL:-} bash -c "$NAMES" ;;
    test) run_test_mode ;;
    demo) run_demo_mode ;;
    bench) run_bench_mode ;;
    *) die "unknown mode $MODE (test, demo, bench)" ;;
esac
