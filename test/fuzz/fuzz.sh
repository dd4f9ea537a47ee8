#!/usr/bin/env bash
# test/fuzz/fuzz.sh - libFuzzer targets over the response parsers.
#
#   fuzz.sh build               builds every target of targets.list into .build/fuzz/bin/
#   fuzz.sh seeds               writes seed inputs from a fresh gcsim into .build/fuzz/seeds/KIND/
#   fuzz.sh replay [NAMES]      runs each target over its regression inputs (regress/NAME/)
#   fuzz.sh run SECONDS [NAMES] fuzzes each target for SECONDS from its seeds and corpus;
#                               a crash is copied to regress/NAME/ and fails the run
#   fuzz.sh all [NAMES]         build, seeds, replay, run $FUZZ_SECONDS (default 60) - `make fuzz`
#
# Targets are built with clang (-fsanitize=fuzzer,address,undefined) against the
# PostgreSQL server headers and linked with test/fuzz/pg_shim.c instead of a backend.
# A line per run goes to .build/fuzz/summary.txt: target, seconds, executions, corpus
# size, coverage, outcome.
set -u -o pipefail

GCA_ROOT=${GCA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GCA_BUILD=${GCA_BUILD:-$GCA_ROOT/.build}
export GCA_ROOT GCA_BUILD
FUZZ_DIR=$GCA_ROOT/test/fuzz
OUT=$GCA_BUILD/fuzz
CC_FUZZ=${CC_FUZZ:-clang}
PG_CONFIG=${PG_CONFIG:-$(ls /usr/lib/postgresql/15/bin/pg_config 2>/dev/null || echo pg_config)}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS_FUZZ="-g -O1 -std=gnu11 -fno-omit-frame-pointer -ffunction-sections -fdata-sections $SAN
 -I$FUZZ_DIR -I$GCA_ROOT/src/include -I$($PG_CONFIG --includedir-server)
 $(pkg-config --cflags json-c libcurl) -DGCA_VERSION=\"fuzz\" -Wno-unused-command-line-argument -Wno-ignored-attributes"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

die() { printf 'fuzz: %s\n' "$*" >&2; exit 1; }

# targets_list [NAMES] - "NAME PREFIX SEEDS SOURCES..." of the selected targets
targets_list() {
    local names=" $* "
    grep -vE '^\s*(#|$)' "$FUZZ_DIR/targets.list" | while read -r name prefix seeds sources; do
        [ "$names" = "  " ] || [[ "$names" == *" $name "* ]] || continue
        echo "$name $prefix $seeds $sources"
    done
}

# obj SRC - compiles SRC (once per content change) and prints the object's path
obj() {
    local src=$1 o
    o=$OUT/obj/$(echo "$src" | sed 's|^'"$GCA_ROOT"'/||; s|/|_|g; s|\.c$|.o|')
    # any header (or, for a target, any source it may include) newer rebuilds it
    local deps="-name *.h"
    [[ "$src" == "$FUZZ_DIR/targets/"* ]] && deps="-name *.[ch]"
    # shellcheck disable=SC2086
    if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find "$GCA_ROOT/src" "$FUZZ_DIR" $deps -newer "$o" 2>/dev/null | head -n 1)" ]; then
        # shellcheck disable=SC2086
        $CC_FUZZ $CFLAGS_FUZZ -fsanitize=fuzzer-no-link -c "$src" -o "$o" || return 1
    fi
    echo "$o"
}

cmd_build() {
    mkdir -p "$OUT/obj" "$OUT/bin"
    command -v "$CC_FUZZ" >/dev/null || die "$CC_FUZZ is missing (test/deps.sh installs clang)"
    local name prefix seeds sources objs s rc=0
    while read -r name prefix seeds sources; do
        objs="$(obj "$FUZZ_DIR/targets/$name.c") $(obj "$FUZZ_DIR/pg_shim.c")" || { rc=1; continue; }
        for s in $sources; do
            objs="$objs $(obj "$GCA_ROOT/src/$s")" || rc=1
        done
        # libpgport, libpgcommon: PostgreSQL's snprintf, string and encoding functions
        # shellcheck disable=SC2086
        $CC_FUZZ $SAN -fsanitize=fuzzer $objs \
            "$($PG_CONFIG --pkglibdir)/libpgcommon.a" "$($PG_CONFIG --pkglibdir)/libpgport.a" $(pkg-config --libs json-c) -o "$OUT/bin/$name" || { echo "fuzz: linking $name failed" >&2; rc=1; }
    done < <(targets_list "$@")
    return $rc
}

