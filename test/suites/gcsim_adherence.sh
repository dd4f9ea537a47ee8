#!/usr/bin/env bash
# gcsim: workforce management historical adherence through the asynchronous
# query, as the official SDK (purecloud-platform-client-v2, index.d.ts)
# models it: management units; POST .../managementunits/{id}/
# historicaladherencequery (WfmHistoricalAdherenceQuery) answers 202 with
# the job (WfmHistoricalAdherenceResponse: id, queryState Processing); the
# job, polled, turns Complete with downloadUrls; each download (pre-signed:
# no Authorization header) is a WfmHistoricalAdherenceResultWrapper of at
# most --wfm-download-users users.  Every day's metrics, read across the
# downloads of both units, equal adherence.csv of `gcsim truth`, and the
# percentages are recomputed here from the seconds; every member gcsim
# sends is a field of the SDK's model (the names are kept below, copied
# from index.d.ts of version 262.0.0); a request member that is not one of
# WfmHistoricalAdherenceQuery's is refused.  Needs no PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_adherence
rm -rf "$TMP"; mkdir -p "$TMP"
WORLD="--seed 42 --accounts 400 --conversations-per-day 300 --now 2026-04-20T12:00:00Z"
gcsim_truth "$TMP/truth" 2026-04-13 2026-04-21 $WORLD
# shellcheck disable=SC2086
start_gcsim $WORLD --job-delay-ms 300 --wfm-download-users 7
TOKEN=$(curl -sf -u r:s -d grant_type=client_credentials "$GCSIM_URL/oauth/token" | jq -r .access_token)
auth=(-H "Authorization: Bearer $TOKEN")
WFM=$GCSIM_URL/api/v2/workforcemanagement

curl -sf "${auth[@]}" "$WFM/managementunits" >"$TMP/units.json"
assert_eq 2 "$(jq '.entities | length' "$TMP/units.json")" "two management units"
BODY='{"startDate":"2026-04-13T00:00:00Z","endDate":"2026-04-21T00:00:00Z","timeZone":"UTC","includeExceptions":true}'
: >"$TMP/downloads"
for mu in $(jq -r '.entities[].id' "$TMP/units.json"); do
    curl -s -o "$TMP/created.json" -w '%{http_code}\n' "${auth[@]}" -d "$BODY" \
        "$WFM/managementunits/$mu/historicaladherencequery" >"$TMP/status"
    assert_eq "202 Processing" "$(cat "$TMP/status") $(jq -r .queryState "$TMP/created.json")" "query of unit $mu: 202, Processing"
    job=$(jq -r .id "$TMP/created.json")
    polls=0
    until curl -sf "${auth[@]}" "$WFM/adherence/historical/jobs/$job" >"$TMP/job.json" &&
          [ "$(jq -r .queryState "$TMP/job.json")" = Complete ]; do
        polls=$((polls + 1)); [ $polls -lt 2000 ] || fail "job $job never Complete: $(cat "$TMP/job.json")"
        sleep 0.05
    done
    [ $polls -gt 0 ] || fail "the job was Complete at once (job delay 300 ms)"
    n=0
    url=$(jq -r '.downloadUrls[0]' "$TMP/job.json")
    assert_eq 400 "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url")" \
        "a download with an Authorization header is refused"
    for url in $(jq -r '.downloadUrls[]' "$TMP/job.json"); do
        curl -sf "$url" >"$TMP/dl.$mu.$n.json"
        echo "$TMP/dl.$mu.$n.json" >>"$TMP/downloads"
        n=$((n + 1))
    done
    users=$(cat $(grep "dl.$mu" "$TMP/downloads") | jq -s '[.[].data | length] | add')
    assert_eq $(( (users + 6) / 7 )) "$n" "unit $mu: $users users in $n downloads of at most 7"
done

python3 - "$TMP" <<'PY' || fail "the downloads differ from adherence.csv or from the SDK's models"
import csv, json, sys
tmp = sys.argv[1]
# field names of the SDK's models (purecloud-platform-client-v2 262.0.0, index.d.ts)
MODELS = {
    'WfmHistoricalAdherenceResultWrapper': {'entityId', 'data', 'lookupIdToSecondaryPresenceId'},
    'HistoricalAdherenceQueryResult': {'userId', 'managementUnitId', 'startDate', 'endDate',
        'adherencePercentage', 'conformancePercentage', 'impact', 'exceptionInfo', 'dayMetrics',
        'actualsEndDate', 'actuals'},
    'HistoricalAdherenceDayMetrics': {'dayStartOffsetSecs', 'adherenceScheduleSecs',
        'conformanceScheduleSecs', 'conformanceActualSecs', 'exceptionCount',
        'exceptionDurationSecs', 'impactSeconds', 'scheduleLengthSecs', 'actualLengthSecs',
        'adherencePercentage', 'conformancePercentage'},
    'HistoricalAdherenceExceptionInfo': {'startOffsetSeconds', 'endOffsetSeconds',
        'scheduledActivityCodeId', 'scheduledActivityCategory', 'scheduledSecondaryPresenceLookupIds',
        'actualActivityCodeId', 'actualActivityCategory', 'systemPresence', 'routingStatus',
        'impact', 'secondaryPresenceLookupId'},
    'WfmHistoricalAdherenceResponse': {'id', 'downloadUrl', 'downloadResult', 'downloadUrls', 'queryState'},
}
def only(obj, model):
    extra = set(obj) - MODELS[model]
    if extra:
        sys.exit('%s: members not in the SDK model: %s' % (model, sorted(extra)))
