#!/usr/bin/env bash
# Salesforce objects through the FDW against gcsim, compared with `gcsim
# truth`: IMPORT FOREIGN SCHEMA from describe; Account, Case and
# Opportunity read in several batches equal the truth (exact currency,
# datetimes, dates, booleans, parent fields); every pushed operator (with a
# quote, a backslash and a % in the values) returns what local filtering
# returns and shows its SOQL; an IN-list of 5,000 ids in URL-safe chunks;
# joins of 20,000 local rows; ORDER BY and LIMIT; token expiry mid-scan;
# REQUEST_LIMIT_EXCEEDED; the tier of each conversation through
# sfAccountId.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

SEED=21
ACCOUNTS=6000
NOW=2026-03-20T12:00:00Z
DAY=2026-03-18
NEXT=2026-03-19
WORLD="--seed $SEED --accounts $ACCOUNTS --conversations-per-day 400 --now $NOW"
T=$GCA_BUILD/tmp/fdw_salesforce
mkdir -p "$T"
chmod 777 "$T"

# shellcheck disable=SC2086
gcsim_truth "$T" $DAY $NEXT $WORLD
# shellcheck disable=SC2086
start_gcsim $WORLD --client-id cid --client-secret sec
URL=$GCSIM_URL

sql "DROP SCHEMA IF EXISTS sfc CASCADE; DROP SERVER IF EXISTS sf_gc CASCADE;"
salesforce_server sf_fdw "$URL" cid sec "page_size '500'" "requests_per_minute '100000'"
sql "CREATE SCHEMA sfc;
     IMPORT FOREIGN SCHEMA sobjects LIMIT TO (account, \"Case\", \"Opportunity\") FROM SERVER sf_fdw INTO sfc;
     CREATE FOREIGN TABLE sfc.account_owner (
         id text OPTIONS (field 'Id'), owner_id text OPTIONS (field 'ownerid'),
         owner_name text OPTIONS (field 'Owner.Name'), owner_email text OPTIONS (field 'owner.email'))
       SERVER sf_fdw OPTIONS (sobject 'Account');"

load_csv sf_truth_acc "$T/accounts.csv"
load_csv sf_truth_case "$T/cases.csv"
load_csv sf_truth_opp "$T/opportunities.csv"
load_csv sf_truth_conv "$T/conversations.csv"

# ------------------------------------------------------------ IMPORT
assert_eq "Case Opportunity account" "$(sql "SELECT string_agg(foreign_table_name, ' ' ORDER BY foreign_table_name COLLATE \"C\") FROM information_schema.foreign_tables WHERE foreign_table_schema = 'sfc' AND foreign_table_name <> 'account_owner'")" \
    "IMPORT LIMIT TO creates the tables named as written"
assert_eq "sobject=Account" "$(sql "SELECT array_to_string(ftoptions, ',') FROM pg_foreign_table WHERE ftrelid = 'sfc.account'::regclass")" \
    "LIMIT TO (account) reads sObject Account, as describe spells it"
assert_eq "Id:character varying(18) Lifetime_Value__c:numeric(16,2) AnnualRevenue:numeric(18,0) CreatedDate:timestamp with time zone LastActivityDate:date NumberOfEmployees:integer Tier__c:text Description:text" \
    "$(sql "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ' ' ORDER BY array_position(ARRAY['Id','Lifetime_Value__c','AnnualRevenue','CreatedDate','LastActivityDate','NumberOfEmployees','Tier__c','Description'], attname::text))
            FROM pg_attribute WHERE attrelid = 'sfc.account'::regclass AND attname IN ('Id','Lifetime_Value__c','AnnualRevenue','CreatedDate','LastActivityDate','NumberOfEmployees','Tier__c','Description')")" \
    "the type map: ids varchar(18), currency numeric(p,s), datetime timestamptz, date, int, picklist and textarea text"
assert_eq "IsClosed:boolean IsDeleted:boolean" "$(sql "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ' ' ORDER BY attname) FROM pg_attribute WHERE attrelid = 'sfc.\"Case\"'::regclass AND attname IN ('IsClosed', 'IsDeleted')")" \
    "booleans import as boolean"

