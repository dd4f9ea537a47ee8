#!/usr/bin/env bash
# Benchmark of gcsim, printed as a Markdown section:
#  1. generating one million conversations (100 days x 10,000), rendered
#     to JSON as the server does: time and peak memory;
#  2. serving them: every conversation of the 100 days downloaded through
#     details jobs (pageSize 1000): time, and the server's peak memory
#     with its LRU day cache (--cache-days 8);
#  3. details query pages (pageSize 100) served per second over HTTP,
#     against json-c parsing the same page bytes (json_tokener_parse):
#     the ratio must stay above 5.
# Sizes can be lowered for a quick run: BENCH_SCALE=0.1 (fewer days).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

SCALE=${BENCH_SCALE:-1}
T=${GCA_BUILD:-/tmp}/tmp/bench_gcsim
rm -rf "$T"; mkdir -p "$T"
CHECK=$(dirname "$GCSIM")/gcsim_check
DAYS=$(awk -v s="$SCALE" 'BEGIN { d = int(100 * s); print (d < 1 ? 1 : d) }')
PER_DAY=10000
FIRST=2026-01-01
NOW=2026-07-01T00:00:00Z
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p" "$2" | head -n 1; }
rss_mb() { awk '/Maximum resident set size/ { printf "%.0f", $6 / 1024 }' "$1"; }

# 1. generation
/usr/bin/time -v "$GCSIM" generate --conversations-per-day $PER_DAY --now $NOW \
    --from $FIRST --to "$(date -u -d "$FIRST + $DAYS days" +%F)" >"$T/gen.out" 2>"$T/gen.time"
gen_s=$(field seconds "$T/gen.out")
gen_n=$(field conversations "$T/gen.out")
gen_rss=$(rss_mb "$T/gen.time")
day_mb=$(awk -v b="$(field max_day_bytes "$T/gen.out")" 'BEGIN { printf "%.0f", b / 1048576 }')

# 2. serving through details jobs, the server under /usr/bin/time
/usr/bin/time -v "$GCSIM" --port 0 --seed 42 --conversations-per-day $PER_DAY --now $NOW \
    --job-delay-ms 0 --cache-days 8 >"$T/server.out" 2>"$T/server.time" &
TIME_PID=$!
for i in $(seq 1 100); do grep -q '^gcsim listening on ' "$T/server.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^gcsim listening on \(http[^ ]*\).*/\1/p' "$T/server.out")
"$CHECK" serve-days "$URL" ${FIRST}T00:00:00Z "$DAYS" >"$T/serve.out"
serve_s=$(field seconds "$T/serve.out")
serve_n=$(field conversations "$T/serve.out")

# 3. pages per second against json-c, on one cached day
"$CHECK" bench "$URL" ${FIRST}T00:00:00Z/2026-01-02T00:00:00Z 1000 >"$T/pages.out"
kill "$(pgrep -P $TIME_PID gcsim)" 2>/dev/null || true
wait $TIME_PID || true
srv_rss=$(rss_mb "$T/server.time")
srv_cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", u + s }' "$T/server.time")
serve_pps=$(field serve_pages_per_s "$T/pages.out")
parse_pps=$(field parse_pages_per_s "$T/pages.out")
ratio=$(field ratio "$T/pages.out")
page_kb=$(awk -v b="$(field bytes_per_page "$T/pages.out")" 'BEGIN { printf "%.0f", b / 1024 }')

cat <<MD
### gcsim: generating and serving a million conversations

\`make bench TESTS=gcsim\` (test/bench/gcsim.sh) on $(nproc) cores ($(uname -m), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $DAYS days x $PER_DAY conversations.

| measure | value | baseline / ratio |
|---|---|---|
| generate $gen_n conversations (world + JSON rendering) | $gen_s s, peak RSS $gen_rss MB | $(awk -v n="$gen_n" -v s="$gen_s" 'BEGIN { printf "%.0f", n / s }') conversations/s; one day = $day_mb MB |
| serve $serve_n conversations through details jobs (pageSize 1000) | $serve_s s, server peak RSS $srv_rss MB, server CPU $srv_cpu s | $(awk -v n="$serve_n" -v s="$serve_s" 'BEGIN { printf "%.0f", n / s }') conversations/s; cache of 8 days bounds memory |
| details query pages served over HTTP (pageSize 100, $page_kb KB) | $serve_pps pages/s | json-c parses $parse_pps pages/s: serving is **${ratio}x** faster (goal >= 5x) |
MD
