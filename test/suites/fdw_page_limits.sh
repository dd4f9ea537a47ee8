#!/usr/bin/env bash
# Page limits: the FDW's page sizes are its own, not the simulator's.  A
# server whose details query and job results accept smaller pages than
# the FDW's defaults is read exactly with the page_size option, page for
# page as the truth says; without it the API's 400 comes back as a clear
# error, never as a short result.  A server that accepts larger pages
# still gets the FDW's own sizes.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

NOW=2026-03-20T12:00:00Z
T=$GCA_BUILD/tmp/fdw_page_limits
mkdir -p "$T"
FROM="2026-03-17 00:00:00+00"
TO="2026-03-18 00:00:00+00"

make_server() { # name url extraction page_size
    genesys_server "$1" "$2" pl pl-secret "requests_per_minute '1000000'" ${4:+"page_size '$4'"}
    sql "CREATE FOREIGN TABLE ${1}_conv (conversation_id text, conversation_start timestamptz, handle_ms bigint)
           SERVER $1 OPTIONS (resource 'conversations', extraction '$3');"
}

requests_of() { # endpoint label of /sim/stats
    curl -s "$GCSIM_URL/sim/stats" | python3 -c "
import json, sys
s = json.load(sys.stdin)
e = s.get('endpoints', s)
v = e.get('$1', 0)
print(v.get('requests', v.get('count', 0)) if isinstance(v, dict) else v)"
}

gcsim_truth "$T" 2026-03-17 2026-03-18 --seed 41 --conversations-per-day 900 --now $NOW
load_csv pl_truth "$T/conversations.csv"
want=$(sql "SELECT count(*), sum(handle_ms::bigint) FROM pl_truth")
n=$(sql "SELECT count(*) FROM pl_truth")

# 1. pages of at most 40 on both routes
start_gcsim --seed 41 --conversations-per-day 900 --now $NOW --details-page-max 40 --job-page-max 40
make_server pl_q "$GCSIM_URL" query 40
got=$(sql "SELECT count(*), sum(handle_ms) FROM pl_q_conv WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'")
assert_eq "$want" "$got" "details query with page_size 40 on a server whose maximum is 40 equals the truth"
pages=$(requests_of gc.details.query)
assert_eq $(( (n + 39) / 40 + 1 )) "$pages" "one request per page of 40, and one past the last page"
make_server pl_j "$GCSIM_URL" job 40
got=$(sql "SELECT count(*), sum(handle_ms) FROM pl_j_conv WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'")
assert_eq "$want" "$got" "details jobs with page_size 40 on a server whose maximum is 40 equal the truth"

# 2. the FDW's default page size on that server: the API's 400, not a short read
make_server pl_d "$GCSIM_URL" query ""
if out=$(sql "SELECT count(*) FROM pl_d_conv WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'" 2>&1); then
    fail "a page size the server refuses gave a result: $out"
fi
echo "$out" | contains 'failed with HTTP status 400' || fail "expected the API's 400, got: $out"
printf 'ok: a page size the server refuses is an error naming HTTP status 400\n'
stop_all_gcsim

# 3. a server that accepts larger pages still gets the FDW's own page size
start_gcsim --seed 41 --conversations-per-day 900 --now $NOW --details-page-max 500
make_server pl_big "$GCSIM_URL" query ""
got=$(sql "SELECT count(*), sum(handle_ms) FROM pl_big_conv WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'")
assert_eq "$want" "$got" "details query on a server that allows pages of 500 equals the truth"
pages=$(requests_of gc.details.query)
assert_eq $(( (n + 99) / 100 + 1 )) "$pages" "the FDW asks for its own pages of 100, not the server's maximum"
sql "DROP SERVER pl_q CASCADE; DROP SERVER pl_j CASCADE; DROP SERVER pl_d CASCADE; DROP SERVER pl_big CASCADE; DROP TABLE pl_truth"