# ------------------------------------------------------------ whole objects equal the truth
# compare WHAT GOT WANT: both directions of EXCEPT ALL are empty
compare() {
    local n d
    n=$(sql "SELECT count(*) FROM ($2) g")
    d=$(sql "SELECT count(*) FROM ((($2) EXCEPT ALL ($3)) UNION ALL (($3) EXCEPT ALL ($2))) d")
    if [ "$d" != 0 ]; then
        sql "SELECT 'got', * FROM (($2) EXCEPT ALL ($3) LIMIT 3) a"
        sql "SELECT 'truth', * FROM (($3) EXCEPT ALL ($2) LIMIT 3) b"
        fail "$1: $d rows differ"
    fi
    [ "$n" -gt 0 ] || fail "$1: no rows, the comparison proves nothing"
    echo "ok: $1 ($n rows)"
}

sql "CREATE TABLE sf_acc AS SELECT * FROM sfc.account"
compare "every Account equals the truth (exact currency, +0000 datetimes)" \
    "SELECT \"Id\"::text, \"Name\"::text, \"Tier__c\", \"Industry\", \"OwnerId\"::text, \"Lifetime_Value__c\"::text, \"CreatedDate\", \"SystemModstamp\" FROM sf_acc" \
    "SELECT account_id, name, tier, industry, owner_id, ltv, created::timestamptz, system_modstamp::timestamptz FROM sf_truth_acc"
compare "parent fields (Owner.Name) through the field option" \
    "SELECT id, owner_id, owner_name FROM sfc.account_owner" \
    "SELECT account_id, owner_id, owner_name FROM sf_truth_acc"
assert_eq "$ACCOUNTS 12" "$(sql "EXPLAIN (ANALYZE, FORMAT JSON) SELECT \"Id\" FROM sfc.account" | python3 -c 'import json,sys; p=json.load(sys.stdin)[0]["Plan"]; print(p["Actual Rows"], p["Remote Pages"])')" \
    "page_size 500 reads 6000 accounts in 12 batches (nextRecordsUrl)"
compare "every Case equals the truth (booleans, null lookups, escapes in subjects)" \
    "SELECT \"Id\"::text, \"AccountId\"::text, \"Status\", \"IsClosed\", \"Subject\"::text, \"CreatedDate\", \"ClosedDate\" FROM sfc.\"Case\"" \
    "SELECT case_id, account_id, status, is_closed::boolean, subject, created::timestamptz, closed::timestamptz FROM sf_truth_case WHERE is_deleted = 'false'"
compare "every Opportunity equals the truth (nullable currency, dates)" \
    "SELECT \"Id\"::text, \"AccountId\"::text, \"StageName\", \"IsWon\", \"Amount\"::text, \"CloseDate\" FROM sfc.\"Opportunity\"" \
    "SELECT opportunity_id, account_id, stage, is_won::boolean, amount, close_date::date FROM sf_truth_opp WHERE is_deleted = 'false'"

soql() { # the Remote SOQL of a query
    sql "EXPLAIN (VERBOSE, COSTS OFF) $1" | sed -n 's/^ *Remote SOQL: //p' | head -n 1
}
assert_eq "SELECT Id, Name, Tier__c FROM Account" "$(soql "SELECT \"Id\", \"Name\", \"Tier__c\" FROM sfc.account")" \
    "only the referenced fields are in the SELECT list"

