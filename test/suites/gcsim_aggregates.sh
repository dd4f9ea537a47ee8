#!/usr/bin/env bash
# gcsim: the aggregates query agrees with queue_daily.csv (P1D by queue and
# media type: nOffered, tAbandon count, tHandle sum and count, tTalk and
# tAcd sums), on a full day and on the day of --now.  Needs no PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

CHECK=$(dirname "$GCSIM")/gcsim_check
TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_aggregates
rm -rf "$TMP"; mkdir -p "$TMP"

start_gcsim --seed 42
"$GCSIM" truth --seed 42 --from 2026-04-15 --to 2026-04-17 --out "$TMP/days"
"$CHECK" aggregates "$GCSIM_URL" "2026-04-15T00:00:00Z/2026-04-17T00:00:00Z" "$TMP/days"
"$GCSIM" truth --seed 42 --from 2026-04-20 --to 2026-04-21 --out "$TMP/now"
"$CHECK" aggregates "$GCSIM_URL" "2026-04-20T00:00:00Z/2026-04-21T00:00:00Z" "$TMP/now"

# timeZone (any IANA name): P1D buckets are the zone's calendar days, 23
# hours on the US DST change of 2026-03-08, each the sum of the hourly
# buckets of that local day; the metrics only the aggregates have (tWait,
# nOutbound, oServiceLevel) answer, so that the FDW's default metric set
# runs; an unknown zone is a 400.
start_gcsim --seed 42 --conversations-per-day 1000 --now 2026-03-11T12:00:00Z
TOK=$(curl -s -u gca:gca -d grant_type=client_credentials "$GCSIM_URL/oauth/token" | jq -r .access_token)
aggr() {
    curl -s -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -d "$1" \
        "$GCSIM_URL/api/v2/analytics/conversations/aggregates/query"
}
aggr '{"interval":"2026-03-06T05:00:00Z/2026-03-11T04:00:00Z","granularity":"P1D","timeZone":"America/New_York",
       "groupBy":["queueId","mediaType"],"metrics":["nOffered","tAnswered","tAcd","tWait","tAbandon","oServiceLevel","nOutbound"]}' >"$TMP/ny_days.json"
aggr '{"interval":"2026-03-06T05:00:00Z/2026-03-11T04:00:00Z","granularity":"PT1H",
       "groupBy":["queueId","mediaType"],"metrics":["nOffered","tAnswered","tAcd","tAbandon"]}' >"$TMP/utc_hours.json"
python3 - "$TMP/ny_days.json" "$TMP/utc_hours.json" <<'PY'
import json, sys, datetime
from zoneinfo import ZoneInfo
ny = ZoneInfo('America/New_York')
def t(s):
    return datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))
days, hours = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got, want, spans, extra = {}, {}, set(), {}
for r in days['results']:
    g = (r['group'].get('queueId'), r['group'].get('mediaType'))
    for b in r['data']:
        a, e = b['interval'].split('/')
        a, e = t(a), t(e)
        if a.astimezone(ny).time() != datetime.time(0) or e.astimezone(ny).time() != datetime.time(0):
            sys.exit('FAIL: bucket %s is not a New York day' % b['interval'])
        spans.add((str(a.astimezone(ny).date()), (e - a).total_seconds() / 3600))
        for m in b['metrics']:
            got[(g, str(a.astimezone(ny).date()), m['metric'])] = m['stats']
for r in hours['results']:
    g = (r['group'].get('queueId'), r['group'].get('mediaType'))
    for b in r['data']:
        d = str(t(b['interval'].split('/')[0]).astimezone(ny).date())
        for m in b['metrics']:
            k = (g, d, m['metric'])
            want[k] = want.get(k, 0) + m['stats']['count']
for k, n in want.items():
    if got.get(k, {}).get('count') != n:
        sys.exit('FAIL: %s: %r in the New York day bucket, %d in its hours' % (k, got.get(k), n))
for (g, d, m), st in got.items():
    if m == 'tWait' and st != got.get((g, d, 'tAcd')):
        sys.exit('FAIL: tWait %r differs from tAcd %r (%s %s)' % (st, got.get((g, d, 'tAcd')), g, d))
    if m == 'oServiceLevel' and not (st['denominator'] == got[(g, d, 'tAcd')]['count'] and 0 <= st['numerator'] <= st['denominator']):
        sys.exit('FAIL: oServiceLevel %r against tAcd %r' % (st, got[(g, d, 'tAcd')]))
if ('2026-03-08', 23.0) not in spans or ('2026-03-09', 24.0) not in spans:
    sys.exit('FAIL: day lengths %r' % sorted(spans))
if not any(m == 'nOutbound' for (_, _, m) in got):
    sys.exit('FAIL: no nOutbound')
print('ok: P1D in America/New_York: %d figures equal the sums of their hours; 2026-03-08 has 23 hours; tWait, oServiceLevel, nOutbound answer' % len(want))
PY
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    -d '{"interval":"2026-03-06T00:00:00Z/2026-03-07T00:00:00Z","timeZone":"Mars/Olympus_Mons","metrics":["nOffered"]}' \
    "$GCSIM_URL/api/v2/analytics/conversations/aggregates/query")
assert_eq 400 "$code" "an unknown timeZone is a 400"