# gcsim output as seeds, one file per body, into $OUT/seeds/KIND/
cmd_seeds() {
    [ -n "${GCSIM:-}" ] || GCSIM=$GCA_ROOT/test/simulator/gcsim
    [ -x "$GCSIM" ] || make -s -C "$GCA_ROOT/test/simulator" >/dev/null || die "cannot build gcsim"
    export GCSIM
    mkdir -p "$GCA_BUILD/tmp"
    # shellcheck source=test/lib.sh
    GCA_LIB_NO_TRAP=1 . "$GCA_ROOT/test/lib.sh"
    start_gcsim --seed 42 --job-delay-ms 20 || die "gcsim did not start"
    trap stop_all_gcsim EXIT
    local s=$OUT/seeds u=$GCSIM_URL tok sftok job i
    rm -rf "$s"
    mkdir -p "$s/pages" "$s/jobs" "$s/errors" "$s/tokens" "$s/times"
    c() { curl -s --max-time 30 "$@"; }
    c -u fuzz:secret -d grant_type=client_credentials "$u/oauth/token" >"$s/tokens/genesys.json"
    c -d 'grant_type=client_credentials&client_id=fuzz&client_secret=secret' \
        "$u/services/oauth2/token" >"$s/tokens/salesforce.json"
    c -u fuzz:secret -d grant_type=password "$u/oauth/token" >"$s/errors/oauth_grant.json"
    tok=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$s/tokens/genesys.json")
    sftok=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$s/tokens/salesforce.json")
    [ -n "$tok" ] || die "gcsim gave no token"
    local H=(-H "Authorization: Bearer $tok" -H 'Content-Type: application/json')
    for i in 1 2 7; do
        c "${H[@]}" -d '{"interval":"2026-04-13T00:00:00Z/2026-04-14T00:00:00Z","order":"asc","paging":{"pageSize":3,"pageNumber":'$i'}}' \
            "$u/api/v2/analytics/conversations/details/query" >"$s/pages/details_$i.json"
    done
    # the last day's conversations, some in progress at "now"
    c "${H[@]}" -d '{"interval":"2026-04-20T11:40:00Z/2026-04-20T12:00:00Z","paging":{"pageSize":4,"pageNumber":1}}' \
        "$u/api/v2/analytics/conversations/details/query" >"$s/pages/details_running.json"
    c "${H[@]}" -d '{"interval":"2026-04-13T00:00:00Z/2026-04-14T00:00:00Z","paging":{"pageSize":100,"pageNumber":99}}' \
        "$u/api/v2/analytics/conversations/details/query" >"$s/pages/details_past_end.json"
    c "${H[@]}" -d '{"interval":"2026-04-13T00:00:00Z/2026-04-14T00:00:00Z"}' \
        "$u/api/v2/analytics/conversations/details/jobs" >"$s/jobs/create.json"
    job=$(sed -n 's/.*"jobId":"\([^"]*\)".*/\1/p' "$s/jobs/create.json")
    for i in $(seq 1 50); do
        c "${H[@]}" "$u/api/v2/analytics/conversations/details/jobs/$job" >"$s/jobs/status.json"
        grep -q FULFILLED "$s/jobs/status.json" && break
        sleep 0.1
    done
    c "${H[@]}" "$u/api/v2/analytics/conversations/details/jobs/$job/results?pageSize=2" >"$s/pages/job_results.json"
    local ids
    ids=$(grep -o '"conversationId":"[^"]*"' "$s/pages/details_1.json" | cut -d'"' -f4 | head -n 3 | paste -sd, -)
    c "${H[@]}" "$u/api/v2/analytics/conversations/details?id=$ids" >"$s/pages/by_id.json"
    c "$u/api/v2/analytics/conversations/details?id=x" >"$s/errors/unauthenticated.json"
    c "${H[@]}" -d '{"interval":"2026-04-13T00:00:00Z/2026-04-14T00:00:00Z","paging":{"pageSize":500}}' \
        "$u/api/v2/analytics/conversations/details/query" >"$s/errors/bad_request.json"
    c "${H[@]}" "$u/api/v2/analytics/conversations/details/jobs/nosuchjob" >"$s/errors/not_found.json"
    c -H "Authorization: Bearer $sftok" "$u/services/data/v62.0/query?q=SELEKT+Id" >"$s/errors/salesforce_soql.json"
    c -H "Authorization: Bearer forged" "$u/services/data/v62.0/query?q=SELECT+Id+FROM+Account" >"$s/errors/salesforce_session.json"
    # every ISO-8601 time in the pages, and the other forms the parser reads
    cat "$s"/pages/*.json | grep -oE '"[0-9]{4}-[0-9]{2}-[0-9]{2}T[^"]*"' | tr -d '"' | sort -u | head -n 40 \
        | while read -r t; do printf '%s' "$t" >"$s/times/$(echo "$t" | tr -c 'A-Za-z0-9' _)"; done
    for t in '2026-04-13 00:04:29+02:00' '2026-04-13T00:04:29.318123-0530' '2026-04-13T00:04' \
        '2024-02-29T23:59:60,5z' '0001-01-01T00:00:00+23:59' '9999-12-31T23:59:59.999-23:59'; do
        printf '%s' "$t" >"$s/times/extra_$(echo "$t" | tr -c 'A-Za-z0-9' _)"
    done
    stop_all_gcsim
    trap - EXIT
    find "$s" -type f -empty -delete
    echo "seeds: $(find "$s" -type f | wc -l) files in $s"
}

# corpus NAME PREFIX SEEDS - the target's corpus directory, topped up from the seeds
corpus() {
    local name=$1 prefix=$2 kinds=$3 dir=$OUT/corpus/$1 k f
    mkdir -p "$dir"
    for k in ${kinds//,/ }; do
        for f in "$OUT/seeds/$k"/*; do
            [ -f "$f" ] || continue
            if [ "$prefix" = 1 ]; then
                { printf 'A'; cat "$f"; } >"$dir/seed_${k}_$(basename "$f")"
            else
                cp "$f" "$dir/seed_${k}_$(basename "$f")"
            fi
        done
    done
    echo "$dir"
}

cmd_replay() {
    local name prefix seeds sources n rc=0
    while read -r name prefix seeds sources; do
        local dir=$FUZZ_DIR/regress/$name
        n=$(find "$dir" -type f 2>/dev/null | wc -l)
        if [ "$n" -eq 0 ]; then
            echo "replay $name: no regression inputs"
            continue
        fi
        if "$OUT/bin/$name" -runs=0 "$dir" >"$OUT/replay-$name.log" 2>&1; then
            echo "replay $name: $n inputs ok"
        else
            echo "replay $name: FAILED"
            tail -n 40 "$OUT/replay-$name.log"
            rc=1
        fi
    done < <(targets_list "$@")
    return $rc
}

cmd_run() {
    local secs=$1
    shift
    local name prefix seeds sources dir rc=0 log crash stats
    mkdir -p "$OUT/crashes"
    while read -r name prefix seeds sources; do
        dir=$(corpus "$name" "$prefix" "$seeds")
        log=$OUT/run-$name.log
        rm -f "$OUT/crashes/$name-"*
        if "$OUT/bin/$name" -max_total_time="$secs" -max_len=65536 -timeout=20 -rss_limit_mb=1024 \
            -print_final_stats=1 -artifact_prefix="$OUT/crashes/$name-" "$dir" >"$log" 2>&1; then
            stats=ok
        else
            stats=CRASH
            rc=1
            mkdir -p "$FUZZ_DIR/regress/$name"
            for crash in "$OUT/crashes/$name-"*; do
                [ -f "$crash" ] && cp "$crash" "$FUZZ_DIR/regress/$name/" \
                    && echo "fuzz: $name: kept $(basename "$crash") in test/fuzz/regress/$name/"
            done
            grep -m 3 -E 'FUZZ FINDING|ERROR: AddressSanitizer|runtime error|ERROR: LeakSanitizer|SUMMARY' "$log"
        fi
        local execs cov units
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
        units=$(find "$dir" -type f | wc -l)
        printf '%-18s %5ss %10s execs %6s inputs cov %6s %s\n' "$name" "$secs" "${execs:-?}" "$units" "${cov:-?}" "$stats" \
            | tee -a "$OUT/summary.txt"
    done < <(targets_list "$@")
    return $rc
}

MODE=${1:-all}
shift || true
case "$MODE" in
    build) cmd_build "$@" ;;
    seeds) cmd_seeds ;;
    replay) cmd_replay "$@" ;;
    run)
        secs=${1:?seconds}
        shift
        cmd_run "$secs" "$@"
        ;;
    all)
        cmd_build "$@" || exit 1
        cmd_seeds || exit 1
        cmd_replay "$@" || exit 1
        cmd_run "${FUZZ_SECONDS:-60}" "$@"
        ;;
    *) die "unknown mode $MODE (build, seeds, replay, run, all)" ;;
esac
