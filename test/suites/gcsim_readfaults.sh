#!/usr/bin/env bash
# gcsim: the read faults of test/simulator/README.md ("Read faults") and the
# paging options, each against `gcsim truth` with gcsim_reader.py: empty and
# missing pages (every read and --fault-page-once), shifted pages, the short
# first read of a window (the aggregates stay complete), the job
# availability lag, vanished evaluations (evaluations_gone.csv), the listing
# page cap, --details-max-results and the validation of every page maximum.
# Naive readers must come out short where the README says they do; the
# reader that does what the README asks must get exactly the truth.  Needs
# no PostgreSQL.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

TMP=${GCA_BUILD:-/tmp}/tmp/gcsim_readfaults
rm -rf "$TMP"; mkdir -p "$TMP"
READER="python3 $GCA_ROOT/test/helpers/gcsim_reader.py"
I=2026-04-14T00:00:00Z/2026-04-14T06:00:00Z     # 151 conversations, 164 for jobs
"$GCSIM" truth --seed 42 --from 2026-04-13 --to 2026-04-15 --out "$TMP/t"
$READER truth details "$I" "$TMP/t" >"$TMP/want_details"
$READER truth job "$I" "$TMP/t" >"$TMP/want_job"
ND=$(wc -l <"$TMP/want_details"); NJ=$(wc -l <"$TMP/want_job")
[ "$ND" -gt 100 ] && [ "$NJ" -gt "$ND" ] || fail "truth: $ND details, $NJ job conversations"

# read KIND STRATEGY OUT [PAGE_SIZE]: the reader's ids, sorted, its exit status in $rc
read_ids() {
    rc=0
    $READER "$1" "$GCSIM_URL" "$I" "${4:-50}" "$2" >"$TMP/raw" 2>"$TMP/err" || rc=$?
    sort "$TMP/raw" >"$3"
}
same_as() {     # same_as GOT WANT WHAT
    cmp -s "$1" "$2" || fail "$3: $(wc -l <"$1") ids, not the $(wc -l <"$2") of the truth"
    echo "ok: $3: exactly the $(wc -l <"$2") conversations of the truth"
}
short_by() {    # short_by GOT WANT N WHAT: GOT is WANT less N of its ids, nothing else
    local missing extra
    missing=$(comm -13 "$1" "$2" | wc -l); extra=$(comm -23 "$1" "$2" | wc -l)
    [ "$missing" -eq "$3" ] && [ "$extra" -eq 0 ] ||
        fail "$4: $missing missing and $extra extra, expected $3 missing"
    echo "ok: $4: short by $3 as the README says"
}
reset() { curl -sf -X POST "$GCSIM_URL/sim/reset" >/dev/null; }
token() { curl -sf -u r:s -d grant_type=client_credentials "$GCSIM_URL/oauth/token" |
          sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'; }
details_page() {    # details_page PAGE_SIZE PAGE_NUMBER: the raw body
    curl -s -H "Authorization: Bearer $(token)" \
        -d "{\"interval\":\"$I\",\"paging\":{\"pageSize\":$1,\"pageNumber\":$2}}" \
        "$GCSIM_URL/api/v2/analytics/conversations/details/query"
}

# --- no fault: the readers agree with the truth ---------------------------
start_gcsim --seed 42 --job-delay-ms 0
for s in total naive correct; do
    read_ids details $s "$TMP/got"; same_as "$TMP/got" "$TMP/want_details" "no fault, details, $s reader"
done
read_ids job correct "$TMP/got"; same_as "$TMP/got" "$TMP/want_job" "no fault, job, correct reader"
stop_all_gcsim

# --- empty and missing pages, every read -----------------------------------
for kind in empty missing; do
    start_gcsim --seed 42 --job-delay-ms 0 --fault-$kind-page 2
    body=$(details_page 50 2)
    case $kind in
        empty)   echo "$body" | contains "^{\"conversations\":\[\],\"totalHits\":$ND}$" ;;
        missing) [ "$body" = "{\"totalHits\":$ND}" ] ;;
    esac || fail "$kind page 2: $(echo "$body" | head -c 200)"
    details_page 50 1 | contains '"conversations":\[{' || fail "$kind: page 1 is faulty too"
    echo "ok: $kind page 2 of the details query: $(echo "$body" | head -c 60)"
    read_ids details total "$TMP/got"; short_by "$TMP/got" "$TMP/want_details" 50 "$kind page 2, details, total reader"
    read_ids details naive "$TMP/got"; short_by "$TMP/got" "$TMP/want_details" $((ND - 50)) "$kind page 2, details, naive reader"
    read_ids details correct "$TMP/got"
    assert_eq 3 "$rc" "$kind page 2 every time: the correct details reader fails"
    grep -q 'page 2 stays short' "$TMP/err" || fail "reader: $(cat "$TMP/err")"
    read_ids job naive "$TMP/got"; short_by "$TMP/got" "$TMP/want_job" 50 "$kind page 2, job, naive reader"
    read_ids job correct "$TMP/got"
    assert_eq 3 "$rc" "$kind page 2 every time: the correct job reader fails"
    stop_all_gcsim
