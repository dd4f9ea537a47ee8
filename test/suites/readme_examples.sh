#!/usr/bin/env bash
# Every ```sql block of README.md runs, in order, in a fresh database
# against a gcsim started as the quickstart says (seed 42, --now wall: it
# follows the machine's clock), and none may fail.  The warehouse section's
# run() must have loaded the truth's conversations of a whole past day, and
# the dashboards refreshed must hold the planted story of last week.  The quickstart's URL http://127.0.0.1:8089 is
# replaced by this gcsim's.  A block that cannot run here (it needs a real
# organisation, or Citus) carries the line <!-- not run: reason --> right before its
# fence; at most three may.  Then the claims of "Keeping secrets out of the
# server log" are checked against the server log: a secret written with
# statement logging on reaches it, with the README's settings it does not.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/readme_examples
rm -rf "$T"
mkdir -p "$T"
chmod 777 "$T"
DB=gca_readme
MAX_NOT_RUN=3
LOG=$GCA_BUILD/logs/postgres.log

start_gcsim --seed 42 --now wall

# blocks to $T/NNN.sql (with their README line as first line), skipped ones listed
python3 - "$GCA_ROOT/README.md" "$T" "$GCSIM_URL" "$MAX_NOT_RUN" <<'PY'
import re, sys
readme, out, url, max_skip = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = open(readme).read().split('\n')
n = skipped = 0
i = 0
marker = re.compile(r'^<!-- not run: (.+) -->$')
while i < len(lines):
    m = marker.match(lines[i].strip())
    if m:
        j = i + 1
        if j >= len(lines) or lines[j].strip() != '```sql':
            sys.exit('README.md:%d: a "not run" marker must stand right before a ```sql fence' % (i + 1))
    if lines[i].strip() == '```sql':
        start = i + 1
        end = start
        while end < len(lines) and lines[end].strip() != '```':
            end += 1
        if end == len(lines):
            sys.exit('README.md:%d: unclosed ```sql block' % (i + 1))
        prev = lines[i - 1].strip() if i > 0 else ''
        if marker.match(prev):
            skipped += 1
            print('not run: README.md:%d (%s)' % (i + 1, marker.match(prev).group(1)))
        else:
            n += 1
            body = '\n'.join(lines[start:end]).replace('http://127.0.0.1:8089', url)
            open('%s/%03d.sql' % (out, n), 'w').write('-- README.md:%d\n%s\n' % (start + 1, body))
        i = end
    i += 1
if skipped > max_skip:
    sys.exit('%d blocks are marked "not run", at most %d may be' % (skipped, max_skip))