only(json.load(open(tmp + '/created.json')), 'WfmHistoricalAdherenceResponse')
only(json.load(open(tmp + '/job.json')), 'WfmHistoricalAdherenceResponse')
got = {}
start = 1776038400  # 2026-04-13T00:00:00Z
import datetime
for path in open(tmp + '/downloads').read().split():
    w = json.load(open(path))
    only(w, 'WfmHistoricalAdherenceResultWrapper')
    for r in w['data']:
        only(r, 'HistoricalAdherenceQueryResult')
        sched = exc = 0
        for d in r['dayMetrics']:
            only(d, 'HistoricalAdherenceDayMetrics')
            date = datetime.datetime.utcfromtimestamp(start + d['dayStartOffsetSecs']).date().isoformat()
            key = (r['managementUnitId'], r['userId'], date)
            if key in got:
                sys.exit('twice: %s' % (key,))
            want_adh = 100.0 * (d['adherenceScheduleSecs'] - d['exceptionDurationSecs']) / d['adherenceScheduleSecs']
            want_conf = 100.0 * d['conformanceActualSecs'] / d['conformanceScheduleSecs']
            if abs(d['adherencePercentage'] - want_adh) > 1e-4 or abs(d['conformancePercentage'] - want_conf) > 1e-4:
                sys.exit('%s: percentages %s %s, from the seconds %s %s' % (key, d['adherencePercentage'],
                         d['conformancePercentage'], want_adh, want_conf))
            got[key] = [str(d[k]) for k in ('scheduleLengthSecs', 'adherenceScheduleSecs',
                        'conformanceScheduleSecs', 'conformanceActualSecs', 'exceptionCount',
                        'exceptionDurationSecs', 'impactSeconds', 'actualLengthSecs')]
            sched += d['adherenceScheduleSecs']; exc += d['exceptionDurationSecs']
        if sched and abs(r['adherencePercentage'] - 100.0 * (sched - exc) / sched) > 1e-4:
            sys.exit('%s: adherencePercentage %s over the range' % (r['userId'], r['adherencePercentage']))
        days_exc = {}
        for e in r.get('exceptionInfo', []):
            only(e, 'HistoricalAdherenceExceptionInfo')
            day = e['startOffsetSeconds'] // 86400
            days_exc[day] = days_exc.get(day, 0) + e['endOffsetSeconds'] - e['startOffsetSeconds']
        for d in r['dayMetrics']:
            if days_exc.get(d['dayStartOffsetSecs'] // 86400, 0) != d['exceptionDurationSecs']:
                sys.exit('%s: exceptionInfo does not add up to exceptionDurationSecs' % r['userId'])
want = {}
with open(tmp + '/truth/adherence.csv') as f:
    for row in csv.DictReader(f):
        want[(row['management_unit_id'], row['user_id'], row['date'])] = [row[k] for k in (
            'schedule_length_s', 'adherence_schedule_s', 'conformance_schedule_s',
            'conformance_actual_s', 'exception_count', 'exception_duration_s', 'impact_s',
            'actual_length_s')]
if not want or got != want:
    sys.exit('downloads: %d agent days, truth: %d; first difference: %s' % (len(got), len(want),
             next(((k, got.get(k), want.get(k)) for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)), None)))
print('ok: %d agent days across the downloads equal adherence.csv; percentages and exceptions agree with the seconds' % len(got))
PY

# the request model: a member that is not a field of WfmHistoricalAdherenceQuery
mu=$(jq -r '.entities[0].id' "$TMP/units.json")
for bad in '{"startDate":"2026-04-13T00:00:00Z","interval":"x"}' '{"endDate":"2026-04-14T00:00:00Z"}' \
           '{"startDate":"2026-04-13T05:00:00Z"}' '{"startDate":"2026-04-13T00:00:00Z","endDate":"2026-06-13T00:00:00Z"}'; do
    assert_eq 400 "$(curl -s -o "$TMP/err.json" -w '%{http_code}' "${auth[@]}" -d "$bad" \
        "$WFM/managementunits/$mu/historicaladherencequery")" "refused: $bad"
done
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -d "$BODY" \
    "$WFM/managementunits/00000000-0000-4000-8000-000000000000/historicaladherencequery")" "an unknown unit: 404"
assert_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' -d "$BODY" "$WFM/managementunits/$mu/historicaladherencequery")" \
    "no token: 401"
echo "ok: bad requests refused (a member outside the SDK's query model, no startDate, not a midnight, over 32 days, unknown unit, no token)"