# ------------------------------------------------------------ pushdown per operator
# push_check WHAT TABLE CONDITION SOQL-FRAGMENT: the pushed query returns the
# ids local filtering over the (verified) full copy returns, and the SOQL
# carries the fragment
sql "CREATE TABLE sf_case AS SELECT * FROM sfc.\"Case\"; CREATE TABLE sf_opp AS SELECT * FROM sfc.\"Opportunity\""
push_check() {
    local what=$1 ft=$2 local_t=$3 cond=$4 frag=$5 want got s
    s=$(soql "SELECT \"Id\" FROM $ft WHERE $cond")
    case "$s" in *"$frag"*) ;; *) fail "$what: SOQL '$s' lacks '$frag'" ;; esac
    want=$(sql "SELECT count(*) || ':' || coalesce(md5(string_agg(\"Id\", ',' ORDER BY \"Id\")), '') FROM $local_t WHERE $cond")
    got=$(sql "SELECT count(*) || ':' || coalesce(md5(string_agg(\"Id\", ',' ORDER BY \"Id\")), '') FROM $ft WHERE $cond")
    assert_eq "$want" "$got" "$what: pushed as [$frag], same rows as local filtering (${want%%:*})"
}
NAME_Q=$(sql "SELECT \"Name\" FROM sf_acc WHERE \"Name\" LIKE '%''%' ORDER BY \"Id\" LIMIT 1")
[ -n "$NAME_Q" ] || fail "no account name with an apostrophe"
NAME_Q_SQL=${NAME_Q//\'/\'\'}
push_check "= on a name with a quote" sfc.account sf_acc "\"Name\" = '$NAME_Q_SQL'" "Name = '${NAME_Q//\'/\\\'}'"
SUBJ_BS=$(sql "SELECT \"Subject\" FROM sf_case WHERE \"Subject\" LIKE '%\\\\%' ORDER BY \"Id\" LIMIT 1")
[ -n "$SUBJ_BS" ] || fail "no case subject with a backslash"
push_check "= on a subject with a backslash" sfc.\"Case\" sf_case "\"Subject\" = '${SUBJ_BS//\'/\'\'}'" "Subject = '"
push_check "LIKE with a literal %" sfc.\"Case\" sf_case "\"Subject\" LIKE '%\\%%'" "Subject LIKE '%\\%%'"
push_check "LIKE with a backslash" sfc.\"Case\" sf_case "\"Subject\" LIKE '%\\\\%'" "Subject LIKE '%\\\\%'"
push_check "LIKE with a quote" sfc.account sf_acc "\"Name\" LIKE '%''%'" "Name LIKE '%\\'%'"
push_check "NOT on a boolean (= false)" sfc.\"Case\" sf_case "NOT \"IsClosed\"" "IsClosed = false"
push_check "an injection attempt matches nothing" sfc.account sf_acc "\"Name\" = 'x'' OR Name != ''y\\ 100%'" "Name = 'x\\' OR Name != \\'y\\\\ 100%'"
push_check "= is rechecked (SOQL is case-insensitive)" sfc.account sf_acc "\"Tier__c\" = 'enterprise'" "Tier__c = 'enterprise'"
push_check "= on a picklist" sfc.account sf_acc "\"Tier__c\" = 'Enterprise'" "Tier__c = 'Enterprise'"
push_check "IN" sfc.account sf_acc "\"Industry\" IN ('Finance', 'Retail')" "Industry IN ('Finance','Retail')"
push_check "= ANY(array)" sfc.account sf_acc "\"Tier__c\" = ANY (ARRAY['SMB', 'Mid-Market'])" "Tier__c IN ('SMB','Mid-Market')"
push_check "<> on a number" sfc.account sf_acc "\"NumberOfEmployees\" <> 50" "NumberOfEmployees != 50"
push_check "< on currency" sfc.account sf_acc "\"Lifetime_Value__c\" < 100000.5" "Lifetime_Value__c < 100000.5"
push_check "<= on currency" sfc.account sf_acc "\"Lifetime_Value__c\" <= 135708.26" "Lifetime_Value__c <= 135708.26"
push_check "> on a datetime (milliseconds widened)" sfc.account sf_acc "\"CreatedDate\" > '2024-06-01 10:00:00.250+00'" "CreatedDate > 2024-06-01T10:00:00Z"
push_check ">= on a datetime" sfc.account sf_acc "\"CreatedDate\" >= '2024-06-01 00:00:00+02'" "CreatedDate >= 2024-05-31T22:00:00Z"
push_check ">= and < on a date" sfc.account sf_acc "\"LastActivityDate\" >= '2025-06-01' AND \"LastActivityDate\" < '2025-07-01'" "LastActivityDate >= 2025-06-01"
push_check "IS NULL" sfc.account sf_acc "\"AnnualRevenue\" IS NULL" "AnnualRevenue = null"
push_check "IS NOT NULL on a lookup" sfc.\"Case\" sf_case "\"AccountId\" IS NOT NULL" "AccountId != null"
push_check "= on a boolean" sfc.\"Case\" sf_case "\"IsClosed\" = true" "IsClosed = true"
push_check "= on an id" sfc.\"Case\" sf_case "\"AccountId\" = '$(sql "SELECT \"AccountId\" FROM sf_case WHERE \"AccountId\" IS NOT NULL ORDER BY \"Id\" LIMIT 1")'" "AccountId = '"
push_check "a malformed id matches nothing" sfc.account sf_acc "\"Id\" = 'not-an-id'" ""
assert_eq 1 "$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM sfc.account WHERE \"Id\" = 'not-an-id'" | grep -c 'Remote Request: none')" \
    "a malformed id sends no request (Salesforce would refuse it)"