done

# --- ... and only on the first read of the page -----------------------------
for kind in empty missing; do
    start_gcsim --seed 42 --job-delay-ms 0 --fault-$kind-page 3 --fault-page-once
    read_ids details correct "$TMP/got"; same_as "$TMP/got" "$TMP/want_details" "$kind page 3 once, details, correct reader"
    grep -q 'rereads 1 ' "$TMP/err" || fail "one re-read expected: $(cat "$TMP/err")"
    read_ids details naive "$TMP/got"; same_as "$TMP/got" "$TMP/want_details" "$kind page 3 read again, details, naive reader"
    reset
    read_ids details naive "$TMP/got"; short_by "$TMP/got" "$TMP/want_details" $((ND - 100)) "$kind page 3 after /sim/reset, details, naive reader"
    read_ids job correct "$TMP/got"; same_as "$TMP/got" "$TMP/want_job" "$kind page 3 once, job, correct reader"
    grep -q 'rereads 1 ' "$TMP/err" || fail "one re-read expected: $(cat "$TMP/err")"
    read_ids job naive "$TMP/got"; short_by "$TMP/got" "$TMP/want_job" 50 "$kind page 3 once, a new job, naive reader"
    stop_all_gcsim
done

# --- shifted pages -----------------------------------------------------------
start_gcsim --seed 42 --fault-shift-pages 1
read_ids details total "$TMP/got"
sort -u "$TMP/raw" >"$TMP/got"
last=$(comm -13 "$TMP/got" "$TMP/want_details")
[ "$(sort "$TMP/raw" | uniq -d | wc -l)" -eq 1 ] || fail "shift: no duplicate: $(sort "$TMP/raw" | uniq -d)"
dup=$(sort "$TMP/raw" | uniq -d)
[ "$(sed -n 50p "$TMP/raw")" = "$dup" ] && [ "$(sed -n 51p "$TMP/raw")" = "$dup" ] ||
    fail "shift: the last conversation of page 1 does not open page 2"
short_by "$TMP/got" "$TMP/want_details" 1 "shifted pages, details, reader stopping at totalHits"
body=$(details_page 50 $(((ND + 49) / 50 + 1)))
echo "$body" | contains "\"conversationId\":\"$last\"" || fail "shift: $last is not on the extra page"
[ "$(echo "$body" | grep -o '"conversationId"' | wc -l)" -eq 1 ] || fail "shift: extra page: $body"
echo "ok: shifted pages: page 2 opens with page 1's last, the one pushed out comes alone on page $(((ND + 49) / 50 + 1))"
details_page 50 $(((ND + 49) / 50 + 2)) | contains '^{"totalHits":'"$ND"'}$' || fail "shift: no end after the extra page"
read_ids details correct "$TMP/got"; same_as "$TMP/got" "$TMP/want_details" "shifted pages, details, correct reader"
stop_all_gcsim

# --- short first read of a window ------------------------------------------
W="2026-04-14T01:00:00Z/2026-04-14T05:00:00Z"
awk -F , 'NR > 1 && $2 >= "2026-04-14T01" && $2 < "2026-04-14T05" { print $1 }' "$TMP/t/conversations.csv" |
    sort >"$TMP/window"
