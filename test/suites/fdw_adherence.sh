#!/usr/bin/env bash
# The foreign table `adherence` (resource 'adherence'): workforce management
# historical adherence read through the asynchronous query the way details
# jobs are read: the units listed, one query per unit and range of at most
# 31 days, each job polled until Complete, its pre-signed downloads
# fetched without the token and streamed.  Every agent day of a week, and
# of a range of 40 days (two queries per unit), equals adherence.csv of
# `gcsim truth` across downloads of 7 users; the percentages equal those
# computed here from the truth's seconds; user_id and management_unit_id
# pushed down give the truth's subset with fewer downloads; the request
# body (EXPLAIN VERBOSE shows the one sent) names only fields of the
# SDK's WfmHistoricalAdherenceQuery (the list below, from
# purecloud-platform-client-v2 262.0.0 index.d.ts), and gcsim refuses any
# other member, so a scan that succeeds sent none.  time_zone =
# 'America/New_York' asks the days of that zone (across the DST change of
# 2026-03-08, a 23-hour day) and equals the truth written in that zone;
# two zones at once are refused.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

T=$GCA_BUILD/tmp/fdw_adherence
mkdir -p "$T"; chmod 777 "$T"
SIM="--seed 7 --accounts 300 --conversations-per-day 200 --now 2026-04-20T12:00:00Z"
# shellcheck disable=SC2086
start_gcsim $SIM --job-delay-ms 200 --wfm-download-users 7
# shellcheck disable=SC2086
gcsim_truth "$T/week" 2026-04-13 2026-04-20 $SIM
# shellcheck disable=SC2086
gcsim_truth "$T/long" 2026-03-10 2026-04-19 $SIM
load_csv ad_truth_week "$T/week/adherence.csv"
load_csv ad_truth_long "$T/long/adherence.csv"

genesys_server ad_gc "$GCSIM_URL" ad ad-secret-value "max_concurrency '4'" "requests_per_minute '100000'"
sql "DROP SCHEMA IF EXISTS ad CASCADE; CREATE SCHEMA ad;
     IMPORT FOREIGN SCHEMA analytics LIMIT TO (adherence) FROM SERVER ad_gc INTO ad"
COLS="management_unit_id, user_id, day_start, schedule_length_s, adherence_schedule_s, conformance_schedule_s,
      conformance_actual_s, exception_count, exception_duration_s, impact_s, actual_length_s"
TRUTH_COLS="management_unit_id, user_id, (date || 'T00:00:00Z')::timestamptz, schedule_length_s::int,
      adherence_schedule_s::int, conformance_schedule_s::int, conformance_actual_s::int, exception_count::int,
      exception_duration_s::int, impact_s::int, actual_length_s::int"

downloads() { curl -sf "$GCSIM_URL/sim/stats" | jq '.endpoints["gc.wfm.download"].requests // 0'; }
compare() {     # compare TRUTH_TABLE WHERE WHAT
    local n_truth n_fdw diff
    sql "DROP TABLE IF EXISTS ad_got; CREATE TABLE ad_got AS SELECT $COLS FROM ad.adherence WHERE $2"
    n_truth=$(sql "SELECT count(*) FROM $1 WHERE (date || 'T00:00:00Z')::timestamptz IS NOT NULL ${4:+AND $4}")
    n_fdw=$(sql "SELECT count(*) FROM ad_got")
    diff=$(sql "SELECT count(*) FROM ((SELECT $TRUTH_COLS FROM $1 ${4:+WHERE $4} EXCEPT ALL SELECT * FROM ad_got)
                UNION ALL (SELECT * FROM ad_got EXCEPT ALL SELECT $TRUTH_COLS FROM $1 ${4:+WHERE $4})) d")
    [ "$n_truth" -gt 0 ] && [ "$diff" = 0 ] && [ "$n_truth" = "$n_fdw" ] ||
        fail "$3: $n_fdw rows against $n_truth in the truth, $diff differ"
    echo "ok: $3: $n_fdw agent days equal the truth field by field"
}