print('%d blocks to run, %d not run' % (n, skipped))
PY
n_blocks=$(ls "$T"/*.sql | wc -l)
[ "$n_blocks" -ge 10 ] || fail "only $n_blocks SQL blocks found in README.md"

sql "DROP DATABASE IF EXISTS $DB" 2>/dev/null
sql "DROP ROLE IF EXISTS bi_reader" 2>/dev/null
sql "DROP ROLE IF EXISTS weights_admin" 2>/dev/null
sql "DROP ROLE IF EXISTS loader" 2>/dev/null
sql "CREATE DATABASE $DB"
for f in "$T"/*.sql; do
    if ! PGDATABASE=$DB "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -f "$f" >"$f.out" 2>&1; then
        echo "---- $(head -n 1 "$f")"
        sed 1d "$f"
        echo "---- output"
        cat "$f.out"
        fail "the README example at $(head -n 1 "$f" | sed 's/^-- //') fails"
    fi
    echo "ok: $(head -n 1 "$f" | sed 's/^-- //') ($(grep -c '' "$f.out") lines of output)"
done
# the examples read the simulator's data, not nothing
assert_eq t "$(PGDATABASE=$DB sql "SELECT count(*) > 1000 FROM gc.conversations
                                    WHERE conversation_start >= date_trunc('day', now(), 'UTC') - interval '1 day'
                                      AND conversation_start < date_trunc('day', now(), 'UTC')")" \
    "the quickstart's day (yesterday) has conversations"

# The warehouse section's run() loaded what gcsim's truth holds: the day
# five days ago (whole, in the range from the Monday two weeks ago) with
# the same conversations, escalations and CRM tiers, the internal queues
# left out; the truth is of the same clock-following world (--now wall).
today=$(( $(date -u +%s) / 86400 ))
day=$(date -u -d "@$(( (today - 5) * 86400 ))" +%Y-%m-%d)
next=$(date -u -d "@$(( (today - 4) * 86400 ))" +%Y-%m-%d)
gcsim_truth "$T/truth" "$day" "$next" --seed 42 --now wall
PGDATABASE=$DB load_csv readme_truth "$T/truth/conversations.csv"
assert_eq "0|0" "$(PGDATABASE=$DB sql "
    WITH t AS (SELECT conversation_id, escalated::boolean AS escalated, nullif(tier, '') AS tier FROM readme_truth
                WHERE queue_id IS NULL OR queue_id NOT IN (SELECT queue_id FROM gcanalytics.excluded_queues)),
         i AS (SELECT conversation_id, was_escalated, customer_tier FROM gcanalytics.interactions
                WHERE conversation_start >= '$day' AND conversation_start < '$next')
    SELECT (SELECT count(*) FROM (TABLE t EXCEPT TABLE i) x), (SELECT count(*) FROM (TABLE i EXCEPT TABLE t) x)")" \
    "run() loaded the truth's conversations of $day (ids, escalated, tier), nothing else"
echo "ok: $(PGDATABASE=$DB sql "SELECT count(*) FROM gcanalytics.interactions") interactions loaded from $(PGDATABASE=$DB sql "SELECT min(conversation_start)::date FROM gcanalytics.interactions")"
# the dashboards were refreshed from them: last week against the week
# before is the demo's planted story (test/simulator/README.md: Enterprise
# 9.2 % -> 23.3 % at 2000 a day), with release 5.0 on last week's Monday
monday=$(PGDATABASE=$DB sql "SELECT (date_trunc('week', now(), 'UTC') - interval '1 week')::date")
# In the first hours of a Monday (UTC) last week is not final yet (its last
# hours within lag_window, conversations of Sunday night in progress): the
# insight must then compare nothing, and the story is told once it is final.
# Only the first hours after the week may be so: the README's rewind puts
# the conversations' mark a day back, and lag_window (2 hours) before it is
# final, so the week is final from its end + 1 day + 2 hours (an hour more
# for the run's own length and the API's availability date); a week closed
# longer is final.
unsettled=$(PGDATABASE=$DB sql "SELECT coalesce(bool_or(provisional), false) FROM gcanalytics.escalation_insights WHERE week = '$monday'")
if [ "$unsettled" = t ]; then
    assert_eq t "$(PGDATABASE=$DB sql "SELECT now() < '$monday'::date + 8 + interval '3 hours'")" \
        "the week of $monday is provisional more than a day and 3 hours after its end (the README's rewind: a day; lag_window: 2 hours)"
    assert_eq 0 "$(PGDATABASE=$DB sql "SELECT count(*) FROM gcanalytics.escalation_insights
                                        WHERE week = '$monday' AND (significant OR sentence IS NOT NULL)")" \
        "the insight compares the week of $monday, not final yet"
    echo "ok: the week of $monday is not final yet (it ended $(PGDATABASE=$DB sql "SELECT now() - ('$monday'::date + 7)::timestamp AT TIME ZONE 'UTC'") ago): the insight compares nothing"
else
    insight=$(PGDATABASE=$DB sql "SELECT sentence FROM gcanalytics.escalation_insights WHERE significant AND week = '$monday'")
    echo "$insight" | contains "^Enterprise escalation rose 14.1 points (9.2 % to 23.3 %); overall " \
        || fail "the insight of the week of $monday is not the planted story: $insight"
    echo "$insight" | contains "concentrated in Enterprise (difference-in-differences z-test against the other tiers, p < 0.001)" \
        || fail "the insight of the week of $monday does not say, tested, that the rise is Enterprise's: $insight"
    echo "$insight" | contains "release 5.0 on $monday" || fail "the insight does not name release 5.0 on $monday: $insight"
    echo "ok: the refreshed dashboards tell the story: $insight"
fi

# "Keeping secrets out of the server log": the block that sets the secret
secret_block=$(grep -l "log_min_error_statement" "$T"/*.sql | head -n 1)
[ -n "$secret_block" ] || fail "README.md has no block that keeps the secret out of the log"
grep -q "client_secret 'demo-secret'" "$secret_block" || fail "the secret block does not set client_secret 'demo-secret'"
tag=$$-$RANDOM
# in_log TEXT: how many lines of the server log hold TEXT, once every
# statement before the call has reached the log: a marker raised after
# them is waited for (no fixed sleep)
marks=0
in_log() {
    local m i
    marks=$((marks + 1))
    m="gca-log-mark-$tag-$marks"
    PGDATABASE=$DB "$PG_BINDIR/psql" -qX -c "DO \$\$BEGIN RAISE LOG '$m'; END\$\$" >/dev/null
    for i in $(seq 1 300); do
        grep -q "$m" "$LOG" && break
        sleep 0.1
    done
    grep -q "$m" "$LOG" || fail "the server log never showed the marker $m"
    grep -c "$1" "$LOG" || true
}
run_logged() { # SQL - runs it with every statement logged by default
    PGDATABASE=$DB PGOPTIONS="-c log_statement=all" "$PG_BINDIR/psql" -qX -f - >/dev/null 2>&1 <<<"$1" || true
}
plain="ALTER USER MAPPING FOR CURRENT_USER SERVER genesys OPTIONS (SET client_secret 'plain-$tag');"
failed="ALTER USER MAPPING FOR CURRENT_USER SERVER genesys OPTIONS (SET client_secret 'failed-$tag', ADD client_secrte 'x');"
run_logged "$plain"
[ "$(in_log "plain-$tag")" -gt 0 ] || fail "with log_statement = all the secret should reach the log: the check proves nothing"
PGDATABASE=$DB "$PG_BINDIR/psql" -qX -c "$failed" >/dev/null 2>&1 || true
[ "$(in_log "failed-$tag")" -gt 0 ] || fail "a failed statement should be logged with its secret by default: the check proves nothing"
echo "ok: without the README's settings the secret reaches the log (logged and failed statements)"
run_logged "$(sed "s/client_secret 'demo-secret'/client_secret 'quiet-$tag'/" "$secret_block")"
run_logged "$(sed "s/client_secret 'demo-secret'/client_secret 'quietfail-$tag', ADD client_secrte 'x'/" "$secret_block")"
assert_eq "0 0" "$(in_log "quiet-$tag") $(in_log "quietfail-$tag")" \
    "with the README's settings the secret stays out of the log, also when the statement fails"
assert_eq "quiet-$tag" "$(PGDATABASE=$DB sql "SELECT option_value FROM pg_user_mappings, pg_options_to_table(umoptions)
                                            WHERE srvname = 'genesys' AND usename = CURRENT_USER AND option_name = 'client_secret'")" \
    "the README's block did set the secret"

sql "DROP DATABASE $DB"
sql "DROP ROLE IF EXISTS bi_reader"
sql "DROP ROLE IF EXISTS weights_admin"
sql "DROP ROLE IF EXISTS loader"