NW=$(wc -l <"$TMP/window")
start_gcsim --seed 42 --job-delay-ms 0 --fault-short-window "$W:0.3"
read_ids details correct "$TMP/got"
comm -13 "$TMP/got" "$TMP/want_details" >"$TMP/dropped"
[ "$(comm -23 "$TMP/got" "$TMP/want_details" | wc -l)" -eq 0 ] || fail "short window: extra ids"
[ "$(comm -23 "$TMP/dropped" "$TMP/window" | wc -l)" -eq 0 ] || fail "short window: dropped outside the window"
awk -v n="$NW" -v got="$(wc -l <"$TMP/dropped")" 'BEGIN { e = 0.3 * n; tol = 4 * sqrt(n * 0.21);
    if (got < e - tol || got > e + tol || got == 0) { printf "FAIL: dropped %d of %d\n", got, n; exit 1 }
    printf "ok: short window: the first read drops %d of the %d conversations started in it (expected %.0f +- %.0f)\n", got, n, e, tol }'
read_ids details correct "$TMP/got"; same_as "$TMP/got" "$TMP/want_details" "short window, details read again"
agg=$(curl -s -H "Authorization: Bearer $(token)" -d "{\"interval\":\"$W\",\"metrics\":[\"nConversations\"]}" \
      "$GCSIM_URL/api/v2/analytics/conversations/aggregates/query")
assert_eq "$NW" "$(echo "$agg" | sed -n 's/.*"nConversations","stats":{"count":\([0-9]*\)}.*/\1/p')" \
    "short window: the aggregates count every conversation of the window"
stop_all_gcsim
start_gcsim --seed 42 --job-delay-ms 0 --fault-short-window "$W:0.3"
read_ids job correct "$TMP/got"
comm -13 "$TMP/got" "$TMP/want_job" >"$TMP/dropped_job"
cmp -s "$TMP/dropped" "$TMP/dropped_job" || fail "short window: the job drops other conversations than the query"
echo "ok: short window: the first job drops the same $(wc -l <"$TMP/dropped_job") conversations (another server)"
read_ids job correct "$TMP/got"; same_as "$TMP/got" "$TMP/want_job" "short window, a second job"
stop_all_gcsim

# --- data availability -----------------------------------------------------
NOW=2026-04-14T06:00:00Z
"$GCSIM" truth --seed 42 --now $NOW --from 2026-04-13 --to 2026-04-15 --out "$TMP/t6"
start_gcsim --seed 42 --now $NOW --job-delay-ms 0 --job-availability-lag-s 14400
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $(token)" \
       "$GCSIM_URL/api/v2/analytics/conversations/details/jobs/availability")
assert_eq '200 {"dataAvailabilityDate":"2026-04-14T02:00:00.000Z"}' "$code $(cat "$TMP/body")" "availability with a 4-hour lag"
$READER truth job "$I" "$TMP/t6" 2026-04-14T02:00:00Z >"$TMP/want"
read_ids job correct "$TMP/got"; same_as "$TMP/got" "$TMP/want" "4-hour lag, job (conversations started before 02:00)"
$READER truth details "$I" "$TMP/t6" >"$TMP/want"
read_ids details correct "$TMP/got"; same_as "$TMP/got" "$TMP/want" "4-hour lag, the details query is complete"
stop_all_gcsim

# --- vanished evaluations ----------------------------------------------------
"$GCSIM" truth --seed 42 --from 2026-04-13 --to 2026-04-14 --fault-eval-404 0.25 --out "$TMP/te"
start_gcsim --seed 42 --fault-eval-404 0.25
T=$(token)
tail -n +2 "$TMP/te/evaluations.csv" | cut -d , -f 1,2 | while IFS=, read -r e c; do
    code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $T" \
           "$GCSIM_URL/api/v2/quality/conversations/$c/evaluations/$e")
    [ "$code" = 404 ] && { grep -q '"code":"not.found","status":404' "$TMP/body" || fail "404 body: $(cat "$TMP/body")"; }
    echo "$code,$e,$c"