push_check "<> on an id" sfc.\"Opportunity\" sf_opp "\"AccountId\" <> '$(sql "SELECT \"AccountId\" FROM sf_opp ORDER BY \"Id\" LIMIT 1")'" "AccountId != '"
assert_eq "SELECT Id, Description FROM Account" "$(soql "SELECT \"Id\" FROM sfc.account WHERE \"Description\" = 'x'")" \
    "a field describe marks not filterable (Description) is never in WHERE"

# ------------------------------------------------------------ IN-list of 5,000 ids
IDS=$(sql "SELECT string_agg(quote_literal(account_id), ',' ORDER BY account_id) FROM (SELECT account_id FROM sf_truth_acc ORDER BY account_id LIMIT 5000) a")
echo "SELECT count(*) || ':' || md5(string_agg(\"Id\", ',' ORDER BY \"Id\")) FROM sfc.account WHERE \"Id\" = ANY (ARRAY[$IDS])" >"$T/in5000.sql"
want=$(sql "SELECT count(*) || ':' || md5(string_agg(account_id, ',' ORDER BY account_id)) FROM (SELECT account_id FROM sf_truth_acc ORDER BY account_id LIMIT 5000) a")
curl -s -X POST "$URL/sim/reset" >/dev/null
got=$("$PG_BINDIR/psql" -qXAt -v ON_ERROR_STOP=1 -f "$T/in5000.sql")
assert_eq "$want" "$got" "an IN-list of 5,000 ids returns exactly those accounts"
sf_requests() { curl -s "$URL/sim/stats" | python3 -c 'import json,sys; e=json.load(sys.stdin)["endpoints"]; print(sum(v["requests"] for k, v in e.items() if k in ("sf.query", "sf.query_more")))'; }
N_IN=$(sf_requests)
echo "EXPLAIN (VERBOSE, COSTS OFF) SELECT \"Id\" FROM sfc.account WHERE \"Id\" = ANY (ARRAY[$IDS])" >"$T/in5000_explain.sql"
"$PG_BINDIR/psql" -qXAt -v ON_ERROR_STOP=1 -f "$T/in5000_explain.sql" >"$T/in5000_explain.out"
python3 - "$T/in5000_explain.out" "$URL" "$N_IN" <<'EOF' || fail "the IN-list chunks"
import sys, urllib.parse
lines = open(sys.argv[1]).read().splitlines()
soql = next(l.split("Remote SOQL: ", 1)[1] for l in lines if "Remote SOQL: " in l)
queries = int(next(l.split("Remote Queries: ", 1)[1] for l in lines if "Remote Queries: " in l))
url = sys.argv[2] + "/services/data/v62.0/query?q=" + urllib.parse.quote_plus(soql, safe="-_.~")
per_chunk = soql.count("'") // 2
want = -(-5000 // per_chunk)
assert len(url) < 2000, "URL of %d characters" % len(url)
assert queries == want, "%d queries, ceil(5000 / %d) = %d" % (queries, per_chunk, want)
assert int(sys.argv[3]) == queries, "gcsim saw %s query requests for %d queries" % (sys.argv[3], queries)
print("ok: 5,000 ids in %d queries of up to %d ids; the first URL has %d characters; gcsim saw %s requests" % (queries, per_chunk, len(url), sys.argv[3]))
EOF

# ------------------------------------------------------------ joins of 20,000 local rows
# 20,000 rows over 2,500 of the accounts
sql "DROP TABLE IF EXISTS sf_local; CREATE TABLE sf_local AS
       SELECT i, a.account_id FROM generate_series(1, 20000) i
         JOIN (SELECT account_id, row_number() OVER (ORDER BY account_id) - 1 AS k FROM sf_truth_acc) a
           ON a.k = (i * 7919) % 2500;
     ANALYZE sf_local"
D=$(sql "SELECT count(DISTINCT account_id) FROM sf_local")
assert_eq "20000 2500" "$(sql "SELECT count(*) FROM sf_local") $D" "the local table has 20,000 rows over 2,500 accounts"
# remote_figures QUERY: "requests queries ids-per-query" of its foreign scans (EXPLAIN ANALYZE)
remote_figures() {
    sql "EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) $1" | python3 -c 'import json,sys
def walk(p):
    yield p
    for c in p.get("Plans", []):
        yield from walk(c)
nodes = [n for n in walk(json.load(sys.stdin)[0]["Plan"]) if "Remote SOQL" in n]
per = max(n["Remote SOQL"].count(chr(39)) // 2 for n in nodes)
print(sum(n["Remote Requests"] for n in nodes), sum(n["Remote Queries"] for n in nodes), per)'
}
want=$(sql "SELECT count(*) || ':' || sum(hashtext(l.account_id || t.tier)) FROM sf_local l JOIN sf_truth_acc t USING (account_id)")
BATCHED="SELECT \"Id\", \"Tier__c\" FROM sfc.account WHERE \"Id\" = ANY (ARRAY(SELECT DISTINCT account_id FROM sf_local))"
got=$(sql "SELECT count(*) || ':' || sum(hashtext(l.account_id || a.\"Tier__c\")) FROM sf_local l JOIN ($BATCHED) a ON a.\"Id\" = l.account_id")
assert_eq "$want" "$got" "the batched join (= ANY(ARRAY(SELECT DISTINCT ...))) equals the join with the truth"
read -r reqs queries PER_CHUNK <<<"$(remote_figures "$BATCHED")"
MAXREQ=$(( (D + PER_CHUNK - 1) / PER_CHUNK ))
[ "$reqs" -le "$MAXREQ" ] || fail "= ANY(ARRAY(...)) sent $reqs requests, more than ceil($D / $PER_CHUNK) = $MAXREQ"
echo "ok: the batched join of 20,000 rows ($D distinct ids) sent $reqs requests in $queries queries of up to $PER_CHUNK ids <= ceil($D / $PER_CHUNK) = $MAXREQ (EXPLAIN ANALYZE)"
got=$(sql "SELECT count(*) || ':' || sum(hashtext(l.account_id || a.\"Tier__c\")) FROM sf_local l JOIN sfc.account a ON a.\"Id\" = l.account_id")
assert_eq "$want" "$got" "a plain join of 20,000 local rows to sfc.account equals the join with the truth"
reqs=$(sql "EXPLAIN (ANALYZE, FORMAT JSON) SELECT l.i, a.\"Tier__c\" FROM sf_local l JOIN sfc.account a ON a.\"Id\" = l.account_id" \
    | python3 -c 'import json,sys
def walk(p):
    return p.get("Remote Requests", 0) + sum(walk(c) for c in p.get("Plans", []))
print(walk(json.load(sys.stdin)[0]["Plan"]))')
[ "$reqs" -le "$MAXREQ" ] || fail "the plain join sent $reqs requests, more than $MAXREQ"
echo "ok: the plain join reads the object once: $reqs requests <= $MAXREQ (EXPLAIN ANALYZE)"
# a few outer rows: the parameterized path, one query per outer row
sql "CREATE TABLE sf_few AS SELECT account_id FROM sf_truth_acc ORDER BY account_id LIMIT 3; ANALYZE sf_few"
compare "a parameterized join (Id = outer value) equals the truth" \
    "SELECT f.account_id, a.\"Tier__c\" FROM sf_few f JOIN sfc.account a ON a.\"Id\" = f.account_id" \
    "SELECT f.account_id, t.tier FROM sf_few f JOIN sf_truth_acc t USING (account_id)"
plan=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT f.account_id, a.\"Tier__c\" FROM sf_few f JOIN sfc.account a ON a.\"Id\" = f.account_id")
case "$plan" in *"Nested Loop"*"Remote Parameters"*) echo "ok: 3 outer rows take the parameterized path" ;;
    *) echo "$plan"; fail "3 outer rows do not take the parameterized path" ;; esac