before=$(downloads)
compare ad_truth_week "day_start >= '2026-04-13' AND day_start < '2026-04-20'" "a week, every unit"
week_downloads=$(( $(downloads) - before ))
want=$(sql "SELECT sum(ceil(n / 7.0))::int FROM (SELECT count(DISTINCT user_id) n FROM ad_truth_week GROUP BY management_unit_id) u")
[ "$week_downloads" -ge "$want" ] || fail "$week_downloads downloads for the week, at least $want expected (7 users each)"
echo "ok: the week came in $week_downloads downloads of at most 7 users"

compare ad_truth_long "day_start >= '2026-03-10' AND day_start < '2026-04-19'" "40 days (two queries per unit)"

# percentages from the truth's seconds
bad=$(sql "SELECT count(*) FROM ad.adherence a JOIN ad_truth_week t
             ON t.user_id = a.user_id AND (t.date || 'T00:00:00Z')::timestamptz = a.day_start
           WHERE a.day_start >= '2026-04-13' AND a.day_start < '2026-04-20'
             AND (abs(a.adherence_percentage - 100.0 * (t.adherence_schedule_s::int - t.exception_duration_s::int) / t.adherence_schedule_s::int) > 1e-4
               OR abs(a.conformance_percentage - 100.0 * t.conformance_actual_s::int / t.conformance_schedule_s::int) > 1e-4)")
assert_eq 0 "$bad" "adherence and conformance percentages equal those computed from the truth's seconds"

# pushdown: two users; one unit
read -r u1 u2 < <(sql "SELECT string_agg(user_id, ' ') FROM (SELECT DISTINCT user_id FROM ad_truth_week ORDER BY 1 LIMIT 2) u")
mu=$(sql "SELECT management_unit_id FROM ad_truth_week GROUP BY 1 ORDER BY count(*) LIMIT 1")
before=$(downloads)
compare ad_truth_week "day_start >= '2026-04-13' AND day_start < '2026-04-20' AND user_id IN ('$u1', '$u2')" \
    "user_id IN (two agents)" "user_id IN ('$u1', '$u2')"
users_downloads=$(( $(downloads) - before ))
[ "$users_downloads" -lt "$week_downloads" ] || fail "user_id IN: $users_downloads downloads, not fewer than the $week_downloads of the whole week"
compare ad_truth_week "day_start >= '2026-04-13' AND day_start < '2026-04-20' AND management_unit_id = '$mu'" \
    "management_unit_id = one unit" "management_unit_id = '$mu'"
sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM ad.adherence WHERE day_start >= '2026-04-13' AND user_id = '$u1'" >"$T/explain"
grep -q "Remote Request: POST /api/v2/workforcemanagement/managementunits/{id}/historicaladherencequery" "$T/explain" ||
    fail "EXPLAIN: $(cat "$T/explain")"
echo "ok: user_id and management_unit_id are pushed down (the user's query reads $users_downloads downloads, the week $week_downloads)"

# the body against the SDK's WfmHistoricalAdherenceQuery
sed -n 's/^ *Remote Body: //p' "$T/explain" >"$T/body"
python3 - "$T/body" "$u1" <<'PY' || fail "the request body is not a WfmHistoricalAdherenceQuery: $(cat "$T/body")"
import json, sys
# purecloud-platform-client-v2 262.0.0, index.d.ts, interface WfmHistoricalAdherenceQuery
MODEL = {'startDate': str, 'endDate': str, 'timeZone': str, 'userIds': list, 'includeExceptions': bool, 'teamIds': list}
REQUIRED = {'startDate'}
body = json.loads(open(sys.argv[1]).read())
extra = set(body) - set(MODEL)
if extra:
    sys.exit('members not in the model: %s' % sorted(extra))
if not REQUIRED <= set(body):
    sys.exit('missing required %s' % sorted(REQUIRED - set(body)))
for k, v in body.items():
    if not isinstance(v, MODEL[k]):
        sys.exit('%s: %r is not a %s' % (k, v, MODEL[k].__name__))
if body['userIds'] != [sys.argv[2]] or body['startDate'] != '2026-04-13T00:00:00.000Z':
    sys.exit('userIds %r, startDate %r' % (body['userIds'], body['startDate']))
print('ok: the body %s names only fields of WfmHistoricalAdherenceQuery, with their types' % sorted(body))
PY

# no lower bound: refused like the other time-bound resources
if sql "SELECT count(*) FROM ad.adherence" >"$T/out" 2>&1; then fail "a scan without a day_start bound ran"; fi
contains "day_start" <"$T/out" || fail "no bound: $(cat "$T/out")"
echo "ok: a scan without a day_start bound is refused"

# the days of America/New_York across the change to summer time (Sunday
# 2026-03-08 has 23 hours): day_start is the zone's midnight
# shellcheck disable=SC2086
gcsim_truth "$T/nyc" 2026-03-02T05:00:00Z 2026-03-14T04:00:00Z $SIM --time-zone America/New_York
load_csv ad_truth_nyc "$T/nyc/adherence.csv"
n_truth=$(sql "SELECT count(*) FROM ad_truth_nyc")
diff=$(sql "SELECT count(*) FROM (
              (SELECT user_id, date::date::timestamp AT TIME ZONE 'America/New_York', adherence_schedule_s::int, exception_duration_s::int,
                      conformance_actual_s::int FROM ad_truth_nyc
               EXCEPT ALL
               SELECT user_id, day_start, adherence_schedule_s, exception_duration_s, conformance_actual_s FROM ad.adherence
                WHERE time_zone = 'America/New_York' AND day_start >= '2026-03-02 00:00 America/New_York'
                  AND day_start < '2026-03-14 00:00 America/New_York')
              UNION ALL
              (SELECT user_id, day_start, adherence_schedule_s, exception_duration_s, conformance_actual_s FROM ad.adherence
                WHERE time_zone = 'America/New_York' AND day_start >= '2026-03-02 00:00 America/New_York'
                  AND day_start < '2026-03-14 00:00 America/New_York'
               EXCEPT ALL
               SELECT user_id, date::date::timestamp AT TIME ZONE 'America/New_York', adherence_schedule_s::int, exception_duration_s::int,
                      conformance_actual_s::int FROM ad_truth_nyc)) d")
[ "$n_truth" -gt 0 ] && [ "$diff" = 0 ] || fail "America/New_York: $diff rows differ from the truth's $n_truth"
assert_eq "t" "$(sql "SELECT bool_and(time_zone = 'America/New_York') AND count(DISTINCT day_start::time) = 2
                      FROM ad.adherence WHERE time_zone = 'America/New_York'
                       AND day_start >= '2026-03-02 00:00 America/New_York' AND day_start < '2026-03-14 00:00 America/New_York'")" \
    "America/New_York: time_zone is the zone asked; the days start at 05:00 UTC, then 04:00 UTC"
echo "ok: America/New_York across the DST change: $n_truth agent days equal the truth's in that zone"
sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM ad.adherence WHERE time_zone = 'America/New_York' AND day_start >= '2026-03-09'" \
    | contains '"timeZone":"America/New_York"' || fail "time_zone = is not the query's timeZone"
if sql "SELECT count(*) FROM ad.adherence WHERE time_zone IN ('UTC', 'America/New_York') AND day_start >= '2026-03-09'" >"$T/out" 2>&1; then
    fail "a scan of two time zones ran"
fi
contains "one time zone at a time" <"$T/out" || fail "two zones: $(cat "$T/out")"
echo "ok: two time zones at once are refused"
