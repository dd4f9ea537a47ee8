#!/usr/bin/env bash
# Benchmark, printed as a Markdown section: the warehouse on Citus (a
# coordinator and two workers on this machine, Citus built from its source
# archive as the suite citus does) against a single node (the scratch
# cluster), on the same data: gcsim (seed 42) with 5,000 conversations a
# day (BENCH_SCALE scales it), two weeks loaded by run(), a second run()
# (the lag window read again), a CRM relink (sync_crm() after a tier change,
# with the next-contact upkeep), refresh_dashboards() and an aggregate
# query over interactions.  Prints nothing but a note when the
# Citus archive is absent.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"
. "$GCA_ROOT/test/citus_lib.sh"

if ! citus_source >/dev/null; then
    echo "### Citus: a coordinator and two workers against a single node"
    echo
    echo "_Not run: no Citus source archive (../shared/vendor/citus-$CITUS_VERSION.tar.gz or GCA_CITUS_SOURCE)._"
    exit 0
fi
PER_DAY=$(n_scaled 5000)
NOW=2026-04-20T12:00:00Z
UNTIL=2026-04-20T11:00:00Z
DB=gca_bench_citus
citus_build >&2 || fail "could not build Citus"
T=$GCA_BUILD/tmp/citus-bench
mkdir -p "$T"
chmod 777 "$T"
CITUS_DIR=$T/nodes
CITUS_SOCK=$CITUS_DIR/sock
citus_cluster_start
start_gcsim --seed 42 --now $NOW --conversations-per-day "$PER_DAY"
URL=$GCSIM_URL

PGDATABASE=postgres sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null
PGDATABASE=postgres sql "CREATE DATABASE $DB"
single() { PGDATABASE=$DB sql "$1"; }
single "CREATE EXTENSION gcanalytics"
csql 0 "CREATE EXTENSION gcanalytics" >/dev/null
setup="SET client_min_messages = warning; $(warehouse_servers_sql "$URL" 1000000)
       UPDATE gcanalytics.settings SET value = '2026-04-06T00:00:00Z' WHERE name = 'initial_sync_from';"
single "$setup" >/dev/null
csql 0 "$setup" >/dev/null
csql 0 "SELECT count(*) FROM gcanalytics.distribute()" >/dev/null

# timed_both NAME N SQL: the median milliseconds of N runs of SQL on the
# single node and on the coordinator, interleaved (the machine may be busy
# with other work: a median of interleaved runs evens that out)
declare -A T_SINGLE T_CITUS
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
timed_both() {
    local t0 i single="" citus=""
    for i in $(seq 1 "$2"); do
        t0=$(ms)
        "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d $DB -c "$3" >"$T/$1.single" 2>&1 || fail "single node: $3"
        single="$single $(($(ms) - t0))"
        t0=$(ms)
        cpsql 0 -q -c "$3" >"$T/$1.citus" 2>&1 || fail "coordinator: $3"
        citus="$citus $(($(ms) - t0))"
    done
    T_SINGLE[$1]=$(echo "$single" | tr ' ' '\n' | grep . | median)
    T_CITUS[$1]=$(echo "$citus" | tr ' ' '\n' | grep . | median)
}
timed_both run 1 "CALL gcanalytics.run(until => '$UNTIL')"
n=$(single "SELECT count(*) FROM gcanalytics.interactions")
[ "$n" = "$(csql 0 "SELECT count(*) FROM gcanalytics.interactions")" ] || fail "the two loads differ"
timed_both rerun 3 "CALL gcanalytics.run(until => '$UNTIL')"
acct=$(single "SELECT crm_account_id FROM gcanalytics.interactions WHERE customer_tier = 'SMB' AND crm_link = 'attribute'
                GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
start_gcsim --seed 42 --now $NOW --conversations-per-day "$PER_DAY" --sf-tier-change "$acct=Enterprise"
alter="ALTER SERVER salesforce OPTIONS (SET instance_url '$GCSIM_URL')"
single "$alter"
csql 0 "$alter" >/dev/null
timed_both relink 1 "CALL gcanalytics.sync_crm()"
timed_both refresh 3 "SELECT count(*) FROM gcanalytics.refresh_dashboards()"
timed_both kpi_query 5 "SELECT count(*), sum(conversations) FROM (SELECT date_trunc('week', i.conversation_start) AS w, i.queue_id, count(*) AS conversations
                                                              FROM gcanalytics.interactions i GROUP BY 1, 2) x"

echo "### Citus: a coordinator and two workers against a single node"
echo
echo "\`make bench TESTS=citus\`; $(nproc) cores; Citus $CITUS_VERSION built from its source archive; coordinator and two workers"
echo "on this machine (\`citus.shard_count\` ${CITUS_SHARD_COUNT:-8}), against the scratch cluster; gcsim seed 42 at $PER_DAY conversations a day,"
echo "two weeks ($n interactions); the same calls, in the same order, on both, interleaved; the machine is shared, so single"
echo "figures vary by tens of per cent from run to run."
echo
echo "| step | single node (ms) | Citus (ms) | Citus / single |"
echo "|---|---:|---:|---:|"
for k in run rerun relink refresh kpi_query; do
    case $k in
        run) what="\`run()\`, two weeks from empty" ;;
        rerun) what="\`run()\` again (lag window and in-progress conversations read again, nothing changes; median of 3)" ;;
        relink) what="\`sync_crm()\` after a tier change (relink and next-contact upkeep)" ;;
        refresh) what="\`refresh_dashboards()\` (median of 3)" ;;
        kpi_query) what="an ad-hoc aggregate over \`interactions\` (week x queue; median of 5)" ;;
    esac
    echo "| $what | ${T_SINGLE[$k]} | ${T_CITUS[$k]} | $(ratio "${T_CITUS[$k]}" "${T_SINGLE[$k]}") |"
done
cat <<'EOF'

On one machine this shows Citus's overhead, not its scaling: the three nodes share two cores, and
every distributed statement pays planning on the coordinator, a connection per shard group on the
workers and, for the reference tables, a two-phase commit. A load from empty costs about what it
costs on one node: `run()` is bound by the API (the windows are read one after another through the
coordinator's foreign tables) and each window's upsert routes its rows to the shards in one
statement. A `run()` with little to do shows the fixed cost per statement instead: it runs many
small statements (a window per resource, the checks), each a distributed plan and a round trip to
the workers. On real nodes, expect the load to stay at a single node's pace plus a network round
trip per statement: Citus does not make loading faster, and a load that keeps up on one node keeps
up on a cluster. The dashboards and ad-hoc queries are where workers pay off: every scan of
`interactions` runs as one parallel scan per shard, so on workers with their own cores, memory and
disks their time should fall roughly with the number of worker cores, until the coordinator's
share (merging the per-shard aggregates, writing the materialized views, which hold thousands of
rows against interactions in the hundreds of millions) dominates. The relink and the next-contact
upkeep read the customers concerned from every shard by index and write back by conversation: a
few statements per call, whatever the number of nodes.
EOF