# ------------------------------------------------------------ ORDER BY and LIMIT
assert_eq "SELECT Id, Lifetime_Value__c FROM Account WHERE Lifetime_Value__c > 1000 ORDER BY Lifetime_Value__c DESC NULLS FIRST LIMIT 5" \
    "$(soql "SELECT \"Id\", \"Lifetime_Value__c\" FROM sfc.account WHERE \"Lifetime_Value__c\" > 1000 ORDER BY \"Lifetime_Value__c\" DESC LIMIT 5")" \
    "ORDER BY with explicit NULLS and LIMIT are pushed when every condition is exact"
compare "ORDER BY ... LIMIT returns the truth's top 5" \
    "SELECT a.\"Id\"::text, a.\"Lifetime_Value__c\"::text FROM sfc.account a WHERE a.\"Lifetime_Value__c\" > 1000 ORDER BY a.\"Lifetime_Value__c\" DESC LIMIT 5" \
    "SELECT account_id, ltv FROM sf_truth_acc WHERE ltv::numeric > 1000 ORDER BY ltv::numeric DESC LIMIT 5"
assert_eq "SELECT Id, Name, CreatedDate FROM Account WHERE Name = 'x' ORDER BY CreatedDate ASC NULLS LAST" \
    "$(soql "SELECT \"Id\", \"CreatedDate\" FROM sfc.account WHERE \"Name\" = 'x' ORDER BY \"CreatedDate\" LIMIT 5")" \
    "no LIMIT when a condition is inexact (case-insensitive =)"