done >"$TMP/codes"
grep '^404,' "$TMP/codes" | cut -d , -f 2,3 | sort >"$TMP/gone_got"
tail -n +2 "$TMP/te/evaluations_gone.csv" | sort >"$TMP/gone_want"
[ -s "$TMP/gone_want" ] || fail "evaluations_gone.csv is empty"
cmp -s "$TMP/gone_got" "$TMP/gone_want" || fail "the 404s are not evaluations_gone.csv"
[ "$(grep -vc '^\(200\|404\),' "$TMP/codes")" -eq 0 ] || fail "other codes: $(grep -v '^\(200\|404\),' "$TMP/codes" | head -3)"
echo "ok: vanished evaluations: $(wc -l <"$TMP/gone_want") of $(wc -l <"$TMP/codes") answer 404, exactly evaluations_gone.csv"
stop_all_gcsim
"$GCSIM" truth --seed 42 --from 2026-04-13 --to 2026-04-14 --out "$TMP/tn"
[ ! -e "$TMP/tn/evaluations_gone.csv" ] || fail "evaluations_gone.csv without --fault-eval-404"

# --- listing page cap ----------------------------------------------------------
listing() { curl -s -H "Authorization: Bearer $T" "$GCSIM_URL$1"; }
start_gcsim --seed 42
T=$(token)
all=$(listing "/api/v2/users?pageSize=100" | grep -o '[[,]{"id":"[^"]*"' | cut -d '"' -f 4)
total=$(listing "/api/v2/users?pageSize=100" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
[ "$total" -gt 10 ] && [ "$total" -le 100 ] && [ "$(echo "$all" | wc -l)" -eq "$total" ] ||
    fail "users without a cap: $total"
stop_all_gcsim
start_gcsim --seed 42 --listing-page-cap 4
T=$(token)
first=$(listing "/api/v2/users?pageSize=10")
echo "$first" | contains "\"pageSize\":4,\"pageNumber\":1,\"total\":$total,\"pageCount\":$(((total + 3) / 4))" ||
    fail "cap: $(echo "$first" | grep -o '"pageSize.*')"
next="/api/v2/users?pageSize=10"; got=""; pages=0
while [ -n "$next" ]; do
    page=$(listing "$next"); pages=$((pages + 1))
    got="$got$(echo "$page" | grep -o '[[,]{"id":"[^"]*"' | cut -d '"' -f 4)"$'\n'
    next=$(echo "$page" | sed -n 's/.*"nextUri":"\([^"]*\)".*/\1/p')
done
assert_eq "$all" "$(echo "$got" | sed '/^$/d')" "listing cap: following nextUri gives every user once, in order"
naive=$(for n in $(seq 1 $(((total + 9) / 10))); do listing "/api/v2/users?pageSize=10&pageNumber=$n" |
        grep -o '[[,]{"id":"[^"]*"'; done | wc -l)
[ "$naive" -lt "$total" ] || fail "cap: stepping by the asked pageSize got all $total users"
echo "ok: listing cap 4: $pages pages by nextUri give all $total users; stepping by pageSize 10 gets $naive"
stop_all_gcsim

# --- --details-max-results and the page maxima ------------------------------
start_gcsim --seed 42 --details-max-results 300
details_page 100 3 | contains '"totalHits"' || fail "page 3 of 100 within 300 results"
body=$(details_page 100 4)
echo "$body" | contains '"message":"Pagination may not exceed 300 results.","code":"bad.request","status":400' ||
    fail "--details-max-results: $body"
echo "ok: --details-max-results 300: page 4 of 100 is 400 \"Pagination may not exceed 300 results.\""
stop_all_gcsim
for bad in "--details-page-max 0" "--job-page-max x" "--listing-page-max 100001" "--sf-batch-max -1" \
           "--listing-page-cap -1" "--details-max-results 0" "--fault-short-window 2026-04-14:0.5" \
           "--fault-short-window 2026-04-14/2026-04-15:2" "--fault-eval-404 1.5" \
           "--fault-empty-page 2 --fault-missing-page 2" "--sf-wide-account 801"; do
    rc=0
    # shellcheck disable=SC2086
    timeout 10 "$GCSIM" $bad --port 0 >"$TMP/out" 2>&1 </dev/null || rc=$?
    assert_eq 2 "$rc" "gcsim $bad refuses to start"
    grep -q '^gcsim: ' "$TMP/out" || fail "no message for $bad: $(cat "$TMP/out")"
done
echo "ok: invalid page maxima and fault options stop gcsim with exit status 2"