assert_eq "SELECT Id, Name FROM Account" "$(soql "SELECT \"Id\", \"Name\" FROM sfc.account ORDER BY \"Name\" LIMIT 5")" \
    "no ORDER BY on text (SOQL sorts case-insensitively), so no LIMIT"
compare "ORDER BY text LIMIT is sorted locally" \
    "SELECT \"Id\"::text FROM sfc.account ORDER BY \"Name\" COLLATE \"C\", \"Id\" LIMIT 7" \
    "SELECT account_id FROM sf_truth_acc ORDER BY name COLLATE \"C\", account_id LIMIT 7"

# ------------------------------------------------------------ Sforce-Limit-Info
info=$(sql "SELECT limit_info FROM gcanalytics.http_stats() WHERE server = 'sf_fdw'")
case "$info" in api-usage=*/*) echo "ok: http_stats() reports Sforce-Limit-Info ($info)" ;;
    *) fail "http_stats() limit_info is '$info'" ;; esac

# ------------------------------------------------------------ conversations' tier
genesys_server sf_gc "$URL" cid sec "requests_per_minute '100000'"
sql "CREATE FOREIGN TABLE sfc.conversations (conversation_id text, conversation_start timestamptz,
         sf_account text OPTIONS (attribute 'sfAccountId'))
       SERVER sf_gc OPTIONS (resource 'conversations', extraction 'job')"
compare "each conversation's tier through sfAccountId joined to Account equals the truth" \
    "SELECT c.conversation_id, a.\"Tier__c\" FROM sfc.conversations c JOIN sfc.account a ON a.\"Id\" = c.sf_account
      WHERE c.conversation_start >= '$DAY' AND c.conversation_start < '$NEXT'" \
    "SELECT conversation_id, tier FROM sf_truth_conv WHERE account_id IS NOT NULL"

# ------------------------------------------------------------ wide objects
# gcsim's --sf-wide-account N gives Account N more fields (README-salesforce.md);
# 800 makes SELECT * a URL over 16 KB, read in column parts
if start_gcsim $WORLD --client-id cid --client-secret sec --sf-wide-account 800 --sf-batch-max 1000 2>/dev/null; then
    salesforce_server sf_wide "$GCSIM_URL" cid sec "requests_per_minute '100000'"
    sql "DROP SCHEMA IF EXISTS sfw CASCADE; CREATE SCHEMA sfw;
         IMPORT FOREIGN SCHEMA sobjects LIMIT TO (account) FROM SERVER sf_wide INTO sfw;
         CREATE FOREIGN TABLE sfw.narrow (\"Id\" text, \"pkg__Field_1__c\" text, \"pkg__Field_400__c\" date,
             \"pkg__Field_797__c\" timestamptz, \"pkg__Field_800__c\" numeric)
           SERVER sf_wide OPTIONS (sobject 'Account');"
    ncols=$(sql "SELECT count(*) FROM pg_attribute WHERE attrelid = 'sfw.account'::regclass AND attnum > 0")
    [ "$ncols" -ge 800 ] || fail "the wide Account imported with $ncols columns"
    assert_eq "SELECT Id, pkg__Field_5__c, pkg__Field_700__c FROM Account" \
        "$(soql "SELECT \"Id\", \"pkg__Field_5__c\", \"pkg__Field_700__c\" FROM sfw.account")" \
        "a query of 3 of the $ncols columns of the wide Account selects those 3 fields"
    sql "CREATE TABLE sf_wide AS SELECT * FROM sfw.account"
    compare "SELECT * of the $ncols-column Account (column parts, no 414) equals the truth" \
        "SELECT \"Id\"::text, \"Name\"::text, \"Tier__c\", \"Lifetime_Value__c\"::text, \"CreatedDate\" FROM sf_wide" \
        "SELECT account_id, name, tier, ltv, created::timestamptz FROM sf_truth_acc"
    compare "its wide fields equal those read by a narrow table (one query)" \
        "SELECT \"Id\"::text, \"pkg__Field_1__c\"::text, \"pkg__Field_400__c\", \"pkg__Field_797__c\", \"pkg__Field_800__c\" FROM sf_wide" \
        "SELECT * FROM sfw.narrow"
    read -r parts reqs <<<"$(sql "EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) SELECT * FROM sfw.account" | python3 -c 'import json,sys
p = json.load(sys.stdin)[0]["Plan"]
print(p.get("Remote Column Parts", 1), p["Remote Requests"])')"
    [ "$parts" -ge 2 ] || fail "SELECT * of $ncols fields was not split into column parts"
    echo "ok: SELECT * of $ncols fields: $parts column parts, $reqs requests"
    compare "ORDER BY ... LIMIT over column parts equals the truth's top 5" \
        "SELECT a.\"Id\"::text, a.\"Lifetime_Value__c\"::text FROM (SELECT * FROM sfw.account a ORDER BY a.\"Lifetime_Value__c\" DESC LIMIT 5) a" \
        "SELECT account_id, ltv FROM sf_truth_acc ORDER BY ltv::numeric DESC LIMIT 5"
    sql "DROP TABLE sf_wide; DROP SCHEMA sfw CASCADE; DROP SERVER sf_wide CASCADE"
else
    echo "note: this gcsim has no --sf-wide-account yet; the wide-object checks are skipped"
fi

# ------------------------------------------------------------ token expiry mid-scan
start_gcsim $WORLD --client-id cid --client-secret sec --sf-token-ttl 1 --latency-ms 120 --sf-batch-max 200
URL2=$GCSIM_URL
salesforce_server sf_ttl "$URL2" cid sec "max_concurrency '1'" "requests_per_minute '100000'"
sql "ALTER USER MAPPING FOR CURRENT_USER SERVER sf_ttl OPTIONS (ADD refresh_token 'rt-ok');
     CREATE FOREIGN TABLE sfc.account_ttl (\"Id\" text, \"Tier__c\" text) SERVER sf_ttl OPTIONS (sobject 'Account');"
compare "a scan of 30 batches outliving 1-second tokens equals the truth (refresh-token flow)" \
    "SELECT \"Id\", \"Tier__c\" FROM sfc.account_ttl" "SELECT account_id, tier FROM sf_truth_acc"
tokens=$(sql "SELECT token_requests FROM gcanalytics.http_stats() WHERE server = 'sf_ttl'")
[ "$tokens" -ge 3 ] || fail "only $tokens token requests: the token never expired mid-scan"
echo "ok: the token was renewed $((tokens - 1)) times after 401 INVALID_SESSION_ID"

# ------------------------------------------------------------ refused credentials
salesforce_server sf_bad "$URL" cid wrong
sql "CREATE FOREIGN TABLE sfc.account_bad (\"Id\" text) SERVER sf_bad OPTIONS (sobject 'Account');"
out=$("$PG_BINDIR/psql" -qXAt -c "SELECT count(*) FROM sfc.account_bad" 2>&1 || true)
case "$out" in *"invalid_client"*"HINT:"*"client_id, client_secret, refresh_token"*) echo "ok: a wrong client secret is a clear error with a hint" ;;
    *) echo "$out"; fail "a wrong client secret" ;; esac
sql "ALTER USER MAPPING FOR CURRENT_USER SERVER sf_bad OPTIONS (DROP client_secret, ADD refresh_token 'revoked-token')"
out=$("$PG_BINDIR/psql" -qXAt -c "SELECT count(*) FROM sfc.account_bad" 2>&1 || true)
case "$out" in *"invalid_grant"*"HINT:"*) echo "ok: a revoked refresh token is a clear error with a hint" ;;
    *) echo "$out"; fail "a revoked refresh token" ;; esac
sql "DROP SERVER sf_bad CASCADE"

# ------------------------------------------------------------ REQUEST_LIMIT_EXCEEDED
start_gcsim $WORLD --sf-daily-limit 4 --sf-batch-max 200
URL3=$GCSIM_URL
salesforce_server sf_lim "$URL3" cid sec "max_concurrency '1'" "max_retries '5'"
sql "CREATE FOREIGN TABLE sfc.account_lim (\"Id\" text) SERVER sf_lim OPTIONS (sobject 'Account');"
out=$("$PG_BINDIR/psql" -qXAt -v VERBOSITY=verbose -c "SELECT count(*) FROM sfc.account_lim" 2>&1 || true)
case "$out" in *"403"*"REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."*"HINT:"*"allocation"*) ;;
    *) echo "$out"; fail "REQUEST_LIMIT_EXCEEDED is not a clear error with a hint" ;; esac
n=$(curl -s "$URL3/sim/stats" | python3 -c 'import json,sys; e=json.load(sys.stdin)["endpoints"]; print(sum(v["requests"] for k, v in e.items() if k.startswith("sf.") and k != "sf.token"))')
assert_eq 5 "$n" "REQUEST_LIMIT_EXCEEDED fails at once: 4 requests allowed, the 5th refused and not retried"
echo "ok: $(echo "$out" | grep -m1 ERROR)"

# ------------------------------------------------------------ README examples run as written
"$PG_BINDIR/psql" -qX -d postgres -c "DROP DATABASE IF EXISTS sf_readme" -c "CREATE DATABASE sf_readme" >/dev/null
rsql() { "$PG_BINDIR/psql" -qXAt -v ON_ERROR_STOP=1 -d sf_readme "$@"; }
rsql -c "CREATE EXTENSION gcanalytics;
         CREATE SERVER salesforce FOREIGN DATA WRAPPER gcanalytics_fdw
           OPTIONS (service 'salesforce', instance_url '$URL', requests_per_minute '100000');
         CREATE USER MAPPING FOR CURRENT_USER SERVER salesforce OPTIONS (client_id 'cid', client_secret 'sec');
         CREATE SERVER genesys FOREIGN DATA WRAPPER gcanalytics_fdw
           OPTIONS (service 'genesys', api_url '$URL', login_url '$URL');
         CREATE USER MAPPING FOR CURRENT_USER SERVER genesys OPTIONS (client_id 'cid', client_secret 'sec');
         CREATE SCHEMA gc;" >/dev/null
awk '/^### Reading Salesforce/ { on = 1; next } on && /^### / { exit }
     on && /^```sql/ { code = 1; next } on && code && /^```/ { code = 0; print "-- end of block"; next }
     on && code { print }' "$GCA_ROOT/README.md" >"$T/readme.sql"
blocks=$(grep -c '^-- end of block' "$T/readme.sql")
[ "$blocks" -ge 4 ] || fail "found only $blocks SQL blocks in README's Reading Salesforce"
rsql -f "$T/readme.sql" >"$T/readme.out" 2>&1 || { cat "$T/readme.out"; fail "a README example of Reading Salesforce fails"; }
grep -q '^[^|]*|[^|]*|\(Enterprise\|Mid-Market\)|' "$T/readme.out" \
    || { cat "$T/readme.out"; fail "README: the first example returned no Enterprise or Mid-Market account"; }
echo "ok: the $blocks SQL blocks of README's Reading Salesforce run as written"
"$PG_BINDIR/psql" -qX -d postgres -c "DROP DATABASE sf_readme" >/dev/null
